"""Reference data shipped with the package: municipalities, regions, employment areas, the 2021
trial areas, public holidays and (in ``geo/``) boundaries.

Everything here is real public data except where a column says otherwise (the 2021 trial-area
list is completed by a labelled synthetic assignment, see ``SOURCES.md``). Loaders return fresh
pandas DataFrames with codes as zero-padded strings (municipality ``'091'``, region ``'01'``) and
employment areas as integers, the shapes every later stage joins on.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from vaikutus.reference.calendar import counting_day, finnish_holidays

__all__ = [
    "municipalities",
    "employment_areas",
    "regions",
    "trial_areas",
    "area_hierarchy",
    "counting_day",
    "finnish_holidays",
    "data_path",
    "boundaries",
    "BOUNDARY_LEVELS",
]

MUNICIPALITY_YEARS = (2021, 2025)


#: Map layers shipped in ``geo/`` (WGS84 GeoJSON, feature property ``code``).
BOUNDARY_LEVELS = {
    "municipality": "municipalities_2025.geojson",
    "region": "regions_2025.geojson",
    "employment_area": "employment_areas_2025.geojson",
    "trial_area": "trial_areas_2021.geojson",
}


def boundaries(level: str) -> dict:
    """Boundary polygons of an area level as a GeoJSON FeatureCollection (codes as in the tables).

    Municipalities are the 2025 division; regions, employment areas and trial areas are dissolved
    from them by ``scripts/build_geo.py``.
    """
    import json

    if level not in BOUNDARY_LEVELS:
        raise ValueError(f"no boundaries for level {level!r}; use one of {sorted(BOUNDARY_LEVELS)}")
    path = resources.files("vaikutus.reference").joinpath("geo", BOUNDARY_LEVELS[level])
    return json.loads(path.read_text(encoding="utf-8"))


def data_path(name: str):
    """Path of a file shipped in ``vaikutus/reference/data``."""
    return resources.files("vaikutus.reference").joinpath("data", name)


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    with data_path(name).open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def municipalities(year: int = 2025) -> pd.DataFrame:
    """Municipalities of the given division (2021: trial period, 309; 2025: current, 308).

    Columns: code, name_fi, name_sv, name_en, region_code, region_name_fi, region_name_sv,
    region_name_en, subregion_code, subregion_name_fi, language_ratio (kielisuhde code),
    employment_area_code (Int64; only for 2025, Åland = 46 outside the reform).
    """
    if year not in MUNICIPALITY_YEARS:
        raise ValueError(f"municipality division {year} is not shipped; use one of {MUNICIPALITY_YEARS}")
    raw = _read(f"municipality_key_{year}.csv")
    out = pd.DataFrame(
        {
            "code": raw["kunta"].str.zfill(3),
            "name_fi": raw["municipality_name_fi"],
            "name_sv": raw["municipality_name_sv"],
            "name_en": raw["municipality_name_en"],
            "region_code": raw["maakunta_code"].str.zfill(2),
            "region_name_fi": raw["maakunta_name_fi"],
            "region_name_sv": raw["maakunta_name_sv"],
            "region_name_en": raw["maakunta_name_en"],
            "subregion_code": raw["seutukunta_code"].str.zfill(3),
            "subregion_name_fi": raw["seutukunta_name_fi"],
            "language_ratio": raw["kielisuhde_code"],
        }
    )
    if "tyollisyysalue_code" in raw:
        out["employment_area_code"] = pd.array(raw["tyollisyysalue_code"].astype(int), dtype="Int64")
    else:
        out["employment_area_code"] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out.sort_values("code", ignore_index=True)


def employment_areas() -> pd.DataFrame:
    """The 46 employment areas of 1.1.2025 (45 in the reform + 46 Åland, ``in_reform`` False)."""
    raw = _read("employment_areas_2025.csv")
    return pd.DataFrame(
        {
            "code": raw["tyollisyysalue_code"].astype(int),
            "name_fi": raw["name_fi"],
            "name_sv": raw["name_sv"],
            "name_en": raw["name_en"],
            "n_municipalities": raw["n_municipalities"].astype(int),
            "municipality_codes": raw["municipality_codes"].str.split(";"),
            "in_reform": raw["in_reform_2025"].eq("yes"),
        }
    ).sort_values("code", ignore_index=True)


def regions() -> pd.DataFrame:
    """The 19 regions (maakunnat) with names in Finnish, Swedish and English."""
    m = municipalities(2025)
    cols = ["region_code", "region_name_fi", "region_name_sv", "region_name_en"]
    out = m[cols].drop_duplicates().sort_values("region_code", ignore_index=True)
    return out.rename(columns=lambda c: c.replace("region_", ""))


def trial_areas() -> pd.DataFrame:
    """The 2021 municipal employment trials: 25 areas, 118 municipalities, 1.3.2021-31.12.2024.

    ``membership`` is ``confirmed`` (named in a public source, see ``source``) or ``synthetic`` (a
    labelled stand-in until the Finlex 1269/2020 section 3 list is added). Municipality codes are of
    the 2021 division.
    """
    raw = _read("trial_areas_2021.csv").copy()
    raw["start"] = pd.to_datetime(raw["start"])
    raw["end"] = pd.to_datetime(raw["end"])
    return raw


def area_hierarchy(year: int = 2025) -> pd.DataFrame:
    """One row per municipality with every area it belongs to: the join table for aggregation.

    Columns: municipality, region, employment_area, trial_area (code or empty string), trial
    (bool). Municipalities of the 2021 division that merged later (Pertunmaa 588 into Mäntyharju
    507 in 2025) are mapped to their 2025 successor's areas when ``year`` is 2025.
    """
    m = municipalities(year)
    trials = trial_areas()[["municipality", "trial_area_code"]]
    out = m[["code", "region_code", "employment_area_code"]].rename(
        columns={"code": "municipality", "region_code": "region", "employment_area_code": "employment_area"}
    )
    out = out.merge(trials, on="municipality", how="left").rename(columns={"trial_area_code": "trial_area"})
    out["trial_area"] = out["trial_area"].fillna("")
    out["trial"] = out["trial_area"].ne("")
    return out
