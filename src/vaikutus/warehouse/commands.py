"""CLI commands of the warehouse stage: ``build-panel`` and ``export-parquet``."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path

import typer


class Backend(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


class CountingDay(str, Enum):
    last_working_day = "last_working_day"
    month_end = "month_end"


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


def _source(warehouse: Path | None, parquet: Path | None) -> Path:
    """The warehouse to open: the Parquet folder if given, else the DuckDB file."""
    path = parquet or warehouse
    if path is None:
        raise _fail("give --warehouse FILE (DuckDB) or --parquet DIR")
    if not path.exists():
        raise _fail(f"no such warehouse: {path}")
    return path


def register(app: typer.Typer) -> None:
    @app.command("build-panel")
    def build_panel_command(
        warehouse: Path = typer.Option(None, "--warehouse", help="The DuckDB warehouse file."),
        parquet: Path = typer.Option(
            None, "--parquet", help="A Parquet folder (from export-parquet) to read and write instead."
        ),
        backend: Backend = typer.Option(Backend.duckdb, "--backend", help="Engine; spark needs --parquet."),
        counting_day: CountingDay = typer.Option(
            CountingDay.last_working_day, "--counting-day", help="Day of the month stocks are read on."
        ),
        start: str = typer.Option(None, "--start", help="First month YYYY-MM (default: from the data)."),
        end: str = typer.Option(None, "--end", help="Last month YYYY-MM (default: from the data)."),
        min_break_days: int = typer.Option(
            1, "--min-break-days", help="Days outside unemployment that break a continuous spell."
        ),
        memory_limit: str = typer.Option(
            None, "--memory-limit", help="DuckDB memory cap, e.g. 4GB (it spills to disk beyond)."
        ),
        buckets: int = typer.Option(
            None, "--buckets", help="Build persons in this many parts (default: from the register size)."
        ),
    ) -> None:
        """Build the person-month panel (months, person_month, service_month) in the warehouse."""
        from rich.console import Console
        from rich.table import Table

        from vaikutus.warehouse import build_panel, connect
        from vaikutus.warehouse.panel import PanelInputError

        console = Console(stderr=True)
        began = time.perf_counter()
        try:
            with console.status(f"connecting to {backend.value}") as status:
                con = connect(_source(warehouse, parquet), backend=backend.value, memory_limit=memory_limit)
                build_panel(
                    con, start, end, counting_day_rule=counting_day.value, min_break_days=min_break_days,
                    buckets=buckets, progress=lambda step: status.update(f"[{backend.value}] {step}"),
                )
                status.update("counting")
                summary = _panel_summary(con)
        except (PanelInputError, ValueError, FileNotFoundError) as exc:
            raise _fail(str(exc)) from exc
        table = Table(title=f"person-month panel ({backend.value}, {time.perf_counter() - began:.1f} s)")
        for column in ("table", "rows", "persons", "months"):
            table.add_column(column, justify="left" if column == "table" else "right")
        for name, counts in summary.items():
            table.add_row(name, *(f"{n:,}" if n is not None else "" for n in counts))
        Console().print(table)

    @app.command("export-parquet")
    def export_parquet_command(
        warehouse: Path = typer.Option(..., "--warehouse", help="The DuckDB warehouse file."),
        out: Path = typer.Option(..., "--out", help="Folder for <table>.parquet files."),
        table: list[str] = typer.Option(None, "--table", help="Export only these tables (repeatable)."),
    ) -> None:
        """Write every warehouse table as OUT/<table>.parquet (interchange format, Spark input)."""
        from vaikutus.warehouse import connect, export_parquet

        con = connect(_source(warehouse, None))
        try:
            written = export_parquet(con, out, table or None)
        except KeyError as exc:
            raise _fail(str(exc.args[0])) from exc
        for name, path in written.items():
            typer.echo(f"wrote {path} ({con.table(name).count().execute():,} rows)")


def _panel_summary(con) -> dict[str, tuple[int | None, int | None, int | None]]:
    """rows, distinct persons and distinct months of the panel tables."""
    out = {}
    for name in ("person_month", "service_month"):
        t = con.table(name)
        row = t.aggregate(rows=t.count(), persons=t.person_id.nunique(), months=t.month.nunique())
        out[name] = tuple(row.to_pyarrow().to_pylist()[0].values())
    out["months"] = (con.table("months").count().execute(), None, None)
    return out
