"""Randomised trials of services for the long-term unemployed: design, assignment and analysis.

Design: :func:`power`, :func:`mde`, :func:`sample_size` (closed forms, individual and cluster
randomisation) and :func:`simulate` (simulation on register data from :func:`population`);
:func:`pre_analysis_plan` seals the plan with a hash.
Assignment: :func:`assign` for batch lists (complete, stratified, cluster) and
:class:`EnrolmentStore` / :mod:`.service` for on-arrival permuted blocks with a hash-chained log
(:func:`verify_log`); :func:`balance_table` checks the result.
Analysis: :func:`analyse` (Lin's ITT, 2SLS complier effects, randomisation inference, Holm / BH,
subgroups) and :func:`consort_flow`; study files run through ``vaikutus evaluate`` or
``vaikutus trial analyse``.

Names are imported on first use, so the enrolment service and the CLI start without loading
statsmodels or WeasyPrint.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TrialResult": "analysis",
    "TrialSpec": "analysis",
    "analyse": "analysis",
    "balance_figure": "balance",
    "balance_table": "balance",
    "ConsortFlow": "consort",
    "consort_flow": "consort",
    "EnrolmentStore": "enrolment",
    "open_trial": "enrolment",
    "verify_log": "enrolment",
    "complier_effect": "estimators",
    "lin_itt": "estimators",
    "randomisation_test": "estimators",
    "subgroup_effects": "estimators",
    "PreAnalysisPlan": "plan",
    "pre_analysis_plan": "plan",
    "population": "eligibility",
    "PowerDesign": "poweranalysis",
    "mde": "poweranalysis",
    "power": "poweranalysis",
    "sample_size": "poweranalysis",
    "RandomisationDesign": "randomise",
    "assign": "randomise",
    "SimulationResult": "simulation",
    "simulate": "simulation",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
