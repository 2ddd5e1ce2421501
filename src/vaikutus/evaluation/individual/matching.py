"""Nearest-neighbour propensity-score matching with Abadie-Imbens standard errors.

Each focal unit (treated units for the ATT, every unit for the ATE) is matched with replacement
to its ``M`` nearest units of the other arm on the logit of the propensity score, optionally only
within exact strata (e.g. the calendar month of entry in a dynamic design) and within a caliper
(in standard deviations of the logit score; Austin 2011 recommends 0.2). Focal units with no match
inside the caliper are dropped and counted. Neighbour search uses scikit-learn's KD-tree.

Variance: Abadie & Imbens (2006), the *population* ATT/ATE variance with the conditional outcome
variances estimated by matching each unit to its J nearest units of its own arm:
``sigma2_i = J/(J+1) (Y_i - mean of its J neighbours)^2``. With ``K_j`` the total weight unit j
receives as a match and ``Q_j`` the sum of its squared weights, the variance is the spread of the
unit-level effects plus ``sum_j ((c_j + K_j)^2 - c_j^2 - Q_j) sigma2_j / N^2`` (c_j = 1 if j is
itself focal). With weights 1/M this is exactly AI's ``K(K-1)/M^2`` (ATT) and
``(K/M)^2 + (2M-1)/M * K/M`` (ATE) term; the weight form also covers matches lost to a caliper.
The score is treated as known: the Abadie & Imbens (2016) correction for an estimated score is not
implemented (it makes ATE intervals narrower, so they are conservative here; for the ATT its sign
depends on the data) - the tests check coverage by simulation.

Optional bias adjustment (Abadie & Imbens 2011): imputed outcomes are corrected by a linear
regression of the outcome on the covariates in the matched-to arm,
``Y_j + mu(X_i) - mu(X_j)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from vaikutus.evaluation.individual.effects import RawEffects, ratio
from vaikutus.evaluation.individual.weighting import fit_outcome_regression


@dataclass(frozen=True, eq=False)
class MatchSet:
    """Who was matched to whom, and every unit's own-arm neighbours for the variance."""

    focal: np.ndarray  # indices of focal units that found at least one match
    weights: sparse.csr_matrix  # (n, n_focal): weight of unit j in focal i's imputation
    own_neighbours: np.ndarray  # (n, J) same-arm neighbours, -1 where none
    unmatched_focal: int  # focal units dropped because no match lay inside the caliper
    caliper_width: float | None  # on the logit-score scale


def find_matches(
    distance: np.ndarray,
    treated: np.ndarray,
    candidates: np.ndarray,
    *,
    estimand: str,
    neighbours: int,
    caliper: float | None,
    strata: np.ndarray | None,
    variance_neighbours: int,
) -> MatchSet:
    """Match within ``candidates`` (kept units) on ``distance``; see the module docstring."""
    n = len(distance)
    strata = np.zeros(n, dtype=np.int64) if strata is None else strata
    width = None if caliper is None else float(caliper) * float(np.std(distance[candidates]))
    rows, cols, vals = [], [], []
    focal: list[int] = []
    own = np.full((n, variance_neighbours), -1, dtype=np.int64)
    unmatched = 0
    for stratum in np.unique(strata[candidates]):
        members = np.flatnonzero(candidates & (strata == stratum))
        arms = {True: members[treated[members]], False: members[~treated[members]]}
        for arm, units in arms.items():
            if len(units) == 0:
                continue
            _own_neighbours(distance, units, own)
            if estimand == "att" and not arm:
                continue
            pool = arms[not arm]
            if len(pool) == 0:
                unmatched += len(units)
                continue
            k = min(neighbours, len(pool))
            tree = NearestNeighbors(n_neighbors=k).fit(distance[pool, None])
            gap, position = tree.kneighbors(distance[units, None])
            inside = np.ones_like(gap, dtype=bool) if width is None else gap <= width
            count = inside.sum(axis=1)
            unmatched += int((count == 0).sum())
            for row in np.flatnonzero(count):
                i = len(focal)
                focal.append(int(units[row]))
                chosen = pool[position[row][inside[row]]]
                rows.extend(chosen.tolist())
                cols.extend([i] * len(chosen))
                vals.extend([1.0 / len(chosen)] * len(chosen))
    if not focal:
        raise ValueError("no unit found a match: widen the caliper or check the exact strata")
    weights = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(focal)))
    return MatchSet(
        focal=np.asarray(focal),
        weights=weights,
        own_neighbours=own,
        unmatched_focal=unmatched,
        caliper_width=width,
    )


def _own_neighbours(distance: np.ndarray, units: np.ndarray, own: np.ndarray) -> None:
    """Fill ``own[units]`` with each unit's nearest other units of the same arm and stratum."""
    j = own.shape[1]
    k = min(j + 1, len(units))
    if k < 2:
        return
    _, position = (
        NearestNeighbors(n_neighbors=k).fit(distance[units, None]).kneighbors(distance[units, None])
    )
    neighbour = units[position]
    for row, unit in enumerate(units):
        others = neighbour[row][neighbour[row] != unit][:j]
        own[unit, : len(others)] = others


