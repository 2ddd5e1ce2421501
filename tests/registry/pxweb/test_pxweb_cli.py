"""``vaikutus statfin fetch`` and ``vaikutus statfin show`` end to end (fake API, saved files)."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from tests.registry.pxweb.fake_pxweb_api import FakeClock, FakePxWeb
from tests.registry.pxweb.pxweb_helpers import JSONSTAT_EN, REAL_12R5
from vaikutus.cli import app
from vaikutus.registry.pxweb import read_fetched, write_csv, write_px

runner = CliRunner()


@pytest.fixture()
def fake_api(monkeypatch):
    """Route every httpx.Client the CLI makes to the fake PxWeb API; no real sleeping."""
    server = FakePxWeb(FakeClock())
    real_client = httpx.Client
    monkeypatch.setattr(
        httpx, "Client", lambda **kw: real_client(transport=httpx.MockTransport(server))
    )
    return server


def test_fetch_command_builds_the_query_and_saves(fake_api, tmp_path):
    out = tmp_path / "statfin"
    result = runner.invoke(
        app,
        [
            "statfin",
            "fetch",
            "--table",
            "tyonv/statfin_tyonv_pxt_12r5.px",
            "--months",
            "2021M01:2026M06",
            "--areas",
            "all",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "4158 cells in 1 request(s)" in result.output
    (body,) = fake_api.posts
    chosen = {q["code"]: q["selection"]["values"] for q in body["query"]}
    assert len(chosen["timeperiod_m"]) == 66 and chosen["timeperiod_m"][0] == "2021M01"
    assert (
        str(fake_api.requests[0][1].url)
        == "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
    )
    assert len(read_fetched(out).data) == 21 * 66 * 3


def test_fetch_command_reports_a_bad_range(fake_api, tmp_path):
    result = runner.invoke(
        app, ["statfin", "fetch", "--months", "2030M01:2030M02", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "no period of the table falls in" in result.output


@pytest.mark.parametrize("kind", ["json", "json-stat2", "px", "csv"])
def test_show_reads_every_format(kind, t12r5, tmp_path):
    if kind == "json":
        path = REAL_12R5
    elif kind == "json-stat2":
        path = JSONSTAT_EN
    elif kind == "px":
        path = tmp_path / "12r5.px"
        write_px(t12r5, path)
    else:
        path = tmp_path / "12r5.csv"
        write_csv(t12r5, path, codes=True, delimiter=";")
    result = runner.invoke(app, ["statfin", "show", str(path), "--rows", "3"])
    assert result.exit_code == 0, result.output
    assert "dimensions:" in result.output and "value" in result.output
    if kind != "json-stat2":
        assert "352001.0" in result.output and "'...' x904" in result.output


def test_show_names_a_broken_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"columns": [{"code": "A", "type": "x"}], "data": []}))
    result = runner.invoke(app, ["statfin", "show", str(path)])
    assert result.exit_code == 2
    assert "broken.json: column 'A' has type 'x'" in result.output
