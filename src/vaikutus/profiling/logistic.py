"""The plain model beside the gradient boosting: a standardised, lightly penalised logistic regression.

Its design is deliberately readable: numbers as they are (earnings and elapsed days on a log1p
scale, age with a square term), yes/no as 0/1, each code as a 0/1 column against the first code.
Every column is standardised with the training mean and standard deviation, so a coefficient is
the change in log-odds for one standard deviation and a client's contribution from a column is
``coefficient x (value - mean) / sd`` - the explanation the caseworker view shows. scikit-learn
fits it; the parameters are kept as plain JSON (never a pickle) and prediction is three lines of
numpy, so a saved model reads back exactly and can be inspected by anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from vaikutus.profiling.features import Feature

#: Features whose long right tail is modelled on the log1p scale.
LOG_SCALE = ("earnings_12m", "earnings_24m", "elapsed_unemployment_days")
#: Inverse of the L2 penalty (scikit-learn's C); mild, it only tames sparse codes.
PENALTY_C = 1.0


@dataclass(frozen=True)
class LogisticModel:
    """Standardised logistic regression: ``logit p = intercept + sum(coef * (x - mean) / sd)``."""

    columns: tuple[str, ...]
    sources: tuple[str, ...]  # the feature each design column comes from
    mean: np.ndarray
    sd: np.ndarray
    coef: np.ndarray
    intercept: float

    def contributions(self, encoded: np.ndarray, features: tuple[Feature, ...]) -> np.ndarray:
        """Log-odds contribution of each design column for each row (rows x columns)."""
        return (design(encoded, features) - self.mean) / self.sd * self.coef

    def feature_contributions(
        self, encoded: np.ndarray, features: tuple[Feature, ...]
    ) -> np.ndarray:
        """Log-odds contribution of each feature (its design columns summed), rows x features."""
        terms = self.contributions(encoded, features)
        sources = np.asarray(self.sources)
        return np.column_stack([terms[:, sources == f.name].sum(axis=1) for f in features])

    def predict(self, encoded: np.ndarray, features: tuple[Feature, ...]) -> np.ndarray:
        return expit(self.intercept + self.contributions(encoded, features).sum(axis=1))

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "sources": list(self.sources),
            "mean": self.mean.tolist(),
            "sd": self.sd.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(
            columns=tuple(data["columns"]),
            sources=tuple(data["sources"]),
            mean=np.asarray(data["mean"], dtype=float),
            sd=np.asarray(data["sd"], dtype=float),
            coef=np.asarray(data["coef"], dtype=float),
            intercept=float(data["intercept"]),
        )


def design_columns(features: tuple[Feature, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the design columns and the feature each comes from."""
    names, sources = [], []
    for feature in features:
        if feature.kind == "category":
            extra = [f"{feature.name}={code}" for code in feature.categories[1:]]
        elif feature.name == "age":
            extra = ["age", "age_squared"]
        elif feature.name in LOG_SCALE:
            extra = [f"log1p_{feature.name}"]
        else:
            extra = [feature.name]
        names += extra
        sources += [feature.name] * len(extra)
    return tuple(names), tuple(sources)


def design(encoded: np.ndarray, features: tuple[Feature, ...]) -> np.ndarray:
    """Encoded features (see ``features.encode``) -> the unstandardised design matrix."""
    blocks = []
    for j, feature in enumerate(features):
        x = encoded[:, j]
        if feature.kind == "category":
            blocks.append(x[:, None] == np.arange(1, len(feature.categories))[None, :])
        elif feature.name == "age":
            blocks.append(np.column_stack([x, x**2 / 100]))
        elif feature.name in LOG_SCALE:
            blocks.append(np.log1p(x)[:, None])
        else:
            blocks.append(x[:, None])
    return np.column_stack(blocks).astype(float)


def fit_logistic(
    encoded: np.ndarray, y: np.ndarray, features: tuple[Feature, ...]
) -> LogisticModel:
    raw = design(encoded, features)
    mean = raw.mean(axis=0)
    sd = raw.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)  # a code absent from training data: its column stays 0
    fit = LogisticRegression(C=PENALTY_C, max_iter=2000).fit(
        (raw - mean) / sd, np.asarray(y, dtype=int)
    )
    columns, sources = design_columns(features)
    return LogisticModel(
        columns=columns,
        sources=sources,
        mean=mean,
        sd=sd,
        coef=fit.coef_[0].astype(float),
        intercept=float(fit.intercept_[0]),
    )
