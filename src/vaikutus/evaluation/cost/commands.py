"""``vaikutus cost ...``: cost parameters and cost-effectiveness of an estimated service effect.

``vaikutus cost params`` lists the parameters of a year with their sources and verified flags;
``vaikutus cost analyse RESULT.json --out DIR`` reads the ``result.json`` of an individual-level
service study (``vaikutus evaluate`` with a ``[design]`` table) and writes the cost analysis
(result.json, tornado and simulation figures, report.html), optionally with an outcome-based
payment (``--price-per-month``).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

cost = typer.Typer(
    name="cost",
    help="Cost-effectiveness of employment services: fiscal effects, municipal share, "
    "outcome-based payments.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(cost, name="cost")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@cost.command("params")
def params(
    year: int = typer.Option(
        2025, help="Analysis year: the latest parameter file of each kind up to it."
    ),
    directory: Path | None = typer.Option(
        None, help="Folder of parameter files (default: shipped)."
    ),
) -> None:
    """List cost parameters with unit, source and whether the value was verified."""
    from vaikutus.evaluation.cost import load_parameters

    try:
        loaded = load_parameters(year, directory)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(f"parameters for {year}: {', '.join(loaded.files)}")
    for row in loaded.table():
        flag = "verified" if row["verified"] else "UNVERIFIED [K]"
        typer.echo(
            f"{row['kind']:<18} {row['name']:<34} {row['value']!s:<22} {row['unit']:<24} {flag}"
        )
        typer.echo(f"{'':<18} source: {row['source']}")
    for note in loaded.notes:
        typer.echo(f"note: {note}")


@cost.command("analyse")
def analyse(
    result: Path = typer.Argument(..., help="result.json of an individual-level service study."),
    out: Path = typer.Option(..., "--out", help="Folder for the cost result, figures and report."),
    year: int = typer.Option(2025, help="Parameter year."),
    directory: Path | None = typer.Option(
        None, help="Folder of parameter files (default: shipped)."
    ),
    cost_source: str = typer.Option(
        "register", help="'register' (recorded spell costs) or 'unit_cost'."
    ),
    draws: int = typer.Option(
        10_000, help="Simulation draws from the effects' sampling distribution."
    ),
    seed: int = typer.Option(0, help="Seed of the simulation."),
    price_per_month: float | None = typer.Option(
        None, help="Outcome-based contract: EUR per verified employment month above the baseline."
    ),
    baseline: str = typer.Option("estimated", help="'estimated' counterfactual or fixed months."),
    pay_on: str = typer.Option("estimate", help="'estimate' or 'lower_bound' of the effect."),
    cap: float | None = typer.Option(None, help="Maximum total payment (EUR)."),
) -> None:
    """Cost-effectiveness (and optional outcome-based payment) of an estimated service effect."""
    from vaikutus.evaluation.cost import Contract, EffectInputs, load_parameters, outcome_payment
    from vaikutus.evaluation.cost import analyse as run_analysis
    from vaikutus.evaluation.outputs import write_outputs

    if not result.exists():
        _fail(f"{result} does not exist")
    try:
        payload = json.loads(result.read_text(encoding="utf-8"))
        inputs = EffectInputs.from_dict(payload)
        loaded = load_parameters(year, directory)
        analysis = run_analysis(inputs, loaded, draws=draws, seed=seed, cost_source=cost_source)
        if price_per_month is not None:
            fixed = baseline if baseline == "estimated" else float(baseline)
            contract = Contract(
                price_per_month=price_per_month, baseline=fixed, cap=cap, pay_on=pay_on
            )
            analysis = analysis.with_payment(outcome_payment(inputs, contract, seed=seed))
    except (ValueError, KeyError, FileNotFoundError, json.JSONDecodeError) as exc:
        _fail(f"{result}: {exc}")
    written = write_outputs(analysis, out, title=f"Cost-effectiveness of {inputs.service}")
    typer.echo(analysis.summary())
    typer.echo(f"wrote {written.result_json}")
    typer.echo(f"wrote {written.report_html}")
