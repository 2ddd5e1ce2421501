"""Shares and means with 95 % intervals for many groups at once, and the area levels they are cut by.

Segment profiles and follow-ups are reported for every segment of every employment area and
municipality as well as the whole country - thousands of groups. A Python loop over groups spent
milliseconds on each, so here one pandas group-by computes the counts, sums, means and standard
deviations of all measures together and the intervals are vectorised: Wilson for shares
(``metrics.wilson``), normal or Student t for means.

``stack_areas`` repeats each row once per area level (the whole country, its employment area, its
municipality) so that one group-by covers every level; a row without a known area joins the
country only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import t as student

from vaikutus.profiling.metrics import Z95, wilson

#: Area levels of the stored profiles, largest first; the country's code as in the indicators.
AREA_LEVELS = ("country", "employment_area", "municipality")
COUNTRY_CODE = "SSS"
Interval = Literal["normal", "t"]


def stack_areas(frame: pd.DataFrame, levels: tuple[str, ...] = ("country",)) -> pd.DataFrame:
    """``frame`` once per level with ``area_type`` and ``area_code`` (text) in front."""
    unknown = sorted(set(levels) - set(AREA_LEVELS))
    if unknown:
        raise ValueError(
            f"unknown area level(s) {', '.join(unknown)}; known: {', '.join(AREA_LEVELS)}"
        )
    parts = []
    for level in levels:
        if level == "country":
            codes = pd.Series(COUNTRY_CODE, index=frame.index, dtype="string")
        else:
            if level not in frame.columns:
                raise ValueError(f"the rows have no {level!r} column to group by")
            column = frame[level]
            if pd.api.types.is_numeric_dtype(column):
                column = column.astype("Int64")
            codes = column.astype("string")
        part = frame.assign(area_type=level, area_code=codes)
        parts.append(part[part["area_code"].notna()])
    stacked = pd.concat(parts, ignore_index=True)
    return stacked[["area_type", "area_code", *frame.columns]]


def as_share(values: pd.Series) -> pd.Series:
    """Yes/no values (NULL = not known) as 1.0 / 0.0 / NaN, the input of a share in ``tally``."""
    return values.astype("boolean").astype("Float64").astype(float)


def tally(
    frame: pd.DataFrame,
    by: list[str],
    shares: list[str] = (),
    means: list[str] = (),
    interval: Interval = "normal",
) -> pd.DataFrame:
    """One row per group of ``by`` and measure column: n, count, value, ci_low, ci_high.

    ``shares`` are 0/1 columns (NaN = not known, left out of n), ``count`` is the number of ones;
    ``means`` are numeric columns (NaN left out), their ``count`` is NaN. Groups with a missing key
    are left out.
    """
    grouped = frame.groupby(by, sort=True, observed=True, dropna=True)
    parts = []
    if shares:
        n = _long(grouped[list(shares)].count(), by, "n")
        k = _long(grouped[list(shares)].sum(min_count=1), by, "count")
        part = n.merge(k, on=[*by, "column"])
        part["count"] = part["count"].fillna(0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            part["value"] = part["count"] / part["n"].where(part["n"] > 0)
        low, high = wilson(part["count"].to_numpy(), part["n"].to_numpy())
        # a share's interval lies in [0, 1]; the clip removes rounding residue like -1e-17
        part["ci_low"], part["ci_high"] = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
        parts.append(part)
    if means:
        n = _long(grouped[list(means)].count(), by, "n")
        mean = _long(grouped[list(means)].mean(), by, "value")
        sd = _long(grouped[list(means)].std(ddof=1), by, "sd")
        part = n.merge(mean, on=[*by, "column"]).merge(sd, on=[*by, "column"])
        half = _half_width(part["sd"].to_numpy(), part["n"].to_numpy(dtype=float), interval)
        part["count"] = np.nan
        part["ci_low"], part["ci_high"] = part["value"] - half, part["value"] + half
        parts.append(part.drop(columns="sd"))
    if not parts:
        raise ValueError("tally needs at least one share or mean column")
    out = pd.concat(parts, ignore_index=True)
    out["n"] = out["n"].astype("int64")
    return out[[*by, "column", "n", "count", "value", "ci_low", "ci_high"]]


def _long(wide: pd.DataFrame, by: list[str], name: str) -> pd.DataFrame:
    return wide.reset_index().melt(id_vars=by, var_name="column", value_name=name)


def _half_width(sd: np.ndarray, n: np.ndarray, interval: Interval) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(n > 1, sd / np.sqrt(n), np.nan)
        if interval == "t":
            return student.ppf(0.975, np.maximum(n - 1, 1)) * se
        return Z95 * se


def small_cells(n: pd.Series, count: pd.Series, threshold: int) -> pd.Series:
    """Whether a figure rests on 1..threshold-1 persons: the group, those counted, or the rest.

    The complement counts too: "97 of 100" tells about the 3 who are not counted.
    """
    counts = [n, count, n - count]
    small = pd.Series(False, index=n.index)
    for c in counts:
        small |= (c > 0) & (c < threshold)
    return small
