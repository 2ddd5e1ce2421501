"""Exact solver for the synthetic-control weight problem (least squares on the simplex).

Every estimator in this package needs, many times over, the solution of

    minimise  1/2 ||A w - b||^2 + 1/2 ridge ||w||^2 + linear' w   over  w >= 0, sum(w) = 1

(classic SCM: ``A = V^1/2 X0``; penalised SCM adds ``linear``; synthetic DiD adds ``ridge``;
conformal inference and in-space placebos refit it hundreds of times).

Why our own solver: the Python packages solve this with general-purpose methods. pysyncon 1.7
calls ``scipy.optimize.minimize(method="SLSQP")`` with finite-difference gradients on all J
weights (8-22 s per Prop 99 fit here, over 35 min for a placebo set, and it stops at tolerance
1e-6 rather than at the vertex of the simplex that the exact solution sits on); R's Synth uses an
interior-point QP (``ipop``) whose answer is only accurate to its margin. On the 300-unit
benchmark (``benchmarks/bench_synth.py``) one pysyncon inner solve over 298 donors took 14-18 CPU
seconds and, with its defaults, weights up to 0.4 away from the optimum (objective up to 5 times
higher); this solver takes about a millisecond and agrees with SLSQP run to ftol 1e-14 within 3e-4.

The problem is tiny in the number of active donors (at most ``rank(A) + 1`` are positive when
``ridge = 0``), so an exact primal active-set method (Lawson & Hanson's NNLS idea, adapted to the
simplex) finds the optimum in a handful of small dense solves and can be warm-started from the
previous solution when the outer V search changes ``A`` slightly. When ``ridge > 0`` the
solution is dense, so a few hundred steps of accelerated projected gradient (FISTA) first find
the support and the active-set loop then polishes it to machine precision (on small problems
adding donors one by one from the best vertex is cheaper, so FISTA is only used from 64 donors
up).

:func:`solve_simplex_lsq` returns the weights plus the KKT residual; :func:`alternative_optimum`
checks whether another weight vector attains the same optimum (a linear programme over the
optimal face), which is how non-unique synthetic controls are detected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.lapack import dpotrf, dpotrs
from scipy.optimize import linprog

_FISTA_STEPS = 300
_FISTA_MIN_DONORS = 64  # below this, adding donors one by one from a vertex is cheaper


@dataclass(frozen=True)
class SimplexSolution:
    """Weights on the simplex and how well they satisfy the optimality conditions."""

    weights: np.ndarray
    objective: float
    kkt_violation: float
    iterations: int


def project_to_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto the probability simplex (Duchi et al. 2008, sort based)."""
    u = np.sort(v)[::-1]
    cumulative = np.cumsum(u) - 1.0
    index = np.arange(1, v.size + 1)
    rho = np.nonzero(u - cumulative / index > 0)[0][-1]
    return np.maximum(v - cumulative[rho] / (rho + 1.0), 0.0)


def solve_simplex_lsq(
    A: np.ndarray,
    b: np.ndarray,
    *,
    ridge: float = 0.0,
    linear: np.ndarray | None = None,
    w0: np.ndarray | None = None,
) -> SimplexSolution:
    """Minimise ``1/2||Aw-b||^2 + 1/2 ridge ||w||^2 + linear'w`` over the probability simplex.

    ``A`` is (m, n) with one column per donor; ``w0`` (any point of the simplex) warm-starts the
    active set, which is what makes the nested V search and the conformal grid cheap.
    """
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    n = A.shape[1]
    lin = None if linear is None else np.asarray(linear, dtype=float)
    atb = A.T @ b
    col_sq = (A * A).sum(axis=0)
    scale = float(
        col_sq.max() + np.abs(atb).max() + ridge + (0.0 if lin is None else np.abs(lin).max())
    )
    scale = max(scale, 1e-300)
    if w0 is not None:
        w = np.maximum(np.asarray(w0, dtype=float), 0.0)
        w = w / w.sum() if w.sum() > 0 else np.full(n, 1.0 / n)
    elif ridge > 0 and n >= _FISTA_MIN_DONORS:
        w = _fista(A, b, ridge, lin)
    else:
        vertex_values = 0.5 * (col_sq + ridge) - atb + (0.0 if lin is None else lin)
        w = np.zeros(n)
        w[int(np.argmin(vertex_values))] = 1.0
    w, grad, iterations = _active_set(A, b, ridge, lin, w, 1e-11 * scale)
    support = w > 0
    nu = float(grad[support].min())
    violation = max(0.0, nu - float(grad.min()), float(grad[support].max()) - nu)
    r = A @ w - b
    objective = (
        0.5 * float(r @ r) + 0.5 * ridge * float(w @ w) + (0.0 if lin is None else float(lin @ w))
    )
    return SimplexSolution(w, objective, violation / scale, iterations)


