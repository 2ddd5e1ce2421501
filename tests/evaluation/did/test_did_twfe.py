"""TWFE beside CS: pyfixest's estimate, the negative-weight diagnostic and the event-study check."""

from __future__ import annotations

import warnings

import numpy as np
import pyfixest as pf
import pytest

from tests.evaluation.did.did_testdata import MPDTA_COLUMNS
from vaikutus.evaluation.did import TwfeBiasWarning, attgt
from vaikutus.evaluation.did.twfe import twfe_weights


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pandas 3 deprecations inside pyfixest
def test_twfe_equals_pyfixest_on_raw_mpdta(mpdta, mpdta_twfe):
    data = mpdta.rename(columns={"first.treat": "g"})
    data["treated"] = ((data["g"] > 0) & (data["year"] >= data["g"])).astype(float)
    fit = pf.feols("lemp ~ treated | countyreal + year", data=data, vcov={"CRV1": "countyreal"})
    assert mpdta_twfe.estimate == pytest.approx(fit.coef()["treated"], abs=1e-12)
    assert mpdta_twfe.se == pytest.approx(fit.se()["treated"], abs=1e-12)
    assert mpdta_twfe.estimate == pytest.approx(-0.0365, abs=1e-4)


def test_weights_sum_to_one_and_reproduce_the_twfe_coefficient(mpdta_result, mpdta_twfe):
    panel = mpdta_result.panel
    weights = twfe_weights(panel)
    assert weights["weight"].sum() == pytest.approx(1.0)
    d = panel.treated_indicator()
    residual = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    frisch_waugh = (residual * panel.outcomes).sum() / (residual * d).sum()
    assert frisch_waugh == pytest.approx(mpdta_twfe.estimate, abs=1e-10)


def test_mpdta_has_one_negative_weight_and_warns(mpdta_result):
    with pytest.warns(TwfeBiasWarning, match="negative TWFE weights"):
        twfe = mpdta_result.twfe()
    negative = twfe.weights[twfe.weights["weight"] < 0]
    assert list(zip(negative["group"], negative["time"], strict=True)) == [(2004, 2007)]
    assert twfe.negative_weight_share == pytest.approx(1 / 7)
    assert not twfe.materially_different  # -0.0365 vs -0.0400: within noise on mpdta


def test_saturated_event_study_matches_cs_after_treatment(mpdta_twfe):
    study = mpdta_twfe.event_study.dropna()
    post = study[study["event_time"] >= 0]
    assert len(post) == 4
    np.testing.assert_allclose(post["twfe_estimate"], post["cs_estimate"], atol=1e-10)


def test_saturated_event_study_matches_cs_universal_base_everywhere(mpdta):
    result = attgt(mpdta, **MPDTA_COLUMNS, base_period="universal", bootstrap=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwfeBiasWarning)
        study = result.twfe().event_study.dropna()
    assert len(study) == 7
    np.testing.assert_allclose(study["twfe_estimate"], study["cs_estimate"], atol=1e-10)
