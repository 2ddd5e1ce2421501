"""Fairness audit and the cost of leaving sensitive features out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from tests.profiling.conftest import FAST
from vaikutus.profiling.fairness import AUDIT_DIMENSIONS, age_group, audit, compare_exclusions
from vaikutus.profiling.metrics import performance


@pytest.fixture(scope="module")
def result(model, baseline):
    return audit(model, baseline)


def test_audit_table_covers_every_group_and_matches_the_overall_metrics(result, model):
    table = result.table
    assert set(table["dimension"]) == {"all", *AUDIT_DIMENSIONS}
    overall = table[table["dimension"] == "all"].iloc[0]
    test = model.metrics.set_index(["model", "split"]).loc[("lightgbm", "test")]
    assert overall["n"] == test["n"] and overall["auc"] == pytest.approx(test["auc"])
    assert overall["calibration_in_the_large"] == pytest.approx(test["calibration_in_the_large"])
    for dimension in AUDIT_DIMENSIONS:
        assert table.loc[table["dimension"] == dimension, "n"].sum() == overall["n"]
    assert set(table.loc[table["dimension"] == "sex", "group"]) == {"F", "M"}
    gaps = table["fnr"] - overall["fnr"]
    assert np.allclose(table["fnr_gap"], gaps, equal_nan=True)


def test_group_rows_are_the_metrics_of_that_group(result, model, baseline):
    rows = baseline[
        baseline["cohort"].between(*model.periods.test) & baseline["open_market_job_12m"].notna()
    ]
    women = rows[rows["sex"] == "F"]
    p = model.predict(women)["p_lightgbm"].to_numpy()
    y = women["open_market_job_12m"].to_numpy(dtype=float)
    row = result.table[(result.table["dimension"] == "sex") & (result.table["group"] == "F")].iloc[
        0
    ]
    assert row["auc"] == pytest.approx(performance(y, p)["auc"])
    assert row["fnr"] == pytest.approx(((p < model.threshold) & (y == 1)).sum() / (y == 1).sum())
    men = rows[rows["sex"] == "M"]
    other = (
        model.predict(men)["p_lightgbm"].to_numpy()
        - men["open_market_job_12m"].to_numpy(dtype=float)
    ).mean()
    assert row["calibration_vs_rest"] == pytest.approx((p - y).mean() - other)


def test_findings_explain_the_differences(result):
    findings = result.findings()
    assert findings[0].startswith("For everyone the mean estimate is")
    assert any(line.startswith("citizenship: FNR from") for line in findings)
    assert "Findings:" in result.summary() and result.plot() is not None


def test_age_groups():
    assert age_group(pd.Series([15, 24, 25, 54, 55, 68])).tolist() == [
        "15-24",
        "15-24",
        "25-34",
        "45-54",
        "55+",
        "55+",
    ]


def test_exclusion_comparison_retrains_without_sensitive_features(baseline, model):
    comparison = compare_exclusions(
        baseline, dataclasses.replace(FAST, num_trees=60, learning_rate=0.15)
    )
    table = comparison.table.set_index("variant")
    assert list(table.index) == [
        "all features",
        "without age",
        "without sex",
        "without native_language",
        "without citizenship",
        "without partial_work_ability",
        "without all sensitive",
    ]
    assert table.loc["all features", "auc_change"] == 0
    assert (
        table.loc["without all sensitive", "excluded"]
        == "age, sex, native_language, citizenship, partial_work_ability"
    )
    # age is the strongest sensitive predictor: dropping it must cost accuracy
    assert table.loc["without age", "auc_change"] < 0
    assert "Cost of leaving out" in comparison.summary()
