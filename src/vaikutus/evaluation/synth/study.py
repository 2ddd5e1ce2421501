"""Run a synthetic-control study from a study file's ``[synth]`` and ``[inference]`` tables.

Example (the California Proposition 99 study of Abadie, Diamond & Hainmueller 2010)::

    [study]
    method = "synth"
    title = "California Proposition 99"

    [data]
    path = "prop99_smoking.csv"

    [synth]
    unit = "state"
    time = "year"
    outcome = "cigsale"
    treated = "California"          # or a list; several units are fitted one by one and pooled
    start = 1989                    # or {"Unit A" = 2019, "Unit B" = 2020} for staggered starts
    method = "classic"              # classic, demeaned, penalized, augmented, sdid
    v = "optimize"                  # optimize, equal, regression, or a list of weights
    donors = ["Utah", "Nevada"]     # optional; default: every never-treated unit
    predictors = [
      {column = "lnincome", periods = [1980, 1988], aggregation = "mean"},
      {column = "beer", periods = [1984, 1988]},
      {column = "cigsale", periods = 1975},
    ]
    # penalty = 0.1 (penalized), ridge = 5.0 (augmented), seed = 0

    [inference]
    placebo = true                  # in-space placebos and their rank p-value
    prune = 5.0                     # also report p over placebos with pre-MSPE <= 5 x treated
    conformal = 0.1                 # alpha for conformal intervals, or false
    se = "auto"                     # SDID standard error: auto, placebo, jackknife, none
    replications = 200

``periods`` is one period, ``[from, to]`` (every period from ``from`` to ``to`` inclusive) or a
list of three or more periods; left out, the predictor is averaged over the whole pre-period.
Leaving out ``predictors`` matches every pre-period outcome.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from vaikutus.evaluation.study import StudyError
from vaikutus.evaluation.synth.panel import SynthInputError
from vaikutus.evaluation.synth.result import fit

SYNTH_KEYS = ("unit", "time", "outcome", "treated", "start")
SYNTH_OPTIONAL = ("predictors", "donors", "method", "v", "penalty", "ridge", "seed")
INFERENCE_KEYS = ("placebo", "prune", "conformal", "se", "replications")
PREDICTOR_KEYS = ("column", "periods", "aggregation")


def run(study: dict[str, Any], data: pd.DataFrame):
    """Fit the ``[synth]`` study on ``data``; run the inference asked for in ``[inference]``."""
    where = study.get("_path", "study")
    spec = study.get("synth")
    if not isinstance(spec, dict):
        raise StudyError(f'{where}: a [synth] table is required for method = "synth"')
    _check_keys(where, "[synth]", spec, SYNTH_KEYS, SYNTH_OPTIONAL)
    inference = study.get("inference", {})
    if not isinstance(inference, dict):
        raise StudyError(f"{where}: [inference] must be a table")
    _check_keys(where, "[inference]", inference, (), INFERENCE_KEYS)
    if spec["time"] not in data.columns:
        raise StudyError(f"{where}: [synth] time column {spec['time']!r} is not in the data")
    times = pd.Index(pd.Series(data[spec["time"]]).dropna().unique()).sort_values()
    predictors = spec.get("predictors")
    conformal = inference.get("conformal", False)
    try:
        return fit(
            data,
            unit=spec["unit"],
            time=spec["time"],
            outcome=spec["outcome"],
            treated=spec["treated"],
            start=spec["start"],
            predictors=None if predictors is None else _predictors(where, predictors, times),
            donors=spec.get("donors"),
            method=spec.get("method", "classic"),
            v=spec.get("v", "optimize"),
            penalty=spec.get("penalty"),
            ridge=spec.get("ridge"),
            seed=int(spec.get("seed", 0)),
            placebo=bool(inference.get("placebo", False)),
            prune=float(inference.get("prune", 5.0)),
            conformal=None if conformal is False else float(conformal),
            se=inference.get("se", "auto"),
            replications=int(inference.get("replications", 200)),
        )
    except SynthInputError as exc:
        raise StudyError(f"{where}: [synth] {exc}") from exc


def _check_keys(where: str, table: str, given: dict, required: tuple, optional: tuple) -> None:
    unknown = sorted(set(given) - set(required) - set(optional))
    if unknown:
        raise StudyError(
            f"{where}: {table} has unknown key(s) {', '.join(unknown)}; allowed: "
            f"{', '.join(required + optional)}"
        )
    missing = [key for key in required if key not in given]
    if missing:
        raise StudyError(f"{where}: {table} needs {', '.join(missing)}")


def _predictors(where: str, tables: Any, times: pd.Index) -> list[tuple]:
    if not isinstance(tables, list) or not tables:
        raise StudyError(f"{where}: [synth] predictors must be a non-empty list of tables")
    specs = []
    for position, table in enumerate(tables, start=1):
        label = f"[synth] predictors[{position}]"
        if not isinstance(table, dict) or "column" not in table:
            raise StudyError(f"{where}: {label} must be a table with at least `column`")
        _check_keys(where, label, table, ("column",), ("periods", "aggregation"))
        periods = table.get("periods")
        if isinstance(periods, list) and len(periods) == 2:
            periods = _between(where, label, times, *periods)
        specs.append((table["column"], periods, table.get("aggregation", "mean")))
    return specs


def _between(where: str, label: str, times: pd.Index, first: Any, last: Any) -> list:
    """Every period of the panel from ``first`` to ``last`` inclusive."""
    if isinstance(times, pd.DatetimeIndex):
        first, last = pd.Timestamp(first), pd.Timestamp(last)
    selected = times[(times >= first) & (times <= last)]
    if selected.empty:
        raise StudyError(
            f"{where}: {label} periods [{first}, {last}] contain no period of the data"
        )
    return selected.tolist()
