"""Callaway & Sant'Anna (2021) group-time average treatment effects for staggered adoption.

``attgt`` reproduces R ``did::att_gt`` for balanced panels: the same cells (varying or universal
base period), comparison groups (never treated, or not yet treated by the later of the two
compared periods), 2x2 estimators (``reg``, ``ipw``, ``dr``) with covariates taken at the earlier
of the two periods, influence-function standard errors and the multiplier-bootstrap uniform band.

Why our own code rather than a library: R ``did`` is the reference but is R; the Python port
``differences`` is GPL-3 and slow on long monthly panels (see ``benchmarks/results.md``);
pyfixest has no Callaway & Sant'Anna estimator. All cells are estimated in a few batched numpy
calls (:mod:`~vaikutus.evaluation.did.twobytwo`) instead of one regression per cell.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from vaikutus.evaluation.did.aggregate import KINDS, Aggregation, Cells, EventWindow, aggregate
from vaikutus.evaluation.did.bootstrap import WEIGHT_KINDS, BootstrapSpec, multiplier_bootstrap
from vaikutus.evaluation.did.panel import StaggeredPanel, build_panel
from vaikutus.evaluation.did.twobytwo import METHODS, estimate_cells

CONTROLS = ("never", "notyet")
BASE_PERIODS = ("varying", "universal")
_CELL_CHUNK_ELEMENTS = 3_000_000


@dataclass(frozen=True)
class DidSettings:
    """The choices behind a result, kept so it can be reported and re-run."""

    unit: str
    time: str
    outcome: str
    group: str
    control: str
    method: str
    covariates: tuple[str, ...]
    base_period: str
    alpha: float
    bootstrap: int | None
    bootstrap_weights: str
    seed: int

    def bootstrap_spec(self) -> BootstrapSpec | None:
        if self.bootstrap is None:
            return None
        return BootstrapSpec(draws=self.bootstrap, weights=self.bootstrap_weights, seed=self.seed)

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True, eq=False)
class AttGtResult:
    """Group-time ATTs with everything needed to aggregate them and to compare with TWFE.

    ``att_gt`` columns: group, time, event_time, base_time, post, att, se (analytical), ci_low,
    ci_high (pointwise), se_boot, band_low, band_high (uniform sup-t band over all cells; NaN
    without the bootstrap), n_treated, n_control.
    """

    att_gt: pd.DataFrame
    critical_value: float
    settings: DidSettings
    panel: StaggeredPanel = field(repr=False)
    influence: np.ndarray = field(repr=False)
    reported_aggregations: tuple[str, ...] = KINDS
    event_window: EventWindow = field(default_factory=EventWindow)

    def aggregate(
        self,
        kind: str,
        *,
        min_e: float | None = None,
        max_e: float | None = None,
        balance_e: int | None = None,
    ) -> Aggregation:
        """``did::aggte``: ``kind`` is simple, dynamic, group or calendar.

        ``max_e`` limits the post-treatment cells used by simple, group and dynamic; ``min_e`` and
        ``balance_e`` (keep only cohorts observed for at least ``balance_e + 1`` periods after
        treatment) apply to the dynamic event study. Cells that could not be estimated are left
        out with a warning.
        """
        window = EventWindow(
            min_e=-math.inf if min_e is None else min_e,
            max_e=math.inf if max_e is None else max_e,
            balance_e=balance_e,
        )
        return aggregate(
            self._cells(),
            kind,
            window=window,
            alpha=self.settings.alpha,
            bootstrap=self.settings.bootstrap_spec(),
        )

    def reporting(
        self,
        kinds: tuple[str, ...] | list[str] = KINDS,
        *,
        min_e: float | None = None,
        max_e: float | None = None,
        balance_e: int | None = None,
    ) -> AttGtResult:
        """A copy that reports ``kinds`` (and the dynamic event window) in summaries and files."""
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown aggregation(s) {unknown}; choose from {', '.join(KINDS)}")
        window = EventWindow(
            min_e=-math.inf if min_e is None else min_e,
            max_e=math.inf if max_e is None else max_e,
            balance_e=balance_e,
        )
        return replace(self, reported_aggregations=tuple(kinds), event_window=window)

    def aggregations(self) -> dict[str, Aggregation]:
        """The reported aggregations; the event window applies where the kind accepts it."""
        window = self.event_window
        out = {}
        for kind in self.reported_aggregations:
            options: dict[str, Any] = {"max_e": None if window.max_e == math.inf else window.max_e}
            if kind == "dynamic":
                options.update(
                    min_e=None if window.min_e == -math.inf else window.min_e,
                    balance_e=window.balance_e,
                )
            if kind == "calendar":
                options = {}
            out[kind] = self.aggregate(kind, **options)
        return out

    def twfe(self, relative_tolerance: float = 0.10, event_study: bool | None = None):
        """TWFE estimate (pyfixest), its negative-weight diagnostic and a TWFE event-study check.

        Warns (:class:`~vaikutus.evaluation.did.twfe.TwfeBiasWarning`) when any treated cell gets
        a negative TWFE weight, or when TWFE and the CS simple ATT differ by more than
        ``relative_tolerance`` of the CS estimate and by more than its standard error.
        ``event_study``: run pyfixest's saturated event study (default: only when it is small).
        """
        from vaikutus.evaluation.did.twfe import compare_twfe

        dynamic = self.aggregate("dynamic")
        return compare_twfe(
            self.panel,
            att_gt=self.att_gt,
            simple=self.aggregate("simple"),
            dynamic=dynamic,
            alpha=self.settings.alpha,
            relative_tolerance=relative_tolerance,
            event_study=event_study,
        )

    @cached_property
    def _default_twfe(self):
        """``twfe()`` with default options, computed once for summaries and files."""
        return self.twfe()

    def summary(self) -> str:
        s = self.settings
        header = [
            "Callaway & Sant'Anna (2021) staggered difference-in-differences",
            f"  outcome {s.outcome}; units {self.panel.n_units} ({s.unit}); periods "
            f"{self.panel.n_periods} ({s.time}); "
            f"cohorts {', '.join(map(str, self._cohort_labels()))}",
            f"  comparison: {'never treated' if s.control == 'never' else 'not yet treated'}; "
            f"estimator: {s.method}; covariates: {', '.join(s.covariates) or 'none'}; "
            f"base period: {s.base_period}",
            "  inference: influence-function SEs; "
            + (
                f"{s.bootstrap} {s.bootstrap_weights} multiplier-bootstrap draws (seed {s.seed}), "
                f"uniform critical value {self.critical_value:.3f}"
                if s.bootstrap
                else "no bootstrap (no uniform bands)"
            ),
            "",
            "Group-time ATTs:",
            self.att_gt[
                ["group", "time", "att", "se", "ci_low", "ci_high", "band_low", "band_high"]
            ].to_string(index=False, float_format=lambda v: f"{v:.4f}"),
        ]
        parts = ["\n".join(header)]
        parts += [agg.summary() for agg in self.aggregations().values()]
        parts.append(self._default_twfe.summary())
        return "\n\n".join(parts)

    def to_frame(self) -> pd.DataFrame:
        return self.att_gt.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "did",
            "estimator": "Callaway & Sant'Anna (2021) group-time ATT",
            "settings": self.settings.to_dict(),
            "n_units": self.panel.n_units,
            "periods": self.panel.periods.tolist(),
            "cohorts": self._cohort_labels(),
            "att_gt": self.att_gt.to_dict(orient="records"),
            "uniform_critical_value": self.critical_value,
            "aggregations": {k: a.to_dict() for k, a in self.aggregations().items()},
            "twfe": self._default_twfe.to_dict(),
        }

    def figures(self) -> dict[str, Any]:
        from vaikutus.evaluation.did.figures import plot_group_time, plot_twfe_weights
        from vaikutus.evaluation.did.twfe import twfe_weights

        return {
            "event_study": self.plot(),
            "group_time_att": plot_group_time(self.att_gt, self.settings),
            "twfe_weights": plot_twfe_weights(twfe_weights(self.panel)),
        }

    def plot(self):
        """The event study (dynamic aggregation) with its uniform band."""
        window = self.event_window
        return self.aggregate(
            "dynamic",
            min_e=None if window.min_e == -math.inf else window.min_e,
            max_e=None if window.max_e == math.inf else window.max_e,
            balance_e=window.balance_e,
        ).plot()

    def _cohort_labels(self) -> list:
        return self.panel.periods[self.panel.cohorts].tolist()

    def _cells(self) -> Cells:
        table = self.att_gt
        finite = np.isfinite(table["att"].to_numpy())
        if not finite.all():
            dropped = table.loc[~finite, ["group", "time"]].to_records(index=False).tolist()
            warnings.warn(f"aggregating without the unestimated cells {dropped}", stacklevel=3)
        return Cells(
            group=_positions(self, "group")[finite],
            time=_positions(self, "time")[finite],
            att=table["att"].to_numpy()[finite],
            influence=self.influence[:, finite],
            unit_cohort=self.panel.cohort,
            periods=self.panel.periods,
        )


def _positions(result: AttGtResult, column: str) -> np.ndarray:
    lookup = {label: i for i, label in enumerate(result.panel.periods.tolist())}
    return np.array([lookup[v] for v in result.att_gt[column]], dtype=int)


def attgt(
    panel: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    group: str,
    control: str = "never",
    method: str = "dr",
    covariates: list[str] | tuple[str, ...] | None = None,
    base_period: str = "varying",
    alpha: float = 0.05,
    bootstrap: int | None = 999,
    bootstrap_weights: str = "mammen",
    seed: int | None = None,
) -> AttGtResult:
    """Estimate ATT(g,t) for every cohort g and period t (R ``did::att_gt`` on a balanced panel).

    ``group`` holds each unit's first treated period (0 or missing: never treated). ``control``
    is ``"never"`` or ``"notyet"``; ``method`` is ``"dr"`` (doubly robust, did's default), ``"ipw"``
    or ``"reg"``; ``covariates`` are column names (values at the earlier period of each 2x2
    comparison are used). ``bootstrap`` draws (``None`` to skip) give bootstrap SEs and the
    uniform band; ``seed`` fixes them (a random seed is drawn and recorded when omitted).
    """
    _check_choice("control", control, CONTROLS)
    _check_choice("method", method, METHODS)
    _check_choice("base_period", base_period, BASE_PERIODS)
    _check_choice("bootstrap_weights", bootstrap_weights, WEIGHT_KINDS)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha}")
    if bootstrap is not None and (not isinstance(bootstrap, (int, np.integer)) or bootstrap < 2):
        raise ValueError(f"bootstrap must be a number of draws >= 2 or None; got {bootstrap!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)

    data = build_panel(
        panel,
        unit=unit,
        time=time,
        outcome=outcome,
        group=group,
        covariates=covariates,
        control=control,
    )
    settings = DidSettings(
        unit=unit,
        time=time,
        outcome=outcome,
        group=group,
        control=control,
        method=method,
        covariates=tuple(covariates or ()),
        base_period=base_period,
        alpha=alpha,
        bootstrap=None if bootstrap is None else int(bootstrap),
        bootstrap_weights=bootstrap_weights,
        seed=int(seed),
    )
    layout = _cell_layout(data, base_period)
    att, influence, counts, problems = _estimate(data, layout, control, method)
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        warnings.warn(f"ATT(g,t) not estimated for {len(problems)} cells: {shown}", stacklevel=2)

    n = data.n_units
    z = norm.ppf(1 - alpha / 2)
    se = np.sqrt((influence**2).sum(axis=0)) / n
    se = np.where(se > np.sqrt(np.finfo(float).eps) * 10, se, np.nan)
    table = pd.DataFrame(
        {
            "group": data.periods[layout["group"]],
            "time": data.periods[layout["time"]],
            "event_time": layout["time"] - layout["group"],
            "base_time": data.periods[layout["base"]],
            "post": layout["time"] >= layout["group"],
            "att": att,
            "se": se,
            "ci_low": att - z * se,
            "ci_high": att + z * se,
        }
    )
    critical = math.nan
    table["se_boot"] = table["band_low"] = table["band_high"] = math.nan
    spec = settings.bootstrap_spec()
    if spec is not None:
        boot = multiplier_bootstrap(influence, spec, alpha)
        critical = boot.critical_value
        table["se_boot"] = boot.se
        table["band_low"] = att - critical * boot.se
        table["band_high"] = att + critical * boot.se
    table["n_treated"], table["n_control"] = counts
    return AttGtResult(
        att_gt=table, critical_value=critical, settings=settings, panel=data, influence=influence
    )


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


def _cell_layout(panel: StaggeredPanel, base_period: str) -> dict[str, np.ndarray]:
    """Positions (group, time, base) of every ATT(g,t) cell, in R's order (group, then time).

    Varying base: t runs from the second period; post cells compare with g - 1, pre cells with
    t - 1. Universal base: every period is compared with g - 1 (the g - 1 cell itself is 0).
    """
    times = np.arange(1 if base_period == "varying" else 0, panel.n_periods)
    groups = panel.cohorts
    g = np.repeat(groups, len(times))
    t = np.tile(times, len(groups))
    base = np.where((t >= g) | (base_period == "universal"), g - 1, t - 1)
    return {"group": g, "time": t, "base": base}


def _estimate(panel: StaggeredPanel, layout: dict[str, np.ndarray], control: str, method: str):
    """Estimate all cells in chunks; returns att, influence (units x cells), counts, problems."""
    g, t, base = layout["group"], layout["time"], layout["base"]
    n, k = panel.n_units, len(g)
    att = np.zeros(k)
    influence = np.zeros((n, k))
    n_treated = np.zeros(k, dtype=int)
    n_control = np.zeros(k, dtype=int)
    problems: list[str] = []
    estimable = np.flatnonzero(t != base)  # universal base: the base cell is 0 by construction
    p = panel.covariates.shape[2]
    chunk = max(1, _CELL_CHUNK_ELEMENTS // (n * p))
    cohort = panel.cohort[None, :]
    for start in range(0, len(estimable), chunk):
        idx = estimable[start : start + chunk]
        treated = cohort == g[idx, None]
        comparison = np.isinf(cohort)
        if control == "notyet":
            cutoff = np.maximum(t[idx], base[idx])[:, None]
            comparison = comparison | ((cohort > cutoff) & ~treated)
        comparison = np.broadcast_to(comparison, treated.shape)
        delta_y = (panel.outcomes[:, t[idx]] - panel.outcomes[:, base[idx]]).T
        design = panel.covariates[:, np.minimum(t[idx], base[idx]), :].transpose(1, 0, 2)
        result = estimate_cells(delta_y, treated, comparison, design, method)
        att[idx] = result.att
        influence[:, idx] = result.influence.T
        n_treated[idx] = treated.sum(axis=1)
        n_control[idx] = comparison.sum(axis=1)
        for cell, reason in zip(idx, result.problem, strict=True):
            if reason is not None:
                problems.append(
                    f"(g={panel.periods[g[cell]]}, t={panel.periods[t[cell]]}): {reason}"
                )
    return att, influence, (n_treated, n_control), problems
