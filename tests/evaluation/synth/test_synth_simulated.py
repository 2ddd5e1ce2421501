"""Known truth: every method recovers a constant effect; staggered pooling; non-uniqueness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.evaluation.synth.synth_testdata import factor_panel
from vaikutus.evaluation import synth

COLUMNS = dict(unit="unit", time="time", outcome="y")


@pytest.fixture(scope="module")
def panel():
    return factor_panel(effect=5.0)


@pytest.mark.parametrize(
    ("method", "options"),
    [
        ("classic", {}),
        ("classic", {"predictors": [("x", None), ("y", 5), ("y", 15), ("y", 25), ("y", 29)]}),
        ("demeaned", {}),
        ("penalized", {"penalty": 0.01}),
        ("augmented", {}),
        ("sdid", {"se": "none"}),
    ],
)
def test_each_method_recovers_a_constant_effect(panel, method, options):
    result = synth.fit(panel, **COLUMNS, treated="treated", start=30, method=method, **options)
    assert result.att == pytest.approx(5.0, abs=0.25)
    post = result.path[result.path["time"] >= 30]
    assert np.abs(post["gap"] - 5.0).max() < 0.6
    assert result.pre_rmspe < 0.3
    assert result.weights.sum() == pytest.approx(1.0)


def test_sdid_jackknife_with_several_treated_units_covers_the_effect():
    panel = factor_panel(
        effect=3.0, treated_units={"t1": 30, "t2": 30, "t3": 30, "t4": 30}, noise=0.3
    )
    result = synth.fit(panel, **COLUMNS, treated=["t1", "t2", "t3", "t4"], start=30, method="sdid")
    assert isinstance(result, synth.SynthResult)  # one block: the treated units share a start
    assert result.se_method == "jackknife"
    assert abs(result.att - 3.0) < 3 * result.att_se
    assert 0 < result.att_se < 1.0


def test_staggered_adoption_pools_per_unit_gaps_by_event_time():
    starts = {"early": 24, "middle": 28, "late": 32}
    panel = factor_panel(n_periods=40, effect=4.0, treated_units=starts, noise=0.02, seed=5)
    result = synth.fit(panel, **COLUMNS, treated=list(starts), start=starts)
    assert isinstance(result, synth.PooledSynthResult)
    assert set(result.units) == set(starts)
    for name, unit in result.units.items():
        assert unit.start == starts[name]
        assert unit.att == pytest.approx(4.0, abs=0.3)
    path = result.path.set_index("event_time")
    assert path.loc[0, "n_units"] == 3
    assert path.loc[15, "n_units"] == 1  # only the early unit is seen 15 periods after its start
    assert path.loc[-5:, "gap"].loc[0:].sub(4.0).abs().max() < 0.4
    assert path.loc[:-1, "gap"].abs().max() < 0.3
    assert result.att == pytest.approx(np.mean([u.att for u in result.units.values()]))
    assert set(result.weights.columns) == set(starts)


def test_staggered_sdid_fits_one_block_per_start():
    starts = {"a": 26, "b": 26, "c": 32}
    panel = factor_panel(effect=2.0, treated_units=starts, noise=0.05, seed=9)
    result = synth.fit(
        panel, **COLUMNS, treated=list(starts), start=starts, method="sdid", se="none"
    )
    assert set(result.units) == {"start 26", "start 32"}
    assert result.units["start 26"].treated == ("a", "b")
    assert result.att == pytest.approx(2.0, abs=0.2)


def test_pooled_placebo_p_value_is_small_for_a_large_effect():
    starts = {"t1": 30, "t2": 32}
    panel = factor_panel(n_units=12, effect=8.0, treated_units=starts, noise=0.1, seed=4)
    result = synth.fit(
        panel,
        **COLUMNS,
        treated=list(starts),
        start=starts,
        v="equal",
        predictors=[("y", 20), ("y", 25), ("y", 28)],
        placebo=True,
    )
    # Both treated units have the largest ratio in their placebo sets: the only combination
    # reaching their mean ratio is the actual one, 1 of 13 x 13.
    assert result.p_value == pytest.approx(1 / 169)
    for placebo in result.placebos.values():
        assert placebo.p_value == pytest.approx(1 / 13)


def test_non_unique_weights_are_detected_and_reported():
    """A treated unit that is the midpoint of two different donor pairs in predictor space."""
    times = range(10)
    rows = []
    predictors = {
        "d0": (0, 1),
        "d1": (2, 1),
        "d2": (1, 0.5),
        "d3": (1, 1.5),
        "d4": (5, 5),
        "tr": (1, 1),
    }
    rng = np.random.default_rng(0)
    for name, (a, b) in predictors.items():
        for t in times:
            rows.append({"unit": name, "time": t, "a": a, "b": b, "y": a + b + rng.normal(0, 0.5)})
    panel = pd.DataFrame(rows)
    result = synth.fit(
        panel,
        **COLUMNS,
        treated="tr",
        start=8,
        predictors=[("a", range(8)), ("b", range(8))],
        v="equal",
    )
    assert not result.unique
    assert result.alternative_weight_difference > 0.2
    assert any("not unique" in w for w in result.warnings)
    penalized = synth.fit(
        panel,
        **COLUMNS,
        treated="tr",
        start=8,
        method="penalized",
        penalty=0.1,
        predictors=[("a", range(8)), ("b", range(8))],
        v="equal",
    )
    assert penalized.unique  # the penalty picks the pair closest to the treated unit
    assert penalized.weights[["d2", "d3"]].to_numpy() == pytest.approx([0.5, 0.5], abs=1e-9)


def test_conformal_intervals_cover_the_true_effect(panel):
    result = synth.fit(panel, **COLUMNS, treated="treated", start=30, conformal=0.1)
    intervals = result.conformal_result.intervals
    assert ((intervals["lower"] <= 5.0) & (5.0 <= intervals["upper"])).mean() >= 0.8
    assert (intervals["upper"] - intervals["lower"]).max() < 2.0
    assert result.conformal_result.constant_lower <= 5.0 <= result.conformal_result.constant_upper
    assert result.conformal_result.p_value <= 0.1  # no effect at all is rejected
    assert {"lower", "upper"} <= set(result.to_frame().columns)
