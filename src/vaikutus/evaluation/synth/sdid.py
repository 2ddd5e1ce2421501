"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021).

Algorithm 1 of the paper as implemented in the authors' R package ``synthdid``:

* noise level ``sigma`` = standard deviation of the first differences of the control units'
  pre-period outcomes; ``zeta_omega = (N_tr * T_post)^(1/4) * sigma``, ``zeta_lambda = 1e-6 sigma``;
* unit weights ``omega`` (simplex, with intercept) minimise
  ``sum_t (omega_0 + omega'Y_co,t - Ybar_tr,t)^2 / T_pre + zeta_omega^2 ||omega||^2`` over the
  pre-period; time weights ``lambda`` (simplex, with intercept) minimise
  ``sum_i (lambda_0 + lambda'Y_i,pre - Ybar_i,post)^2 / N_co + zeta_lambda^2 ||lambda||^2``;
* ``tau = (Ybar_tr,post - omega'Ybar_co,post) - (lambda'Y_tr,pre - omega'Y_co,pre lambda)``.

``synthdid`` solves the two weight problems with Frank-Wolfe steps and a sparsifying restart;
here they go to the exact simplex solver (the ridge makes each optimum unique), so weights agree
with ``synthdid`` up to its stopping tolerance. Standard errors: the placebo method (Algorithm
4; the only one valid with one treated unit) reassigns treatment to random sets of controls
with the weights re-estimated and the zetas held fixed; the jackknife (Algorithm 3, needs two or
more treated units) drops one unit at a time with the weights held fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaikutus.evaluation.synth.solver import solve_simplex_lsq


@dataclass(frozen=True)
class SdidFit:
    """Unit and time weights, the estimate and the synthetic path of one SDID fit."""

    omega: np.ndarray
    time_weights: np.ndarray
    tau: float
    synthetic: np.ndarray
    zeta_omega: float
    zeta_lambda: float


def noise_level(controls: np.ndarray, n_pre: int) -> float:
    return float(np.diff(controls[:, :n_pre], axis=1).std(ddof=1))


def fit_sdid(
    controls: np.ndarray,
    treated: np.ndarray,
    n_pre: int,
    *,
    zetas: tuple[float, float] | None = None,
) -> SdidFit:
    """``controls`` (N_co, T) and ``treated`` (N_tr, T) outcomes; the first ``n_pre`` periods
    are untreated. ``zetas`` fixes (zeta_omega, zeta_lambda), as the placebo SE requires."""
    n_co, n_periods = controls.shape
    n_post = n_periods - n_pre
    if zetas is None:
        sigma = noise_level(controls, n_pre)
        zetas = ((treated.shape[0] * n_post) ** 0.25 * sigma, 1e-6 * sigma)
    zeta_omega, zeta_lambda = zetas
    treated_mean = treated.mean(axis=0)

    pre = controls[:, :n_pre].T  # (T_pre, N_co): one row per period
    a_omega = pre - pre.mean(axis=0)
    b_omega = treated_mean[:n_pre] - treated_mean[:n_pre].mean()
    omega = solve_simplex_lsq(a_omega, b_omega, ridge=n_pre * zeta_omega**2).weights

    a_lambda = controls[:, :n_pre] - controls[:, :n_pre].mean(axis=0)
    post_means = controls[:, n_pre:].mean(axis=1)
    b_lambda = post_means - post_means.mean()
    time_weights = solve_simplex_lsq(a_lambda, b_lambda, ridge=n_co * zeta_lambda**2).weights

    synthetic_raw = omega @ controls
    offset = time_weights @ (treated_mean[:n_pre] - synthetic_raw[:n_pre])
    synthetic = synthetic_raw + offset
    tau = float((treated_mean[n_pre:] - synthetic[n_pre:]).mean())
    return SdidFit(omega, time_weights, tau, synthetic, zeta_omega, zeta_lambda)


def placebo_se(
    controls: np.ndarray,
    n_treated: int,
    n_pre: int,
    zetas: tuple[float, float],
    *,
    replications: int,
    seed: int,
) -> float:
    """Algorithm 4: SE from re-running SDID with ``n_treated`` random controls as treated."""
    if controls.shape[0] <= n_treated:
        return float("nan")
    rng = np.random.default_rng(seed)
    estimates = np.empty(replications)
    for r in range(replications):
        order = rng.permutation(controls.shape[0])
        pseudo, rest = controls[order[:n_treated]], controls[order[n_treated:]]
        estimates[r] = fit_sdid(rest, pseudo, n_pre, zetas=zetas).tau
    return float(np.sqrt((replications - 1) / replications) * estimates.std(ddof=1))


def jackknife_se(controls: np.ndarray, treated: np.ndarray, fit: SdidFit, n_pre: int) -> float:
    """Algorithm 3: leave one unit out, weights fixed (omega renormalised); NaN with one treated."""
    if treated.shape[0] < 2:
        return float("nan")
    lam = fit.time_weights
    estimates = []
    for i in range(controls.shape[0]):
        keep = np.arange(controls.shape[0]) != i
        if fit.omega[keep].sum() <= 0:
            continue
        estimates.append(
            _tau_fixed(controls[keep], treated, fit.omega[keep] / fit.omega[keep].sum(), lam, n_pre)
        )
    for i in range(treated.shape[0]):
        keep = np.arange(treated.shape[0]) != i
        estimates.append(_tau_fixed(controls, treated[keep], fit.omega, lam, n_pre))
    values = np.array(estimates)
    n = values.size
    return float(np.sqrt((n - 1) / n * ((values - values.mean()) ** 2).sum()))


def _tau_fixed(
    controls: np.ndarray, treated: np.ndarray, omega: np.ndarray, lam: np.ndarray, n_pre: int
) -> float:
    difference = treated.mean(axis=0) - omega @ controls
    return float(difference[n_pre:].mean() - lam @ difference[:n_pre])