def _gradient(
    A: np.ndarray,
    b: np.ndarray,
    ridge: float,
    lin: np.ndarray | None,
    w: np.ndarray,
    support: np.ndarray,
) -> np.ndarray:
    grad = A.T @ (A[:, support] @ w[support] - b)
    if ridge:
        grad += ridge * w
    return grad if lin is None else grad + lin


def _fista(A: np.ndarray, b: np.ndarray, ridge: float, lin: np.ndarray | None) -> np.ndarray:
    """Accelerated projected gradient; only used to guess the support of a dense solution."""
    n = A.shape[1]
    lipschitz = np.linalg.norm(A, 2) ** 2 + ridge
    w = np.full(n, 1.0 / n)
    y, t = w.copy(), 1.0
    everything = np.arange(n)
    for _ in range(_FISTA_STEPS):
        grad = _gradient(A, b, ridge, lin, y, everything)
        w_next = project_to_simplex(y - grad / lipschitz)
        t_next = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        y = w_next + ((t - 1) / t_next) * (w_next - w)
        w, t = w_next, t_next
    return w


def _active_set(
    A: np.ndarray, b: np.ndarray, ridge: float, lin: np.ndarray | None, w: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Primal active-set iterations from a feasible ``w`` (support = positive entries)."""
    n = A.shape[1]
    support = np.flatnonzero(w > 0)
    last_added = -1
    for iteration in range(1, 20 * n + 100):
        w, support = _optimise_on_support(A, b, ridge, lin, w, support, tol)
        grad = _gradient(A, b, ridge, lin, w, support)
        reduced = grad - grad[support].sum() / support.size
        reduced[support] = np.inf
        entering = int(np.argmin(reduced))
        if reduced[entering] >= -tol or entering == last_added:
            return w, grad, iteration
        support = np.append(support, entering)
        last_added = entering
    raise RuntimeError("simplex least squares did not converge; the problem is badly scaled")


def _optimise_on_support(
    A: np.ndarray,
    b: np.ndarray,
    ridge: float,
    lin: np.ndarray | None,
    w: np.ndarray,
    support: np.ndarray,
    tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise over the face spanned by ``support``, dropping donors whose weight hits zero."""
    w = w.copy()
    while True:
        if support.size == 1:
            w[:] = 0.0
            w[support] = 1.0
            return w, support
        ws = w[support]
        step, is_ray = _face_step(
            A[:, support], b, ridge, None if lin is None else lin[support], ws, tol
        )
        target = ws + step
        if not is_ray and target.min() > 0:
            w[support] = target
            return w, support
        shrinking = np.flatnonzero(step < 0)
        if shrinking.size == 0:  # a ray along which nothing shrinks: flat, stop here
            return w, support
        ratios = ws[shrinking] / -step[shrinking]
        first = int(np.argmin(ratios))
        alpha = ratios[first] if is_ray else min(1.0, ratios[first])
        ws = np.maximum(ws + alpha * step, 0.0)
        ws[shrinking[first]] = 0.0
        keep = ws > 0
        w[support] = ws / ws.sum()
        support = support[keep]


def _face_step(
    A_s: np.ndarray,
    b: np.ndarray,
    ridge: float,
    lin_s: np.ndarray | None,
    w_s: np.ndarray,
    tol: float,
) -> tuple[np.ndarray, bool]:
    """Newton step to the minimiser on ``{sum(w_s) = 1}``, or a descent ray if there is none.

    The sum constraint is eliminated by ``w_s = current + E y`` with ``E = [I; -1']``; the
    reduced Hessian ``E'HE`` is singular only when the active donors are affinely dependent
    (possible with a linear term), in which case the objective falls linearly along a null
    direction and the caller moves along it until a weight reaches zero.
    """
    k = w_s.size - 1
    H = A_s.T @ A_s
    if ridge:
        H.flat[:: k + 2] += ridge
    grad = H @ w_s - A_s.T @ b
    if lin_s is not None:
        grad += lin_s
    reduced_h = H[:k, :k] - H[:k, k : k + 1] - H[k : k + 1, :k] + H[k, k]
    reduced_g = grad[:k] - grad[k]
    step = np.empty(k + 1)
    chol, info = dpotrf(reduced_h, lower=1, clean=0)
    diagonal = chol.diagonal()
    if info == 0 and diagonal.min() ** 2 > 1e-12 * max(reduced_h.diagonal().max(), tol):
        y, _ = dpotrs(chol, reduced_g, lower=1)
        step[:k] = -y
        step[k] = y.sum()
        return step, False
    values, vectors = np.linalg.eigh(reduced_h)
    floor = 1e-10 * max(values.max(), tol)
    g_eig = vectors.T @ reduced_g
    flat = values <= floor
    if flat.any() and np.abs(g_eig[flat]).max() > tol:
        i = np.flatnonzero(flat)[int(np.argmax(np.abs(g_eig[flat])))]
        y = -np.sign(g_eig[i]) * vectors[:, i]
        is_ray = True
    else:
        y = -vectors[:, ~flat] @ (g_eig[~flat] / values[~flat])
        is_ray = False
    step[:k] = y
    step[k] = -y.sum()
    return step, is_ray


@dataclass(frozen=True)
class Uniqueness:
    """Result of the optimal-face check: is the optimum unique, and how far off is another one."""

    unique: bool
    max_weight_difference: float
    alternative: np.ndarray


def alternative_optimum(
    A: np.ndarray,
    w: np.ndarray,
    *,
    linear: np.ndarray | None = None,
    seed: int = 0,
) -> Uniqueness:
    """Look for another optimum of the ``ridge = 0`` problem solved by ``w``.

    Without a ridge the objective depends on ``w`` only through ``A w`` (and ``linear'w``), so
    the set of optima is the polytope ``{w in simplex : A w = A w*, linear'w = linear'w*}``.
    Maximising and minimising a random linear function over it (two small LPs, HiGHS) gives a
    second optimum whenever that polytope is more than a point.
    """
    A = np.asarray(A, dtype=float)
    rows = [A, np.ones((1, A.shape[1]))]
    if linear is not None and np.any(linear):
        rows.append(np.asarray(linear, dtype=float)[None, :])
    equality = np.vstack(rows)
    norms = np.linalg.norm(equality, axis=1)
    norms[norms == 0] = 1.0
    equality = equality / norms[:, None]
    rhs = equality @ w
    direction = np.random.default_rng(seed).standard_normal(A.shape[1])
    best = w
    difference = 0.0
    for sign in (1.0, -1.0):
        res = linprog(sign * direction, A_eq=equality, b_eq=rhs, bounds=(0, None), method="highs")
        if res.status == 0:
            gap = float(np.abs(res.x - w).max())
            if gap > difference:
                best, difference = res.x, gap
    return Uniqueness(unique=difference < 1e-6, max_weight_difference=difference, alternative=best)
