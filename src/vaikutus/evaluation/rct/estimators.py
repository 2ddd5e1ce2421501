"""Trial estimators: Lin's covariate-adjusted ITT, 2SLS complier effect, randomisation inference.

* :func:`lin_itt` is Lin (2013): OLS of the outcome on assignment, centred covariates (and stratum
  dummies) and their interactions with assignment, with HC2 standard errors (CR1 by cluster in a
  cluster design), fitted with statsmodels.
* :func:`lin_batch` computes the same estimate (and HC2 / CR1 error) for many assignments at once
  with numpy. The interacted regression splits into one regression per arm, so the effect is the
  difference of the two arms' intercepts on covariates centred at the overall mean. Randomisation
  inference and simulation need thousands of fits; a statsmodels loop would take minutes.
  Tests check it against :func:`lin_itt`.
* :func:`complier_effect` is just-identified 2SLS (assignment instruments take-up) with HC1 or
  cluster-robust errors, written out because linearmodels is not a dependency and statsmodels'
  ``IV2SLS`` (sandbox) gives only non-robust errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from vaikutus.evaluation.rct.randomise import group_codes, permutation_draws, require_columns


@dataclass(frozen=True)
class Estimate:
    """One effect with its robust standard error, normal-theory 95 % interval and p-value."""

    estimate: float
    std_error: float
    p_value: float
    n: int
    n_treated: int
    n_control: int
    control_mean: float

    @property
    def ci_low(self) -> float:
        return self.estimate - stats.norm.ppf(0.975) * self.std_error

    @property
    def ci_high(self) -> float:
        return self.estimate + stats.norm.ppf(0.975) * self.std_error

    def to_dict(self) -> dict[str, float]:
        return {**asdict(self), "ci_low": self.ci_low, "ci_high": self.ci_high}


def covariate_matrix(
    data: pd.DataFrame, covariates: Sequence[str], strata: Sequence[str] = ()
) -> pd.DataFrame:
    """Covariates and stratum dummies, centred at their means (text columns become dummies)."""
    require_columns(data, [*covariates, *strata])
    parts = []
    for column in covariates:
        values = data[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(values.astype(float).rename(column))
        else:
            parts.append(pd.get_dummies(values, prefix=column, drop_first=True, dtype=float))
    if strata:
        stratum = pd.Series(group_codes(data, strata), index=data.index)
        parts.append(pd.get_dummies(stratum, prefix="stratum", drop_first=True, dtype=float))
    if not parts:
        return pd.DataFrame(index=data.index)
    matrix = pd.concat(parts, axis=1)
    matrix = matrix.loc[:, matrix.std() > 0]
    return matrix - matrix.mean()


def lin_itt(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: Sequence[str] = (),
    strata: Sequence[str] = (),
    cluster: str | None = None,
) -> Estimate:
    """Lin's ITT estimate on the rows with an observed outcome."""
    analysed = analysed_rows(data, outcome, treatment)
    treated = analysed[treatment].to_numpy(float)
    check_arms_within(analysed, treatment, strata, outcome)
    x = covariate_matrix(analysed, covariates, strata)
    design = pd.concat(
        [
            pd.Series(1.0, index=analysed.index, name="const"),
            pd.Series(treated, index=analysed.index, name="treatment"),
            x,
            x.mul(treated, axis=0).add_prefix("treatment:"),
        ],
        axis=1,
    )
    model = sm.OLS(analysed[outcome].to_numpy(float), design)
    if cluster:
        require_columns(analysed, [cluster])
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(analysed[cluster])[0]})
    else:
        fit = model.fit(cov_type="HC2")
    return _estimate(fit.params["treatment"], fit.bse["treatment"], analysed[outcome], treated)


def _estimate(estimate: float, se: float, outcome: pd.Series, treated: np.ndarray) -> Estimate:
    return Estimate(
        estimate=float(estimate),
        std_error=float(se),
        p_value=float(2 * stats.norm.sf(abs(estimate / se))),
        n=len(outcome),
        n_treated=int(treated.sum()),
        n_control=int(len(treated) - treated.sum()),
        control_mean=float(outcome[treated == 0].mean()),
    )


def analysed_rows(data: pd.DataFrame, outcome: str, treatment: str) -> pd.DataFrame:
    """Rows with an observed outcome; checks that assignment is coded 0/1."""
    if outcome not in data.columns or treatment not in data.columns:
        missing = [c for c in (outcome, treatment) if c not in data.columns]
        raise ValueError(f"missing column(s) {missing}; the data have {list(data.columns)}")
    codes = set(pd.unique(data[treatment].dropna()))
    if not codes <= {0, 1} or data[treatment].isna().any():
        raise ValueError(
            f"column {treatment!r} must be 0 (control) or 1 (service) for every row, "
            f"found {sorted(codes, key=str)[:5]}"
        )
    if not pd.api.types.is_numeric_dtype(data[outcome]) and not pd.api.types.is_bool_dtype(
        data[outcome]
    ):
        raise ValueError(f"outcome column {outcome!r} must be numeric or true/false")
    analysed = data.loc[data[outcome].notna()]
    if analysed[treatment].nunique() < 2:
        raise ValueError(f"outcome {outcome!r} is observed in only one arm")
    return analysed


