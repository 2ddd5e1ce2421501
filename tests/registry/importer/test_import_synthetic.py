"""A small synthetic register (``vaikutus synth-register``) imports with no quarantined row, and
its artificial identity codes are pseudonymised like real ones."""

from __future__ import annotations

import json

import pytest

from tests.registry.importer.import_helpers import HETU_TEXT, all_text, table

synthetic = pytest.importorskip("vaikutus.registry.synthetic")


def test_synthetic_register_imports_without_quarantine(tmp_path, key_env, cli):
    out, warehouse = tmp_path / "register", tmp_path / "wh.duckdb"
    synthetic.generate(persons=300, start="2020-01", end="2022-12", seed=3, out=out)

    result = cli("import", out, "--warehouse", warehouse)

    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    log = table(warehouse, "import_log").set_index("table")
    assert set(log.index) == set(manifest["tables"])
    assert log["rows_quarantined"].sum() == 0
    for name, entry in manifest["tables"].items():
        assert log.loc[name, "rows_accepted"] == entry["rows"], name
    assert len(table(warehouse, "quarantine")) == 0
    assert table(warehouse, "persons")["person_id"].nunique() == 300
    assert not any(HETU_TEXT.search(t) for t in all_text(warehouse))
