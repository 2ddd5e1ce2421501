"""Staggered difference-in-differences: Callaway & Sant'Anna (2021) with a TWFE comparison.

``attgt(panel, unit=, time=, outcome=, group=, ...)`` estimates group-time ATTs (R ``did::att_gt``);
``result.aggregate("simple" | "dynamic" | "group" | "calendar")`` aggregates them (``did::aggte``);
``result.twfe()`` puts the two-way fixed-effects estimate beside them with its negative-weight
diagnostic. Results are frozen and offer ``summary``, ``to_frame``, ``to_dict``, ``figures`` and
``plot``; ``study.run`` runs a ``[did]`` study file.
"""

from vaikutus.evaluation.did.aggregate import Aggregation, EventWindow
from vaikutus.evaluation.did.attgt import AttGtResult, DidSettings, attgt
from vaikutus.evaluation.did.twfe import TwfeBiasWarning, TwfeComparison

__all__ = [
    "Aggregation",
    "AttGtResult",
    "DidSettings",
    "EventWindow",
    "TwfeBiasWarning",
    "TwfeComparison",
    "attgt",
]
