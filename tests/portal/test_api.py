"""The public API serves suppressed values only, as JSON, CSV and Excel, with metadata."""

import io

import pandas as pd
import pytest


def test_indicators_in_every_language(client):
    for lang, name in (("fi", "Aktivointiaste"), ("sv", "Aktiveringsgrad"), ("en", "Activation rate")):
        body = client.get("/api/v1/indicators", params={"lang": lang}).json()
        assert {"activation_rate", "unemployed", "unemployment_share"} == {i["id"] for i in body}
        assert name in {i["name"] for i in body}


def test_values_are_suppressed_never_zero(client):
    body = client.get("/api/v1/values", params={"indicator": "unemployed", "level": "municipality"}).json()
    rows = body["rows"]
    suppressed = [r for r in rows if r["flag"]]
    assert suppressed, "the fixture has small cells"
    assert all(r["value"] is None and r["numerator"] is None for r in suppressed)
    assert all(r["value"] >= 5 for r in rows if not r["flag"])
    assert body["licence"] == "CC BY 4.0"


def test_values_filter_by_area_and_period_with_names(client):
    params = {"indicator": "unemployment_share", "level": "municipality", "area": ["091", "049"],
              "period": "2025-12", "lang": "sv"}
    rows = client.get("/api/v1/values", params=params).json()["rows"]
    assert {(r["area_code"], r["area_name"]) for r in rows} == {("091", "Helsingfors"), ("049", "Esbo")}
    assert {r["period"] for r in rows} == {"2025-12"}


def test_unknown_indicator_and_bad_period_are_client_errors(client):
    assert client.get("/api/v1/values", params={"indicator": "nope"}).status_code == 404
    assert client.get("/api/v1/values", params={"indicator": "unemployed", "period": "12/2025"}).status_code == 422


def test_csv_download_matches_api(client):
    params = {"indicator": "unemployed", "level": "region", "from": "2025-01", "to": "2025-06"}
    response = client.get("/api/v1/download.csv", params=params)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype={"area_code": str})
    api_rows = client.get("/api/v1/values", params=params).json()["rows"]
    assert len(frame) == len(api_rows) == 19 * 6
    assert set(frame["indicator"]) == {"unemployed"}


def test_excel_download_has_data_and_metadata_sheets(client):
    response = client.get("/api/v1/download.xlsx", params={"indicator": "activation_rate", "level": "employment_area", "lang": "en"})
    sheets = pd.read_excel(io.BytesIO(response.content), sheet_name=None)
    assert set(sheets) == {"data", "metadata"}
    meta = dict(zip(sheets["metadata"]["field"], sheets["metadata"]["value"]))
    assert meta["name"] == "Activation rate" and meta["public"] == "True"
    assert sheets["data"]["flag"].isin(["suppressed"]).sum() == sheets["data"]["value"].isna().sum()


def test_geojson_has_names_for_every_level(client):
    for level, count in (("municipality", 308), ("region", 19), ("employment_area", 46), ("trial_area", 25)):
        body = client.get(f"/api/v1/geo/{level}", params={"lang": "fi"}).json()
        assert len(body["features"]) == count
        assert all(f["properties"]["name"] for f in body["features"])


def test_openapi_documents_the_public_routes(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/values", "/api/v1/indicators", "/api/v1/areas", "/api/v1/download.{fmt}"} <= set(spec["paths"])


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_no_cdn_backed_doc_pages(client, path):
    assert client.get(path).status_code == 404
