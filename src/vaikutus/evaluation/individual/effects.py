"""What every estimator hands back: effects per outcome with their joint sampling variance.

All four estimators are (asymptotically) linear in the units, so each can express its sampling
variance as ``V = U'U`` for a matrix ``U`` with one row per unit and one column per outcome: for
weighting estimators ``U`` is the influence function divided by n; for matching it holds the
Abadie-Imbens terms. Keeping that one representation means standard errors, the covariance of any
pair of outcomes (needed to carry uncertainty into cost-effectiveness sums) and subgroup effects
all come out of the same code whatever the method.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class RawEffects:
    """Estimates for k outcomes (arrays of length k) and the variance factor ``U`` (n x k)."""

    estimate: np.ndarray
    factors: np.ndarray
    n_treated: np.ndarray
    n_control: np.ndarray
    mean_treated: np.ndarray  # mean of Y(1) in the estimand's population
    mean_counterfactual: np.ndarray  # mean of Y(0) in the estimand's population

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.einsum("ij,ij->j", self.factors, self.factors))

    def covariance(self, columns: list[int]) -> np.ndarray:
        block = self.factors[:, columns]
        return block.T @ block


def observed(outcomes: np.ndarray) -> np.ndarray:
    """0/1 float mask of observed outcome cells."""
    return (~np.isnan(outcomes)).astype(float)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise ratio that is NaN (not an error) where nothing was observed."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )
