"""Inference for synthetic controls: in-space placebos, leave-one-out and conformal intervals.

* **In-space placebos** (ADH 2010): the estimator is re-run with each donor in turn as the
  treated unit (the real treated unit leaves the donor pool). The statistic is the ratio of
  post- to pre-period RMSPE, and the p-value is the treated unit's rank among all J + 1 ratios,
  ``p = #{ratio_j >= ratio_treated} / (J + 1)`` -- the treated unit counts (pysyncon leaves it
  out). ADH also discard placebos whose pre-period MSPE exceeds ``prune`` times the treated
  unit's (5 in their Figure 6); the p-value over the remaining units is reported alongside.
  The average effect gets an interval from the same placebos, by inverting the rank test of
  the mean post-period gap over the pre-period RMSPE (:meth:`PlaceboSet.effect_interval`). The
  placebo fits do not involve the treated unit, so treated units sharing a donor pool share
  them (:func:`placebo_gaps`).
* **Leave-one-out** (ADH 2015): re-estimate without each donor that had weight.
* **Conformal inference** (Chernozhukov, Wuethrich & Zhu 2021, JASA): under a null effect path
  the treated outcomes are made "untreated", the synthetic control is fitted on *all* periods
  (simplex weights on the outcome path, with an intercept for the demeaned method) and the
  residuals are exchangeable over time. Two nulls are tested, both as in the authors' R package
  ``scinference``: (a) **per period** -- for each post period t, the pre-period plus period t
  with ``H0: effect_t = theta``, p-value ``mean(|u_s| >= |u_t|)`` over the T0 + 1 residuals;
  inverting it over theta gives the pointwise interval; (b) a **constant effect** over all post
  periods, moving-block permutations of the residuals with statistic ``sum_post |u_t|``
  (q = 1); its p-value at theta = 0 is the test of no effect at all, and inverting it gives an
  interval for a constant effect. Intervals are found on a grid around the estimate and their
  ends refined by bisection; the reported interval is the accepted run around the estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.synth import plots
from vaikutus.evaluation.synth.estimators import CoreFit, FitContext
from vaikutus.evaluation.synth.panel import time_text
from vaikutus.evaluation.synth.solver import solve_simplex_lsq

GRID_POINTS = 41
BISECTIONS = 14


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class PlaceboSet:
    """Every unit's gap path and post/pre RMSPE ratio, and the treated unit's rank p-values."""

    treated: Hashable
    start: object
    gaps: pd.DataFrame
    pre_mspe: pd.Series
    post_mspe: pd.Series
    ratios: pd.Series
    p_value: float
    p_value_pruned: float
    prune: float
    kept: tuple

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "unit": self.ratios.index,
                "pre_rmspe": np.sqrt(self.pre_mspe.to_numpy()),
                "post_rmspe": np.sqrt(self.post_mspe.to_numpy()),
                "ratio": self.ratios.to_numpy(),
                "treated": [u == self.treated for u in self.ratios.index],
                "kept_after_pruning": [u in self.kept for u in self.ratios.index],
            }
        )
        frame["rank"] = frame["ratio"].rank(ascending=False, method="max").astype(int)
        return frame.sort_values("rank").reset_index(drop=True)

    def summary(self) -> str:
        n = len(self.ratios)
        rank = int((self.ratios >= self.ratios[self.treated]).sum())
        return "\n".join(
            [
                f"In-space placebos: {n - 1} donors re-fitted as if treated at "
                f"{time_text(self.start)}",
                f"  post/pre RMSPE ratio of {self.treated}: {self.ratios[self.treated]:.3f} "
                f"(rank {rank} of {n})",
                f"  p-value, all units: {self.p_value:.4f} (= {rank}/{n})",
                f"  p-value, placebos with pre-MSPE <= {self.prune:g} x treated: "
                f"{self.p_value_pruned:.4f} ({len(self.kept)} units kept)",
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "p_value": self.p_value,
            "p_value_pruned": self.p_value_pruned,
            "prune": self.prune,
            "units": self.to_frame(),
        }

    def figures(self) -> dict[str, Any]:
        return {
            "placebo_gaps": self.plot(),
            "placebo_ratios": plots.ratios(self.ratios, self.treated),
        }

    def pre_scale(self, smooth: int = 1) -> pd.Series:
        """Each unit's pre-period RMSPE; with ``smooth > 1``, of the ``smooth``-period moving
        average of its gap -- the persistent part of the misfit, which a mean over many post
        periods inherits, rather than period-to-period noise (which dominates small units)."""
        pre = self.gaps[self.gaps.index < self.start]
        if not 1 <= smooth < len(pre):
            raise ValueError(f"smooth must be between 1 and {len(pre) - 1} pre-periods, got {smooth}")
        if smooth > 1:
            pre = pre.rolling(smooth).mean().iloc[smooth - 1 :]
        return np.sqrt((pre**2).mean())

    def standardised_effects(self, smooth: int = 1) -> pd.Series:
        """Each unit's mean post-period gap over its :meth:`pre_scale` (the treated unit's too)."""
        return self.gaps[self.gaps.index >= self.start].mean() / self.pre_scale(smooth)

    def mean_p_value(self, smooth: int = 1) -> float:
        """Rank p-value of the treated unit's |standardised effect| among all units' (J + 1)."""
        return _rank_p(self.standardised_effects(smooth).abs(), self.treated)

    def effect_interval(self, alpha: float, smooth: int = 1) -> tuple[float, float]:
        """Interval for the average post-period effect from the placebos' standardised effects.

        The statistic is the mean post-period gap over the pre-period fit error ``s``
        (:meth:`pre_scale`), ``z = ATT / s``: scaling by each unit's own fit makes placebos of
        noisier donors comparable with a well-fitted treated unit. Under ``H0: average effect =
        theta`` the treated unit's ``(ATT - theta) / s`` is exchangeable with the placebos'
        ``z_j`` (the treated unit is in no placebo's donor pool, so they do not depend on
        ``theta``); ``theta`` is kept while its rank p-value stays above ``alpha``. The interval
        is ``ATT +- s * c`` with ``c`` the critical ``|z_j|``, and zero lies outside it exactly
        when :meth:`mean_p_value` ``<= alpha``. Unlike inverting the RMSPE ratio over a constant
        effect path, its width does not collapse when the effect changes over the post-period.
        ``(-inf, inf)`` when there are too few placebos to reject at ``alpha``.
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
        z = self.standardised_effects(smooth)
        others = np.sort(z.drop(self.treated).abs().to_numpy())[::-1]
        # theta is accepted iff (1 + #{|z_j| >= |z(theta)|}) / (J + 1) > alpha
        needed = int(np.floor(alpha * (others.size + 1) + 1e-9))
        if needed == 0:
            return float("-inf"), float("inf")
        scale = float(self.pre_scale(smooth)[self.treated])
        att = float(z[self.treated]) * scale
        half = float(others[needed - 1]) * scale
        return att - half, att + half

    def band(self, alpha: float, smooth: int = 1) -> pd.DataFrame:
        """Pointwise ``alpha/2 .. 1 - alpha/2`` range of the placebo gaps, each rescaled to the
        treated unit's pre-period fit (gap x treated / placebo :meth:`pre_scale`), so that
        placebos of noisier units do not widen the band of a well-fitted one."""
        scale = self.pre_scale(smooth)
        scaled = self.gaps.drop(columns=[self.treated]) * (scale[self.treated] / scale.drop(self.treated))
        return pd.DataFrame(
            {
                "time": self.gaps.index,
                "low": scaled.quantile(alpha / 2, axis=1).to_numpy(),
                "high": scaled.quantile(1 - alpha / 2, axis=1).to_numpy(),
            }
        )

    def plot(self):
        path = pd.DataFrame({"time": self.gaps.index, "gap": self.gaps[self.treated].to_numpy()})
        others = [u for u in self.kept if u != self.treated]
        return plots.gap(path, self.start, str(self.treated), placebo_gaps=self.gaps[others])


