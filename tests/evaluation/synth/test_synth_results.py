"""Result objects: frozen, JSON-able, figures, and clear errors for bad input."""

from __future__ import annotations

import dataclasses
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

from tests.evaluation.synth.synth_testdata import factor_panel
from vaikutus.evaluation import synth
from vaikutus.evaluation.outputs import to_jsonable, write_outputs

COLUMNS = dict(unit="unit", time="time", outcome="y")


@pytest.fixture(scope="module")
def small():
    return factor_panel(n_units=8, n_periods=20, start=15, effect=3.0, seed=2)


@pytest.fixture(scope="module")
def result(small):
    return synth.fit(
        small, **COLUMNS, treated="treated", start=15, predictors=[("x", None), ("y", 5), ("y", 12)]
    )


def test_result_is_frozen_and_has_the_documented_fields(result):
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.pre_rmspe = 0.0
    assert list(result.path.columns) == ["time", "observed", "synthetic", "gap"]
    assert result.weights.index.name == "donor" and len(result.weights) == 8
    assert list(result.predictor_balance.columns) == ["treated", "synthetic", "donor_mean", "v"]
    assert result.v.index.tolist() == ["x (mean, pre-period)", "y 5", "y 12"]
    np.testing.assert_allclose(
        result.path["gap"], result.path["observed"] - result.path["synthetic"]
    )


def test_to_dict_is_json_and_p_value_is_null_without_placebos(result):
    payload = json.loads(json.dumps(to_jsonable(result.to_dict())))
    for key in ("weights", "path", "pre_rmspe", "post_rmspe", "p_value"):
        assert key in payload
    assert payload["p_value"] is None
    assert payload["weights"] == pytest.approx(result.weights.to_dict())
    assert len(payload["path"]) == 20


def test_placebos_fill_p_value_figures_and_summary(result):
    with_placebos = result.with_placebos()
    placebos = with_placebos.placebos
    assert with_placebos.to_dict()["p_value"] == placebos.p_value
    assert placebos.p_value == pytest.approx(1 / 9)  # a 3-unit effect against noise of 0.05
    assert list(placebos.gaps.columns)[0] == "treated" and placebos.gaps.shape == (20, 9)
    assert with_placebos.placebo() is placebos  # kept, not re-run
    assert set(with_placebos.figures()) == {"trajectory", "gap", "weights", "placebo_ratios"}
    assert "p-value, all units: 0.1111 (= 1/9)" in with_placebos.summary()
    assert result.placebos is None  # the original stays as it was


def test_figures_are_matplotlib_and_write_outputs_saves_them(result, tmp_path):
    figures = result.figures()
    assert set(figures) == {"trajectory", "gap", "weights"}
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figures.values())
    assert isinstance(result.plot(), matplotlib.figure.Figure)
    written = write_outputs(result.with_conformal(0.2), tmp_path, title="simulated")
    assert written.result_json.exists() and written.report_html.exists()
    payload = json.loads(written.result_json.read_text())
    assert payload["conformal"]["alpha"] == 0.2
    assert (tmp_path / "gap.svg").exists()


def test_sdid_and_pooled_results_serialise(small):
    sdid = synth.fit(small, **COLUMNS, treated="treated", start=15, method="sdid", se="none")
    payload = json.loads(json.dumps(to_jsonable(sdid.to_dict())))
    assert payload["time_weights"] and payload["p_value"] is None
    assert payload["att_se"] is None
    panel = factor_panel(n_units=8, n_periods=20, treated_units={"a": 14, "b": 16}, seed=2)
    pooled = synth.fit(panel, **COLUMNS, treated=["a", "b"], start={"a": 14, "b": 16}, v="equal")
    payload = json.loads(json.dumps(to_jsonable(pooled.to_dict())))
    assert set(payload["weights"]) == {"a", "b"}
    assert {"weights", "path", "pre_rmspe", "post_rmspe", "p_value"} <= set(payload)
    assert set(pooled.figures()) == {"event_time", "weights"}
    assert "Pooled synthetic control" in pooled.summary()


def test_sdid_block_runs_placebos_under_one_label():
    panel = factor_panel(
        n_units=8, n_periods=20, treated_units={"a": 15, "b": 15}, effect=4.0, seed=3
    )
    block = synth.fit(
        panel, **COLUMNS, treated=["a", "b"], start=15, method="sdid", se="none", placebo=True
    )
    assert block.treated == ("a", "b")
    assert block.placebos.treated == "a + b"
    assert block.placebos.p_value == pytest.approx(1 / 9)
    assert "placebo_ratios" in block.figures()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(outcome="nope"), "outcome column 'nope' is not in the panel"),
        (dict(treated="ghost"), r"unit\(s\) \['ghost'\] not found in column 'unit'"),
        (dict(method="lasso"), "method must be one of classic, demeaned"),
        (dict(v="best"), "v must be one of optimize, equal, regression"),
        (dict(start=1), "fewer than two pre-treatment periods"),
        (dict(start=99), "after the last period"),
        (dict(predictors=[("y", 17)]), r"period 17 is not before the treatment start 15"),
        (dict(predictors=[("y", 99)]), "period 99 is not a time in the panel"),
        (dict(predictors=[("x", None, "mode")]), "aggregation must be one of mean"),
        (dict(predictors=[("nope", None)]), "predictor column 'nope' is not in the panel"),
        (dict(donors=["treated", "donor01"]), r"donors include treated unit\(s\) \['treated'\]"),
        (dict(v=[1.0, 2.0]), "v: give 1 non-negative predictor weights"),
        (dict(start={"other": 15}), "the dict must give one start per treated unit"),
    ],
)
def test_bad_input_gets_a_clear_error(small, change, message):
    options = dict(COLUMNS, treated="treated", start=15, predictors=[("x", None)]) | change
    with pytest.raises(synth.SynthInputError, match=message):
        synth.fit(small, **options)


def test_panel_problems_name_the_unit_and_time(small):
    duplicated = pd.concat([small, small.iloc[[3]]])
    with pytest.raises(synth.SynthInputError, match="more than one row for unit='donor00', time=3"):
        synth.fit(duplicated, **COLUMNS, treated="treated", start=15)
    holes = small.copy()
    holes.loc[(holes["unit"] == "donor02") & (holes["time"] == 4), "y"] = np.nan
    with pytest.raises(synth.SynthInputError, match="missing for unit='donor02', time=4"):
        synth.fit(holes, **COLUMNS, treated="treated", start=15)
    constant = small.assign(c=1.0)
    with pytest.raises(synth.SynthInputError, match="same value for every unit"):
        synth.fit(
            constant, **COLUMNS, treated="treated", start=15, predictors=[("c", None), ("x", None)]
        )
    text = small.astype({"y": object})
    text.loc[text.index[5], "y"] = "n/a"
    with pytest.raises(synth.SynthInputError, match="column 'y' must be numeric"):
        synth.fit(text, **COLUMNS, treated="treated", start=15)
