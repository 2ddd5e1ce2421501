"""Fixtures for the staggered DiD tests (mpdta results are computed once per session)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from tests.evaluation.did.did_testdata import MPDTA, MPDTA_COLUMNS
from vaikutus.evaluation.did import attgt


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(MPDTA)


@pytest.fixture(scope="session")
def mpdta_result(mpdta):
    """Unconditional DR on never-treated controls with a seeded bootstrap (R did's defaults)."""
    return attgt(mpdta, **MPDTA_COLUMNS, bootstrap=999, seed=20210101)


@pytest.fixture(scope="session")
def mpdta_twfe(mpdta_result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mpdta_result.twfe()
