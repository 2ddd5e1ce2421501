"""Accuracy and calibration of predicted probabilities: AUC, Brier score, calibration curve.

scikit-learn supplies AUC, Brier score and log loss. Two small additions it lacks: a standard error
for the AUC (Hanley & McNeil 1982, closed form, so the audit can give an interval for every group
without bootstrapping) and Wilson intervals for observed shares in calibration bins. Calibration
bins are quantiles of the predicted probability so that every bin holds about as many persons.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

Z95 = float(norm.ppf(0.975))


def auc_with_se(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """ROC AUC and its Hanley-McNeil standard error (NaN if only one class is present)."""
    y = np.asarray(y, dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return math.nan, math.nan
    auc = float(roc_auc_score(y, p))
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)
    ) / (positives * negatives)
    return auc, math.sqrt(max(variance, 0.0))


def wilson(successes: np.ndarray | float, n: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval of a share (NaN where n = 0)."""
    s, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = s / n
        centre = (share + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 / (1 + Z95**2 / n) * np.sqrt(share * (1 - share) / n + Z95**2 / (4 * n**2))
        # the clip only removes rounding residue at shares of exactly 0 or 1
        return np.minimum(centre - half, share), np.maximum(centre + half, share)


def performance(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Discrimination and calibration of predictions ``p`` for outcomes ``y`` (0/1)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    auc, se = auc_with_se(y, p)
    observed = float(y.mean())
    brier = float(brier_score_loss(y, p))
    reference = observed * (1 - observed)  # Brier score of predicting the observed share for all
    return {
        "n": len(y),
        "observed_rate": observed,
        "mean_predicted": float(p.mean()),
        "calibration_in_the_large": float(p.mean() - observed),
        "auc": auc,
        "auc_ci_low": auc - Z95 * se,
        "auc_ci_high": auc + Z95 * se,
        "brier": brier,
        "brier_skill": 1 - brier / reference if reference > 0 else math.nan,
        "log_loss": float(log_loss(y, np.clip(p, 1e-12, 1 - 1e-12), labels=[0, 1])),
    }


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Observed share against mean predicted probability in quantile bins, with Wilson intervals.

    The same content as ``sklearn.calibration.calibration_curve(strategy="quantile")`` plus the
    bin sizes and intervals a reader needs to judge the gaps.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    frame = (
        pd.DataFrame({"bin": which, "y": y, "p": p})
        .groupby("bin")
        .agg(
            n=("y", "size"),
            observed=("y", "mean"),
            mean_predicted=("p", "mean"),
            successes=("y", "sum"),
        )
    )
    low, high = wilson(frame["successes"].to_numpy(), frame["n"].to_numpy())
    frame["observed_ci_low"], frame["observed_ci_high"] = low, high
    return frame.drop(columns="successes").reset_index()


def error_rates(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    """False positive and false negative rates when ``p >= threshold`` means "likely to find work"."""
    y = np.asarray(y, dtype=bool)
    flagged = np.asarray(p) >= threshold
    negatives, positives = int((~y).sum()), int(y.sum())
    return {
        "fpr": float((flagged & ~y).sum() / negatives) if negatives else math.nan,
        "fnr": float((~flagged & y).sum() / positives) if positives else math.nan,
    }
