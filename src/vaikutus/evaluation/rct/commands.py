"""``vaikutus trial ...``: plan, assign, enrol and analyse a randomised trial from the command line.

A trial lives in a folder with a study file ``study.toml`` (``vaikutus trial init`` writes a
commented one). Commands that take STUDY accept the folder or the file itself.
"""

import dataclasses
import functools
import inspect
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer

trial = typer.Typer(
    name="trial",
    help=(
        "Randomised trials of employment services: how many persons are needed, who gets the "
        "service (by list or as persons enrol), and what the service achieved."
    ),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(trial, name="trial")


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


# --- power, MDE and sample size --------------------------------------------------------------

_DESIGN_OPTIONS = [
    (
        "allocation",
        float,
        typer.Option(
            0.5, help="Share of persons (or clusters) assigned to the service; 0.5 = half."
        ),
    ),
    (
        "sd",
        float | None,
        typer.Option(
            None, help="Standard deviation of a numeric outcome, e.g. yearly earnings in euros."
        ),
    ),
    (
        "baseline_rate",
        float | None,
        typer.Option(
            None,
            help=(
                "For a yes/no outcome: its share in the control group, e.g. 0.15 if 15 % find "
                "work without the service."
            ),
        ),
    ),
    (
        "r2",
        float,
        typer.Option(
            0.0,
            help=(
                "Share of outcome variation explained by register background data (0-1); higher "
                "means fewer persons needed."
            ),
        ),
    ),
    (
        "icc",
        float,
        typer.Option(
            0.0,
            help=(
                "When whole caseloads or offices are randomised: how alike persons of one "
                "cluster are (intra-cluster correlation, often 0.01-0.1)."
            ),
        ),
    ),
    (
        "cluster_size",
        float,
        typer.Option(
            1.0,
            help=(
                "Persons per caseload or office when clusters are randomised; 1 = persons are "
                "randomised."
            ),
        ),
    ),
    (
        "r2_cluster",
        float | None,
        typer.Option(
            None,
            help=(
                "Share of between-cluster variation explained by background data (default: same "
                "as --r2)."
            ),
        ),
    ),
    (
        "attrition",
        float,
        typer.Option(0.0, help="Share of randomised persons whose outcome will be missing."),
    ),
    (
        "take_up",
        float,
        typer.Option(1.0, help="Share of those offered the service who actually receive it."),
    ),
    (
        "crossover",
        float,
        typer.Option(0.0, help="Share of the control group who receive the service anyway."),
    ),
    ("alpha", float, typer.Option(0.05, help="Significance level (risk of a false positive).")),
    (
        "alternative",
        str,
        typer.Option(
            "two-sided", help="'two-sided', or 'larger' if only an improvement is tested."
        ),
    ),
    (
        "distribution",
        str,
        typer.Option("t", help="'t' (as statsmodels TTestIndPower) or 'normal'."),
    ),
]


def _echo_take_up_note(design: dict[str, Any]) -> None:
    compliance = design.get("take_up", 1.0) - design.get("crossover", 0.0)
    if compliance < 1:
        typer.echo(
            f"note: effects are for persons who receive the service; the effect of the offer on "
            f"everyone assigned is {compliance:g} times as large"
        )


def _with_design_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the shared design options to a command; it receives them as one ``design`` dict."""
    names = [name for name, _, _ in _DESIGN_OPTIONS]
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "design"]
    shared = [
        inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=o, annotation=t)
        for n, t, o in _DESIGN_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        design = {name: kwargs.pop(name) for name in names}
        design = {k: v for k, v in design.items() if v is not None}
        try:
            command(design=design, **kwargs)
        except ValueError as exc:
            _fail(str(exc))
        _echo_take_up_note(design)

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + shared
    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


@trial.command("power")
@_with_design_options
def power_command(
    design: dict[str, Any],
    n: float = typer.Option(..., help="Persons to randomise, both groups together."),
    mde: float = typer.Option(
        ..., help="Effect to detect, in outcome units (euros; or 0.05 = 5 percentage points)."
    ),
) -> None:
    """How likely the trial is to show an effect of a given size (its power)."""
    from vaikutus.evaluation.rct.poweranalysis import power

    value = power(n=n, mde=mde, **design)
    typer.echo(
        f"power = {value:.4f}: with {n:g} persons an effect of {mde:g} "
        f"is found {value:.0%} of the time"
    )


@trial.command("mde")
@_with_design_options
def mde_command(
    design: dict[str, Any],
    n: float = typer.Option(..., help="Persons to randomise, both groups together."),
    power: float = typer.Option(0.8, help="Wanted chance of finding a real effect (0.8 = 80 %)."),
) -> None:
    """The smallest effect the trial can reliably show (minimum detectable effect)."""
    from vaikutus.evaluation.rct.poweranalysis import mde

    value = mde(n=n, power=power, **design)
    typer.echo(
        f"MDE = {value:.4g}: with {n:g} persons, effects of {value:.4g} or more "
        f"are found {power:.0%} of the time"
    )


@trial.command("sample-size")
@_with_design_options
def sample_size_command(
    design: dict[str, Any],
    mde: float = typer.Option(..., help="Smallest effect worth finding, in outcome units."),
    power: float = typer.Option(0.8, help="Wanted chance of finding a real effect (0.8 = 80 %)."),
) -> None:
    """How many persons must be randomised to find an effect of a given size."""
    import math

    from vaikutus.evaluation.rct.poweranalysis import sample_size

    value = sample_size(mde=mde, power=power, **design)
    size = design.get("cluster_size", 1.0)
    clusters = f" ({math.ceil(value / size)} clusters of {size:g})" if size > 1 else ""
    typer.echo(f"n = {value:.1f}: randomise at least {math.ceil(value)} persons{clusters}")


# --- study files and trial folders -----------------------------------------------------------

TEMPLATE = """\
# Study file of a randomised trial (vaikutus trial ...). Lines starting with # are comments.
[study]
method = "rct"
title = "{title}"
# registered_plan_sha256 = ""   # paste the hash printed by `vaikutus trial plan` when registering

[population]
description = "Jobseekers unemployed for 12 months or more in the chosen employment areas."
month = "2026-01-01"           # counting month for eligibility (warehouse person_month)
areas = []                     # employment area codes; empty = all
min_unemployment_days = 365
follow_up_months = 12
# assessed = 0                 # persons assessed for eligibility (CONSORT), fill in when known

# How persons get the service. Keep the seed away from staff who enrol persons.
[design]
kind = "{kind}"                # complete | stratified | cluster | blocked (enrol one by one)
allocation = 0.5               # share assigned to the service
strata = {strata}
block_sizes = [2, 4]           # blocked only: block size drawn at random per block
seed = {seed}

[power]                        # power calculation for the plan: give n (get MDE) or mde (get n)
n = 800
baseline_rate = 0.15           # or sd = ... for a numeric outcome
r2 = 0.1
attrition = 0.05
take_up = 0.8
power = 0.8

[rct]                          # the analysis fixed in the pre-analysis plan
outcomes = ["employed_followup", "earnings_followup"]
hypotheses = ["The service raises open-market employment 12 months after enrolment."]
treatment = "treatment"
take_up = "received"
covariates = ["age", "education", "unemployment_duration_days"]
strata = {strata}
multiple_testing = "holm"      # holm | bh | none
subgroups = ["sex"]
ri_draws = 2000
seed = 1

[data]                         # register extract for the analysis: one row per enrolled person
path = "outcomes.csv"

[simulation]                   # `vaikutus trial simulate`: power on the warehouse itself
outcome = "employed_followup"
effect = 0.05
sample = 800
reps = 1000
covariates = ["age", "education"]
"""


def _study_path(study: Path) -> Path:
    return study / "study.toml" if study.is_dir() else study


def _load(study: Path) -> dict[str, Any]:
    from vaikutus.evaluation.study import StudyError, load_study

    try:
        return load_study(_study_path(study))
    except StudyError as exc:
        _fail(str(exc))


STUDY_ARG = typer.Argument(..., help="Trial folder (with study.toml) or the study file itself.")
OUT_OPT = typer.Option(..., "--out", help="Folder to write the results into.")
TRIAL_OPT = typer.Option(
    ..., "--trial", help="Trial folder holding study.toml and the enrolment log."
)


@trial.command("init")
def init_command(
    folder: Path = typer.Argument(..., help="New trial folder."),
    title: str = typer.Option("Service for the long-term unemployed", help="Name of the trial."),
    kind: str = typer.Option(
        "blocked", help="complete, stratified, cluster or blocked (persons enrol one by one)."
    ),
    strata: str = typer.Option(
        "employment_area,age_group", help="Comma-separated columns that define strata."
    ),
) -> None:
    """Create a trial folder with a commented study file and a fresh secret seed."""
    target = folder / "study.toml"
    if target.exists():
        _fail(f"{target} already exists; not overwriting it")
    folder.mkdir(parents=True, exist_ok=True)
    columns = [c.strip() for c in strata.split(",") if c.strip()]
    target.write_text(
        TEMPLATE.format(
            title=title, kind=kind, strata=json.dumps(columns), seed=secrets.randbits(62)
        ),
        encoding="utf-8",
    )
    typer.echo(f"wrote {target}; edit it, then run `vaikutus trial plan {folder} --out {folder}`")


@trial.command("plan")
def plan_command(study: Path = STUDY_ARG, out: Path = OUT_OPT) -> None:
    """Write the pre-analysis plan (Markdown and PDF) with its hash, for registration."""
    from vaikutus.evaluation.rct.plan import pre_analysis_plan

    try:
        plan = pre_analysis_plan(_load(study))
    except ValueError as exc:
        _fail(str(exc))
    for path in plan.write(out):
        typer.echo(f"wrote {path}")
    typer.echo(f"plan hash (sha256): {plan.sha256}")


@trial.command("assign")
def assign_command(
    persons: Path = typer.Argument(..., help="CSV list of persons to randomise, one row each."),
    study: Path = typer.Option(
        ..., "--study", help="Trial folder or study file whose [design] says how to assign."
    ),
    out: Path = OUT_OPT,
    id_column: str = typer.Option("person_id", help="Column holding the person (or unit) id."),
    balance: str = typer.Option("", help="Comma-separated columns to compare between the groups."),
) -> None:
    """Randomise a ready list: writes assignment.csv, a verifiable log and a balance check."""
    import hashlib

    import pandas as pd

    from vaikutus.evaluation.outputs import to_jsonable
    from vaikutus.evaluation.rct.balance import balance_figure, balance_table, joint_balance_pvalue
    from vaikutus.evaluation.rct.chain import write_jsonl
    from vaikutus.evaluation.rct.randomise import RandomisationDesign, assign, assignment_log

    spec = _load(study)
    if not persons.exists():
        _fail(f"{persons} does not exist")
    try:
        design = RandomisationDesign.from_table(spec.get("design", {}), f"{spec['_path']} [design]")
        frame = pd.read_csv(persons, dtype={id_column: str})
        assigned = assign(frame, design, id_column=id_column)
        columns = [c.strip() for c in balance.split(",") if c.strip()]
        table = balance_table(assigned, "treatment", columns) if columns else None
    except ValueError as exc:
        _fail(f"{persons}: {exc}")
    out.mkdir(parents=True, exist_ok=True)
    assigned.to_csv(out / "assignment.csv", index=False)
    source = hashlib.sha256(persons.read_bytes()).hexdigest()
    records = assignment_log(assigned, design, id_column=id_column, source_sha256=source)
    write_jsonl(records, out / "assignment_log.jsonl")
    counts = assigned["arm"].value_counts().to_dict()
    typer.echo(f"assigned {len(assigned)} persons: {counts}")
    typer.echo(
        f"wrote {out / 'assignment.csv'} and {out / 'assignment_log.jsonl'} "
        f"(head {records[-1].hash})"
    )
    if table is not None:
        table.to_csv(out / "balance.csv", index=False)
        balance_figure(table).savefig(out / "balance.png", dpi=150, bbox_inches="tight")
        joint = joint_balance_pvalue(assigned, "treatment", columns)
        (out / "balance.json").write_text(
            json.dumps(to_jsonable({"joint_p": joint, "table": table}), indent=2)
        )
        typer.echo(
            f"balance: largest |std. difference| {table['std_difference'].abs().max():.3f}, "
            f"joint p = {joint:.3f}"
        )


@trial.command("serve")
def serve_command(
    trial_dir: Path = TRIAL_OPT,
    port: int = typer.Option(8000, help="Port to listen on."),
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on (127.0.0.1 = this machine only)."
    ),
) -> None:
    """Run the enrolment service: POST /enrol assigns each newly enrolled person."""
    import uvicorn

    from vaikutus.evaluation.rct.enrolment import EnrolmentError
    from vaikutus.evaluation.rct.service import create_app

    try:
        app = create_app(trial_dir)
    except EnrolmentError as exc:
        _fail(str(exc))
    uvicorn.run(app, host=host, port=port, log_level="warning")


@trial.command("enrol")
def enrol_command(
    trial_dir: Path = TRIAL_OPT,
    person: str = typer.Option(
        ..., "--person", help="Pseudonymous id of the person being enrolled."
    ),
    stratum: list[str] = typer.Option(
        [], "--stratum", help="Stratum value as column=value; repeat for each stratum column."
    ),
) -> None:
    """Enrol one person and print the group they were assigned to (and the log receipt)."""
    from vaikutus.evaluation.rct.enrolment import EnrolmentError, open_trial

    values = {}
    for item in stratum:
        column, sep, value = item.partition("=")
        if not sep:
            _fail(f"--stratum {item!r} must look like column=value")
        values[column.strip()] = value.strip()
    try:
        result = open_trial(trial_dir).enrol(person, values)
    except EnrolmentError as exc:
        _fail(str(exc))
    again = " (already enrolled earlier; same assignment)" if result.already_enrolled else ""
    typer.echo(f"{result.person_id}: {result.arm}{again}")
    typer.echo(f"receipt: {result.hash}")


@trial.command("export")
def export_command(
    trial_dir: Path = TRIAL_OPT,
    out: Path = typer.Option(..., "--out", help="CSV file for the enrolled persons."),
) -> None:
    """Export the enrolled persons and their groups as CSV (after verifying the log)."""
    from vaikutus.evaluation.rct.enrolment import EnrolmentError, open_trial

    try:
        store = open_trial(trial_dir)
    except EnrolmentError as exc:
        _fail(str(exc))
    check = store.verify()
    if not check.ok:
        _fail(check.summary())
    store.frame().to_csv(out, index=False)
    typer.echo(f"wrote {out} ({check.entries} persons, log head {check.head})")


@trial.command("verify-log")
def verify_log_command(
    log: Path = typer.Argument(
        ..., help="Trial folder (enrolment log) or an assignment_log.jsonl file."
    ),
    expected_head: str | None = typer.Option(
        None, help="Last receipt hash you hold; detects a cut-off log."
    ),
) -> None:
    """Check that no entry of the assignment log was changed, removed or reordered."""
    from vaikutus.evaluation.rct.enrolment import EnrolmentError, verify_log

    try:
        check = verify_log(log, expected_head)
    except (EnrolmentError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(check.summary())
    if not check.ok:
        raise typer.Exit(1)


@trial.command("analyse")
def analyse_command(study: Path = STUDY_ARG, out: Path = OUT_OPT) -> None:
    """Analyse the completed trial as the plan says; writes result.json, figures and report.html."""
    from vaikutus.evaluation.study import StudyError, run_study

    try:
        written = run_study(_study_path(study), out)
    except StudyError as exc:
        _fail(str(exc))
    typer.echo(f"wrote {written.result_json}")
    typer.echo(f"wrote {written.report_html}")


@trial.command("consort")
def consort_command(study: Path = STUDY_ARG, out: Path = OUT_OPT) -> None:
    """Draw the CONSORT flow diagram (assessed, randomised, received, lost, analysed)."""
    from vaikutus.evaluation.outputs import to_jsonable
    from vaikutus.evaluation.rct.study import prepare
    from vaikutus.evaluation.study import StudyError, load_data

    spec = _load(study)
    try:
        flow = prepare(spec, load_data(spec)).consort
    except StudyError as exc:
        _fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    figure = flow.figure()
    for suffix in ("png", "svg"):
        figure.savefig(out / f"consort.{suffix}", dpi=150, bbox_inches="tight")
    (out / "consort.json").write_text(json.dumps(to_jsonable(flow.to_dict()), indent=2))
    typer.echo(flow.to_frame().to_string(index=False))
    typer.echo(f"wrote {out / 'consort.png'}, consort.svg, consort.json")


@trial.command("simulate")
def simulate_command(
    study: Path = STUDY_ARG,
    warehouse: Path = typer.Option(
        ..., "--warehouse", help="Warehouse DuckDB file with the person_month table."
    ),
    out: Path = OUT_OPT,
) -> None:
    """Estimate power by simulating the trial many times on the register population."""
    from vaikutus.evaluation.outputs import write_outputs
    from vaikutus.evaluation.rct.eligibility import population
    from vaikutus.evaluation.rct.randomise import RandomisationDesign
    from vaikutus.evaluation.rct.simulation import simulate

    spec = _load(study)
    where = spec["_path"]
    settings = dict(spec.get("simulation", {}))
    rules = spec.get("population", {})
    try:
        if "outcome" not in settings or "effect" not in settings:
            raise ValueError("[simulation] needs `outcome` and `effect`")
        design = RandomisationDesign.from_table(spec.get("design", {}), f"{where} [design]")
        if (
            design.kind == "blocked"
        ):  # random block sizes are simulated with the largest (least balanced)
            design = dataclasses.replace(design, block_sizes=(max(design.block_sizes),))
        frame = population(
            warehouse,
            month=rules.get("month", ""),
            areas=rules.get("areas") or None,
            min_unemployment_days=rules.get("min_unemployment_days", 365),
            follow_up_months=rules.get("follow_up_months", 12),
        )
        result = simulate(
            frame,
            design,
            **{k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()},
        )
    except (ValueError, TypeError, FileNotFoundError) as exc:
        _fail(f"{where}: {exc}")
    written = write_outputs(result, out, title=f"Simulated power: {spec['study'].get('title', '')}")
    typer.echo(result.summary())
    typer.echo(f"wrote {written.result_json}")
