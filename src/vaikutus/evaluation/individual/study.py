"""Run an individual-level study file (``vaikutus evaluate STUDY.toml`` with
``[study] method = "individual"``).

Two shapes:

1. **Tidy data** - ``[data]`` points at a table with one row per unit, ``[individual]`` names
   the columns::

       [study]
       method = "individual"
       title = "NSW training programme, CPS comparisons"

       [data]
       path = "nsw_cps.csv"

       [individual]
       treatment = "treat"
       outcome = ["re78"]                # one or more columns
       covariates = ["age", "educ", "re74", "re75"]
       method = "match"                  # match | ipw | aipw | dml
       estimand = "att"                  # att | ate
       subgroups = ["black"]             # optional
       trim = "common_support"           # or a Crump threshold such as 0.1, or "none"
       caliper = 0.2                     # match: in SDs of the logit score; "none" for no caliper
       neighbours = 1                    # match
       exact = []                        # match: columns to match exactly on
       bias_adjust = false               # match
       learner = "lightgbm"              # dml: lightgbm | forest | linear
       folds = 5                         # dml
       alpha = 0.05
       seed = 0

2. **Service design from the warehouse** - ``[design]`` builds the dynamic entry design
   (:mod:`.design`) and the effects are estimated month by month; ``[data]`` then names only the
   warehouse (``warehouse = "demo.duckdb"``, the ``table`` key is not needed)::

       [design]
       service = "wage_subsidy"
       horizon = 36
       comparison = "not_entering"       # or "still_unemployed"
       control_fraction = 0.25           # optional thinning of comparison rows
       entry_from = "2016-01"            # optional
       entry_to = "2022-12"              # optional

       [individual]
       method = "aipw"                   # the estimator options of shape 1, without column names

   An optional ``[cost]`` table then adds the cost-effectiveness analysis of the estimated
   effects (:mod:`vaikutus.evaluation.cost`)::

       [cost]
       year = 2025                        # parameter files to use
       cost_source = "register"           # or "unit_cost"
       draws = 10000
       overrides = { discount_rate = 0.02 }

       [cost.payment]                     # optional outcome-based contract
       price_per_month = 500
       baseline = "estimated"             # or a fixed number of months per participant
       pay_on = "estimate"                # or "lower_bound"
       cap = 1_000_000

The study module receives ``data`` already loaded by ``vaikutus.evaluation.study``; for the
service design it ignores it and reads the warehouse itself (several tables are needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from vaikutus.evaluation.individual.estimate import estimate
from vaikutus.evaluation.study import StudyError, load_data

ESTIMATOR_KEYS = (
    "method",
    "estimand",
    "subgroups",
    "trim",
    "caliper",
    "neighbours",
    "exact",
    "bias_adjust",
    "learner",
    "folds",
    "alpha",
    "seed",
)
COLUMN_KEYS = ("treatment", "outcome", "covariates")
DESIGN_KEYS = (
    "service",
    "horizon",
    "history_months",
    "entry_from",
    "entry_to",
    "comparison",
    "control_fraction",
    "seed",
    "eligible_statuses",
)
COST_KEYS = ("year", "cost_source", "draws", "seed", "overrides", "payment", "parameter_directory")


def _options(spec: dict[str, Any]) -> dict[str, Any]:
    options = {k: spec[k] for k in ESTIMATOR_KEYS if k in spec}
    for key in ("trim", "caliper"):
        if options.get(key) == "none":
            options[key] = None
    return options


def _check_keys(where: str, table: str, spec: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise StudyError(
            f"{where}: [{table}] has unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(allowed)}"
        )


def load_study_data(study: dict[str, Any]) -> pd.DataFrame:
    """Study data for tidy studies; an empty frame for warehouse service designs."""
    return pd.DataFrame() if "design" in study else load_data(study)


def run(study: dict[str, Any], data: pd.DataFrame):
    """Estimate the study; returns an EffectResult, ServiceEffects or ServiceEvaluation."""
    where = study.get("_path", "study")
    spec = study.get("individual", {})
    if not isinstance(spec, dict):
        raise StudyError(f"{where}: [individual] must be a table")
    try:
        if "design" in study:
            return _run_design(study, spec, where)
        _check_keys(where, "individual", spec, ESTIMATOR_KEYS + COLUMN_KEYS)
        missing = [k for k in COLUMN_KEYS if k not in spec]
        if missing:
            raise StudyError(
                f"{where}: [individual] needs {', '.join(missing)} (or a [design] table)"
            )
        if "cost" in study:
            raise StudyError(
                f"{where}: [cost] needs a [design] study (effects by month since entry)"
            )
        return estimate(
            data,
            treatment=spec["treatment"],
            outcome=spec["outcome"],
            covariates=spec["covariates"],
            **_options(spec),
        )
    except (ValueError, KeyError, FileNotFoundError) as exc:
        if isinstance(exc, StudyError):
            raise
        raise StudyError(f"{where}: {exc}") from exc


def _run_design(study: dict[str, Any], spec: dict[str, Any], where: str):
    from vaikutus.evaluation.individual.design import build_design

    design_spec = study["design"]
    _check_keys(where, "design", design_spec, DESIGN_KEYS)
    _check_keys(where, "individual", spec, ESTIMATOR_KEYS)
    warehouse = study.get("data", {}).get("warehouse")
    if not warehouse:
        raise StudyError(f'{where}: a [design] study needs [data] warehouse = "FILE.duckdb"')
    path = (Path(study["_base_dir"]) / warehouse).resolve()
    options = dict(design_spec)
    if "eligible_statuses" in options:
        options["eligible_statuses"] = tuple(options["eligible_statuses"])
    design = build_design(path, **options)
    effects = design.evaluate(**_options(spec))
    if "cost" not in study:
        return effects
    return ServiceEvaluation(effects=effects, cost=_run_cost(study["cost"], effects, where))


def _run_cost(spec: dict[str, Any], effects, where: str):
    from vaikutus.evaluation.cost import (
        Contract,
        EffectInputs,
        analyse,
        load_parameters,
        outcome_payment,
    )

    _check_keys(where, "cost", spec, COST_KEYS)
    params = load_parameters(
        int(spec.get("year", 2025)),
        spec.get("parameter_directory"),
        overrides=spec.get("overrides"),
    )
    inputs = EffectInputs.from_effects(effects)
    result = analyse(
        inputs,
        params,
        draws=int(spec.get("draws", 10_000)),
        seed=int(spec.get("seed", 0)),
        cost_source=spec.get("cost_source", "register"),
    )
    if "payment" in spec:
        result = result.with_payment(
            outcome_payment(inputs, Contract(**spec["payment"]), seed=int(spec.get("seed", 0)))
        )
    return result


@dataclass(frozen=True, eq=False)
class ServiceEvaluation:
    """A service's effects and their cost-effectiveness, reported together."""

    effects: Any  # ServiceEffects
    cost: Any  # CostResult

    def summary(self) -> str:
        return self.effects.summary() + "\n\n" + self.cost.summary()

    def to_frame(self) -> pd.DataFrame:
        return self.effects.to_frame()

    def to_dict(self) -> dict[str, Any]:
        return {**self.effects.to_dict(), "cost": self.cost.to_dict()}

    def figures(self) -> dict[str, Any]:
        figures = self.effects.figures()
        figures.update({f"cost_{name}": fig for name, fig in self.cost.figures().items()})
        return figures

    def plot(self):
        return self.effects.plot()
