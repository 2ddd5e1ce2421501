"""Cohorts of the package and the monthly state of each cohort member, in DuckDB SQL.

Cohorts (one row per person, period and cohort kind):

* ``unemployment``: persons whose continuous unemployment spell began in a month of the half-year
  (``person_month.unemployment_spell_started``); entry month = the first such month in the period.
* ``service``: persons whose first service spell of the half-year started in it (any service of
  ``service_spells``); entry month = the month of that start.

Group and area are read at entry: sex, native language, citizenship, education and partial work
ability from ``persons``; age = entry year - birth year; the employment area from the person's
latest ``person_month`` row at or before the entry month (persons with none count in the country
only).

The monthly state on the counting day of each follow-up month k = 0, 1, ... (k = 0 is the entry
month), first rule that applies:

1. a wage-subsidy service spell covers the counting day -> ``subsidised_work``;
2. another service covers it -> that service (several: the first of ``SERVICE_PRIORITY``);
3. registered as a jobseeker on the counting day: unemployed or fully laid off -> ``unemployed``;
   student -> ``education``; employed jobseeker or shortened working week -> ``open_market_work``;
   in service with no service spell recorded -> ``other``; otherwise ``outside_labour_force``;
4. not registered, and the job search that ended after entry ended to a subsidised job ->
   ``subsidised_work``;
5. not registered, and earnings of the month above ``work_earnings_threshold_eur`` ->
   ``open_market_work``;
6. not registered, and the search ended to an open-market job or to entrepreneurship ->
   ``open_market_work``; to education -> ``education``;
7. otherwise ``outside_labour_force`` (outside the labour force, moved abroad, unknown).

Follow-up stops at the last month of the warehouse: a month that has not happened yet is not
observed (right-censoring), and every table says how many were observed.

Why SQL: on the national register the cohorts have a few hundred thousand members and the
follow-up tens of millions of person-months; DuckDB joins and aggregates them in seconds,
and an ASOF join finds each month's latest search end without a per-person loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear

COHORTS = ("unemployment", "service")
SERVICE_PRIORITY = (
    "wage_subsidy", "start_up_grant", "labour_market_training", "integration_training",
    "self_motivated_study", "work_trial", "coaching", "rehabilitative_work",
    "job_alternation_substitute", "other",
)
#: States in display order: work first, then services, unemployment, education, outside.
STATES = (
    "open_market_work", "subsidised_work", *SERVICE_PRIORITY[1:], "unemployed", "education",
    "outside_labour_force",
)
SERVICE_STATES = ("subsidised_work", *SERVICE_PRIORITY[1:])
#: Main states: the services (other than wage subsidy) pooled - the detail published for areas by group.
MAIN_STATES = ("open_market_work", "subsidised_work", "service", "unemployed", "education", "outside_labour_force")
MAIN_STATE = {s: "service" if s in SERVICE_PRIORITY[1:] else s for s in STATES}
WORK_STATES = ("open_market_work", "subsidised_work")
#: Group dimensions and their codes (``all`` is the whole cohort).
GROUPS: dict[str, tuple[str, ...]] = {
    "all": ("all",),
    "sex": ("M", "F"),
    "age": ("16-24", "25-34", "35-44", "45-54", "55+"),
    "native_language": ("fi", "sv", "other"),
    "citizenship": ("FI", "EU_EEA", "other"),
    "education": ("basic", "upper_secondary", "tertiary", "unknown"),
    "partial_work_ability": ("yes", "no"),
}
COUNTRY = "SSS"
REQUIRED_TABLES = ("months", "person_month", "service_month", "persons", "service_spells",
                   "search_ends", "earnings", "benefits")


class WarehouseError(ValueError):
    """The warehouse lacks what the package needs (a table, a built panel, data for the period)."""


@dataclass(frozen=True)
class DataWindow:
    first_month: date
    last_month: date


def data_window(con: duckdb.DuckDBPyConnection) -> DataWindow:
    first, last = con.execute("SELECT min(month), max(month) FROM months").fetchone()
    if first is None:
        raise WarehouseError("the warehouse's months table is empty: run `vaikutus build-panel` first")
    return DataWindow(first, last)


def check_tables(con: duckdb.DuckDBPyConnection, where: str) -> None:
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()}
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        hint = "run `vaikutus build-panel`" if {"months", "person_month"} & set(missing) else "import the register"
        raise WarehouseError(f"warehouse {where} lacks table(s) {missing}: {hint} first")


def build_cohorts(con: duckdb.DuckDBPyConnection, periods: list[HalfYear], window: DataWindow,
                  params: PackageParameters) -> None:
    """Create the temporary tables ``pkg_months``, ``pkg_cohort`` and ``pkg_state``."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE pkg_months AS
        SELECT month, counting_day, year(month) * 12 + month(month) - 1 AS idx FROM months""")
    bounds = " UNION ALL ".join(
        f"SELECT '{p.label}' AS period, DATE '{p.first_month}' AS first_month, DATE '{p.last_month}' AS last_month"
        for p in periods)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE pkg_entries AS
        WITH bounds AS ({bounds}),
        unemployment AS (
            SELECT b.period, 'unemployment' AS cohort, pm.person_id, min(pm.month) AS entry_month
            FROM person_month pm JOIN bounds b ON pm.month BETWEEN b.first_month AND b.last_month
            WHERE pm.unemployment_spell_started
            GROUP BY ALL),
        service AS (
            SELECT b.period, 'service' AS cohort, s.person_id, date_trunc('month', min(s.start))::DATE AS entry_month
            FROM service_spells s JOIN bounds b
              ON s.start BETWEEN b.first_month AND last_day(b.last_month)
            GROUP BY ALL)
        SELECT * FROM unemployment UNION ALL SELECT * FROM service""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE pkg_cohort AS
        SELECT e.period, e.cohort, e.person_id, e.entry_month,
               year(e.entry_month) * 12 + month(e.entry_month) - 1 AS entry_idx,
               coalesce(CAST(a.employment_area AS VARCHAR), 'unknown') AS area_code,
               coalesce(p.sex, 'unknown') AS sex,
               CASE WHEN p.birth_year IS NULL THEN 'unknown'
                    WHEN year(e.entry_month) - p.birth_year < 25 THEN '16-24'
                    WHEN year(e.entry_month) - p.birth_year < 35 THEN '25-34'
                    WHEN year(e.entry_month) - p.birth_year < 45 THEN '35-44'
                    WHEN year(e.entry_month) - p.birth_year < 55 THEN '45-54'
                    ELSE '55+' END AS age,
               coalesce(p.native_language, 'unknown') AS native_language,
               coalesce(p.citizenship, 'unknown') AS citizenship,
               CASE WHEN p.education IS NULL THEN 'unknown'
                    WHEN p.education <= 2 THEN 'basic'
                    WHEN p.education <= 4 THEN 'upper_secondary'
                    ELSE 'tertiary' END AS education,
               CASE WHEN p.partial_work_ability THEN 'yes'
                    WHEN p.partial_work_ability IS NULL THEN 'unknown' ELSE 'no' END AS partial_work_ability
        FROM pkg_entries e
        LEFT JOIN persons p USING (person_id)
        ASOF LEFT JOIN (SELECT person_id, month, employment_area FROM person_month
                        WHERE person_id IN (SELECT person_id FROM pkg_entries)) a
          ON a.person_id = e.person_id AND e.entry_month >= a.month""")
    priority = ", ".join(f"('{s}', {i})" for i, s in enumerate(SERVICE_PRIORITY))
    last_idx = window.last_month.year * 12 + window.last_month.month - 1
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE pkg_state AS
        WITH follow AS (
            SELECT c.period, c.cohort, c.person_id, c.entry_month, r.k, m.month, m.counting_day
            FROM pkg_cohort c
            CROSS JOIN range(0, {params.follow_months + 1}) r(k)
            JOIN pkg_months m ON m.idx = c.entry_idx + r.k
            WHERE c.entry_idx + r.k <= {last_idx}),
        priority(service, rank) AS (VALUES {priority}),
        svc AS (
            SELECT sm.person_id, sm.month, arg_min(sm.service, pr.rank) AS service
            FROM service_month sm JOIN priority pr USING (service)
            WHERE sm.person_id IN (SELECT person_id FROM pkg_cohort)
            GROUP BY ALL),
        ends AS (
            SELECT person_id, date, destination FROM search_ends
            WHERE person_id IN (SELECT person_id FROM pkg_cohort))
        SELECT f.period, f.cohort, f.person_id, f.k,
            CASE
              WHEN svc.service = 'wage_subsidy' THEN 'subsidised_work'
              WHEN svc.service IS NOT NULL THEN svc.service
              WHEN pm.registered AND pm.unemployed THEN 'unemployed'
              WHEN pm.registered AND pm.status = 'student' THEN 'education'
              WHEN pm.registered AND pm.status IN ('employed_jobseeker', 'laid_off_short_week') THEN 'open_market_work'
              WHEN pm.registered AND pm.status = 'in_service' THEN 'other'
              WHEN pm.registered THEN 'outside_labour_force'
              WHEN se.date >= f.entry_month AND se.destination = 'subsidised_job' THEN 'subsidised_work'
              WHEN coalesce(er.earnings_eur, 0) > {float(params.work_earnings_threshold_eur)} THEN 'open_market_work'
              WHEN se.date >= f.entry_month AND se.destination IN ('open_market_job', 'entrepreneur') THEN 'open_market_work'
              WHEN se.date >= f.entry_month AND se.destination = 'education' THEN 'education'
              ELSE 'outside_labour_force'
            END AS state
        FROM follow f
        LEFT JOIN person_month pm ON pm.person_id = f.person_id AND pm.month = f.month
        LEFT JOIN svc ON svc.person_id = f.person_id AND svc.month = f.month
        LEFT JOIN earnings er ON er.person_id = f.person_id AND er.month = f.month
        ASOF LEFT JOIN ends se ON se.person_id = f.person_id AND f.counting_day >= se.date""")


def membership_sql(period: str, group_dims: tuple[str, ...] = tuple(GROUPS)) -> str:
    """SQL of (cohort, person_id, area_code, group_dim, group_code): every cohort member of
    ``period`` once per group dimension, in its own area and in the country."""
    parts = []
    for dim in group_dims:
        code = "'all'" if dim == "all" else dim
        for area in ("area_code", f"'{COUNTRY}'"):
            parts.append(f"SELECT cohort, person_id, {area} AS area_code, '{dim}' AS group_dim, "
                         f"{code} AS group_code FROM pkg_cohort WHERE period = '{period}'")
    return " UNION ALL ".join(parts)
