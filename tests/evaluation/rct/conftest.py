"""Fixtures of the trial tests: a synthetic warehouse and a fast scratch folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.evaluation.rct.synthetic_register import synthetic_person_month, write_warehouse


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warehouse(
        synthetic_person_month(), tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    )


@pytest.fixture()
def memory_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder on tmpfs where available: the enrolment store fsyncs every commit (durability),
    which on a busy shared disk costs ~20 ms; the logic under test does not depend on the disk."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir=shm, prefix="vaikutus-rct-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
