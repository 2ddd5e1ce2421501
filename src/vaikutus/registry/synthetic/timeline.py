"""The month grid of a simulation and the macro-economic forces that vary over it.

Months are integers counted from the first simulated month (a burn-in of ``BURN_IN_MONTHS`` before
the register window, so the window opens on a settled population with spells already running).
The macro indices are a stylised history of Finland's register unemployment 2013-2026: the
2015 peak, the 2016-2019 fall, the 2020 lay-off shock and recovery, the 2022 low and the 2023-2025
rise; hazards are multiplied by them, so their levels are tuned, not observed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from vaikutus.reference.calendar import counting_day

BURN_IN_MONTHS = 24

#: Yearly pressure on unemployment inflow (1 = the level of 2025); interpolated monthly.
INFLOW_BY_YEAR = {
    2012: 1.00,
    2013: 1.08,
    2014: 1.16,
    2015: 1.18,
    2016: 1.03,
    2017: 0.84,
    2018: 0.70,
    2019: 0.68,
    2020: 0.98,
    2021: 0.80,
    2022: 0.68,
    2023: 0.84,
    2024: 1.00,
    2025: 1.03,
    2026: 1.0,
}
#: Yearly pull on exits from unemployment to jobs (1 = the level of 2025).
OUTFLOW_BY_YEAR = {
    2012: 0.86,
    2013: 0.80,
    2014: 0.76,
    2015: 0.78,
    2016: 0.90,
    2017: 1.10,
    2018: 1.30,
    2019: 1.32,
    2020: 0.86,
    2021: 1.16,
    2022: 1.36,
    2023: 1.12,
    2024: 0.95,
    2025: 0.94,
    2026: 1.0,
}
#: Calendar-month factors: separations peak around new year and in June, hiring in spring.
INFLOW_SEASON = np.array([1.30, 0.90, 0.85, 0.85, 0.95, 1.25, 1.00, 0.85, 0.80, 0.90, 1.00, 1.40])
OUTFLOW_SEASON = np.array([0.85, 1.00, 1.10, 1.20, 1.20, 1.00, 0.75, 1.20, 1.10, 1.00, 0.90, 0.70])
LAYOFF_SEASON = np.array([1.40, 1.30, 1.00, 0.90, 0.80, 0.90, 1.00, 0.80, 0.80, 1.00, 1.20, 1.60])
#: The 2020 shock: lay-off surge in spring, slower recalls at first, weaker hiring for a year.
LAYOFF_SHOCK = {
    "2020-03": 45.0,
    "2020-04": 22.0,
    "2020-05": 6.0,
    "2020-06": 1.8,
    "2020-11": 1.5,
    "2020-12": 1.5,
    "2021-01": 1.4,
}
RECALL_SHOCK = {
    "2020-03": 0.25,
    "2020-04": 0.35,
    "2020-05": 0.8,
    "2020-06": 1.3,
    "2020-07": 1.3,
    "2020-08": 1.2,
}
HIRING_SHOCK = {
    "2020-03": 0.55,
    "2020-04": 0.45,
    "2020-05": 0.6,
    "2020-06": 0.75,
    "2020-07": 0.8,
    "2020-08": 0.85,
    "2020-09": 0.9,
    "2020-10": 0.9,
    "2020-11": 0.9,
    "2020-12": 0.9,
}

TRIAL_START = date(2021, 3, 1)
TRIAL_END = date(2024, 12, 31)
NORDIC_MODEL_START = date(2022, 5, 2)  # service lines end; plans reviewed at every meeting
REFORM_2025 = date(2025, 1, 1)  # employment areas take over; Pertunmaa joins Mäntyharju


def parse_month(text: str) -> np.datetime64:
    """``'2015-01'`` -> numpy month; a clear error for anything else."""
    try:
        return np.datetime64(text, "M")
    except ValueError as exc:
        raise ValueError(f"month {text!r} is not of the form YYYY-MM") from exc


@dataclass(frozen=True)
class Timeline:
    """Calendar facts and macro indices for every simulated month (index 0 = first burn-in month)."""

    months: np.ndarray  # datetime64[M]
    window_start: int  # index of the first register month

    @classmethod
    def build(cls, start: str, end: str) -> Timeline:
        first, last = parse_month(start), parse_month(end)
        if last < first:
            raise ValueError(f"end month {end} is before start month {start}")
        months = np.arange(first - BURN_IN_MONTHS, last + 1, dtype="datetime64[M]")
        return cls(months=months, window_start=BURN_IN_MONTHS)

    @property
    def n(self) -> int:
        return len(self.months)

    @property
    def first_day(self) -> np.ndarray:
        """First day of each month as days since 1970-01-01 (int32)."""
        return self.months.astype("datetime64[D]").astype(np.int64).astype(np.int32)

    @property
    def days_in_month(self) -> np.ndarray:
        nxt = (self.months + 1).astype("datetime64[D]").astype(np.int64)
        return (nxt - self.months.astype("datetime64[D]").astype(np.int64)).astype(np.int16)

    @property
    def year(self) -> np.ndarray:
        return (self.months.astype(np.int64) // 12 + 1970).astype(np.int16)

    @property
    def calendar_month(self) -> np.ndarray:
        """1-12."""
        return (self.months.astype(np.int64) % 12 + 1).astype(np.int8)

    @property
    def counting_day_of_month(self) -> np.ndarray:
        """Day of month of the counting day (last working day), per month."""
        return np.array(
            [counting_day(int(y), int(m)).day for y, m in zip(self.year, self.calendar_month)],
            dtype=np.int8,
        )

    def index_of(self, day: date) -> int:
        """Month index containing a date (may be outside 0..n-1)."""
        return int(np.datetime64(day, "M").astype(np.int64) - self.months[0].astype(np.int64))

    def _by_year(self, table: dict[int, float]) -> np.ndarray:
        years = np.array(sorted(table))
        values = np.array([table[y] for y in years])
        # anchor each year's value at its mid-point (July) and interpolate between
        position = self.year + (self.calendar_month - 0.5) / 12.0
        return np.interp(position, years + 0.5, values).astype(np.float32)

    def _shock(self, table: dict[str, float]) -> np.ndarray:
        out = np.ones(self.n, dtype=np.float32)
        for month, factor in table.items():
            hit = self.months == np.datetime64(month, "M")
            out[hit] = factor
        return out

    @property
    def inflow(self) -> np.ndarray:
        return self._by_year(INFLOW_BY_YEAR) * INFLOW_SEASON[self.calendar_month - 1].astype(
            np.float32
        )

    @property
    def outflow(self) -> np.ndarray:
        season = OUTFLOW_SEASON[self.calendar_month - 1].astype(np.float32)
        return self._by_year(OUTFLOW_BY_YEAR) * season * self._shock(HIRING_SHOCK)

    @property
    def layoff(self) -> np.ndarray:
        season = LAYOFF_SEASON[self.calendar_month - 1].astype(np.float32)
        return self._by_year(INFLOW_BY_YEAR) * season * self._shock(LAYOFF_SHOCK)

    @property
    def recall(self) -> np.ndarray:
        return self._shock(RECALL_SHOCK)

    @property
    def wage_index(self) -> np.ndarray:
        """Nominal wage level relative to 2015 (about 2.2 % a year)."""
        return (1.022 ** ((self.year - 2015) + (self.calendar_month - 1) / 12.0)).astype(np.float32)
