"""From the quantity grid to the long indicator table (the ``indicator_values`` contract).

Columns: indicator, area_type, area_code, period, value, numerator, denominator, flag, source.
``flag`` is NULL, ``suppressed`` (a count it shows is below the threshold), ``secondary_suppressed``
(hidden so that a suppressed cell cannot be recovered by subtraction) or ``not_available`` (a
ratio whose denominator is zero or unknown). In public tables hidden cells have value, numerator
and denominator NULL. ``source`` is ``register`` for figures computed from the register and
``statfin`` for figures computed from public StatFin tables (the aggregate mode, ``statfin.py``).

What each kind shows: count - value = numerator; rate / mean - value = scale * numerator /
denominator; statistic - value, with the number of units as denominator. Periods in which an
indicator has no data anywhere (e.g. service lines after 2022, flows before their first cohort)
are left out rather than filled with ``not_available`` rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaikutus.indicators.aggregate import Grid
from vaikutus.indicators.definitions import IndicatorDefinition
from vaikutus.indicators.quantities import QUANTITIES
from vaikutus.indicators.suppression import Suppression

COLUMNS = ["indicator", "area_type", "area_code", "period", "value", "numerator", "denominator", "flag", "source"]
FLAGS = ("suppressed", "secondary_suppressed", "not_available")
SOURCES = ("register", "statfin")
_NONE, _PRIMARY, _SECONDARY, _NA = 0, 1, 2, 3


def indicator_table(grid: Grid, defs: tuple[IndicatorDefinition, ...], threshold: int,
                    suppression: Suppression | None, *, source: str = "register",
                    withheld: bool = False) -> pd.DataFrame:
    """The long table; public (suppressed) when ``suppression`` is given, else internal.

    ``withheld=True`` says the hidden cells were withheld by the source itself (StatFin's ``...``):
    their values are unknown, so they still get a row, flagged ``suppressed``, never a number.
    """
    Q, A, P = grid.values.shape
    hidden = primary = None
    if suppression is not None:
        hidden = _with_ties(grid, suppression.hidden.reshape(Q, A, P))
        primary = _with_ties(grid, suppression.primary.reshape(Q, A, P))
    area_type = grid.areas.area_type.to_numpy()
    period_type = grid.periods.table.period_type.to_numpy()
    country = np.flatnonzero(area_type == "country")
    shifts = {k: grid.periods.shifted(k) for k in {d.denominator_shift_months for d in defs}}
    parts = []
    for i, d in enumerate(defs):
        shift = shifts[d.denominator_shift_months]
        part = _one(grid, d, shift, threshold, hidden, primary, withheld)
        rows = np.isin(area_type, d.levels)[:, None] & np.isin(period_type, d.periods)[None, :]
        if d.kind != "count":
            rows &= part["exists"][country].any(axis=0)[None, :]
        a, p = np.nonzero(rows & part["keep"])
        parts.append({
            "indicator": np.full(len(a), i, dtype=np.int32), "area_id": a, "period_id": p,
            "value": part["value"][a, p], "numerator": part["num"][a, p],
            "denominator": part["den"][a, p], "flag": part["flag"][a, p],
        })
    out = pd.DataFrame({k: np.concatenate([part[k] for part in parts]) for k in parts[0]})
    return _labelled(out, grid, defs, source)


def _one(grid: Grid, d: IndicatorDefinition, shift: np.ndarray, threshold: int,
         hidden: np.ndarray | None, primary: np.ndarray | None, withheld: bool = False) -> dict[str, np.ndarray]:
    A, P = grid.values.shape[1:]
    nan = np.full((A, P), np.nan)

    def get(name: str | None, shifted: bool = False) -> np.ndarray:
        if name is None:
            return nan
        v = grid.get(name)
        return _shifted(v, shift) if shifted else v

    num = get(d.numerator)
    den = get(d.denominator, shifted=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        if d.kind == "count":
            value, keep = num, ~np.isnan(num)
        elif d.kind == "statistic":
            value, keep = get(d.value), ~np.isnan(den)
        else:
            value, keep = np.where(den > 0, d.scale * num / den, np.nan), ~np.isnan(num) | ~np.isnan(den)
    with np.errstate(invalid="ignore"):
        exists = (den > 0) | ~np.isnan(value)
    flag = np.full((A, P), _NONE, dtype=np.int8)
    if d.kind != "count":
        flag[np.isnan(value) & keep] = _NA
    if hidden is not None:
        names = [(n, n == d.denominator) for n in d.quantities]
        is_hidden = np.zeros((A, P), dtype=bool)
        is_primary = np.zeros((A, P), dtype=bool)
        for name, shifted in names:
            q = QUANTITIES[grid.alias.get(name, name)]
            v_hidden = hidden[grid.row(name)]
            v_primary = primary[grid.row(name)]
            if q.role == "public":  # published elsewhere: the rate rule applies (and the source's own)
                v = grid.get(name)
                with np.errstate(invalid="ignore"):
                    small = (v > 0) & (v < threshold)
                v_primary, v_hidden = v_primary | small, v_hidden | small
            if shifted:
                v_hidden, v_primary = _shifted(v_hidden, shift, False), _shifted(v_primary, shift, False)
            is_hidden |= v_hidden
            is_primary |= v_primary
        # a withheld cell is unknown, so a rate on it has no value: still suppressed, not "n/a"
        covered = is_hidden if withheld else is_hidden & (flag != _NA)
        flag[covered] = _SECONDARY
        flag[is_primary & covered] = _PRIMARY
        if withheld:
            keep = keep | covered
        value, num, den = (np.where(covered, np.nan, x) for x in (value, num, den))
    if d.kind == "count":
        den = nan
    if d.kind == "statistic":
        num = nan
    return {"value": value, "num": num, "den": den, "flag": flag, "keep": keep, "exists": exists}


def _shifted(v: np.ndarray, shift: np.ndarray, fill=np.nan) -> np.ndarray:
    out = v[:, np.maximum(shift, 0)].copy()
    out[:, shift < 0] = fill
    return out


def _with_ties(grid: Grid, mask: np.ndarray) -> np.ndarray:
    """Tied quantities (sums, statistics) are hidden exactly where the count they depend on is."""
    out = mask.copy()
    for i, name in enumerate(grid.quantities):
        q = QUANTITIES[name]
        if q.role == "tied":
            out[i] = mask[grid.row(q.tied_to)]
    return out


def _labelled(out: pd.DataFrame, grid: Grid, defs: tuple[IndicatorDefinition, ...], source: str) -> pd.DataFrame:
    """Ids to labels as categoricals built from codes (millions of rows: no string copies)."""
    ids = [d.id for d in defs]
    types = list(dict.fromkeys(grid.areas.area_type))
    area_type_code = pd.Series(range(len(types)), index=types)[grid.areas.area_type].to_numpy()
    codes, code_of_area = np.unique(grid.areas.area_code.to_numpy(), return_inverse=True)
    area_id = out.area_id.to_numpy()
    return pd.DataFrame({
        "indicator": pd.Categorical.from_codes(out.indicator.to_numpy(), categories=ids),
        "area_type": pd.Categorical.from_codes(area_type_code[area_id], categories=types),
        "area_code": pd.Categorical.from_codes(code_of_area[area_id], categories=codes),
        "period": pd.Categorical.from_codes(out.period_id.to_numpy(), categories=grid.periods.table.period),
        "value": out.value.to_numpy(),
        "numerator": out.numerator.to_numpy(),
        "denominator": out.denominator.to_numpy(),
        "flag": pd.Categorical.from_codes(out.flag.to_numpy() - 1, categories=list(FLAGS)),
        "source": pd.Categorical.from_codes(np.full(len(out), SOURCES.index(source), dtype=np.int8),
                                            categories=list(SOURCES)),
    })
