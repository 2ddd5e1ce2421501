"""Follow-up of client paths: from a service's start, its baseline, milestones and Kykyviisari change.

A *path* is one service spell of one client. It carries the baseline measured at the start (the
baseline table's row), the milestones reached within 6 and 12 months of the start (a job search
ended to an open-market job, any work, education or outside the labour force) and the Kykyviisari
work-ability self-assessments that belong to it: the baseline assessment is the latest one from
``BASELINE_DAYS`` before the start to the start day, the follow-up the last one after the start,
before the client's next service path begins and within ``FOLLOW_UP_DAYS``. The change is last
minus baseline of the total score (0-10).

Kykyviisari changes are aggregated over *first participations* in a service: a client's second
spell of the same service starts from a score the first one has already moved, so pooling it would
mix two different questions. A change is a before-after difference of the service's clients, not
by itself the service's effect: clients are not assigned at random and scores drift with time
(compare services with each other, or evaluate with ``vaikutus.evaluation``). Milestones from the
start (not the end) keep one clock for all paths, ongoing ones included; long services such as
wage subsidy therefore show their lock-in as fewer open-market jobs at 6 months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import t as student

from vaikutus.profiling.metrics import wilson

BASELINE_DAYS = 14
FOLLOW_UP_DAYS = 730
DIMENSIONS = ("segment", "service", "employment_area")
MILESTONES = {
    "open_market_job": "open-market job",
    "any_work": "any work",
    "education": "education",
    "outside_labour_force": "outside the labour force",
}
CHANGE = "kykyviisari change (last - baseline)"


def client_paths(
    con: duckdb.DuckDBPyConnection, baseline: pd.DataFrame, segments: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per service start: its baseline row, milestones, Kykyviisari pair and segment."""
    paths = baseline[baseline["start_kind"] == "service"]
    keys = paths[["start_id", "person_id", "start_date", "service"]]
    con.register("_paths", keys)
    try:
        scores = con.execute(
            _KYKYVIISARI_SQL.format(before=BASELINE_DAYS, after=FOLLOW_UP_DAYS)
        ).df()
    finally:
        con.unregister("_paths")
    paths = paths.merge(scores, on="start_id", how="left", validate="one_to_one")
    paths["kykyviisari_change"] = paths["kykyviisari_last"] - paths["kykyviisari_baseline"]
    if segments is not None:
        paths = paths.merge(
            segments[["start_id", "segment"]], on="start_id", how="left", validate="one_to_one"
        )
    return paths.reset_index(drop=True)


_KYKYVIISARI_SQL = """
WITH p AS (
    SELECT *, lead(start_date) OVER (PARTITION BY person_id ORDER BY start_date, start_id) AS next_start
    FROM _paths
), prior AS (
    SELECT p.start_id, count(v.person_id) = 0 AS first_participation
    FROM p LEFT JOIN service_spells v
      ON v.person_id = p.person_id AND v.service = p.service AND v.start < p.start_date
    GROUP BY p.start_id
), measured AS (
    SELECT p.start_id,
           arg_max(k.score_total, k.date) FILTER (WHERE k.date <= p.start_date) AS kykyviisari_baseline,
           arg_max(k.score_total, k.date) FILTER (WHERE k.date > p.start_date) AS kykyviisari_last,
           count(*) FILTER (WHERE k.date > p.start_date) AS kykyviisari_follow_ups
    FROM p JOIN kykyviisari k ON k.person_id = p.person_id
     AND k.date >= p.start_date - {before} AND k.date <= p.start_date + {after}
     AND (p.next_start IS NULL OR k.date < p.next_start - {before})
    GROUP BY p.start_id
)
SELECT prior.start_id, first_participation, kykyviisari_baseline, kykyviisari_last,
       coalesce(kykyviisari_follow_ups, 0) AS kykyviisari_follow_ups
FROM prior LEFT JOIN measured USING (start_id)
"""


@dataclass(frozen=True, eq=False)
class FollowUp:
    """Milestone shares and Kykyviisari change by segment, service and area, with 95 % intervals."""

    table: pd.DataFrame  # dimension, group, measure, n, value, ci_low, ci_high

    def change_by(self, dimension: str = "service") -> pd.DataFrame:
        part = self.table[
            (self.table["dimension"] == dimension) & (self.table["measure"] == CHANGE)
        ]
        return part.set_index("group")[["n", "value", "ci_low", "ci_high"]]

    def summary(self) -> str:
        shown = self.table[self.table["dimension"].isin(("all", "segment", "service"))]
        wide = shown.pivot_table(
            index=["dimension", "group"], columns="measure", values="value", sort=False
        )
        return (
            "Follow-up of service paths (first participations for Kykyviisari)\n"
            + wide.to_string(float_format=lambda v: f"{v:.3f}")
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table}

    def figures(self) -> dict[str, Any]:
        return {"kykyviisari_change": self.plot()}

    def plot(self):
        from vaikutus.profiling.figures import plot_kykyviisari_change

        return plot_kykyviisari_change(self.change_by("service"), self.change_by("segment"))


def follow_up(paths: pd.DataFrame, dimensions: tuple[str, ...] = DIMENSIONS) -> FollowUp:
    """Aggregate ``client_paths`` overall and by each of ``dimensions``."""
    records = _group_records("all", "all", paths)
    for dimension in dimensions:
        if dimension not in paths.columns:
            raise ValueError(f"paths have no column {dimension!r} to group by")
        for group, part in paths.groupby(paths[dimension].astype("string"), sort=True):
            records += _group_records(dimension, group, part)
    return FollowUp(table=pd.DataFrame(records))


def _group_records(dimension: str, group: str, part: pd.DataFrame) -> list[dict[str, Any]]:
    records = []
    for stem, label in MILESTONES.items():
        for h in (6, 12):
            known = part[f"{stem}_{h}m"].dropna().astype(bool)
            low, high = wilson(int(known.sum()), len(known))
            records.append(
                {
                    "measure": f"{label} within {h} months",
                    "n": len(known),
                    "value": known.mean() if len(known) else np.nan,
                    "ci_low": float(low),
                    "ci_high": float(high),
                }
            )
    first = part[part["first_participation"].astype(bool)]
    pairs = first.dropna(subset=["kykyviisari_change"])
    records.append(_mean_record("kykyviisari baseline score", pairs["kykyviisari_baseline"]))
    records.append(_mean_record(CHANGE, pairs["kykyviisari_change"]))
    return [{"dimension": dimension, "group": group, **r} for r in records]


def _mean_record(measure: str, values: pd.Series) -> dict[str, Any]:
    v = values.to_numpy(dtype=float)
    n = len(v)
    mean = float(v.mean()) if n else math.nan
    half = float(student.ppf(0.975, n - 1) * v.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return {
        "measure": measure,
        "n": n,
        "value": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
    }
