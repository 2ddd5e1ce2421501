"""What the cost analysis needs from an effect estimate, read from a live result or result.json.

The fiscal sums are linear in four effects over the horizon - months employed, earnings, all
benefits and basic unemployment benefits per participant - so their point estimates and joint
sampling covariance carry all the uncertainty the simulation needs. The monthly paths give the
timing (discounting, the municipal share that grows with unemployment duration), and the design
gives the participants' recorded service cost and length and their elapsed unemployment at entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.individual.design import FAMILIES, TOTALS


@dataclass(frozen=True, eq=False)
class EffectInputs:
    """Per-participant effects over ``horizon`` months and their context."""

    service: str
    horizon: int
    participants: int
    totals: np.ndarray  # (4,) in TOTALS order
    covariance: np.ndarray  # (4, 4)
    paths: dict[str, np.ndarray]  # family -> monthly point estimates, months 1..horizon
    treated_employed_months: float
    counterfactual_employed_months: float
    service_months: float
    recorded_cost_eur: float
    elapsed_at_entry: dict[int, float]  # elapsed unemployment months -> share of participants
    alpha: float = 0.05

    def total(self, name: str) -> float:
        return float(self.totals[TOTALS.index(name)])

    def se(self, name: str) -> float:
        i = TOTALS.index(name)
        return float(math.sqrt(self.covariance[i, i]))

    @classmethod
    def from_effects(cls, effects) -> EffectInputs:
        """From a :class:`~vaikutus.evaluation.individual.dynamic.ServiceEffects`."""
        return cls.from_dict(effects.to_dict())

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> EffectInputs:
        """From the dict written to ``result.json`` by an individual-level dynamic study."""
        for key in ("design", "totals", "paths", "covariance", "settings"):
            if key not in payload:
                raise ValueError(
                    f"the effect result has no {key!r}: the cost analysis needs an individual-level "
                    "result from a dynamic service design (vaikutus evaluate with [design])"
                )
        design = payload["design"]
        totals = pd.DataFrame(payload["totals"]).set_index("outcome")
        missing = [t for t in TOTALS if t not in totals.index]
        if missing:
            raise ValueError(f"the effect result lacks the horizon totals {missing}")
        cov = payload["covariance"]
        order = [cov["outcomes"].index(t) for t in TOTALS]
        covariance = np.asarray(cov["matrix"], dtype=float)[np.ix_(order, order)]
        paths_frame = pd.DataFrame(payload["paths"])
        horizon = int(design["horizon_months"])
        paths = {}
        for family in FAMILIES:
            rows = paths_frame[paths_frame["family"] == family].set_index("month")["estimate"]
            paths[family] = rows.reindex(range(1, horizon + 1)).fillna(0.0).to_numpy(dtype=float)
        employed = totals.loc["employed_total"]
        return cls(
            service=str(design["service"]),
            horizon=horizon,
            participants=int(employed["n_treated"]),
            totals=totals.loc[list(TOTALS), "estimate"].to_numpy(dtype=float),
            covariance=covariance,
            paths=paths,
            treated_employed_months=float(employed["mean_treated"]),
            counterfactual_employed_months=float(employed["mean_counterfactual"]),
            service_months=float(design["mean_service_months"]),
            recorded_cost_eur=float(design.get("mean_service_cost_eur") or math.nan),
            elapsed_at_entry={
                int(k): float(v) for k, v in design["elapsed_months_at_entry"].items()
            },
            alpha=float(payload["settings"].get("alpha", 0.05)),
        )
