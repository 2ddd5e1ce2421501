"""Covariate balance after assignment: a table of standardised differences and a 'love plot'.

Standardised difference = (mean with service - mean in control) / sqrt((var_t + var_c) / 2), the
scale of Austin (2009); |d| < 0.1 is the usual mark of good balance. Text columns are compared
level by level as shares. The joint test regresses assignment on all covariates (HC2 Wald test):
under randomisation its p-value is uniform, so a small value flags a problem, not a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from vaikutus.evaluation.rct.estimators import covariate_matrix
from vaikutus.evaluation.rct.randomise import require_columns


def balance_table(data: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> pd.DataFrame:
    """One row per covariate (or covariate level): arm means, standardised difference, p-value."""
    require_columns(data, [treatment])
    indicators = _indicators(data, covariates)
    treated = data[treatment].astype(bool).to_numpy()
    rows = []
    for name, values in indicators.items():
        with_service, control = values[treated].dropna(), values[~treated].dropna()
        spread = np.sqrt((with_service.var() + control.var()) / 2)
        rows.append(
            {
                "covariate": name,
                "mean_treatment": with_service.mean(),
                "mean_control": control.mean(),
                "std_difference": (with_service.mean() - control.mean()) / spread
                if spread > 0
                else 0.0,
                "variance_ratio": with_service.var() / control.var()
                if control.var() > 0
                else np.nan,
                "p_value": stats.ttest_ind(with_service, control, equal_var=False).pvalue,
            }
        )
    return pd.DataFrame(rows)


def joint_balance_pvalue(data: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> float:
    """p-value of the HC2 Wald test that no covariate predicts assignment."""
    complete = data.dropna(subset=list(covariates))
    design = sm.add_constant(covariate_matrix(complete, covariates), has_constant="add")
    fit = sm.OLS(complete[treatment].astype(float), design).fit(cov_type="HC2")
    restriction = np.eye(design.shape[1])[1:]
    return float(fit.wald_test(restriction, use_f=False, scalar=True).pvalue)


def _indicators(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in covariates if c not in data.columns]
    if missing:
        raise ValueError(f"balance covariate(s) {missing} not in the data {list(data.columns)}")
    parts = []
    for column in covariates:
        values = data[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(values.astype(float).rename(column))
        else:
            parts.append(
                pd.get_dummies(values.astype(str), prefix=column, prefix_sep="=", dtype=float)
            )
    return pd.concat(parts, axis=1)


def balance_figure(table: pd.DataFrame, title: str = "Covariate balance after assignment") -> Any:
    """Dot plot of standardised differences with the ±0.1 band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(table) + 1.4))
    ax.axvspan(-0.1, 0.1, color="#e6f2e6", label="|d| < 0.1")
    ax.axvline(0, color="#555", lw=0.8)
    ax.scatter(ordered["std_difference"], range(len(ordered)), color="#1f4e79", zorder=3)
    ax.set_yticks(range(len(ordered)), ordered["covariate"])
    limit = (
        max(0.25, float(np.nanmax(np.abs(table["std_difference"]))) * 1.2) if len(table) else 0.25
    )
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("standardised difference (service - control)")
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig
