"""Synthetic registers generated once per test session (small: the suite must stay fast)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from vaikutus.registry.synthetic import SyntheticRegister, generate

#: Large enough for the trial areas and the wage-subsidy truth to be non-trivial, small enough to
#: generate in a few seconds.
MAIN_PERSONS = 12_000


@pytest.fixture(scope="session")
def register(tmp_path_factory) -> SyntheticRegister:
    return generate(
        persons=MAIN_PERSONS,
        start="2015-01",
        end="2025-12",
        seed=20260721,
        out=tmp_path_factory.mktemp("synthetic-main"),
    )


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    """Two registers with the same seed and one with another seed."""

    def make(name: str, seed: int) -> SyntheticRegister:
        return generate(
            persons=1_500,
            start="2019-01",
            end="2022-12",
            seed=seed,
            out=tmp_path_factory.mktemp(name),
        )

    return make("same-a", 5), make("same-b", 5), make("other", 6)


@pytest.fixture(scope="session")
def db(register: SyntheticRegister) -> duckdb.DuckDBPyConnection:
    """A DuckDB view per table of the main register."""
    con = duckdb.connect()
    for name in register.manifest["tables"]:
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{Path(register.out) / (name + '.parquet')}')"
        )
    return con
