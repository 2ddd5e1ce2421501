"""Aggregations of group-time ATTs (R ``did::aggte``): simple, dynamic, group and calendar.

Every aggregate is a weighted average of ATT(g,t) cells, so its influence function is the same
weighted average of the cells' influence functions. Where the weights are cohort shares P(G=g)
estimated from the data (simple, dynamic, calendar, and the overall group effect) the influence
function also carries the weight-estimation term of ``aggte``'s ``wif``. Analytical standard
errors are sqrt(sum IF^2) / n; the multiplier bootstrap adds bootstrap SEs and a sup-t critical
value for uniform bands over the aggregate's estimates (event times, groups or periods).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from vaikutus.evaluation.did.bootstrap import BootstrapSpec, multiplier_bootstrap

KINDS = ("simple", "dynamic", "group", "calendar")
KEY_COLUMN = {"simple": None, "dynamic": "event_time", "group": "group", "calendar": "time"}
_DEGENERATE = np.sqrt(np.finfo(float).eps) * 10


@dataclass(frozen=True, eq=False)
class Cells:
    """What an aggregation needs from ``attgt``: cells (positions), ATTs, influence, cohorts."""

    group: np.ndarray  # cohort position per cell
    time: np.ndarray  # period position per cell
    att: np.ndarray
    influence: np.ndarray  # units x cells
    unit_cohort: np.ndarray  # cohort position per unit (inf = never treated)
    periods: np.ndarray  # period labels by position


@dataclass(frozen=True)
class EventWindow:
    """``aggte`` options: event-time limits and balancing of the event-study sample."""

    min_e: float = -math.inf
    max_e: float = math.inf
    balance_e: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"min_e": self.min_e, "max_e": self.max_e, "balance_e": self.balance_e}


@dataclass(frozen=True, eq=False)
class Aggregation:
    """An aggregated effect: per-key estimates with bands and, where defined, an overall ATT.

    ``estimates`` has the key column (``event_time``, ``group`` or ``time``; none for ``simple``),
    ``att``, analytical ``se``, pointwise ``ci_low``/``ci_high``, and with the bootstrap ``se_boot``
    and the uniform band ``band_low``/``band_high`` (``att ± critical_value * se_boot``).
    """

    kind: str
    estimates: pd.DataFrame
    overall_att: float
    overall_se: float
    overall_ci: tuple[float, float]
    critical_value: float
    alpha: float
    window: EventWindow = field(default_factory=EventWindow)

    @property
    def key(self) -> str | None:
        return KEY_COLUMN[self.kind]

    def summary(self) -> str:
        level = f"{1 - self.alpha:.0%}"
        lines = [
            f"{self.kind} aggregation of ATT(g,t)",
            f"  overall ATT {self.overall_att: .4f}  (se {self.overall_se:.4f}, "
            f"{level} CI [{self.overall_ci[0]:.4f}, {self.overall_ci[1]:.4f}])",
        ]
        if self.key is not None:
            lines.append(f"  uniform band critical value: {self.critical_value:.3f}")
            lines.append(self.estimates.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """Estimates plus a final ``overall`` row (``label`` says which row is which)."""
        rows = self.estimates.copy()
        key = self.key
        rows.insert(0, "label", [f"{key}={v}" for v in rows[key]] if key else [])
        overall = {
            "label": "overall",
            "att": self.overall_att,
            "se": self.overall_se,
            "ci_low": self.overall_ci[0],
            "ci_high": self.overall_ci[1],
        }
        return pd.concat([rows, pd.DataFrame([overall])], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "overall": {
                "att": self.overall_att,
                "se": self.overall_se,
                "ci_low": self.overall_ci[0],
                "ci_high": self.overall_ci[1],
            },
            "key": self.key,
            "estimates": self.estimates.to_dict(orient="records"),
            "uniform_critical_value": self.critical_value,
            "alpha": self.alpha,
            "options": self.window.to_dict(),
        }

    def figures(self) -> dict[str, Any]:
        return {f"{self.kind}_effects": self.plot()}

    def plot(self):
        from vaikutus.evaluation.did.figures import plot_aggregation

        return plot_aggregation(self)


def aggregate(
    cells: Cells,
    kind: str,
    *,
    window: EventWindow,
    alpha: float,
    bootstrap: BootstrapSpec | None,
) -> Aggregation:
    """Aggregate ``cells`` the way ``did::aggte(type=kind)`` does."""
    if kind not in KINDS:
        raise ValueError(f"aggregation kind must be one of {', '.join(KINDS)}; got {kind!r}")
    defaults = EventWindow().to_dict()
    not_applicable = [
        name
        for name, value in window.to_dict().items()
        if value != defaults[name] and name not in _OPTIONS[kind]
    ]
    if not_applicable:
        raise ValueError(
            f"option(s) {', '.join(not_applicable)} do not apply to the {kind} aggregation"
        )
    share = _cohort_shares(cells)
    keys, estimates, influence, overall, overall_if = _BUILDERS[kind](cells, share, window)
    z = norm.ppf(1 - alpha / 2)
    se = _analytical_se(influence)
    frame = pd.DataFrame(
        {"att": estimates, "se": se, "ci_low": estimates - z * se, "ci_high": estimates + z * se}
    )
    critical = math.nan
    if bootstrap is not None and len(estimates):
        boot = multiplier_bootstrap(influence, bootstrap, alpha)
        critical = boot.critical_value
        frame["se_boot"] = boot.se
        frame["band_low"] = estimates - critical * boot.se
        frame["band_high"] = estimates + critical * boot.se
    else:
        frame["se_boot"] = frame["band_low"] = frame["band_high"] = math.nan
    if KEY_COLUMN[kind] is not None:
        frame.insert(0, KEY_COLUMN[kind], keys)
    overall_se = float(_analytical_se(overall_if[:, None])[0])
    return Aggregation(
        kind=kind,
        estimates=frame,
        overall_att=float(overall),
        overall_se=overall_se,
        overall_ci=(float(overall - z * overall_se), float(overall + z * overall_se)),
        critical_value=critical,
        alpha=alpha,
        window=window,
    )


def _simple(cells: Cells, share: dict[int, float], window: EventWindow):
    post = (cells.group <= cells.time) & (cells.time - cells.group <= window.max_e)
    att, infl = _weighted(cells, post, share)
    return [], np.empty(0), np.empty((len(infl), 0)), att, infl


def _dynamic(cells: Cells, share: dict[int, float], window: EventWindow):
    event = cells.time - cells.group
    included = np.ones_like(event, dtype=bool)
    if window.balance_e is not None:
        last, first = cells.time.max(), cells.time.min()
        included = last - cells.group >= window.balance_e
        allowed = (event <= window.balance_e) & (event >= window.balance_e - (last - first))
        included &= allowed
    included &= (event >= window.min_e) & (event <= window.max_e)
    event_times = np.unique(event[included])
    if not len(event_times):
        raise ValueError(
            "no event times left for the dynamic aggregation; widen min_e/max_e/balance_e"
        )
    pairs = [_weighted(cells, included & (event == e), share) for e in event_times]
    estimates = np.array([p[0] for p in pairs])
    influence = np.column_stack([p[1] for p in pairs])
    positive = event_times >= 0
    overall = estimates[positive].mean() if positive.any() else math.nan
    overall_if = (
        influence[:, positive].mean(axis=1) if positive.any() else np.full(len(influence), np.nan)
    )
    return event_times.astype(int), estimates, influence, overall, overall_if


def _group(cells: Cells, share: dict[int, float], window: EventWindow):
    groups = np.unique(cells.group)
    post = (cells.group <= cells.time) & (cells.time - cells.group <= window.max_e)
    columns = [post & (cells.group == g) for g in groups]
    estimates = np.array([cells.att[c].mean() for c in columns])
    influence = np.column_stack([cells.influence[:, c].mean(axis=1) for c in columns])
    group_share = np.array([share[g] for g in groups])
    overall, overall_if = _combine(estimates, influence, group_share, groups, cells.unit_cohort)
    return cells.periods[groups], estimates, influence, overall, overall_if


def _calendar(cells: Cells, share: dict[int, float], window: EventWindow):
    times = np.unique(cells.time[cells.time >= cells.group.min()])
    pairs = [_weighted(cells, (cells.time == t) & (cells.group <= t), share) for t in times]
    estimates = np.array([p[0] for p in pairs])
    influence = np.column_stack([p[1] for p in pairs])
    return cells.periods[times], estimates, influence, estimates.mean(), influence.mean(axis=1)


_OPTIONS = {
    "simple": ("max_e",),
    "dynamic": ("min_e", "max_e", "balance_e"),
    "group": ("max_e",),
    "calendar": (),
}
_BUILDERS = {"simple": _simple, "dynamic": _dynamic, "group": _group, "calendar": _calendar}


def _weighted(cells: Cells, mask: np.ndarray, share: dict[int, float]) -> tuple[float, np.ndarray]:
    """Cohort-share weighted average of the masked cells, with the weight-estimation term."""
    groups = cells.group[mask]
    weights = np.array([share[g] for g in groups])
    return _combine(cells.att[mask], cells.influence[:, mask], weights, groups, cells.unit_cohort)


def _combine(
    values: np.ndarray,
    influence: np.ndarray,
    shares: np.ndarray,
    groups: np.ndarray,
    unit_cohort: np.ndarray,
) -> tuple[float, np.ndarray]:
    """sum_k (p_k / sum p) * value_k and its influence function (aggte's get_agg_inf_func + wif).

    The shares p_k = P(G = g_k) are estimated, which adds, per unit,
    sum_k att_k [ (1{G=g_k} - p_k) / S - (sum_j (1{G=g_j} - p_j)) p_k / S^2 ],  S = sum p.
    """
    total = shares.sum()
    weights = shares / total
    estimate = float(weights @ values)
    deviation = (unit_cohort[:, None] == groups[None, :]) - shares[None, :]
    weight_if = deviation @ values / total - deviation.sum(axis=1) * (shares @ values) / total**2
    return estimate, influence @ weights + weight_if


def _cohort_shares(cells: Cells) -> dict[int, float]:
    return {int(g): float(np.mean(cells.unit_cohort == g)) for g in np.unique(cells.group)}


def _analytical_se(influence: np.ndarray) -> np.ndarray:
    n = influence.shape[0]
    se = np.sqrt((influence**2).sum(axis=0)) / n
    return np.where(se > _DEGENERATE, se, np.nan)
