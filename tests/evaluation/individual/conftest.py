"""Fixtures for the individual-level estimator tests: LaLonde's NSW/CPS data and simulations.

BLAS is limited to one thread for these tests: the estimators are matrix products on tens of
thousands of rows, and on the shared 2-core test machine multi-threaded BLAS ran them up to ten
times slower than a single thread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

#: Dehejia & Wahba (1999) covariates with squares and zero-earnings indicators.
LALONDE_COVARIATES = [
    "age",
    "age2",
    "educ",
    "educ2",
    "black",
    "hisp",
    "marr",
    "nodegree",
    "re74",
    "re742",
    "re75",
    "re752",
    "u74",
    "u75",
]


@pytest.fixture(scope="session", autouse=True)
def single_threaded_blas():
    with threadpool_limits(limits=1):
        yield


def _lalonde_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("re74", "re75", "re78"):
        frame[column] = frame[column].astype(float)
    frame["u74"] = (frame["re74"] == 0).astype(float)
    frame["u75"] = (frame["re75"] == 0).astype(float)
    for column in ("age", "educ", "re74", "re75"):
        frame[f"{column}2"] = frame[column].astype(float) ** 2
    return frame.reset_index(drop=True)


@pytest.fixture(scope="session")
def nsw_experiment() -> pd.DataFrame:
    """The Dehejia-Wahba NSW sample: 185 treated, 260 randomised controls (causaldata, MIT)."""
    from causaldata import nsw_mixtape

    return _lalonde_columns(nsw_mixtape.load_pandas().data)


@pytest.fixture(scope="session")
def nsw_cps(nsw_experiment) -> pd.DataFrame:
    """The NSW treated with LaLonde's CPS-1 observational comparison group (15,992 persons)."""
    from causaldata import cps_mixtape

    cps = _lalonde_columns(cps_mixtape.load_pandas().data)
    treated = nsw_experiment[nsw_experiment["treat"] == 1]
    return pd.concat([treated, cps], ignore_index=True)


def simulate(n: int, seed: int, *, heterogeneous: bool = True) -> pd.DataFrame:
    """Confounded data with a known effect: treatment odds and outcome both rise with x1, x2."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.binomial(1, 0.4, size=n)
    group = rng.choice(["a", "b", "c"], size=n)
    score = 1 / (1 + np.exp(-(-1.0 + 0.8 * x1 + 0.5 * x2 + 0.3 * (group == "b"))))
    treated = rng.random(n) < score
    effect = 1.0 + (0.5 * x1 if heterogeneous else 0.0)
    y0 = 1.0 + x1 + 0.5 * x2 + 0.4 * (group == "c") + rng.normal(size=n)
    return pd.DataFrame(
        {
            "d": treated.astype(int),
            "y": y0 + treated * effect,
            "y_binary": (y0 + treated * effect > 1.5).astype(float),
            "x1": x1,
            "x2": x2,
            "group": group,
            "effect": effect,
        }
    )
