"""Earnings (income register) and benefits around the entry month, in event time.

For every cohort member and event month e (``event_window``, e = 0 is the entry month) the
month's earnings and each benefit paid, zero when the register has no row. Months outside the
warehouse's window are not observed. Per cohort, area, group and e: persons observed; mean
earnings with a t interval and the median with its order-statistic interval; the shares with
earnings above each threshold (Wilson intervals); per benefit the recipients, their share and the
mean amount over all persons (so the means add up to the mean of all benefits).

Sums are taken in exact SQL decimals, so the tables are identical from run to run whatever the
order DuckDB's threads add in; medians are order statistics picked by rank in one window pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from vaikutus.registry.codes import BENEFITS
from vaikutus.reports import stats
from vaikutus.reports.disclosure import Disclosure, cells_frame
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.states import COUNTRY, membership_sql

BENEFIT_TYPES = tuple(BENEFITS)
_KEYS = ["cohort", "area_code", "group_dim", "group_code", "e"]


def threshold_code(t: float) -> str:
    return f"earn_gt_{int(t)}"


@dataclass(frozen=True)
class IncomeCounts:
    """One row per cohort, area, group and event month (sums, counts, earnings order statistics)."""

    frame: pd.DataFrame
    thresholds: tuple[float, ...]
    group_event_times: tuple[int, ...]


def count_income(con: duckdb.DuckDBPyConnection, period: str, params: PackageParameters) -> IncomeCounts:
    lo, hi = params.event_window
    pivot = ", ".join(
        f"sum(amount_eur) FILTER (WHERE benefit = '{b}')::DECIMAL(14, 2) AS b_{b}" for b in BENEFIT_TYPES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE pkg_income AS
        WITH ev AS (
            SELECT c.cohort, c.person_id, r.e, m.month
            FROM pkg_cohort c CROSS JOIN range({lo}, {hi + 1}) r(e)
            JOIN pkg_months m ON m.idx = c.entry_idx + r.e
            WHERE c.period = '{period}'),
        b AS (SELECT person_id, month, {pivot} FROM benefits
              WHERE person_id IN (SELECT person_id FROM pkg_cohort WHERE period = '{period}') GROUP BY ALL)
        SELECT ev.cohort, ev.person_id, ev.e,
               coalesce(er.earnings_eur, 0)::DECIMAL(14, 2) AS earnings,
               {", ".join(f"coalesce(b.b_{t}, 0) AS b_{t}" for t in BENEFIT_TYPES)}
        FROM ev
        LEFT JOIN earnings er ON er.person_id = ev.person_id AND er.month = ev.month
        LEFT JOIN b ON b.person_id = ev.person_id AND b.month = ev.month""")
    events = ", ".join(str(e) for e in params.group_event_times)
    gt = ", ".join(f"count(*) FILTER (WHERE earnings > {float(t)}) AS {threshold_code(t)}"
                   for t in params.earnings_thresholds_eur)
    benefit_aggs = ", ".join(
        f"sum(b_{t}) AS sum_{t}, sum(b_{t} * b_{t}) AS sq_{t}, count(*) FILTER (WHERE b_{t} > 0) AS n_{t}"
        for t in BENEFIT_TYPES)
    total = " + ".join(f"b_{t}" for t in BENEFIT_TYPES)
    z = float(params.z)
    frame = con.execute(f"""
        WITH mem AS ({membership_sql(period)}),
        x AS (
            SELECT m.cohort, m.area_code, m.group_dim, m.group_code, i.*, ({total}) AS b_total,
                   row_number() OVER w AS rn, count(*) OVER (PARTITION BY m.cohort, m.area_code,
                       m.group_dim, m.group_code, i.e) AS n
            FROM pkg_income i JOIN mem m USING (cohort, person_id)
            WHERE m.group_dim = 'all' OR i.e IN ({events})
            WINDOW w AS (PARTITION BY m.cohort, m.area_code, m.group_dim, m.group_code, i.e ORDER BY i.earnings))
        SELECT cohort, area_code, group_dim, group_code, e, count(*) AS persons,
               sum(earnings) AS sum_earnings, sum(earnings * earnings) AS sq_earnings,
               avg(earnings) FILTER (WHERE rn IN (floor((n + 1) / 2), ceil((n + 1) / 2))) AS earnings_median,
               min(earnings) FILTER (WHERE rn = greatest(1, floor(n / 2 - {z} * sqrt(n) / 2))) AS earnings_median_low,
               min(earnings) FILTER (WHERE rn = least(n, ceil(n / 2 + {z} * sqrt(n) / 2) + 1)) AS earnings_median_high,
               {gt}, {benefit_aggs},
               sum(b_total) AS sum_total, sum(b_total * b_total) AS sq_total,
               count(*) FILTER (WHERE b_total > 0) AS n_total
        FROM x GROUP BY ALL ORDER BY ALL""").df()
    for col in frame.columns:
        if col not in ("cohort", "area_code", "group_dim", "group_code"):
            frame[col] = frame[col].astype(float)
    frame["e"] = frame["e"].astype(np.int64)
    return IncomeCounts(frame, tuple(params.earnings_thresholds_eur), tuple(params.group_event_times))


