"""End to end: synthetic register -> import -> person-month panel -> trial evaluation -> truth.

The register is small (30,000 persons, 2017-2024) to keep this near a minute. At that size an
area's monthly unemployed share is mostly noise (a typical 95 % interval is +-2.5 pp), while the
default injected effects are a few tenths of a point; with them every interval would hold the
truth and the test would show nothing. The test therefore raises the signal: the generator's own
draw of each area's job-finding multiplier is kept and its distance from 1 multiplied by
``EFFECT_SCALE`` (the areas without an effect keep exactly 1.0, the ground truth is computed from
the multipliers actually used). The generator's defaults are not changed.

What may fail, at the nominal 95 % level (binomial bounds, as if the areas were independent --
they share donors, so misses cluster somewhat more):

* at most 4 of the 25 intervals miss the injected effect (P(5 or more) = 0.7 %);
* at most 2 of the 8 areas without an effect are significant (P(3 or more) = 0.6 %), by the
  RMSPE-ratio p-value and by the p-value of the mean;
* the pooled (average-area) interval and the DiD interval hold the pooled truth;
* the estimates follow the injected effects (correlation over the areas above 0.4).
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from tests.synthetic_warehouse import register_warehouse
from vaikutus.evaluation.trials import compare_with_truth, evaluate_trial_areas
from vaikutus.registry.synthetic.effects import TrialEffects
from vaikutus.warehouse import connect

pytestmark = pytest.mark.slow

PERSONS, SEED, START, END = 30_000, 7, "2017-01", "2024-12"
EFFECT_SCALE = 8.0
generate_module = importlib.import_module("vaikutus.registry.synthetic.generate")


class ScaledTrialEffects(TrialEffects):
    """The generator's draw with every multiplier's distance from 1 scaled (floored at 0.05)."""

    @classmethod
    def draw(cls, geo, rng):
        drawn = TrialEffects.draw(geo, rng).multiplier
        return cls(np.maximum(1.0 + EFFECT_SCALE * (drawn - 1.0), 0.05).astype(np.float32))


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trials")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generate_module, "TrialEffects", ScaledTrialEffects)
        register = generate_module.generate(PERSONS, START, END, SEED, folder / "register")
    report = register_warehouse(folder / "register", folder / "w.duckdb", key=b"test-key" * 4)
    assert report.exit_code == 0, report.summary()
    con = connect(folder / "w.duckdb")
    evaluation = evaluate_trial_areas(con)
    return evaluation, compare_with_truth(evaluation, register.ground_truth)


def test_intervals_hold_the_injected_effects(evaluated):
    evaluation, table = evaluated
    areas = table[table["unit"] != "average"]
    assert len(areas) == 25 and evaluation.alpha == 0.05
    assert (~areas["covered"]).sum() <= 4, areas[~areas["covered"]]
    assert np.corrcoef(areas["effect_pp"], areas["truth_pp"])[0, 1] > 0.4


def test_no_effect_where_none_was_injected(evaluated):
    evaluation, table = evaluated
    null = table[table["no_effect"] & (table["unit"] != "average")]
    assert len(null) == 8
    assert null["significant"].sum() <= 2, null
    assert (null["p_value_mean"] <= evaluation.alpha).sum() <= 2, null


def test_pooled_effects_hold_the_pooled_truth(evaluated):
    evaluation, table = evaluated
    pooled = table[table["unit"] == "average"].iloc[0]
    assert pooled["lower"] <= pooled["truth_pp"] <= pooled["upper"]
    did = evaluation.did_effect()
    assert did["lower"] <= pooled["truth_pp"] <= did["upper"]
    assert evaluation.timings["placebos"] + evaluation.timings["fits"] < 120
