"""Fixtures of the PxWeb tests."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.registry.pxweb.pxweb_helpers import DATA, REAL_12R5
from vaikutus.registry.pxweb import PxTable, read_table


@pytest.fixture(scope="session")
def t12r5() -> PxTable:
    return read_table(REAL_12R5)


@pytest.fixture(scope="session")
def key_2025() -> pd.DataFrame:
    key = pd.read_csv(DATA / "municipality_key_2025.csv", dtype=str)
    key["kunta"] = key["kunta"].str.zfill(3)
    key["maakunta_code"] = key["maakunta_code"].str.zfill(2)
    return key
