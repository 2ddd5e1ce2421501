"""Interval estimates of the package, vectorised over table rows.

* shares: Wilson score intervals (``statsmodels``), good for small counts and shares near 0 / 1;
* rates of events per population that are not proportions: exact Poisson (Garwood) intervals;
* means: normal intervals from exact sums and sums of squares (SQL decimals), t-quantile;
* medians: distribution-free order-statistic intervals - ranks n/2 -+ z*sqrt(n)/2 (Conover);
* time to event: the Kaplan-Meier estimator on monthly (discrete) time with Greenwood variance and
  log(-log) intervals. Hand-written because the input is already aggregated to events and
  censorings per month and group (thousands of groups at once), which ``statsmodels``'
  ``SurvfuncRight`` (one group of unit records per call) does not take;
* rankings: rank intervals by simulating each area's share from its Jeffreys posterior
  Beta(x + 1/2, n - x + 1/2) with a fixed seed (Goldstein & Spiegelhalter 1996 style);
* funnel plots: binomial control limits p0 -+ z*sqrt(p0 (1 - p0) / n) around the national share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint


def alpha_of(z: float) -> float:
    return float(2 * stats.norm.sf(z))


def wilson(successes, trials, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson interval of successes / trials (NaN where trials is 0 or missing)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    ok = (n > 0) & np.isfinite(x) & np.isfinite(n)
    lo, hi = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(x[ok], n[ok], alpha=alpha_of(z), method="wilson")
        # the interval contains x / n; rounding can put an end 1e-17 on the wrong side of 0 or 1
        share = x[ok] / n[ok]
        lo[ok], hi[ok] = np.minimum(lo[ok], share), np.maximum(hi[ok], share)
    return lo, hi


def poisson_rate(events, exposure, z: float, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of scale * events / exposure."""
    x = np.asarray(events, dtype=float)
    e = np.asarray(exposure, dtype=float)
    a = alpha_of(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, stats.chi2.ppf(a / 2, 2 * x) / 2, 0.0) / e * scale
        hi = stats.chi2.ppf(1 - a / 2, 2 * (x + 1)) / 2 / e * scale
    bad = ~(e > 0)
    lo[bad] = hi[bad] = np.nan
    return lo, hi


def mean_interval(total, total_sq, n, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and its t interval from the sum and sum of squares of n values."""
    s = np.asarray(total, dtype=float)
    s2 = np.asarray(total_sq, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        var = np.maximum(s2 - n * mean**2, 0.0) / (n - 1)
        q = stats.t.ppf(stats.norm.cdf(z), np.maximum(n - 1, 1))
        half = q * np.sqrt(var / n)
    half = np.where(n > 1, half, np.nan)
    return mean, mean - half, mean + half


def median_ranks(n, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-based ranks of the median and of its order-statistic interval among n sorted values."""
    n = np.asarray(n, dtype=float)
    half = z * np.sqrt(n) / 2
    mid = np.ceil(n / 2)
    lo = np.clip(np.floor(n / 2 - half), 1, None)
    hi = np.clip(np.ceil(n / 2 + half) + 1, None, n)
    return mid.astype(np.int64), lo.astype(np.int64), np.maximum(hi, 1).astype(np.int64)


def kaplan_meier(events: np.ndarray, censored: np.ndarray, z: float) -> dict[str, np.ndarray]:
    """Cumulative share reaching the event by each month, one row per group.

    ``events[g, k]``: persons whose first event was in month k; ``censored[g, k]``: persons
    without an event whose last observed month was k. Returns (G, K) arrays ``share``, ``low``,
    ``high``, ``at_risk`` and ``reached`` (events observed by month k).
    """
    events = np.asarray(events, dtype=float)
    censored = np.asarray(censored, dtype=float)
    total = events.sum(1, keepdims=True) + censored.sum(1, keepdims=True)
    left_before = np.cumsum(events + censored, axis=1) - (events + censored)
    at_risk = total - left_before
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = np.where(at_risk > 0, events / at_risk, 0.0)
        surv = np.cumprod(1 - hazard, axis=1)
        green = np.cumsum(np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0), axis=1)
        log_s = np.log(surv)
        se = np.sqrt(green) / np.abs(log_s)
        loglog = np.log(-log_s)
        s_low = np.exp(-np.exp(loglog + z * se))
        s_high = np.exp(-np.exp(loglog - z * se))
    s_low = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, s_low))
    s_high = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, s_high))
    return {"share": 1 - surv, "low": 1 - s_high, "high": 1 - s_low, "at_risk": at_risk,
            "reached": np.cumsum(events, axis=1)}


def median_time(share: np.ndarray) -> np.ndarray:
    """First month at which the cumulative share reaches one half (NaN if not within follow-up)."""
    reached = share >= 0.5
    first = reached.argmax(axis=1).astype(float)
    first[~reached.any(axis=1)] = np.nan
    return first


def rank_intervals(successes, trials, *, higher_is_first: bool, draws: int, z: float,
                   seed: int = 20260101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank (1 = first) of each share and the central interval of its simulated rank."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    rng = np.random.default_rng(seed)
    sims = rng.beta(x + 0.5, n - x + 0.5, size=(draws, len(x)))
    sign = -1.0 if higher_is_first else 1.0
    ranks = (sign * sims).argsort(axis=1).argsort(axis=1) + 1
    q = stats.norm.cdf(z)
    point = pd.Series(sign * x / n).rank(method="min").to_numpy()
    return point, np.quantile(ranks, 1 - q, axis=0, method="lower"), np.quantile(ranks, q, axis=0, method="higher")


def funnel_limits(p0: float, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Binomial control limits around p0 for denominators n (normal approximation)."""
    z = stats.norm.ppf(0.5 + level / 2)
    half = z * np.sqrt(p0 * (1 - p0) / np.asarray(n, dtype=float))
    return np.clip(p0 - half, 0, 1), np.clip(p0 + half, 0, 1)
