"""Segments: a deterministic, interpretable grid; profiles; the warehouse table for the portal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vaikutus.profiling.baseline import services_after
from vaikutus.profiling.segments import (
    SEGMENT_NAMES,
    assign_segments,
    chance_band,
    read_segment_profiles,
    segment_profiles,
    service_need,
    write_segment_profiles,
)


def test_need_rule_and_chance_bands_by_hand():
    rows = pd.DataFrame(
        {
            "partial_work_ability": [False, True, False, False, False],
            "months_unemployed_24m": [0, 0, 12, 0, 11],
            "elapsed_unemployment_days": [0, 0, 0, 365, 364],
            "education": [3, 5, 4, 4, 2],
        }
    )
    need = service_need(rows)
    assert need["service_need"].tolist() == [False, True, True, True, True]
    assert need["need_low_education"].tolist() == [False, False, False, False, True]
    assert chance_band(np.array([0.1, 0.2, 0.3, 0.5]), (0.2, 0.4)).tolist() == [
        "low",
        "medium",
        "medium",
        "high",
    ]


def test_segments_are_deterministic_and_follow_the_grid(model, baseline):
    first, second = assign_segments(model, baseline), assign_segments(model, baseline.iloc[::-1])
    assert first.set_index("start_id")["segment"].equals(
        second.set_index("start_id")["segment"].loc[first["start_id"]]
    )
    assert set(first["segment"]) == set(SEGMENT_NAMES["segment"])
    grid = SEGMENT_NAMES.set_index("segment")
    assert (first["chance"] == first["segment"].map(grid["chance"])).all()
    assert (first["service_need"] == first["segment"].map(grid["service_need"])).all()
    train = first[first["cohort"].between(*model.periods.train)]
    # tertile cuts of the training estimates: about a third in each band there
    assert train["chance"].value_counts(normalize=True).between(0.30, 0.37).all()
    assert first["segment_sv"].notna().all()


def test_profiles_describe_who_what_and_how(model, baseline, synthetic, warehouse_copy):
    import duckdb

    con = duckdb.connect(str(synthetic.warehouse), read_only=True)
    profiles = segment_profiles(model, baseline, services_after(con, baseline))
    con.close()
    table = profiles.table
    assert set(table["section"]) == {"who", "services", "outcomes"}
    shares = table[table["measure"] == "share of starts"]
    assert shares["value"].sum() == pytest.approx(1.0)
    jobs = table[table["measure"] == "open-market job within 12 months"].set_index("segment")[
        "value"
    ]
    # the chance axis orders outcomes: high-chance segments fare better than low-chance ones
    assert jobs["S1"] > jobs["S3"] > jobs["S5"] and jobs["S1"] > jobs["S6"]
    assert ((table["ci_low"] <= table["value"]) | table["ci_low"].isna()).all()
    write_segment_profiles(warehouse_copy, profiles, assign_segments(model, baseline))
    stored = read_segment_profiles(warehouse_copy)
    assert len(stored) == len(table) and set(stored["model_id"]) == {model.model_id}
    assert {"name_fi", "name_sv", "name_en", "period_start"} <= set(stored.columns)
    assert "S6" in profiles.summary() and profiles.plot() is not None
