"""From a tidy long panel to the matrices the estimators work on, with clear errors on bad input.

A synthetic-control study is a tidy DataFrame with one row per unit and time. This module checks
it (columns present, no duplicate unit-time rows, no missing outcomes for the units used),
pivots the outcome and the predictor columns to unit x time matrices once, and computes
predictors as Synth's ``dataprep`` does: each predictor is ``(column, periods, aggregation)``
over the given periods, ignoring missing values (``na.rm = TRUE``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

AGGREGATIONS = {
    "mean": np.nanmean,
    "median": np.nanmedian,
    "sum": np.nansum,
    "min": np.nanmin,
    "max": np.nanmax,
}


class SynthInputError(ValueError):
    """The panel or the options given to a synthetic-control fit cannot be used."""


@dataclass(frozen=True)
class PredictorSpec:
    """One predictor: ``aggregation`` of ``column`` over ``periods`` (``None``: all pre-periods)."""

    column: str
    periods: tuple | None = None
    aggregation: str = "mean"

    @property
    def label(self) -> str:
        if self.periods is None:
            return f"{self.column} ({self.aggregation}, pre-period)"
        first, last = time_text(self.periods[0]), time_text(self.periods[-1])
        if len(self.periods) == 1:
            return f"{self.column} {first}"
        return f"{self.column} ({self.aggregation} {first}–{last})"


def time_text(value: object) -> str:
    """A time value as people write it: 1989, 2019-03 (month starts) or 2019-03-15."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        value = pd.Timestamp(value)
        return value.strftime("%Y-%m") if value.day == 1 else value.strftime("%Y-%m-%d")
    return str(value)


def show(value: object) -> str:
    """A unit or time value in an error message (no numpy reprs)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value) if isinstance(value, str) else time_text(value)


def parse_predictors(predictors: Iterable | None) -> tuple[PredictorSpec, ...] | None:
    """Accept ``"col"``, ``("col", periods)`` or ``("col", periods, "mean")`` items.

    ``periods`` may be one time value, a range or any iterable of time values. ``None`` means
    "use every pre-treatment outcome value as a predictor" (the outcome-path fit).
    """
    if predictors is None:
        return None
    specs = []
    for position, item in enumerate(predictors):
        if isinstance(item, PredictorSpec):
            specs.append(item)
            continue
        if isinstance(item, str):
            specs.append(PredictorSpec(item))
            continue
        if not isinstance(item, Sequence) or not 2 <= len(item) <= 3:
            raise SynthInputError(
                f"predictor {position}: expected 'column', (column, periods) or "
                f"(column, periods, aggregation); got {item!r}"
            )
        column, periods, *rest = item
        aggregation = rest[0] if rest else "mean"
        if aggregation not in AGGREGATIONS:
            raise SynthInputError(
                f"predictor {position} ({column}): aggregation must be one of "
                f"{', '.join(AGGREGATIONS)}; got {aggregation!r}"
            )
        if periods is not None:
            periods = tuple(periods) if _is_iterable(periods) else (periods,)
            if not periods:
                raise SynthInputError(f"predictor {position} ({column}): empty list of periods")
        specs.append(PredictorSpec(str(column), periods, aggregation))
    if not specs:
        raise SynthInputError(
            "predictors: give at least one predictor, or None for all outcome lags"
        )
    return tuple(specs)


def _is_iterable(value: object) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes))


@dataclass(frozen=True)
class WidePanel:
    """Outcome and predictor columns as (unit x time) matrices over sorted unique times."""

    units: tuple[Hashable, ...]
    times: pd.Index
    outcome_name: str
    outcome: np.ndarray
    columns: dict[str, np.ndarray]

    def row(self, unit: Hashable) -> int:
        return self.units.index(unit)

    def rows(self, units: Iterable[Hashable]) -> np.ndarray:
        return np.array([self.row(u) for u in units], dtype=int)

    def coerce_time(self, value: object) -> object:
        """``value`` in the panel's time type (study files give dates and years as text)."""
        if isinstance(self.times, pd.DatetimeIndex):
            return pd.Timestamp(value)
        if pd.api.types.is_integer_dtype(self.times.dtype) and isinstance(value, str):
            return int(value) if value.strip().lstrip("-").isdigit() else value
        return value

    def position(self, time_value: object) -> int:
        """Index of the first period at or after ``time_value`` (the first treated period)."""
        hits = np.flatnonzero(self.times >= self.coerce_time(time_value))
        if hits.size == 0:
            raise SynthInputError(
                f"start {show(time_value)} is after the last period {show(self.times[-1])}"
            )
        return int(hits[0])

    def matrix(self, column: str, outcome: np.ndarray | None = None) -> np.ndarray:
        """The (unit x time) matrix of ``column``; ``outcome`` overrides the outcome column."""
        if column == self.outcome_name:
            return self.outcome if outcome is None else outcome
        return self.columns[column]

    def predictors(
        self,
        specs: tuple[PredictorSpec, ...],
        rows: np.ndarray,
        start_pos: int,
        *,
        outcome: np.ndarray | None = None,
        clip: bool = False,
    ) -> tuple[np.ndarray, tuple[str, ...]]:
        """(k, len(rows)) predictor values and labels for a fit whose first treated period is
        ``times[start_pos]``.

        Periods at or after the start would leak the effect into the match: they are an error,
        unless ``clip`` (in-time placebos with an earlier fake start) drops them -- and drops a
        predictor left with no period at all.
        """
        values, labels = [], []
        for spec in specs:
            data = self.matrix(spec.column, outcome)[rows]
            if spec.periods is None:
                columns = np.arange(start_pos)
                label = spec.label
            else:
                columns = self._period_columns(spec, start_pos, clip)
                if columns.size == 0:
                    continue
                label = spec.label if not clip else _clipped_label(spec, self.times[columns])
            block = data[:, columns]
            missing = np.all(np.isnan(block), axis=1)
            if missing.any():
                unit = self.units[rows[int(np.argmax(missing))]]
                raise SynthInputError(
                    f"predictor {spec.label}: unit {show(unit)} has no non-missing value of "
                    f"column {spec.column!r} in the chosen periods"
                )
            values.append(AGGREGATIONS[spec.aggregation](block, axis=1))
            labels.append(label)
        if not values:
            raise SynthInputError(f"no predictor has a period before {show(self.times[start_pos])}")
        return np.vstack(values), tuple(labels)

    def _period_columns(self, spec: PredictorSpec, start_pos: int, clip: bool) -> np.ndarray:
        periods = [self.coerce_time(p) for p in spec.periods or ()]
        found = self.times.get_indexer(periods)
        if (found < 0).any():
            raise SynthInputError(
                f"predictor {spec.label}: period {show(periods[int(np.argmin(found))])} is not a "
                "time in the panel"
            )
        columns = np.unique(found)
        if clip:
            return columns[columns < start_pos]
        if columns.max() >= start_pos:
            raise SynthInputError(
                f"predictor {spec.label}: period {show(self.times[columns.max()])} is not before "
                f"the treatment start {show(self.times[start_pos])}"
            )
        return columns


