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
months, how they fare - as one tidy table (``SegmentProfiles.to_frame``), for the whole country and,
if asked, for every employment area and municipality; ``store.store_profiles`` keeps it in the
warehouse for the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.profiling.fairness import latest_cohorts
from vaikutus.profiling.features import FEATURE_BY_NAME, as_bool, validate_baseline
from vaikutus.profiling.measures import MEASURE_BY_ID, OUTCOMES, STARTED_SERVICE, Measure
from vaikutus.profiling.model import EmploymentModel
from vaikutus.profiling.tally import as_share, stack_areas, tally
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

    #: area_type, area_code, segment, names, section, measure_id, measure, category, n, count,
    #: value, ci_low, ci_high (``count``: persons counted in a share; NaN for means)
    table: pd.DataFrame
    period: tuple[date, date]
    model_id: str
    target_months: int

    def national(self) -> pd.DataFrame:
        return self.table[self.table["area_type"] == "country"]

    def wide(self, section: str = "outcomes") -> pd.DataFrame:
        part = self.national()
        part = part[part["section"] == section]
        label = part["measure"] + np.where(part["category"] != "", " " + part["category"], "")
        return part.assign(label=label).pivot(index="label", columns="segment", values="value")

    def summary(self) -> str:
        return "\n".join(
            [
                f"Segment profiles (model {self.model_id}), starts {self.period[0]:%Y-%m}..{self.period[1]:%Y-%m}, whole country",
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

        return plot_segment_outcomes(self.national(), self.target_months)


def segment_profiles(
    model: EmploymentModel,
    baseline: pd.DataFrame,
    services: pd.DataFrame,
    period: tuple[date, date] | None = None,
    levels: tuple[str, ...] = ("country",),
    segments: pd.DataFrame | None = None,
) -> SegmentProfiles:
    """Profiles of the starts in ``period`` (default: the latest 12 months with 12-month outcomes).

    ``services`` is ``baseline.services_after(con, baseline)``: (start_id, service) pairs.
    ``levels`` are area levels of ``tally.AREA_LEVELS``; ``segments`` (``assign_segments`` of these
    or more starts) saves scoring them again.
    """
    period = period or latest_cohorts(baseline, "open_market_job_12m")
    rows = baseline[(baseline["cohort"] >= period[0]) & (baseline["cohort"] <= period[1])]
    if rows.empty:
        raise ValueError(f"no starts in {period[0]}..{period[1]}")
    scored = assign_segments(model, rows) if segments is None else segments
    data = rows.merge(
        scored[["start_id", "p_lightgbm", "segment", "need_long_unemployment"]],
        on="start_id",
        how="left",
        validate="one_to_one",
    )
    if data["segment"].isna().any():
        raise ValueError("segments were given for fewer starts than the profiled period holds")
    values = _profile_values(data, services[services["start_id"].isin(data["start_id"])])
    keys = ["area_type", "area_code", "segment"]
    stacked = stack_areas(pd.concat([data[_area_columns(data, levels)], values], axis=1), levels)
    shares = [c for c in values.columns if _measure(c).kind == "share"]
    means = [c for c in values.columns if _measure(c).kind == "mean"]
    table = pd.concat(
        [_share_of_starts(stacked, keys), tally(stacked, keys, shares, means)], ignore_index=True
    )
    table["measure_id"] = table["column"].map(lambda c: _measure(c).id)
    table["category"] = table["column"].str.partition(":")[2]
    table["section"] = table["measure_id"].map(lambda m: MEASURE_BY_ID[m].section)
    table["measure"] = table["measure_id"].map(lambda m: MEASURE_BY_ID[m].en)
    table = table.merge(SEGMENT_NAMES[["segment", "name_fi", "name_sv", "name_en"]], on="segment")
    columns = [
        *keys,
        "name_fi",
        "name_sv",
        "name_en",
        "section",
        "measure_id",
        "measure",
        "category",
        "n",
        "count",
        "value",
        "ci_low",
        "ci_high",
    ]
    table = table[columns].sort_values(
        [*keys, "section", "measure", "category"], kind="stable", ignore_index=True
    )
    return SegmentProfiles(
        table=table,
        period=period,
        model_id=model.model_id,
        target_months=model.settings.target_months,
    )


def _area_columns(frame: pd.DataFrame, levels: tuple[str, ...]) -> list[str]:
    return ["segment", *(level for level in levels if level != "country" and level in frame)]


def _measure(column: str) -> Measure:
    """The measure of a value column (``started_service:<service>`` for services)."""
    return STARTED_SERVICE if ":" in column else MEASURE_BY_ID[column]


def _profile_values(data: pd.DataFrame, started: pd.DataFrame) -> pd.DataFrame:
    """One column per profile measure (``measures.WHO`` but the share of starts, one per service,
    ``measures.OUTCOMES``), one row per start."""
    values = {
        "age": pd.to_numeric(data["age"]),
        "women": data["sex"] == "F",
        "other_language": data["native_language"] == "other",
        "other_citizenship": data["citizenship"] != "FI",
        "partial_work_ability": data["partial_work_ability"].map(as_bool).astype(bool),
        "low_education": pd.to_numeric(data["education"]) <= LOW_EDUCATION_MAX,
        "long_unemployment": data["need_long_unemployment"],
        "months_unemployed_24m": pd.to_numeric(data["months_unemployed_24m"]),
        "earnings_12m": pd.to_numeric(data["earnings_12m"]),
        "estimated_chance": data["p_lightgbm"],
    }
    for service in SERVICES:
        values[f"{STARTED_SERVICE.id}:{service}"] = data["start_id"].isin(
            started.loc[started["service"] == service, "start_id"]
        )
    for measure in OUTCOMES:
        values[measure.id] = data[measure.id]
    frame = pd.DataFrame(values, index=data.index)
    for column in frame:
        if _measure(column).kind == "share":
            frame[column] = as_share(frame[column])
    return frame.astype(float)


def _share_of_starts(stacked: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    size = stacked.groupby(keys, sort=True, observed=True).size().rename("n").reset_index()
    total = size.groupby(keys[:-1])["n"].transform("sum")
    return size.assign(
        column="share_of_starts",
        count=np.nan,
        value=size["n"] / total,
        ci_low=np.nan,
        ci_high=np.nan,
    )
