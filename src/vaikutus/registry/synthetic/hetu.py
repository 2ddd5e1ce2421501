"""Artificial henkilötunnukset (Finnish personal identity codes) for the synthetic persons.

Format ``DDMMYYCZZZQ``: birth date, century sign (``-`` 1900s, ``A`` 2000s), individual number
``ZZZ`` (odd for men, even for women) and check character ``Q`` = the nine digits ``DDMMYYZZZ``
modulo 31 indexed into ``0123456789ABCDEFHJKLMNPRSTUVWXY``. Individual numbers 900-999 are the
range used for temporary and artificial codes, so no synthetic code can be a real person's.
A birth date has 50 such numbers per sex; persons beyond that are moved to the next free day of
the same year, which keeps every code unique and the birth year unchanged.
"""

from __future__ import annotations

import numpy as np
import polars as pl

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
ARTIFICIAL_FIRST = 900
PER_SEX_AND_DAY = 50


def check_character(nine_digits: int) -> str:
    return CHECK_CHARACTERS[nine_digits % 31]


def is_valid(code: str) -> bool:
    """Format, century sign, date digits and check character of one henkilötunnus."""
    if len(code) != 11 or code[6] not in "+-ABCDEFYXWVU":
        return False
    digits = code[:6] + code[7:10]
    if not digits.isdigit():
        return False
    day, month = int(code[:2]), int(code[2:4])
    return 1 <= day <= 31 and 1 <= month <= 12 and code[10] == check_character(int(digits))


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal keys, in input order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - run_start
    return rank


def assign(birth_year: np.ndarray, day_of_year: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Unique artificial henkilötunnukset (numpy array of str) for the given persons.

    ``day_of_year`` (0-based) is a proposal: a person is moved forward within the year when the
    day already has 50 persons of the same sex.
    """
    year = birth_year.astype(np.int64)
    days_in_year = np.where((year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)), 366, 365)
    day = day_of_year.astype(np.int64) % days_in_year
    sex = male.astype(np.int64)
    while True:
        rank = _rank_within((year * 1000 + day) * 2 + sex)
        over = rank >= PER_SEX_AND_DAY
        if not over.any():
            break
        day = np.where(over, (day + 1) % days_in_year, day)
    number = ARTIFICIAL_FIRST + 2 * rank + sex  # odd = man
    dates = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day
    frame = pl.DataFrame({"date": dates, "year": year, "number": number})
    frame = frame.with_columns(
        pl.col("date").dt.strftime("%d%m%y").alias("dmy"),
        pl.when(pl.col("year") >= 2000).then(pl.lit("A")).otherwise(pl.lit("-")).alias("sign"),
    )
    nine = frame["dmy"].cast(pl.Int64).to_numpy() * 1000 + number
    check = np.frombuffer(CHECK_CHARACTERS.encode(), dtype="S1")[nine % 31].astype(str)
    codes = frame.select(
        pl.concat_str(
            [
                pl.col("dmy"),
                pl.col("sign"),
                pl.col("number").cast(pl.Utf8),
                pl.Series("check", check),
            ]
        )
    ).to_series()
    return codes.to_numpy().astype(str)
