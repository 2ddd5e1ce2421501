"""California's Proposition 99: the published synthetic control (ADH 2010) and SDID (AAHIW 2021).

ADH report the synthetic California as Utah 0.334, Nevada 0.234, Montana 0.199, Colorado 0.164
and Connecticut 0.069, with a pre-1989 RMSPE of about 1.76 (R's Synth finds 1.79 with its own
V). The V that produces them is not unique -- the outer loss has many local optima between
about 1.754 and 1.78 with nearly the same weights, and degenerate V (all weight on one lag)
give other exact fits -- so the weights are compared to about 0.01, not to machine precision.
The placebo p-values are checked on the study-file run (test_synth_study_cli.py), which runs
the full placebo set once.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.evaluation.synth.synth_testdata import (
    PROP99_COLUMNS,
    PROP99_PREDICTORS,
    PUBLISHED_WEIGHTS,
    prop99,
)
from vaikutus.evaluation import synth


@pytest.fixture(scope="module")
def california():
    return synth.fit(prop99(), **PROP99_COLUMNS, predictors=PROP99_PREDICTORS)


def test_weights_match_adh_2010(california):
    weights = california.weights
    for state, published in PUBLISHED_WEIGHTS.items():
        assert weights[state] == pytest.approx(published, abs=0.015), state
    others = weights.drop(list(PUBLISHED_WEIGHTS))
    assert others.max() < 0.015


def test_pre_period_fit_matches_adh_2010(california):
    assert 1.74 < california.pre_rmspe < 1.78
    assert california.loss == pytest.approx(california.pre_rmspe**2, rel=1e-9)
    # By 2000 sales were about 26 packs lower than synthetic California (ADH's abstract).
    gap_2000 = california.path.set_index("time").loc[2000, "gap"]
    assert -30 < gap_2000 < -22


def test_v_search_reports_synths_starts_and_keeps_the_best(california):
    search = california.v_search.set_index("start")
    assert {"equal", "regression"} <= set(search.index)
    assert search["loss"].min() == pytest.approx(california.loss)
    assert search.loc[search["chosen"], "loss"].iloc[0] == pytest.approx(california.loss)
    # Synth's two starts alone end far above the published fit: the screen matters.
    assert search.loc[["equal", "regression"], "rmspe"].min() > 1.8
    assert california.v.sum() == pytest.approx(1.0)
    assert california.unique


def test_predictor_balance_is_close_for_matched_predictors(california):
    balance = california.predictor_balance
    assert balance.loc["cigsale 1975", "synthetic"] == pytest.approx(127.1, abs=1.0)
    assert balance.loc["retprice (mean 1980–1988)", "treated"] == pytest.approx(89.42, abs=0.01)
    closer = (balance["synthetic"] - balance["treated"]).abs() <= (
        balance["donor_mean"] - balance["treated"]
    ).abs() + 1e-9
    assert closer.sum() >= 6  # synthetic California beats the donor average on almost all


def test_equal_and_regression_v_options_skip_the_search():
    data = prop99()
    equal = synth.fit(data, **PROP99_COLUMNS, predictors=PROP99_PREDICTORS, v="equal")
    assert equal.v.to_numpy() == pytest.approx(np.full(7, 1 / 7))
    assert equal.v_search.empty
    regression = synth.fit(data, **PROP99_COLUMNS, predictors=PROP99_PREDICTORS, v="regression")
    assert regression.v.sum() == pytest.approx(1.0)
    assert regression.pre_rmspe > 1.74  # a fixed V is no better than the optimised one


def test_outcome_path_fit_reaches_the_global_optimum():
    """With every pre-period outcome as a predictor, V can make the outcome fit exact."""
    result = synth.fit(prop99(), **PROP99_COLUMNS)
    assert result.global_optimum
    # synthdid's SC estimate for California is -19.6 (Arkhangelsky et al. 2021, Table 1).
    assert result.att == pytest.approx(-19.6, abs=0.15)
    assert result.pre_rmspe < 1.66


def test_sdid_reproduces_arkhangelsky_et_al():
    """Table 1 of Arkhangelsky et al. (2021): SDID -15.6 for Proposition 99."""
    result = synth.fit(prop99(), **PROP99_COLUMNS, method="sdid", replications=40)
    assert result.att == pytest.approx(-15.6, abs=0.05)
    top = result.weights.sort_values(ascending=False)
    assert top.index[:2].tolist() == ["Nevada", "New Hampshire"]  # synthdid's largest weights
    assert result.time_weights.loc[[1986, 1987, 1988]].sum() == pytest.approx(1.0, abs=1e-6)
    assert result.se_method == "placebo"
    assert 5 < result.att_se < 15  # the paper's placebo SE is 8.4 (200 draws, another seed)


def test_in_time_placebos_find_much_smaller_gaps_than_the_real_one(california):
    """ADH report no in-time placebo for Prop 99; California's sales fell a little faster than
    its synthetic control from 1987, so a fake start finds a gap, but far below the real one."""
    placebo = california.in_time_placebo(1985)  # predictor periods from 1985 on are dropped
    assert placebo.start == 1985
    assert placebo.path["time"].max() == 1988
    assert "lnincome (mean 1980–1984)" in placebo.v.index
    assert "cigsale 1988" not in placebo.v.index
    assert placebo.label.startswith("in-time placebo")
    respecified = california.in_time_placebo(
        1980,
        predictors=[
            ("cigsale", 1970),
            ("cigsale", 1972),
            ("cigsale", 1975),
            ("cigsale", 1978),
            ("retprice", range(1975, 1980)),
            ("age15to24", range(1975, 1980)),
        ],
    )
    for fake in (placebo, respecified):
        assert fake.pre_rmspe < 1.5
        assert abs(fake.att) < 0.35 * abs(california.att)


def test_leave_one_out_keeps_the_effect_negative():
    # Regression-based V keeps the six refits quick; the check is that no single donor drives it.
    fit = synth.fit(prop99(), **PROP99_COLUMNS, predictors=PROP99_PREDICTORS, v="regression")
    loo = fit.leave_one_out()
    assert set(loo.runs["dropped"]) == set(fit.weights.index[fit.weights > 1e-6])
    assert (loo.runs["att"] < -15).all()
    assert {"observed", "synthetic", "without Utah"} <= set(loo.paths.columns)


def test_conformal_intervals_exclude_zero_after_1990(california):
    conformal = california.conformal(alpha=0.1)
    late = conformal.intervals[conformal.intervals["time"] >= 1991]
    assert (late["upper"] < 0).all()
    assert ((late["lower"] <= late["gap"]) & (late["gap"] <= late["upper"])).all()
    assert conformal.p_value < 0.1
