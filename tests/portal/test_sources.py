"""The source switch: register figures and the real StatFin 12r5 month side by side, never mixed,
always labelled with their source and date, in the pages and in the API."""

from __future__ import annotations

import io

import pandas as pd
import pytest


def test_sources_lists_both_with_the_public_tables_date(client):
    body = client.get("/api/v1/sources").json()
    assert [s["id"] for s in body] == ["register", "statfin"]
    register, statfin = body
    assert (register["first_period"], register["last_period"]) == ("2024-01", "2025-12")
    assert statfin["table"] == "12r5" and statfin["updated"] == "2026-07-21"
    assert statfin["publisher"] == "KEHA-keskus, Työnvälitystilasto" and statfin["first_period"] == "2026-06"


def test_values_come_from_one_source_only(client):
    params = {"indicator": "unemployment_share", "level": "municipality"}
    real = client.get("/api/v1/values", params={**params, "source": "statfin"}).json()
    assert real["source"]["id"] == "statfin" and real["source"]["updated"] == "2026-07-21"
    assert {r["period"] for r in real["rows"]} == {"2026-06"} and len(real["rows"]) == 308
    helsinki = next(r for r in real["rows"] if r["area_code"] == "091")
    assert (helsinki["numerator"], helsinki["denominator"]) == (52578, 370847)
    assert round(helsinki["value"], 1) == 14.2  # published TYOTOSUUS of KU091
    default = client.get("/api/v1/values", params=params).json()
    assert default["source"]["id"] == "register"
    assert "2026-06" not in {r["period"] for r in default["rows"]}


def test_statfin_withheld_cells_are_suppressed_not_zero(client):
    rows = client.get("/api/v1/values", params={"indicator": "unemployed", "level": "municipality",
                                                 "source": "statfin"}).json()["rows"]
    by_code = {r["area_code"]: r for r in rows}
    for code in ("062", "295", "438", "766"):  # TYOTTOMATLOPUSSA '...' in 2026M06
        assert by_code[code]["flag"] == "suppressed" and by_code[code]["value"] is None
    assert by_code["035"]["value"] == 10  # Brändö, published 10


def test_metadata_routes_take_the_source(client):
    assert client.get("/api/v1/indicators/unemployed/periods", params={"source": "statfin"}).json() == ["2026-06"]
    ids = {i["id"] for i in client.get("/api/v1/indicators", params={"source": "statfin"}).json()}
    assert ids == {"unemployed", "unemployment_share", "activation_rate"}
    assert len(client.get("/api/v1/areas", params={"level": "region", "source": "statfin"}).json()) == 19
    assert client.get("/api/v1/values", params={"indicator": "unemployed", "source": "kela"}).status_code == 422


def test_openapi_documents_the_source_parameter(client):
    spec = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/values"]["get"]["parameters"]}
    source = params["source"]
    assert "statfin" in source["description"] and "register" in source["description"]
    schema = source["schema"]["anyOf"][0]
    assert schema["enum"] == ["register", "statfin"]
    assert "/api/v1/sources" in spec["paths"]


def test_downloads_carry_the_source(client):
    params = {"indicator": "unemployed", "level": "region", "source": "statfin"}
    frame = pd.read_csv(io.StringIO(client.get("/api/v1/download.csv", params=params).content.decode("utf-8-sig")))
    assert set(frame["source"]) == {"statfin"} and set(frame["period"]) == {"2026-06"}
    sheets = pd.read_excel(io.BytesIO(client.get("/api/v1/download.xlsx", params=params).content), sheet_name=None)
    meta = dict(zip(sheets["metadata"]["field"], sheets["metadata"]["value"]))
    assert (meta["source"], meta["table"], meta["updated"]) == ("statfin", "12r5", "2026-07-21")


def test_overview_switches_to_the_real_month_and_labels_it(client):
    html = client.get("/fi/?source=statfin&level=municipality").text
    assert "KEHA-keskus, Työnvälitystilasto (Tilastokeskus, StatFin 12r5), päivitetty 21.7.2026" in html
    assert 'data-source="statfin"' in html and 'value="2026-06"' in html
    assert '<input type="hidden" name="source" value="statfin">' in html
    assert 'aria-current="true">Julkinen tilasto (StatFin)</a>' in html
    assert "/fi/area/municipality/091?source=statfin" in html
    # Helsinki's row of the table: the real share, 14.2 %
    row = html[html.index("/fi/area/municipality/091?source=statfin"):][:300]
    assert "14,2" in row


def test_default_overview_is_the_register_with_a_link_to_statfin(client):
    html = client.get("/en/?indicator=unemployed&level=region").text
    assert "Source: register data" in html and "months 2024-01–2025-12" in html
    assert 'href="/en/?level=region&amp;indicator=unemployed&amp;source=statfin"' in html
    assert 'aria-current="true">Register (synthetic in the demo)</a>' in html
    assert 'name="source"' not in html


def test_switch_drops_an_indicator_the_other_source_lacks(client, portal_warehouse):
    html = client.get("/sv/explore?indicator=activation_rate&level=municipality&area=091").text
    assert "source=statfin" in html and "Offentlig statistik (StatFin)" in html
    html = client.get("/en/explore?indicator=unemployed&level=municipality&area=091&source=statfin").text
    assert "updated 21 July 2026" in html and "&amp;source=statfin" in html  # downloads keep the source
    table = html[html.index("<tbody>"):]
    assert "2026-06" in table and "2025-12" not in table


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_area_page_and_language_switch_keep_the_source(client, lang):
    html = client.get(f"/{lang}/area/employment_area/8?source=statfin").text
    assert "2026-06" in html and "2025-12" not in html
    assert f"/{lang}/explore?indicator=unemployed&level=employment_area&area=8&source=statfin" in html
    other = "sv" if lang != "sv" else "en"
    assert f'href="/{other}/area/employment_area/8?source=statfin"' in html


def test_unknown_source_values_are_rejected(client):
    assert client.get("/fi/?source=kela").status_code == 422
    assert client.get("/api/v1/indicators", params={"source": "kela"}).status_code == 422


def test_tables_show_numbers_where_nothing_is_suppressed(client):
    """A NULL flag must not read as a flag (pandas gives NaN): only flagged cells show the symbol."""
    for source in ("register", "statfin"):
        html = client.get(f"/fi/?indicator=unemployed&level=region&source={source}").text
        table = html[html.index("<tbody>"):html.index("</tbody>")]
        assert table.count("<tr>") == 19 and table.count("…") == 0, source
