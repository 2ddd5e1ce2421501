"""CLI of the indicators stage: ``vaikutus indicators``."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("indicators")
    def indicators(
        warehouse: Path = typer.Option(..., "--warehouse", help="Warehouse: DuckDB file or Parquet folder (with the panel built)."),
        out: Path = typer.Option(..., "--out", help="Output file: .parquet, .csv or .xlsx."),
        public: bool = typer.Option(
            True, "--public/--internal",
            help="Public output is suppressed; --internal writes unsuppressed figures for the area's own analysts.",
        ),
        levels: str = typer.Option(
            None, "--levels",
            help="Comma-separated area types: municipality, employment_area, region, trial_area, trial_group, country.",
        ),
        periods: str = typer.Option(None, "--periods", help="Comma-separated period types: month, quarter, year."),
        start: str = typer.Option(None, "--from", help="First month, YYYY-MM."),
        end: str = typer.Option(None, "--to", help="Last month, YYYY-MM."),
        fmt: str = typer.Option(None, "--format", help="parquet, csv or xlsx (default: from the file suffix)."),
        lang: str = typer.Option("fi", "--lang", help="Language of the workbook texts: fi, sv or en."),
        params_file: Path = typer.Option(None, "--params", help="TOML file with an [indicators] table of parameters."),
        backend: str = typer.Option("duckdb", "--backend", help="duckdb or spark."),
        store_tables: bool = typer.Option(
            True, "--store/--no-store",
            help="Also save indicator_values (internal), indicator_values_public, indicator_metadata and "
                 "indicator_parameters in the warehouse.",
        ),
    ) -> None:
        """Compute the 21 monitoring indicators for every area and period."""
        from vaikutus.indicators.areas import Areas
        from vaikutus.indicators.compute import compute_result, open_warehouse, select
        from vaikutus.indicators.definitions import metadata_frame
        from vaikutus.indicators.output import infer_format, store, write_table, write_workbook
        from vaikutus.indicators.parameters import IndicatorParameters, parameters_frame

        try:
            kind = infer_format(out, fmt)
            params = IndicatorParameters.from_toml(params_file) if params_file else IndicatorParameters()
            con = open_warehouse(warehouse, backend)
            areas = Areas.from_reference()
            result = compute_result(con, public=True, params=params, areas=areas)
            frame = select(
                result.public if public else result.internal,
                levels=_split(levels), periods=_split(periods), start=start, end=end,
            )
        except (ValueError, LookupError, FileNotFoundError) as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        if kind == "xlsx":
            write_workbook(frame, out, areas=areas, lang=lang, params=params)
        else:
            write_table(frame, out, kind)
        variant = "public (suppressed)" if public else "INTERNAL (unsuppressed)"
        typer.echo(f"wrote {out}: {len(frame)} rows, {frame.indicator.nunique()} indicators, {variant}")
        if store_tables:
            store(con, {
                "indicator_values": result.internal,
                "indicator_values_public": result.public,
                "indicator_metadata": metadata_frame(),
                "indicator_parameters": parameters_frame(params),
            })
            typer.echo(f"saved indicator_values, indicator_values_public, indicator_metadata in {warehouse}")
        for table in result.missing_tables:
            typer.secho(f"note: the warehouse has no {table} table; its indicators are left out", err=True)


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None