def _scope(c: IncomeCounts, detail: str) -> pd.Series:
    """Rows published at a level of detail: ``monthly`` = whole cohort, every area and month;
    ``group`` = by group, every area; ``national`` = by group, the country only."""
    f = c.frame
    if detail == "monthly":
        return f.group_dim == "all"
    if detail == "group":
        return f.e.isin(c.group_event_times)
    return (f.area_code == COUNTRY) & f.e.isin(c.group_event_times)


def income_cells(c: IncomeCounts) -> list[pd.DataFrame]:
    """Published counts: persons and earners everywhere; the other thresholds and benefit
    recipients for the whole cohort and, by group, for the country."""
    f = c.frame
    keys = dict(cohort="cohort", area_code="area_code", group_dim="group_dim", group_code="group_code", k="e")
    detailed = f[_scope(c, "monthly") | _scope(c, "national")]
    parts = [cells_frame(f, "observed", "persons", **keys),
             cells_frame(f, threshold_code(c.thresholds[0]), threshold_code(c.thresholds[0]), **keys)]
    parts += [cells_frame(detailed, threshold_code(t), threshold_code(t), **keys) for t in c.thresholds[1:]]
    parts += [cells_frame(detailed, f"benefit_{b}", f"n_{b}", **keys) for b in (*BENEFIT_TYPES, "total")]
    return parts


def earnings_tables(c: IncomeCounts, d: Disclosure, params: PackageParameters) -> dict[str, pd.DataFrame]:
    """``earnings_monthly`` (whole cohort, every month, all thresholds) and ``earnings_by_group``
    (by group at the group event months: persons, mean, median, share with earnings)."""
    f = c.frame
    monthly = _earnings(f[_scope(c, "monthly")].reset_index(drop=True), c.thresholds, d, params)
    by_group = _earnings(f[_scope(c, "group")].reset_index(drop=True), c.thresholds[:1], d, params)
    return {"earnings_monthly": monthly.drop(columns=["group_dim", "group_code"]), "earnings_by_group": by_group}


def _earnings(f: pd.DataFrame, thresholds: tuple[float, ...], d: Disclosure, params: PackageParameters) -> pd.DataFrame:
    out = f[_KEYS].copy()
    hide_n = _hidden(d, f, "observed")
    out["persons"] = f.persons.mask(hide_n)
    mean, low, high = stats.mean_interval(f.sum_earnings, f.sq_earnings, f.persons, params.z)
    out["earnings_mean"], out["earnings_mean_low"], out["earnings_mean_high"] = mean, low, high
    for col in ("earnings_median", "earnings_median_low", "earnings_median_high"):
        out[col] = f[col]
    # a mean or median over persons of whom only 1..T-1 earned anything would show their earnings
    few_earners = _hidden(d, f, threshold_code(thresholds[0])) | hide_n
    out.loc[few_earners, [c_ for c_ in out.columns if c_.startswith("earnings_")]] = np.nan
    hidden_any = few_earners.copy()
    for t in thresholds:
        code = threshold_code(t)
        hide = _hidden(d, f, code) | hide_n
        lo, hi = stats.wilson(f[code], f.persons, params.z)
        out[f"share_{code}"] = (f[code] / f.persons).mask(hide)
        out[f"share_{code}_low"] = pd.Series(lo).mask(hide)
        out[f"share_{code}_high"] = pd.Series(hi).mask(hide)
        hidden_any |= hide
    out["suppressed"] = hidden_any
    return out


def benefits_tables(c: IncomeCounts, d: Disclosure, params: PackageParameters) -> dict[str, pd.DataFrame]:
    """``benefits_monthly`` (whole cohort, every area and month) and ``benefits_by_group``
    (the country by group); long over benefit types, ``total`` = all benefits."""
    f = c.frame
    monthly = _benefits(f[_scope(c, "monthly")].reset_index(drop=True), d, params)
    by_group = _benefits(f[_scope(c, "national")].reset_index(drop=True), d, params)
    return {"benefits_monthly": monthly.drop(columns=["group_dim", "group_code"]), "benefits_by_group": by_group}


def _benefits(f: pd.DataFrame, d: Disclosure, params: PackageParameters) -> pd.DataFrame:
    hide_n = _hidden(d, f, "observed")
    parts = []
    for b in (*BENEFIT_TYPES, "total"):
        part = f[_KEYS].copy()
        part["benefit"] = b
        hide = _hidden(d, f, f"benefit_{b}") | hide_n
        part["persons"] = f.persons.mask(hide_n)
        part["recipients"] = f[f"n_{b}"].mask(hide)
        part["share_recipients"] = (f[f"n_{b}"] / f.persons).mask(hide)
        mean, low, high = stats.mean_interval(f[f"sum_{b}"], f[f"sq_{b}"], f.persons, params.z)
        part["mean_eur"] = pd.Series(mean).mask(hide)
        part["mean_eur_low"] = pd.Series(low).mask(hide)
        part["mean_eur_high"] = pd.Series(high).mask(hide)
        part["suppressed"] = hide
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _hidden(d: Disclosure, f: pd.DataFrame, measure: str) -> np.ndarray:
    return d.hidden_for(f, measure, cohort="cohort", area_code="area_code", group_dim="group_dim",
                        group_code="group_code", k="e")
