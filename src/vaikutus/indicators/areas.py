"""The areas indicators are published for, and how they nest.

Every figure is computed for municipalities of the 2025 division and added up from there, so all
months use the same map: Pertunmaa (588), merged into Mäntyharju (507) on 1.1.2025, is counted in
Mäntyharju for every month (DOMAIN C1). The levels are the municipality, the 2025 employment area,
the region (maakunta), the 2021 trial area, the trial group (municipalities of a 2021 trial area vs
the rest; the composition is fixed so the comparison covers all months) and the whole country.

``Areas`` also lists the *partitions* - a parent area and the areas that make it up - which are both
how figures add up and what an attacker can subtract; disclosure control uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from vaikutus import reference

AREA_TYPES = ("municipality", "employment_area", "region", "trial_area", "trial_group", "country")
COUNTRY = "SSS"
TRIAL, NON_TRIAL = "trial", "non_trial"
#: Municipalities of earlier divisions merged into a 2025 municipality (DOMAIN C1).
MERGED_INTO_2025 = {"588": "507"}

_GROUP_NAMES = {
    TRIAL: ("kokeilualueiden kunnat", "försöksområdenas kommuner", "trial-area municipalities"),
    NON_TRIAL: ("muut kunnat", "övriga kommuner", "other municipalities"),
}
_COUNTRY_NAMES = ("Koko maa", "Hela landet", "Whole country")
LANGS = ("fi", "sv", "en")


@dataclass(frozen=True, eq=False)
class Areas:
    """Municipalities with the areas each belongs to (codes as strings, trial_area '' if none)."""

    table: pd.DataFrame
    names: pd.DataFrame | None = None

    @classmethod
    def from_reference(cls) -> Areas:
        """The real 2025 division with the 2021 trial areas, names in fi/sv/en."""
        h = reference.area_hierarchy(2025)
        return cls(_normalise(h), _reference_names())

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Areas:
        """A custom hierarchy (tests): columns municipality, region, employment_area, trial_area."""
        missing = {"municipality", "region", "employment_area", "trial_area"} - set(frame.columns)
        if missing:
            raise ValueError(f"area hierarchy lacks column(s) {sorted(missing)}")
        return cls(_normalise(frame))

    @cached_property
    def membership(self) -> pd.DataFrame:
        """Long table municipality -> (area_type, area_code) for every level, the country included."""
        t = self.table
        parts = [
            pd.DataFrame({"municipality": t.municipality, "area_type": level, "area_code": t[level]})
            for level in ("municipality", "employment_area", "region", "trial_area", "trial_group")
        ]
        parts.append(pd.DataFrame({"municipality": t.municipality, "area_type": "country", "area_code": COUNTRY}))
        out = pd.concat(parts, ignore_index=True)
        return out[out.area_code != ""].reset_index(drop=True)

    @cached_property
    def index(self) -> pd.DataFrame:
        """Every area once, in publication order (level, then code); ``area_id`` is the position."""
        areas = self.membership[["area_type", "area_code"]].drop_duplicates()
        order = {a: i for i, a in enumerate(AREA_TYPES)}
        areas = areas.assign(_o=areas.area_type.map(order)).sort_values(["_o", "area_code"], key=_natural)
        return areas.drop(columns="_o").reset_index(drop=True).rename_axis("area_id").reset_index()

    def area_ids(self, area_type: str) -> pd.Series:
        """area_code -> area_id for one level."""
        idx = self.index[self.index.area_type == area_type]
        return pd.Series(idx.area_id.to_numpy(), index=idx.area_code.to_numpy())

    def partitions(self) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
        """(parent, children) pairs: each parent area is exactly the sum of its children."""
        t = self.table
        out: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []

        def nest(parent_level: str, child_level: str, frame: pd.DataFrame) -> None:
            for code, members in frame.groupby(parent_level, sort=True)[child_level]:
                out.append(((parent_level, code), [(child_level, c) for c in sorted(set(members))]))

        country = t.assign(country=COUNTRY)
        nest("country", "municipality", country)
        for level in ("employment_area", "region"):
            nest(level, "municipality", t)
            nest("country", level, country)
        trial = t[t.trial_area != ""]
        nest("trial_area", "municipality", trial)
        nest("trial_group", "trial_area", trial)
        nest("trial_group", "municipality", t[t.trial_area == ""])
        nest("country", "trial_group", country)
        return out

    def area_names(self, lang: str = "fi") -> pd.Series:
        """(area_type, area_code) -> name; codes stand in where no name is known."""
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; use one of {LANGS}")
        idx = self.index.set_index(["area_type", "area_code"])
        names = pd.Series(idx.index.get_level_values("area_code"), index=idx.index)
        if self.names is not None:
            known = self.names.set_index(["area_type", "area_code"])[f"name_{lang}"]
            names.update(known.reindex(names.index).dropna())
        for group, texts in _GROUP_NAMES.items():
            names.loc[("trial_group", group)] = texts[LANGS.index(lang)]
        names.loc[("country", COUNTRY)] = _COUNTRY_NAMES[LANGS.index(lang)]
        return names

    def harmonise(self, municipality: str) -> str:
        return MERGED_INTO_2025.get(municipality, municipality)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    t = pd.DataFrame(
        {
            "municipality": frame["municipality"].astype(str),
            "employment_area": frame["employment_area"].astype("Int64").astype(str).replace("<NA>", ""),
            "region": frame["region"].astype(str),
            "trial_area": frame["trial_area"].fillna("").astype(str),
        }
    )
    t["trial_group"] = t.trial_area.ne("").map({True: TRIAL, False: NON_TRIAL})
    if t.municipality.duplicated().any():
        dup = t.municipality[t.municipality.duplicated()].tolist()
        raise ValueError(f"area hierarchy lists municipality {dup} more than once")
    return t.sort_values("municipality", ignore_index=True)


def _natural(col: pd.Series) -> pd.Series:
    """Sort numeric codes (employment areas 1..46) numerically, others as text."""
    if col.name != "area_code":
        return col
    return col.map(lambda c: (0, int(c), "") if c.isdigit() else (1, 0, c))


def _reference_names() -> pd.DataFrame:
    m = reference.municipalities(2025)
    ea = reference.employment_areas()
    r = reference.regions()
    ta = reference.trial_areas()[["trial_area_code", "trial_area_name"]].drop_duplicates("trial_area_code")
    frames = [
        pd.DataFrame({"area_type": "municipality", "area_code": m.code, "name_fi": m.name_fi,
                      "name_sv": m.name_sv, "name_en": m.name_en}),
        pd.DataFrame({"area_type": "employment_area", "area_code": ea.code.astype(str),
                      "name_fi": ea.name_fi, "name_sv": ea.name_sv, "name_en": ea.name_en}),
        pd.DataFrame({"area_type": "region", "area_code": r.code, "name_fi": r.name_fi,
                      "name_sv": r.name_sv, "name_en": r.name_en}),
        pd.DataFrame({"area_type": "trial_area", "area_code": ta.trial_area_code, "name_fi": ta.trial_area_name,
                      "name_sv": ta.trial_area_name, "name_en": ta.trial_area_name}),
    ]
    return pd.concat(frames, ignore_index=True)
