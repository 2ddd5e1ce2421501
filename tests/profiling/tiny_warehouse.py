"""A hand-made warehouse of two persons whose baseline, outcomes and Kykyviisari pairs are known.

Person A (born 1980):
* unemployed 2020-07-01..08-31 and 09-01..12-31 (adjacent: ONE spell start, 2020-07-01);
* coaching 2021-01-01..03-31 (status in_service), then unemployed 2021-04-01..06-14 (a new spell);
* work trial 2021-05-20..06-10; search ended to an open-market job on 2021-06-15;
* earnings 1000 EUR/month in 2019, 500 EUR/month 2020-01..06; earnings-related allowance in
  2020-05 and 2020-06 (the largest of the three months before July), labour market subsidy
  100 EUR in 2020-06, social assistance in 2019-12;
* Kykyviisari: 4.0 on 2020-12-10 (too early to be the coaching baseline), 5.0 on 2020-12-25
  (coaching baseline), 5.5 on 2021-03-01 (coaching follow-up), 5.8 on 2021-05-15 (work-trial
  baseline, 5 days before it: after the coaching path's window closes 14 days before), 6.0 on
  2021-06-01 (work-trial follow-up).
Person B (born 1990) is unemployed 2017-01-01..2022-12-31 and has earnings from 2018-01, which
sets the income register's first month (history from 2020-01 on is complete) and keeps the panel
running to 2022-12, so A's outcomes are all observed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from vaikutus.warehouse import build_panel, connect

D = date


def _months(first: str, last: str) -> list[date]:
    return [m.date() for m in pd.date_range(first, last, freq="MS")]


def tables() -> dict[str, pd.DataFrame]:
    earnings = (
        [("A", m, 1000.0) for m in _months("2019-01", "2019-12")]
        + [("A", m, 500.0) for m in _months("2020-01", "2020-06")]
        + [("B", m, 300.0) for m in _months("2018-01", "2018-03")]
    )
    return {
        "persons": pd.DataFrame(
            [("A", 1980, "F", "fi", "FI", 3, False), ("B", 1990, "M", "sv", "FI", 5, False)],
            columns=[
                "person_id",
                "birth_year",
                "sex",
                "native_language",
                "citizenship",
                "education",
                "partial_work_ability",
            ],
        ),
        "jobseeker_spells": pd.DataFrame(
            [
                ("A", D(2020, 7, 1), D(2020, 8, 31), "unemployed"),
                ("A", D(2020, 9, 1), D(2020, 12, 31), "unemployed"),
                ("A", D(2021, 1, 1), D(2021, 3, 31), "in_service"),
                ("A", D(2021, 4, 1), D(2021, 6, 14), "unemployed"),
                ("B", D(2017, 1, 1), D(2022, 12, 31), "unemployed"),
            ],
            columns=["person_id", "start", "end", "status"],
        ).assign(
            municipality="091",
            responsible="te_office",
            service_line=pd.array([None] * 5, dtype="Int64"),
        ),
        "service_spells": pd.DataFrame(
            [
                ("A", "coaching", D(2021, 1, 1), D(2021, 3, 31), 1000.0),
                ("A", "work_trial", D(2021, 5, 20), D(2021, 6, 10), 500.0),
            ],
            columns=["person_id", "service", "start", "end", "cost_eur"],
        ),
        "search_ends": pd.DataFrame(
            [("A", D(2021, 6, 15), "open_market_job")], columns=["person_id", "date", "destination"]
        ),
        "earnings": pd.DataFrame(earnings, columns=["person_id", "month", "earnings_eur"]),
        "benefits": pd.DataFrame(
            [
                ("A", D(2019, 12, 1), "social_assistance", 400.0, 0),
                ("A", D(2020, 5, 1), "earnings_related", 800.0, 20),
                ("A", D(2020, 6, 1), "earnings_related", 800.0, 20),
                ("A", D(2020, 6, 1), "labour_market_subsidy", 100.0, 2),
            ],
            columns=["person_id", "month", "benefit", "amount_eur", "days"],
        ),
        "kykyviisari": pd.DataFrame(
            [
                ("A", D(2020, 12, 10), 4.0),
                ("A", D(2020, 12, 25), 5.0),
                ("A", D(2021, 3, 1), 5.5),
                ("A", D(2021, 5, 15), 5.8),
                ("A", D(2021, 6, 1), 6.0),
            ],
            columns=["person_id", "date", "score_total"],
        ),
    }


def write(path: Path) -> Path:
    con = duckdb.connect(str(path))
    for name, frame in tables().items():
        con.register("_frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
        con.unregister("_frame")
    con.close()
    ibis_con = connect(path)
    build_panel(ibis_con)
    ibis_con.disconnect()
    return path
