"""CLI of the indicators stage: ``vaikutus indicators``."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("indicators")
    def indicators(
        warehouse: Path = typer.Option(
            None, "--warehouse",
            help="Warehouse: DuckDB file or Parquet folder (with the panel built). With --statfin: where to "
                 "store the StatFin rows (a new DuckDB file is created if missing).",
        ),
        statfin: Path = typer.Option(
            None, "--statfin",
            help="Aggregate mode: compute the indicators 12r5 carries from a saved StatFin response or a "
                 "folder written by `vaikutus statfin fetch`, instead of from the register.",
        ),
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
        """Compute the 21 monitoring indicators for every area and period (or, with --statfin, those
        public StatFin 12r5 figures give)."""
        if statfin is not None:
            _statfin(statfin, warehouse, out, fmt, lang, params_file, store_tables,
                     levels=_split(levels), periods=_split(periods), start=start, end=end)
            return
        if warehouse is None:
            typer.secho("error: give --warehouse (register path) or --statfin (public StatFin figures)",
                        fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        from vaikutus.indicators.areas import Areas
        from vaikutus.indicators.compute import compute_result, open_warehouse, select
        from vaikutus.indicators.definitions import metadata_frame
        from vaikutus.indicators.output import infer_format, store, write_output
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
        write_output(frame, out, kind, areas=areas, lang=lang, params=params)
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


def _statfin(source: Path, warehouse: Path | None, out: Path, fmt: str | None, lang: str,
             params_file: Path | None, store_tables: bool, **selection) -> None:
    """``vaikutus indicators --statfin``: the aggregate mode (``indicators/statfin.py``)."""
    from vaikutus.indicators.areas import Areas
    from vaikutus.indicators.compute import select
    from vaikutus.indicators.output import infer_format, write_output
    from vaikutus.indicators.parameters import IndicatorParameters
    from vaikutus.indicators.statfin import compute_statfin, store_statfin
    from vaikutus.warehouse import connect

    try:
        kind = infer_format(out, fmt)
        params = IndicatorParameters.from_toml(params_file) if params_file else IndicatorParameters()
        areas = Areas.from_reference()
        result = compute_statfin(source, params=params, areas=areas)
        frame = select(result.table, **selection)
    except (ValueError, LookupError, FileNotFoundError) as exc:  # ValueError: bad file, PxWebFormatError
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    write_output(frame, out, kind, areas=areas, lang=lang, params=params)
    typer.echo(result.summary())
    typer.echo(f"wrote {out}: {len(frame)} rows, {frame.indicator.nunique()} indicators, public, source statfin")
    if warehouse is not None and store_tables:
        con = connect(warehouse)
        store_statfin(con, result)
        con.disconnect()
        typer.echo(f"saved the StatFin rows in indicator_values, indicator_values_public and indicator_sources of {warehouse}")


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None
