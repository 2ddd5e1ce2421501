"""Segments: a deterministic, interpretable grid; profiles of the whole country and by area."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vaikutus.profiling.baseline import services_after
from vaikutus.profiling.measures import WHO
from vaikutus.profiling.segments import (
    SEGMENT_NAMES,
    assign_segments,
    chance_band,
    segment_profiles,
    service_need,
)
from vaikutus.profiling.tally import AREA_LEVELS


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


@pytest.fixture(scope="module")
def services(synthetic, baseline):
    import duckdb

    con = duckdb.connect(str(synthetic.warehouse), read_only=True)
    try:
        return services_after(con, baseline)
    finally:
        con.close()


def test_profiles_describe_who_what_and_how(model, baseline, services):
    profiles = segment_profiles(model, baseline, services)
    table = profiles.table
    assert set(table["area_type"]) == {"country"}
    assert set(table.loc[table["section"] == "who", "measure_id"]) == {m.id for m in WHO}
    assert set(table["section"]) == {"who", "services", "outcomes"}
    shares = table[table["measure"] == "share of starts"]
    assert shares["value"].sum() == pytest.approx(1.0)
    jobs = table[table["measure"] == "open-market job within 12 months"].set_index("segment")[
        "value"
    ]
    # the chance axis orders outcomes: high-chance segments fare better than low-chance ones
    assert jobs["S1"] > jobs["S3"] > jobs["S5"] and jobs["S1"] > jobs["S6"]
    assert ((table["ci_low"] <= table["value"]) | table["ci_low"].isna()).all()
    assert "S6" in profiles.summary() and profiles.plot() is not None


def test_area_profiles_add_up_to_the_country(model, baseline, services):
    segments = assign_segments(model, baseline)
    profiles = segment_profiles(model, baseline, services, levels=AREA_LEVELS, segments=segments)
    table = profiles.table
    starts = table[table["measure_id"] == "open_market_job_12m"]
    by_level = starts.groupby(["area_type", "segment"])[["n", "count"]].sum()
    # every start has an area in the synthetic register: each level partitions the country
    for level in ("employment_area", "municipality"):
        pd.testing.assert_frame_equal(by_level.loc[level], by_level.loc["country"])
    shares = table[table["measure_id"] == "share_of_starts"].groupby(["area_type", "area_code"])
    assert shares["value"].sum().to_numpy() == pytest.approx(1.0)
    # the same scoring: passing the segments changes nothing in the national figures
    alone = segment_profiles(model, baseline, services).table
    pd.testing.assert_frame_equal(profiles.national().reset_index(drop=True), alone)
