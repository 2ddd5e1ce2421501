"""The two-way fixed-effects estimate beside Callaway & Sant'Anna, and why it can mislead.

TWFE (``y ~ d | unit + time``, clustered by unit) is fitted with pyfixest. With staggered
adoption and effects that change over time or across cohorts it is a weighted sum of cell effects
whose weights can be negative (de Chaisemartin & D'Haultfoeuille 2020; the same "forbidden"
later-vs-earlier comparisons as in Goodman-Bacon 2021). For a balanced panel the weight of treated
cell (g, t) is N_g * e_gt / sum_{treated} N_g' * e_g't', where e is the residual of regressing the
treatment dummy on unit and time effects (D_it - D_i. - D_.t + D_..); negative weights flag
cells that TWFE uses as if they were controls.

A pyfixest saturated event study (Sun & Abraham style cohort x event-time interactions,
never-treated reference, e = -1 omitted) cross-checks the CS dynamic estimates: after treatment
they coincide with CS on never-treated controls without covariates.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.did.aggregate import Aggregation
from vaikutus.evaluation.did.panel import StaggeredPanel

EVENT_STUDY_AUTO_TERMS = 200
"""Run the pyfixest saturated event study by default only up to this many cohort x event-time
terms: pyfixest builds the interactions slowly (about 150 s for 12 cohorts x 119 months here)."""


class TwfeBiasWarning(UserWarning):
    """TWFE is likely biased here: negative weights or a material gap to the CS estimate."""


@dataclass(frozen=True, eq=False)
class TwfeComparison:
    """TWFE estimate, its negative-weight diagnostic and the CS comparison."""

    estimate: float
    se: float
    ci: tuple[float, float]
    cs_simple_att: float
    cs_simple_se: float
    weights: pd.DataFrame
    negative_weight_share: float
    negative_weight_sum: float
    cs_under_twfe_weights: float
    materially_different: bool
    relative_tolerance: float
    event_study: pd.DataFrame | None
    event_study_note: str | None
    messages: tuple[str, ...]

    def summary(self) -> str:
        lines = [
            "Two-way fixed effects (unit and time effects, SE clustered by unit; pyfixest)",
            f"  TWFE ATT {self.estimate: .4f} (se {self.se:.4f}, "
            f"CI [{self.ci[0]:.4f}, {self.ci[1]:.4f}])"
            f"  vs CS simple ATT {self.cs_simple_att: .4f} (se {self.cs_simple_se:.4f})",
            f"  negative TWFE weights: {self.negative_weight_share:.0%} of treated (g,t) cells, "
            f"summing to {self.negative_weight_sum:.4f}",
            f"  CS ATT(g,t) averaged with the TWFE weights: {self.cs_under_twfe_weights: .4f}",
        ]
        if self.event_study is not None:
            post = self.event_study.dropna().query("event_time >= 0")
            gap = post["difference"].abs().max() if len(post) else float("nan")
            lines.append(
                "  event-study check (pyfixest saturated, never-treated reference): largest gap "
                f"to the CS dynamic estimates after treatment {gap:.2e}"
            )
        if self.event_study_note:
            lines.append(f"  {self.event_study_note}")
        lines += [f"  WARNING: {m}" for m in self.messages]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.weights.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci[0],
            "ci_high": self.ci[1],
            "cs_simple_att": self.cs_simple_att,
            "cs_simple_se": self.cs_simple_se,
            "negative_weight_share": self.negative_weight_share,
            "negative_weight_sum": self.negative_weight_sum,
            "cs_under_twfe_weights": self.cs_under_twfe_weights,
            "materially_different": self.materially_different,
            "relative_tolerance": self.relative_tolerance,
            "weights": self.weights.to_dict(orient="records"),
            "event_study": None
            if self.event_study is None
            else self.event_study.to_dict(orient="records"),
            "event_study_note": self.event_study_note,
            "warnings": list(self.messages),
        }


def twfe_weights(panel: StaggeredPanel) -> pd.DataFrame:
    """de Chaisemartin & D'Haultfoeuille weights of the treated (g, t) cells in TWFE."""
    d = panel.treated_indicator()
    residual = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    denominator = (residual * d).sum()
    rows = []
    for g in panel.cohorts:
        members = panel.cohort == g
        for t in range(g, panel.n_periods):
            rows.append(
                {
                    "group": panel.periods[g],
                    "time": panel.periods[t],
                    "event_time": t - g,
                    "n_units": int(members.sum()),
                    "weight": residual[members, t].sum() / denominator,
                }
            )
    return pd.DataFrame(rows)


