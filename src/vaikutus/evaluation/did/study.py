"""Run a staggered DiD from a study file's ``[did]`` table (``vaikutus evaluate STUDY.toml``).

Example::

    [study]
    method = "did"
    title = "Minimum wage and teen employment"

    [data]
    path = "mpdta.csv"

    [did]
    unit = "countyreal"
    time = "year"
    outcome = "lemp"
    group = "first.treat"          # first treated period; 0 or empty = never treated
    control = "never"              # or "notyet"
    method = "dr"                  # "dr", "ipw" or "reg"
    covariates = ["lpop"]          # optional
    base_period = "varying"        # or "universal"
    alpha = 0.05
    bootstrap = 999                # draws, or false for none
    bootstrap_weights = "mammen"   # or "rademacher"
    seed = 20240501
    aggregations = ["simple", "dynamic", "group", "calendar"]
    min_e = -5                     # optional event window for the dynamic aggregation
    max_e = 10
    balance_e = 2
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from vaikutus.evaluation.did.aggregate import KINDS
from vaikutus.evaluation.did.attgt import AttGtResult, attgt
from vaikutus.evaluation.study import StudyError

REQUIRED = ("unit", "time", "outcome", "group")
OPTIONAL = (
    "control",
    "method",
    "covariates",
    "base_period",
    "alpha",
    "bootstrap",
    "bootstrap_weights",
    "seed",
    "aggregations",
    "min_e",
    "max_e",
    "balance_e",
)


def run(study: dict[str, Any], data: pd.DataFrame) -> AttGtResult:
    """Estimate the ``[did]`` study on ``data`` and report the requested aggregations."""
    where = study.get("_path", "study")
    spec = study.get("did")
    if not isinstance(spec, dict):
        raise StudyError(f'{where}: a [did] table is required for method = "did"')
    unknown = sorted(set(spec) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise StudyError(
            f"{where}: [did] has unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(REQUIRED + OPTIONAL)}"
        )
    missing = [key for key in REQUIRED if key not in spec]
    if missing:
        raise StudyError(f"{where}: [did] needs {', '.join(missing)}")
    covariates = spec.get("covariates", [])
    if isinstance(covariates, str) or not all(isinstance(c, str) for c in covariates):
        raise StudyError(f"{where}: [did] covariates must be a list of column names")
    aggregations = spec.get("aggregations", list(KINDS))
    bootstrap = spec.get("bootstrap", 999)
    if bootstrap is False:
        bootstrap = None
    try:
        result = attgt(
            data,
            unit=spec["unit"],
            time=spec["time"],
            outcome=spec["outcome"],
            group=spec["group"],
            control=spec.get("control", "never"),
            method=spec.get("method", "dr"),
            covariates=covariates,
            base_period=spec.get("base_period", "varying"),
            alpha=spec.get("alpha", 0.05),
            bootstrap=bootstrap,
            bootstrap_weights=spec.get("bootstrap_weights", "mammen"),
            seed=spec.get("seed"),
        )
        reported = result.reporting(
            aggregations,
            min_e=spec.get("min_e"),
            max_e=spec.get("max_e"),
            balance_e=spec.get("balance_e"),
        )
        reported.aggregations()  # fail here, naming the study, if the event window is unusable
        return reported
    except ValueError as exc:
        raise StudyError(f"{where}: [did] {exc}") from exc
