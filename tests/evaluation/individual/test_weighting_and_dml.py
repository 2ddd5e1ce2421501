"""IPW, AIPW and DML: recovery of known effects, standard errors by simulation, missing outcomes,
subgroups and joint covariances."""

from __future__ import annotations

import numpy as np
import pytest

from tests.evaluation.individual.conftest import simulate
from vaikutus.evaluation.individual import estimate

COVARIATES = ["x1", "x2", "group"]


@pytest.mark.parametrize("method", ["ipw", "aipw"])
@pytest.mark.parametrize("estimand", ["att", "ate"])
def test_standard_errors_agree_with_the_spread_over_simulated_samples(method, estimand):
    """40 replications: the spread's own Monte Carlo error is about 11 %, hence the bounds."""
    estimates, ses, truths = [], [], []
    for seed in range(40):
        data = simulate(800, seed=seed)
        result = estimate(
            data,
            treatment="d",
            outcome="y",
            covariates=COVARIATES,
            method=method,
            estimand=estimand,
            trim=None,
        )
        estimates.append(result.estimate)
        ses.append(result.se)
        truths.append(
            data.loc[data["d"] == 1, "effect"].mean()
            if estimand == "att"
            else data["effect"].mean()
        )
    errors = np.asarray(estimates) - np.asarray(truths)
    assert abs(errors.mean()) < 0.05
    assert 0.7 < np.mean(ses) / np.std(estimates, ddof=1) < 1.4


def test_naive_difference_is_confounded_and_the_adjusted_one_is_not():
    data = simulate(20_000, seed=11, heterogeneous=False)
    result = estimate(data, treatment="d", outcome="y", covariates=COVARIATES, method="aipw")
    naive = result.effects.loc[0, "naive_difference"]
    assert result.ci[0] < 1.0 < result.ci[1]
    assert naive - 1.0 > 10 * result.effects.loc[0, "naive_se"]


def test_missing_outcomes_use_the_units_where_they_are_observed():
    data = simulate(3000, seed=12)
    data["y_late"] = data["y"].where(np.arange(len(data)) % 3 != 0)  # a third not observed
    result = estimate(
        data, treatment="d", outcome=["y", "y_late"], covariates=COVARIATES, method="ipw", trim=None
    )
    score = result.diagnostics.propensity["score"].to_numpy()
    seen, treated = data["y_late"].notna().to_numpy(), data["d"].to_numpy() == 1
    y, odds = data["y_late"].to_numpy(), score / (1 - score)
    control = seen & ~treated
    expected = y[seen & treated].mean() - (odds * y)[control].sum() / odds[control].sum()
    late = result.effect("y_late")
    assert late["estimate"] == pytest.approx(expected, rel=1e-9)
    assert late["n_treated"] == int((seen & treated).sum())
    assert late["se"] > result.effect("y")["se"]  # fewer units, wider interval


def test_subgroup_effects_follow_the_heterogeneity():
    data = simulate(6000, seed=13)
    data["x1_positive"] = np.where(data["x1"] > 0, "yes", "no")
    result = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=COVARIATES,
        method="aipw",
        subgroups=["x1_positive"],
    )
    table = result.subgroups.set_index("level")
    for level, mask in (("yes", data["x1"] > 0), ("no", data["x1"] <= 0)):
        truth = data.loc[mask & (data["d"] == 1), "effect"].mean()
        row = table.loc[level]
        assert row["ci_low"] < truth < row["ci_high"]
    assert table.loc["yes", "estimate"] - table.loc["no", "estimate"] > 0.5


def test_joint_covariance_gives_the_variance_of_a_sum():
    data = simulate(4000, seed=14)
    data["y2"] = data["y"] * 2 + data["x2"]
    data["y_sum"] = data["y"] + data["y2"]
    result = estimate(
        data,
        treatment="d",
        outcome=["y", "y2", "y_sum"],
        covariates=COVARIATES,
        method="aipw",
        joint=["y", "y2"],
    )
    cov = result.covariance.to_numpy()
    assert np.sqrt(cov.sum()) == pytest.approx(result.effect("y_sum")["se"], rel=1e-6)
    assert result.effect("y_sum")["estimate"] == pytest.approx(
        result.effect("y")["estimate"] + result.effect("y2")["estimate"], rel=1e-9
    )


@pytest.mark.parametrize("learner", ["linear", "lightgbm"])
def test_dml_recovers_a_known_effect(learner):
    data = simulate(4000, seed=15, heterogeneous=False)
    result = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=COVARIATES,
        method="dml",
        learner=learner,
        folds=3,
        estimand="ate",
    )
    assert result.ci[0] < 1.0 < result.ci[1]
    assert 0.03 < result.se < 0.12


def test_dml_subgroups_come_from_the_orthogonal_score():
    data = simulate(4000, seed=16)
    data["x1_positive"] = np.where(data["x1"] > 0, "yes", "no")
    result = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=COVARIATES,
        method="dml",
        learner="linear",
        folds=3,
        subgroups=["x1_positive"],
    )
    table = result.subgroups.set_index("level")
    assert table.loc["yes", "estimate"] - table.loc["no", "estimate"] > 0.4
    weights = table["n_treated"] / table["n_treated"].sum()
    assert (weights * table["estimate"]).sum() == pytest.approx(result.estimate, rel=1e-6)
