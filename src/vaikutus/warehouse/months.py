"""The panel's calendar: one row per month of the window with its counting day (laskentapäivä).

The counting day comes from ``vaikutus.reference.counting_day`` (holiday calendar in Python), so
the months table is computed here for the window and handed to the engine as a small Arrow table
(an Ibis memtable); every engine then joins against the same dates.
"""

from __future__ import annotations

import calendar
from datetime import date

import pyarrow as pa

from vaikutus.reference import counting_day
from vaikutus.reference.calendar import COUNTING_DAY_RULES

MonthLike = str | date


def parse_month(value: MonthLike) -> date:
    """First day of the month given as ``'YYYY-MM'``, ``'YYYY-MM-DD'`` or a date."""
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        parts = [int(p) for p in str(value).split("-")]
        return date(parts[0], parts[1], 1)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"month {value!r} is not of the form YYYY-MM") from exc


def month_starts(start: MonthLike, end: MonthLike) -> list[date]:
    """First days of every month from ``start`` to ``end``, both included."""
    first, last = parse_month(start), parse_month(end)
    if last < first:
        raise ValueError(f"panel window ends ({last:%Y-%m}) before it starts ({first:%Y-%m})")
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def months_table(start: MonthLike, end: MonthLike, rule: str = "last_working_day") -> pa.Table:
    """Arrow table ``month, month_end, counting_day`` (all date32) for the window."""
    if rule not in COUNTING_DAY_RULES:
        raise ValueError(f"unknown counting-day rule {rule!r}; use one of {COUNTING_DAY_RULES}")
    firsts = month_starts(start, end)
    ends = [d.replace(day=calendar.monthrange(d.year, d.month)[1]) for d in firsts]
    days = [counting_day(d.year, d.month, rule) for d in firsts]
    return pa.table(
        {
            "month": pa.array(firsts, pa.date32()),
            "month_end": pa.array(ends, pa.date32()),
            "counting_day": pa.array(days, pa.date32()),
        }
    )
