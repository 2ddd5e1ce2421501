"""The baseline table: one row per start of an unemployment spell or of a service, from the warehouse.

A *start* is either the first day of a continuous unemployment spell (the jobseeker statuses
unemployed / laid_off_full joined by the panel's ``MIN_BREAK_DAYS`` rule) or the first day of a
service spell. For each start the query measures, from register data only:

* who: age (year - birth year, as in the panel), sex, native language, citizenship, education,
  partial work ability, and the region and employment area of the start month's panel row
  (a start in a month without a panel row - not a registered jobseeker - is left out);
* history before the start month: earnings and months with earnings in the previous 12 and 24
  months, months unemployed and in services on the counting days of the previous 24 months,
  services started in the previous 24 months, the largest unemployment benefit of the previous 3
  months and social assistance in the previous 12;
* elapsed unemployment at the start (0 at a spell start; for a service, days since the start of
  the continuous unemployment spell it interrupts);
* outcomes after the start: a search ended to each destination (open-market job, subsidised job,
  entrepreneur, education, outside the labour force; ``any_work`` = any of the first three) within
  6 and 12 months, NULL where that window reaches beyond the register (not known yet).

Starts whose 24-month history begins before the income register does are left out: their
history would read as "no earnings" when it is only unobserved. SQL because the whole table is a
handful of range joins and group-bys that DuckDB runs in a second on millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from vaikutus.warehouse.panel import MIN_BREAK_DAYS

#: Tables the baseline reads, and where they come from.
REQUIRED_TABLES = {
    "persons": "vaikutus import",
    "jobseeker_spells": "vaikutus import",
    "service_spells": "vaikutus import",
    "search_ends": "vaikutus import",
    "earnings": "vaikutus import",
    "benefits": "vaikutus import",
    "person_month": "vaikutus build-panel",
}
#: Outcome horizons in months (the model's targets).
HORIZONS = (6, 12)
#: Search-end destinations followed as milestones.
MILESTONES = (
    "open_market_job",
    "subsidised_job",
    "entrepreneur",
    "education",
    "outside_labour_force",
)
#: Destinations that count as work in the ``any_work`` milestone.
WORK_DESTINATIONS = ("open_market_job", "subsidised_job", "entrepreneur")
HISTORY_MONTHS = 24
UNEMPLOYMENT_BENEFITS = ("labour_market_subsidy", "basic_allowance", "earnings_related")


class WarehouseError(ValueError):
    """The warehouse lacks a table the profiling needs."""


@dataclass(frozen=True)
class Window:
    """Months the register covers: income history from ``history_start``, data to ``data_end``."""

    history_start: date
    data_end: date

    @property
    def first_cohort(self) -> date:
        """The first start month with a complete 24-month history."""
        months = self.history_start.year * 12 + self.history_start.month - 1 + HISTORY_MONTHS
        return date(months // 12, months % 12 + 1, 1)


def open_warehouse(path: Path | str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection (read-only unless asked), refused clearly if a needed table is missing."""
    path = Path(path)
    if not path.is_file():
        raise WarehouseError(f"no warehouse file {path}")
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        check_tables(con)
    except WarehouseError:
        con.close()
        raise
    return con


def check_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {row[0] for row in con.execute("SHOW TABLES").fetchall()}
    missing = [
        f"{t} (made by `{made_by}`)" for t, made_by in REQUIRED_TABLES.items() if t not in present
    ]
    if missing:
        raise WarehouseError("the warehouse lacks table(s) " + ", ".join(missing))


def register_window(con: duckdb.DuckDBPyConnection) -> Window:
    """The income register's first month and the panel's last day."""
    history_start, last_month = con.execute(
        "SELECT (SELECT min(month) FROM earnings), (SELECT max(month) FROM person_month)"
    ).fetchone()
    if history_start is None or last_month is None:
        raise WarehouseError("the earnings or person_month table is empty")
    end = pd.Timestamp(last_month) + pd.offsets.MonthEnd(0)
    return Window(history_start=history_start, data_end=end.date())


