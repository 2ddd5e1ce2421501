"""Several treated units, possibly with staggered starts: per-unit fits and a pooled effect.

Each treated unit gets its own synthetic control from the never-treated donors, fitted with its
own start (for SDID, units sharing a start form one block, as SDID estimates a block's average).
The pooled effect is the average of the per-unit gaps by event time (periods since that unit's
start), with the number of units behind each event time; the pooled ATT is the average of the
per-unit ATTs.

Inference pools the per-unit in-space placebos as Cavallo, Galiani, Noy & Pantano (2013) do:
the statistic is the mean of the treated units' post/pre RMSPE ratios, and its null
distribution takes one unit from each treated unit's placebo set (the treated unit itself
included, as in the single-unit rank p-value) and averages their ratios -- all combinations when
there are at most 100 000, otherwise 100 000 random ones (seeded).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.synth import plots
from vaikutus.evaluation.synth.estimators import FitContext, Spec
from vaikutus.evaluation.synth.inference import PlaceboSet
from vaikutus.evaluation.synth.panel import SynthInputError, WidePanel, show, time_text
from vaikutus.evaluation.synth.result import SynthResult, build_result

MAX_COMBINATIONS = 100_000


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class PooledSynthResult:
    """Per-unit synthetic controls and their average by event time."""

    method: str
    outcome: str
    units: dict[Hashable, SynthResult]
    starts: dict[Hashable, object]
    weights: pd.DataFrame
    path: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    att: float
    placebos: dict[Hashable, PlaceboSet] | None = None
    p_value: float | None = None

    def placebo(self, prune: float = 5.0) -> dict[Hashable, PlaceboSet]:
        return {label: unit.placebo(prune) for label, unit in self.units.items()}

    def with_placebos(self, prune: float = 5.0, seed: int = 0) -> PooledSynthResult:
        sets = self.placebo(prune)
        return replace(self, placebos=sets, p_value=pooled_p_value(sets, seed))

    def summary(self) -> str:
        lines = [
            f"Pooled synthetic control ({self.method}): {len(self.units)} fits",
            f"  pooled ATT (mean of per-unit ATTs) {self.att:.4f}; "
            f"pre-RMSPE {self.pre_rmspe:.4f}, post-RMSPE {self.post_rmspe:.4f}",
        ]
        if self.p_value is not None:
            lines.append(f"  pooled placebo p-value (mean RMSPE ratio) {self.p_value:.4f}")
        lines.append("  gap by event time (units):")
        for row in self.path.itertuples():
            lines.append(f"    {row.event_time:4d}: {row.gap:10.4f} ({row.n_units})")
        for label, unit in self.units.items():
            p = "" if unit.placebos is None else f", placebo p {unit.placebos.p_value:.3f}"
            lines.append(
                f"  {label}: start {time_text(unit.start)}, ATT {unit.att:.4f}, "
                f"pre-RMSPE {unit.pre_rmspe:.4f}{p}"
            )
            lines += [f"    WARNING: {w}" for w in unit.warnings]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        return self.path.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "outcome": self.outcome,
            "weights": {str(k): v.dropna().to_dict() for k, v in self.weights.items()},
            "path": self.path,
            "pre_rmspe": self.pre_rmspe,
            "post_rmspe": self.post_rmspe,
            "att": self.att,
            "p_value": self.p_value,
            "units": {
                str(label): {
                    "start": unit.start,
                    "att": unit.att,
                    "pre_rmspe": unit.pre_rmspe,
                    "post_rmspe": unit.post_rmspe,
                    "p_value": None if unit.placebos is None else unit.placebos.p_value,
                    "warnings": list(unit.warnings),
                }
                for label, unit in self.units.items()
            },
        }

    def figures(self) -> dict[str, Any]:
        average = self.weights.fillna(0.0).mean(axis=1).rename("mean weight")
        return {"event_time": self.plot(), "weights": plots.weights(average)}

    def plot(self):
        return plots.event_time(self.path, [_event_path(u) for u in self.units.values()])


def fit_pooled(
    panel: WidePanel,
    starts: Mapping[Hashable, object],
    donors: Sequence[Hashable],
    spec: Spec,
    *,
    placebo: bool,
    prune: float,
    se: str,
    replications: int,
) -> PooledSynthResult:
    """One fit per treated unit (per start cohort for SDID), then the event-time average."""
    groups: dict[Hashable, list[Hashable]] = {}
    for unit, start in starts.items():
        key = f"start {time_text(panel.coerce_time(start))}" if spec.method == "sdid" else unit
        groups.setdefault(key, []).append(unit)
    donor_rows = panel.rows(donors)
    units: dict[Hashable, SynthResult] = {}
    for key, members in groups.items():
        start_pos = panel.position(starts[members[0]])
        if start_pos < 2:
            raise SynthInputError(
                f"treated unit {show(members[0])}: fewer than two pre-treatment periods"
            )
        context = FitContext(panel, panel.rows(members), donor_rows, start_pos, spec)
        label = members[0] if len(members) == 1 else tuple(members)
        name = ", ".join(map(str, members))
        units[key] = build_result(context, label, label=name, se=se, replications=replications)
    result = _pool(units, spec.method, panel.outcome_name, starts)
    return result.with_placebos(prune, spec.seed) if placebo else result


def _event_path(unit: SynthResult) -> pd.DataFrame:
    start_pos = int(np.flatnonzero(unit.path["time"].to_numpy() == unit.start)[0])
    return unit.path.assign(event_time=np.arange(len(unit.path)) - start_pos)


def _pool(
    units: dict[Hashable, SynthResult], method: str, outcome: str, starts: Mapping[Hashable, object]
) -> PooledSynthResult:
    stacked = pd.concat([_event_path(u) for u in units.values()], ignore_index=True)
    path = (
        stacked.groupby("event_time")
        .agg(
            observed=("observed", "mean"),
            synthetic=("synthetic", "mean"),
            gap=("gap", "mean"),
            n_units=("gap", "size"),
        )
        .reset_index()
    )
    weights = pd.DataFrame({str(k): u.weights for k, u in units.items()})
    return PooledSynthResult(
        method=method,
        outcome=outcome,
        units=units,
        starts=dict(starts),
        weights=weights,
        path=path,
        pre_rmspe=float(np.sqrt(np.mean([u.pre_rmspe**2 for u in units.values()]))),
        post_rmspe=float(np.sqrt(np.mean([u.post_rmspe**2 for u in units.values()]))),
        att=float(np.mean([u.att for u in units.values()])),
    )


def pooled_p_value(sets: Mapping[Hashable, PlaceboSet], seed: int = 0) -> float:
    """Share of placebo combinations whose mean ratio reaches the treated units' mean ratio."""
    ratio_sets = [s.ratios.to_numpy() for s in sets.values()]
    observed = float(np.mean([s.ratios[s.treated] for s in sets.values()]))
    threshold = observed * (1 - 1e-12)
    if math.prod(r.size for r in ratio_sets) <= MAX_COMBINATIONS:
        sums = np.zeros(1)
        for ratios in ratio_sets:
            sums = (sums[:, None] + ratios[None, :]).ravel()
        means = sums / len(ratio_sets)
    else:
        rng = np.random.default_rng(seed)
        draws = np.column_stack([rng.choice(r, MAX_COMBINATIONS) for r in ratio_sets])
        means = draws.mean(axis=1)
    return float(np.mean(means >= threshold))
