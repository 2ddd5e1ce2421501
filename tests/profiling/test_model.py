"""The employment-chance model: time-based validation, metrics, determinism, persistence, explanations."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from sklearn.metrics import roc_auc_score

from tests.profiling.conftest import FAST
from vaikutus.profiling.features import BaselineError
from vaikutus.profiling.metrics import auc_with_se, calibration_table, error_rates, performance
from vaikutus.profiling.model import ModelFileError, load_model, time_split, train


def test_time_split_trains_on_earlier_cohorts_known_before_the_test(baseline, model):
    labelled = baseline[baseline["open_market_job_12m"].notna()]
    periods, split = time_split(labelled, FAST)
    # Register 2016-01..2025-12: history complete from 2018-01, 12-month outcomes known to 2024-12.
    assert periods.test == (date(2024, 1, 1), date(2024, 12, 1))
    # validation ends 12 months (the horizon) before the test starts: its outcomes were known then
    assert periods.validation == (date(2022, 1, 1), date(2022, 12, 1))
    assert periods.train == (date(2018, 1, 1), date(2021, 12, 1))
    cohorts = labelled["cohort"]
    for name in ("train", "validation", "test"):
        assert cohorts[split == name].between(*periods.of(name)).all()
    assert model.rows == {
        name: int((split == name).sum()) for name in ("train", "validation", "test")
    }


def test_test_auc_and_calibration_are_reported(model):
    test = model.metrics.set_index(["model", "split"])
    for learner in ("lightgbm", "logistic"):
        row = test.loc[(learner, "test")]
        assert 0.6 < row.auc < 0.85 and row.auc_ci_low < row.auc < row.auc_ci_high
        assert 0.1 < row.brier < 0.25 and row.brier_skill > 0
        assert abs(row.calibration_in_the_large) < 0.1
    calibration = model.calibration[model.calibration["model"] == "lightgbm"]
    assert len(calibration) == 10 and calibration["n"].sum() == model.rows["test"]
    assert np.corrcoef(calibration["mean_predicted"], calibration["observed"])[0, 1] > 0.8
    assert "test" in model.summary() and model.plot() is not None


def test_metrics_agree_with_scikit_learn_and_a_bootstrap():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.8, 1500)
    y = rng.random(1500) < p
    result = performance(y, p)
    assert result["auc"] == pytest.approx(roc_auc_score(y, p))
    assert result["brier"] == pytest.approx(np.mean((p - y) ** 2))
    boot = [roc_auc_score(y[i], p[i]) for i in (rng.integers(0, 1500, 1500) for _ in range(150))]
    assert auc_with_se(y, p)[1] == pytest.approx(np.std(boot), rel=0.25)
    table = calibration_table(y, p, bins=5)
    assert (table["observed_ci_low"] <= table["observed"]).all() and (
        table["observed"] <= table["observed_ci_high"]
    ).all()
    assert error_rates(np.array([1, 1, 0, 0]), np.array([0.9, 0.1, 0.8, 0.2]), 0.5) == {
        "fpr": 0.5,
        "fnr": 0.5,
    }


def test_scoring_the_same_person_twice_gives_the_same_answer(model, model_dir, baseline):
    person = baseline.iloc[[100]]
    twice = pd.concat([person, person], ignore_index=True)
    first, second = model.predict(twice), model.predict(person)
    assert first.iloc[0].equals(first.iloc[1])
    assert first.iloc[0].to_numpy() == pytest.approx(second.iloc[0].to_numpy(), abs=0)
    reloaded = load_model(model_dir)
    assert np.array_equal(
        reloaded.predict(baseline.head(500)).to_numpy(),
        model.predict(baseline.head(500)).to_numpy(),
    )
    assert reloaded.model_id == model.model_id


def test_a_missing_or_invalid_baseline_value_is_an_error_not_a_default(model, baseline):
    rows = baseline.head(3).copy().astype({"age": "object", "region": "object"})
    rows.iloc[1, rows.columns.get_loc("age")] = None
    with pytest.raises(
        BaselineError, match=r"row 2 \(person [0-9a-f]+\), column age: missing value"
    ):
        model.predict(rows)
    rows = baseline.head(3).copy()
    rows.iloc[2, rows.columns.get_loc("region")] = "Uusimaa"
    with pytest.raises(BaselineError, match="row 3 .*column region: unknown code 'Uusimaa'"):
        model.predict(rows)
    with pytest.raises(
        BaselineError, match="column citizenship: required baseline column is missing"
    ):
        model.predict(baseline.head(2).drop(columns="citizenship"))


def test_model_folder_holds_no_pickle_and_refuses_tampering(model_dir, tmp_path):
    assert sorted(p.name for p in model_dir.iterdir()) == ["model.json", "model.txt"]
    altered = tmp_path / "altered"
    altered.mkdir()
    (altered / "model.json").write_text((model_dir / "model.json").read_text())
    (altered / "model.txt").write_text(
        (model_dir / "model.txt").read_text().replace("learning_rate", "learning_rate ", 1)
    )
    with pytest.raises(ModelFileError, match="does not match the SHA-256"):
        load_model(altered)
    with pytest.raises(ModelFileError, match="not a model folder: model.json is missing"):
        load_model(tmp_path)


def test_explanations_add_up_to_each_estimate(model, baseline):
    rows = baseline.iloc[[5, 50, 500]]
    explanation = model.explain(rows, language="fi")
    p = model.predict(rows)
    x = model.encode(rows)
    bias = model.booster.predict(x, pred_contrib=True)[:, -1]
    for i, row in enumerate(explanation.estimates["row"]):
        c = explanation.contributions
        gbm = c[(c["row"] == row) & (c["model"] == "lightgbm")]["contribution"].sum()
        lin = c[(c["row"] == row) & (c["model"] == "logistic")]["contribution"].sum()
        assert gbm + bias[i] == pytest.approx(logit(p["p_lightgbm"].iloc[i]), abs=1e-9)
        assert lin + model.logistic.intercept == pytest.approx(
            logit(p["p_logistic"].iloc[i]), abs=1e-9
        )
    text = explanation.summary()
    assert "nostavat arviota" in text and "korvaa" in text
    assert set(model.importance["feature"]) == {f.name for f in model.features}


def test_excluded_features_are_neither_used_nor_required(baseline):
    model = train(baseline, dataclasses.replace(FAST, exclude=("sex", "native_language")))
    assert {"sex", "native_language"}.isdisjoint(f.name for f in model.features)
    p = model.predict(baseline.head(20).drop(columns=["sex", "native_language"]))
    assert p["p_lightgbm"].between(0, 1).all()


def test_settings_are_checked(baseline):
    with pytest.raises(ValueError, match="6 or 12"):
        dataclasses.replace(FAST, target_months=9)
    with pytest.raises(ValueError, match="too few labelled cohorts"):
        train(baseline, dataclasses.replace(FAST, test_months=60, validation_months=60))
