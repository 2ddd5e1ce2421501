"""Shared fixtures for the synthetic-control tests."""

from __future__ import annotations

import pytest

from vaikutus.evaluation.synth.threads import single_threaded_blas


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """The reference SciPy solves are as tiny as ours: threads only add contention."""
    with single_threaded_blas():
        yield
