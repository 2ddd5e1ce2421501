"""Make the JSON-stat 2.0 version of the SYNTHETIC 12r5 history, and the table metadata a PxWeb API gives.

Writes, next to this script:

* ``tyonv_12r5_history_fixture_json-stat2.json`` - 2020M01-2022M12 for SSS, every municipality and
  region and the unknown-area buckets, the ten content columns of the multi-month fixture. The
  *values* are those of ``tyonv_12r5_multimonth_fixture_pxweb-json.json`` (made up, seeded, see
  ``make_multimonth_fixture.py``: not published statistics). The *format* is StatFin's JSON-stat 2.0
  response as in the saved real ``jsonstat2_sample_velk_13kt_fi.json`` (``class``, ``label``,
  ``source``, ``updated``, ``id``, ``size``, ``dimension`` with ``category.index``/``label`` and the
  metric's ``unit``, ``link.describedby`` SCALE-TYPE extensions, flat row-major ``value``, ``role``,
  ``version``, ``extension.px``), with 12r5's dimensions and codes as the real 12r5 response has them
  (``Alue``, ``timeperiod_m``, the content codes and texts). Withheld cells are ``null`` in ``value``
  with ``...`` in ``status`` (JSON-stat's way; DOMAIN.md D). Labelled synthetic in ``label``,
  ``source`` and ``note``.
* ``tyonv_12r5_history_fixture_metadata.json`` - the table's GET metadata (``title``,
  ``variables`` with ``code``/``text``/``values``/``valueTexts``/``time``/``elimination``) in the
  format of the saved real ``pxweb_metadata_sample_velk_13kt_fi.json``, listing the same codes.

Area texts come from ``tests/data/municipality_key_2025.csv`` (StatFin's own texts may differ in
details such as capitals of "KOKO MAA"). The test's fake PxWeb server (``tests/registry/pxweb/
fake_http_pxweb.py``) answers any query on this table by slicing the cube.

Run from the repository root: ``python tests/data/statfin/make_jsonstat2_history.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "tyonv_12r5_multimonth_fixture_pxweb-json.json"
KEY = HERE.parent / "municipality_key_2025.csv"
CUBE = HERE / "tyonv_12r5_history_fixture_json-stat2.json"
METADATA = HERE / "tyonv_12r5_history_fixture_metadata.json"
TABLE_ID = "statfin_tyonv_pxt_12r5"
SPECIAL_AREAS = {"SSS": "KOKO MAA", "KU199": "Kunta tuntematon", "KUJOU": "Kunta tuntematon (jou)",
                 "MK91": "Maakunta tuntematon", "MKJO": "Maakunta tuntematon (jou)"}


def area_texts() -> dict[str, str]:
    texts = dict(SPECIAL_AREAS)
    with KEY.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts[f"KU{int(row['kunta']):03d}"] = row["municipality_name_fi"]
            texts[f"MK{int(row['maakunta_code']):02d}"] = row["maakunta_name_fi"]
    return texts


def unit(text: str) -> dict:
    return {"base": "%", "decimals": 1} if text.endswith("(%)") else {"base": "lkm.", "decimals": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out-dir", type=Path, default=HERE)
    out = parser.parse_args().out_dir
    doc = json.loads(SOURCE.read_text(encoding="utf-8"))
    contents = [c for c in doc["columns"] if c["type"] == "c"]
    codes = [c["code"] for c in contents]
    areas = list(dict.fromkeys(r["key"][0] for r in doc["data"]))
    months = sorted({r["key"][1] for r in doc["data"]})
    cells = {(r["key"][0], r["key"][1]): r["values"] for r in doc["data"]}
    texts = area_texts()
    value, status = [], {}
    for area in areas:
        for month in months:
            for k, text in enumerate(cells[(area, month)]):
                if text == "...":
                    status[str(len(value))] = "..."
                    value.append(None)
                else:
                    number = float(text)
                    value.append(int(number) if number.is_integer() and codes[k] != "TYOTOSUUS" else number)
    head = doc["metadata"][0]
    note = doc["comments"][0]["comment"]
    cube = {
        "class": "dataset",
        "label": head["label"],
        "source": head["source"],
        "updated": head["updated"],
        "note": [note],
        "id": ["Alue", "timeperiod_m", "Tiedot"],
        "size": [len(areas), len(months), len(codes)],
        "dimension": {
            "Alue": {
                "label": "Alue",
                "category": {"index": {a: i for i, a in enumerate(areas)}, "label": {a: texts[a] for a in areas}},
                "link": {"describedby": [{"extension": {"Alue": "SCALE-TYPE=nominal"}}]},
            },
            "timeperiod_m": {
                "label": "Kuukausi",
                "category": {"index": {m: i for i, m in enumerate(months)}, "label": {m: m for m in months}},
                "link": {"describedby": [{"extension": {"timeperiod_m": "SCALE-TYPE=None"}}]},
            },
            "Tiedot": {
                "label": "Tiedot",
                "category": {
                    "index": {c: i for i, c in enumerate(codes)},
                    "label": {c["code"]: c["text"] for c in contents},
                    "unit": {c["code"]: unit(c["text"]) for c in contents},
                },
            },
        },
        "value": value,
        "status": status,
        "role": {"time": ["timeperiod_m"], "metric": ["Tiedot"]},
        "version": "2.0",
        "extension": {"px": {"tableid": TABLE_ID, "decimals": 1}},
    }
    metadata = {
        "title": head["label"],
        "variables": [
            {"code": "Alue", "text": "Alue", "values": areas, "valueTexts": [texts[a] for a in areas],
             "elimination": True},
            {"code": "timeperiod_m", "text": "Kuukausi", "values": months, "valueTexts": months, "time": True},
            {"code": "Tiedot", "text": "Tiedot", "values": codes, "valueTexts": [c["text"] for c in contents]},
        ],
    }
    (out / CUBE.name).write_text(json.dumps(cube, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (out / METADATA.name).write_text(json.dumps(metadata, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {CUBE.name} ({len(value)} cells, {len(status)} withheld) and {METADATA.name}")


if __name__ == "__main__":
    main()
