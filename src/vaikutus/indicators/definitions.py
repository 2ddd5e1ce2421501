"""Load the indicator catalogue (``catalogue.toml``) into frozen definitions.

The catalogue is TOML so that analysts can read and correct the trilingual texts without Python;
this module expands the families declared over a dimension (destinations, services, benefits...),
checks every quantity name against ``quantities.py`` and derives what follows from the quantities:
the periods an indicator exists for, the levels, how it aggregates and its suppression rule.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import pandas as pd

from vaikutus.indicators.areas import AREA_TYPES, LANGS
from vaikutus.indicators.quantities import QUANTITIES

Kind = Literal["count", "rate", "mean", "statistic"]
KINDS = ("count", "rate", "mean", "statistic")
PERIOD_TYPES = ("month", "quarter", "year")
_REQUIRED = ("id", "kind", "unit", "source_tables", "concept", "name", "definition")


@dataclass(frozen=True)
class Text:
    fi: str
    sv: str
    en: str

    def get(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class IndicatorDefinition:
    """One published indicator."""

    id: str
    seed_number: int
    kind: Kind
    unit: str
    name: Text
    definition: Text
    caveat: Text | None
    concept: str
    source_tables: tuple[str, ...]
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None
    scale: float = 1.0
    denominator_shift_months: int = 0
    periods: tuple[str, ...] = PERIOD_TYPES
    levels: tuple[str, ...] = AREA_TYPES
    family: str = ""
    #: the StatFin series publishing the same figure, e.g. "12r5 TYOTTOMATLOPUSSA" ("" if none)
    statfin: str = ""

    @property
    def quantities(self) -> tuple[str, ...]:
        """Every quantity the indicator shows or depends on."""
        return tuple(q for q in (self.value, self.numerator, self.denominator) if q)

    @property
    def aggregation(self) -> Text:
        """How higher areas and longer periods are formed (methods-page text)."""
        if self.kind == "statistic":
            return Text(
                "Lasketaan kullekin alueelle erikseen yksilötiedoista; vain kuukausittain.",
                "Beräknas för varje område separat ur individdata; endast per månad.",
                "Computed for each area from unit data; monthly only.",
            )
        time = QUANTITIES[self.numerator].time
        if self.kind == "count":
            return {
                "mean": Text(
                    "Kunnista summattu; neljännes- ja vuosiluku on kuukausilukujen keskiarvo.",
                    "Summerat från kommunerna; kvartals- och årstal är medelvärdet av månadstalen.",
                    "Summed from municipalities; quarter and year are the average of the monthly figures.",
                ),
                "sum": Text(
                    "Kunnista summattu; neljännes- ja vuosiluku on kuukausien summa.",
                    "Summerat från kommunerna; kvartals- och årstal är summan av månaderna.",
                    "Summed from municipalities; quarter and year are the sum of the months.",
                ),
                "distinct": Text(
                    "Eri yksiköt lasketaan kullekin alueelle ja jaksolle yksilötiedoista; ei summaudu.",
                    "Olika enheter räknas för varje område och period ur individdata; summeras inte.",
                    "Distinct units counted for each area and period from unit data; not additive.",
                ),
            }[time]
        return Text(
            "Osoittaja ja nimittäjä summataan kunnista ja kuukausista ja suhde lasketaan uudelleen "
            "(ei keskiarvojen keskiarvoa).",
            "Täljare och nämnare summeras över kommuner och månader och kvoten beräknas på nytt "
            "(inget medelvärde av medelvärden).",
            "Numerator and denominator are summed over municipalities and months and the ratio is "
            "recomputed (never an average of ratios).",
        )

    @property
    def suppression_rule(self) -> Text:
        """Public-output rule; T is the parameter suppression_threshold (default 5)."""
        if self.kind == "count" and QUANTITIES[self.numerator].role == "count":
            return Text(
                "Luvut 1..T-1 salataan (0 julkaistaan); toissijainen salaus estää päättelyn summista.",
                "Talen 1..T-1 döljs (0 publiceras); sekundär maskering hindrar härledning ur summor.",
                "Counts 1..T-1 are suppressed (0 is published); secondary suppression prevents recovery from sums.",
            )
        if self.kind == "rate":
            return Text(
                "Salataan, jos osoittaja tai nimittäjä on 1..T-1 tai salattu.",
                "Döljs om täljaren eller nämnaren är 1..T-1 eller dold.",
                "Suppressed when the numerator or denominator is 1..T-1 or suppressed.",
            )
        return Text(
            "Salataan, jos havaintojen (henkilöiden) määrä on 1..T-1 tai salattu.",
            "Döljs om antalet observationer (personer) är 1..T-1 eller dolt.",
            "Suppressed when the number of observations (persons) is 1..T-1 or suppressed.",
        )


def _load() -> tuple[dict, list[dict]]:
    with resources.files("vaikutus.indicators").joinpath("catalogue.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return raw.get("dimension", {}), raw.get("indicator", [])


def _fill(value, subs: dict[str, str]):
    if isinstance(value, str):
        return value.format(**subs)
    if isinstance(value, list):
        return [_fill(v, subs) for v in value]
    return value


def _text(entry: dict, key: str, subs_by_lang: dict[str, dict[str, str]]) -> Text | None:
    raw = entry.get(key)
    if raw is None:
        return None
    missing = [lang for lang in LANGS if lang not in raw]
    if missing:
        raise ValueError(f"indicator {entry['id']!r}: {key} lacks language(s) {missing}")
    texts = [raw[lang].format(**subs_by_lang[lang]) for lang in LANGS]
    if key == "name":
        texts = [t[:1].upper() + t[1:] for t in texts]
    return Text(*texts)


def _expand(entry: dict, dimensions: dict) -> list[IndicatorDefinition]:
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise ValueError(f"catalogue entry {entry.get('id', '?')!r} lacks {missing}")
    dims = entry.get("expand", [])
    for dim in dims:
        if dim not in dimensions:
            raise ValueError(f"indicator {entry['id']!r} expands over unknown dimension {dim!r}")
    combos = itertools.product(*(dimensions[d]["items"] for d in dims)) if dims else [()]
    out = []
    for items in combos:
        subs_by_lang = {lang: {} for lang in LANGS}
        overrides: dict = {}
        for dim, item in zip(dims, items):
            for lang in LANGS:
                subs_by_lang[lang][dim] = item["code"]
                subs_by_lang[lang][f"{dim}_label"] = item[lang]
            overrides.update({k: v for k, v in item.items() if k not in ("code", *LANGS)})
        codes_only = subs_by_lang["en"]
        e = {**entry, **overrides}
        out.append(_definition(e, codes_only, subs_by_lang, family=entry["id"]))
    return out


def _definition(e: dict, subs: dict, subs_by_lang: dict, family: str) -> IndicatorDefinition:
    ident = _fill(e["id"], subs)
    kind = e["kind"]
    if kind not in KINDS:
        raise ValueError(f"indicator {ident!r}: unknown kind {kind!r}; use one of {KINDS}")
    q = {k: _fill(e.get(k), subs) for k in ("numerator", "denominator", "value")}
    needed = {"count": ("numerator",), "rate": ("numerator", "denominator"),
              "mean": ("numerator", "denominator"), "statistic": ("value", "denominator")}[kind]
    for key in needed:
        if not q[key]:
            raise ValueError(f"indicator {ident!r} of kind {kind} needs a {key}")
    for key, name in q.items():
        if name and name not in QUANTITIES:
            raise ValueError(f"indicator {ident!r}: {key} {name!r} is not a declared quantity")
    quantities = [QUANTITIES[n] for n in q.values() if n]
    periods = tuple(e.get("periods", PERIOD_TYPES))
    if any(x.time == "none" for x in quantities):
        periods = ("month",)
    bases = {x.base for x in quantities}
    levels = ("employment_area", "country") if "employment_area" in bases else AREA_TYPES
    return IndicatorDefinition(
        id=ident,
        seed_number=int(e["seed_number"]),
        kind=kind,
        unit=e["unit"],
        name=_text(e, "name", subs_by_lang),
        definition=_text(e, "definition", subs_by_lang),
        caveat=_text(e, "caveat", subs_by_lang),
        concept=_fill(e["concept"], subs),
        source_tables=tuple(_fill(e["source_tables"], subs)),
        numerator=q["numerator"],
        denominator=q["denominator"],
        value=q["value"],
        scale=float(e.get("scale", 1.0)),
        denominator_shift_months=int(_fill(str(e.get("denominator_shift_months", 0)), subs)),
        periods=periods,
        levels=levels,
        family=family,
        statfin=e.get("statfin", ""),
    )


@lru_cache(maxsize=1)
def catalog() -> tuple[IndicatorDefinition, ...]:
    """Every indicator, in seed order; ids are unique and stable."""
    dimensions, entries = _load()
    defs = [d for entry in entries for d in _expand(entry, dimensions)]
    seen: set[str] = set()
    for d in defs:
        if d.id in seen:
            raise ValueError(f"indicator id {d.id!r} is declared twice in the catalogue")
        seen.add(d.id)
    order = {d.id: i for i, d in enumerate(defs)}
    return tuple(sorted(defs, key=lambda d: (d.seed_number, order[d.id])))


def definition(indicator_id: str) -> IndicatorDefinition:
    for d in catalog():
        if d.id == indicator_id:
            return d
    raise KeyError(f"unknown indicator {indicator_id!r}")


def metadata_frame(lang: str | None = None) -> pd.DataFrame:
    """One row per indicator with all its metadata; ``lang`` picks one language, None gives all."""
    langs = LANGS if lang is None else (lang,)
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGS}")
    rows = []
    for d in catalog():
        row = {
            "indicator": d.id,
            "seed_number": d.seed_number,
            "family": d.family,
            "kind": d.kind,
            "unit": d.unit,
            "numerator": d.numerator or d.value,
            "denominator": d.denominator,
            "scale": d.scale,
            "denominator_shift_months": d.denominator_shift_months,
            "periods": ", ".join(d.periods),
            "levels": ", ".join(d.levels),
            "source_tables": ", ".join(d.source_tables),
            "official_concept": d.concept,
            "statfin": d.statfin,
        }
        suffix = (lambda x: "") if lang else (lambda x: f"_{x}")
        for lg in langs:
            row[f"name{suffix(lg)}"] = d.name.get(lg)
            row[f"definition{suffix(lg)}"] = d.definition.get(lg)
            row[f"aggregation{suffix(lg)}"] = d.aggregation.get(lg)
            row[f"suppression{suffix(lg)}"] = d.suppression_rule.get(lg)
            row[f"caveat{suffix(lg)}"] = d.caveat.get(lg) if d.caveat else ""
        rows.append(row)
    return pd.DataFrame(rows)
