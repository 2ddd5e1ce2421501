"""The frozen result of a cost-effectiveness analysis (evaluation seam: summary, to_frame,
to_dict, figures, plot). The report lists every unverified parameter it used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.cost.params import Parameters

COST_SOURCES = {
    "register": "the register (recorded cost of the spells)",
    "unit_cost": "the unit-cost table",
}
LABELS = {
    "taxes_gained": "taxes and contributions gained",
    "benefits_saved": "benefits saved (net of tax)",
    "service_cost": "service cost",
    "net_fiscal_effect": "net fiscal effect (+ = public sector gains)",
    "cost_per_employed_year": "service cost per additional employed person-year",
    "net_cost_per_employed_year": "net cost per additional employed person-year",
    "benefit_cost_ratio": "benefit-cost ratio (fiscal returns / service cost)",
    "municipal_tax_gained": "municipality: income tax gained",
    "municipal_benefits_saved": "municipality: its share of basic benefits saved",
    "municipal_service_cost": "municipality: its share of the service cost",
    "municipal_net_effect": "municipality: net effect",
}


@dataclass(frozen=True, eq=False)
class CostResult:
    """Per-participant fiscal effects with simulation intervals and a tornado table."""

    service: str
    horizon: int
    participants: int
    cost_source: str
    level: float
    draws: int
    seed: int
    summary_table: (
        pd.DataFrame
    )  # metric, estimate, interval_low, interval_high, share_of_draws_defined
    probability_net_gain: float
    tornado: pd.DataFrame
    effects: pd.DataFrame
    net_fiscal_draws: np.ndarray = field(repr=False)
    parameters: Parameters = field(repr=False)
    used: tuple[str, ...] = ()  # names of the parameters the analysis read
    payment: Any = None  # a PaymentResult when a contract was evaluated

    def metric(self, name: str) -> float:
        rows = self.summary_table[self.summary_table["metric"] == name]
        if rows.empty:
            raise KeyError(f"no metric {name!r}")
        return float(rows["estimate"].iloc[0])

    def unverified(self) -> list[str]:
        """Unverified parameters among those used (the municipal funding steps included)."""
        names = [q.name for q in self.parameters.unverified() if q.name in self.used]
        return names + ([] if self.parameters.funding.verified else ["share_by_paid_days"])

    def with_payment(self, payment) -> CostResult:
        from dataclasses import replace

        return replace(self, payment=payment)

    def summary(self) -> str:
        p = self.parameters
        lines = [
            f"Cost-effectiveness of {self.service}: per participant, {self.horizon} months after entry, "
            f"{self.participants} participants; parameters {p.year} ({', '.join(p.files)})",
            f"  service cost from: {COST_SOURCES[self.cost_source]}; intervals: {self.level:.0%} "
            f"of {self.draws} draws from the effects' sampling distribution",
        ]
        for row in self.summary_table.itertuples():
            lines.append(
                f"  {LABELS[row.metric]:<52} {row.estimate:>12,.1f}   "
                f"[{row.interval_low:,.1f}, {row.interval_high:,.1f}]"
            )
        lines.append(
            f"  probability that the net fiscal effect is positive: {self.probability_net_gain:.1%}"
        )
        unverified = self.unverified()
        if unverified:
            lines.append(f"  UNVERIFIED parameters used ([K] assumptions): {', '.join(unverified)}")
        lines += [f"  note: {n}" for n in p.notes]
        if self.payment is not None:
            lines += ["", self.payment.summary()]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.summary_table.assign(label=self.summary_table["metric"].map(LABELS))

    def to_dict(self) -> dict[str, Any]:
        out = {
            "method": "cost",
            "service": self.service,
            "horizon_months": self.horizon,
            "participants": self.participants,
            "cost_source": self.cost_source,
            "level": self.level,
            "draws": self.draws,
            "seed": self.seed,
            "effects": self.effects.to_dict(orient="records"),
            "metrics": self.summary_table.to_dict(orient="records"),
            "probability_net_gain": self.probability_net_gain,
            "tornado": self.tornado.to_dict(orient="records"),
            "parameters": {
                "year": self.parameters.year,
                "files": list(self.parameters.files),
                "notes": list(self.parameters.notes),
                "values": self.parameters.table(),
                "used": list(self.used),
                "unverified_used": self.unverified(),
            },
        }
        if self.payment is not None:
            out["payment"] = self.payment.to_dict()
        return out

    def figures(self) -> dict[str, Any]:
        from vaikutus.evaluation.cost.figures import plot_fiscal, plot_simulation

        return {
            "tornado": self.plot(),
            "net_fiscal_simulation": plot_simulation(self),
            "fiscal_components": plot_fiscal(self),
        }

    def plot(self):
        from vaikutus.evaluation.cost.figures import plot_tornado

        return plot_tornado(self.tornado, self.service)
