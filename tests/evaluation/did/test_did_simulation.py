"""Known truth: CS recovers heterogeneous staggered effects, TWFE is biased and says so."""

from __future__ import annotations

import numpy as np
import pytest

from tests.evaluation.did.did_testdata import simulate_staggered
from vaikutus.evaluation.did import TwfeBiasWarning, attgt


@pytest.fixture(scope="module")
def simulated():
    panel, truth = simulate_staggered()
    result = attgt(panel, unit="id", time="year", outcome="y", group="g", bootstrap=999, seed=11)
    return result, truth


def _true_simple(truth):
    return np.mean([truth[k] for k in truth])  # equal cohort sizes: every post cell weighs the same


def test_cs_recovers_every_post_treatment_cell(simulated):
    result, truth = simulated
    post = result.att_gt[result.att_gt["post"]]
    assert len(post) == len(truth)
    true = np.array([truth[(g, t)] for g, t in zip(post["group"], post["time"], strict=True)])
    assert (np.abs(post["att"] - true) < 4 * post["se"]).all()
    assert ((post["band_low"] <= true) & (true <= post["band_high"])).all()


def test_pre_treatment_cells_are_flat(simulated):
    result, _ = simulated
    pre = result.att_gt[~result.att_gt["post"]]
    assert ((pre["band_low"] <= 0) & (pre["band_high"] >= 0)).all()


def test_cs_simple_and_dynamic_hit_the_truth(simulated):
    result, truth = simulated
    simple = result.aggregate("simple")
    assert abs(simple.overall_att - _true_simple(truth)) < 3 * simple.overall_se
    dynamic = result.aggregate("dynamic").estimates.set_index("event_time")
    for e in range(0, 6):
        cells = [v for (g, t), v in truth.items() if t - g == e]
        assert dynamic.loc[e, "att"] == pytest.approx(np.mean(cells), abs=4 * dynamic.loc[e, "se"])


def test_twfe_is_biased_and_warned(simulated):
    result, truth = simulated
    with pytest.warns(TwfeBiasWarning) as caught:
        twfe = result.twfe()
    assert twfe.materially_different
    assert any("differs materially" in str(w.message) for w in caught)
    assert twfe.negative_weight_share > 0
    assert abs(twfe.estimate - _true_simple(truth)) > 0.2 * _true_simple(truth)
