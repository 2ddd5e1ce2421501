"""Grouped shares and means: the vectorised intervals agree with statsmodels and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from vaikutus.profiling.tally import as_share, small_cells, stack_areas, tally


def test_tally_matches_statsmodels_wilson_and_scipy_t():
    rng = np.random.default_rng(3)
    hits = pd.array(rng.random(300) < 0.3, dtype="boolean")
    hits[::7] = pd.NA  # not known: left out of n
    frame = pd.DataFrame(
        {
            "group": rng.choice(["a", "b", "c"], 300),
            "hit": as_share(pd.Series(hits)),
            "score": rng.normal(5, 2, 300),
        }
    )
    out = tally(frame, ["group"], shares=["hit"], means=["score"], interval="t")
    for group, part in frame.groupby("group"):
        share = out[(out["group"] == group) & (out["column"] == "hit")].iloc[0]
        known = part["hit"].dropna()
        low, high = proportion_confint(known.sum(), len(known), method="wilson")
        assert (share["n"], share["count"]) == (len(known), known.sum())
        assert (share["ci_low"], share["ci_high"]) == (pytest.approx(low), pytest.approx(high))
        mean = out[(out["group"] == group) & (out["column"] == "score")].iloc[0]
        low, high = stats.t.interval(
            0.95, len(part) - 1, loc=part["score"].mean(), scale=stats.sem(part["score"])
        )
        assert (mean["ci_low"], mean["ci_high"]) == (pytest.approx(low), pytest.approx(high))
        assert np.isnan(mean["count"])


def test_areas_stack_by_level_and_small_cells_count_the_complement():
    frame = pd.DataFrame(
        {
            "employment_area": pd.array([8, 8, None], dtype="Int64"),
            "municipality": ["091", "091", "049"],
        }
    )
    stacked = stack_areas(frame, ("country", "employment_area", "municipality"))
    counts = stacked.groupby(["area_type", "area_code"]).size().to_dict()
    # the row without an employment area joins the country and its municipality only
    assert counts == {
        ("country", "SSS"): 3,
        ("employment_area", "8"): 2,
        ("municipality", "049"): 1,
        ("municipality", "091"): 2,
    }
    with pytest.raises(ValueError, match="unknown area level"):
        stack_areas(frame, ("region",))
    n = pd.Series([100, 100, 4, 100, 0])
    count = pd.Series([50, 97, 2, np.nan, 0])
    assert small_cells(n, count, 5).tolist() == [False, True, True, False, False]
