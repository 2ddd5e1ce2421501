"""docs/real-data.md, run as written: fetch the 12r5 history, import it, evaluate the trials.

The fetch goes to a fake PxWeb API on 127.0.0.1 (``fake_http_pxweb.py``) serving a saved 12r5
history in StatFin's JSON-stat 2.0 format; its values are made up (no trial effect), see
``tests/data/statfin/make_jsonstat2_history.py``. No network is used.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.registry.pxweb.fake_http_pxweb import FakeStatFin
from tests.registry.pxweb.pxweb_helpers import JSONSTAT_FI, METADATA_VELK, MULTIMONTH, REAL_12R5, STATFIN
from vaikutus.cli import app
from vaikutus.registry.pxweb import read_fetched, read_table

ROOT = Path(__file__).resolve().parents[3]
RECIPE = ROOT / "docs" / "real-data.md"
STUDY = ROOT / "docs" / "examples" / "statfin_trial_synth.toml"
CUBE = STATFIN / "tyonv_12r5_history_fixture_json-stat2.json"
METADATA = STATFIN / "tyonv_12r5_history_fixture_metadata.json"
SCRIPT = STATFIN / "make_jsonstat2_history.py"


def recipe_commands() -> list[list[str]]:
    """The ``vaikutus ...`` lines of the recipe's sh blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", RECIPE.read_text(encoding="utf-8"), flags=re.S)
    return [shlex.split(line)[1:] for block in blocks for line in block.splitlines() if line.startswith("vaikutus ")]


def test_the_history_has_the_real_formats():
    cube, real = json.loads(CUBE.read_text(encoding="utf-8")), json.loads(JSONSTAT_FI.read_text(encoding="utf-8"))
    assert set(real) <= set(cube) and set(cube) - set(real) == {"status", "note"}
    assert cube["id"] == ["Alue", "timeperiod_m", "Tiedot"] and cube["role"] == {"time": ["timeperiod_m"], "metric": ["Tiedot"]}
    assert set(cube["dimension"]["Alue"]) == set(real["dimension"]["Maakunta"])  # label, category, link
    raw12r5 = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    texts = {c["code"]: c["text"] for c in raw12r5["columns"]}
    metric = cube["dimension"]["Tiedot"]["category"]
    assert all(texts[code] == label for code, label in metric["label"].items())  # 12r5's own codes and texts
    assert set(cube["dimension"]["Alue"]["category"]["index"]) <= {r["key"][0] for r in raw12r5["data"]}
    assert cube["extension"]["px"]["tableid"] == "statfin_tyonv_pxt_12r5"
    assert cube["label"].startswith("[SYNTHETIC") and "SYNTHETIC TEST FIXTURE" in cube["note"][0]
    meta, real_meta = json.loads(METADATA.read_text(encoding="utf-8")), json.loads(METADATA_VELK.read_text(encoding="utf-8"))
    assert set(meta) == set(real_meta) and {"code", "text", "values", "valueTexts"} <= set(meta["variables"][0])


def test_the_history_holds_the_multimonth_fixtures_cells():
    cube, source = read_table(CUBE), read_table(MULTIMONTH)
    columns = ["Alue", "timeperiod_m", "content", "value", "status"]
    got, want = cube.data[columns], source.data[columns]
    assert got.reset_index(drop=True).equals(want.reset_index(drop=True))
    assert (got["status"] == "...").sum() == 10631 and got.loc[got["status"] == "...", "value"].isna().all()


def test_the_script_reproduces_the_files(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), "--out-dir", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / CUBE.name).read_bytes() == CUBE.read_bytes()
    assert (tmp_path / METADATA.name).read_bytes() == METADATA.read_bytes()


@pytest.mark.slow
def test_the_recipe_runs_end_to_end(tmp_path, monkeypatch):
    (tmp_path / "docs" / "examples").mkdir(parents=True)
    shutil.copy(STUDY, tmp_path / "docs" / "examples" / STUDY.name)
    monkeypatch.chdir(tmp_path)
    fetch, indicators, evaluate, serve = recipe_commands()
    assert (fetch[:2], indicators[0], evaluate[0], serve[0]) == (["statfin", "fetch"], "indicators", "evaluate", "serve")
    runner = CliRunner()
    with FakeStatFin(CUBE, METADATA) as api:
        result = runner.invoke(app, [*fetch, "--base-url", api.base_url])
        assert result.exit_code == 0, result.output
    assert api.gets == 1 and len(api.posts) == 2  # 328 areas x 36 months x 10 contents > 100 000 cells
    assert all(p["response"]["format"] == "json-stat2" for p in api.posts)
    saved = Path("var/statfin/12r5")
    sidecars = [json.loads(p.read_text()) for p in sorted(saved.glob("*_0*.json.source.json"))]
    assert [s["url"].startswith("http://127.0.0.1:") for s in sidecars] == [True, True]
    fetched = read_fetched(saved)
    assert len(fetched.data) == 328 * 36 * 10 and fetched.meta.format == "json-stat2"

    result = runner.invoke(app, indicators)
    assert result.exit_code == 0, result.output
    with duckdb.connect("var/statfin/real.duckdb", read_only=True) as con:
        trial = con.execute("SELECT count(*) FROM indicator_values_public WHERE source = 'statfin' AND "
                        "area_type = 'trial_area' AND indicator = 'unemployment_share'").fetchone()[0]
        suppressed, with_value = con.execute(
            "SELECT count(*), count(value) FROM indicator_values_public WHERE flag = 'suppressed'").fetchone()
    assert trial == 25 * (36 + 12 + 3)  # months, quarters, years
    assert suppressed > 1000 and with_value == 0  # withheld cells and sums over them: no number, never 0

    result = runner.invoke(app, [*evaluate])
    assert result.exit_code == 0, result.output
    out = json.loads(Path("var/statfin/evaluation/result.json").read_text(encoding="utf-8"))
    assert out["method"] == "classic" and len(out["units"]) == 17
    assert set(next(iter(out["weights"].values()))) == set(out["study"]["synth"]["donors"])
    # the history has no trial effect: the pooled effect is within the pre-period noise and not significant
    assert abs(out["att"]) < out["pre_rmspe"] and out["p_value"] > 0.1
