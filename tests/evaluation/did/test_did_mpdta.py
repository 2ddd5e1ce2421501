"""Reproduce R did (Callaway & Sant'Anna 2021) on mpdta.

Reference numbers: did's README / reference manual (att_gt on mpdta, never-treated comparison;
with xformla = ~lpop for both never and not-yet-treated comparisons) and the lead's R run
(analytical SEs). Printed R output is rounded to 4 decimals, hence the 6e-5 tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from tests.evaluation.did.did_testdata import MPDTA_COLUMNS
from vaikutus.evaluation.did import attgt

R_UNCONDITIONAL = {  # (g, t): (att, analytical se)
    (2004, 2004): (-0.0105, 0.0233),
    (2004, 2005): (-0.0704, 0.0310),
    (2004, 2006): (-0.1373, 0.0364),
    (2004, 2007): (-0.1008, 0.0344),
    (2006, 2004): (0.0065, 0.0233),
    (2006, 2005): (-0.0028, 0.0196),
    (2006, 2006): (-0.0046, 0.0178),
    (2006, 2007): (-0.0412, 0.0202),
    (2007, 2004): (0.0305, 0.0150),
    (2007, 2005): (-0.0027, 0.0164),
    (2007, 2006): (-0.0311, 0.0179),
    (2007, 2007): (-0.0261, 0.0167),
}
R_LPOP_NEVER = {
    (2004, 2004): -0.0145,
    (2004, 2005): -0.0764,
    (2004, 2006): -0.1404,
    (2004, 2007): -0.1069,
    (2006, 2004): -0.0005,
    (2006, 2005): -0.0062,
    (2006, 2006): 0.0010,
    (2006, 2007): -0.0413,
    (2007, 2004): 0.0267,
    (2007, 2005): -0.0046,
    (2007, 2006): -0.0284,
    (2007, 2007): -0.0288,
}
R_LPOP_NOTYET = {
    (2004, 2004): -0.0212,
    (2004, 2005): -0.0816,
    (2004, 2006): -0.1382,
    (2004, 2007): -0.1069,
    (2006, 2004): -0.0075,
    (2006, 2005): -0.0046,
    (2006, 2006): 0.0087,
    (2006, 2007): -0.0413,
    (2007, 2004): 0.0269,
    (2007, 2005): -0.0042,
    (2007, 2006): -0.0284,
    (2007, 2007): -0.0288,
}
ROUNDING = 6e-5


def _cells(result) -> dict[tuple[int, int], pd.Series]:
    return {(row.group, row.time): row for row in result.att_gt.itertuples()}


def test_group_time_atts_and_analytical_ses_match_r(mpdta_result):
    cells = _cells(mpdta_result)
    assert set(cells) == set(R_UNCONDITIONAL)
    for key, (att, se) in R_UNCONDITIONAL.items():
        assert cells[key].att == pytest.approx(att, abs=ROUNDING), key
        assert cells[key].se == pytest.approx(se, abs=ROUNDING), key


def test_simple_aggregation_matches_r(mpdta_result):
    simple = mpdta_result.aggregate("simple")
    assert simple.overall_att == pytest.approx(-0.0400, abs=ROUNDING)
    assert simple.overall_se == pytest.approx(0.0118, abs=5e-4)


def test_dynamic_aggregation_matches_r(mpdta_result):
    dynamic = mpdta_result.aggregate("dynamic")
    expected = {
        -3: 0.0305,
        -2: -0.0006,
        -1: -0.0245,
        0: -0.0199,
        1: -0.0510,
        2: -0.1373,
        3: -0.1008,
    }
    got = dict(zip(dynamic.estimates["event_time"], dynamic.estimates["att"], strict=True))
    assert got == pytest.approx(expected, abs=ROUNDING)
    assert dynamic.overall_att == pytest.approx(-0.0772, abs=ROUNDING)
    assert dynamic.overall_se == pytest.approx(0.020, abs=1e-3)


def test_dynamic_aggregation_with_balance_e_matches_r_vignette(mpdta_result):
    balanced = mpdta_result.aggregate("dynamic", balance_e=1)
    got = dict(zip(balanced.estimates["event_time"], balanced.estimates["att"], strict=True))
    assert got == pytest.approx({-2: 0.0065, -1: -0.0028, 0: -0.0066, 1: -0.0510}, abs=ROUNDING)
    assert balanced.overall_att == pytest.approx(-0.0288, abs=ROUNDING)


def test_group_aggregation_matches_r(mpdta_result):
    group = mpdta_result.aggregate("group")
    got = dict(zip(group.estimates["group"], group.estimates["att"], strict=True))
    # R did's README prints -0.0229 for the 2006 cohort (mean of ATT(2006,2006) and ATT(2006,2007))
    assert got == pytest.approx({2004: -0.0797, 2006: -0.0229, 2007: -0.0261}, abs=ROUNDING)
    assert group.overall_att == pytest.approx(-0.0310, abs=ROUNDING)


def test_calendar_aggregation_averages_post_cells_by_period(mpdta_result):
    calendar = mpdta_result.aggregate("calendar")
    cells = mpdta_result.att_gt[mpdta_result.att_gt["post"]]
    sizes = {2004: 20, 2006: 40, 2007: 131}
    for row in calendar.estimates.itertuples():
        here = cells[cells["time"] == row.time]
        weights = here["group"].map(sizes)
        assert row.att == pytest.approx(np.average(here["att"], weights=weights), abs=1e-12)
    assert calendar.overall_att == pytest.approx(calendar.estimates["att"].mean(), abs=1e-12)


@pytest.mark.parametrize(
    ("control", "reference"), [("never", R_LPOP_NEVER), ("notyet", R_LPOP_NOTYET)]
)
def test_doubly_robust_with_covariate_matches_r(mpdta, control, reference):
    result = attgt(mpdta, **MPDTA_COLUMNS, covariates=["lpop"], control=control, bootstrap=None)
    cells = _cells(result)
    for key, att in reference.items():
        assert cells[key].att == pytest.approx(att, abs=ROUNDING), key


def test_simple_aggregation_with_covariate(mpdta):
    result = attgt(mpdta, **MPDTA_COLUMNS, covariates=["lpop"], bootstrap=None)
    simple = result.aggregate("simple").overall_att
    # the brief's R figure; it is also the cohort-size weighted mean of R's published cells
    sizes = {2004: 20, 2006: 40, 2007: 131}
    post = {k: v for k, v in R_LPOP_NEVER.items() if k[1] >= k[0]}
    from_r_cells = sum(sizes[g] * v for (g, _), v in post.items()) / sum(sizes[g] for g, _ in post)
    assert simple == pytest.approx(-0.0418, abs=ROUNDING)
    assert simple == pytest.approx(from_r_cells, abs=1e-4)


@pytest.mark.parametrize("method", ["ipw", "reg"])
def test_unconditional_estimators_coincide(mpdta, mpdta_result, method):
    other = attgt(mpdta, **MPDTA_COLUMNS, method=method, bootstrap=None)
    np.testing.assert_allclose(other.att_gt["att"], mpdta_result.att_gt["att"], atol=1e-12)
    np.testing.assert_allclose(other.att_gt["se"], mpdta_result.att_gt["se"], atol=1e-10)


def _cell_2x2(mpdta, g, t, base):
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    info = mpdta.groupby("countyreal")[["first.treat", "lpop"]].first()
    info = info[info["first.treat"].isin([g, 0])]
    dy = (wide[t] - wide[base]).loc[info.index]
    x = sm.add_constant(info["lpop"])
    return dy, (info["first.treat"] == g).astype(float), x


def test_outcome_regression_cell_matches_statsmodels(mpdta):
    dy, d, x = _cell_2x2(mpdta, 2006, 2007, 2005)
    ols = sm.OLS(dy[d == 0], x[d == 0]).fit()
    expected = dy[d == 1].mean() - ols.predict(x[d == 1]).mean()
    result = attgt(mpdta, **MPDTA_COLUMNS, covariates=["lpop"], method="reg", bootstrap=None)
    assert _cells(result)[(2006, 2007)].att == pytest.approx(expected, abs=1e-10)


def test_normalised_ipw_cell_matches_statsmodels(mpdta):
    dy, d, x = _cell_2x2(mpdta, 2004, 2006, 2003)
    ps = sm.Logit(d, x).fit(disp=0).predict(x)
    odds = ps / (1 - ps) * (1 - d)
    expected = dy[d == 1].mean() - (odds * dy).sum() / odds.sum()
    result = attgt(mpdta, **MPDTA_COLUMNS, covariates=["lpop"], method="ipw", bootstrap=None)
    assert _cells(result)[(2004, 2006)].att == pytest.approx(expected, abs=1e-8)
