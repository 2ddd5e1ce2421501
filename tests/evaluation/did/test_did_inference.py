"""Multiplier bootstrap, uniform bands and aggregation options."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from tests.evaluation.did.did_testdata import MPDTA_COLUMNS
from vaikutus.evaluation.did import attgt


def test_bootstrap_ses_agree_with_influence_function_ses(mpdta_result):
    table = mpdta_result.att_gt
    ratio = table["se_boot"] / table["se"]
    assert ratio.between(0.85, 1.15).all(), ratio.tolist()


def test_uniform_band_is_wider_than_pointwise_and_contains_estimates(mpdta_result):
    table = mpdta_result.att_gt
    assert norm.ppf(0.975) < mpdta_result.critical_value < 4
    assert (table["band_low"] < table["att"]).all() and (table["att"] < table["band_high"]).all()
    width_band = table["band_high"] - table["band_low"]
    width_ci = table["ci_high"] - table["ci_low"]
    assert (width_band > 0.95 * width_ci).all()


def test_seed_reproduces_bands_and_other_seed_changes_them(mpdta):
    first = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=199, seed=5)
    again = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=199, seed=5)
    other = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=199, seed=6)
    np.testing.assert_array_equal(first.att_gt["band_low"], again.att_gt["band_low"])
    assert first.aggregate("dynamic").critical_value == again.aggregate("dynamic").critical_value
    assert not np.allclose(first.att_gt["se_boot"], other.att_gt["se_boot"])


def test_missing_seed_is_drawn_and_recorded(mpdta):
    result = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=99)
    rerun = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=99, seed=result.settings.seed)
    np.testing.assert_array_equal(result.att_gt["se_boot"], rerun.att_gt["se_boot"])


def test_rademacher_weights_give_similar_ses(mpdta, mpdta_result):
    result = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=999, bootstrap_weights="rademacher", seed=1)
    ratio = result.att_gt["se_boot"] / mpdta_result.att_gt["se"]
    assert ratio.between(0.85, 1.15).all()


def test_without_bootstrap_there_are_no_uniform_bands(mpdta):
    result = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=None)
    assert result.att_gt[["se_boot", "band_low", "band_high"]].isna().all().all()
    dynamic = result.aggregate("dynamic")
    assert np.isnan(dynamic.critical_value) and dynamic.estimates["band_low"].isna().all()
    assert dynamic.estimates["se"].notna().all()


def test_aggregations_have_bands_and_pointwise_intervals(mpdta_result):
    for kind in ("dynamic", "group", "calendar"):
        agg = mpdta_result.aggregate(kind)
        est = agg.estimates
        assert agg.critical_value > norm.ppf(0.975)
        assert (
            est["band_high"] - est["band_low"] > est["ci_high"] - est["ci_low"]
        ).all() or kind == "group"
        z = norm.ppf(0.975)
        np.testing.assert_allclose(est["ci_high"] - est["att"], z * est["se"])
        lo, hi = agg.overall_ci
        assert lo < agg.overall_att < hi


def test_event_window_limits_event_times(mpdta_result):
    dynamic = mpdta_result.aggregate("dynamic", min_e=-1, max_e=1)
    assert dynamic.estimates["event_time"].tolist() == [-1, 0, 1]
    full = mpdta_result.aggregate("dynamic").estimates.set_index("event_time")
    np.testing.assert_allclose(dynamic.estimates["att"], full.loc[[-1, 0, 1], "att"])
    assert dynamic.overall_att == pytest.approx(full.loc[[0, 1], "att"].mean())


def test_max_e_restricts_simple_and_group(mpdta_result):
    cells = mpdta_result.att_gt
    on_impact = cells[cells["event_time"] == 0]
    sizes = on_impact["group"].map({2004: 20, 2006: 40, 2007: 131})
    simple = mpdta_result.aggregate("simple", max_e=0)
    assert simple.overall_att == pytest.approx(np.average(on_impact["att"], weights=sizes))
    group = mpdta_result.aggregate("group", max_e=0)
    np.testing.assert_allclose(group.estimates["att"], on_impact["att"])


def test_options_that_do_not_apply_are_rejected(mpdta_result):
    with pytest.raises(ValueError, match="balance_e"):
        mpdta_result.aggregate("simple", balance_e=1)
    with pytest.raises(ValueError, match="max_e"):
        mpdta_result.aggregate("calendar", max_e=2)
    with pytest.raises(ValueError, match="aggregation kind"):
        mpdta_result.aggregate("cohort")


def test_universal_base_period_normalises_g_minus_one(mpdta):
    result = attgt(mpdta, **MPDTA_COLUMNS, base_period="universal", bootstrap=99, seed=1)
    table = result.att_gt
    base = table[table["event_time"] == -1]
    assert (base["att"] == 0).all() and base["se"].isna().all()
    assert len(table) == 3 * 5
    varying = attgt(mpdta, **MPDTA_COLUMNS, bootstrap=None).att_gt
    post_u = table[table["post"]].reset_index(drop=True)
    post_v = varying[varying["post"]].reset_index(drop=True)
    np.testing.assert_allclose(post_u["att"], post_v["att"])
