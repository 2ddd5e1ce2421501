"""Fixtures of the register-import tests."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.registry.importer.import_helpers import KEY
from vaikutus.registry.pseudonymise import KEY_ENV


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY


@pytest.fixture
def cli():
    from vaikutus.cli import app

    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(app, [str(a) for a in args], **kw)
