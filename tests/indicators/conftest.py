"""Fixtures: the hand-built register as a DuckDB warehouse with its panel, and the area subset."""

from __future__ import annotations

import pytest

from tests.indicators import hand_register as register
from vaikutus import reference
from vaikutus.indicators.areas import Areas
from vaikutus.indicators.compute import compute_result
from vaikutus.warehouse import build_panel, connect


@pytest.fixture(scope="session")
def areas() -> Areas:
    """The real hierarchy restricted to the register's four municipalities (country = their sum)."""
    h = reference.area_hierarchy(2025)
    return Areas.from_frame(h[h.municipality.isin(register.MUNICIPALITIES)])


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    """DuckDB file with the hand-built register and the panel for 2021-01..2022-12."""
    path = tmp_path_factory.mktemp("indicators") / "hand.duckdb"
    con = connect(path)
    for name, table in register.tables().items():
        con.create_table(name, table, overwrite=True)
    build_panel(con, start="2021-01", end="2022-12")
    return con


@pytest.fixture(scope="session")
def hand_result(warehouse, areas):
    """All indicators of the hand-built register on DuckDB, internal and public."""
    return compute_result(warehouse, public=True, areas=areas)