def run_placebos(context: FitContext, core: CoreFit, treated: Hashable, prune: float) -> PlaceboSet:
    """Re-fit with every donor as the treated unit (the real treated unit is left out)."""
    spec = context.spec
    if (
        spec.method == "penalized"
    ):  # keep the treated fit's penalty: choosing it is J fits per value
        spec = replace(spec, penalty=core.details["penalty"])
    if isinstance(treated, tuple):  # an SDID block: one column named after its members
        treated = " + ".join(map(str, treated))
    placebos = placebo_gaps(replace(context, spec=spec))
    return placebo_set(context, treated, core.observed - core.synthetic, placebos, prune)


def placebo_gaps(context: FitContext) -> dict[Hashable, np.ndarray]:
    """Gap path of every donor of ``context`` re-fitted as if treated, against the other donors.

    The treated unit is in no placebo's donor pool, so these fits serve every treated unit that
    shares the donor pool, start and spec: several treated units need them only once.
    """
    gaps = {}
    for donor in context.donor_rows:
        others = context.donor_rows[context.donor_rows != donor]
        placebo = replace(context, treated_rows=np.array([donor]), donor_rows=others).fit()
        gaps[context.panel.units[donor]] = placebo.observed - placebo.synthetic
    return gaps


def placebo_set(
    context: FitContext,
    treated: Hashable,
    treated_gap: np.ndarray,
    placebos: dict[Hashable, np.ndarray],
    prune: float,
) -> PlaceboSet:
    """The treated unit's rank among its placebos (``placebos`` from :func:`placebo_gaps`)."""
    panel, start_pos = context.panel, context.start_pos
    times = panel.times[: treated_gap.size]
    frame = pd.DataFrame({treated: treated_gap, **placebos}, index=pd.Index(times, name="time"))
    pre = (frame.iloc[:start_pos] ** 2).mean()
    post = (frame.iloc[start_pos:] ** 2).mean()
    ratios = np.sqrt(post / pre)
    p_all = _rank_p(ratios, treated)
    kept = pre.index[pre <= prune * pre[treated]]
    return PlaceboSet(
        treated=treated,
        start=panel.times[start_pos],
        gaps=frame,
        pre_mspe=pre,
        post_mspe=post,
        ratios=ratios,
        p_value=p_all,
        p_value_pruned=_rank_p(ratios[kept], treated),
        prune=prune,
        kept=tuple(kept),
    )


