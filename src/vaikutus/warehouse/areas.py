"""Municipality code -> the areas the panel reports: 2025 municipality, region, employment area,
and the 2021 trial area with its period.

Registers carry municipality codes of the division in force when the record was made, so a
2015-2024 record may hold Pertunmaa (588), merged into Mäntyharju (507) on 1.1.2025. The panel
harmonises every code to the 2025 division (DOMAIN C1: "harmonise panels to the 2025 division by
summing 588 into 507") and takes region and employment area from there. Trial membership is a fact
of the 2021 division and stays keyed on the code as recorded: Pertunmaa was not a trial
municipality although Mäntyharju was.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pyarrow as pa

from vaikutus.reference import area_hierarchy, municipalities, trial_areas

#: Municipalities of the 2021 division merged since, with their 2025 successor.
MERGED_MUNICIPALITIES = {"588": "507"}  # Pertunmaa -> Mäntyharju, 1.1.2025


@lru_cache(maxsize=1)
def municipality_areas() -> pa.Table:
    """One row per municipality code of the 2021 or 2025 division.

    Columns: code (as recorded), municipality (2025 code), region, employment_area (int64),
    trial_area (2021 trial area code or null), trial_start, trial_end (dates or null).
    """
    current = area_hierarchy(2025)[["municipality", "region", "employment_area"]]
    codes_2025 = set(current["municipality"])
    codes = sorted(set(municipalities(2021)["code"]) | codes_2025)
    successor = {code: MERGED_MUNICIPALITIES.get(code, code) for code in codes}
    unmapped = sorted(c for c, s in successor.items() if s not in codes_2025)
    if unmapped:
        raise ValueError(f"municipality codes {unmapped} have no 2025 successor in MERGED_MUNICIPALITIES")
    codes_map = pd.DataFrame({"code": list(successor), "municipality": list(successor.values())})
    out = codes_map.merge(current, on="municipality")
    trials = trial_areas().rename(
        columns={"municipality": "code", "trial_area_code": "trial_area", "start": "trial_start", "end": "trial_end"}
    )[["code", "trial_area", "trial_start", "trial_end"]]
    out = out.merge(trials, on="code", how="left").sort_values("code", ignore_index=True)
    return pa.table(
        {
            "code": pa.array(out["code"], pa.string()),
            "municipality": pa.array(out["municipality"], pa.string()),
            "region": pa.array(out["region"], pa.string()),
            "employment_area": pa.array(out["employment_area"].astype("Int64"), pa.int64()),
            "trial_area": pa.array(out["trial_area"], pa.string()),
            "trial_start": pa.array(out["trial_start"].dt.date, pa.date32()),
            "trial_end": pa.array(out["trial_end"].dt.date, pa.date32()),
        }
    )
