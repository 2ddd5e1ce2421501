"""The eligible population of a trial, read from the warehouse's person-month panel.

Input: a DuckDB warehouse with table ``person_month`` (one row per person and month: person_id,
month (DATE, first of month), municipality, employment_area, region, unemployed,
unemployment_duration_days (elapsed continuous unemployment at the counting day), age, sex,
education, native_language, citizenship, earnings_eur, benefits_eur, and either
employed_open_market or search_end_destination). The warehouse's ``earnings`` table (income
register, every person and month) is used for follow-up earnings when present.

Output (:data:`POPULATION_COLUMNS`): one row per person unemployed for at least
``min_unemployment_days`` at ``month`` in the chosen employment areas, with baseline traits, the
stratification bands ``age_group`` and ``duration_group``, and two follow-up outcomes of the
register's *status quo* (no trial yet), which simulation uses as control outcomes:

* ``employed_followup`` (0/1): with an ``employed_open_market`` column, its value in month
  ``month + follow_up_months`` (missing when the person has no row that month); otherwise
  (the panel holds only months with a job search) 1 when the job search ended in an open-market
  job within the follow-up and the person is not registered unemployed at its end;
* ``earnings_followup``: earnings summed over months 1..``follow_up_months`` after ``month``,
  from the ``earnings`` table if there is one, else from ``person_month``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

POPULATION_COLUMNS = (
    "person_id",
    "month",
    "municipality",
    "employment_area",
    "region",
    "age",
    "age_group",
    "sex",
    "education",
    "native_language",
    "citizenship",
    "unemployment_duration_days",
    "duration_group",
    "earnings_eur",
    "benefits_eur",
    "employed_followup",
    "earnings_followup",
)
AGE_BANDS = (0, 25, 30, 40, 50, 55, 200)
AGE_LABELS = ("under 25", "25-29", "30-39", "40-49", "50-54", "55+")
DURATION_BANDS = (0, 365, 730, 1095, 10**6)
DURATION_LABELS = ("under 12 months", "12-23 months", "24-35 months", "36+ months")

_QUERY = """
WITH base AS (
    SELECT * FROM person_month
    WHERE month = $month AND unemployed AND unemployment_duration_days >= $min_days {area_filter}
),
window_months AS (
    SELECT p.* FROM person_month p JOIN base b USING (person_id)
    WHERE p.month > $month AND p.month <= $end
),
employment AS (
    SELECT person_id, {employed} AS employed_followup FROM window_months GROUP BY person_id
),
pay AS (
    SELECT e.person_id, SUM(e.earnings_eur) AS earnings_followup
    FROM {earnings} e JOIN base b USING (person_id)
    WHERE e.month > $month AND e.month <= $end
    GROUP BY e.person_id
)
SELECT b.person_id, b.month, b.municipality, b.employment_area, b.region, b.age, b.sex,
       b.education, b.native_language, b.citizenship, b.unemployment_duration_days,
       b.earnings_eur, b.benefits_eur, {employed_default} AS employed_followup,
       COALESCE(pay.earnings_followup, 0) AS earnings_followup
FROM base b LEFT JOIN employment m USING (person_id) LEFT JOIN pay USING (person_id)
ORDER BY b.person_id
"""
_EMPLOYED_AT_END = (
    "MAX(CASE WHEN month = $end THEN CAST(employed_open_market AS INTEGER) END)",
    "m.employed_followup",
)
_EXIT_TO_OPEN_MARKET = (
    "MAX(CASE WHEN search_end_destination = 'open_market_job' THEN 1 ELSE 0 END)"
    " * (1 - MAX(CASE WHEN month = $end AND unemployed THEN 1 ELSE 0 END))",
    "COALESCE(m.employed_followup, 0)",
)


def population(
    warehouse: Path,
    *,
    month: date | str,
    areas: Sequence[int] | None = None,
    min_unemployment_days: int = 365,
    follow_up_months: int = 12,
) -> pd.DataFrame:
    """Persons eligible at ``month`` (e.g. unemployed 12+ months in ``areas``), with outcomes."""
    import duckdb

    warehouse = Path(warehouse)
    if not warehouse.exists():
        raise FileNotFoundError(
            f"warehouse {warehouse} does not exist; build it with `vaikutus build`"
        )
    if follow_up_months < 1:
        raise ValueError(f"follow_up_months must be at least 1, got {follow_up_months}")
    start = pd.Timestamp(month).date()
    end = (pd.Timestamp(start) + pd.DateOffset(months=follow_up_months)).date()
    params: dict[str, object] = {"min_days": min_unemployment_days}
    area_filter = ""
    if areas:
        area_filter = (
            "AND employment_area IN (" + ", ".join(f"$area{i}" for i in range(len(areas))) + ")"
        )
        params.update({f"area{i}": int(area) for i, area in enumerate(areas)})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = _columns(con)
        if "person_month" not in columns:
            raise ValueError(f"warehouse {warehouse} has no person_month table")
        panel = columns["person_month"]
        if "employed_open_market" in panel:
            employed, employed_default = _EMPLOYED_AT_END
        elif "search_end_destination" in panel:
            employed, employed_default = _EXIT_TO_OPEN_MARKET
        else:
            raise ValueError(
                f"warehouse {warehouse}: person_month has neither employed_open_market nor "
                "search_end_destination, so employment at follow-up cannot be measured"
            )
        last = con.execute("SELECT MAX(month) FROM person_month").fetchone()[0]
        if last is None or end > last:
            raise ValueError(
                f"the {follow_up_months}-month follow-up from {start} runs past the last month "
                f"in {warehouse} ({last})"
            )
        query = _QUERY.format(
            area_filter=area_filter,
            employed=employed,
            employed_default=employed_default,
            earnings="earnings" if "earnings" in columns else "person_month",
        )
        frame = con.execute(query, {**params, "month": start, "end": end}).df()
    if frame.empty:
        raise ValueError(
            f"no one in {warehouse} was unemployed {min_unemployment_days}+ days at {month}"
            + (f" in employment areas {list(areas)}" if areas else "")
        )
    frame["age_group"] = pd.cut(frame["age"], AGE_BANDS, right=False, labels=AGE_LABELS).astype(str)
    frame["duration_group"] = pd.cut(
        frame["unemployment_duration_days"], DURATION_BANDS, right=False, labels=DURATION_LABELS
    ).astype(str)
    return frame[list(POPULATION_COLUMNS)]


def _columns(con: Any) -> dict[str, set[str]]:
    """Column names of every table in the warehouse."""
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables
