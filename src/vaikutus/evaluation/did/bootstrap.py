"""Multiplier bootstrap on influence functions: bootstrap SEs and sup-t uniform bands.

Follows R ``did``'s ``mboot``: each draw multiplies every unit's influence function by one random
weight (Mammen's two-point weights by default, or Rademacher), so the bootstrap is clustered at
the unit level. Standard errors are the IQR of the draws divided by the normal IQR, and the
uniform band's critical value is the 1 - alpha quantile of max_j |draw_j / se_j| (type-1
quantiles, as R). Draws are generated in chunks from one seeded generator, so a seed reproduces
the same weights for the group-time ATTs and for every aggregation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

WEIGHT_KINDS = ("mammen", "rademacher")
_DEGENERATE = np.sqrt(np.finfo(float).eps) * 10  # did's threshold for a zero influence function
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class BootstrapSpec:
    """How to draw: number of draws, weight distribution and the seed that fixes them."""

    draws: int
    weights: str
    seed: int

    def __post_init__(self) -> None:
        if self.weights not in WEIGHT_KINDS:
            raise ValueError(
                f"bootstrap weights must be one of {WEIGHT_KINDS}; got {self.weights!r}"
            )
        if self.draws < 2:
            raise ValueError(f"bootstrap must be at least 2 draws (or None); got {self.draws}")


@dataclass(frozen=True)
class BootstrapResult:
    se: np.ndarray
    critical_value: float


def multiplier_bootstrap(
    influence: np.ndarray, spec: BootstrapSpec, alpha: float
) -> BootstrapResult:
    """Bootstrap SEs and the sup-t critical value for the columns of ``influence`` (units x k)."""
    n, k = influence.shape
    usable = np.isfinite(influence).all(axis=0) & ((influence**2).sum(axis=0) > _DEGENERATE)
    draws = _draw_statistics(influence[:, usable], spec)
    sigma = (_quantile(draws, 0.75) - _quantile(draws, 0.25)) / (norm.ppf(0.75) - norm.ppf(0.25))
    sigma = np.where(sigma > _DEGENERATE, sigma, np.nan)
    se = np.full(k, np.nan)
    se[usable] = sigma / np.sqrt(n)
    if not np.isfinite(sigma).any():
        return BootstrapResult(se=se, critical_value=np.nan)
    with np.errstate(invalid="ignore"):
        t_max = np.nanmax(np.abs(draws[:, np.isfinite(sigma)] / sigma[np.isfinite(sigma)]), axis=1)
    critical = float(_quantile(t_max[np.isfinite(t_max)][:, None], 1 - alpha)[0])
    return BootstrapResult(se=se, critical_value=critical)


def _draw_statistics(influence: np.ndarray, spec: BootstrapSpec) -> np.ndarray:
    """sqrt(n) * mean_i(V_bi * IF_i) for every draw b: a (draws, k) array."""
    n = influence.shape[0]
    rng = np.random.default_rng(spec.seed)
    chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    out = np.empty((spec.draws, influence.shape[1]))
    for start in range(0, spec.draws, chunk):
        size = min(chunk, spec.draws - start)
        out[start : start + size] = _weights(rng, (size, n), spec.weights) @ influence / np.sqrt(n)
    return out


def _weights(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    if kind == "rademacher":
        return rng.integers(0, 2, size=shape) * 2.0 - 1.0
    root5 = np.sqrt(5.0)
    low = rng.random(shape) < (root5 + 1) / (2 * root5)
    return np.where(low, (1 - root5) / 2, (1 + root5) / 2)


def _quantile(values: np.ndarray, q: float) -> np.ndarray:
    """Column quantiles with R's type-1 (inverse empirical CDF) definition."""
    return np.quantile(values, q, axis=0, method="inverted_cdf")