def _clipped_label(spec: PredictorSpec, kept: np.ndarray) -> str:
    return PredictorSpec(spec.column, tuple(kept.tolist()), spec.aggregation).label


def require_columns(panel: pd.DataFrame, **roles: str) -> None:
    """Raise a clear error if ``panel`` is not a DataFrame holding the named columns."""
    if not isinstance(panel, pd.DataFrame):
        raise SynthInputError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
    for role, name in roles.items():
        if name not in panel.columns:
            raise SynthInputError(
                f"{role} column {name!r} is not in the panel "
                f"(columns: {', '.join(map(str, panel.columns))})"
            )


def prepare_panel(
    panel: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    units: Sequence[Hashable],
    columns: Iterable[str] = (),
) -> WidePanel:
    """Validate ``panel`` and pivot ``outcome`` and ``columns`` for ``units`` to wide matrices."""
    extra = sorted(set(columns) - {outcome})
    require_columns(panel, unit=unit, time=time, outcome=outcome)
    for column in extra:
        require_columns(panel, predictor=column)
    duplicated = panel.duplicated([unit, time]).to_numpy()
    if duplicated.any():
        position = int(np.argmax(duplicated))
        row = panel.iloc[position]
        raise SynthInputError(
            f"panel has more than one row for {unit}={show(row[unit])}, {time}={show(row[time])} "
            f"(row {position + 1})"
        )
    known = set(panel[unit].unique().tolist())
    unknown = [u for u in units if u not in known]
    if unknown:
        raise SynthInputError(f"unit(s) {unknown!r} not found in column {unit!r}")
    subset = panel[panel[unit].isin(list(units))]
    if pd.api.types.is_float_dtype(subset[time]) and np.all(np.mod(subset[time].dropna(), 1) == 0):
        subset = subset.assign(**{time: subset[time].astype("int64")})  # years read as 1970.0
    if subset[time].isna().any():
        bad = subset.loc[subset[time].isna()].iloc[0]
        raise SynthInputError(f"time column {time!r} is missing for {unit}={show(bad[unit])}")
    times = pd.Index(np.sort(subset[time].unique()))
    outcome_wide = _pivot(subset, unit, time, outcome, units, times)
    missing = np.isnan(outcome_wide)
    if missing.any():
        r, c = np.argwhere(missing)[0]
        raise SynthInputError(
            f"outcome {outcome!r} is missing for {unit}={show(units[r])}, {time}={show(times[c])} "
            f"({int(missing.sum())} missing unit-periods in all); synthetic control needs a "
            "balanced outcome panel -- drop or impute those units first"
        )
    wide = {c: _pivot(subset, unit, time, c, units, times) for c in extra}
    return WidePanel(tuple(units), times, outcome, outcome_wide, wide)


def _pivot(
    frame: pd.DataFrame, unit: str, time: str, column: str, units: Sequence, times: pd.Index
) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().sum() > frame[column].isna().sum():
        bad = frame.loc[values.isna() & frame[column].notna()].iloc[0]
        raise SynthInputError(
            f"column {column!r} must be numeric; {unit}={show(bad[unit])}, "
            f"{time}={show(bad[time])} "
            f"holds {bad[column]!r}"
        )
    table = (
        frame.assign(**{column: values})
        .pivot(index=unit, columns=time, values=column)
        .reindex(index=list(units), columns=times)
    )
    return table.to_numpy(dtype=float)
