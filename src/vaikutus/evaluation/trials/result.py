"""Frozen results of the trial-area evaluation: one :class:`AreaEffect` per area, and the whole.

Effects are in percentage points of the labour force: the average over the trial months of the
observed unemployed share minus its synthetic control (negative = fewer unemployed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.did import AttGtResult
from vaikutus.evaluation.synth import SynthResult
from vaikutus.evaluation.trials.panel import OUTCOME, TrialPanel

AVERAGE_UNIT = "average"
TOP_DONORS = 5
#: Months in the moving average whose pre-period RMSPE scales each unit's mean gap (see
#: :meth:`~vaikutus.evaluation.synth.inference.PlaceboSet.pre_scale`). Chosen on five synthetic
#: registers (20,000-100,000 persons): 6 months gave 7 misses of 125 95 % intervals (6.25
#: expected); the plain monthly RMSPE 10, with the largest, smoothest areas missed most.
SMOOTH_MONTHS = 6


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class AreaEffect:
    """A synthetic control with its placebo set, read off for one trial area (or the average)."""

    unit: str
    name: str
    fit: SynthResult
    alpha: float

    @property
    def att(self) -> float:
        return self.fit.att

    @property
    def interval(self) -> tuple[float, float]:
        return self.fit.placebos.effect_interval(self.alpha, SMOOTH_MONTHS)

    @property
    def p_value(self) -> float:
        return self.fit.placebos.p_value

    @property
    def p_value_mean(self) -> float:
        """p-value of the average effect (the test the interval inverts)."""
        return self.fit.placebos.mean_p_value(SMOOTH_MONTHS)

    @property
    def significant(self) -> bool:
        return self.p_value <= self.alpha

    @property
    def pre_rmspe(self) -> float:
        return self.fit.pre_rmspe

    @property
    def ratio(self) -> float:
        return float(self.fit.placebos.ratios[self.unit])

    @property
    def n_placebos(self) -> int:
        return len(self.fit.placebos.ratios) - 1

    def top_donors(self, n: int = TOP_DONORS) -> pd.Series:
        w = self.fit.weights
        return w[w > 1e-4].sort_values(ascending=False).head(n)

    def path(self) -> pd.DataFrame:
        """time, observed, synthetic, gap, and the placebo band (band_low, band_high)."""
        band = self.fit.placebos.band(self.alpha, SMOOTH_MONTHS)
        return self.fit.path.assign(band_low=band["low"].to_numpy(), band_high=band["high"].to_numpy())

    def row(self) -> dict[str, Any]:
        lower, upper = self.interval
        return {
            "unit": self.unit,
            "name": self.name,
            "effect_pp": self.att,
            "lower": lower,
            "upper": upper,
            "p_value": self.p_value,
            "p_value_mean": self.p_value_mean,
            "significant": self.significant,
            "pre_rmspe": self.pre_rmspe,
            "rmspe_ratio": self.ratio,
            "top_donors": ", ".join(self.top_donors().index.astype(str)),
        }

    def to_dict(self) -> dict[str, Any]:
        """What the portal draws and tabulates for this area."""
        lower, upper = self.interval
        placebos = self.fit.placebos
        return {
            "unit": self.unit,
            "name": self.name,
            "start": self.fit.start,
            "effect_pp": self.att,
            "lower": lower,
            "upper": upper,
            "level": 1 - self.alpha,
            "p_value": self.p_value,
            "p_value_pruned": placebos.p_value_pruned,
            "p_value_mean": self.p_value_mean,
            "significant": self.significant,
            "pre_rmspe": self.pre_rmspe,
            "post_rmspe": self.fit.post_rmspe,
            "rmspe_ratio": self.ratio,
            "rank": int((placebos.ratios >= self.ratio * (1 - 1e-12)).sum()),
            "n_placebos": self.n_placebos,
            "weights": self.fit.weights[self.fit.weights > 1e-4].sort_values(ascending=False),
            "predictor_balance": self.fit.predictor_balance.reset_index(),
            "path": self.path(),
            "warnings": list(self.fit.warnings),
        }


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class TrialEvaluation:
    """Every trial area's effect, the pooled (average-area) effect and the DiD beside them."""

    panel: TrialPanel = field(repr=False)
    areas: dict[str, AreaEffect]
    pooled: AreaEffect
    did: AttGtResult | None
    settings: Any
    timings: dict[str, float]

    @property
    def alpha(self) -> float:
        return self.pooled.alpha

    def did_effect(self) -> dict[str, Any] | None:
        """The DiD's overall post-period ATT (simple aggregation) and its event study."""
        if self.did is None:
            return None
        simple = self.did.aggregate("simple")
        return {
            "estimator": "Callaway & Sant'Anna (2021), never-treated donors, universal base period",
            "effect_pp": simple.overall_att,
            "se": simple.overall_se,
            "lower": simple.overall_ci[0],
            "upper": simple.overall_ci[1],
            "level": 1 - self.alpha,
            "event_study": self.did.aggregate("dynamic").to_dict(),
            "n_treated": len(self.panel.treated),
            "n_control": len(self.panel.donors),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per trial area, then the average trial area (the pooled effect)."""
        rows = [effect.row() for effect in self.areas.values()]
        return pd.DataFrame([*rows, self.pooled.row()])

    def summary(self) -> str:
        level = f"{1 - self.alpha:.0%}"
        panel = self.panel
        lines = [
            "Trial-area evaluation: synthetic control per area (classic, yearly-mean predictors)",
            f"  outcome {OUTCOME} (unemployed on the counting day / labour force x 100, pp)",
            f"  {panel.frame['month'].min():%Y-%m}..{panel.end:%Y-%m}, trial from "
            f"{panel.start:%Y-%m}; {len(panel.treated)} trial areas, {len(panel.donors)} donors",
            f"  p: RMSPE-ratio rank among {self.pooled.n_placebos} placebos + the area; "
            f"{level} interval and p(mean): rank of the mean gap / pre-RMSPE",
            "",
            f"  {'area':28s} {'effect':>8s} {level + ' interval':>20s} {'p':>6s} {'p(mean)':>7s} "
            f"{'pre-RMSPE':>9s}",
        ]
        for effect in [*self.areas.values(), self.pooled]:
            lower, upper = effect.interval
            lines.append(
                f"  {effect.unit + ' ' + effect.name:28.28s} {effect.att:8.3f} "
                f"[{lower:8.3f}, {upper:8.3f}] {effect.p_value:6.3f} {effect.p_value_mean:7.3f} "
                f"{effect.pre_rmspe:9.3f}"
            )
        did = self.did_effect()
        if did is not None:
            lines.append(
                f"  DiD (Callaway & Sant'Anna): {did['effect_pp']:.3f} pp, {level} CI "
                f"[{did['lower']:.3f}, {did['upper']:.3f}]"
            )
        lines += [f"  note: {n}" for n in panel.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "synthetic_control_per_trial_area",
            "outcome": OUTCOME,
            "start": self.panel.start,
            "end": self.panel.end,
            "first_month": self.panel.frame["month"].min(),
            "settings": self.settings.to_dict(),
            "donors": self.panel.units[self.panel.units["kind"] == "donor"],
            "notes": list(self.panel.notes),
            "areas": {unit: effect.to_dict() for unit, effect in self.areas.items()},
            "pooled": self.pooled.to_dict(),
            "did": self.did_effect(),
            "timings_s": self.timings,
        }

    def figures(self) -> dict[str, Any]:
        figures = {"effects": self.plot(), "pooled": self.pooled.fit.plot()}
        if self.did is not None:
            figures["did_event_study"] = self.did.aggregate("dynamic").plot()
        return figures

    def plot(self):
        """Effect and interval per trial area, with the pooled effect (a forest plot)."""
        import matplotlib.pyplot as plt

        frame = self.to_frame().iloc[::-1]
        fig, ax = plt.subplots(figsize=(7, 0.32 * len(frame) + 1.5))
        y = np.arange(len(frame))
        lower = frame["lower"].to_numpy(dtype=float)
        upper = frame["upper"].to_numpy(dtype=float)
        finite = np.isfinite(lower) & np.isfinite(upper)
        ax.hlines(y[finite], lower[finite], upper[finite], color="#9ecae1", linewidth=4)
        ax.plot(frame["effect_pp"], y, "o", color="#1f3b73")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, [f"{u} {n}" for u, n in zip(frame["unit"], frame["name"])])
        ax.set_xlabel(f"effect on the unemployed share, pp ({1 - self.alpha:.0%} interval)")
        ax.set_title("Synthetic-control effect by trial area")
        fig.tight_layout()
        return fig
