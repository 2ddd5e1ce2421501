"""The real StatFin responses parse to the numbers printed in the raw files (read by hand)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from tests.registry.pxweb.pxweb_helpers import REAL_12R5, REAL_12TI, REAL_135Z, cell
from vaikutus.registry.pxweb import keyed, parse_pxweb_json, read_table, sample_12r5
from vaikutus.registry.pxweb.errors import PxWebFormatError

# (area, content) -> the string in tests/data/statfin/tyonv_12r5_2026M06_pxweb-json.json
HAND_READ = {
    ("SSS", "HAKIJALOPUSSA"): "542318",
    ("SSS", "TYOTTOMATLOPUSSA"): "352001",
    ("SSS", "TYOVOIMATK"): "2743596",
    ("SSS", "TYOTOSUUS"): "12.8",
    ("SSS", "UUDETAVP"): "31390",
    ("KU091", "TYOTTOMATLOPUSSA"): "52578",
    ("KU091", "TYOVOIMATK"): "370847",
    ("KU091", "TYOTOSUUS"): "14.2",
    ("KU091", "PITKAAIKAISTYOTTOMAT"): "24758",
    ("KU837", "TYOTOSUUS"): "16.5",
    ("KU837", "VALMENNUSLOP"): "...",
    ("KU020", "KOKEILULOP"): "...",
    ("KU035", "TYOTTOMATLOPUSSA"): "10",
    ("KU035", "TYOTTOMATMIEHET"): "6",
    ("KU035", "TYOTTOMATNAISET"): "...",
    ("KU035", "TYOTOSUUS"): "4.6",
    ("KU199", "TYOTTOMATLOPUSSA"): "...",
    ("KU199", "AVPAIKATLOPUSSA"): "270",
    ("KUJOU", "UUDETAVP"): "9244",
    ("MK01", "TYOVOIMATK"): "938836",
}


@pytest.mark.parametrize(("area", "content"), sorted(HAND_READ))
def test_cells_equal_the_raw_strings(t12r5, area, content):
    value, status = cell(t12r5, area, content)
    raw = HAND_READ[(area, content)]
    if raw == "...":
        assert math.isnan(value) and status == "..."
    else:
        assert value == float(raw) and status is None


def test_every_cell_matches_the_raw_file(t12r5):
    raw = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    content = [c["code"] for c in raw["columns"] if c["type"] == "c"]
    expected = pd.DataFrame(
        [
            (r["key"][0], code, text)
            for r in raw["data"]
            for code, text in zip(content, r["values"])
        ],
        columns=["Alue", "content", "text"],
    )
    got = expected.merge(t12r5.data, on=["Alue", "content"], how="outer", validate="one_to_one")
    assert len(got) == len(t12r5.data) == 421 * 23
    hidden = got["text"] == "..."
    assert (got.loc[hidden, "status"] == "...").all() and got.loc[hidden, "value"].isna().all()
    shown = got[~hidden]
    assert (shown["value"] == shown["text"].astype(float)).all() and shown["status"].isna().all()


def test_suppressed_cells_are_null_never_zero(t12r5):
    data = t12r5.data
    suppressed = data["status"] == "..."
    assert suppressed.sum() == 904
    assert data.loc[suppressed, "value"].isna().all()
    assert data["value"].isna().sum() == suppressed.sum()
    # zeros are published as 0 and stay 0 (e.g. TYOHARJOITTELULOP is 0 everywhere in 2026M06)
    assert (data.loc[data["content"] == "TYOHARJOITTELULOP", "value"] == 0).all()


def test_brando_women_are_suppressed_but_recoverable(t12r5):
    """TEM has no secondary suppression (DOMAIN.md B3): women = total - men = 4."""
    total, _ = cell(t12r5, "KU035", "TYOTTOMATLOPUSSA")
    men, _ = cell(t12r5, "KU035", "TYOTTOMATMIEHET")
    women, status = cell(t12r5, "KU035", "TYOTTOMATNAISET")
    assert status == "..." and math.isnan(women)
    assert total - men == 4


def test_unemployment_share_recomputes_for_every_municipality(t12r5):
    wide = keyed(t12r5).pivot(index=["area_type", "area_code"], columns="content", values="value")
    municipalities = wide.loc["municipality"]
    both = municipalities.dropna(subset=["TYOTTOMATLOPUSSA", "TYOVOIMATK", "TYOTOSUUS"])
    both = both[both["TYOVOIMATK"] > 0]
    assert len(both) >= 300
    recomputed = (both["TYOTTOMATLOPUSSA"] / both["TYOVOIMATK"] * 100).round(1)
    assert (recomputed - both["TYOTOSUUS"]).abs().max() <= 0.05 + 1e-9
    national = wide.loc[("country", "SSS")]
    assert (
        round(national["TYOTTOMATLOPUSSA"] / national["TYOVOIMATK"] * 100, 1)
        == national["TYOTOSUUS"]
        == 12.8
    )


def test_the_share_is_suppressed_exactly_when_its_numerator_is(t12r5):
    wide = t12r5.data.pivot(index="Alue", columns="content", values="status")
    numerator_hidden = wide["TYOTTOMATLOPUSSA"] == "..."
    assert ((wide["TYOTOSUUS"] == "...") == numerator_hidden).all()


def test_all_municipalities_join_the_2025_key(t12r5, key_2025):
    areas = keyed(t12r5)[["Alue", "area_type", "area_code"]].drop_duplicates()
    municipalities = areas[areas["area_type"] == "municipality"]
    assert len(municipalities) == 308
    assert set(municipalities["area_code"]) == set(key_2025["kunta"])
    assert set(areas.loc[areas["area_type"] == "unknown", "Alue"]) == {
        "KU199",
        "KUJOU",
        "MK91",
        "MKJO",
        "SKJOU",
        "ELY80",
        "ELYJO",
    }
    assert areas.groupby("area_type").size().to_dict() == {
        "country": 1,
        "ely": 16,
        "municipality": 308,
        "region": 19,
        "subregion": 70,
        "unknown": 7,
    }


def test_regions_are_the_sums_of_their_municipalities(t12r5, key_2025):
    data = keyed(t12r5)
    labour = data[data["content"] == "TYOVOIMATK"]
    municipal = labour[labour["area_type"] == "municipality"].merge(
        key_2025[["kunta", "maakunta_code"]], left_on="area_code", right_on="kunta"
    )
    sums = municipal.groupby("maakunta_code")["value"].sum()
    regions = labour[labour["area_type"] == "region"].set_index("area_code")["value"]
    assert (sums == regions.reindex(sums.index)).all()


def test_unknown_buckets_carry_the_same_figures(t12r5):
    """Why ELY80 and MK91 are mapped to 'unknown' like KU199: identical rows in 2026M06."""
    wide = t12r5.data.pivot(index="content", columns="Alue", values="value")
    for bucket in ("MK91", "ELY80"):
        pd.testing.assert_series_equal(wide[bucket], wide["KU199"], check_names=False)


def test_metadata_and_roles(t12r5):
    meta = t12r5.meta
    assert meta.source == "KEHA-keskus, Työnvälitystilasto"
    assert meta.updated.isoformat() == "2026-07-21T05:00:00+00:00"
    assert meta.time_dim == "timeperiod_m" and meta.geo_dim == "Alue"
    assert meta.title.startswith("Työttömät työnhakijat eri ryhmissä")
    share = meta.content("TYOTOSUUS")
    assert (share.unit, share.decimals) == ("%", 1)
    assert meta.content("TYOVOIMATK").note.startswith(
        "Tilastokeskuksen työssäkäyntitilaston työvoima"
    )
    assert [c.code for c in meta.contents][:3] == [
        "HAKIJALOPUSSA",
        "TYOTTOMATLOPUSSA",
        "TYOVOIMATK",
    ]
    assert list(t12r5.data.columns) == [
        "Alue",
        "timeperiod_m",
        "Alue_label",
        "timeperiod_m_label",
        "content",
        "value",
        "status",
    ]


def test_the_shipped_copy_is_the_real_file(t12r5):
    shipped = sample_12r5()
    pd.testing.assert_frame_equal(shipped.data, t12r5.data)
    assert shipped.meta.table_id == "statfin_tyonv_pxt_12r5" and shipped.meta.language == "fi"


def test_12ti_has_three_dimensions_and_keeps_occupations_apart_from_time():
    table = read_table(REAL_12TI)
    assert [d.code for d in table.meta.dimensions] == ["Alue", "Ammattiryhmä", "timeperiod_m"]
    assert table.meta.time_dim == "timeperiod_m" and table.meta.geo_dim == "Alue"
    assert table.meta.dimension("Ammattiryhmä").values == ("2513", "2514", "2519")
    assert table.value("TYOTTOMATLOPUSSA", Alue="SSS", Ammattiryhmä="2513") == 712
    assert table.status("AVPAIKATLOPUSSA", Alue="SSS", Ammattiryhmä="2513") == "..."
    assert len(table.data) == 421 * 3 * 2


def test_135z_is_national_with_no_area_dimension():
    table = read_table(REAL_135Z)
    assert table.meta.geo_dim is None and table.meta.time_dim == "timeperiod_m"
    assert table.value("tyti-Tyottomyysaste", timeperiod_m="2026M06") == 10.0
    assert "area_type" not in keyed(table).columns and set(keyed(table)["period"]) == {"2026-06"}


def test_get_metadata_adds_value_texts_and_names_the_content_variable():
    doc = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    doc["data"] = [r for r in doc["data"] if r["key"][0] in ("SSS", "KU091")]
    metadata = {
        "title": "12r5",
        "variables": [
            {
                "code": "Alue",
                "text": "Alue",
                "values": ["SSS", "KU091"],
                "valueTexts": ["KOKO MAA", "Helsinki"],
            },
            {
                "code": "timeperiod_m",
                "text": "Kuukausi",
                "values": ["2026M05", "2026M06"],
                "valueTexts": ["2026M05", "2026M06"],
                "time": True,
            },
            {
                "code": "Tiedot",
                "text": "Tiedot",
                "values": [c["code"] for c in doc["columns"] if c["type"] == "c"],
                "valueTexts": [],
            },
        ],
    }
    metadata["variables"][2]["valueTexts"] = metadata["variables"][2]["values"]
    table = parse_pxweb_json(doc, metadata=metadata)
    assert table.meta.dimension("Alue").value_labels == ("KOKO MAA", "Helsinki")
    assert table.meta.metric_dim == "Tiedot"
    assert set(table.data.loc[table.data["Alue"] == "KU091", "Alue_label"]) == {"Helsinki"}


def test_a_table_without_time_is_refused_by_name():
    doc = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    doc["columns"] = [c for c in doc["columns"] if c["code"] != "timeperiod_m"]
    doc["data"] = [{"key": r["key"][:1], "values": r["values"]} for r in doc["data"]]
    with pytest.raises(PxWebFormatError, match="no time dimension"):
        parse_pxweb_json(doc, source="no_time.json")


def test_a_row_of_the_wrong_length_names_the_row():
    doc = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    doc["data"][5]["values"] = doc["data"][5]["values"][:-1]
    with pytest.raises(PxWebFormatError, match=r"bad\.json: data row 5: 'values' must hold 23"):
        parse_pxweb_json(doc, source="bad.json")
