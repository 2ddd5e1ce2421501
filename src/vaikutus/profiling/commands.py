"""``vaikutus profile ...``: train, score with, audit and segment by the employment-chance model."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

profile = typer.Typer(
    name="profile",
    help=(
        "Client segmentation and employment-chance model: estimate from register data how likely a "
        "client is to find an open-market job, why, and which segment they belong to. The estimates "
        "support, and never replace, the caseworker's judgement."
    ),
    no_args_is_help=True,
)

WAREHOUSE = typer.Option(
    ...,
    "--warehouse",
    help="Warehouse file (DuckDB) after `vaikutus import` and `vaikutus build-panel`.",
)
MODEL = typer.Option(..., "--model", help="Model folder written by `vaikutus profile train`.")


def register(app: typer.Typer) -> None:
    app.add_typer(profile, name="profile")


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


def _handled():
    """The errors a user can fix, shown as one line instead of a traceback."""
    from vaikutus.profiling.baseline import WarehouseError
    from vaikutus.profiling.features import BaselineError
    from vaikutus.profiling.model import ModelFileError

    return (WarehouseError, BaselineError, ModelFileError, ValueError, FileNotFoundError)


@profile.command("train")
def train_command(
    warehouse: Path = WAREHOUSE,
    out: Path = typer.Option(
        ..., "--out", help="Folder for the model (model.txt, model.json) and model_card.html."
    ),
    target: int = typer.Option(
        12, "--target", help="Outcome horizon: an open-market job within 6 or 12 months."
    ),
    exclude: str = typer.Option(
        "",
        "--exclude",
        help="Comma-separated baseline variables to leave out, e.g. sex,native_language. "
        "Sensitive ones: age, sex, native_language, citizenship, partial_work_ability.",
    ),
    compare_exclusions: bool = typer.Option(
        True,
        "--compare-exclusions/--no-compare-exclusions",
        help="Also retrain without each sensitive variable and show the cost in accuracy (slower).",
    ),
    max_trees: int = typer.Option(
        600,
        "--max-trees",
        help="Upper limit of boosting rounds; early stopping on the validation cohorts picks fewer.",
    ),
    threads: int = typer.Option(1, "--threads", help="CPU threads for LightGBM."),
) -> None:
    """Train on earlier start cohorts, test on the latest, audit fairness and write the model card."""
    from vaikutus.profiling.model import TrainSettings
    from vaikutus.profiling.workflow import CARD_FILE, train_model

    try:
        settings = TrainSettings(
            target_months=target,
            threads=threads,
            num_trees=max_trees,
            exclude=tuple(name.strip() for name in exclude.split(",") if name.strip()),
        )
        model = train_model(warehouse, out, settings, compare=compare_exclusions)
    except _handled() as exc:
        _fail(str(exc))
    typer.echo(model.summary())
    typer.echo(f"wrote {out / 'model.json'}, {out / 'model.txt'}, {out / CARD_FILE}")


@profile.command("score")
def score_command(
    model: Path = MODEL,
    input: Path = typer.Option(
        ...,
        "--input",
        help="CSV with one row per client and the baseline columns of the model card (person_id optional).",
    ),
    out: Path = typer.Option(
        ..., "--out", help="CSV to write: the input plus estimate, segment and main factors."
    ),
    language: str = typer.Option(
        "fi", "--language", help="Language of segment names and factors: fi, sv or en."
    ),
) -> None:
    """Estimate the chance, segment and the factors behind it for each client in a CSV file.

    A missing or invalid baseline value stops the run with the row and column named; nothing is
    filled in.
    """
    from vaikutus.profiling.workflow import score_file

    try:
        result = score_file(model, input, out, language)
    except _handled() as exc:
        _fail(str(exc))
    typer.echo(f"scored {len(result)} rows; wrote {out}")


@profile.command("audit")
def audit_command(
    model: Path = MODEL,
    warehouse: Path = WAREHOUSE,
    out: Path = typer.Option(
        ..., "--out", help="Folder for fairness.csv, report.html, figures and exclusions."
    ),
    latest: bool = typer.Option(
        False,
        "--latest",
        help="Audit the latest 12 start months with known outcomes instead of the model's test months.",
    ),
    compare_exclusions: bool = typer.Option(
        True,
        "--compare-exclusions/--no-compare-exclusions",
        help="Retrain without each sensitive variable and compare accuracy and group calibration.",
    ),
) -> None:
    """Fairness audit: calibration, AUC and error rates by sex, age, language, citizenship and region."""
    from vaikutus.profiling.workflow import audit_model

    try:
        written = audit_model(model, warehouse, out, latest=latest, compare=compare_exclusions)
    except _handled() as exc:
        _fail(str(exc))
    typer.echo(written.audit.summary())
    typer.echo(f"wrote {out}")


@profile.command("segments")
def segments_command(
    model: Path = MODEL,
    warehouse: Path = WAREHOUSE,
    out: Path = typer.Option(
        ...,
        "--out",
        help="Folder for segments.csv, segment_profiles.csv, follow_up.csv and reports.",
    ),
    store: bool = typer.Option(
        True,
        "--store/--no-store",
        help="Also write the profiling tables (segment_profiles, segment_follow_up, "
        "segment_definitions, profiling_model, ...) into the warehouse for the portal's internal view.",
    ),
) -> None:
    """Segment every start, profile the segments and follow service paths (milestones, Kykyviisari)."""
    from vaikutus.profiling.workflow import segment_warehouse

    try:
        written = segment_warehouse(model, warehouse, out, store=store)
    except _handled() as exc:
        _fail(str(exc))
    typer.echo(written.summary())
    typer.echo(f"wrote {out}")
