"""StatFin codes in our terms: areas, periods, the keyed frame."""

from __future__ import annotations

import pandas as pd
import pytest

from vaikutus.registry.pxweb import (
    PxWebFormatError,
    area_of,
    detect_format,
    keyed,
    parse_bytes,
    period_label,
    to_period,
)
from vaikutus.registry.pxweb.codes import time_dimension_score


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("SSS", ("country", "SSS")),
        ("KU091", ("municipality", "091")),
        ("KU005", ("municipality", "005")),
        ("MK01", ("region", "01")),
        ("MK21", ("region", "21")),
        ("SK011", ("subregion", "011")),
        ("ELY01", ("ely", "01")),
        ("KU199", ("unknown", "KU199")),
        ("KUJOU", ("unknown", "KUJOU")),
        ("MKJO", ("unknown", "MKJO")),
        ("MK91", ("unknown", "MK91")),
        ("SKJOU", ("unknown", "SKJOU")),
        ("ELYJO", ("unknown", "ELYJO")),
        ("ELY80", ("unknown", "ELY80")),
    ],
)
def test_area_codes(code, expected):
    assert area_of(code) == expected


@pytest.mark.parametrize("code", ["091", "KU91", "KU0911", "MK1", "2513", "sss", ""])
def test_non_area_codes_are_refused(code):
    with pytest.raises(PxWebFormatError, match="is not a StatFin area code"):
        area_of(code)


def test_periods():
    assert period_label("2026M06") == "2026-06"
    assert period_label("2026Q2") == "2026Q2"
    assert period_label("2026") == "2026"
    assert to_period("2026M06") == pd.Period("2026-06", freq="M")
    assert to_period("2026Q2").start_time == pd.Timestamp("2026-04-01")
    assert to_period("2021M01") < to_period("2026M06")
    for bad in ("2026M13", "2026M6", "2026Q5", "26", "2026-06"):
        with pytest.raises(PxWebFormatError, match="is not a month"):
            to_period(bad)


def test_time_scores_prefer_months_over_year_like_codes():
    assert time_dimension_score(["2026M05", "2026M06"]) == 2
    assert time_dimension_score(["2513", "2514"]) == 1  # 12ti occupations look like years
    assert time_dimension_score(["SSS", "2026M06"]) == 0


def test_keyed_frame(t12r5):
    frame = keyed(t12r5)
    helsinki = frame[(frame["Alue"] == "KU091") & (frame["content"] == "TYOTTOMATLOPUSSA")].iloc[0]
    assert (
        helsinki["area_type"],
        helsinki["area_code"],
        helsinki["period"],
        helsinki["value"],
    ) == (
        "municipality",
        "091",
        "2026-06",
        52578,
    )
    assert len(frame) == len(t12r5.data)


def test_formats_are_recognised_by_content(t12r5):
    from vaikutus.registry.pxweb import write_csv, write_px

    assert detect_format(b'{"columns": [], "data": []}') == "json"
    assert detect_format(b'\xef\xbb\xbf {"class": "dataset", "id": [], "size": []}') == "json-stat2"
    assert detect_format(write_px(t12r5).encode()) == "px"
    assert detect_format(write_csv(t12r5).encode()) == "csv"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "unknown format: binary content"),
        (b'{"version": "1.0", "dataset": {}}', "neither PxWeb json nor a JSON-stat 2.0 dataset"),
        (b'{"columns": [', "not valid JSON"),
    ],
)
def test_unknown_formats_are_named(raw, message):
    with pytest.raises(PxWebFormatError, match=f"download.bin: .*{message}"):
        parse_bytes(raw, name="download.bin")
