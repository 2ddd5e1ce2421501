"""Individual-level evaluation of employment services under selection on observables.

``estimate(data, treatment=, outcome=, covariates=, method="match" | "ipw" | "aipw" | "dml",
estimand="att" | "ate")`` returns an :class:`EffectResult` with ``.estimate``, ``.se``, ``.ci``,
every outcome's effect, subgroup effects and diagnostics (overlap, trimming, balance, E-values,
Rosenbaum bounds for matching). ``build_design(warehouse, service=...)`` turns the
warehouse into a dynamic (Sianesi-style) entry design: who entered a service in which month of an
unemployment spell, compared with the jobseekers unemployed at the same time who did not enter it
then, with pre-entry histories as confounders and outcomes for 36 months after entry;
``ServiceDesign.evaluate(method=...)`` estimates the month-by-month effects.
``study.run`` runs a ``[study] method = "individual"`` study file.
"""

from vaikutus.evaluation.individual.design import ServiceDesign, build_design
from vaikutus.evaluation.individual.dynamic import ServiceEffects
from vaikutus.evaluation.individual.estimate import ESTIMANDS, METHODS, estimate
from vaikutus.evaluation.individual.result import Diagnostics, EffectResult, Settings
from vaikutus.evaluation.individual.sensitivity import e_value_from_ratio, rosenbaum_bounds

__all__ = [
    "ESTIMANDS",
    "METHODS",
    "Diagnostics",
    "EffectResult",
    "ServiceDesign",
    "ServiceEffects",
    "Settings",
    "build_design",
    "e_value_from_ratio",
    "estimate",
    "rosenbaum_bounds",
]
