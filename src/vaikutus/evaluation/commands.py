"""CLI commands of the evaluation stage."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        study: Path = typer.Argument(..., help="Study file (TOML) declaring method, data and options."),
        out: Path = typer.Option(..., "--out", help="Folder for result.json, figures and report.html."),
    ) -> None:
        """Run an evaluation study (synthetic control, DiD, individual-level or trial analysis)."""
        from vaikutus.evaluation.study import StudyError, run_study

        try:
            written = run_study(study, out)
        except StudyError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"wrote {written.result_json}")
        typer.echo(f"wrote {written.report_html}")
        for png, svg in written.figures.values():
            typer.echo(f"wrote {png.name}, {svg.name}")
