"""PX files: a StatFin-style two-language file, the writer's round trip, and refusals."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from vaikutus.registry.pxweb import PxWebFormatError, parse_bytes, parse_px, read_table, write_px

# The shape of a StatFin PX download (keywords as in Statistics Finland's own PxApi fixtures):
# CODEPAGE, two languages, a title split over two lines, CODES beside VALUES, VARIABLECODE,
# VARIABLE-TYPE and TIMEVAL, per-content PRECISION/UNITS/LAST-UPDATED, quoted symbols in DATA.
STATFIN_PX = """CHARSET="ANSI";
AXIS-VERSION="2013";
CODEPAGE="iso-8859-15";
LANGUAGE="fi";
LANGUAGES="fi","sv";
CREATION-DATE="20260721 08:00";
TABLEID="statfin_tyonv_pxt_12r5";
DECIMALS=1;
SHOWDECIMALS=0;
MATRIX="12r5";
SUBJECT-CODE="tyonv";
SUBJECT-AREA="tyonv";
TITLE="Työttömät työnhakijat muuttujina Alue, "
"Kuukausi ja Tiedot";
TITLE[sv]="Arbetslösa arbetssökande efter Område, Månad och Uppgifter";
CONTENTS="Työttömät työnhakijat";
UNITS="lkm.";
STUB="Alue";
STUB[sv]="Område";
HEADING="Kuukausi","Tiedot";
HEADING[sv]="Månad","Uppgifter";
CONTVARIABLE="Tiedot";
CONTVARIABLE[sv]="Uppgifter";
VALUES("Alue")="KOKO MAA","Brändö","Helsinki";
VALUES[sv]("Område")="HELA LANDET","Brändö","Helsingfors";
VALUES("Kuukausi")="2026M05","2026M06*";
VALUES[sv]("Månad")="2026M05","2026M06*";
VALUES("Tiedot")="Työttömät työnhakijat (lkm.)","Työttömien osuus (%)";
VALUES[sv]("Uppgifter")="Arbetslösa arbetssökande (antal)","Andel arbetslösa (%)";
CODES("Alue")="SSS","KU035","KU091";
CODES("Kuukausi")="2026M05","2026M06";
CODES("Tiedot")="TYOTTOMATLOPUSSA","TYOTOSUUS";
VARIABLECODE("Kuukausi")="timeperiod_m";
VARIABLE-TYPE("Kuukausi")="Time";
TIMEVAL("Kuukausi")=TLIST(M1),"202605","202606";
PRECISION("Tiedot","Työttömien osuus (%)")=1;
PRECISION[sv]("Uppgifter","Andel arbetslösa (%)")=1;
UNITS("Työttömät työnhakijat (lkm.)")="lkm.";
UNITS[sv]("Arbetslösa arbetssökande (antal)")="antal";
UNITS("Työttömien osuus (%)")="%";
LAST-UPDATED("Työttömät työnhakijat (lkm.)")="20260721 08:00";
LAST-UPDATED("Työttömien osuus (%)")="20260721 08:00";
SOURCE="KEHA-keskus, Työnvälitystilasto";
SOURCE[sv]="KEHA-centret, Arbetsförmedlingsstatistik";
NOTE="Symboli ... = salassapitosäännön alainen.#Luvut ovat kuukauden laskentapäivältä.";
DATA=
350000 12.9 352001 12.8
9 "..." 10 4.6
"-" 10.1 "..." ".."
;
"""


@pytest.fixture(scope="module")
def statfin_px() -> bytes:
    return STATFIN_PX.encode("iso-8859-15")


def test_statfin_style_file(statfin_px):
    table = parse_px(statfin_px, source="12r5.px")
    meta = table.meta
    assert meta.title == "Työttömät työnhakijat muuttujina Alue, Kuukausi ja Tiedot"
    assert meta.table_id == "statfin_tyonv_pxt_12r5" and meta.language == "fi"
    assert (
        meta.time_dim == "timeperiod_m" and meta.geo_dim == "Alue" and meta.metric_dim == "Tiedot"
    )
    assert meta.dimension("timeperiod_m").values == ("2026M05", "2026M06")
    assert meta.dimension("timeperiod_m").value_labels == ("2026M05", "2026M06*")
    assert meta.dimension("Alue").value_labels == ("KOKO MAA", "Brändö", "Helsinki")
    assert [(c.code, c.unit, c.decimals) for c in meta.contents] == [
        ("TYOTTOMATLOPUSSA", "lkm.", 0),
        ("TYOTOSUUS", "%", 1),
    ]
    assert meta.notes == (
        "Symboli ... = salassapitosäännön alainen.",
        "Luvut ovat kuukauden laskentapäivältä.",
    )
    assert meta.updated.isoformat() == "2026-07-21T08:00:00+00:00"
    assert table.value("TYOTTOMATLOPUSSA", Alue="SSS", timeperiod_m="2026M06") == 352001
    assert table.value("TYOTOSUUS", Alue="KU035", timeperiod_m="2026M06") == 4.6
    for area, month, content, symbol in [
        ("KU035", "2026M05", "TYOTOSUUS", "..."),
        ("KU091", "2026M05", "TYOTTOMATLOPUSSA", "-"),
        ("KU091", "2026M06", "TYOTTOMATLOPUSSA", "..."),
        ("KU091", "2026M06", "TYOTOSUUS", ".."),
    ]:
        assert table.status(content, Alue=area, timeperiod_m=month) == symbol
        assert math.isnan(table.value(content, Alue=area, timeperiod_m=month))


def test_second_language_keeps_the_codes(statfin_px):
    fi = parse_px(statfin_px)
    sv = parse_px(statfin_px, language="sv")
    assert sv.meta.language == "sv"
    assert sv.meta.title.startswith("Arbetslösa")
    assert sv.meta.dimension("Alue").label == "Område"
    assert sv.meta.dimension("Alue").value_labels == ("HELA LANDET", "Brändö", "Helsingfors")
    assert sv.meta.content("TYOTTOMATLOPUSSA").unit == "antal"
    assert sv.meta.content("TYOTOSUUS").decimals == 1
    columns = ["Alue", "timeperiod_m", "content", "value", "status"]
    pd.testing.assert_frame_equal(sv.data[columns], fi.data[columns])
    with pytest.raises(PxWebFormatError, match="language 'en' is not in the file's LANGUAGES"):
        parse_px(statfin_px, language="en")


def test_detected_by_content_not_name(statfin_px, tmp_path):
    path = tmp_path / "download.txt"
    path.write_bytes(statfin_px)
    assert read_table(path).meta.format == "px"


def _comparable(table):
    """The metadata a written file must carry back (file, format, content-variable name aside)."""
    return replace(table.meta, format="", source_file=None, metric_dim=None, metric_label=None)


def test_round_trip_of_the_real_12r5(t12r5, tmp_path):
    path = tmp_path / "12r5.px"
    write_px(t12r5, path)
    back = read_table(path)
    pd.testing.assert_frame_equal(back.data, t12r5.data)
    assert _comparable(back) == _comparable(t12r5)
    assert back.meta.metric_dim == "Tiedot"


def test_round_trip_of_a_multi_language_file(statfin_px):
    for language in ("fi", "sv"):
        table = parse_px(statfin_px, language=language)
        back = parse_px(write_px(table))
        pd.testing.assert_frame_equal(back.data, table.data)
        assert _comparable(back) == _comparable(table)


def test_written_long_lists_and_texts_stay_within_lines(t12r5):
    text = write_px(t12r5)
    header = text[: text.index("DATA=")]
    assert max(len(line) for line in header.splitlines()) <= 260
    assert 'VARIABLECODE("Kuukausi")="timeperiod_m";' in text
    assert '"..."' in text and "4.6" in text


def test_wrong_cell_count_is_refused(statfin_px):
    broken = statfin_px.replace(b'".."\n;', b";")
    with pytest.raises(
        PxWebFormatError, match=r"x\.px: DATA has 11 cells but STUB x HEADING needs 12"
    ):
        parse_bytes(broken, name="x.px")


def test_keys_files_are_refused(statfin_px):
    keyed = statfin_px.replace(b"DATA=", b'KEYS("Alue")=CODES;\nDATA=')
    with pytest.raises(PxWebFormatError, match="KEYS"):
        parse_px(keyed)


def test_missing_values_and_unclosed_quotes_are_named(statfin_px):
    with pytest.raises(PxWebFormatError, match="no VALUES for variable 'Alue'"):
        parse_px(statfin_px.replace(b'VALUES("Alue")', b'VALUEZ("Alue")'))
    with pytest.raises(PxWebFormatError, match="unclosed quote"):
        parse_px(statfin_px.replace(b'".."\n;', b'"..\n;'))
    with pytest.raises(PxWebFormatError, match="no DATA keyword"):
        parse_px(statfin_px[: statfin_px.index(b"DATA=")])


def test_without_codepage_latin1_is_read():
    latin = STATFIN_PX.replace('CODEPAGE="iso-8859-15";\n', "").encode("iso-8859-1")
    assert parse_px(latin).meta.dimension("Alue").value_labels[1] == "Brändö"
