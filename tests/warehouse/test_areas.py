"""Municipality codes of either division map to the 2025 areas; trial membership stays 2021."""

from __future__ import annotations

import pandas as pd

from vaikutus.reference import municipalities
from vaikutus.warehouse.areas import municipality_areas


def test_every_code_of_both_divisions_maps_to_a_2025_municipality():
    areas = municipality_areas().to_pandas().set_index("code")
    assert set(areas.index) == set(municipalities(2021)["code"]) | set(municipalities(2025)["code"])
    assert set(areas["municipality"]) == set(municipalities(2025)["code"])
    assert areas["region"].notna().all() and areas["employment_area"].notna().all()


def test_pertunmaa_takes_mantyharju_areas_but_not_its_trial():
    areas = municipality_areas().to_pandas().set_index("code")
    assert areas.loc["588", ["municipality", "region", "employment_area"]].tolist() == ["507", "10", 23]
    assert areas.loc["507", "trial_area"] == "T02" and pd.isna(areas.loc["588", "trial_area"])
    assert areas["trial_area"].notna().sum() == 118  # 25 areas, 118 municipalities