def _rank_p(ratios: pd.Series, treated: Hashable) -> float:
    """Share of units (treated included) whose ratio is at least the treated unit's."""
    threshold = ratios[treated] * (1 - 1e-12)
    return float((ratios >= threshold).sum() / len(ratios))


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class LeaveOneOut:
    """Synthetic paths re-estimated without each donor that had weight."""

    treated: Hashable
    start: object
    paths: pd.DataFrame
    runs: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.runs

    def summary(self) -> str:
        lines = [f"Leave-one-out: {len(self.runs)} donors with weight, each dropped in turn"]
        for row in self.runs.itertuples():
            lines.append(
                f"  without {row.dropped}: pre-RMSPE {row.pre_rmspe:.3f}, "
                f"mean post gap {row.att:.3f}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "paths": self.paths}

    def figures(self) -> dict[str, Any]:
        return {"leave_one_out": self.plot()}

    def plot(self):
        return plots.leave_one_out(self.paths, self.start, str(self.treated))


def run_leave_one_out(
    context: FitContext, core: CoreFit, treated: Hashable, weights: pd.Series
) -> LeaveOneOut:
    panel, start_pos = context.panel, context.start_pos
    times = panel.times[: core.observed.size]
    paths = {"time": times, "observed": core.observed, "synthetic": core.synthetic}
    runs = []
    for donor_label in weights.index[weights.abs() > 1e-6]:
        donor = panel.row(donor_label)
        refit = replace(context, donor_rows=context.donor_rows[context.donor_rows != donor]).fit()
        gap = refit.observed - refit.synthetic
        paths[f"without {donor_label}"] = refit.synthetic
        runs.append(
            {
                "dropped": donor_label,
                "weight": float(weights[donor_label]),
                "pre_rmspe": float(np.sqrt(np.mean(gap[:start_pos] ** 2))),
                "post_rmspe": float(np.sqrt(np.mean(gap[start_pos:] ** 2))),
                "att": float(gap[start_pos:].mean()),
            }
        )
    return LeaveOneOut(treated, panel.times[start_pos], pd.DataFrame(paths), pd.DataFrame(runs))


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class ConformalResult:
    """Conformal p-values and intervals for the effect path (CWZ 2021)."""

    alpha: float
    intervals: pd.DataFrame
    p_value: float
    constant_effect: float
    constant_lower: float
    constant_upper: float
    estimator: str

    def to_frame(self) -> pd.DataFrame:
        return self.intervals

    def summary(self) -> str:
        level = f"{1 - self.alpha:.0%}"
        lines = [
            f"Conformal inference (Chernozhukov, Wuethrich & Zhu 2021; {self.estimator})",
            f"  p-value of no effect in any post period (moving blocks, q=1): {self.p_value:.4f}",
            f"  constant effect {self.constant_effect:.3f}, {level} interval "
            f"[{self.constant_lower:.3f}, {self.constant_upper:.3f}]",
            f"  per-period {level} intervals (null: effect in that period = theta):",
        ]
        for row in self.intervals.itertuples():
            lines.append(
                f"    {time_text(row.time)}: gap {row.gap:8.3f}  "
                f"[{row.lower:8.3f}, {row.upper:8.3f}]  "
                f"p(effect=0) {row.p_value:.3f}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "estimator": self.estimator,
            "p_value_no_effect": self.p_value,
            "constant_effect": {
                "estimate": self.constant_effect,
                "lower": self.constant_lower,
                "upper": self.constant_upper,
            },
            "intervals": self.intervals,
        }

    def figures(self) -> dict[str, Any]:
        return {"conformal_intervals": self.plot()}

    def plot(self):
        return plots.gap(
            self.intervals,
            self.intervals["time"].iloc[0],
            "gap",
            intervals=self.intervals,
            alpha=self.alpha,
        )


def run_conformal(
    observed: np.ndarray,
    donors: np.ndarray,
    times: pd.Index,
    n_pre: int,
    alpha: float,
    *,
    intercept: bool,
) -> ConformalResult:
    """Conformal inference with the simplex SC on the outcome path; ``donors`` is (J, T)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    n_post = observed.size - n_pre
    pre_fit = _residuals(observed[:n_pre], donors[:, :n_pre], intercept, None)[1]
    synthetic = _synthetic(observed[:n_pre], donors, pre_fit, intercept)
    gaps = observed - synthetic
    scale = max(float(np.abs(gaps[:n_pre]).max()), 1e-8 * max(1.0, float(np.abs(observed).max())))

    rows = []
    for t in range(n_pre, observed.size):
        keep = np.r_[np.arange(n_pre), t]
        p_of = _pointwise_test(observed[keep], donors[:, keep], intercept)
        lower, upper = _invert(p_of, gaps[t], scale, alpha)
        rows.append(
            {"time": times[t], "gap": gaps[t], "lower": lower, "upper": upper, "p_value": p_of(0.0)}
        )
    block = _block_test(observed, donors, n_pre, intercept)
    constant = float(gaps[n_pre:].mean())
    lower, upper = _invert(block, constant, scale, alpha)
    return ConformalResult(
        alpha=alpha,
        intervals=pd.DataFrame(rows),
        p_value=block(0.0),
        constant_effect=constant,
        constant_lower=lower,
        constant_upper=upper,
        estimator="simplex SC on the outcome path"
        + (" with intercept" if intercept else "")
        + f", {n_post} post periods",
    )


def _residuals(
    y: np.ndarray, donors: np.ndarray, intercept: bool, w0: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Residuals and weights of the SC fit of ``y`` on ``donors`` over all given periods."""
    if intercept:
        a = (donors - donors.mean(axis=1, keepdims=True)).T
        b = y - y.mean()
    else:
        a, b = donors.T, y
    w = solve_simplex_lsq(a, b, w0=w0).weights
    return b - a @ w, w


def _synthetic(y_pre: np.ndarray, donors: np.ndarray, w: np.ndarray, intercept: bool) -> np.ndarray:
    synthetic = w @ donors
    if intercept:
        synthetic = synthetic + (y_pre.mean() - synthetic[: y_pre.size].mean())
    return synthetic


def _pointwise_test(y: np.ndarray, donors: np.ndarray, intercept: bool) -> Callable[[float], float]:
    """p(theta) for H0 effect = theta in the last of the given periods (T* = 1)."""
    state: dict = {"w": None}

    def p_of(theta: float) -> float:
        y0 = y.copy()
        y0[-1] -= theta
        u, state["w"] = _residuals(y0, donors, intercept, state["w"])
        return float(np.mean(np.abs(u) >= np.abs(u[-1]) * (1 - 1e-12)))

    return p_of


def _block_test(
    y: np.ndarray, donors: np.ndarray, n_pre: int, intercept: bool
) -> Callable[[float], float]:
    """p(theta) for H0 constant effect theta in every post period, moving-block permutations."""
    n = y.size
    n_post = n - n_pre
    state: dict = {"w": None}

    def p_of(theta: float) -> float:
        y0 = y.copy()
        y0[n_pre:] -= theta
        u, state["w"] = _residuals(y0, donors, intercept, state["w"])
        doubled = np.abs(np.concatenate([u, u]))
        sums = np.convolve(doubled, np.ones(n_post), mode="valid")[:n]
        observed = sums[n_pre]
        return float(np.mean(sums >= observed * (1 - 1e-12)))

    return p_of


def _invert(
    p_of: Callable[[float], float], centre: float, scale: float, alpha: float
) -> tuple[float, float]:
    """Ends of the run of ``{theta : p(theta) > alpha}`` around ``centre``: grid, then bisection.

    Far from the data every residual is large and the test loses power, so p can climb above
    alpha again at extreme theta; only the accepted run containing (or nearest to) the estimate
    is reported.
    """
    half = 3.0 * scale
    for _ in range(8):
        grid = centre + half * np.linspace(-1.0, 1.0, GRID_POINTS)
        accepted = np.array([p_of(theta) > alpha for theta in grid])
        if not accepted.any():
            return float("nan"), float("nan")
        hits = np.flatnonzero(accepted)
        middle = hits[int(np.argmin(np.abs(hits - GRID_POINTS // 2)))]
        first, last = middle, middle
        while first > 0 and accepted[first - 1]:
            first -= 1
        while last < GRID_POINTS - 1 and accepted[last + 1]:
            last += 1
        if first > 0 and last < GRID_POINTS - 1:
            break
        half *= 2.0
    else:
        return float("-inf"), float("inf")
    lower = _bisect(p_of, grid[first - 1], grid[first], alpha)
    upper = _bisect(p_of, grid[last + 1], grid[last], alpha)
    return lower, upper


def _bisect(
    p_of: Callable[[float], float], rejected: float, accepted: float, alpha: float
) -> float:
    for _ in range(BISECTIONS):
        middle = 0.5 * (rejected + accepted)
        if p_of(middle) > alpha:
            accepted = middle
        else:
            rejected = middle
    return float(accepted)
