"""The ``vaikutus synth-register`` command."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from vaikutus.cli import app


def test_cli_writes_register(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "synth-register",
            "--persons",
            "400",
            "--start",
            "2020-01",
            "--end",
            "2021-06",
            "--seed",
            "3",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["parameters"]["persons"] == 400
    assert (tmp_path / "ground_truth.json").exists()
    assert "jobseeker_spells" in result.output


def test_cli_rejects_bad_month(tmp_path):
    result = CliRunner().invoke(
        app, ["synth-register", "--persons", "10", "--start", "2020-13", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "2020-13" in result.output
