"""Inverse probability weighting and doubly robust AIPW, for the ATT and the ATE.

Weights are normalised within each arm (Hajek), which keeps estimates inside the outcome's range
when some scores are extreme. The doubly robust estimators combine the logit score with linear
outcome regressions fitted on the comparison units (ATT; Moodie et al. 2018, the cross-section
form of Sant'Anna & Zhao 2020) or on each arm (ATE; Robins, Rotnitzky & Zhao 1994).

Standard errors come from the influence function *including the estimation of the nuisance
models*: the logit's score (stacked M-estimation) and, for AIPW, the OLS fits. That keeps IPW
honest (treating estimated scores as known makes its SE too large for the ATE and of unknown
direction for the ATT) and keeps AIPW valid when only one of its two models is right.

Outcomes may be missing (months beyond the end of the register): every sum runs over the units
whose outcome is observed, column by column, so one call handles 36 months x several outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vaikutus.evaluation.individual.effects import RawEffects, observed, ratio
from vaikutus.evaluation.individual.propensity import PropensityFit


@dataclass(frozen=True, eq=False)
class OutcomeRegression:
    """Linear outcome models of one arm, fitted column by column on the observed units."""

    prediction: np.ndarray  # (n, k)
    residual: np.ndarray  # (n, k): y - prediction on fitted units, 0 elsewhere
    fitted_units: np.ndarray  # (n, k) 0/1: which units fitted each column
    gram_inverse: list[np.ndarray] = field(repr=False)  # per column group
    column_group: np.ndarray = field(repr=False)  # (k,) index into gram_inverse


def fit_outcome_regression(
    regressors: np.ndarray, outcomes: np.ndarray, units: np.ndarray
) -> OutcomeRegression:
    """OLS of each outcome column on ``regressors`` over ``units`` with the outcome observed.

    Columns with the same observed pattern share one factorisation (the months of a dynamic
    design have one pattern per month, shared by all outcome families).
    """
    seen = observed(outcomes) * units[:, None]
    n, k = outcomes.shape
    prediction = np.zeros((n, k))
    residual = np.zeros((n, k))
    groups: dict[bytes, list[int]] = {}
    for j in range(k):
        groups.setdefault(np.packbits(seen[:, j].astype(bool)).tobytes(), []).append(j)
    gram_inverse, column_group = [], np.zeros(k, dtype=int)
    for g, columns in enumerate(groups.values()):
        rows = seen[:, columns[0]] > 0
        x = regressors[rows]
        inverse = np.linalg.pinv(x.T @ x)
        beta = inverse @ (x.T @ outcomes[np.ix_(rows, columns)])
        prediction[:, columns] = regressors @ beta
        residual[np.ix_(rows, columns)] = outcomes[np.ix_(rows, columns)] - x @ beta
        gram_inverse.append(inverse)
        column_group[columns] = g
    return OutcomeRegression(prediction, residual, seen, gram_inverse, column_group)


def _regression_correction(
    model: OutcomeRegression, regressors: np.ndarray, gradient: np.ndarray
) -> np.ndarray:
    """Influence of the OLS fit on an estimate whose derivative w.r.t. the coefficients is
    ``gradient`` (p x k): row i = x_i e_i' (X'X)^-1 gradient, for units in the fit."""
    correction = np.zeros_like(model.residual)
    for g, inverse in enumerate(model.gram_inverse):
        columns = np.flatnonzero(model.column_group == g)
        direction = inverse @ gradient[:, columns]  # p x c
        correction[:, columns] = (regressors @ direction) * model.residual[:, columns]
    return correction


@dataclass(frozen=True, eq=False)
class WeightingFit:
    """A fitted IPW or AIPW estimator; ``effects(subset)`` evaluates it on any subset of units."""

    method: str  # "ipw" or "aipw"
    estimand: str  # "att" or "ate"
    treated: np.ndarray
    outcomes: np.ndarray
    propensity: PropensityFit
    kept: np.ndarray
    control_model: OutcomeRegression | None
    treated_model: OutcomeRegression | None

    def unit_weights(self) -> np.ndarray:
        """Balancing weights of the kept units (treated 1 for the ATT), for balance tables."""
        e, d = self.propensity.score, self.treated
        if self.estimand == "att":
            w = np.where(d, 1.0, e / (1 - e))
        else:
            w = np.where(d, 1 / e, 1 / (1 - e))
        return w * self.kept

    def effects(self, subset: np.ndarray | None = None) -> RawEffects:
        units = self.kept if subset is None else self.kept & subset
        if self.estimand == "att":
            return self._att(units)
        return self._ate(units)

    # -- ATT ------------------------------------------------------------------------------------
    def _att(self, units: np.ndarray) -> RawEffects:
        d, e = self.treated, self.propensity.score
        seen = observed(self.outcomes)
        y = np.nan_to_num(self.outcomes)
        base = y - self.control_model.prediction if self.control_model is not None else y
        a = (d & units)[:, None] * seen
        w = ((~d & units) * e / (1 - e))[:, None] * seen
        n1, w0 = a.sum(axis=0), w.sum(axis=0)
        mean1 = ratio((a * base).sum(axis=0), n1)
        mean0 = ratio((w * base).sum(axis=0), w0)
        estimate = mean1 - mean0
        psi = a * (base - mean1) / n1 - w * (base - mean0) / w0
        # d w / d index = w (odds derivative); the estimate moves by -sum(w x (base - mean0)) / w0
        gradient_b = -self.propensity.regressors.T @ (w * (base - mean0)) / w0
        factors = psi + self.propensity.linearised_estimation_error(d) @ gradient_b / len(d)
        if self.control_model is not None:
            x = self.propensity.regressors
            gradient_g = -(x.T @ a) / n1 + (x.T @ w) / w0  # d estimate / d OLS coefficients
            factors += _regression_correction(self.control_model, x, gradient_g)
        y_treated = ratio((a * y).sum(axis=0), n1)
        return RawEffects(
            estimate=estimate,
            factors=np.nan_to_num(factors),
            n_treated=n1,
            n_control=(w > 0).sum(axis=0).astype(float),
            mean_treated=y_treated,
            mean_counterfactual=y_treated - estimate,
        )

    # -- ATE ------------------------------------------------------------------------------------
    def _ate(self, units: np.ndarray) -> RawEffects:
        d, e = self.treated, self.propensity.score
        seen = observed(self.outcomes)
        y = np.nan_to_num(self.outcomes)
        x = self.propensity.regressors
        inside = units[:, None] * seen
        a = (d & units)[:, None] * seen / e[:, None]
        b = (~d & units)[:, None] * seen / (1 - e)[:, None]
        s1, s0 = a.sum(axis=0), b.sum(axis=0)
        if self.method == "ipw":
            m1 = m0 = np.zeros_like(y)
        else:
            m1, m0 = self.treated_model.prediction, self.control_model.prediction
        n_in = inside.sum(axis=0)
        reg1 = ratio((inside * m1).sum(axis=0), n_in)
        reg0 = ratio((inside * m0).sum(axis=0), n_in)
        mean1 = reg1 + ratio((a * (y - m1)).sum(axis=0), s1)
        mean0 = reg0 + ratio((b * (y - m0)).sum(axis=0), s0)
        estimate = mean1 - mean0
        r1 = y - m1 - (mean1 - reg1)
        r0 = y - m0 - (mean0 - reg0)
        psi = a * r1 / s1 - b * r0 / s0
        if self.method == "aipw":
            psi += inside * ((m1 - reg1) - (m0 - reg0)) / n_in
        # d(1/e)/d index = -(1-e)/e ; d(1/(1-e))/d index = e/(1-e)
        slope = -(a * r1 * (1 - e)[:, None]) / s1 - (b * r0 * e[:, None]) / s0
        factors = psi + self.propensity.linearised_estimation_error(d) @ (x.T @ slope) / len(d)
        if self.method == "aipw":
            gradient1 = (x.T @ inside) / n_in - (x.T @ a) / s1
            gradient0 = -(x.T @ inside) / n_in + (x.T @ b) / s0
            factors += _regression_correction(self.treated_model, x, gradient1)
            factors += _regression_correction(self.control_model, x, gradient0)
        return RawEffects(
            estimate=estimate,
            factors=np.nan_to_num(factors),
            n_treated=(a > 0).sum(axis=0).astype(float),
            n_control=(b > 0).sum(axis=0).astype(float),
            mean_treated=mean1,
            mean_counterfactual=mean0,
        )


def fit_weighting(
    method: str,
    estimand: str,
    treated: np.ndarray,
    outcomes: np.ndarray,
    propensity: PropensityFit,
    kept: np.ndarray,
) -> WeightingFit:
    """Prepare IPW (``method="ipw"``) or AIPW (``"aipw"``); AIPW fits its outcome regressions."""
    control_model = treated_model = None
    if method == "aipw":
        x = propensity.regressors
        control_model = fit_outcome_regression(x, outcomes, kept & ~treated)
        if estimand == "ate":
            treated_model = fit_outcome_regression(x, outcomes, kept & treated)
    return WeightingFit(
        method=method,
        estimand=estimand,
        treated=treated,
        outcomes=outcomes,
        propensity=propensity,
        kept=kept,
        control_model=control_model,
        treated_model=treated_model,
    )
