"""The frozen result of :func:`~vaikutus.evaluation.individual.estimate`.

``EffectResult`` follows the evaluation seam (``summary``, ``to_frame``, ``to_dict``, ``figures``,
``plot``) and adds the attributes users reach for first: ``.estimate``, ``.se`` and ``.ci`` of the
first outcome (``.effect(name)`` for any other), ``.effects`` for all of them, ``.subgroups``,
``.covariance`` (joint sampling covariance of the outcomes listed in ``joint``) and
``.diagnostics`` (overlap, trimming, balance, matching and sensitivity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from vaikutus.evaluation.individual.propensity import Trimming

METHOD_NAMES = {
    "match": "propensity-score matching (Abadie-Imbens SEs)",
    "ipw": "inverse probability weighting (normalised, M-estimation SEs)",
    "aipw": "doubly robust AIPW (logit score + linear outcome models)",
    "dml": "double/debiased machine learning (DoubleML IRM, cross-fitted)",
}


@dataclass(frozen=True)
class Settings:
    """The choices behind a result, kept so it can be reported and re-run."""

    treatment: str
    outcomes: tuple[str, ...]
    covariates: tuple[str, ...]
    method: str
    estimand: str
    alpha: float
    trim: str | float | None
    caliper: float | None
    neighbours: int
    exact: tuple[str, ...]
    bias_adjust: bool
    learner: str
    folds: int
    seed: int
    subgroups: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True, eq=False)
class Diagnostics:
    """What a reader checks before believing the estimate."""

    propensity: pd.DataFrame = field(repr=False)  # score, treated, kept
    trimming: Trimming
    balance: pd.DataFrame = field(repr=False)
    matching: dict[str, Any] | None = None
    rosenbaum: pd.DataFrame | None = field(default=None, repr=False)
    critical_gamma: float | None = None
    sensitivity_outcome: str | None = None

    @property
    def max_abs_smd_after(self) -> float:
        return float(self.balance["smd_after"].abs().max())

    def overlap_summary(self) -> pd.DataFrame:
        frame = self.propensity
        return frame.groupby("treated")["score"].describe(percentiles=[0.01, 0.5, 0.99])

    def to_dict(self) -> dict[str, Any]:
        return {
            "trimming": self.trimming.to_dict(),
            "overlap": self.overlap_summary().reset_index().to_dict(orient="records"),
            "balance": self.balance.to_dict(orient="records"),
            "max_abs_smd_after": self.max_abs_smd_after,
            "matching": self.matching,
            "sensitivity_outcome": self.sensitivity_outcome,
            "rosenbaum_bounds": None
            if self.rosenbaum is None
            else self.rosenbaum.to_dict(orient="records"),
            "critical_gamma": self.critical_gamma,
        }


@dataclass(frozen=True, eq=False)
class EffectResult:
    """Effects of one treatment on one or more outcomes, with diagnostics.

    ``effects`` columns: outcome, estimate, se, ci_low, ci_high, p_value, mean_treated,
    mean_counterfactual (means of Y(1) and Y(0) in the estimand's population), naive_difference
    and naive_se (raw treated minus untreated means), n_treated, n_control, e_value, e_value_ci.
    """

    settings: Settings
    effects: pd.DataFrame
    subgroups: pd.DataFrame
    covariance: pd.DataFrame
    diagnostics: Diagnostics

    # -- the first outcome, for the common single-outcome case --------------------------------
    @property
    def estimate(self) -> float:
        return float(self.effects["estimate"].iloc[0])

    @property
    def se(self) -> float:
        return float(self.effects["se"].iloc[0])

    @property
    def ci(self) -> tuple[float, float]:
        row = self.effects.iloc[0]
        return float(row["ci_low"]), float(row["ci_high"])

    def effect(self, outcome: str) -> pd.Series:
        """The effects row of ``outcome``."""
        rows = self.effects[self.effects["outcome"] == outcome]
        if rows.empty:
            raise KeyError(f"no outcome {outcome!r}; outcomes are {list(self.effects['outcome'])}")
        return rows.iloc[0]

    # -- evaluation seam -------------------------------------------------------------------------
    def summary(self) -> str:
        s, diag = self.settings, self.diagnostics
        level = f"{1 - s.alpha:.0%}"
        lines = [
            f"{METHOD_NAMES[s.method]} — {s.estimand.upper()} of {s.treatment}",
            f"  covariates: {', '.join(s.covariates)}",
            f"  {diag.trimming.describe()}",
        ]
        if diag.matching:
            m = diag.matching
            lines.append(
                f"  matching: {m['neighbours']} neighbour(s) with replacement"
                f"{', exact on ' + ', '.join(s.exact) if s.exact else ''}; caliper "
                f"{'none' if m['caliper_width'] is None else format(m['caliper_width'], '.4f')}"
                f" (logit score); {m['unmatched_focal']} focal unit(s) without a match; "
                f"{m['controls_used']} comparison units used, at most {m['max_reuse']:.1f} times"
            )
        lines.append(
            f"  balance: max |SMD| {diag.balance['smd_before'].abs().max():.3f} before, "
            f"{diag.max_abs_smd_after:.3f} after adjustment"
        )
        if diag.critical_gamma is not None:
            gamma = diag.critical_gamma
            lines.append(
                f"  Rosenbaum bounds ({diag.sensitivity_outcome}): significant at {s.alpha:g} up to "
                f"Gamma = {'—' if math.isnan(gamma) else format(gamma, 'g')}"
            )
        columns = [
            "outcome",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "p_value",
            "naive_difference",
            "n_treated",
            "n_control",
            "e_value",
        ]
        lines += [
            "",
            f"Effects ({level} confidence intervals):",
            self.effects[columns].to_string(index=False, float_format=lambda v: f"{v:.4g}"),
        ]
        if not self.subgroups.empty:
            first = self.effects["outcome"].iloc[0]
            table = self.subgroups[self.subgroups["outcome"] == first]
            lines += [
                "",
                f"By subgroup ({first}):",
                table[
                    ["subgroup", "level", "estimate", "se", "ci_low", "ci_high", "n_treated"]
                ].to_string(index=False, float_format=lambda v: f"{v:.4g}"),
            ]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.effects.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "individual",
            "estimator": METHOD_NAMES[self.settings.method],
            "settings": self.settings.to_dict(),
            "effects": self.effects.to_dict(orient="records"),
            "subgroups": self.subgroups.to_dict(orient="records"),
            "covariance": {
                "outcomes": list(self.covariance.columns),
                "matrix": self.covariance.to_numpy().tolist(),
            },
            "diagnostics": self.diagnostics.to_dict(),
        }

    def figures(self) -> dict[str, Any]:
        return {"effects": self.plot(), **self.diagnostic_figures()}

    def diagnostic_figures(self) -> dict[str, Any]:
        """Overlap, love plot, subgroup forest and Rosenbaum bounds (where they apply)."""
        from vaikutus.evaluation.individual import figures

        out = {
            "overlap": figures.plot_overlap(self.diagnostics),
            "love_plot": figures.plot_love(self.diagnostics.balance),
        }
        if not self.subgroups.empty:
            out["subgroups"] = figures.plot_subgroups(
                self.subgroups, self.effects["outcome"].iloc[0]
            )
        if self.diagnostics.rosenbaum is not None and not self.diagnostics.rosenbaum.empty:
            out["rosenbaum_bounds"] = figures.plot_rosenbaum(self.diagnostics, self.settings.alpha)
        return out

    def plot(self):
        """Forest plot of the effects with confidence intervals and the naive differences."""
        from vaikutus.evaluation.individual.figures import plot_effects

        return plot_effects(self.effects, self.settings)
