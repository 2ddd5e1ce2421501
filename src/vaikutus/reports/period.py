"""Half-year periods of the data package: ``2026H1`` = January-June 2026, ``2026H2`` = July-December.

A package describes the jobseekers who *entered* in its half-year (the cohorts) and follows them
as far as the data reach; the previous half-year is the comparison of "what changed".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^(\d{4})H([12])$")


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1 or 2

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        match = _PATTERN.match(str(text).strip().upper())
        if not match:
            raise ValueError(f"period {text!r} is not a half-year of the form YYYYH1 or YYYYH2 (e.g. 2026H1)")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def first_month(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_month(self) -> date:
        return date(self.year, 6 if self.half == 1 else 12, 1)

    @property
    def last_month_label(self) -> str:
        """The period's last month as the indicator table writes it ('YYYY-MM')."""
        return f"{self.last_month:%Y-%m}"

    @property
    def quarters(self) -> tuple[str, str]:
        """The two quarter labels of the indicator table ('YYYY-Qn')."""
        first = 1 if self.half == 1 else 3
        return f"{self.year}-Q{first}", f"{self.year}-Q{first + 1}"

    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    def __str__(self) -> str:
        return self.label


def add_months(month: date, k: int) -> date:
    """The first day of the month ``k`` months after ``month`` (negative ``k`` goes back)."""
    index = month.year * 12 + month.month - 1 + k
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Whole months from ``first`` to ``last`` (both first days of months)."""
    return (last.year - first.year) * 12 + last.month - first.month
