"""One synthetic-control fit on matrices: classic, demeaned, penalised, augmented or SDID.

:func:`fit_core` is what :func:`vaikutus.evaluation.synth.fit` calls for the treated unit and
what every placebo, leave-one-out and in-time refit calls again, so all of them run exactly the
same estimator. The variants:

* ``classic`` -- Abadie, Diamond & Hainmueller (2010): simplex weights matching standardised
  predictors under the V chosen by :mod:`~vaikutus.evaluation.synth.vsearch`.
* ``demeaned`` -- the same on outcomes demeaned by each unit's pre-period mean, with the
  difference in means added back (the intercept-shifted SCM of Doudchenko & Imbens 2016 and
  Ferman & Pinto 2021): matches trajectories, not levels.
* ``penalized`` -- Abadie & L'Hour (2021): adds ``penalty * sum_j w_j ||X1 - X0j||_V^2`` so
  that donors far from the treated unit are dearer. Without a given penalty it is chosen, as
  they propose, by leave-one-out prediction of the donors' own post-period outcomes (with V
  held at the unpenalised treated-unit V to keep the search cheap).
* ``augmented`` -- Ben-Michael, Feller & Rothstein (2021) ridge ASCM: the SCM weights plus the
  ridge correction ``(X1 - X0'w)'(X0c'X0c + lambda I)^-1 X0c'`` on centred pre-period outcomes
  (weights may turn negative). ``lambda`` is chosen as augsynth does: leave-one-pre-period-out
  CV with an outcome-path SCM base, on a 21-point grid down from the largest squared singular
  value, largest lambda within one SE of the minimum.
* ``sdid`` -- synthetic difference-in-differences, see :mod:`~vaikutus.evaluation.synth.sdid`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vaikutus.evaluation.synth import sdid
from vaikutus.evaluation.synth.panel import PredictorSpec, SynthInputError, WidePanel, time_text
from vaikutus.evaluation.synth.solver import solve_simplex_lsq
from vaikutus.evaluation.synth.vsearch import (
    InnerProblem,
    VFit,
    optimise_v,
    regression_v,
    standardise,
)

METHODS = ("classic", "demeaned", "penalized", "augmented", "sdid")
V_OPTIONS = ("optimize", "equal", "regression")
PENALTY_GRID = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class Spec:
    """Everything that defines the estimator, so refits (placebos etc.) can repeat it."""

    method: str = "classic"
    predictors: tuple[PredictorSpec, ...] | None = None
    v: str | tuple[float, ...] = "optimize"
    penalty: float | None = None
    ridge: float | None = None
    seed: int = 0


@dataclass(frozen=True)
class CoreFit:
    """Arrays of one fit; :class:`~vaikutus.evaluation.synth.result.SynthResult` labels them."""

    weights: np.ndarray
    observed: np.ndarray
    synthetic: np.ndarray
    predictor_labels: tuple[str, ...]
    predictor_values: np.ndarray  # (k, 1 + J): treated (or treated mean) first, then donors
    balance_weights: np.ndarray  # the simplex weights that match the predictors
    v: np.ndarray | None = None
    vfit: VFit | None = None
    time_weights: np.ndarray | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FitContext:
    """What a result needs to refit itself: the data, who is treated and when, the spec."""

    panel: WidePanel
    treated_rows: np.ndarray
    donor_rows: np.ndarray
    start_pos: int
    spec: Spec
    end_pos: int | None = None
    clip_predictors: bool = False

    def fit(self) -> CoreFit:
        return fit_core(
            self.panel,
            self.treated_rows,
            self.donor_rows,
            self.start_pos,
            self.spec,
            clip_predictors=self.clip_predictors,
            end_pos=self.end_pos,
        )


def fit_core(
    panel: WidePanel,
    treated_rows: np.ndarray,
    donor_rows: np.ndarray,
    start_pos: int,
    spec: Spec,
    *,
    clip_predictors: bool = False,
    end_pos: int | None = None,
) -> CoreFit:
    """Fit ``spec`` for the treated row(s) against ``donor_rows``; the first treated period is
    ``panel.times[start_pos]``; periods from ``end_pos`` on are left out (in-time placebos)."""
    outcome = panel.outcome[:, :end_pos]
    if spec.method == "sdid":
        return _fit_sdid(outcome, treated_rows, donor_rows, start_pos)
    if treated_rows.size != 1:
        raise SynthInputError(f"method {spec.method!r} fits one treated unit at a time")
    matched = outcome
    if spec.method == "demeaned":
        matched = outcome - outcome[:, :start_pos].mean(axis=1, keepdims=True)
    rows = np.concatenate([treated_rows, donor_rows])
    values, labels = _predictor_values(panel, spec, rows, start_pos, matched, clip_predictors)
    x = standardise_checked(values, labels)
    v, w, vfit, penalty = _match(spec, x, matched[rows, :start_pos], matched[donor_rows], start_pos)
    weights, synthetic, details = _counterfactual(spec, outcome, rows, start_pos, w, penalty)
    return CoreFit(
        weights=weights,
        observed=outcome[treated_rows[0]],
        synthetic=synthetic,
        predictor_labels=labels,
        predictor_values=values,
        balance_weights=w,
        v=v,
        vfit=vfit,
        details=details,
    )


def _match(
    spec: Spec, x: np.ndarray, pre_outcomes: np.ndarray, donor_outcomes: np.ndarray, start_pos: int
) -> tuple[np.ndarray, np.ndarray, VFit | None, float]:
    """V and the simplex weights that match the standardised predictors ``x`` (treated first).

    ``pre_outcomes`` holds the (possibly demeaned) pre-period outcomes of the treated unit and
    the donors, the loss the V search minimises; the penalty choice also needs the donors'
    post-period outcomes, so ``donor_outcomes`` spans every period.
    """
    z1, z0 = pre_outcomes[0], pre_outcomes[1:].T
    penalty = 0.0
    if spec.method == "penalized":
        penalty = (
            spec.penalty
            if spec.penalty is not None
            else _choose_penalty(
                x[:, 1:], donor_outcomes, start_pos, _v_for(spec, x, pre_outcomes, z0, z1)
            )
        )
    problem = InnerProblem(x[:, 1:], x[:, 0], penalty)
    if spec.v != "optimize":
        v = _fixed_v(spec.v, x, pre_outcomes)
        return v, problem.solve(v).weights, None, penalty
    vfit = optimise_v(problem, z0, z1, _synth_starts(x, pre_outcomes), seed=spec.seed)
    return vfit.v, vfit.weights, vfit, penalty


def _counterfactual(
    spec: Spec, outcome: np.ndarray, rows: np.ndarray, start_pos: int, w: np.ndarray, penalty: float
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Reported weights, synthetic path and method details from the matching weights ``w``."""
    treated, donors = outcome[rows[0]], outcome[rows[1:]]
    synthetic = donors.T @ w
    if spec.method == "demeaned":
        return w, synthetic + (treated[:start_pos].mean() - synthetic[:start_pos].mean()), {}
    if spec.method == "augmented":
        pre = outcome[rows, :start_pos]
        lam = spec.ridge if spec.ridge is not None else choose_ridge(pre[1:], pre[0])
        weights = w + ridge_correction(pre[1:], pre[0], w, lam)
        return weights, donors.T @ weights, {"ridge_lambda": lam}
    return w, synthetic, {"penalty": penalty} if spec.method == "penalized" else {}