def baseline_table(con: duckdb.DuckDBPyConnection, window: Window | None = None) -> pd.DataFrame:
    """One row per start with its baseline and outcomes, ordered by ``start_id``."""
    check_tables(con)
    window = window or register_window(con)
    frame = con.execute(_baseline_sql(window)).df()
    for column in ("start_date", "cohort", "service_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _baseline_sql(window: Window) -> str:
    destinations = {
        **{d: f"= '{d}'" for d in MILESTONES},
        "any_work": "IN (" + ", ".join(f"'{d}'" for d in WORK_DESTINATIONS) + ")",
    }
    outcomes = ",\n".join(
        f"CASE WHEN s.start_date + INTERVAL {h} MONTH <= DATE '{window.data_end}' THEN "
        f"coalesce(bool_or(e.destination {test} AND e.date < s.start_date + INTERVAL {h} MONTH), false) "
        f"END AS {name}_{h}m"
        for h in HORIZONS
        for name, test in destinations.items()
    )
    benefits = ", ".join(f"'{b}'" for b in UNEMPLOYMENT_BENEFITS)
    return f"""
WITH unemployment AS (
    SELECT person_id, start, coalesce("end", DATE '2999-12-31') AS stop
    FROM jobseeker_spells WHERE status IN ('unemployed', 'laid_off_full')
), flagged AS (
    SELECT *, coalesce(start - max(stop) OVER (PARTITION BY person_id ORDER BY start
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) > {MIN_BREAK_DAYS}, true) AS opens
    FROM unemployment
), islands AS (
    SELECT person_id, min(start) AS start, max(stop) AS stop FROM (
        SELECT *, sum(opens::INT) OVER (PARTITION BY person_id ORDER BY start) AS island FROM flagged)
    GROUP BY person_id, island
), service_starts AS (
    SELECT v.person_id, v.start, v.service, v."end" AS service_end,
           coalesce(max(v.start - i.start), 0) AS elapsed
    FROM service_spells v LEFT JOIN islands i
      ON i.person_id = v.person_id AND i.start < v.start AND v.start - i.stop <= {MIN_BREAK_DAYS}
    GROUP BY ALL
), all_starts AS (
    SELECT person_id, start AS start_date, 'unemployment' AS start_kind, NULL::VARCHAR AS service,
           NULL::DATE AS service_end, 0 AS elapsed_unemployment_days FROM islands
    UNION ALL
    SELECT person_id, start, 'service', service, service_end, elapsed FROM service_starts
), s AS (
    SELECT row_number() OVER (ORDER BY person_id, start_date, start_kind, service) AS start_id, *,
           CAST(date_trunc('month', start_date) AS DATE) AS cohort
    FROM all_starts
    WHERE start_date >= DATE '{window.first_cohort}' AND start_date <= DATE '{window.data_end}'
), who AS (
    SELECT s.*, year(s.start_date) - p.birth_year AS age, p.sex, p.native_language, p.citizenship,
           p.education, p.partial_work_ability, m.region, m.employment_area, m.municipality
    FROM s JOIN persons p USING (person_id)
    JOIN person_month m ON m.person_id = s.person_id AND m.month = s.cohort
), earned AS (
    SELECT s.start_id,
           sum(e.earnings_eur) FILTER (WHERE e.month >= s.cohort - INTERVAL 12 MONTH) AS earnings_12m,
           sum(e.earnings_eur) AS earnings_24m,
           count(*) FILTER (WHERE e.earnings_eur > 0 AND e.month >= s.cohort - INTERVAL 12 MONTH)
               AS months_employed_12m,
           count(*) FILTER (WHERE e.earnings_eur > 0) AS months_employed_24m
    FROM s JOIN earnings e ON e.person_id = s.person_id
     AND e.month >= s.cohort - INTERVAL {HISTORY_MONTHS} MONTH AND e.month < s.cohort
    GROUP BY s.start_id
), registered AS (
    SELECT s.start_id, count(*) FILTER (WHERE m.unemployed) AS months_unemployed_24m,
           count(*) FILTER (WHERE m.in_service) AS months_in_service_24m
    FROM s JOIN person_month m ON m.person_id = s.person_id
     AND m.month >= s.cohort - INTERVAL {HISTORY_MONTHS} MONTH AND m.month < s.cohort
    GROUP BY s.start_id
), served AS (
    SELECT s.start_id, count(*) AS services_24m
    FROM s JOIN service_spells v ON v.person_id = s.person_id
     AND v.start >= s.start_date - INTERVAL {HISTORY_MONTHS} MONTH AND v.start < s.start_date
    GROUP BY s.start_id
), recent AS (
    SELECT s.start_id, b.benefit, sum(b.amount_eur) AS amount
    FROM s JOIN benefits b ON b.person_id = s.person_id AND b.benefit IN ({benefits})
     AND b.month >= s.cohort - INTERVAL 3 MONTH AND b.month < s.cohort
    GROUP BY s.start_id, b.benefit
), benefit AS (
    SELECT start_id, first(benefit ORDER BY amount DESC, benefit) AS benefit_type
    FROM recent GROUP BY start_id
), social AS (
    SELECT DISTINCT s.start_id, true AS social_assistance_12m
    FROM s JOIN benefits b ON b.person_id = s.person_id AND b.benefit = 'social_assistance'
     AND b.month >= s.cohort - INTERVAL 12 MONTH AND b.month < s.cohort
), ended AS (
    SELECT s.start_id, {outcomes}
    FROM s LEFT JOIN search_ends e ON e.person_id = s.person_id
     AND e.date >= s.start_date AND e.date < s.start_date + INTERVAL 12 MONTH
    GROUP BY s.start_id, s.start_date
)
SELECT w.start_id, w.person_id, w.start_date, w.cohort, w.start_kind, w.service, w.service_end,
       w.age, w.sex, w.native_language, w.citizenship, w.education, w.partial_work_ability,
       w.region, w.employment_area, w.municipality, w.elapsed_unemployment_days,
       coalesce(earnings_12m, 0) AS earnings_12m, coalesce(earnings_24m, 0) AS earnings_24m,
       coalesce(months_employed_12m, 0) AS months_employed_12m,
       coalesce(months_employed_24m, 0) AS months_employed_24m,
       coalesce(months_unemployed_24m, 0) AS months_unemployed_24m,
       coalesce(months_in_service_24m, 0) AS months_in_service_24m,
       coalesce(services_24m, 0) AS services_24m,
       coalesce(benefit_type, 'none') AS benefit_type,
       coalesce(social_assistance_12m, false) AS social_assistance_12m,
       ended.* EXCLUDE (start_id)
FROM who w
LEFT JOIN earned USING (start_id) LEFT JOIN registered USING (start_id)
LEFT JOIN served USING (start_id) LEFT JOIN benefit USING (start_id) LEFT JOIN social USING (start_id)
JOIN ended USING (start_id)
ORDER BY w.start_id
"""


def services_after(
    con: duckdb.DuckDBPyConnection, baseline: pd.DataFrame, months: int = 12
) -> pd.DataFrame:
    """(start_id, service) for each service a person started within ``months`` of a start."""
    con.register("_starts", baseline[["start_id", "person_id", "start_date"]])
    try:
        return con.execute(f"""
            SELECT DISTINCT s.start_id, v.service
            FROM _starts s JOIN service_spells v ON v.person_id = s.person_id
             AND v.start >= s.start_date AND v.start < s.start_date + INTERVAL {int(months)} MONTH
            ORDER BY 1, 2""").df()
    finally:
        con.unregister("_starts")