@dataclass(frozen=True, eq=False)
class MatchingFit:
    """A matched sample; ``effects(subset)`` gives the ATT/ATE over focal units in ``subset``."""

    estimand: str
    treated: np.ndarray
    outcomes: np.ndarray
    matches: MatchSet
    adjustment: np.ndarray | None  # (n_focal, k) bias adjustment of the imputed outcome

    def unit_weights(self) -> np.ndarray:
        """Focal units weigh 1 each, matched units the total weight they receive."""
        n = len(self.treated)
        weight = np.zeros(n)
        weight[self.matches.focal] = 1.0 if self.estimand == "att" else 0.0
        weight += np.asarray(self.matches.weights.sum(axis=1)).ravel()
        if self.estimand == "ate":
            weight[self.matches.focal] += 1.0
        return weight

    def pair_differences(self, column: int = 0) -> np.ndarray:
        """Focal outcome minus its imputed counterpart (signed so positive = treatment helps)."""
        own, imputed, seen = self._imputed(column_slice=slice(column, column + 1))
        sign = np.where(self.treated[self.matches.focal], 1.0, -1.0)
        diff = sign * (own[:, 0] - imputed[:, 0])
        return diff[seen[:, 0] > 0]

    def _imputed(self, column_slice: slice = slice(None)):
        y = self.outcomes[:, column_slice]
        w = self.matches.weights
        missing = w.T @ np.isnan(y).astype(float)
        imputed = w.T @ np.nan_to_num(y)
        if self.adjustment is not None:
            imputed = imputed + self.adjustment[:, column_slice]
        own = y[self.matches.focal]
        seen = (missing == 0) & ~np.isnan(own)
        return np.nan_to_num(own), imputed, seen.astype(float)

    def effects(self, subset: np.ndarray | None = None) -> RawEffects:
        focal = self.matches.focal
        own, imputed, seen = self._imputed()
        if subset is not None:
            seen = seen * subset[focal][:, None]
        is_treated = self.treated[focal][:, None]
        y1 = np.where(is_treated, own, imputed)
        y0 = np.where(is_treated, imputed, own)
        n_focal = seen.sum(axis=0)
        estimate = ratio((seen * (y1 - y0)).sum(axis=0), n_focal)
        spread = seen * (y1 - y0 - estimate) / n_focal

        w = self.matches.weights
        received = w @ seen  # K_j per column
        squared = w.multiply(w) @ seen  # Q_j per column
        own_coef = np.zeros_like(received)
        own_coef[focal] = seen
        extra = np.clip((own_coef + received) ** 2 - own_coef**2 - squared, 0, None)
        residual = _own_arm_residuals(self.outcomes, self.matches.own_neighbours)
        matching_term = np.sqrt(extra) * residual / n_focal
        factors = np.vstack([np.nan_to_num(spread), np.nan_to_num(matching_term)])
        contributes = (received + own_coef) > 0
        return RawEffects(
            estimate=estimate,
            factors=factors,
            n_treated=(contributes & self.treated[:, None]).sum(axis=0).astype(float),
            n_control=(contributes & ~self.treated[:, None]).sum(axis=0).astype(float),
            mean_treated=ratio((seen * y1).sum(axis=0), n_focal),
            mean_counterfactual=ratio((seen * y0).sum(axis=0), n_focal),
        )


def _own_arm_residuals(outcomes: np.ndarray, own: np.ndarray) -> np.ndarray:
    """sqrt(J/(J+1)) (Y_j - mean of j's own-arm neighbours); 0 where not computable."""
    j = own.shape[1]
    total = np.zeros_like(outcomes)
    for column in range(j):
        total += outcomes[np.clip(own[:, column], 0, None)]
    residual = np.sqrt(j / (j + 1)) * (outcomes - total / j)
    residual[~(own >= 0).all(axis=1)] = 0.0
    return np.nan_to_num(residual)


def fit_matching(
    estimand: str,
    treated: np.ndarray,
    outcomes: np.ndarray,
    distance: np.ndarray,
    kept: np.ndarray,
    regressors: np.ndarray,
    *,
    neighbours: int,
    caliper: float | None,
    strata: np.ndarray | None,
    bias_adjust: bool,
    variance_neighbours: int = 1,
) -> MatchingFit:
    """Match and, if asked, fit the bias-adjustment regressions."""
    matches = find_matches(
        distance,
        treated,
        kept,
        estimand=estimand,
        neighbours=neighbours,
        caliper=caliper,
        strata=strata,
        variance_neighbours=variance_neighbours,
    )
    adjustment = None
    if bias_adjust:
        focal = matches.focal
        predictions = {
            arm: fit_outcome_regression(regressors, outcomes, kept & (treated == arm)).prediction
            for arm in (True, False)
        }
        # the imputed arm of focal i is the opposite of its own
        other = np.where(
            treated[focal][:, None], predictions[False][focal], predictions[True][focal]
        )
        matched_mean = np.where(
            treated[focal][:, None],
            matches.weights.T @ predictions[False],
            matches.weights.T @ predictions[True],
        )
        adjustment = other - matched_mean
    return MatchingFit(
        estimand=estimand,
        treated=treated,
        outcomes=outcomes,
        matches=matches,
        adjustment=adjustment,
    )
