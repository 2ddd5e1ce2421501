"""Make ``tyonv_12r5_multimonth_fixture_pxweb-json.json``: SYNTHETIC monthly history in 12r5 format.

No public multi-month 12r5 file was found (see ``/work/shared/data/SOURCES.md``), but the trial
evaluation needs one to test "fetch history, then evaluate" offline. This script derives it from
the one real release, ``tyonv_12r5_2026M06_pxweb-json.json``, keeping its exact PxWeb ``json``
structure (``columns``/``comments``/``data``/``metadata``, numbers as strings, ``...`` for 1-4) and
labelling it synthetic in ``metadata.label``, ``metadata.source`` and ``comments``.

How the values are made (seeded, so the file is reproducible):

* every municipality (and the unknown buckets KU199, KUJOU) starts from its real 2026M06 value; a
  suppressed ``...`` starts from a random 1-4;
* unemployed jobseekers follow a national shape (a COVID-19-like rise in spring 2020, then a
  decline), a monthly seasonal pattern and an area-specific AR(1) deviation, drawn as Poisson counts
  so small municipalities vary more; other jobseekers, the services and the sub-groups (under 25,
  foreign, long-term unemployed: binomial shares of the unemployed) move with them; the labour force
  changes once a year, as the register's does;
* regions (MK##, MK91 = KU199, MKJO = KUJOU) and the country (SSS) are sums of their municipalities
  (municipality -> region from ``tests/data/municipality_key_2025.csv``), as in the real release;
  sub-regions and ELY areas are left out to keep the file small;
* TYOTOSUUS = TYOTTOMATLOPUSSA / TYOVOIMATK * 100 to one decimal; counts 1-4 become ``...`` and so
  does the rate when its numerator is suppressed (TEM's rule, DOMAIN.md B3).

There is no treatment effect in it: trial and other municipalities follow the same process.

Run from the repository root: ``python tests/data/statfin/make_multimonth_fixture.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "tyonv_12r5_2026M06_pxweb-json.json"
KEY = HERE.parent / "municipality_key_2025.csv"
OUT = HERE / "tyonv_12r5_multimonth_fixture_pxweb-json.json"
CONTENTS = (
    "HAKIJALOPUSSA",
    "TYOTTOMATLOPUSSA",
    "TYOVOIMATK",
    "TYOTOSUUS",
    "TYOTTOMAT25",
    "TYOTTOMATULK",
    "PITKAAIKAISTYOTTOMAT",
    "TYOLLISTETTYLOP",
    "TVKOULUTUSLOP",
    "MTPPALVELUTLOP",
)
SUBGROUPS = ("TYOTTOMAT25", "TYOTTOMATULK", "PITKAAIKAISTYOTTOMAT")
SERVICES = ("TYOLLISTETTYLOP", "TVKOULUTUSLOP", "MTPPALVELUTLOP")
#: National level of unemployed jobseekers relative to 2026M06 at anchor months (shape only).
NATIONAL_SHAPE = {
    "2020M01": 0.80,
    "2020M03": 0.85,
    "2020M04": 1.30,
    "2020M06": 1.35,
    "2020M12": 1.10,
    "2021M06": 1.00,
    "2021M12": 0.86,
    "2022M06": 0.82,
    "2022M12": 0.80,
}
#: Seasonal factor by calendar month (summer and winter peaks of the register), June = 1.
SEASON = np.array([1.01, 0.99, 0.96, 0.94, 0.93, 1.00, 1.01, 0.92, 0.89, 0.90, 0.93, 0.98])
SYNTHETIC = (
    "SYNTHETIC TEST FIXTURE made by tests/data/statfin/make_multimonth_fixture.py from the real "
    "12r5 release of 2026M06: not published statistics."
)


def months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y}M{m:02d}" <= last:
        out.append(f"{y}M{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def national_level(month_codes: list[str]) -> np.ndarray:
    anchors = sorted(NATIONAL_SHAPE)
    index = {
        code: i for i, code in enumerate(months(anchors[0], max(anchors[-1], month_codes[-1])))
    }
    x = np.array([index[a] for a in anchors])
    return np.interp([index[c] for c in month_codes], x, [NATIONAL_SHAPE[a] for a in anchors])


def simulate(
    base: dict[str, float], month_codes: list[str], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """True (unsuppressed) monthly values of one area from its 2026M06 values."""
    t = len(month_codes)
    season = SEASON[[int(c[5:]) - 1 for c in month_codes]]
    deviation = np.zeros(t)
    for i in range(1, t):
        deviation[i] = 0.8 * deviation[i - 1] + rng.normal(0, 0.03)
    level = national_level(month_codes) * season * np.exp(deviation)
    unemployed = rng.poisson(base["TYOTTOMATLOPUSSA"] * level)
    others = rng.poisson(
        max(base["HAKIJALOPUSSA"] - base["TYOTTOMATLOPUSSA"], 0) * (1 + 0.4 * (level - 1))
    )
    out = {"TYOTTOMATLOPUSSA": unemployed, "HAKIJALOPUSSA": unemployed + others}
    lagged = np.concatenate([np.full(12, level[0]), level])[:t]
    for code in SUBGROUPS:
        share = base[code] / base["TYOTTOMATLOPUSSA"] if base["TYOTTOMATLOPUSSA"] else 0.0
        if code == "PITKAAIKAISTYOTTOMAT":
            share = share * (1 + 0.5 * (lagged - 1))
        out[code] = rng.binomial(unemployed, np.clip(share, 0, 1))
    for code in SERVICES:
        out[code] = rng.poisson(
            base[code] * (1 + 0.3 * (level - 1)) * np.where(season > 1, 0.9, 1.0)
        )
    years = sorted({c[:4] for c in month_codes})
    by_year = {
        y: base["TYOVOIMATK"] * (1 + rng.normal(0, 0.004)) * (0.995 + 0.005 * i)
        for i, y in enumerate(years)
    }
    out["TYOVOIMATK"] = np.array([round(by_year[c[:4]]) for c in month_codes])
    return out


def published(values: dict[str, np.ndarray], i: int) -> list[str]:
    """One row of published strings: counts 1-4 suppressed, the rate with its numerator."""
    row = []
    for code in CONTENTS:
        if code == "TYOTOSUUS":
            unemployed, labour = values["TYOTTOMATLOPUSSA"][i], values["TYOVOIMATK"][i]
            if 1 <= unemployed <= 4:
                row.append("...")
            else:
                row.append(f"{round(100 * unemployed / labour, 1) if labour else 0.0:.1f}")
            continue
        value = int(values[code][i])
        row.append("..." if 1 <= value <= 4 else str(value))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--first", default="2020M01")
    parser.add_argument("--last", default="2022M12")
    parser.add_argument("--seed", type=int, default=20260721)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    real = json.loads(SOURCE.read_text(encoding="utf-8"))
    content_codes = [c["code"] for c in real["columns"] if c["type"] == "c"]
    rows = {r["key"][0]: dict(zip(content_codes, r["values"])) for r in real["data"]}
    region_of = {}
    with KEY.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            region_of[f"KU{int(rec['kunta']):03d}"] = f"MK{int(rec['maakunta_code']):02d}"
    region_of.update({"KU199": "MK91", "KUJOU": "MKJO"})
    month_codes = months(args.first, args.last)
    simulated = {}
    for area in [a for a in rows if a.startswith("KU")]:
        base = {
            c: float(v) if v != "..." else float(rng.integers(1, 5)) for c, v in rows[area].items()
        }
        simulated[area] = simulate(base, month_codes, rng)
    totals: dict[str, dict[str, np.ndarray]] = {}
    for area, values in simulated.items():
        for target in (region_of[area], "SSS"):
            acc = totals.setdefault(
                target, {c: np.zeros(len(month_codes), dtype=np.int64) for c in values}
            )
            for code, series in values.items():
                acc[code] += series
    order = (
        ["SSS"] + [a for a in rows if a.startswith("KU")] + [a for a in rows if a.startswith("MK")]
    )
    all_values = {**simulated, **totals}
    data = [
        {"key": [area, month], "values": published(all_values[area], i)}
        for area in order
        for i, month in enumerate(month_codes)
    ]
    columns = [c for c in real["columns"] if c["type"] != "c" or c["code"] in CONTENTS]
    head = real["metadata"][0]
    doc = {
        "columns": columns,
        "comments": [{"variable": "", "value": "", "comment": SYNTHETIC}],
        "data": data,
        "metadata": [
            {
                "updated": head["updated"],
                "label": f"[SYNTHETIC, derived] {head['label']}",
                "source": f"vaikutus synthetic fixture derived from {head['source']} "
                "(12r5, 2026M06)",
            }
        ],
    }
    args.out.write_text(
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    print(
        f"wrote {args.out}: {len(order)} areas x {len(month_codes)} months"
        f" x {len(CONTENTS)} contents"
    )


if __name__ == "__main__":
    main()
