"""Sensitivity to unobserved confounding: E-values and Rosenbaum bounds.

* **E-value** (VanderWeele & Ding 2017): the minimum strength of association, on the risk-ratio
  scale, that an unmeasured confounder would need with both treatment and outcome to explain away
  the estimate (and, for ``e_value_ci``, to move the confidence limit nearest to no effect onto
  it). For a 0/1 outcome the risk ratio is the treated mean over the counterfactual mean; for
  other outcomes the standardised difference ``d = effect / sd`` is converted by
  ``RR ~ exp(0.91 d)`` (VanderWeele & Ding's approximation).
* **Rosenbaum bounds** for matched pairs (Rosenbaum 2002, ch. 4): the upper bound of the one-sided
  Wilcoxon signed-rank p-value when, within a pair, hidden bias may multiply the odds of treatment
  by up to Gamma. Normal approximation with average ranks for ties, zero differences dropped, as
  in R ``rbounds::psens``. With matching on replacement a comparison unit can sit in several pairs,
  which the bound ignores (as software commonly does); read it as indicative.

scipy has the signed-rank test but not its Gamma-bounded null distribution, hence these few lines.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

#: Gammas reported by default (1 = no hidden bias).
GAMMAS = (1.0, 1.1, 1.2, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0)


def e_value_from_ratio(rr: float) -> float:
    """E-value of a risk ratio (VanderWeele & Ding 2017, eq. 2); 1 for no effect."""
    if not math.isfinite(rr) or rr <= 0:
        return math.nan
    rr = rr if rr >= 1 else 1 / rr
    return rr + math.sqrt(rr * (rr - 1))


def e_values(
    estimate: float,
    ci: tuple[float, float],
    *,
    binary: bool,
    mean_treated: float,
    sd: float,
) -> tuple[float, float]:
    """(E-value of the estimate, E-value of the CI limit nearest to no effect)."""
    if not all(map(math.isfinite, (estimate, *ci))):
        return math.nan, math.nan
    if binary:
        if not math.isfinite(mean_treated):
            return math.nan, math.nan

        def to_ratio(effect: float) -> float:
            counterfactual = mean_treated - effect
            return mean_treated / counterfactual if counterfactual > 0 else math.inf

    else:
        if not (math.isfinite(sd) and sd > 0):
            return math.nan, math.nan

        def to_ratio(effect: float) -> float:
            return math.exp(0.91 * effect / sd)

    point = e_value_from_ratio(to_ratio(estimate))
    low, high = ci
    if low <= 0 <= high:
        return point, 1.0
    nearest = low if estimate > 0 else high
    return point, e_value_from_ratio(to_ratio(nearest))


def rosenbaum_bounds(
    differences: np.ndarray, gammas: tuple[float, ...] = GAMMAS, alpha: float = 0.05
) -> tuple[pd.DataFrame, float]:
    """Upper-bound p-values of the signed-rank test by Gamma, and the largest Gamma with p < alpha.

    ``differences`` are treated-minus-matched outcomes; the test is one-sided in the direction of
    their median (so a harmful effect is bounded the same way as a helpful one).
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d) & (d != 0)]
    if len(d) < 2:
        return pd.DataFrame(columns=["gamma", "p_upper", "p_lower"]), math.nan
    if np.median(d) < 0:
        d = -d
    ranks = rankdata(np.abs(d))
    statistic = ranks[d > 0].sum()
    rows = []
    for gamma in gammas:
        bounds = []
        for p in (gamma / (1 + gamma), 1 / (1 + gamma)):
            mean = p * ranks.sum()
            sd = math.sqrt(p * (1 - p) * (ranks**2).sum())
            bounds.append(float(norm.sf((statistic - mean) / sd)))
        rows.append({"gamma": gamma, "p_upper": bounds[0], "p_lower": bounds[1]})
    table = pd.DataFrame(rows)
    significant = table.loc[table["p_upper"] < alpha, "gamma"]
    critical = float(significant.max()) if len(significant) else math.nan
    return table, critical
