"""``vaikutus statfin``: fetch StatFin tables through PxWeb and inspect saved responses."""

from __future__ import annotations

import json
from pathlib import Path

import typer

DEFAULT_TABLE = "tyonv/statfin_tyonv_pxt_12r5.px"


def register(app: typer.Typer) -> None:
    statfin = typer.Typer(
        help="Public StatFin statistics (PxWeb): fetch tables, show saved responses.",
        no_args_is_help=True,
    )

    @statfin.command("fetch")
    def fetch_command(
        table: str = typer.Option(DEFAULT_TABLE, "--table", help="Table path under the database."),
        months: str = typer.Option(
            "all", "--months", help="all, 2021M01:2026M06, or a comma list."
        ),
        areas: str = typer.Option(
            "all", "--areas", help="all, or codes/area types: SSS,KU091,municipality."
        ),
        out: Path = typer.Option(
            ..., "--out", help="Folder for the raw responses and their sidecars."
        ),
        select: list[str] = typer.Option(
            [], "--select", help="CODE=v1,v2 for another variable (repeatable)."
        ),
        lang: str = typer.Option("fi", "--lang", help="fi, sv or en."),
        response_format: str = typer.Option(
            "json", "--format", help="json, json-stat2, csv or px."
        ),
        base_url: str = typer.Option(
            None, "--base-url", help="PxWeb API root (default StatFin's)."
        ),
    ) -> None:
        """Fetch a table for a range of months and areas, split under the API's cell limit."""
        from vaikutus.registry.pxweb.fetch import DEFAULT_BASE_URL, FetchError, PxWebClient, fetch
        from vaikutus.registry.pxweb.query import build_query

        try:
            choices = dict(_selection(item) for item in select)
            client = PxWebClient(base_url or DEFAULT_BASE_URL, lang=lang)
            metadata = client.metadata(table)
            query = build_query(metadata.doc, months=months, areas=areas, select=choices)
            result = fetch(
                table,
                query,
                lang,
                out,
                response_format=response_format,
                client=client,
                metadata=metadata,
            )
        except (FetchError, ValueError) as exc:  # ValueError: PxWebFormatError, QueryError
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"wrote {result.metadata_file}")
        for path in result.files:
            typer.echo(f"wrote {path}")
        typer.echo(f"{result.cells} cells in {len(result.files)} request(s)")

    @statfin.command("show")
    def show_command(
        file: Path = typer.Argument(
            ..., exists=True, dir_okay=False, help="Saved json, json-stat2, CSV or PX."
        ),
        metadata: Path = typer.Option(
            None, "--metadata", help="Table metadata (GET response) for CSV/json texts."
        ),
        lang: str = typer.Option(None, "--lang", help="Language of a multi-language PX file."),
        rows: int = typer.Option(10, "--rows", help="Rows of data to preview."),
    ) -> None:
        """Parse a saved response and print its metadata and the first rows."""
        from vaikutus.registry.pxweb.reader import read_table

        try:
            meta_doc = json.loads(metadata.read_bytes()) if metadata else None
            table = read_table(file, metadata=meta_doc, language=lang)
        except (OSError, ValueError) as exc:  # ValueError: PxWebFormatError, bad --metadata JSON
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        typer.echo(table.summary())
        typer.echo("")
        typer.echo(table.data.head(rows).to_string(index=False))

    app.add_typer(statfin, name="statfin")


def _selection(item: str) -> tuple[str, list[str]]:
    code, sep, values = item.partition("=")
    if not sep or not code.strip() or not values.strip():
        raise ValueError(f"--select {item!r}: expected CODE=v1,v2")
    return code.strip(), [v.strip() for v in values.split(",")]
