"""Helpers for the register-import tests: a key, valid identity codes, small valid tables.

(A module of its own rather than conftest.py, so that test modules can import it.)
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

from vaikutus.registry.pseudonymise import CHECK_CHARACTERS

KEY = "test-pseudonym-key-0123456789"
#: A henkilötunnus inside any text (word boundaries: a hex pseudonym may contain such a run).
HETU_TEXT = re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b", re.IGNORECASE)


def hetu(birth: dt.date, number: int = 902) -> str:
    """A valid henkilötunnus (individual numbers 900-999 are the artificial range)."""
    sign = {1800: "+", 1900: "-", 2000: "A"}[birth.year // 100 * 100]
    nine = int(birth.strftime("%d%m%y") + f"{number:03d}")
    return f"{birth:%d%m%y}{sign}{number:03d}{CHECK_CHARACTERS[nine % 31]}"


HETUS = [hetu(dt.date(1980 + i, 1 + i, 10 + i), 900 + i) for i in range(4)]


def persons_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "henkilotunnus": HETUS,
            "birth_year": ["1980", "1981", "1982", "1983"],
            "sex": ["M", "F", "F", "M"],
            "native_language": ["fi", "sv", "other", "fi"],
            "citizenship": ["FI", "FI", "other", "EU_EEA"],
            "education": ["3", "6", "2", "4"],
            "partial_work_ability": ["0", "1", "0", "0"],
        }
    )


def spells_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "henkilotunnus": [HETUS[0], HETUS[0], HETUS[1], HETUS[2], HETUS[3]],
            "start": ["2021-01-04", "2021-03-01", "2021-02-15", "2022-05-02", "2023-01-01"],
            "end": ["2021-02-28", "", "2021-12-31", "2022-06-30", ""],
            "status": ["unemployed", "in_service", "laid_off_full", "unemployed", "student"],
            "municipality": ["091", "091", "049", "564", "837"],
            "responsible": [
                "te_office",
                "municipal_trial",
                "te_office",
                "te_office",
                "employment_area",
            ],
            "service_line": ["1", "2", "", "3", ""],
        }
    )


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ",") -> Path:
    frame.to_csv(path, sep=sep, index=False)
    return path


def table(warehouse: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(f'SELECT * FROM "{name}"').df()


def all_text(warehouse: Path) -> list[str]:
    """Every text value in every table of the warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        return [
            str(v)
            for t, c in columns
            for (v,) in con.execute(f'SELECT "{c}" FROM "{t}"').fetchall()
        ]
