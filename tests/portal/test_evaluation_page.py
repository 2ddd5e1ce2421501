"""The evaluation page rendered from stored trial-evaluation results (``evaluation_results``)."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.evaluation.trials.trial_testdata import NAMES
from tests.portal.conftest import build_warehouse
from vaikutus.portal.app import create_app


def _summary_rows(html: str) -> list[str]:
    table = html.split('id="summary"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="#area-T\d+">([^<]+)</a>', table)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_page_shows_every_area_pooled_and_did(client, lang):
    html = client.get(f"/{lang}/evaluation").text
    assert sorted(_summary_rows(html)) == sorted(NAMES.values())
    for anchor in ("area-T01", "area-T08", "area-T17", 'id="pooled"', "path-did", "path-trial"):
        assert anchor in html
    assert 'class="notice"' in html  # synthetic data: the injected effects are shown and explained
    if lang == "fi":
        assert "Lisätty vaikutus" in html and re.search(r"-\d,\d\d", html)  # decimal comma


def test_every_chart_has_a_label_and_its_numbers_as_a_table(client):
    html = client.get("/en/evaluation").text
    charts = re.findall(r'<div class="chart[^"]*" role="img" data-evaluation-chart="(\w+)"[^>]*aria-label="([^"]+)"', html)
    assert len(charts) == 2 * 4 + 1  # observed/synthetic and gap for 3 areas + pooled; the event study
    assert html.count('class="table-alternative"') >= 4 + 1
    path = json.loads(re.search(r'<script type="application/json" id="path-T08">(.*?)</script>', html).group(1))
    assert {"time", "observed", "synthetic", "gap", "band_low", "band_high"} <= set(path)
    assert len(path["time"]) == len(path["gap"]) == 48


def test_summary_table_sorts_by_effect(client):
    ascending = _summary_rows(client.get("/en/evaluation?sort=effect").text)
    assert ascending[0] == NAMES["T08"]  # the injected -2 pp
    assert _summary_rows(client.get("/en/evaluation?sort=effect&desc=true").text)[-1] == NAMES["T08"]
    assert client.get("/en/evaluation?sort=nonsense").status_code in (404, 422)


def test_empty_state_and_other_results(tmp_path):
    path = tmp_path / "plain.duckdb"
    build_warehouse(path, evaluations=False)
    with TestClient(create_app(path)) as c:
        assert "evaluate-trials" in c.get("/en/evaluation").text
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE evaluation_results AS SELECT 'other' study, 'municipality' area_type, '091' area_code, "
            "'did' method, '{\"att\": 1.5, \"p_value\": 0.2}' result_json"
        )
    with TestClient(create_app(path)) as c:
        html = c.get("/en/evaluation").text
    assert "Other stored results" in html and "Helsinki" in html and "1.5" in html


def test_api_returns_the_stored_results(client):
    rows = client.get("/api/v1/evaluations").json()
    assert {(r["area_code"], r["method"]) for r in rows} >= {("T08", "synthetic_control"), ("trial", "did")}
    helsinki = next(r for r in rows if r["area_code"] == "T08")
    assert helsinki["result"]["injected_effect_pp"] == -2.0
