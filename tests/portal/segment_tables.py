"""Profiling tables of the stored shape for the portal tests (as ``profiling.store`` writes them).

Four areas besides the whole country: Helsinki (employment area 8, municipality 091) and Espoo
(employment area 1, municipality 049). Every figure of an area carries its own marker in the
value, so a test can tell whose figures a page shows; in Helsinki's segment S6 every figure is a
small cell (n = 3).
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from vaikutus.portal.data import PROFILING_COLUMNS
from vaikutus.profiling.measures import MEASURES, SERVICE_LABELS, measures_frame
from vaikutus.profiling.segments import SEGMENT_NAMES

AREAS = {
    ("country", "SSS"): 0.40,
    ("employment_area", "8"): 0.31,
    ("municipality", "091"): 0.32,
    ("employment_area", "1"): 0.77,
    ("municipality", "049"): 0.78,
}
SMALL = ("employment_area", "8", "S6")
MODEL_ID = "0123456789ab"


def _figure(n: int, value: float, share: bool) -> dict:
    count = round(n * value) if share else np.nan
    half = 0.05 if share else 0.3
    return {"n": n, "count": count, "value": value, "ci_low": value - half, "ci_high": value + half,
            "small": n < 5}


def profiles() -> pd.DataFrame:
    rows = []
    for (area_type, code), marker in AREAS.items():
        for i, segment in enumerate(SEGMENT_NAMES["segment"]):
            n = 3 if (area_type, code, segment) == SMALL else 200 + 10 * i
            for m in MEASURES:
                if m.section == "work_ability":
                    continue
                categories = list(SERVICE_LABELS) if m.id == "started_service" else [""]
                for category in categories:
                    value = marker - 0.01 * i if m.kind == "share" or m.unit == "probability" else 30 + i
                    rows.append({"area_type": area_type, "area_code": code, "segment": segment, "section": m.section,
                                 "measure_id": m.id, "category": category, **_figure(n, value, m.kind == "share")})
    return pd.DataFrame(rows)


def follow_up() -> pd.DataFrame:
    rows = []
    groups = [("all", "all"), *(("segment", s) for s in SEGMENT_NAMES["segment"]),
              ("service", "coaching"), ("service", "rehabilitative_work")]
    for (area_type, code), marker in AREAS.items():
        for dimension, group in groups:
            for m in MEASURES:
                if m.section not in ("outcomes", "work_ability"):
                    continue
                value = marker if m.kind == "share" else (5.0 if m.id == "kykyviisari_baseline" else marker)
                rows.append({"area_type": area_type, "area_code": code, "dimension": dimension, "group": group,
                             "measure_id": m.id, **_figure(60, value, m.kind == "share")})
    return pd.DataFrame(rows)


def model_row() -> pd.DataFrame:
    return pd.DataFrame([{
        "model_id": MODEL_ID, "target_months": 12, "train_start": date(2017, 1, 1), "train_end": date(2021, 12, 1),
        "test_start": date(2024, 1, 1), "test_end": date(2024, 12, 1), "chance_cut_low": 0.31,
        "chance_cut_high": 0.45, "need_long_months": 12, "need_long_days": 365, "need_education_max": 2,
        "profile_start": date(2024, 1, 1), "profile_end": date(2024, 12, 1), "follow_up_start": date(2017, 1, 1),
        "follow_up_end": date(2025, 12, 1), "suppression_threshold": 5, "training_note": "all starts",
        "trained_at": "2026-01-01T00:00:00+00:00",
        "card_html": '<!doctype html><html lang="en"><title>Model card</title><h1>Model card 0123456789ab</h1></html>',
    }])


def performance() -> pd.DataFrame:
    return pd.DataFrame([
        {"model": model, "split": split, "auc": 0.65, "auc_ci_low": 0.64, "auc_ci_high": 0.66, "brier": 0.21,
         "calibration_in_the_large": 0.05}
        for model in ("lightgbm", "logistic") for split in ("train", "validation", "test")
    ])


def definitions() -> pd.DataFrame:
    bands = {"low": (0.0, 0.31), "medium": (0.31, 0.45), "high": (0.45, 1.0)}
    frame = SEGMENT_NAMES.copy()
    frame["chance_from"] = frame["chance"].map(lambda c: bands[c][0])
    frame["chance_to"] = frame["chance"].map(lambda c: bands[c][1])
    return frame


def add_segment_tables(con: duckdb.DuckDBPyConnection) -> None:
    tables = {
        "segment_definitions": definitions(), "segment_profiles": profiles(), "segment_follow_up": follow_up(),
        "profile_measures": measures_frame(), "profiling_model": model_row(), "profiling_performance": performance(),
    }
    for name, frame in tables.items():
        con.register("frame", frame[PROFILING_COLUMNS[name]])
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")