def compare_twfe(
    panel: StaggeredPanel,
    *,
    att_gt: pd.DataFrame,
    simple: Aggregation,
    dynamic: Aggregation,
    alpha: float,
    relative_tolerance: float,
    event_study: bool | None = None,
) -> TwfeComparison:
    """Fit TWFE, compute its cell weights, compare with CS, and warn where TWFE is suspect.

    ``event_study`` runs the pyfixest saturated event study (None: only when it is small).
    """
    import pyfixest as pf

    frame = panel.long_frame()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")
        fit = pf.feols("y ~ d | unit + time", data=frame, vcov={"CRV1": "unit"})
    row = fit.tidy(alpha=alpha).loc["d"]
    estimate, se = float(row["Estimate"]), float(row["Std. Error"])
    ci = (float(row.iloc[4]), float(row.iloc[5]))

    weights = twfe_weights(panel)
    cells = weights.merge(att_gt[["group", "time", "att"]], on=["group", "time"], how="left")
    negative = weights["weight"] < 0
    gap = abs(estimate - simple.overall_att)
    material = bool(gap > relative_tolerance * abs(simple.overall_att) and gap > simple.overall_se)

    messages = []
    if negative.any():
        messages.append(
            f"{int(negative.sum())} of {len(weights)} treated (g,t) cells get negative TWFE "
            f"weights (sum {weights.loc[negative, 'weight'].sum():.3f}); with effects that vary "
            "over time or cohorts TWFE can be biased, even in sign: use the CS estimates"
        )
    if material:
        messages.append(
            f"TWFE ({estimate:.4f}) differs materially from the CS simple ATT "
            f"({simple.overall_att:.4f}): gap {gap:.4f} exceeds {relative_tolerance:.0%} of the "
            "CS estimate and its standard error"
        )
    for message in messages:
        warnings.warn(message, TwfeBiasWarning, stacklevel=3)

    terms = len(panel.cohorts) * (panel.n_periods - 1)
    study, note = None, None
    if not np.isinf(panel.cohort).any():
        note = "event-study check not run: the saturated event study needs never-treated units"
    elif event_study or (event_study is None and terms <= EVENT_STUDY_AUTO_TERMS):
        study = _saturated_event_study(frame, dynamic)
    else:
        note = (
            f"event-study check not run ({terms} cohort x event-time terms make pyfixest slow); "
            "call result.twfe(event_study=True) to run it"
        )
    return TwfeComparison(
        estimate=estimate,
        se=se,
        ci=ci,
        cs_simple_att=simple.overall_att,
        cs_simple_se=simple.overall_se,
        weights=weights,
        negative_weight_share=float(negative.mean()),
        negative_weight_sum=float(weights.loc[negative, "weight"].sum()),
        cs_under_twfe_weights=float((cells["weight"] * cells["att"]).sum()),
        materially_different=material,
        relative_tolerance=relative_tolerance,
        event_study=study,
        event_study_note=note,
        messages=tuple(messages),
    )


def _saturated_event_study(frame: pd.DataFrame, dynamic: Aggregation) -> pd.DataFrame:
    """pyfixest's saturated event study by event time next to the CS dynamic estimates."""
    import pyfixest as pf

    data = frame.assign(
        period=frame["time"] + 1,
        first_treated=np.where(np.isinf(frame["cohort"]), 0, frame["cohort"] + 1).astype(int),
    )
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The SaturatedEventStudyClass is currently in beta"
        )
        # cohort x event-time cells that do not exist are dropped as collinear: expected here
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")
        warnings.filterwarnings(
            "ignore", message=r"\s*\d+ variables dropped due to multicollinearity"
        )
        fit = pf.event_study(
            data,
            yname="y",
            idname="unit",
            tname="period",
            gname="first_treated",
            estimator="saturated",
        )
        table = fit.aggregate()
    twfe = pd.DataFrame(
        {
            "event_time": table.index.astype(float).astype(int),
            "twfe_estimate": table["Estimate"].astype(float).to_numpy(),
            "twfe_se": table["Std. Error"].astype(float).to_numpy(),
        }
    )
    cs = dynamic.estimates[["event_time", "att"]].rename(columns={"att": "cs_estimate"})
    merged = twfe.merge(cs, on="event_time", how="outer").sort_values(
        "event_time", ignore_index=True
    )
    merged["difference"] = merged["twfe_estimate"] - merged["cs_estimate"]
    return merged