def standardise_checked(values: np.ndarray, labels: tuple[str, ...]) -> np.ndarray:
    sd = values.std(axis=1, ddof=1)
    if np.any(sd == 0):
        raise SynthInputError(
            f"predictor {labels[int(np.argmin(sd))]} has the same value for every unit; drop it"
        )
    return standardise(values)


def _predictor_values(
    panel: WidePanel,
    spec: Spec,
    rows: np.ndarray,
    start_pos: int,
    matched: np.ndarray,
    clip: bool,
) -> tuple[np.ndarray, tuple[str, ...]]:
    if spec.predictors is None:
        labels = tuple(f"{panel.outcome_name} {time_text(t)}" for t in panel.times[:start_pos])
        return matched[rows, :start_pos].T, labels
    return panel.predictors(spec.predictors, rows, start_pos, outcome=matched, clip=clip)


def _synth_starts(x: np.ndarray, z_all: np.ndarray) -> dict[str, np.ndarray]:
    """R Synth's two starting points: equal V and the regression-based V."""
    k = x.shape[0]
    starts = {"equal": np.full(k, 1.0 / k)}
    reg = regression_v(x, z_all.T)
    if reg is not None:
        starts["regression"] = reg
    return starts


def _fixed_v(option: str | tuple[float, ...], x: np.ndarray, z_all: np.ndarray) -> np.ndarray:
    k = x.shape[0]
    if option == "equal":
        return np.full(k, 1.0 / k)
    if option == "regression":
        reg = regression_v(x, z_all.T)
        if reg is None:
            raise SynthInputError(
                "v='regression' needs more units than predictors + 1 for the regression of "
                "pre-period outcomes on the predictors"
            )
        return reg
    v = np.asarray(option, dtype=float)
    if v.shape != (k,) or np.any(v < 0) or v.sum() <= 0:
        raise SynthInputError(f"v: give {k} non-negative predictor weights, got {list(option)!r}")
    return v / v.sum()


