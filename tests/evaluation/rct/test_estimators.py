"""Trial estimators against statsmodels, hand computations and known truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from vaikutus.evaluation.rct.analysis import TrialSpec, adjust_p_values, analyse
from vaikutus.evaluation.rct.estimators import (
    complier_effect,
    covariate_matrix,
    lin_batch,
    lin_itt,
    randomisation_test,
    subgroup_effects,
)


@pytest.fixture()
def trial() -> pd.DataFrame:
    """A stratified trial, 70 % take-up; the service raises earnings by 900 (women) / 100 (men)."""
    rng = np.random.default_rng(11)
    n = 800
    frame = pd.DataFrame(
        {
            "person_id": [f"P{i}" for i in range(n)],
            "area": rng.choice(["91", "92", "93"], n),
            "sex": rng.choice(["F", "M"], n),
            "age": rng.integers(20, 64, n),
            "education": rng.choice([2, 3, 6], n),
            "caseworker": rng.integers(0, 40, n),
        }
    )
    frame["treatment"] = frame.groupby("area")["age"].transform(
        lambda s: rng.permutation(len(s)) % 2
    )
    frame["received"] = frame["treatment"] * (rng.random(n) < 0.7)
    effect = np.where(frame["sex"] == "F", 900.0, 100.0)
    frame["earnings"] = (
        1500
        + 30 * frame["age"]
        + 400 * frame["education"]
        + effect * frame["received"]
        + rng.normal(0, 900, n)
    )
    frame["employed"] = (rng.random(n) < 0.2 + 0.1 * frame["received"]).astype(int)
    frame.loc[rng.choice(n, 40, replace=False), "earnings"] = np.nan  # lost to follow-up
    return frame


def test_lin_matches_an_interacted_statsmodels_formula(trial: pd.DataFrame) -> None:
    data = trial.dropna(subset=["earnings"]).copy()
    data["age_c"] = data["age"] - data["age"].mean()
    reference = smf.ols("earnings ~ treatment * age_c", data).fit(cov_type="HC2")
    got = lin_itt(trial, "earnings", "treatment", ["age"])
    assert got.estimate == pytest.approx(reference.params["treatment"], rel=1e-10)
    assert got.std_error == pytest.approx(reference.bse["treatment"], rel=1e-10)
    assert got.n == len(data) and got.n_treated + got.n_control == got.n


def test_batch_estimator_equals_statsmodels_for_hc2_and_clusters(trial: pd.DataFrame) -> None:
    data = trial.dropna(subset=["earnings"])
    x = covariate_matrix(data, ["age", "education"], ["area"]).to_numpy(float)
    est, se = lin_batch(data["earnings"].to_numpy(), data["treatment"].to_numpy(bool)[None], x)
    single = lin_itt(data, "earnings", "treatment", ["age", "education"], ["area"])
    assert est[0] == pytest.approx(single.estimate, rel=1e-9)
    assert se[0] == pytest.approx(single.std_error, rel=1e-9)

    clustered = data.assign(treatment=data.groupby("caseworker")["treatment"].transform("first"))
    codes = pd.factorize(clustered["caseworker"])[0]
    x = covariate_matrix(clustered, ["age"]).to_numpy(float)
    est, se = lin_batch(
        clustered["earnings"].to_numpy(), clustered["treatment"].to_numpy(bool)[None], x, codes
    )
    single = lin_itt(clustered, "earnings", "treatment", ["age"], cluster="caseworker")
    assert est[0] == pytest.approx(single.estimate, rel=1e-9)
    assert se[0] == pytest.approx(single.std_error, rel=1e-9)


def test_complier_effect_is_the_wald_ratio_with_delta_method_error(trial: pd.DataFrame) -> None:
    data = trial.dropna(subset=["earnings"])
    y, z, d = (
        data["earnings"].to_numpy(),
        data["treatment"].to_numpy(bool),
        data["received"].to_numpy(float),
    )
    compliance = d[z].mean() - d[~z].mean()
    wald = (y[z].mean() - y[~z].mean()) / compliance
    got, first_stage_f = complier_effect(trial, "earnings", "treatment", "received")
    assert got.estimate == pytest.approx(wald, rel=1e-10)
    # HC0 sandwich of just-identified 2SLS = delta method over the arms; ours is HC1 (n / (n - 2))
    u = y - (y[~z].mean() - wald * d[~z].mean()) - wald * d
    hc0 = np.sqrt((u[z] ** 2).mean() / z.sum() + (u[~z] ** 2).mean() / (~z).sum()) / compliance
    n = len(y)
    assert got.std_error == pytest.approx(hc0 * np.sqrt(n / (n - 2)), rel=1e-10)
    assert first_stage_f > 100


def test_randomisation_inference_rejects_a_real_effect_and_not_a_null(trial: pd.DataFrame) -> None:
    p_real, draws = randomisation_test(
        trial, "earnings", "treatment", ["age"], ["area"], draws=999, seed=1
    )
    assert p_real == pytest.approx(1 / 1000)
    assert len(draws) == 999 and abs(np.mean(draws)) < 3 * np.std(draws) / np.sqrt(999) + 5
    shuffled = trial.assign(
        earnings=np.random.default_rng(0).permutation(trial["earnings"].to_numpy())
    )
    p_null, _ = randomisation_test(
        shuffled, "earnings", "treatment", ["age"], ["area"], draws=999, seed=1
    )
    assert p_null > 0.05


def test_randomisation_inference_has_the_right_size_under_the_sharp_null() -> None:
    rng = np.random.default_rng(5)
    n, trials = 60, 150
    p_values = []
    for k in range(trials):
        treated = np.concatenate([rng.permutation(n // 2) % 2, rng.permutation(n // 2) % 2])
        frame = pd.DataFrame(
            {"y": rng.exponential(1, n), "s": np.repeat([0, 1], n // 2), "t": treated}
        )
        p_values.append(randomisation_test(frame, "y", "t", strata=["s"], draws=99, seed=k)[0])
    # under the null P(p <= 0.1) = 0.1 exactly with 99 draws; 150 trials: sd 0.024
    assert 0.03 < np.mean(np.array(p_values) <= 0.1) < 0.17


def test_holm_and_bh_follow_statsmodels_definitions() -> None:
    p = pd.Series([0.01, 0.04, 0.03, 0.20])
    assert adjust_p_values(p, "holm", 0.05) == pytest.approx([0.04, 0.09, 0.09, 0.20])
    assert adjust_p_values(p, "bh", 0.05) == pytest.approx(
        [0.04, 0.0533333, 0.0533333, 0.20], rel=1e-5
    )
    assert adjust_p_values(p, "none", 0.05) == pytest.approx(p.to_numpy())


def test_subgroup_heterogeneity_is_detected(trial: pd.DataFrame) -> None:
    levels, p_equal = subgroup_effects(trial, "earnings", "treatment", "sex", ["age"])
    effects = levels.set_index("level")["estimate"]
    assert effects["F"] > effects["M"]
    assert p_equal < 0.05
    _, p_none = subgroup_effects(trial, "earnings", "treatment", "area", ["age"])
    assert p_none > 0.01


def test_analyse_reports_itt_late_and_adjusted_p_values(trial: pd.DataFrame) -> None:
    spec = TrialSpec(
        outcomes=("earnings", "employed"),
        take_up="received",
        covariates=("age", "education"),
        strata=("area",),
        subgroups=("sex",),
        ri_draws=200,
        seed=3,
    )
    result = analyse(trial, spec)
    table = result.to_frame().set_index(["outcome", "estimand"])
    itt = table.loc[("earnings", "ITT")]
    late = table.loc[("earnings", "complier effect (2SLS)")]
    assert itt["ci_low"] < 350 < itt["ci_high"]  # true ITT = 0.7 * mean(900, 100)
    assert late["estimate"] == pytest.approx(itt["estimate"] / 0.7, rel=0.15)
    itt_rows = result.effects[result.effects["estimand"] == "ITT"]
    assert (itt_rows["p_adjusted"] >= itt_rows["p_value"]).all()
    assert set(result.figures()) == {"effects", "balance", "randomisation_inference"}
    assert "earnings by sex" in result.summary()
    assert result.balance["std_difference"].abs().max() < 0.2


@pytest.mark.parametrize(
    "table, message",
    [
        ({"outcomes": "earnings"}, "outcomes must be a list"),
        ({"outcomes": ["y"], "multiple_testing": "bonferroni"}, "multiple_testing must be one of"),
        ({"outcomes": ["y"], "covariate": ["age"]}, r"unknown key\(s\) covariate"),
    ],
)
def test_spec_errors_name_the_key(table: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrialSpec.from_table(table)


def test_bad_data_fail_clearly(trial: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="must be 0 \\(control\\) or 1"):
        lin_itt(trial.assign(treatment=trial["treatment"] + 1), "earnings", "treatment")
    with pytest.raises(ValueError, match="missing column"):
        lin_itt(trial, "earnings", "treatment", ["nope"])
    lonely = trial.assign(area=np.where(trial["treatment"] == 1, "x", trial["area"]))
    with pytest.raises(ValueError, match="only one arm"):
        lin_itt(lonely, "earnings", "treatment", strata=["area"])
