"""Turn a tidy long panel into the wide arrays the staggered DiD engine works on.

The estimator needs one outcome row per unit and period (a balanced panel), each unit's first
treated period, and optional covariates. This module checks the input once, with errors that name
the column, unit or row at fault, and applies the same sample rules as R's ``did`` 2.x
(``pre_process_did2``) so that results are comparable:

* a group value of 0 or missing means "never treated"; a first-treated period after the last
  observed period also counts as never treated;
* units already treated in the first period have no untreated period and are dropped (warning);
* with ``control="notyet"`` and no never-treated units, periods from the last cohort's first
  treated period on are dropped and that cohort serves only as a comparison group (warning).

Periods are handled by position (0, 1, ...), so event time is counted in periods, as R's ``did``
does after recoding its time index.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

NEVER = np.inf
"""Cohort position of never-treated units (compares greater than every period)."""


@dataclass(frozen=True, eq=False)
class StaggeredPanel:
    """A balanced panel in wide form, with each unit's cohort as a period position.

    ``outcomes`` is (units, periods); ``covariates`` is (units, periods, k) with a leading column
    of ones (intercept), so an unconditional analysis simply has k = 1.
    """

    units: np.ndarray
    periods: np.ndarray
    outcomes: np.ndarray
    cohort: np.ndarray
    covariates: np.ndarray
    covariate_names: tuple[str, ...]

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    @property
    def cohorts(self) -> np.ndarray:
        """Positions of the treated cohorts' first treated periods, ascending."""
        finite = self.cohort[np.isfinite(self.cohort)]
        return np.unique(finite).astype(int)

    def treated_indicator(self) -> np.ndarray:
        """D_it = 1 once a unit is treated (absorbing treatment), shape (units, periods)."""
        return (np.arange(self.n_periods)[None, :] >= self.cohort[:, None]).astype(float)

    def long_frame(self) -> pd.DataFrame:
        """Long frame with fixed column names (unit, time, cohort, y, d) for formula-based tools."""
        n, t = self.outcomes.shape
        return pd.DataFrame(
            {
                "unit": np.repeat(np.arange(n), t),
                "time": np.tile(np.arange(t), n),
                "cohort": np.repeat(self.cohort, t),
                "y": self.outcomes.ravel(),
                "d": self.treated_indicator().ravel(),
            }
        )


def build_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    group: str,
    covariates: list[str] | tuple[str, ...] | None,
    control: str,
) -> StaggeredPanel:
    """Validate ``data`` and return the wide :class:`StaggeredPanel` used by :func:`attgt`."""
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise ValueError("panel must be a non-empty pandas DataFrame")
    covariates = list(covariates or [])
    _require_columns(data, [unit, time, outcome, group, *covariates])
    frame = data[[unit, time, outcome, group, *covariates]]
    _require_numeric(frame, [time, outcome, group, *covariates])
    _require_complete(frame, [unit, time, outcome, *covariates])

    duplicated = frame.duplicated([unit, time], keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, [unit, time]].iloc[0]
        raise ValueError(
            f"panel has {int(duplicated.sum())} rows with a repeated ({unit}, {time}) pair, "
            f"e.g. {unit}={_label(first[unit])!r}, {time}={_label(first[time])!r}; "
            "each unit needs one row per period"
        )

    group_values = frame[group].fillna(0)
    varying = group_values.groupby(frame[unit]).nunique()
    if (varying > 1).any():
        raise ValueError(
            f"column {group!r} must be constant within a unit (first treated period); "
            f"it varies for {unit}={_label(varying.index[varying > 1][0])!r}"
        )

    periods = np.sort(frame[time].unique())
    wide = frame.pivot(index=unit, columns=time, values=outcome).reindex(columns=periods)
    missing = wide.isna().sum(axis=1)
    if (missing > 0).any():
        bad = missing.index[missing > 0]
        raise ValueError(
            f"panel is unbalanced: {len(bad)} units miss some of the {len(periods)} periods "
            f"(e.g. {unit}={_label(bad[0])!r} misses {int(missing[bad[0]])}); "
            "the engine needs a balanced panel"
        )
    unit_group = group_values.groupby(frame[unit]).first().reindex(wide.index)
    cohort = _cohort_positions(unit_group.to_numpy(dtype=float), periods, group)

    keep = cohort > 0
    if not keep.all():
        warnings.warn(
            f"dropped {int((~keep).sum())} units already treated in the first period "
            f"({time}={_label(periods[0])}): they have no untreated period",
            stacklevel=3,
        )
    outcomes = wide.to_numpy(dtype=float)[keep]
    cohort = cohort[keep]
    units = wide.index.to_numpy()[keep]
    design = _covariate_array(frame, unit, time, covariates, wide.index, periods)[keep]

    if not np.isinf(cohort).any():
        if control == "never":
            raise ValueError(
                f"no never-treated units (column {group!r} is never 0 or missing); "
                'use control="notyet" to compare with not-yet-treated units'
            )
        last = int(cohort.max())
        warnings.warn(
            f"no never-treated units: periods from {time}={_label(periods[last])} on are dropped "
            "and the cohort first treated then is used only as a comparison group",
            stacklevel=3,
        )
        outcomes, design, periods = outcomes[:, :last], design[:, :last], periods[:last]
        cohort = np.where(cohort >= last, NEVER, cohort)
    if not np.isfinite(cohort).any():
        raise ValueError(
            f"no treated units: column {group!r} has no first treated period in the data"
        )

    return StaggeredPanel(
        units=units,
        periods=np.array([_label(p) for p in periods]),
        outcomes=outcomes,
        cohort=cohort,
        covariates=design,
        covariate_names=tuple(covariates),
    )


