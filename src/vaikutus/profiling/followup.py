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

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from vaikutus.profiling.measures import MEASURE_BY_ID, OUTCOMES, WORK_ABILITY
from vaikutus.profiling.tally import as_share, stack_areas, tally

BASELINE_DAYS = 14
FOLLOW_UP_DAYS = 730
DIMENSIONS = ("segment", "service", "employment_area")
CHANGE = MEASURE_BY_ID["kykyviisari_change"].en


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

    #: area_type, area_code, dimension, group, measure_id, measure, n, count, value, ci_low, ci_high
    table: pd.DataFrame

    def national(self) -> pd.DataFrame:
        return self.table[self.table["area_type"] == "country"]

    def change_by(self, dimension: str = "service") -> pd.DataFrame:
        part = self.national()
        part = part[(part["dimension"] == dimension) & (part["measure"] == CHANGE)]
        return part.set_index("group")[["n", "value", "ci_low", "ci_high"]]

    def summary(self) -> str:
        shown = self.national()
        shown = shown[shown["dimension"].isin(("all", "segment", "service"))]
        wide = shown.pivot_table(
            index=["dimension", "group"], columns="measure", values="value", sort=False
        )
        return (
            "Follow-up of service paths (first participations for Kykyviisari), whole country\n"
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


def follow_up(
    paths: pd.DataFrame,
    dimensions: tuple[str, ...] = DIMENSIONS,
    levels: tuple[str, ...] = ("country",),
) -> FollowUp:
    """Aggregate ``client_paths`` overall and by each of ``dimensions``, in every area of ``levels``.

    Milestones count every path whose window is observed; the Kykyviisari measures only first
    participations with a baseline and a follow-up score.
    """
    for dimension in dimensions:
        if dimension not in paths.columns:
            raise ValueError(f"paths have no column {dimension!r} to group by")
    values = pd.DataFrame({m.id: as_share(paths[m.id]) for m in OUTCOMES}, index=paths.index)
    paired = paths["first_participation"].astype("boolean").fillna(False).astype(bool)
    paired &= paths["kykyviisari_change"].notna()
    for measure in WORK_ABILITY:
        values[measure.id] = paths[measure.id].where(paired).astype(float)
    own = [c for c in dict.fromkeys((*dimensions, *levels)) if c in paths.columns]
    stacked = stack_areas(pd.concat([paths[own], values], axis=1), levels)
    keys = ["area_type", "area_code", "dimension", "group"]
    shares = [m.id for m in OUTCOMES]
    means = [m.id for m in WORK_ABILITY]
    parts = [tally(stacked.assign(dimension="all", group="all"), keys, shares, means, "t")]
    for dimension in dimensions:
        grouped = stacked.assign(dimension=dimension, group=stacked[dimension].astype("string"))
        parts.append(tally(grouped, keys, shares, means, "t"))
    table = pd.concat(parts, ignore_index=True).rename(columns={"column": "measure_id"})
    table.insert(5, "measure", table["measure_id"].map(lambda m: MEASURE_BY_ID[m].en))
    return FollowUp(table=table)
