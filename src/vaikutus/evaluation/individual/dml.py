"""Double/debiased machine learning (Chernozhukov et al. 2018) through DoubleML's interactive
regression model (``DoubleMLIRM``, score ``"ATTE"`` or ``"ATE"``), with cross-fitting.

Learners are scikit-learn / LightGBM estimators chosen by name (``"lightgbm"``, ``"forest"``,
``"linear"``), single-threaded: on the shared 2-core machines this project runs on, LightGBM with
two OpenMP threads was 4-30 times slower than with one (busy-waiting threads descheduled). The propensity model is cross-fitted once and handed to DoubleML as an external
prediction for every outcome, with DoubleML using the same folds for the outcome models: a
36-month x 3-outcome design then refits only the outcome learners per column. For the ATT the
outcome model of the treated arm does not enter DoubleML's ATTE score, so it is not fitted (an
external placeholder of zeros is passed). Effects, standard errors and subgroup effects are read
from the orthogonal score elements ``psi_a``, ``psi_b``: theta = -sum(psi_b) / sum(psi_a), which
is what DoubleML reports for the full sample and extends to any subgroup.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from vaikutus.evaluation.individual.effects import RawEffects, ratio

LEARNERS = ("lightgbm", "forest", "linear")


def learners(name: str, seed: int):
    """(outcome regressor, propensity classifier) for a learner family."""
    if name == "lightgbm":
        from lightgbm import LGBMClassifier, LGBMRegressor

        options = dict(
            n_estimators=100,
            learning_rate=0.1,
            num_leaves=31,
            min_child_samples=50,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            random_state=seed,
            n_jobs=1,
            verbose=-1,
        )
        return LGBMRegressor(**options), LGBMClassifier(**options)
    if name == "forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        options = dict(
            n_estimators=200, min_samples_leaf=20, max_features="sqrt", n_jobs=1, random_state=seed
        )
        return RandomForestRegressor(**options), RandomForestClassifier(**options)
    if name == "linear":
        from sklearn.linear_model import LinearRegression, LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # newton-cholesky: lbfgs took seconds per fit here (see propensity.py)
        classifier = LogisticRegression(C=1e4, solver="newton-cholesky", max_iter=200)
        return LinearRegression(), make_pipeline(StandardScaler(), classifier)
    raise ValueError(f"learner must be one of {', '.join(LEARNERS)}; got {name!r}")


@dataclass(frozen=True, eq=False)
class DmlFit:
    """Score elements of every outcome column (n x k; zero where a unit was not used)."""

    estimand: str
    treated: np.ndarray
    outcomes: np.ndarray
    propensity: np.ndarray  # cross-fitted e(x)
    psi_a: np.ndarray
    psi_b: np.ndarray
    used: np.ndarray  # (n, k) bool
    learner: str
    folds: int
    trimming_threshold: float

    def unit_weights(self) -> np.ndarray:
        e, d = self.propensity, self.treated
        if self.estimand == "att":
            return np.where(d, 1.0, e / (1 - e))
        return np.where(d, 1 / e, 1 / (1 - e))

    def effects(self, subset: np.ndarray | None = None) -> RawEffects:
        inside = self.used if subset is None else self.used & subset[:, None]
        a = np.where(inside, self.psi_a, 0.0)
        b = np.where(inside, self.psi_b, 0.0)
        sum_a = a.sum(axis=0)  # negative: psi_a = -d / P(d) for the ATTE, -1 for the ATE
        estimate = ratio(b.sum(axis=0), -sum_a)
        psi = a * estimate + b
        factors = psi / np.where(sum_a != 0, np.abs(sum_a), 1.0)
        d = self.treated[:, None]
        y = np.nan_to_num(self.outcomes)
        n_treated = (inside & d).sum(axis=0)
        if self.estimand == "att":
            mean_treated = ratio(np.where(inside & d, y, 0.0).sum(axis=0), n_treated)
        else:  # DoubleML's ATE score does not split into arm means; left unreported
            mean_treated = np.full(len(estimate), np.nan)
        return RawEffects(
            estimate=estimate,
            factors=np.nan_to_num(factors),
            n_treated=n_treated.astype(float),
            n_control=(inside & ~d).sum(axis=0).astype(float),
            mean_treated=mean_treated,
            mean_counterfactual=mean_treated - estimate,
        )


def fit_dml(
    estimand: str,
    treated: np.ndarray,
    outcomes: np.ndarray,
    design: np.ndarray,
    kept: np.ndarray,
    *,
    learner: str = "lightgbm",
    folds: int = 5,
    seed: int = 0,
    trimming_threshold: float = 0.01,
) -> DmlFit:
    """Cross-fit the propensity once, then one DoubleMLIRM per outcome column."""
    import doubleml

    regressor, classifier = learners(learner, seed)
    rows = np.flatnonzero(kept)
    x, d = design[rows], treated[rows].astype(float)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold_of = np.zeros(len(rows), dtype=int)
    propensity = np.zeros(len(rows))
    for fold, (train, test) in enumerate(splitter.split(x, d)):
        fold_of[test] = fold
        model = clone(classifier).fit(x[train], d[train])
        propensity[test] = model.predict_proba(x[test])[:, 1]

    n, k = outcomes.shape
    psi_a, psi_b = np.zeros((n, k)), np.zeros((n, k))
    used = np.zeros((n, k), dtype=bool)
    score = "ATTE" if estimand == "att" else "ATE"
    for column in range(k):
        seen = ~np.isnan(outcomes[rows, column])
        local = np.flatnonzero(seen)
        data = doubleml.DoubleMLData.from_arrays(x[local], outcomes[rows[local], column], d[local])
        model = doubleml.DoubleMLIRM(
            data,
            ml_g=clone(regressor),
            ml_m=clone(classifier),
            n_folds=folds,
            score=score,
            normalize_ipw=True,
            trimming_threshold=trimming_threshold,
            draw_sample_splitting=False,
        )
        fold_local = fold_of[local]
        model.set_sample_splitting(
            [
                [
                    (np.flatnonzero(fold_local != f), np.flatnonzero(fold_local == f))
                    for f in range(folds)
                ]
            ]
        )
        external = {"ml_m": propensity[local][:, None]}
        if score == "ATTE":
            external["ml_g1"] = np.zeros((len(local), 1))
        with warnings.catch_warnings():
            # 0/1 outcomes fitted with a regressor, and DoubleML's sensitivity-analysis element
            # nu2 (not used here): both warnings concern nothing this module reports
            warnings.filterwarnings("ignore", message=".*binary.*")
            warnings.filterwarnings("ignore", message=".*nu2.*")
            model.fit(external_predictions={"d": external})
        psi_a[rows[local], column] = model.psi_elements["psi_a"][:, 0, 0]
        psi_b[rows[local], column] = model.psi_elements["psi_b"][:, 0, 0]
        used[rows[local], column] = True
    full_propensity = np.full(n, np.nan)
    full_propensity[rows] = np.clip(propensity, trimming_threshold, 1 - trimming_threshold)
    return DmlFit(
        estimand=estimand,
        treated=treated,
        outcomes=outcomes,
        propensity=np.nan_to_num(full_propensity, nan=0.5),
        psi_a=psi_a,
        psi_b=psi_b,
        used=used,
        learner=learner,
        folds=folds,
        trimming_threshold=trimming_threshold,
    )
