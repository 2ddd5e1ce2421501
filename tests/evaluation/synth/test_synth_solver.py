"""The simplex least-squares solver against SciPy, and the non-uniqueness check."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from vaikutus.evaluation.synth.solver import (
    alternative_optimum,
    project_to_simplex,
    solve_simplex_lsq,
)


def scipy_reference(A, b, ridge=0.0, linear=None):
    """The same problem with SciPy's SLSQP and an exact gradient (slow but independent)."""
    n = A.shape[1]
    lin = np.zeros(n) if linear is None else linear
    H = A.T @ A + ridge * np.eye(n)
    c = -A.T @ b + lin
    res = minimize(
        lambda w: 0.5 * w @ H @ w + c @ w + 0.5 * b @ b,
        np.full(n, 1.0 / n),
        jac=lambda w: H @ w + c,
        method="SLSQP",
        bounds=[(0, None)] * n,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1, "jac": lambda w: np.ones(n)}],
        options={"ftol": 1e-14, "maxiter": 2000},
    )
    return res.x, res.fun


@pytest.mark.parametrize("case", range(24))
def test_solver_matches_scipy(case):
    rng = np.random.default_rng(case)
    m, n = int(rng.integers(2, 10)), int(rng.integers(3, 30))
    A = rng.standard_normal((m, n))
    inside = case % 3 == 0  # target inside the hull: exact fit, typically many solutions
    b = A @ rng.dirichlet(np.ones(n)) if inside else 3 * rng.standard_normal(m)
    ridge = 0.5 if case % 4 == 1 else 0.0
    linear = rng.random(n) if case % 5 == 2 else None
    ours = solve_simplex_lsq(A, b, ridge=ridge, linear=linear)
    ref_w, ref_f = scipy_reference(A, b, ridge, linear)
    w = ours.weights
    assert w.min() >= 0 and w.sum() == pytest.approx(1, abs=1e-12)
    assert ours.objective <= ref_f + 1e-8 * max(1, abs(ref_f))  # never worse than SLSQP
    assert ours.kkt_violation < 1e-9
    converged = ref_f <= ours.objective + 1e-9 * max(1, abs(ref_f))
    unique = ridge > 0 or alternative_optimum(A, w, linear=linear).unique
    if converged and unique:  # then the weights themselves must agree
        assert np.abs(w - ref_w).max() < 1e-3


def test_warm_start_reaches_the_same_optimum():
    rng = np.random.default_rng(7)
    A, b = rng.standard_normal((6, 50)), rng.standard_normal(6)
    cold = solve_simplex_lsq(A, b)
    nudged = solve_simplex_lsq(A * 1.02, b)
    warm = solve_simplex_lsq(A * 1.02, b, w0=cold.weights)
    assert np.abs(warm.weights - nudged.weights).max() < 1e-10
    assert warm.iterations <= nudged.iterations


def test_dense_ridge_problem_uses_fista_start_and_is_exact():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 80))
    b = A @ rng.dirichlet(np.ones(80)) + 0.1 * rng.standard_normal(30)
    ours = solve_simplex_lsq(A, b, ridge=2.0)
    _, ref_f = scipy_reference(A, b, 2.0)
    assert (ours.weights > 0).sum() > 20  # dense
    assert ours.objective <= ref_f + 1e-8 * ref_f
    assert ours.kkt_violation < 1e-9


def test_projection_onto_simplex():
    v = np.array([0.8, 0.6, -0.2, 0.1])
    p = project_to_simplex(v)
    assert p.sum() == pytest.approx(1.0)
    assert p == pytest.approx([0.6, 0.4, 0.0, 0.0])


def test_alternative_optimum_detects_a_non_unique_solution():
    # Target = midpoint of donors 0 and 1 = midpoint of donors 2 and 3: two exact fits.
    A = np.array([[0.0, 2.0, 1.0, 1.0, 5.0], [1.0, 1.0, 0.0, 2.0, 5.0]])
    b = np.array([1.0, 1.0])
    w = solve_simplex_lsq(A, b).weights
    assert np.abs(A @ w - b).max() < 1e-12
    check = alternative_optimum(A, w)
    assert not check.unique
    assert check.max_weight_difference > 0.1
    assert np.abs(A @ check.alternative - b).max() < 1e-7  # the alternative fits as well


def test_alternative_optimum_confirms_a_unique_solution():
    A = np.array([[0.0, 2.0, 0.0, 5.0], [0.0, 0.0, 2.0, 5.0]])
    b = np.array([-1.0, 0.5])  # outside the hull: the projection is unique
    w = solve_simplex_lsq(A, b).weights
    assert alternative_optimum(A, w).unique
