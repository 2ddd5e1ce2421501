"""Batched 2x2 DiD estimators for many (g, t) cells at once, with their influence functions.

Each group-time ATT is a two-period, two-group DiD on the change ``Y_t - Y_base`` of the cohort's
units against the comparison units. R's ``did`` loops over the cells and calls DRDID once per
cell; here a whole batch of cells is solved together with stacked (``einsum``) linear algebra,
which is what makes hundreds of cells take milliseconds. The formulas are those of DRDID's
``reg_did_panel`` (outcome regression), ``std_ipw_did_panel`` (normalised / Hajek IPW) and
``drdid_panel`` (the locally efficient doubly robust estimator of Sant'Anna & Zhao 2020, which is
what ``did::att_gt(est_method="dr")`` calls), including the estimation-effect terms of the
logit propensity score and the OLS outcome model, and DRDID's propensity-score trimming.

Units outside a cell's treated and comparison groups enter with weight zero, and every mean is
taken over all ``n`` units: that yields directly the full-sample influence function that R obtains
by rescaling the subsample one with ``n / n_cell``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

METHODS = ("dr", "ipw", "reg")
PS_CEILING = 1 - 1e-6  # DRDID: ps <- pmin(ps, 1 - 1e-6)
TRIM_LEVEL = 0.995  # DRDID: comparison units with ps >= 0.995 get weight 0
OVERLAP_LIMIT = 0.999  # did: a cell with a propensity score >= 0.999 is not estimated


@dataclass(frozen=True)
class CellEstimates:
    """ATT and influence function (cells x units) per cell; ``problem`` explains a NaN cell."""

    att: np.ndarray
    influence: np.ndarray
    problem: list[str | None]


def estimate_cells(
    delta_y: np.ndarray,
    treated: np.ndarray,
    control: np.ndarray,
    design: np.ndarray,
    method: str,
) -> CellEstimates:
    """Estimate K cells: ``delta_y``, ``treated``, ``control`` are (K, n), ``design`` is (K, n, p).

    ``design`` holds an intercept and the covariates (at the cell's earlier period), one row per
    unit; ``treated`` and ``control`` are disjoint 0/1 masks.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    n = delta_y.shape[1]
    d = treated.astype(float)
    c = control.astype(float)
    problem: list[str | None] = [None] * len(d)
    _flag(problem, d.sum(axis=1) == 0, "no treated units")
    _flag(problem, c.sum(axis=1) == 0, "no comparison units")

    use_outcome_model = method in ("reg", "dr")
    use_pscore = method in ("ipw", "dr")

    residual = delta_y
    if use_outcome_model:
        gram_c = np.einsum("kn,knp,knq->kpq", c, design, design)
        _flag(
            problem, _ill_conditioned(gram_c), "too few comparison units for the outcome regression"
        )
        gram_c = _usable(gram_c, problem)
        moment = np.einsum("kn,knp,kn->kp", c, design, delta_y)
        beta = np.linalg.solve(gram_c, moment[..., None])[..., 0]
        residual = delta_y - np.einsum("knp,kp->kn", design, beta)

    w_treat = d
    eta_treat = (w_treat * residual).sum(axis=1) / _nonzero(w_treat.sum(axis=1))
    inf_treat = w_treat * (residual - eta_treat[:, None])
    if use_outcome_model:
        inf_treat -= c * residual * _project(design, gram_c / n, w_treat, n)
    influence = inf_treat / _nonzero(w_treat.sum(axis=1) / n)[:, None]
    att = eta_treat

    if use_pscore:
        sample = d + c
        ps, hessian = _logit(design, d, sample)
        overlap = np.where(sample > 0, ps, 0).max(axis=1) >= OVERLAP_LIMIT
        _flag(problem, overlap, "overlap violated (a propensity score >= 0.999)")
        _flag(problem, _ill_conditioned(hessian), "propensity score design is singular")
        hessian = _usable(hessian, problem)
        ps = np.minimum(ps, PS_CEILING)
        w_cont = c * (ps < TRIM_LEVEL) * ps / (1 - ps)
        eta_cont = (w_cont * residual).sum(axis=1) / _nonzero(w_cont.sum(axis=1))
        centred = residual - eta_cont[:, None]
        inf_cont = w_cont * centred
        inf_cont += sample * (d - ps) * _project(design, hessian / n, w_cont * centred, n)
        if use_outcome_model:
            inf_cont -= c * residual * _project(design, gram_c / n, w_cont, n)
        influence = influence - inf_cont / _nonzero(w_cont.sum(axis=1) / n)[:, None]
        att = att - eta_cont

    failed = np.array([p is not None for p in problem])
    att = np.where(failed, np.nan, att)
    influence[failed] = np.nan
    return CellEstimates(att=att, influence=influence, problem=problem)


def _project(
    design: np.ndarray, scaled_gram: np.ndarray, weights: np.ndarray, n: int
) -> np.ndarray:
    """x_i' (G/n)^-1 M with M = mean(weights * x): the estimation-effect direction, per unit."""
    moment = np.einsum("kn,knp->kp", weights, design) / n
    direction = np.linalg.solve(scaled_gram, moment[..., None])[..., 0]
    return np.einsum("knp,kp->kn", design, direction)


def _logit(design: np.ndarray, d: np.ndarray, sample: np.ndarray, max_iter: int = 100):
    """Batched logistic-regression MLE (Newton / IRLS) of d on design over the ``sample`` mask.

    Returns fitted probabilities (K, n) and the information matrix X'WX (K, p, p).
    """
    k, _, p = design.shape
    share = (sample * d).sum(axis=1) / _nonzero(sample.sum(axis=1))
    beta = np.zeros((k, p))
    beta[:, 0] = np.log(np.clip(share, 1e-12, None) / np.clip(1 - share, 1e-12, None))
    for _ in range(max_iter):
        ps = expit(np.einsum("knp,kp->kn", design, beta))
        info = np.einsum("kn,knp,knq->kpq", sample * ps * (1 - ps), design, design)
        score = np.einsum("kn,knp->kp", sample * (d - ps), design)
        step = np.einsum("kpq,kq->kp", np.linalg.pinv(info), score)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    ps = expit(np.einsum("knp,kp->kn", design, beta))
    clipped = np.minimum(ps, PS_CEILING)
    info = np.einsum("kn,knp,knq->kpq", sample * clipped * (1 - clipped), design, design)
    return ps, info


def _ill_conditioned(matrices: np.ndarray) -> np.ndarray:
    """R's ``rcond(A) < .Machine$double.eps`` test, batched (1-norm condition number)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.linalg.cond(matrices, p=1)
    return ~np.isfinite(cond) | (1.0 / cond < np.finfo(float).eps)


def _usable(matrices: np.ndarray, problem: list[str | None]) -> np.ndarray:
    """Replace the matrices of failed cells by identities so batched solves never raise."""
    failed = np.array([p is not None for p in problem])
    if failed.any():
        matrices = matrices.copy()
        matrices[failed] = np.eye(matrices.shape[-1])
    return matrices


def _flag(problem: list[str | None], mask: np.ndarray, reason: str) -> None:
    for i in np.flatnonzero(mask):
        problem[i] = problem[i] or reason


def _nonzero(values: np.ndarray) -> np.ndarray:
    return np.where(values == 0, np.nan, values)
