"""Everything a package shows for one half-year, computed once for all employment areas.

``compute_period`` runs the SQL counts (``paths``, ``income``), disclosure control on all of them
together (``disclosure``) and assembles the tables; the regional tables come from the indicator
table (``regional``). A package for one area is a selection of these tables, so the packages of
all areas and the national one are suppressed in the same way and cannot be combined against
each other.

``key_figures`` (one row per figure, area and period) feeds "what changed": the value, the base
it is computed from and its standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from vaikutus.indicators.definitions import catalog
from vaikutus.reports import income, paths, regional
from vaikutus.reports.disclosure import Disclosure
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear
from vaikutus.reports.states import COUNTRY

#: Indicator-stage figures of "what changed" (rates in percent, counts in persons).
KEY_INDICATORS = ("unemployment_share", "activation_rate", "long_term_unemployed")


@dataclass(frozen=True)
class PeriodContent:
    period: HalfYear
    tables: dict[str, pd.DataFrame]
    key_figures: pd.DataFrame
    disclosure: dict[str, int]
    fully_observed: tuple[int, ...]   # horizons every cohort member has reached


def compute_period(con: duckdb.DuckDBPyConnection, period: HalfYear, indicators: pd.DataFrame,
                   last_idx: int, params: PackageParameters, public: bool) -> PeriodContent:
    label = period.label
    counts = paths.count_paths(con, label, params)
    money = income.count_income(con, label, params)
    if public:
        parts, families = paths.path_cells(counts)
        parts += income.income_cells(money)
        d = Disclosure.public(parts, families, params.suppression_threshold)
    else:
        d = Disclosure.internal(params.suppression_threshold)
    tables = paths.state_tables(counts, d, params)
    tables["transitions"] = paths.transition_table(counts, d)
    tables["paths"] = paths.path_table(counts, d)
    tables["time_to_event"] = paths.survival_table(counts, d)
    tables.update(income.earnings_tables(money, d, params))
    tables.update(income.benefits_tables(money, d, params))
    period_end = period.last_month.year * 12 + period.last_month.month - 1
    observed = tuple(h for h in params.horizons if period_end + h <= last_idx)
    values = regional.half_year_values(indicators, period)
    tables.update(_regional_tables(values, tables, params))
    figures = _key_figures(tables, values, period, min(params.horizons) in observed, min(params.horizons))
    return PeriodContent(period, tables, figures, d.counts(), observed)


def _regional_tables(values: pd.DataFrame, tables: dict[str, pd.DataFrame],
                     params: PackageParameters) -> dict[str, pd.DataFrame]:
    kinds = {d.id: d.kind for d in catalog()}
    cohort = _cohort_rates(tables, params)
    kinds.update({ind: "rate" for ind in cohort.indicator.unique()})
    allv = pd.concat([values, cohort], ignore_index=True)
    peers = regional.peer_areas(values, params.peer_count)
    v = regional.with_intervals(allv, kinds, params)
    v = v.merge(regional.peer_values(v, peers), on=["indicator", "area_code"], how="left")
    v = v.sort_values(["indicator", "area_code"], key=_area_order, ignore_index=True)
    return {"regional": v, "peers": peers}


def _area_order(col: pd.Series) -> pd.Series:
    if col.name != "area_code":
        return col
    return col.map(lambda c: -1 if c == COUNTRY else int(c) if str(c).isdigit() else 999)


def _cohort_rates(tables: dict[str, pd.DataFrame], params: PackageParameters) -> pd.DataFrame:
    """The package's own rates by area: open-market work at each horizon (of those observed),
    a service within the first horizon (Kaplan-Meier share of entrants; needs full follow-up)."""
    s = tables["states_monthly"]
    rows = []
    work = s[(s.cohort == "unemployment") & (s.state == "open_market_work") & s.k.isin(params.horizons)]
    for h, part in work.groupby("k"):
        rows.append(pd.DataFrame({
            "indicator": f"cohort_open_market_work_{h}m", "area_code": part.area_code,
            "value": 100 * part.share, "numerator": part.persons, "denominator": part.observed,
            "flag": np.where(part.suppressed, "suppressed", None), "basis": "cohort"}))
    h = min(params.horizons)
    t = tables["time_to_event"]
    svc = t[(t.cohort == "unemployment") & (t.event == "service") & (t.k == h) & (t.group_dim == "all")]
    rows.append(pd.DataFrame({
        "indicator": f"cohort_service_{h}m", "area_code": svc.area_code, "value": 100 * svc.share,
        "numerator": svc.reached, "denominator": svc.entrants,
        "flag": np.where(svc.suppressed, "suppressed", None), "basis": "cohort"}))
    out = pd.concat(rows, ignore_index=True)
    return out[out.area_code != "unknown"]


def _key_figures(tables: dict[str, pd.DataFrame], values: pd.DataFrame, period: HalfYear,
                 observed: bool, h: int) -> pd.DataFrame:
    """value, base and standard error of each key figure by area (NaN where not observable)."""
    s = tables["states_monthly"]
    u = s[s.cohort == "unemployment"]
    rows = []
    entrants = u[(u.k == 0)].drop_duplicates("area_code")
    rows.append(_figure("entrants", "count", entrants.area_code, entrants.observed, entrants.observed,
                        np.sqrt(entrants.observed)))
    for state, name in (("open_market_work", f"open_market_work_{h}m"), ("unemployed", f"unemployed_{h}m")):
        part = u[(u.k == h) & (u.state == state)]
        rows.append(_share_figure(name, part.area_code, part.share, part.observed, observed))
    t = tables["time_to_event"]
    svc = t[(t.cohort == "unemployment") & (t.event == "service") & (t.k == h) & (t.group_dim == "all")]
    rows.append(_share_figure(f"service_{h}m", svc.area_code, svc.share, svc.entrants, observed))
    e = tables["earnings_monthly"]
    e = e[(e.cohort == "unemployment") & (e.e == h)]
    se = (e.earnings_mean_high - e.earnings_mean_low) / (2 * 1.959963984540054)
    rows.append(_figure(f"earnings_{h}m", "euros", e.area_code, e.earnings_mean if observed else np.nan, e.persons, se))
    defs = {d.id: d for d in catalog()}
    for ind in KEY_INDICATORS:
        part = values[values.indicator == ind]
        if part.empty:
            continue
        d = defs[ind]
        if d.kind == "rate":
            p = part.numerator / part.denominator
            se = d.scale * np.sqrt(p * (1 - p) / part.denominator)
            rows.append(_figure(ind, "percent", part.area_code, part.value, part.denominator, se))
        else:
            rows.append(_figure(ind, "count", part.area_code, part.value, part.value, np.sqrt(part.value)))
    out = pd.concat(rows, ignore_index=True)
    out["period"] = period.label
    return out[out.area_code != "unknown"].reset_index(drop=True)


def _figure(name: str, kind: str, area, value, base, se) -> pd.DataFrame:
    area = np.asarray(area)
    return pd.DataFrame({"figure": name, "kind": kind, "area_code": area,
                         "value": np.broadcast_to(np.asarray(value, dtype=float), area.shape), "base": np.asarray(base, dtype=float),
                         "se": np.asarray(se, dtype=float)})


def _share_figure(name: str, area, share, base, observed: bool) -> pd.DataFrame:
    p = np.asarray(share, dtype=float) * 100
    n = np.asarray(base, dtype=float)
    se = np.sqrt(p * (100 - p) / n)
    return _figure(name, "percent", area, p if observed else np.full(len(p), np.nan), n, se)
