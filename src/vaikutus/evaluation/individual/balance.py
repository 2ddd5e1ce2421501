"""Covariate balance before and after adjustment: standardised mean differences and variance
ratios, the numbers behind a love plot.

The SMD's denominator is the unadjusted pooled standard deviation
``sqrt((s_t^2 + s_c^2) / 2)`` in both columns (Austin 2009; the ``cobalt`` default), so a change
in the SMD reflects a change in the means, not in the yardstick. |SMD| < 0.1 is the usual
threshold for adequate balance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 0.1


def _weighted_moments(x: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    total = weight.sum()
    mean = (weight[:, None] * x).sum(axis=0) / total
    var = (weight[:, None] * (x - mean) ** 2).sum(axis=0) / total
    return mean, var


def balance_table(
    design: np.ndarray,
    names: tuple[str, ...],
    treated: np.ndarray,
    weights: np.ndarray,
) -> pd.DataFrame:
    """SMD and variance ratio of every design column, unadjusted and with ``weights``."""
    ones = np.ones(len(treated))
    mean_t0, var_t0 = _weighted_moments(design[treated], ones[treated])
    mean_c0, var_c0 = _weighted_moments(design[~treated], ones[~treated])
    pooled = np.sqrt((var_t0 + var_c0) / 2)
    pooled[pooled == 0] = 1.0
    w_t, w_c = weights[treated], weights[~treated]
    mean_t1, var_t1 = _weighted_moments(design[treated], w_t)
    mean_c1, var_c1 = _weighted_moments(design[~treated], w_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "covariate": list(names),
                "mean_treated": mean_t1,
                "mean_control_before": mean_c0,
                "mean_control_after": mean_c1,
                "smd_before": (mean_t0 - mean_c0) / pooled,
                "smd_after": (mean_t1 - mean_c1) / pooled,
                "variance_ratio_before": var_t0 / var_c0,
                "variance_ratio_after": var_t1 / var_c1,
            }
        )
