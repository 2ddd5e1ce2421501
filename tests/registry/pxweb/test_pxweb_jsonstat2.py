"""JSON-stat 2.0: the real StatFin samples, and the format's variants (status, sparse, index)."""

from __future__ import annotations

import copy
import json
import math

import pytest

from tests.registry.pxweb.pxweb_helpers import JSONSTAT_EN, JSONSTAT_FI
from vaikutus.registry.pxweb import PxWebFormatError, parse_jsonstat2, read_table


def _doc(path=JSONSTAT_EN) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_english_sample_sizes_labels_units_and_values():
    table = read_table(JSONSTAT_EN)
    meta = table.meta
    assert [d.code for d in meta.dimensions] == [
        "Vuosi",
        "Maakunta",
        "Viitehenkilön ikä",
        "Asuntokunnat",
    ]
    assert meta.metric_dim == "Tiedot" and meta.metric_label == "Information"
    assert meta.time_dim == "Vuosi" and meta.table_id == "statfin_velk_pxt_13kt"
    assert len(table.data) == 1 * 6 * 1 * 1 * 1
    assert meta.dimension("Maakunta").value_labels == ("WHOLE COUNTRY",)
    assert meta.content("vaste").label == "Rate of indebtedness (per cent)"
    assert (meta.content("vaste").unit, meta.content("vaste").decimals) == ("per cent", 1)
    assert (meta.content("asuntokunta_lkm").unit, meta.content("asuntokunta_lkm").decimals) == (
        "number",
        0,
    )
    assert table.value("velat_yht", Vuosi="2002") == 58443598209
    assert table.value("vaste", Vuosi="2002") == 70.3
    assert table.value("asuntokunta_lkm", Vuosi="2002") == 2354082
    assert meta.updated.isoformat() == "2022-12-21T06:00:00+00:00"
    # three dimensions hold only SSS ('total' in two of them): no geo dimension is guessed
    assert meta.geo_dim is None


def test_finnish_sample_is_one_cell_with_finnish_labels():
    table = read_table(JSONSTAT_FI)
    assert len(table.data) == 1
    assert table.data["Maakunta_label"].tolist() == ["KOKO MAA"]
    assert table.meta.content("velat_yht").label == "Velat yhteensä (euroa)"


def _cube() -> dict:
    """A 2 areas x 2 months x 2 contents cube in StatFin's json-stat2 shape, list-form index."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "test",
        "source": "KEHA-keskus, Työnvälitystilasto",
        "updated": "2026-07-21T05:00:00Z",
        "id": ["Alue", "Kuukausi", "Tiedot"],
        "size": [2, 2, 2],
        "role": {"time": ["Kuukausi"], "geo": ["Alue"], "metric": ["Tiedot"]},
        "dimension": {
            "Alue": {
                "label": "Alue",
                "category": {
                    "index": ["SSS", "KU035"],
                    "label": {"SSS": "KOKO MAA", "KU035": "Brändö"},
                },
            },
            "Kuukausi": {"label": "Kuukausi", "category": {"index": {"2026M05": 0, "2026M06": 1}}},
            "Tiedot": {
                "label": "Tiedot",
                "category": {
                    "index": {"TYOTTOMATLOPUSSA": 0, "TYOTTOMATNAISET": 1},
                    "label": {"TYOTTOMATLOPUSSA": "Työttömät", "TYOTTOMATNAISET": "Naiset"},
                    "unit": {"TYOTTOMATLOPUSSA": {"base": "lkm.", "decimals": 0}},
                    "note": {"TYOTTOMATNAISET": ["1-4 salattu"]},
                },
            },
        },
        # row-major: Alue, then Kuukausi, then Tiedot
        "value": [350000, 160000, 352001, 162143, 9, None, 10, None],
        "status": {"5": "...", "7": "..."},
    }


def test_row_major_order_and_status_dict():
    table = parse_jsonstat2(_cube())
    assert table.value("TYOTTOMATLOPUSSA", Alue="SSS", Kuukausi="2026M06") == 352001
    assert table.value("TYOTTOMATNAISET", Alue="SSS", Kuukausi="2026M05") == 160000
    assert table.value("TYOTTOMATLOPUSSA", Alue="KU035", Kuukausi="2026M05") == 9
    assert table.status("TYOTTOMATNAISET", Alue="KU035", Kuukausi="2026M06") == "..."
    assert math.isnan(table.value("TYOTTOMATNAISET", Alue="KU035", Kuukausi="2026M06"))
    assert table.meta.geo_dim == "Alue" and table.meta.time_dim == "Kuukausi"
    assert table.meta.content("TYOTTOMATNAISET").note == "1-4 salattu"
    assert table.data["Kuukausi_label"].tolist()[:2] == ["2026M05", "2026M05"]


@pytest.mark.parametrize(
    "status",
    [
        [None, None, None, None, None, "...", None, "..."],
        {"5": "...", "7": "..."},
    ],
)
def test_status_as_list_or_dict(status):
    doc = _cube()
    doc["status"] = status
    table = parse_jsonstat2(doc)
    assert (table.data["status"] == "...").sum() == 2
    assert table.data["value"].isna().sum() == 2


def test_status_as_one_string_applies_to_every_cell():
    doc = _cube()
    doc["status"] = "p"
    table = parse_jsonstat2(doc)
    assert set(table.data["status"]) == {"p"}
    assert table.data["value"].notna().sum() == 6


def test_null_without_a_symbol_is_missing_not_zero():
    doc = _cube()
    del doc["status"]
    table = parse_jsonstat2(doc)
    nulls = table.data[table.data["value"].isna()]
    assert len(nulls) == 2 and set(nulls["status"]) == {"missing"}


def test_sparse_value_object():
    doc = _cube()
    doc["value"] = {"0": 350000, "2": 352001, "4": 9}
    table = parse_jsonstat2(doc)
    assert table.data["value"].notna().sum() == 3
    assert table.value("TYOTTOMATLOPUSSA", Alue="KU035", Kuukausi="2026M05") == 9


def test_dimension_order_in_id_does_not_change_the_table():
    doc = _cube()
    flipped = copy.deepcopy(doc)
    flipped["id"] = ["Tiedot", "Alue", "Kuukausi"]
    # re-lay the same cells out row-major over the new order
    cells = {}
    for a in range(2):
        for k in range(2):
            for t in range(2):
                cells[(t, a, k)] = doc["value"][a * 4 + k * 2 + t]
    flipped["value"] = [cells[(t, a, k)] for t in range(2) for a in range(2) for k in range(2)]
    flipped["status"] = {}
    doc["status"] = {}
    assert parse_jsonstat2(flipped).data.equals(parse_jsonstat2(doc).data)


def test_mismatched_size_and_value_length_is_refused():
    doc = _cube()
    doc["value"] = doc["value"][:-1]
    with pytest.raises(
        PxWebFormatError, match=r"cube\.json: 'value' holds 7 cells but 'size' needs 8"
    ):
        parse_jsonstat2(doc, source="cube.json")


def test_category_count_must_match_size():
    doc = _cube()
    doc["size"] = [3, 2, 2]
    with pytest.raises(PxWebFormatError, match="'Alue' lists 2 categories but 'size' says 3"):
        parse_jsonstat2(doc)


def test_time_is_found_by_its_codes_when_role_is_missing():
    doc = _cube()
    del doc["role"]["time"]
    assert parse_jsonstat2(doc).meta.time_dim == "Kuukausi"
    doc["dimension"]["Kuukausi"]["category"]["index"] = {"a": 0, "b": 1}
    with pytest.raises(PxWebFormatError, match="no time dimension"):
        parse_jsonstat2(doc)