def _require_columns(data: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if missing:
        raise ValueError(
            f"panel has no column(s) {', '.join(map(repr, missing))}; "
            f"available: {', '.join(map(str, data.columns))}"
        )


def _require_numeric(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(
            frame[column]
        ):
            raise ValueError(
                f"column {column!r} must be numeric (got {frame[column].dtype}); "
                "encode periods as numbers (year, yyyymm or an index) and categories as 0/1 columns"
            )


def _require_complete(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        values = frame[column]
        bad = values.isna() | (np.isinf(values) if pd.api.types.is_numeric_dtype(values) else False)
        if bad.any():
            raise ValueError(
                f"column {column!r} has {int(bad.sum())} missing or infinite values "
                f"(first at row {frame.index[bad.to_numpy()][0]!r})"
            )


def _cohort_positions(group: np.ndarray, periods: np.ndarray, column: str) -> np.ndarray:
    """First-treated periods to positions: never treated -> inf, treated at the start -> 0."""
    if (group < 0).any():
        raise ValueError(
            f"column {column!r} has negative values; use 0 or missing for never treated"
        )
    never = (group == 0) | (group > periods[-1])
    position = np.searchsorted(periods, group)
    inside = ~never & (group > periods[0])
    off_grid = inside & (periods[np.minimum(position, len(periods) - 1)] != group)
    if off_grid.any():
        raise ValueError(
            f"column {column!r} value {_label(group[off_grid][0])} is not one of the observed "
            "periods; it must be the first treated period (or 0 / missing for never treated)"
        )
    cohort = np.where(never, NEVER, position.astype(float))
    return np.where(~never & (group <= periods[0]), 0.0, cohort)


def _covariate_array(
    frame: pd.DataFrame,
    unit: str,
    time: str,
    covariates: list[str],
    units: pd.Index,
    periods: np.ndarray,
) -> np.ndarray:
    """(units, periods, 1 + k) array: an intercept column and the covariates' values per period."""
    design = np.ones((len(units), len(periods), 1 + len(covariates)))
    for j, column in enumerate(covariates, start=1):
        wide = frame.pivot(index=unit, columns=time, values=column).reindex(
            index=units, columns=periods
        )
        design[:, :, j] = wide.to_numpy(dtype=float)
    return design


def _label(value: object) -> object:
    """Whole-number floats (2004.0) become ints so tables and JSON read naturally."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