def _v_for(
    spec: Spec, x: np.ndarray, z_all: np.ndarray, z0: np.ndarray, z1: np.ndarray
) -> np.ndarray:
    """The unpenalised V used while choosing the penalty."""
    if spec.v != "optimize":
        return _fixed_v(spec.v, x, z_all)
    return optimise_v(
        InnerProblem(x[:, 1:], x[:, 0]), z0, z1, _synth_starts(x, z_all), seed=spec.seed
    ).v


def _choose_penalty(
    x0: np.ndarray, donor_outcomes: np.ndarray, start_pos: int, v: np.ndarray
) -> float:
    """Abadie & L'Hour's choice: predict each donor from the others, score on post-periods."""
    errors = []
    for penalty in PENALTY_GRID:
        total = 0.0
        for j in range(x0.shape[1]):
            others = np.arange(x0.shape[1]) != j
            w = InnerProblem(x0[:, others], x0[:, j], penalty).solve(v).weights
            gap = donor_outcomes[j, start_pos:] - w @ donor_outcomes[others, start_pos:]
            total += float(gap @ gap)
        errors.append(total)
    return PENALTY_GRID[int(np.argmin(errors))]


def ridge_correction(
    pre_donors: np.ndarray, pre_treated: np.ndarray, w: np.ndarray, lam: float
) -> np.ndarray:
    """Ridge ASCM correction to the weights (sums to zero because the outcomes are centred)."""
    centre = pre_donors.mean(axis=0)
    xc, x1 = pre_donors - centre, pre_treated - centre
    imbalance = x1 - w @ xc
    gram = xc.T @ xc + lam * np.eye(xc.shape[1])
    return xc @ np.linalg.solve(gram, imbalance)


def choose_ridge(pre_donors: np.ndarray, pre_treated: np.ndarray) -> float:
    """augsynth's ``cv_lambda``: leave one pre-period out, outcome-path SCM base, 1-SE rule."""
    n_pre = pre_donors.shape[1]
    centred = pre_donors - pre_donors.mean(axis=0)
    lambda_max = np.linalg.svd(centred, compute_uv=False)[0] ** 2
    lambdas = lambda_max * (1e-8 ** (1 / 20)) ** np.arange(21)
    if n_pre < 3:
        return float(lambdas[0])
    errors = np.empty((n_pre - 1, lambdas.size))
    for i in range(n_pre - 1):
        keep = np.arange(n_pre) != i
        base = solve_simplex_lsq(pre_donors[:, keep].T, pre_treated[keep]).weights
        for j, lam in enumerate(lambdas):
            weights = base + ridge_correction(pre_donors[:, keep], pre_treated[keep], base, lam)
            errors[i, j] = (pre_treated[i] - weights @ pre_donors[:, i]) ** 2
    mean, se = errors.mean(axis=0), errors.std(axis=0, ddof=1) / np.sqrt(errors.shape[0])
    best = int(np.argmin(mean))
    return float(lambdas[mean <= mean[best] + se[best]].max())


def _fit_sdid(
    outcome: np.ndarray, treated_rows: np.ndarray, donor_rows: np.ndarray, start_pos: int
) -> CoreFit:
    controls, treated = outcome[donor_rows], outcome[treated_rows]
    result = sdid.fit_sdid(controls, treated, start_pos)
    return CoreFit(
        weights=result.omega,
        observed=treated.mean(axis=0),
        synthetic=result.synthetic,
        predictor_labels=(),
        predictor_values=np.empty((0, 1 + donor_rows.size)),
        balance_weights=result.omega,
        time_weights=result.time_weights,
        details={"zeta_omega": result.zeta_omega, "zeta_lambda": result.zeta_lambda},
    )
