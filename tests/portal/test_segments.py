"""The internal segment view: the same role rules as the rest of the internal side, by every route.

The test warehouse's figures carry a marker per area (``segment_tables.AREAS``): Helsinki's shares
are 26-31 %, Espoo's 72-78 %, the country's 35-40 %.
"""

from __future__ import annotations

import pytest

from tests.portal.conftest import ANALYST_PASSWORD, RESEARCHER_PASSWORD
from tests.portal.segment_tables import MODEL_ID
from vaikutus.portal.auth import UserStore
from vaikutus.portal.i18n import LANGUAGES, messages

API = "/api/v1/internal/segments"


def login(client, username, password):
    response = client.post("/fi/login", data={"username": username, "password": password}, follow_redirects=False)
    assert response.status_code == 303


def audit(warehouse) -> list[dict]:
    return UserStore(warehouse.with_suffix(".users.sqlite")).audit_entries(limit=20)


def test_public_gets_a_login_redirect_and_401(client):
    assert client.get("/fi/internal/segments", follow_redirects=False).headers["location"] == "/fi/login"
    assert client.get("/en/internal/segments/model-card", follow_redirects=False).status_code == 303
    assert client.get(API, params={"level": "country"}).status_code == 401
    assert client.get(API, params={"level": "employment_area", "area": "8"}).status_code == 401


def test_analyst_sees_own_area_by_default_with_small_cells_marked(client, portal_warehouse):
    login(client, "helsinki", ANALYST_PASSWORD)
    response = client.get("/en/internal/segments")
    assert response.status_code == 200
    html = response.text
    assert "Helsinki: starts 2024-01–2024-12" in html
    assert "31.0\u00a0%" in html and "77.0" not in html and "Espoo" not in html
    assert "Quick to employment" in html and "Intensive multi-professional support" in html
    assert html.count('class="small-cell"') > 10  # S6 of Helsinki rests on 3 persons, shown as small
    assert "/internal/segments/model-card" not in html and "researchers and administrators" in html
    entry = audit(portal_warehouse)[0]
    assert (entry["username"], entry["action"], entry["detail"]) == ("helsinki", "internal_segments", "employment_area 8 en")


@pytest.mark.parametrize("query", [
    {"level": "employment_area", "area": "1"},
    {"level": "municipality", "area": "049"},
    {"level": "country", "area": "SSS"},
    {"level": "country"},
])
def test_analyst_cannot_read_other_areas_by_any_route(client, portal_warehouse, query):
    login(client, "helsinki", ANALYST_PASSWORD)
    page = client.get("/en/internal/segments", params=query)
    assert page.status_code == 403
    assert "77.0" not in page.text and "40.0\u00a0%" not in page.text and "have no access" in page.text
    assert audit(portal_warehouse)[0]["action"] == "denied"
    assert client.get(API, params={**query, "lang": "en"}).status_code == 403
    assert audit(portal_warehouse)[0]["action"] == "denied"


def test_analyst_api_needs_an_explicit_own_area(client):
    login(client, "helsinki", ANALYST_PASSWORD)
    assert client.get(API).status_code == 403
    assert client.get(API, params={"level": "employment_area"}).status_code == 403
    own = client.get(API, params={"level": "municipality", "area": "091", "lang": "sv"})
    assert own.status_code == 200
    body = own.json()
    assert body["area_name"] == "Helsingfors" and {f["value"] for f in body["profiles"] if f["measure_id"] == "women"} <= {
        0.32 - 0.01 * i for i in range(6)}
    assert client.get("/en/internal/segments/model-card").status_code == 403


def test_unknown_area_falls_back_to_own_area_on_the_page_and_is_404_in_the_api(client):
    login(client, "helsinki", ANALYST_PASSWORD)
    page = client.get("/en/internal/segments", params={"level": "municipality", "area": "8"})
    assert page.status_code == 200 and "Helsinki: starts" in page.text and "not found" not in page.text
    page = client.get("/en/internal/segments", params={"level": "employment_area", "area": "zz"})
    assert "Area zz is not found" in page.text and "Helsinki: starts" in page.text
    login(client, "researcher", RESEARCHER_PASSWORD)
    assert client.get(API, params={"level": "municipality", "area": "999"}).status_code == 404
    assert client.get(API, params={"level": "region", "area": "01"}).status_code == 422


def test_researcher_reads_every_area_and_the_model_card(client, portal_warehouse):
    login(client, "researcher", RESEARCHER_PASSWORD)
    html = client.get("/en/internal/segments").text
    assert "Whole country: starts" in html and "40.0\u00a0%" in html
    espoo = client.get(API, params={"level": "employment_area", "area": "1", "lang": "en"}).json()
    assert espoo["area_name"] == "Espoo-Kauniainen" and espoo["model"]["model_id"] == MODEL_ID
    assert {s["segment"] for s in espoo["segments"]} == {f"S{i}" for i in range(1, 7)}
    kyky = [f for f in espoo["follow_up"] if f["measure_id"] == "kykyviisari_change" and f["group"] == "coaching"]
    assert kyky and kyky[0]["label"].startswith("Kykyviisari change") and kyky[0]["ci_low"] < kyky[0]["value"]
    small = [f for f in client.get(API, params={"level": "employment_area", "area": "8"}).json()["profiles"]
             if f["segment"] == "S6"]
    assert small and all(f["small"] and f["n"] == 3 for f in small)
    card = client.get("/fi/internal/segments/model-card")
    assert card.status_code == 200 and "Model card 0123456789ab" in card.text
    actions = [e["action"] for e in audit(portal_warehouse)[:4]]
    assert actions[0] == "model_card" and "internal_segments_api" in actions


@pytest.mark.parametrize("lang", LANGUAGES)
def test_segment_page_renders_in_each_language(client, lang):
    login(client, "researcher", RESEARCHER_PASSWORD)
    response = client.get(f"/{lang}/internal/segments?level=municipality&area=091")
    assert response.status_code == 200 and f'<html lang="{lang}">' in response.text
    for key in ("segments_title", "segments_who", "segments_services", "segments_outcomes", "segments_work_ability"):
        assert messages(lang)[key] in response.text
    assert "{{" not in response.text and "segments_" not in response.text.replace("/internal/segments", "")
    assert response.text.count("<caption>") == 7 and 'scope="row"' in response.text


def test_openapi_documents_the_internal_segments_route(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][API]["get"]
    assert "internal" in operation["tags"] and "analyst" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} == {"level", "area", "lang"}
    assert "Segments" in spec["components"]["schemas"]
