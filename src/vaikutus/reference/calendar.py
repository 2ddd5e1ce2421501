"""Finnish public holidays and the statistical counting day (laskentapäivä).

TEM's Työnvälitystilasto counts stocks on the month's counting day: the last working day of the
month (since 1981). A working day here is Monday-Friday that is not a Finnish public holiday or a
de-facto holiday (Midsummer Eve, Christmas Eve). Registers that lack the exact rule can use the
calendar month end instead (``rule="month_end"``). Computed, not tabulated, so any year works.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta
from functools import lru_cache

COUNTING_DAY_RULES = ("last_working_day", "month_end")


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = ((h + l_ - 7 * m + 114) % 31) + 1
    return date(year, month, day)


def _weekday_between(year: int, month: int, first_day: int, weekday: int) -> date:
    """The ``weekday`` (0=Mon) falling in the 7 days starting at ``first_day`` of the month."""
    start = date(year, month, first_day)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@lru_cache(maxsize=None)
def finnish_holidays(year: int) -> dict[date, str]:
    """Public and de-facto holidays of a year, date -> Finnish name."""
    easter = _easter(year)
    midsummer_eve = _weekday_between(year, 6, 19, 4)
    all_saints = _weekday_between(year, 10, 31, 5)
    days = {
        date(year, 1, 1): "uudenvuodenpäivä",
        date(year, 1, 6): "loppiainen",
        easter - timedelta(days=2): "pitkäperjantai",
        easter: "pääsiäispäivä",
        easter + timedelta(days=1): "toinen pääsiäispäivä",
        date(year, 5, 1): "vappu",
        easter + timedelta(days=39): "helatorstai",
        easter + timedelta(days=49): "helluntaipäivä",
        midsummer_eve: "juhannusaatto",
        midsummer_eve + timedelta(days=1): "juhannuspäivä",
        all_saints: "pyhäinpäivä",
        date(year, 12, 6): "itsenäisyyspäivä",
        date(year, 12, 24): "jouluaatto",
        date(year, 12, 25): "joulupäivä",
        date(year, 12, 26): "tapaninpäivä",
    }
    return dict(sorted(days.items()))


@lru_cache(maxsize=None)
def counting_day(year: int, month: int, rule: str = "last_working_day") -> date:
    """The counting day of a month: its last working day, or its last calendar day."""
    if rule not in COUNTING_DAY_RULES:
        raise ValueError(f"unknown counting-day rule {rule!r}; use one of {COUNTING_DAY_RULES}")
    day = date(year, month, _calendar.monthrange(year, month)[1])
    if rule == "month_end":
        return day
    holidays = finnish_holidays(year)
    while day.weekday() >= 5 or day in holidays:
        day -= timedelta(days=1)
    return day
