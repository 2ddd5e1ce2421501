"""The named rules of the data package, with their defaults ([K] rules of DOMAIN.md: each is a
parameter, written into the manifest and the methods section).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class PackageParameters:
    #: [K] Monthly earnings (EUR) above which a person off the register is in open-market work.
    work_earnings_threshold_eur: float = 500.0
    #: Earnings thresholds (EUR/month) of the "share with earnings above" columns (> 0 always first).
    earnings_thresholds_eur: tuple[float, ...] = (0.0, 1000.0, 2000.0)
    #: Follow-up horizons (months after entry) of the path tables.
    horizons: tuple[int, ...] = (6, 12, 24)
    #: Event-time window of the income tables, months relative to the entry month.
    event_window: tuple[int, int] = (-12, 24)
    #: Event times shown in the tables by group (the by-area tables have every month).
    group_event_times: tuple[int, ...] = (-12, -1, 0, 6, 12, 24)
    #: Months of the path sequence ("most common paths" follow months 0..path_months).
    path_months: int = 12
    #: How many of the most common paths are listed (the rest are "other paths").
    top_paths: int = 10
    #: Peer areas: the k nearest employment areas in size and unemployment level.
    peer_count: int = 5
    #: Two-sided z of the confidence intervals and of the "beyond noise" rule (95 %).
    z: float = 1.959963984540054
    #: Funnel-plot control limits (95 % and 99.8 %).
    funnel_levels: tuple[float, ...] = (0.95, 0.998)
    #: Draws of the rank-interval simulation (fixed seed: the same tables every time).
    rank_draws: int = 2000
    #: Disclosure threshold: counts 1..threshold-1 are hidden (project rule, TEM practice).
    suppression_threshold: int = 5

    def __post_init__(self) -> None:
        if self.work_earnings_threshold_eur < 0:
            raise ValueError("work_earnings_threshold_eur must be >= 0")
        if not self.horizons or min(self.horizons) < 1 or max(self.horizons) > 60:
            raise ValueError("horizons must be months between 1 and 60")
        lo, hi = self.event_window
        if not lo < 0 < hi:
            raise ValueError("event_window must run from a negative to a positive month")
        if any(not lo <= e <= hi for e in self.group_event_times):
            raise ValueError("group_event_times must lie inside event_window")
        if not self.earnings_thresholds_eur or self.earnings_thresholds_eur[0] != 0:
            raise ValueError("earnings_thresholds_eur must start with 0 (the share with any earnings)")
        if self.suppression_threshold < 1 or self.peer_count < 1 or self.top_paths < 1:
            raise ValueError("suppression_threshold, peer_count and top_paths must be positive")

    @property
    def follow_months(self) -> int:
        """The longest follow-up any table needs."""
        return max(max(self.horizons), self.event_window[1], self.path_months)

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, raw: dict) -> PackageParameters:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown package parameter(s) {unknown}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
