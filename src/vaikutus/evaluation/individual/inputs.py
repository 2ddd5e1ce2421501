"""Check and shape the tidy input of :func:`~vaikutus.evaluation.individual.estimate`.

One row per unit (a person, or a person-spell in a dynamic design); the treatment is a 0/1 column,
outcomes are numeric columns (missing = not observed, e.g. a month after the end of the data),
covariates are numeric, boolean or categorical. Categorical covariates are expanded to indicator
columns (first level dropped) so every estimator sees the same numeric design matrix. Errors name
the column and say what is wrong, because these frames come from study files and SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Inputs:
    """Arrays the estimators work on, plus the names needed to report them."""

    treated: np.ndarray  # bool (n,)
    outcomes: np.ndarray  # float (n, k), NaN = not observed
    outcome_names: tuple[str, ...]
    design: np.ndarray  # float (n, p): covariates, categoricals expanded, no intercept
    design_names: tuple[str, ...]
    covariate_frame: pd.DataFrame  # the covariates as given (for balance tables)

    @property
    def n(self) -> int:
        return len(self.treated)


def as_list(value: str | list[str] | tuple[str, ...] | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names = list(value)
    if not all(isinstance(v, str) for v in names):
        raise ValueError(f"{what} must be column names (strings); got {names!r}")
    return names


def prepare(
    data: pd.DataFrame,
    *,
    treatment: str,
    outcome: str | list[str],
    covariates: list[str],
) -> Inputs:
    """Validate ``data`` and build the arrays; raises ``ValueError`` naming the bad column."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    outcomes = as_list(outcome, "outcome")
    covariates = as_list(covariates, "covariates")
    if not outcomes:
        raise ValueError("at least one outcome column is required")
    if not covariates:
        raise ValueError("at least one covariate is required (selection on observables)")
    missing = [c for c in [treatment, *outcomes, *covariates] if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) not in the data: {', '.join(missing)}")
    overlap = sorted(set(covariates) & ({treatment} | set(outcomes)))
    if overlap:
        raise ValueError(f"column(s) {overlap} used both as covariate and treatment/outcome")

    treated = _treatment(data[treatment], treatment)
    y = np.column_stack([_numeric(data[c], c, allow_missing=True) for c in outcomes])
    frame = data[covariates].copy()
    design, names = design_matrix(frame)
    return Inputs(
        treated=treated,
        outcomes=y,
        outcome_names=tuple(outcomes),
        design=design,
        design_names=tuple(names),
        covariate_frame=frame.reset_index(drop=True),
    )


def design_matrix(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Numeric columns as they are; booleans as 0/1; other columns as indicators per level."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for column in frame.columns:
        values = frame[column]
        if values.isna().any():
            raise ValueError(
                f"covariate {column!r} has {int(values.isna().sum())} missing value(s); "
                "impute or drop them before estimating"
            )
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            blocks.append(values.to_numpy(dtype=float)[:, None])
            names.append(str(column))
            continue
        levels = sorted(values.astype(str).unique())
        if len(levels) < 2:
            raise ValueError(f"covariate {column!r} has a single level {levels!r}; drop it")
        codes = values.astype(str).to_numpy()
        for level in levels[1:]:
            blocks.append((codes == level).astype(float)[:, None])
            names.append(f"{column}={level}")
    matrix = np.hstack(blocks)
    constant = np.ptp(matrix, axis=0) == 0
    if constant.any():
        dropped = [n for n, c in zip(names, constant, strict=True) if c]
        raise ValueError(f"covariate column(s) {dropped} do not vary; drop them")
    return matrix, names


def _treatment(values: pd.Series, name: str) -> np.ndarray:
    if values.isna().any():
        raise ValueError(f"treatment {name!r} has {int(values.isna().sum())} missing value(s)")
    levels = set(pd.unique(values.astype(float)))
    if not levels <= {0.0, 1.0}:
        raise ValueError(
            f"treatment {name!r} must be 0/1 or boolean; found values {sorted(levels)}"
        )
    treated = values.to_numpy(dtype=float) == 1.0
    if treated.all() or not treated.any():
        raise ValueError(f"treatment {name!r} needs both treated (1) and untreated (0) units")
    return treated


def _numeric(values: pd.Series, name: str, *, allow_missing: bool) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise ValueError(f"outcome {name!r} must be numeric, got dtype {values.dtype}")
    array = values.to_numpy(dtype=float, na_value=np.nan)
    if not allow_missing and np.isnan(array).any():
        raise ValueError(f"outcome {name!r} has missing values")
    if np.isinf(array).any():
        raise ValueError(f"outcome {name!r} has infinite values")
    if np.isnan(array).all():
        raise ValueError(f"outcome {name!r} is missing for every row")
    return array
