"""CLI of the reports stage: ``vaikutus package``."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("package")
    def package(
        out: Path = typer.Option(..., "--out", help="Folder for the HTML, PDF, Excel, Parquet and manifest.json."),
        warehouse: Path = typer.Option(None, "--warehouse", help="Warehouse DuckDB file (panel and indicators built)."),
        period: str = typer.Option(None, "--period", help="Half-year, e.g. 2026H1 (cohorts entering January-June 2026)."),
        area: int = typer.Option(None, "--area", help="Employment area code (1-46); without it the whole country."),
        lang: str = typer.Option("fi", "--lang", help="Language: fi (default), sv or en."),
        internal: bool = typer.Option(
            False, "--internal", help="Unsuppressed version for the area's own use, watermarked INTERNAL everywhere."),
        previous: Path = typer.Option(
            None, "--previous", help="Folder of the previous package: compare with its figures instead of recomputing."),
        manifest: Path = typer.Option(
            None, "--manifest", help="Rebuild the package described by this manifest.json (other options are ignored)."),
        no_pdf: bool = typer.Option(False, "--no-pdf", help="Skip the PDF (faster drafts)."),
    ) -> None:
        """Build the half-yearly data package: service paths, income and benefits, regional differences."""
        from vaikutus.reports.manifest import ManifestError
        from vaikutus.reports.output import build_package, rebuild
        from vaikutus.reports.states import WarehouseError

        try:
            if manifest is not None:
                written = rebuild(manifest, out, pdf=not no_pdf)
            else:
                if warehouse is None or period is None:
                    raise ValueError("give --warehouse and --period (or --manifest to rebuild a package)")
                written = build_package(warehouse, period, out, area=area, lang=lang, internal=internal,
                                        previous=previous, pdf=not no_pdf)
        except (ValueError, FileNotFoundError, WarehouseError, ManifestError) as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        for path in (written.html, written.pdf, written.xlsx, written.manifest):
            if path.exists():
                typer.echo(f"wrote {path}")
        typer.echo(f"wrote {len(written.parquet)} Parquet tables in {written.folder / 'tables'}")
