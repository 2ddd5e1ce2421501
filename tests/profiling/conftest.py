"""Fixtures of the profiling tests: one small synthetic warehouse and one model per session.

The warehouse goes the documented way (synthetic register -> import -> panel) so the tests read
exactly the tables a municipality's warehouse would hold. LightGBM is kept small and single-threaded.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from tests.synthetic_warehouse import register_warehouse
from vaikutus.profiling.baseline import baseline_table, open_warehouse
from vaikutus.profiling.model import EmploymentModel, TrainSettings, train
from vaikutus.registry.synthetic import generate

PERSONS, START, END, SEED = 8_000, "2016-01", "2025-12", 20260901
KEY = "profiling-tests-pseudonymisation-key-0123456789"
#: Small, fast boosting for tests (the defaults allow up to 600 trees).
FAST = TrainSettings(target_months=12, num_trees=120, learning_rate=0.1, early_stopping_rounds=20)


@dataclass(frozen=True)
class Synthetic:
    warehouse: Path
    ground_truth: dict


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Synthetic:
    root = tmp_path_factory.mktemp("profiling-register")
    register = generate(persons=PERSONS, start=START, end=END, seed=SEED, out=root / "register")
    warehouse = root / "warehouse.duckdb"
    register_warehouse(register.out, warehouse, key=KEY)
    return Synthetic(
        warehouse=warehouse,
        ground_truth=json.loads((register.out / "ground_truth.json").read_text()),
    )


@pytest.fixture(scope="session")
def baseline(synthetic: Synthetic) -> pd.DataFrame:
    con = open_warehouse(synthetic.warehouse)
    try:
        return baseline_table(con)
    finally:
        con.close()


@pytest.fixture(scope="session")
def model(baseline: pd.DataFrame) -> EmploymentModel:
    return train(baseline, FAST)


@pytest.fixture(scope="session")
def model_dir(model: EmploymentModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model.save(tmp_path_factory.mktemp("model") / "model")


@pytest.fixture()
def warehouse_copy(synthetic: Synthetic, tmp_path: Path) -> Path:
    """A private copy for tests that write into the warehouse."""
    return Path(shutil.copy(synthetic.warehouse, tmp_path / "warehouse.duckdb"))


@pytest.fixture()
def cli():
    from typer.testing import CliRunner

    from vaikutus.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])
