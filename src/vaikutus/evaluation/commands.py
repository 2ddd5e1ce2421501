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

    @app.command("evaluate-trials")
    def evaluate_trials(
        warehouse: Path = typer.Option(..., "--warehouse", help="Warehouse with person_month and labour_force."),
        out: Path | None = typer.Option(None, "--out", help="Also write result.json, figures and report.html here."),
        alpha: float = typer.Option(0.05, help="Test level; intervals and placebo bands are 1 - alpha."),
        store: bool = typer.Option(True, "--store/--no-store", help="Store the results for the portal."),
        ground_truth: Path | None = typer.Option(
            None, "--ground-truth", help="A synthetic register's ground_truth.json to compare with."
        ),
    ) -> None:
        """Evaluate every 2021 trial area: synthetic control, placebo p-values, pooled effect, DiD."""
        from vaikutus.evaluation.outputs import write_outputs
        from vaikutus.evaluation.trials import evaluate_trial_areas, store_evaluation
        from vaikutus.evaluation.trials.panel import TrialPanelError
        from vaikutus.evaluation.trials.truth import (
            compare_with_truth,
            coverage_line,
            injected_effects,
            load_ground_truth,
        )
        from vaikutus.warehouse import connect

        if not warehouse.exists():
            typer.secho(f"error: warehouse {warehouse} does not exist", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        truth = load_ground_truth(ground_truth) if ground_truth else None
        con = connect(warehouse)
        try:
            evaluation = evaluate_trial_areas(con, alpha=alpha)
        except (TrialPanelError, ValueError) as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        typer.echo(evaluation.summary())
        injected = None
        if truth is not None:
            comparison = compare_with_truth(evaluation, truth)
            typer.echo(comparison.round(3).to_string(index=False))
            typer.echo(coverage_line(comparison, alpha))
            injected = injected_effects(truth).set_index("unit")["truth_pp"].to_dict()
        if store:
            rows = store_evaluation(con, evaluation, truth=injected)
            typer.echo(f"stored {rows} rows in evaluation_results of {warehouse}")
        con.disconnect()
        if out is not None:
            written = write_outputs(evaluation, out, title="Evaluation of the 2021 trial areas")
            typer.echo(f"wrote {written.result_json} and {written.report_html}")
