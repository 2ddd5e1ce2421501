"""A hand-built register whose panel rows are worked out by hand in the tests.

Counting days used (``vaikutus.reference.counting_day``): 2024-01-31, 2024-02-29, 2024-03-28
(Good Friday is the 29th), 2026-05-29 (the 30th and 31st are a weekend), 2026-06-30.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from vaikutus.registry.schemas import TABLES

D = date.fromisoformat

# person, start, end, status, municipality
SPELLS = [
    ("p01", "2024-01-15", "2024-02-10", "unemployed", "091"),  # crosses the January end
    ("p02", "2024-01-01", "2024-03-28", "unemployed", "588"),  # ends on the counting day; Pertunmaa
    ("p03", "2024-01-01", "2024-03-27", "unemployed", "507"),  # ends the day before it
    ("p04", "2024-01-01", "2024-03-29", "unemployed", "507"),  # ends the day after it
    ("p05", "2026-05-30", None, "unemployed", "091"),  # starts after the 2026-05 counting day
    ("p06", "2024-01-01", "2024-01-15", "unemployed", "091"),  # moves Helsinki -> Espoo
    ("p06", "2024-01-16", None, "unemployed", "049"),
    ("p07", "2023-06-01", "2023-12-31", "unemployed", "743"),  # a service interrupts
    ("p07", "2024-01-01", "2024-01-31", "in_service", "743"),
    ("p07", "2024-02-01", None, "unemployed", "743"),
    ("p08", "2024-01-01", "2024-01-10", "unemployed", "091"),  # next starts the day after: merged
    ("p08", "2024-01-11", None, "laid_off_full", "091"),
    ("p09", "2024-01-01", "2024-01-10", "unemployed", "091"),  # one day between: not merged
    ("p09", "2024-01-12", None, "unemployed", "091"),
    ("p10", "2023-02-01", None, "unemployed", "091"),  # 365 days on 2024-01-31
    ("p11", "2023-02-02", None, "unemployed", "091"),  # 364 days on 2024-01-31
    ("p12", "2024-01-01", None, "laid_off_short_week", "091"),
]
SERVICES = [
    ("p07", "labour_market_training", "2024-01-01", "2024-01-31"),
    ("p07", "coaching", "2024-01-20", "2024-02-05"),  # overlaps the training; outlasts it
]
BIRTH_YEARS = {f"p{i:02d}": 1960 + i for i in range(1, 14)}  # p13 has no spells


def register_tables() -> dict[str, pa.Table]:
    """The register as Arrow tables with the schemas' column types."""
    rows = {
        "jobseeker_spells": [
            dict(person_id=p, start=D(s), end=e and D(e), status=st, municipality=m,
                 responsible="te_office", service_line=None)
            for p, s, e, st, m in SPELLS
        ],
        "service_spells": [
            dict(person_id=p, service=sv, start=D(s), end=D(e), cost_eur=1000.0) for p, sv, s, e in SERVICES
        ],
        "search_ends": [dict(person_id="p01", date=D("2024-02-10"), destination="open_market_job")],
        "persons": [
            dict(person_id=p, birth_year=y, sex="F" if y % 2 else "M", native_language="fi",
                 citizenship="FI", education=3, partial_work_ability=p == "p12")
            for p, y in BIRTH_YEARS.items()
        ],
        "earnings": [
            dict(person_id="p01", month=D("2024-01-01"), earnings_eur=1000.5),
            dict(person_id="p13", month=D("2024-01-01"), earnings_eur=500.0),
        ],
        "benefits": [
            dict(person_id="p01", month=D("2024-01-01"), benefit="labour_market_subsidy", amount_eur=300.0, days=20),
            dict(person_id="p01", month=D("2024-01-01"), benefit="housing_allowance", amount_eur=200.25, days=31),
        ],
    }
    return {name: pa.Table.from_pylist(r, schema=TABLES[name].arrow_schema()) for name, r in rows.items()}


def duckdb_warehouse(path: Path) -> BaseBackend:
    """A DuckDB warehouse file holding the register, opened through ``vaikutus.warehouse``."""
    from vaikutus.warehouse import connect

    con = connect(path)
    for name, table in register_tables().items():
        con.create_table(name, table, overwrite=True)
    return con


def memory_warehouse(tables: dict[str, pa.Table]) -> BaseBackend:
    con = ibis.duckdb.connect()
    for name, table in tables.items():
        con.create_table(name, table)
    return con
