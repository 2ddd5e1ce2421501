"""The profiling outputs the warehouse keeps for the portal's internal side.

``store_profiles(con, model, baseline)`` computes them and replaces these tables whole, in one
transaction, so the portal never sees half of one model and half of another:

=========================  =====================================================================
table                      one row per
=========================  =====================================================================
``segment_definitions``    segment: chance band with its range of estimates, need, names fi/sv/en
``segment_profiles``       area x segment x measure: who, services started, milestones (the starts
                           of the profiled period: the latest 12 months with 12-month outcomes)
``segment_follow_up``      area x group (all / a segment / a service) x measure: milestones and
                           Kykyviisari change of service paths, with 95 % intervals
``profile_measures``       measure or service: section, kind, unit, labels fi/sv/en
``profiling_model``        the model: id, target, periods, rows, need rule, how it was trained,
                           the model card as HTML
``profiling_performance``  learner x split: AUC with its interval, Brier score, calibration
``client_segments``        start: estimate, chance band, need indicators, segment (pseudonymised
                           person id; for evaluations, never shown by the portal)
=========================  =====================================================================

Areas are the whole country, every employment area and every municipality (2025 division, from
the start month's panel row). The figures are unsuppressed: these tables are internal. ``small``
marks each figure that rests on fewer persons than the public indicators' disclosure threshold
(``tally.small_cells``), so that every view can show it as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import pandas as pd

from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.profiling.baseline import baseline_table, services_after
from vaikutus.profiling.fairness import latest_cohorts
from vaikutus.profiling.followup import FollowUp, client_paths, follow_up
from vaikutus.profiling.measures import measures_frame
from vaikutus.profiling.model import SPLITS, EmploymentModel
from vaikutus.profiling.segments import (
    LONG_UNEMPLOYMENT_DAYS,
    LONG_UNEMPLOYMENT_MONTHS,
    LOW_EDUCATION_MAX,
    SEGMENT_NAMES,
    SegmentProfiles,
    assign_segments,
    segment_profiles,
)
from vaikutus.profiling.tally import AREA_LEVELS, small_cells

TABLES = (
    "segment_definitions",
    "segment_profiles",
    "segment_follow_up",
    "profile_measures",
    "profiling_model",
    "profiling_performance",
    "client_segments",
)
FOLLOW_UP_DIMENSIONS = ("segment", "service")


@dataclass(frozen=True, eq=False)
class ProfileTables:
    """Everything ``store_profiles`` writes, as computed (``tables()`` gives the warehouse shape)."""

    model: EmploymentModel
    segments: pd.DataFrame
    profiles: SegmentProfiles
    follow_up: FollowUp
    follow_up_period: tuple[date, date]
    threshold: int
    card_html: str = ""
    training_note: str = ""

    def tables(self) -> dict[str, pd.DataFrame]:
        model_id = self.model.model_id
        return {
            "segment_definitions": self._definitions(),
            "segment_profiles": self._flagged(self.profiles.table),
            "segment_follow_up": self._flagged(self.follow_up.table),
            "profile_measures": measures_frame(),
            "profiling_model": self._model_row(),
            "profiling_performance": self.model.metrics.assign(model_id=model_id),
            "client_segments": self.segments.assign(model_id=model_id),
        }

    def _flagged(self, table: pd.DataFrame) -> pd.DataFrame:
        small = small_cells(table["n"], table["count"], self.threshold)
        return table.assign(small=small.to_numpy(), model_id=self.model.model_id)

    def _definitions(self) -> pd.DataFrame:
        low, high = self.model.chance_cuts
        bands = {"low": (0.0, low), "medium": (low, high), "high": (high, 1.0)}
        frame = SEGMENT_NAMES.copy()
        frame["chance_from"] = frame["chance"].map(lambda c: bands[c][0])
        frame["chance_to"] = frame["chance"].map(lambda c: bands[c][1])
        return frame.assign(model_id=self.model.model_id)

    def _model_row(self) -> pd.DataFrame:
        m = self.model
        row = {
            "model_id": m.model_id,
            "target": m.settings.target,
            "target_months": m.settings.target_months,
            "features": ", ".join(f.name for f in m.features),
            "excluded": ", ".join(m.settings.exclude),
            **{
                f"{s}_{end}": m.periods.of(s)[i]
                for s in SPLITS
                for i, end in enumerate(("start", "end"))
            },
            **{f"rows_{s}": m.rows[s] for s in SPLITS},
            "chance_cut_low": m.chance_cuts[0],
            "chance_cut_high": m.chance_cuts[1],
            "need_long_months": LONG_UNEMPLOYMENT_MONTHS,
            "need_long_days": LONG_UNEMPLOYMENT_DAYS,
            "need_education_max": LOW_EDUCATION_MAX,
            "profile_start": self.profiles.period[0],
            "profile_end": self.profiles.period[1],
            "follow_up_start": self.follow_up_period[0],
            "follow_up_end": self.follow_up_period[1],
            "suppression_threshold": self.threshold,
            "training_note": self.training_note,
            "trained_at": m.trained_at,
            "computed_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            "versions": json.dumps(m.versions, sort_keys=True),
            "card_html": self.card_html,
        }
        return pd.DataFrame([row])

    def write(self, con: duckdb.DuckDBPyConnection) -> ProfileTables:
        """Replace the tables of ``TABLES`` in the warehouse of ``con`` (one transaction)."""
        con.execute("BEGIN TRANSACTION")
        try:
            for name, frame in self.tables().items():
                con.register("_profiling_frame", frame)
                con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _profiling_frame")
                con.unregister("_profiling_frame")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return self

    # -- result protocol -----------------------------------------------------------------------

    def brief(self) -> str:
        """One line: the model, its test AUC and how many areas have profiles."""
        m = self.model.metrics
        auc = m.loc[(m["model"] == "lightgbm") & (m["split"] == "test"), "auc"].iloc[0]
        areas = self.profiles.table.drop_duplicates(["area_type", "area_code"])
        return (
            f"model {self.model.model_id} (test AUC {auc:.3f}), 6 segments profiled in "
            f"{len(areas)} areas, {len(self.segments):,} starts segmented"
        )

    def summary(self) -> str:
        areas = self.profiles.table.drop_duplicates(["area_type", "area_code"])
        counts = areas["area_type"].value_counts()
        small = self._flagged(self.profiles.table)["small"].mean()
        (p0, p1), (f0, f1) = self.profiles.period, self.follow_up_period
        levels = ", ".join(f"{counts.get(level, 0)} {level}" for level in AREA_LEVELS)
        return "\n".join(
            [
                f"Profiling tables of model {self.model.model_id}: {levels}",
                f"  profiled starts {p0:%Y-%m}..{p1:%Y-%m}; service paths {f0:%Y-%m}..{f1:%Y-%m}",
                f"  {small:.0%} of profile figures marked small (< {self.threshold} persons)",
                self.profiles.summary(),
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        return self.tables()["segment_profiles"]

    def plot(self):
        return self.profiles.plot()


def profile_tables(
    con: duckdb.DuckDBPyConnection,
    model: EmploymentModel,
    baseline: pd.DataFrame | None = None,
    *,
    levels: tuple[str, ...] = AREA_LEVELS,
    threshold: int | None = None,
    card_html: str = "",
    training_note: str = "",
) -> ProfileTables:
    """Segment every start, profile the latest period and follow the service paths, by area."""
    baseline = baseline_table(con) if baseline is None else baseline
    if not (baseline["start_kind"] == "service").any():
        raise ValueError("the warehouse holds no service starts to follow up")
    segments = assign_segments(model, baseline)
    period = latest_cohorts(baseline, "open_market_job_12m")
    profiled = baseline[(baseline["cohort"] >= period[0]) & (baseline["cohort"] <= period[1])]
    profiles = segment_profiles(
        model, baseline, services_after(con, profiled), period, levels, segments
    )
    paths = client_paths(con, baseline, segments)
    return ProfileTables(
        model=model,
        segments=segments,
        profiles=profiles,
        follow_up=follow_up(paths, FOLLOW_UP_DIMENSIONS, levels),
        follow_up_period=(min(paths["cohort"]), max(paths["cohort"])),
        threshold=IndicatorParameters().suppression_threshold if threshold is None else threshold,
        card_html=card_html,
        training_note=training_note,
    )


def store_profiles(
    con: duckdb.DuckDBPyConnection,
    model: EmploymentModel,
    baseline: pd.DataFrame | None = None,
    **options,
) -> ProfileTables:
    """``profile_tables(con, model, baseline, **options)`` written into the warehouse of ``con``."""
    return profile_tables(con, model, baseline, **options).write(con)
