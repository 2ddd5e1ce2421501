"""Client segments: predicted chance (tertiles) x service need, six named, stable groups.

The chance axis cuts the LightGBM estimate at the tertiles of the *training* cohorts' estimates,
stored with the model, so a client's segment does not move when other clients are scored. The need
axis is a rule a caseworker can check by hand: a client needs more than job-search support if any
of partial work ability, long unemployment (at least 12 of the previous 24 months unemployed, or at
least 365 days elapsed at the start) or at most lower-secondary education (ISCED 0-2) holds. The
six cells are named in Finnish, Swedish and English. They are meant as strata for trials and as
covariates in evaluations (``assign_segments`` gives one per start), and they describe groups;
they do not decide what any one client gets.

``segment_profiles`` describes each segment - who they are, which services they start within 12
months, how they fare - as one tidy table (``SegmentProfiles.to_frame``) that
``write_segment_profiles`` stores as the warehouse table ``segment_profiles`` for the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from vaikutus.profiling.fairness import latest_cohorts
from vaikutus.profiling.features import FEATURE_BY_NAME, as_bool, validate_baseline
from vaikutus.profiling.metrics import Z95, wilson
from vaikutus.profiling.model import EmploymentModel
from vaikutus.registry.codes import SERVICES

#: Baseline columns the need rule reads (always required, even if the model leaves them out).
NEED_FEATURES = (
    "partial_work_ability",
    "months_unemployed_24m",
    "elapsed_unemployment_days",
    "education",
)
LONG_UNEMPLOYMENT_MONTHS, LONG_UNEMPLOYMENT_DAYS, LOW_EDUCATION_MAX = 12, 365, 2
CHANCES = ("high", "medium", "low")

#: code -> (chance, service need, fi, sv, en)
SEGMENTS: dict[str, tuple[str, bool, str, str, str]] = {
    "S1": ("high", False, "Nopeasti työllistyvät", "Snabbt sysselsatta", "Quick to employment"),
    "S2": (
        "high",
        True,
        "Hyvät mahdollisuudet, tuen tarve",
        "Goda möjligheter, stödbehov",
        "Good prospects, support needs",
    ),
    "S3": ("medium", False, "Työnhaun tuki", "Stöd i jobbsökandet", "Job-search support"),
    "S4": (
        "medium",
        True,
        "Osaamisen ja työkyvyn tuki",
        "Stöd för kompetens och arbetsförmåga",
        "Skills and work-ability support",
    ),
    "S5": (
        "low",
        False,
        "Pitkittymisen riski",
        "Risk för långvarig arbetslöshet",
        "Risk of long unemployment",
    ),
    "S6": (
        "low",
        True,
        "Vahva monialainen tuki",
        "Starkt sektorsövergripande stöd",
        "Intensive multi-professional support",
    ),
}
SEGMENT_NAMES = pd.DataFrame(
    [(code, chance, need, fi, sv, en) for code, (chance, need, fi, sv, en) in SEGMENTS.items()],
    columns=["segment", "chance", "service_need", "name_fi", "name_sv", "name_en"],
)
#: Milestones followed in the profiles: column stem -> label.
OUTCOMES = {
    "open_market_job": "open-market job",
    "any_work": "any work (open, subsidised, own firm)",
    "education": "education",
    "outside_labour_force": "outside the labour force",
}


def service_need(frame: pd.DataFrame) -> pd.DataFrame:
    """The three need indicators and their union, per row (validated first)."""
    validate_baseline(frame, tuple(FEATURE_BY_NAME[name] for name in NEED_FEATURES))
    partial = frame["partial_work_ability"].map(as_bool).astype(bool)
    long = (pd.to_numeric(frame["months_unemployed_24m"]) >= LONG_UNEMPLOYMENT_MONTHS) | (
        pd.to_numeric(frame["elapsed_unemployment_days"]) >= LONG_UNEMPLOYMENT_DAYS
    )
    low_education = pd.to_numeric(frame["education"]) <= LOW_EDUCATION_MAX
    need = pd.DataFrame(
        {
            "need_partial_work_ability": partial.to_numpy(),
            "need_long_unemployment": long.to_numpy(),
            "need_low_education": low_education.to_numpy(),
        },
        index=frame.index,
    )
    need["service_need"] = need.any(axis=1)
    return need


def chance_band(p: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """'low' below the first cut, 'high' from the second, else 'medium'."""
    return np.where(p >= cuts[1], "high", np.where(p >= cuts[0], "medium", "low"))


def assign_segments(model: EmploymentModel, frame: pd.DataFrame) -> pd.DataFrame:
    """Estimate, chance band, need indicators and segment (code and names) for each row of ``frame``."""
    p = model.predict(frame)["p_lightgbm"].to_numpy()
    need = service_need(frame)
    out = pd.DataFrame(
        {"p_lightgbm": p, "chance": chance_band(p, model.chance_cuts)}, index=frame.index
    )
    out = pd.concat([out, need], axis=1)
    key = {(chance, needs): code for code, (chance, needs, *_names) in SEGMENTS.items()}
    out["segment"] = [key[(c, bool(n))] for c, n in zip(out["chance"], out["service_need"])]
    names = SEGMENT_NAMES.set_index("segment")
    for language in ("fi", "sv", "en"):
        out[f"segment_{language}"] = out["segment"].map(names[f"name_{language}"])
    ids = [
        c
        for c in ("start_id", "person_id", "start_date", "cohort", "start_kind", "service")
        if c in frame
    ]
    return pd.concat([frame[ids], out], axis=1)


@dataclass(frozen=True, eq=False)
class SegmentProfiles:
    """Who each segment is, which services it starts and how it fares, as one tidy table."""

    table: pd.DataFrame  # segment, names, section, measure, category, n, value, ci_low, ci_high
    period: tuple[date, date]
    model_id: str
    target_months: int

    def wide(self, section: str = "outcomes") -> pd.DataFrame:
        part = self.table[self.table["section"] == section]
        label = part["measure"] + np.where(part["category"] != "", " " + part["category"], "")
        return part.assign(label=label).pivot(index="label", columns="segment", values="value")

    def summary(self) -> str:
        return "\n".join(
            [
                f"Segment profiles (model {self.model_id}), starts {self.period[0]:%Y-%m}..{self.period[1]:%Y-%m}",
                SEGMENT_NAMES[["segment", "name_en", "name_fi"]].to_string(index=False),
                *(
                    f"\n[{s}]\n" + self.wide(s).to_string(float_format=lambda v: f"{v:.3f}")
                    for s in ("who", "services", "outcomes")
                ),
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "period": [d.isoformat() for d in self.period],
            "target_months": self.target_months,
            "table": self.table,
        }

    def figures(self) -> dict[str, Any]:
        return {"segment_outcomes": self.plot()}

    def plot(self):
        from vaikutus.profiling.figures import plot_segment_outcomes

        return plot_segment_outcomes(self.table, self.target_months)


def segment_profiles(
    model: EmploymentModel,
    baseline: pd.DataFrame,
    services: pd.DataFrame,
    period: tuple[date, date] | None = None,
) -> SegmentProfiles:
    """Profiles of the starts in ``period`` (default: the latest 12 months with 12-month outcomes).

    ``services`` is ``baseline.services_after(con, baseline)``: (start_id, service) pairs.
    """
    period = period or latest_cohorts(baseline, "open_market_job_12m")
    rows = baseline[(baseline["cohort"] >= period[0]) & (baseline["cohort"] <= period[1])]
    if rows.empty:
        raise ValueError(f"no starts in {period[0]}..{period[1]}")
    seg = assign_segments(model, rows)
    data = pd.concat([rows, seg[["p_lightgbm", "segment", "need_long_unemployment"]]], axis=1)
    started = services[services["start_id"].isin(data["start_id"])]
    records = []
    for code, part in data.groupby("segment"):
        records += [
            {"segment": code, **r}
            for r in _who(part, len(data)) + _services(part, started) + _outcomes(part)
        ]
    table = pd.DataFrame(records).merge(
        SEGMENT_NAMES[["segment", "name_fi", "name_sv", "name_en"]], on="segment"
    )
    columns = [
        "segment",
        "name_fi",
        "name_sv",
        "name_en",
        "section",
        "measure",
        "category",
        "n",
        "value",
        "ci_low",
        "ci_high",
    ]
    table = table[columns].sort_values(
        ["segment", "section", "measure", "category"], kind="stable", ignore_index=True
    )
    return SegmentProfiles(
        table=table,
        period=period,
        model_id=model.model_id,
        target_months=model.settings.target_months,
    )


def _share(section: str, measure: str, hits: pd.Series, category: str = "") -> dict[str, Any]:
    known = hits.dropna().astype(bool)
    n, k = len(known), int(known.sum())
    low, high = wilson(k, n)
    return {
        "section": section,
        "measure": measure,
        "category": category,
        "n": n,
        "value": k / n if n else np.nan,
        "ci_low": float(low),
        "ci_high": float(high),
    }


def _mean(section: str, measure: str, values: pd.Series) -> dict[str, Any]:
    v = pd.to_numeric(values).dropna().to_numpy(dtype=float)
    se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.nan
    return {
        "section": section,
        "measure": measure,
        "category": "",
        "n": len(v),
        "value": v.mean(),
        "ci_low": v.mean() - Z95 * se,
        "ci_high": v.mean() + Z95 * se,
    }


def _who(part: pd.DataFrame, total: int) -> list[dict[str, Any]]:
    return [
        {
            "section": "who",
            "measure": "share of starts",
            "category": "",
            "n": len(part),
            "value": len(part) / total,
            "ci_low": np.nan,
            "ci_high": np.nan,
        },
        _mean("who", "age", part["age"]),
        _share("who", "women", part["sex"] == "F"),
        _share("who", "native language other than fi/sv", part["native_language"] == "other"),
        _share("who", "citizenship other than Finnish", part["citizenship"] != "FI"),
        _share("who", "partial work ability", part["partial_work_ability"].astype(bool)),
        _share("who", "education ISCED 0-2", pd.to_numeric(part["education"]) <= LOW_EDUCATION_MAX),
        _share("who", "long unemployment", part["need_long_unemployment"]),
        _mean("who", "months unemployed of previous 24", part["months_unemployed_24m"]),
        _mean("who", "earnings in previous 12 months (EUR)", part["earnings_12m"]),
        _mean("who", "estimated chance", part["p_lightgbm"]),
    ]


def _services(part: pd.DataFrame, started: pd.DataFrame) -> list[dict[str, Any]]:
    mine = started[started["start_id"].isin(part["start_id"])]
    records = []
    for service in SERVICES:
        hits = part["start_id"].isin(mine.loc[mine["service"] == service, "start_id"])
        records.append(_share("services", "started within 12 months", hits, category=service))
    return records


def _outcomes(part: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        _share("outcomes", f"{label} within {h} months", part[f"{stem}_{h}m"])
        for stem, label in OUTCOMES.items()
        for h in (6, 12)
    ]


def write_segment_profiles(
    warehouse: Path | str, profiles: SegmentProfiles, segments: pd.DataFrame | None = None
) -> None:
    """Store the profiles as table ``segment_profiles`` (and, if given, ``client_segments``).

    Both tables are replaced whole: they describe one model and one period, named in each row.
    """
    table = profiles.to_frame().assign(
        model_id=profiles.model_id,
        period_start=profiles.period[0],
        period_end=profiles.period[1],
        computed_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    )
    con = duckdb.connect(str(warehouse))
    try:
        con.register("_profiles", table)
        con.execute("CREATE OR REPLACE TABLE segment_profiles AS SELECT * FROM _profiles")
        if segments is not None:
            con.register("_segments", segments.assign(model_id=profiles.model_id))
            con.execute("CREATE OR REPLACE TABLE client_segments AS SELECT * FROM _segments")
    finally:
        con.close()


def read_segment_profiles(warehouse: Path | str) -> pd.DataFrame:
    """The ``segment_profiles`` table of a warehouse (for the portal's internal view)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT * FROM segment_profiles ORDER BY segment, section, measure, category"
        ).df()
    finally:
        con.close()
