"""PxWeb CSV: StatFin's comma and semicolon variants, with and without metadata, round trips."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from vaikutus.registry.pxweb import PxWebFormatError, parse_csv, read_table, to_metadata, write_csv

# Semicolon download with the title line: codes in the stub (csv3 style), heading = content x month,
# decimal commas, the confidentiality symbol quoted.
SEMICOLON = """\ufeff"Työttömät työnhakijat muuttujina Alue, Kuukausi ja Tiedot"

"Alue";"Työttömät työnhakijat (lkm.) 2026M05";"Työttömät työnhakijat (lkm.) 2026M06";\
"Työttömien osuus (%) 2026M05";"Työttömien osuus (%) 2026M06"
"SSS";350000;352001;12,9;12,8
"KU035";9;10;"...";4,6
"KU091";51234;52578;13,9;14,2
"""

# Comma download with texts; codes come from the table's GET metadata.
COMMA_TEXTS = """"Alue","Kuukausi","Työttömät työnhakijat (lkm.)","Työttömien osuus (%)"
"KOKO MAA","2026M06",352001,12.8
"Brändö","2026M06",10,4.6
"Helsinki","2026M06",52578,14.2
"""
METADATA = {
    "title": "12r5",
    "variables": [
        {
            "code": "Alue",
            "text": "Alue",
            "values": ["SSS", "KU035", "KU091"],
            "valueTexts": ["KOKO MAA", "Brändö", "Helsinki"],
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
            "values": ["TYOTTOMATLOPUSSA", "TYOTOSUUS"],
            "valueTexts": ["Työttömät työnhakijat (lkm.)", "Työttömien osuus (%)"],
        },
    ],
}


def test_semicolon_download_with_periods_in_the_header():
    table = parse_csv(SEMICOLON.encode("utf-8"), source="12r5.csv")
    meta = table.meta
    assert meta.title == "Työttömät työnhakijat muuttujina Alue, Kuukausi ja Tiedot"
    assert meta.time_dim == "time" and meta.geo_dim == "Alue"
    assert meta.dimension("time").values == ("2026M05", "2026M06")
    assert [c.label for c in meta.contents] == [
        "Työttömät työnhakijat (lkm.)",
        "Työttömien osuus (%)",
    ]
    assert meta.contents[1].decimals == 1 and meta.contents[1].unit == "%"
    assert table.value("Työttömät työnhakijat (lkm.)", Alue="SSS", time="2026M06") == 352001
    assert table.value("Työttömien osuus (%)", Alue="KU091", time="2026M06") == 14.2
    assert table.status("Työttömien osuus (%)", Alue="KU035", time="2026M05") == "..."
    assert math.isnan(table.value("Työttömien osuus (%)", Alue="KU035", time="2026M05"))


def test_comma_texts_with_metadata_give_codes():
    table = parse_csv(COMMA_TEXTS, metadata=METADATA)
    assert [d.code for d in table.meta.dimensions] == ["Alue", "timeperiod_m"]
    assert table.meta.time_dim == "timeperiod_m" and table.meta.metric_dim == "Tiedot"
    assert table.meta.dimension("Alue").value_labels == ("KOKO MAA", "Brändö", "Helsinki")
    assert table.value("TYOTOSUUS", Alue="KU035", timeperiod_m="2026M06") == 4.6
    assert table.value("TYOTTOMATLOPUSSA", Alue="SSS", timeperiod_m="2026M06") == 352001


def test_metadata_decodes_heading_combinations_too():
    header_codes = parse_csv(
        SEMICOLON.replace('"SSS"', '"KOKO MAA"')
        .replace('"KU035"', '"Brändö"')
        .replace('"KU091"', '"Helsinki"'),
        metadata=METADATA,
    )
    assert header_codes.meta.time_dim == "timeperiod_m"
    assert header_codes.value("TYOTOSUUS", Alue="KU091", timeperiod_m="2026M05") == 13.9


def test_unknown_text_under_metadata_is_named():
    with pytest.raises(PxWebFormatError, match="'Espoo' is not a value of 'Alue'"):
        parse_csv(COMMA_TEXTS.replace("Helsinki", "Espoo"), metadata=METADATA, source="x.csv")


def test_text_in_a_data_column_is_named():
    broken = SEMICOLON.replace(";52578;", ';"kaksi";')
    with pytest.raises(
        PxWebFormatError,
        match=r"column 'Työttömät työnhakijat \(lkm\.\) 2026M06' mixes data with the text 'kaksi'",
    ):
        parse_csv(broken)


def test_ragged_row_is_named():
    with pytest.raises(PxWebFormatError, match=r"bad\.csv: line 6 has 4 fields but the header 5"):
        parse_csv(SEMICOLON.replace(";13,9;14,2", ";13,9"), source="bad.csv")


def test_header_without_a_period_means_no_time():
    no_time = COMMA_TEXTS.replace('"Kuukausi",', "").replace('"2026M06",', "")
    with pytest.raises(PxWebFormatError, match="names no period"):
        parse_csv(no_time)


def _comparable(table):
    """CSV carries no source, stamp, notes or table id: compare the rest."""
    contents = tuple(replace(c, note=None) for c in table.meta.contents)
    return replace(
        table.meta,
        format="",
        source_file=None,
        source=None,
        updated=None,
        notes=(),
        contents=contents,
        metric_dim=None,
        metric_label=None,
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_round_trip_with_texts_and_metadata(t12r5, tmp_path, delimiter):
    path = tmp_path / "12r5.csv"
    write_csv(t12r5, path, delimiter=delimiter, title=True)
    back = parse_csv(path.read_bytes(), metadata=to_metadata(t12r5))
    pd.testing.assert_frame_equal(back.data, t12r5.data)
    assert _comparable(back) == _comparable(t12r5)


def test_round_trip_with_codes_needs_no_metadata(t12r5, tmp_path):
    path = tmp_path / "12r5.csv"
    write_csv(t12r5, path, codes=True, delimiter=";")
    back = read_table(path)
    assert back.meta.format == "csv"
    pd.testing.assert_frame_equal(back.data, t12r5.data)
    assert [d.role for d in back.meta.dimensions] == ["geo", "time"]


def test_semicolon_file_writes_decimal_commas(t12r5):
    text = write_csv(t12r5, delimiter=";")
    assert ";12,8;" in text and '"..."' in text
