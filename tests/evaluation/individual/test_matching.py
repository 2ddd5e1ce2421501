"""Propensity-score matching: the Abadie-Imbens variance against a direct implementation of the
formula, its sampling behaviour by simulation, calipers, exact strata and bias adjustment."""

from __future__ import annotations

import numpy as np
import pytest

from tests.evaluation.individual.conftest import simulate
from vaikutus.evaluation.individual import estimate


def _reference_att(y: np.ndarray, d: np.ndarray, distance: np.ndarray) -> tuple[float, float]:
    """ATT with one match with replacement and AI (2006) population variance, J = 1, by loops."""
    treated, controls = np.flatnonzero(d), np.flatnonzero(~d)
    k = np.zeros(len(y))
    differences = []
    for i in treated:
        j = controls[np.argmin(np.abs(distance[controls] - distance[i]))]
        k[j] += 1
        differences.append(y[i] - y[j])
    att = float(np.mean(differences))
    sigma2 = np.zeros(len(y))
    for i in range(len(y)):
        same = treated if d[i] else controls
        others = same[same != i]
        nearest = others[np.argmin(np.abs(distance[others] - distance[i]))]
        sigma2[i] = 0.5 * (y[i] - y[nearest]) ** 2
    n1 = len(treated)
    variance = (
        np.sum((np.asarray(differences) - att) ** 2) + np.sum((k * (k - 1) * sigma2)[controls])
    ) / n1**2
    return att, float(np.sqrt(variance))


def test_abadie_imbens_variance_matches_a_direct_implementation():
    data = simulate(400, seed=3)
    result = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=["x1", "x2"],
        method="match",
        caliper=None,
        trim=None,
    )
    score = result.diagnostics.propensity["score"].to_numpy()
    att, se = _reference_att(
        data["y"].to_numpy(), data["d"].to_numpy() == 1, np.log(score / (1 - score))
    )
    assert result.estimate == pytest.approx(att, rel=1e-9)
    assert result.se == pytest.approx(se, rel=1e-9)


@pytest.mark.parametrize("estimand", ["att", "ate"])
def test_standard_errors_agree_with_the_spread_over_simulated_samples(estimand):
    estimates, ses = [], []
    for seed in range(30):
        data = simulate(600, seed=100 + seed)
        result = estimate(
            data,
            treatment="d",
            outcome="y",
            covariates=["x1", "x2"],
            method="match",
            estimand=estimand,
            neighbours=4,
            caliper=None,
            trim=None,
        )
        estimates.append(result.estimate)
        ses.append(result.se)
    spread = np.std(estimates, ddof=1)
    assert 0.75 < np.mean(ses) / spread < 1.33
    truth = 1.0 + 0.5 * (0.0 if estimand == "ate" else 0.43)  # E[x1 | treated] is about 0.43
    assert abs(np.mean(estimates) - truth) < 0.1


def test_caliper_drops_treated_without_a_close_match_and_says_so():
    data = simulate(600, seed=5)
    wide = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=["x1", "x2"],
        method="match",
        caliper=None,
        trim=None,
    )
    narrow = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=["x1", "x2"],
        method="match",
        caliper=0.001,
        trim=None,
    )
    assert wide.diagnostics.matching["unmatched_focal"] == 0
    dropped = narrow.diagnostics.matching["unmatched_focal"]
    assert dropped > 0
    assert narrow.effects.loc[0, "n_treated"] == int(data["d"].sum()) - dropped


def test_exact_strata_are_respected():
    data = simulate(900, seed=6)
    result = estimate(
        data,
        treatment="d",
        outcome="y",
        covariates=["x1", "x2"],
        method="match",
        exact=["group"],
        caliper=None,
        trim=None,
    )
    from vaikutus.evaluation.individual.inputs import prepare
    from vaikutus.evaluation.individual.matching import find_matches
    from vaikutus.evaluation.individual.propensity import fit_propensity

    inputs = prepare(data, treatment="d", outcome="y", covariates=["x1", "x2"])
    fit = fit_propensity(inputs.design, inputs.treated)
    strata = data["group"].astype("category").cat.codes.to_numpy()
    matches = find_matches(
        fit.index,
        inputs.treated,
        np.ones(len(data), bool),
        estimand="att",
        neighbours=1,
        caliper=None,
        strata=strata,
        variance_neighbours=1,
    )
    rows, columns = matches.weights.nonzero()
    assert (strata[rows] == strata[matches.focal[columns]]).all()
    assert result.diagnostics.matching["unmatched_focal"] == 0


def test_bias_adjustment_removes_the_bias_of_distant_matches():
    """Averaging 150 neighbours imputes each treated unit from distant controls (biased upwards
    here); the regression adjustment of Abadie & Imbens (2011) brings the estimate back to the
    regression-imputation estimate of the same sample, whose model is correct by construction."""
    gaps_plain, gaps_adjusted = [], []
    for seed in range(5):
        data = simulate(1000, seed=300 + seed, heterogeneous=False)
        x = np.column_stack(
            [np.ones(len(data)), data["x1"], data["x2"], data["group"] == "b", data["group"] == "c"]
        ).astype(float)
        control, treated = data["d"].to_numpy() == 0, data["d"].to_numpy() == 1
        beta = np.linalg.lstsq(x[control], data["y"].to_numpy()[control], rcond=None)[0]
        regression = float((data["y"].to_numpy()[treated] - x[treated] @ beta).mean())
        options = dict(
            treatment="d",
            outcome="y",
            covariates=["x1", "x2", "group"],
            method="match",
            neighbours=150,
            caliper=None,
            trim=None,
        )
        gaps_plain.append(estimate(data, **options).estimate - regression)
        gaps_adjusted.append(estimate(data, bias_adjust=True, **options).estimate - regression)
    assert np.mean(gaps_plain) > 0.15
    assert abs(np.mean(gaps_adjusted)) < 0.03


def test_rosenbaum_bounds_are_reported_for_matching():
    data = simulate(800, seed=7)
    result = estimate(data, treatment="d", outcome="y", covariates=["x1", "x2"], method="match")
    table = result.diagnostics.rosenbaum
    assert table["p_upper"].is_monotonic_increasing
    assert result.diagnostics.critical_gamma >= 1.5
