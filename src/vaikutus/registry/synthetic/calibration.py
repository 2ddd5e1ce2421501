"""Real municipal targets the synthetic register is calibrated to (StatFin 12r5, 2026M06).

The generator places persons over municipalities in proportion to the real labour force
(TYOVOIMATK) and tunes each municipality's hazards so that its unemployed share of the labour force
approaches the real TYOTOSUUS; the foreign and under-25 columns shape the local population mix.

Source: KEHA-keskus, Työnvälitystilasto, StatFin table 12r5 ("Työttömät työnhakijat eri ryhmissä,
palveluissa olevat ja avoimet työpaikat kuukauden lopussa"), month 2026M06, updated 2026-07-21,
licence CC BY 4.0. ``calibration_12r5_2026M06.csv`` beside this module is a copy of the columns
used, made by :func:`build_calibration_csv` from the saved PxWeb ``json`` response; suppressed cells
(``...``, a count of 1-4) are left empty in the file and read as 2 by :func:`load_calibration`.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pandas as pd

CALIBRATION_FILE = "calibration_12r5_2026M06.csv"

#: 12r5 content code -> column name of the calibration file.
COLUMNS = {
    "TYOVOIMATK": "labour_force",
    "TYOTTOMATLOPUSSA": "unemployed",
    "TYOTOSUUS": "unemployment_share",
    "HAKIJALOPUSSA": "jobseekers",
    "TYOTTOMATULK": "foreign_unemployed",
    "TYOTTOMAT25": "under25_unemployed",
    "TYOTTOMAT50": "over50_unemployed",
    "TYOTTOMATSAIR": "disabled_unemployed",
    "PITKAAIKAISTYOTTOMAT": "ltu",
    "KASSASSA": "fund_members",
    "LOMAUTETTU": "laid_off",
    "LYHTYOVKO": "short_week",
    "TYOLLISTETTYLOP": "subsidised_employed",
    "KOKEILULOP": "work_trial",
    "TVKOULUTUSLOP": "labour_market_training",
    "VALMENNUSLOP": "coaching",
    "MTPPALVELUTLOP": "other_services",
}
#: Value read for a suppressed cell (the published count is 1-4).
SUPPRESSED_VALUE = 2


def build_calibration_csv(pxweb_json: Path, out_csv: Path) -> int:
    """Copy the municipal rows (``KU###``; not the unknown ``KU199`` or ``KUJOU``) of a saved 12r5 ``json`` response.

    Returns the number of municipalities written. Content values are matched by the ``type == 'c'``
    columns because PxWeb's ``values`` hold only content cells (DOMAIN.md section D).
    """
    raw = json.loads(Path(pxweb_json).read_text(encoding="utf-8"))
    content = [c["code"] for c in raw["columns"] if c["type"] == "c"]
    missing = sorted(set(COLUMNS) - set(content))
    if missing:
        raise ValueError(f"{pxweb_json}: content columns {missing} are missing")
    rows = []
    for i, rec in enumerate(raw["data"]):
        area = rec["key"][0]
        if not (area.startswith("KU") and area[2:].isdigit()) or area == "KU199":
            continue
        if len(rec["values"]) != len(content):
            raise ValueError(
                f"{pxweb_json}: data[{i}] has {len(rec['values'])} values, expected {len(content)}"
            )
        values = dict(zip(content, rec["values"]))
        rows.append(
            {
                "municipality": area[2:],
                **{
                    name: "" if values[code] == "..." else values[code]
                    for code, name in COLUMNS.items()
                },
            }
        )
    rows.sort(key=lambda r: r["municipality"])
    with Path(out_csv).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["municipality", *COLUMNS.values()], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def load_calibration() -> pd.DataFrame:
    """The municipal targets (2025 division), suppressed counts read as 2, the share recomputed."""
    path = resources.files("vaikutus.registry.synthetic").joinpath(CALIBRATION_FILE)
    with path.open("rb") as fh:
        frame = pd.read_csv(fh, dtype={"municipality": str})
    counts = [c for c in COLUMNS.values() if c != "unemployment_share"]
    frame[counts] = frame[counts].fillna(SUPPRESSED_VALUE).astype("int64")
    frame["unemployment_share"] = 100.0 * frame["unemployed"] / frame["labour_force"]
    return frame
