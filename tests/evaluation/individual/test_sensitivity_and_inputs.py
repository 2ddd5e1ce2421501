"""E-values, Rosenbaum bounds, and the errors bad input gets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from tests.evaluation.individual.conftest import simulate
from vaikutus.evaluation.individual import e_value_from_ratio, estimate, rosenbaum_bounds
from vaikutus.evaluation.individual.sensitivity import e_values


def test_e_value_reproduces_vanderweele_and_ding():
    # VanderWeele & Ding (2017), worked example: RR = 3.9 gives E = 7.26; CI limit 1.8 gives 3.0
    assert e_value_from_ratio(3.9) == pytest.approx(7.26, abs=0.01)
    assert e_value_from_ratio(1.8) == pytest.approx(3.0, abs=0.01)
    assert e_value_from_ratio(1 / 3.9) == pytest.approx(7.26, abs=0.01)  # protective: invert
    assert e_value_from_ratio(1.0) == 1.0


def test_e_value_of_an_interval_crossing_no_effect_is_one():
    point, limit = e_values(0.1, (-0.05, 0.25), binary=True, mean_treated=0.5, sd=math.nan)
    assert point == pytest.approx(e_value_from_ratio(0.5 / 0.4))
    assert limit == 1.0


def test_rosenbaum_bound_at_gamma_one_is_the_signed_rank_test():
    rng = np.random.default_rng(0)
    differences = rng.normal(0.3, 1.0, size=200)
    table, critical = rosenbaum_bounds(differences)
    reference = wilcoxon(differences, alternative="greater", method="approx", correction=False)
    assert table.loc[table["gamma"] == 1.0, "p_upper"].item() == pytest.approx(
        reference.pvalue, rel=1e-6
    )
    assert table["p_upper"].is_monotonic_increasing and table["p_lower"].is_monotonic_decreasing
    assert 1.0 <= critical < 5.0


def test_e_values_are_reported_per_outcome():
    data = simulate(3000, seed=21)
    result = estimate(data, treatment="d", outcome=["y", "y_binary"], covariates=["x1", "x2"])
    assert (result.effects["e_value"] > 1).all()
    assert (result.effects["e_value_ci"] <= result.effects["e_value"]).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(d=d["d"] * 2), "must be 0/1"),
        (lambda d: d.assign(d=0), "both treated"),
        (lambda d: d.assign(x1=np.where(d.index == 3, np.nan, d["x1"])), "'x1' has 1 missing"),
        (lambda d: d.assign(y="text"), "outcome 'y' must be numeric"),
        (lambda d: d.assign(x2=1), "do not vary"),
        (lambda d: d.drop(columns="x2"), "not in the data: x2"),
    ],
)
def test_bad_input_is_named(change, message):
    data = change(simulate(200, seed=22))
    with pytest.raises(ValueError, match=message):
        estimate(data, treatment="d", outcome="y", covariates=["x1", "x2"])


def test_bad_options_are_named():
    data = simulate(200, seed=23)
    with pytest.raises(ValueError, match="method must be one of"):
        estimate(data, treatment="d", outcome="y", covariates=["x1"], method="psm")
    with pytest.raises(ValueError, match="estimand must be"):
        estimate(data, treatment="d", outcome="y", covariates=["x1"], estimand="atc")
    with pytest.raises(ValueError, match="trim must be"):
        estimate(data, treatment="d", outcome="y", covariates=["x1"], trim=0.7)
    with pytest.raises(ValueError, match="learner must be one of"):
        estimate(data, treatment="d", outcome="y", covariates=["x1"], method="dml", learner="svm")


def test_crump_trimming_reports_what_it_dropped():
    data = simulate(2000, seed=24)
    result = estimate(
        data, treatment="d", outcome="y", covariates=["x1", "x2"], trim=0.1, estimand="ate"
    )
    trimming = result.diagnostics.trimming
    scores = result.diagnostics.propensity
    outside = (scores["score"] < 0.1) | (scores["score"] > 0.9)
    assert trimming.rule == "crump_0.1"
    assert trimming.dropped_treated + trimming.dropped_control == int(outside.sum()) > 0
    assert result.effects.loc[0, "n_treated"] + result.effects.loc[0, "n_control"] == int(
        (~outside).sum()
    )


def test_categorical_covariates_become_indicators():
    data = simulate(1000, seed=25)
    result = estimate(data, treatment="d", outcome="y", covariates=["x1", "group"])
    assert set(result.diagnostics.balance["covariate"]) == {"x1", "group=b", "group=c"}
    assert isinstance(result.effects, pd.DataFrame)
