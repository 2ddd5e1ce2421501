"""Bad input gets an error naming the column, unit or row; R did's sample rules are applied."""

from __future__ import annotations

import numpy as np
import pytest

from tests.evaluation.did.did_testdata import MPDTA_COLUMNS
from vaikutus.evaluation.did import attgt


def _run(data, **kwargs):
    return attgt(data, **{**MPDTA_COLUMNS, "bootstrap": None, **kwargs})


def test_missing_column_is_named(mpdta):
    with pytest.raises(ValueError, match="'lemp'.*available"):
        _run(mpdta.drop(columns="lemp"))
    with pytest.raises(ValueError, match="'income'"):
        _run(mpdta, covariates=["income"])


def test_repeated_unit_period_is_named(mpdta):
    with pytest.raises(ValueError, match="repeated .*countyreal=8001"):
        _run(pd_concat(mpdta.iloc[:1], mpdta))


def test_unbalanced_panel_names_a_unit(mpdta):
    with pytest.raises(ValueError, match="unbalanced.*countyreal=8001"):
        _run(mpdta.iloc[1:])


def test_missing_outcome_names_the_row(mpdta):
    data = mpdta.copy()
    data.loc[7, "lemp"] = np.nan
    with pytest.raises(ValueError, match="'lemp' has 1 missing.*row 7"):
        _run(data)


def test_group_must_be_constant_within_unit(mpdta):
    data = mpdta.copy()
    data.loc[0, "first.treat"] = 2006
    with pytest.raises(ValueError, match="constant within a unit.*8001"):
        _run(data)


def test_group_off_the_period_grid_is_rejected(mpdta):
    data = mpdta.copy()
    data.loc[data["first.treat"] == 2006, "first.treat"] = 2005.5
    with pytest.raises(ValueError, match="2005.5 is not one of the observed periods"):
        _run(data)


def test_non_numeric_time_is_rejected(mpdta):
    data = mpdta.assign(year=mpdta["year"].astype(int).astype(str))
    with pytest.raises(ValueError, match="'year' must be numeric"):
        _run(data)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("control", "nevertreated"),
        ("method", "ols"),
        ("base_period", "fixed"),
        ("alpha", 1.5),
        ("bootstrap", 1),
        ("bootstrap_weights", "webb"),
    ],
)
def test_bad_options_are_rejected(mpdta, option, value):
    with pytest.raises(ValueError, match=option):
        _run(mpdta, **{option: value})


def test_units_treated_in_the_first_period_are_dropped_with_a_warning(mpdta):
    data = mpdta.copy()
    data.loc[data["countyreal"] == 8001, "first.treat"] = 2003
    with pytest.warns(UserWarning, match="dropped 1 units already treated"):
        result = _run(data)
    assert result.panel.n_units == 499


def test_groups_treated_after_the_last_period_count_as_never_treated(mpdta):
    data = mpdta.copy()
    data.loc[data["first.treat"] == 2007, "first.treat"] = 2010
    result = _run(data)
    assert sorted(set(result.att_gt["group"])) == [2004, 2006]
    assert result.att_gt["n_control"].iloc[0] == 309 + 131


def test_without_never_treated_units(mpdta):
    treated_only = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(ValueError, match="no never-treated units.*notyet"):
        _run(treated_only)
    with pytest.warns(UserWarning, match="no never-treated units: periods from year=2007 on"):
        result = _run(treated_only, control="notyet")
    assert sorted(set(result.att_gt["group"])) == [2004, 2006]
    assert result.att_gt["time"].max() == 2006


def test_unestimable_cells_are_nan_and_left_out_of_aggregates(mpdta):
    data = mpdta.copy()
    data["lpop_x2"] = 2 * data["lpop"]  # perfectly collinear covariates
    with pytest.warns(UserWarning, match="not estimated for 12 cells"):
        result = _run(data, covariates=["lpop", "lpop_x2"], method="reg")
    assert result.att_gt["att"].isna().all()


def pd_concat(*frames):
    import pandas as pd

    return pd.concat(frames, ignore_index=True)
