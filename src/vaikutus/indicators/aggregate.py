"""From municipal monthly quantities to every area and period: the quantity grid.

The grid is a dense array ``values[quantity, area, period]`` (NaN = not available). Additive
quantities are summed from municipalities with a sparse membership matrix - a municipality whose
value is unknown (a missing labour-force year) makes exactly the areas containing it unknown - and
quarters and years are formed from complete sets of months: the mean for stocks, the sum for flows.
Statistics that do not add up (medians, distinct counts) arrive already computed per area and
period and are placed as they are. Numpy rather than SQL here because the grid is small (a few
million cells) and disclosure control needs it as arrays anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from vaikutus.indicators.areas import Areas
from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.indicators.quantities import LABOUR_FORCE_GROUPS, QUANTITIES

log = logging.getLogger(__name__)


@dataclass
class Periods:
    """Months of the register window and the complete quarters and years they make."""

    table: pd.DataFrame  # period_id, period, period_type
    #: for each quarter/year period_id: the month period_ids it averages or sums
    months_of: dict[int, np.ndarray]
    #: for each year period_id: its quarter period_ids
    quarters_of: dict[int, np.ndarray]

    @classmethod
    def from_calendar(cls, cal: pd.DataFrame) -> Periods:
        months = pd.to_datetime(pd.Series(cal["month"])).sort_values(ignore_index=True)
        labels = months.dt.strftime("%Y-%m").tolist()
        rows = [(lab, "month") for lab in labels]
        months_of: dict[int, np.ndarray] = {}
        quarters_of: dict[int, np.ndarray] = {}
        qlab = (months.dt.year.astype(str) + "-Q" + months.dt.quarter.astype(str)).to_numpy()
        quarter_ids: dict[str, int] = {}
        for q in dict.fromkeys(qlab):
            idx = np.flatnonzero(qlab == q)
            if len(idx) == 3:
                quarter_ids[q] = len(rows)
                months_of[len(rows)] = idx
                rows.append((q, "quarter"))
        ylab = months.dt.year.astype(str).to_numpy()
        for y in dict.fromkeys(ylab):
            idx = np.flatnonzero(ylab == y)
            if len(idx) == 12:
                months_of[len(rows)] = idx
                quarters_of[len(rows)] = np.array([quarter_ids[f"{y}-Q{i}"] for i in range(1, 5)])
                rows.append((y, "year"))
        table = pd.DataFrame(rows, columns=["period", "period_type"]).rename_axis("period_id").reset_index()
        return cls(table, months_of, quarters_of)

    @property
    def n(self) -> int:
        return len(self.table)

    @property
    def n_months(self) -> int:
        return int((self.table.period_type == "month").sum())

    def ids(self, labels: pd.Series) -> np.ndarray:
        """period_id of each label ('YYYY-MM', a date or its text, 'YYYY-Qn', 'YYYY'); -1 if none."""
        lookup = pd.Series(self.table.period_id.to_numpy(), index=self.table.period.to_numpy())
        labels = pd.Series(labels)
        if not pd.api.types.is_string_dtype(labels) and not labels.empty:
            labels = pd.to_datetime(labels).dt.strftime("%Y-%m")
        text = labels.astype(str)
        dated = text.str.len() >= 10  # 'YYYY-MM-DD' or a timestamp's text
        text = text.where(~dated, text.str[:7])
        return lookup.reindex(text.to_numpy()).fillna(-1).astype(int).to_numpy()

    def shifted(self, months: int) -> np.ndarray:
        """For each period, the period ``months`` earlier (same type); -1 where there is none."""
        out = np.full(self.n, -1)
        t = self.table
        lookup = dict(zip(t.period, t.period_id))
        for ptype, step in (("month", 1), ("quarter", 3), ("year", 12)):
            if months % step:
                continue
            rows = t[t.period_type == ptype]
            for label, pid in zip(rows.period, rows.period_id):
                out[pid] = lookup.get(_shift_label(label, ptype, -(months // step)), -1)
        return out


def _shift_label(label: str, ptype: str, k: int) -> str:
    if ptype == "month":
        y, m = int(label[:4]), int(label[5:7])
        i = y * 12 + m - 1 + k
        return f"{i // 12}-{i % 12 + 1:02d}"
    if ptype == "quarter":
        y, q = int(label[:4]), int(label[6])
        i = y * 4 + q - 1 + k
        return f"{i // 4}-Q{i % 4 + 1}"
    return str(int(label) + k)


@dataclass
class Grid:
    """values[quantity, area, period]; NaN = not available."""

    areas: pd.DataFrame
    periods: Periods
    quantities: tuple[str, ...]
    values: np.ndarray
    alias: dict[str, str] = field(default_factory=dict)

    def row(self, name: str) -> int:
        return self.quantities.index(self.alias.get(name, name))

    def get(self, name: str) -> np.ndarray:
        return self.values[self.row(name)]


def build_grid(
    areas: Areas,
    cal: pd.DataFrame,
    municipal: list[pd.DataFrame],
    labour_force: pd.DataFrame,
    caseloads: pd.DataFrame,
    area_stats: list[pd.DataFrame],
    params: IndicatorParameters,
    alias: dict[str, str],
) -> Grid:
    """Assemble the grid from the query results.

    ``municipal``: frames with municipality, month and quantity columns (wide) or municipality,
    month, quantity, value (long). ``caseloads``: area, expert_id, month, clients.
    ``area_stats``: quantity, area_type, area_code, period, value.
    """
    periods = Periods.from_calendar(cal)
    quantities = tuple(q for q in QUANTITIES if q not in alias)
    A, P, T = len(areas.index), periods.n, periods.n_months
    values = np.full((len(quantities), A, P), np.nan)
    qrow = {q: i for i, q in enumerate(quantities)}

    muni_q = [q for q in quantities if QUANTITIES[q].area == "sum" and QUANTITIES[q].base == "municipality"]
    base = _municipal_base(areas, periods, municipal, muni_q)
    for q, arr in _labour_force(areas, cal, labour_force, params).items():
        base[muni_q.index(q)] = arr
    monthly = _sum_to_areas(areas, base)
    for i, q in enumerate(muni_q):
        values[qrow[q], :, :T] = monthly[i]

    for q, arr in _caseload_months(areas, periods, caseloads).items():
        values[qrow[q], :, :T] = arr

    for q in quantities:
        if QUANTITIES[q].time in ("mean", "sum") and QUANTITIES[q].area == "sum":
            _fill_periods(values[qrow[q]], periods, QUANTITIES[q].time)
        elif QUANTITIES[q].time == "distinct":
            values[qrow[q]] = 0.0
    _place_stats(values, qrow, areas, periods, [*area_stats, _caseload_stats(periods, caseloads)])
    return Grid(areas.index, periods, quantities, values, alias)


def additive_grid(
    areas: Areas,
    periods: Periods,
    municipal: dict[str, np.ndarray],
    alias: dict[str, str],
    published: dict[str, np.ndarray] | None = None,
) -> Grid:
    """A grid of additive stock quantities given per municipality and month (the aggregate mode).

    ``municipal[q]`` is ``[municipality, month]`` in ``areas.table`` order, NaN where unknown; it is
    summed to every area exactly as the register path sums (an unknown municipality makes the areas
    containing it unknown). ``published[q]`` is ``[area, month]``: where it holds a number it
    replaces the sum (a figure the source publishes for the area itself). Quarters and years are
    formed from complete months; quantities not given stay NaN.
    """
    quantities = tuple(q for q in QUANTITIES if q not in alias)
    values = np.full((len(quantities), len(areas.index), periods.n), np.nan)
    names = list(municipal)
    if not names:
        return Grid(areas.index, periods, quantities, values, alias)
    monthly = _sum_to_areas(areas, np.stack([municipal[q] for q in names]))
    for i, q in enumerate(names):
        row = quantities.index(q)
        own = (published or {}).get(q)
        values[row, :, : periods.n_months] = monthly[i] if own is None else np.where(np.isnan(own), monthly[i], own)
        _fill_periods(values[row], periods, QUANTITIES[q].time)
    return Grid(areas.index, periods, quantities, values, alias)


def _municipal_base(areas: Areas, periods: Periods, frames: list[pd.DataFrame], names: list[str]) -> np.ndarray:
    munis = pd.Series(np.arange(len(areas.table)), index=areas.table.municipality.to_numpy())
    base = np.zeros((len(names), len(munis), periods.n_months))
    col = {q: i for i, q in enumerate(names)}
    for frame in frames:
        if frame.empty:
            continue
        if "quantity" in frame.columns:
            frame = frame.pivot_table(index=["municipality", "month"], columns="quantity", values="value",
                                      aggfunc="sum", fill_value=0).reset_index()
        m_idx = munis.reindex(frame.municipality.astype(str).to_numpy()).to_numpy()
        t_idx = periods.ids(pd.Series(frame.month))
        ok = ~np.isnan(m_idx) & (t_idx >= 0) & (t_idx < periods.n_months)
        unknown = frame.municipality[np.isnan(m_idx)].astype(str).unique()
        if len(unknown):
            log.warning("records of unknown municipality %s are left out of every area", sorted(unknown)[:10])
        for q in frame.columns.difference(["municipality", "month"]):
            if q in col:
                np.add.at(base[col[q]], (m_idx[ok].astype(int), t_idx[ok]), frame[q].to_numpy(dtype=float)[ok])
    return base


def _labour_force(areas: Areas, cal: pd.DataFrame, lf: pd.DataFrame, params: IndicatorParameters) -> dict[str, np.ndarray]:
    """Labour force per municipality and month from the year chosen by the lag rule (NaN if none)."""
    munis = areas.table.municipality.to_numpy()
    years = pd.to_datetime(pd.Series(cal["month"])).dt.year.to_numpy()
    out = {}
    for group, q in LABOUR_FORCE_GROUPS.items():
        g = lf[lf.group == group]
        table = g.pivot_table(index="municipality", columns="year", values="persons", aggfunc="sum")
        table = table.reindex(munis)
        available = sorted(table.columns)
        arr = np.full((len(munis), len(years)), np.nan)
        for t, y in enumerate(years):
            chosen = labour_force_year(int(y), available, params.labour_force_lag_years)
            if chosen is not None:
                arr[:, t] = table[chosen].to_numpy(dtype=float)
        out[q] = arr
    return out


def labour_force_year(year: int, available: list[int], lag: int) -> int | None:
    """The labour-force year used for ``year``: year - lag, else the latest earlier year, else the
    earliest available year up to ``year``; None if there is none."""
    earlier = [y for y in available if y <= year - lag]
    if earlier:
        return max(earlier)
    upto = [y for y in available if y <= year]
    return min(upto) if upto else None


def _sum_to_areas(areas: Areas, base: np.ndarray) -> np.ndarray:
    """[q, municipality, month] -> [q, area, month] with the sparse membership matrix."""
    mem = areas.membership
    a_idx = areas.index.set_index(["area_type", "area_code"]).area_id
    rows = a_idx.reindex(pd.MultiIndex.from_frame(mem[["area_type", "area_code"]])).to_numpy()
    cols = pd.Series(np.arange(len(areas.table)), index=areas.table.municipality.to_numpy()).reindex(
        mem.municipality.to_numpy()).to_numpy()
    S = sp.csr_matrix((np.ones(len(mem)), (rows, cols)), shape=(len(areas.index), len(areas.table)))
    Q, M, T = base.shape
    flat = base.transpose(1, 0, 2).reshape(M, Q * T)
    return np.asarray(S @ flat).reshape(len(areas.index), Q, T).transpose(1, 0, 2)


def _fill_periods(v: np.ndarray, periods: Periods, how: str) -> None:
    """Quarters and years from months (mean or sum); a missing month makes the period missing."""
    for pid, months in periods.months_of.items():
        s = v[:, months].sum(axis=1)
        v[:, pid] = s / len(months) if how == "mean" else s


def _caseload_months(areas: Areas, periods: Periods, units: pd.DataFrame) -> dict[str, np.ndarray]:
    """Clients and experts per employment area and the country; other levels stay unknown."""
    A, T = len(areas.index), periods.n_months
    out = {q: np.full((A, T), np.nan) for q in ("caseload_clients", "caseload_experts")}
    ea_ids = areas.area_ids("employment_area")
    country = areas.area_ids("country").iloc[0]
    for arr in out.values():
        arr[ea_ids.to_numpy()] = 0.0
        arr[country] = 0.0
    if units.empty:
        return out
    u = units.assign(area_code=units.area.astype(str), t=periods.ids(pd.Series(units.month)))
    u = u[(u.t >= 0) & (u.t < T)]
    unknown = sorted(set(u.area_code) - set(ea_ids.index))
    if unknown:
        log.warning("caseloads of unknown employment area %s are left out", unknown[:10])
    u = u[u.area_code.isin(ea_ids.index)]
    g = u.groupby(["area_code", "t"]).agg(clients=("clients", "sum"), experts=("clients", "size")).reset_index()
    rows = ea_ids.reindex(g.area_code).to_numpy()
    for q, c in (("caseload_clients", "clients"), ("caseload_experts", "experts")):
        np.add.at(out[q], (rows, g.t.to_numpy()), g[c].to_numpy(dtype=float))
        out[q][country] = out[q][ea_ids.to_numpy()].sum(axis=0)
    return out


def _caseload_stats(periods: Periods, units: pd.DataFrame) -> pd.DataFrame:
    """Median and 90th percentile of clients per expert, per employment area and country."""
    if units.empty:
        return pd.DataFrame(columns=["quantity", "area_type", "area_code", "period", "value"])
    u = units.assign(area_code=units.area.astype(str), period=pd.to_datetime(units.month).dt.strftime("%Y-%m"))
    frames = []
    for level, keys in (("employment_area", ["area_code", "period"]), ("country", ["period"])):
        g = u.groupby(keys)["clients"]
        stats = pd.DataFrame({"caseload_median": g.median(), "caseload_p90": g.quantile(0.9)}).reset_index()
        if level == "country":
            stats["area_code"] = "SSS"
        stats["area_type"] = level
        frames.append(stats.melt(id_vars=["area_type", "area_code", "period"], var_name="quantity"))
    return pd.concat(frames, ignore_index=True)


def _place_stats(values: np.ndarray, qrow: dict[str, int], areas: Areas, periods: Periods,
                 stats: list[pd.DataFrame]) -> None:
    a_idx = areas.index.set_index(["area_type", "area_code"]).area_id
    for s in stats:
        if s.empty:
            continue
        a = a_idx.reindex(pd.MultiIndex.from_arrays([s.area_type.astype(str), s.area_code.astype(str)])).to_numpy()
        p = periods.ids(pd.Series(s.period))
        q = s.quantity.map(qrow).to_numpy()
        ok = ~np.isnan(a) & (p >= 0) & ~pd.isna(q)
        values[q[ok].astype(int), a[ok].astype(int), p[ok]] = s.value.to_numpy(dtype=float)[ok]
