"""A hand-made warehouse of four jobseekers whose monthly states are known (2024).

Only the columns the package reads are created. Months 2024-01..2024-12, counting day = the
calendar month end. Every person's employment area is 8 (Helsinki).

* A enters unemployment in January: unemployed Jan-Feb; coaching in March (registered in
  service); April registered as an employed jobseeker (open-market work); May off the register
  with 2 000 EUR earnings (open-market work); June off the register with 100 EUR and a search
  that ended on 30 April to education (education). An older search end (2023, open-market job)
  must be ignored. Earnings-related allowance 1 200 EUR in January and February.
* B enters in February; wage subsidy in March (subsidised work); April off the register with no
  earnings after a search ended to a subsidised job on 31 March (subsidised work).
* C enters in January; February off the register after a search ended to outside the labour
  force, no earnings (outside); March 600 EUR earnings, above the 500 EUR threshold (open market).
* D enters in January and is registered as a student in February (education).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

MONTHS = [date(2024, m, 1) for m in range(1, 13)]


def _month_end(m: date) -> date:
    return (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date()


def person_month() -> pd.DataFrame:
    rows = []

    def add(pid, month, status, started=False):
        rows.append((pid, date(2024, month, 1), True, status, status == "unemployed", started, 8))

    add("A", 1, "unemployed", True)
    add("A", 2, "unemployed")
    add("A", 3, "in_service")
    add("A", 4, "employed_jobseeker")
    add("B", 2, "unemployed", True)
    add("B", 3, "in_service")
    add("C", 1, "unemployed", True)
    add("D", 1, "unemployed", True)
    add("D", 2, "student")
    return pd.DataFrame(rows, columns=["person_id", "month", "registered", "status", "unemployed",
                                       "unemployment_spell_started", "employment_area"])


def build(path) -> None:
    tables = {
        "months": pd.DataFrame({"month": MONTHS, "month_end": [_month_end(m) for m in MONTHS],
                                "counting_day": [_month_end(m) for m in MONTHS]}),
        "person_month": person_month(),
        "service_month": pd.DataFrame([("A", date(2024, 3, 1), "coaching"), ("B", date(2024, 3, 1), "wage_subsidy")],
                                      columns=["person_id", "month", "service"]),
        "service_spells": pd.DataFrame([("A", "coaching", date(2024, 3, 1), date(2024, 3, 31)),
                                        ("B", "wage_subsidy", date(2024, 3, 1), date(2024, 3, 31))],
                                       columns=["person_id", "service", "start", "end"]),
        "persons": pd.DataFrame([("A", 1980, "F", "fi", "FI", 3, False), ("B", 2001, "M", "sv", "FI", 5, False),
                                 ("C", 1960, "M", "other", "other", 2, True), ("D", 1999, "F", "fi", "FI", 4, False)],
                                columns=["person_id", "birth_year", "sex", "native_language", "citizenship",
                                         "education", "partial_work_ability"]),
        "search_ends": pd.DataFrame([("A", date(2023, 5, 31), "open_market_job"), ("A", date(2024, 4, 30), "education"),
                                     ("B", date(2024, 3, 31), "subsidised_job"),
                                     ("C", date(2024, 1, 31), "outside_labour_force")],
                                    columns=["person_id", "date", "destination"]),
        "earnings": pd.DataFrame([("A", date(2024, 5, 1), 2000.0), ("A", date(2024, 6, 1), 100.0),
                                  ("C", date(2024, 3, 1), 600.0)], columns=["person_id", "month", "earnings_eur"]),
        "benefits": pd.DataFrame([("A", date(2024, 1, 1), "earnings_related", 1200.0, 21),
                                  ("A", date(2024, 2, 1), "earnings_related", 1200.0, 21)],
                                 columns=["person_id", "month", "benefit", "amount_eur", "days"]),
    }
    with duckdb.connect(str(path)) as con:
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")


#: Expected states by person and month since entry (k = 0 is the entry month).
EXPECTED = {
    "A": ["unemployed", "unemployed", "coaching", "open_market_work", "open_market_work", "education"],
    "B": ["unemployed", "subsidised_work", "subsidised_work"],
    "C": ["unemployed", "outside_labour_force", "open_market_work"],
    "D": ["unemployed", "education"],
}