def check_arms_within(
    data: pd.DataFrame, treatment: str, strata: Sequence[str], outcome: str
) -> None:
    """Stratum adjustment needs both arms in every stratum among those analysed."""
    if not strata:
        return
    arms = data.groupby(list(strata))[treatment].nunique()
    lonely = arms[arms < 2]
    if len(lonely):
        raise ValueError(
            f"outcome {outcome!r}: stratum {lonely.index[0]} has only one arm among persons "
            "with an outcome; merge small strata in the study file's [rct] strata"
        )


def lin_batch(
    y: np.ndarray,
    treated: np.ndarray,
    x: np.ndarray,
    clusters: np.ndarray | None = None,
    *,
    with_se: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Lin's estimate (and HC2, or CR1 by ``clusters``, error) for each row of ``treated``.

    ``y``: (n,) or (rows, n); ``treated``: (rows, n) booleans; ``x``: (n, k) or (rows, n, k)
    covariates centred at the full-sample mean of each row; ``clusters``: cluster codes 0..C-1 of
    shape (n,) or (rows, n), every code present in every row. Returns arrays of length rows.
    """
    rows, n = treated.shape
    y = np.broadcast_to(y, (rows, n)).astype(float)
    z = np.concatenate([np.ones(x.shape[:-1] + (1,)), x], axis=-1)
    estimate = np.zeros(rows)
    variance = np.zeros(rows)
    for sign, mask in ((1.0, treated.astype(float)), (-1.0, 1.0 - treated)):
        inverse = np.linalg.pinv(_weighted_gram(mask, z), hermitian=True)
        coef = (inverse @ _weighted_sum(mask * y, z)[..., None])[..., 0]
        estimate += sign * coef[:, 0]
        if not with_se:
            continue
        resid = (y - (z @ coef[..., None])[..., 0]) * mask
        if clusters is None:
            leverage = ((z @ inverse) * z).sum(axis=-1) * mask
            # a unit fitted exactly (leverage 1, e.g. alone in its stratum and arm) adds nothing
            fitted_exactly = leverage > 1 - 1e-9
            meat = _weighted_gram(resid**2 / np.where(fitted_exactly, 1, 1 - leverage), z)
        else:
            scores = _cluster_sums(resid[..., None] * z, clusters)
            meat = scores.transpose(0, 2, 1) @ scores
        variance += (inverse @ meat @ inverse)[:, 0, 0]
    if not with_se:
        return estimate, None
    if clusters is not None:
        groups = int(np.max(clusters)) + 1
        params = 2 * z.shape[-1]
        variance *= groups / (groups - 1) * (n - 1) / (n - params)
    return estimate, np.sqrt(variance)


def _weighted_gram(weights: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``sum_i w_ri z_i z_i'`` for each row r; ``z`` is (n, K) shared or (rows, n, K)."""
    k = z.shape[-1]
    if z.ndim == 2:
        outer = (z[:, :, None] * z[:, None, :]).reshape(len(z), k * k)
        return (weights @ outer).reshape(-1, k, k)
    return (z * weights[..., None]).transpose(0, 2, 1) @ z


def _weighted_sum(weights: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``sum_i w_ri z_i`` for each row r."""
    return weights @ z if z.ndim == 2 else np.einsum("rn,rnk->rk", weights, z)


def _cluster_sums(values: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Sum (rows, n, k) values by cluster codes 0..C-1, shape (n,) or (rows, n) -> (rows, C, k)."""
    rows, n, k = values.shape
    codes = np.broadcast_to(clusters, (rows, n))
    count = int(codes.max()) + 1
    flat = (codes + count * np.arange(rows)[:, None]).ravel()
    sums = np.stack(
        [np.bincount(flat, values[..., j].ravel(), rows * count) for j in range(k)], axis=-1
    )
    return sums.reshape(rows, count, k)


def randomisation_test(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: Sequence[str] = (),
    strata: Sequence[str] = (),
    cluster: str | None = None,
    *,
    groups: Sequence[str] | None = None,
    draws: int,
    seed: int,
) -> tuple[float, np.ndarray]:
    """Two-sided randomisation p-value of Lin's estimate under the sharp null of no effect.

    Assignment is re-drawn as the design drew it: within ``groups`` (strata, or strata and
    on-arrival blocks; default ``strata``), keeping the observed number assigned in each; in a
    cluster design whole clusters are re-assigned. Returns the
    p-value ``(1 + #{|draw| >= |observed|}) / (1 + draws)`` and the draws.
    """
    analysed = analysed_rows(data, outcome, treatment)
    treated = analysed[treatment].to_numpy(bool)
    x = covariate_matrix(analysed, covariates, strata).to_numpy(float)
    y = analysed[outcome].to_numpy(float)
    rng = np.random.default_rng(seed)
    codes = group_codes(analysed, strata if groups is None else groups)
    if cluster:
        cluster_index, labels = pd.factorize(analysed[cluster])
        first = pd.Series(np.arange(len(analysed))).groupby(cluster_index).first().to_numpy()
        cluster_draws = permutation_draws(codes[first], treated[first], draws, rng)
        redrawn = cluster_draws[:, cluster_index]
    else:
        redrawn = permutation_draws(codes, treated, draws, rng)
    observed = lin_batch(y, treated[None, :], x, with_se=False)[0][0]
    null = np.concatenate(
        [
            lin_batch(y, chunk, x, with_se=False)[0]
            for chunk in np.array_split(redrawn, max(1, draws // 500))
        ]
    )
    p_value = (1 + np.sum(np.abs(null) >= abs(observed) - 1e-12)) / (1 + draws)
    return float(p_value), null


def complier_effect(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    take_up: str,
    covariates: Sequence[str] = (),
    strata: Sequence[str] = (),
    cluster: str | None = None,
) -> tuple[Estimate, float]:
    """2SLS effect of receiving the service on compliers, and the first-stage F statistic."""
    analysed = analysed_rows(data, outcome, treatment)
    require_columns(analysed, [take_up])
    received = analysed[take_up].astype(float).to_numpy()
    assigned = analysed[treatment].to_numpy(float)
    w = np.column_stack(
        [np.ones(len(analysed)), covariate_matrix(analysed, covariates, strata).to_numpy(float)]
    )
    x = np.column_stack([received, w])
    z = np.column_stack([assigned, w])
    y = analysed[outcome].to_numpy(float)
    groups = pd.factorize(analysed[cluster])[0] if cluster else None
    beta, cov = _iv_fit(y, x, z, groups)
    first_beta, first_cov = _iv_fit(received, z, z, groups)
    if abs(first_beta[0]) < 1e-12:
        raise ValueError(f"take-up column {take_up!r} is the same in both arms; no complier effect")
    first_f = float(first_beta[0] ** 2 / first_cov[0, 0])
    return _estimate(beta[0], np.sqrt(cov[0, 0]), analysed[outcome], assigned), first_f


def _iv_fit(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, groups: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Just-identified IV ``(Z'X)^-1 Z'y`` with HC1 or CR1 sandwich covariance."""
    n, k = x.shape
    bread = np.linalg.inv(z.T @ x)
    beta = bread @ (z.T @ y)
    scores = z * (y - x @ beta)[:, None]
    if groups is None:
        meat = scores.T @ scores * n / (n - k)
    else:
        sums = _cluster_sums(scores[None], groups)[0]
        count = len(sums)
        meat = sums.T @ sums * count / (count - 1) * (n - 1) / (n - k)
    return beta, bread @ meat @ bread.T


def subgroup_effects(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    subgroup: str,
    covariates: Sequence[str] = (),
    strata: Sequence[str] = (),
    cluster: str | None = None,
) -> tuple[pd.DataFrame, float]:
    """Lin's ITT within each level of ``subgroup`` and the p-value of equal effects across levels.

    The heterogeneity test is a Wald test of the assignment-by-subgroup interactions in one
    regression with subgroup dummies and centred covariates (HC2, or by cluster).
    """
    analysed = analysed_rows(data, outcome, treatment)
    require_columns(analysed, [subgroup])
    rows = []
    for level, part in analysed.groupby(subgroup, sort=True):
        effect = lin_itt(part, outcome, treatment, covariates, (), cluster)
        rows.append({"subgroup": subgroup, "level": str(level), **effect.to_dict()})
    levels = pd.get_dummies(
        analysed[subgroup].astype(str), prefix=subgroup, drop_first=True, dtype=float
    )
    treated = analysed[treatment].astype(float)
    x = covariate_matrix(analysed, covariates, strata)
    design = pd.concat(
        [
            pd.Series(1.0, index=analysed.index, name="const"),
            treated.rename("treatment"),
            levels,
            x,
            levels.mul(treated, axis=0).add_prefix("treatment:"),
        ],
        axis=1,
    )
    model = sm.OLS(analysed[outcome].astype(float), design)
    fit = (
        model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(analysed[cluster])[0]})
        if cluster
        else model.fit(cov_type="HC2")
    )
    interactions = [
        c
        for c in design.columns
        if c.startswith("treatment:") and c[len("treatment:") :] in levels.columns
    ]
    restriction = np.zeros((len(interactions), design.shape[1]))
    for row, name in enumerate(interactions):
        restriction[row, design.columns.get_loc(name)] = 1.0
    test = fit.wald_test(restriction, use_f=False, scalar=True)
    return pd.DataFrame(rows), float(test.pvalue)
