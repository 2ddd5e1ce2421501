"""The register data model: every table's columns, types, codes and meaning, defined once.

The importer validates against these definitions, the synthetic register writes them, the
warehouse loads them and the documentation is generated from them. Descriptions are in Finnish
and English because the users are Finnish analysts and international researchers.

Rules that span rows are declared here too: ``interval`` (start/end columns where end >= start and
an empty end means "ongoing"), ``no_overlap`` (a person's intervals in the table must not
overlap) and ``references`` (a person_id must exist in ``persons``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from vaikutus.registry import codes

Kind = Literal["string", "int", "float", "date", "month", "bool"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "month": pa.date32(),  # first day of the month
    "bool": pa.bool_(),
}

#: Code-list sentinel: the column holds a municipality code of the 2021 or 2025 division.
MUNICIPALITY = "municipality"
#: Code-list sentinel: the column holds an employment-area code (2025).
EMPLOYMENT_AREA = "employment_area"


@dataclass(frozen=True)
class Field:
    """One column of a register table."""

    name: str
    kind: Kind
    fi: str
    en: str
    nullable: bool = False
    codes: dict[str, tuple[str, str]] | str | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: The column identifies a person; on import a henkilötunnus is replaced by its keyed hash.
    person_key: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """A register table: its fields and the rules that span rows."""

    name: str
    fi: str
    en: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    interval: tuple[str, str] | None = None
    no_overlap: bool = False
    references_persons: bool = True
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name} has no column {name!r}")

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(f.name, f.arrow_type, nullable=f.nullable) for f in self.fields]
        )


def _person() -> Field:
    return Field(
        "person_id", "string", "henkilön pseudonyymi (avainnettu tiiviste)",
        "person pseudonym (keyed hash)", person_key=True,
    )


def _dates(start_fi: str = "alkupäivä", end_fi: str = "loppupäivä (tyhjä = jatkuu)") -> tuple[Field, Field]:
    return (
        Field("start", "date", start_fi, "start date"),
        Field("end", "date", end_fi, "end date (empty = ongoing)", nullable=True),
    )


#: Column names a source file may use for the person identifier (mapped to person_id).
PERSON_ALIASES = {"henkilotunnus": "person_id", "henkilötunnus": "person_id", "hetu": "person_id"}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "persons", "henkilöt", "persons",
            (
                _person(),
                Field("birth_year", "int", "syntymävuosi", "year of birth", minimum=1900, maximum=2030),
                Field("sex", "string", "sukupuoli", "sex", codes=codes.SEXES),
                Field("native_language", "string", "äidinkieli", "native language", codes=codes.NATIVE_LANGUAGES),
                Field("citizenship", "string", "kansalaisuus", "citizenship", codes=codes.CITIZENSHIPS),
                Field("education", "int", "koulutusaste (ISCED 2011)", "education level (ISCED 2011)", minimum=0, maximum=8),
                Field("partial_work_ability", "bool", "osatyökykyinen", "partial work ability"),
            ),
            key=("person_id",), references_persons=False, aliases=PERSON_ALIASES,
        ),
        Table(
            "residence", "asuinkunta", "home municipality",
            (_person(), Field("municipality", "string", "kotikunta", "home municipality", codes=MUNICIPALITY), *_dates()),
            key=("person_id", "start"), interval=("start", "end"), no_overlap=True, aliases=PERSON_ALIASES,
        ),
        Table(
            "jobseeker_spells", "työnhakujaksot tiloittain", "jobseeker status spells",
            (
                _person(),
                *_dates(),
                Field("status", "string", "työnhakijan tila", "jobseeker status", codes=codes.JOBSEEKER_STATUSES),
                Field("municipality", "string", "asiointikunta", "municipality of the jobseeker", codes=MUNICIPALITY),
                Field("responsible", "string", "vastuutaho", "responsible organisation", codes=codes.RESPONSIBLE),
                Field("service_line", "int", "palvelulinja (1-3, vuoteen 2022)", "service line (1-3, until 2022)",
                      nullable=True, minimum=1, maximum=3),
            ),
            key=("person_id", "start"), interval=("start", "end"), no_overlap=True, aliases=PERSON_ALIASES,
        ),
        Table(
            "service_spells", "palvelujaksot", "service spells",
            (
                _person(),
                Field("service", "string", "palvelu", "service", codes=codes.SERVICES),
                *_dates(),
                Field("cost_eur", "float", "kustannus euroina", "cost in euros", nullable=True, minimum=0),
            ),
            key=("person_id", "service", "start"), interval=("start", "end"), aliases=PERSON_ALIASES,
        ),
        Table(
            "search_ends", "päättyneet työnhaut", "ended job searches",
            (
                _person(),
                Field("date", "date", "päättymispäivä", "end date"),
                Field("destination", "string", "päättymissyy", "destination", codes=codes.SEARCH_END_DESTINATIONS),
            ),
            key=("person_id", "date"), aliases=PERSON_ALIASES,
        ),
        Table(
            "plans", "suunnitelmat", "plans",
            (
                _person(),
                Field("kind", "string", "suunnitelman laji", "kind of plan", codes=codes.PLAN_KINDS),
                Field("made", "date", "laadittu", "drawn up"),
                Field("review_due", "date", "tarkistuspäivä", "review due"),
            ),
            key=("person_id", "kind", "made"), interval=("made", "review_due"), aliases=PERSON_ALIASES,
        ),
        Table(
            "job_offers", "työtarjoukset", "job offers",
            (
                _person(),
                Field("date", "date", "päivä", "date"),
                Field("vacancy_id", "string", "työpaikan tunniste", "vacancy id"),
                Field("outcome", "string", "tulos", "outcome", codes=codes.OFFER_OUTCOMES),
            ),
            key=("person_id", "vacancy_id", "date"), aliases=PERSON_ALIASES,
        ),
        Table(
            "introductions", "esittelyt", "introductions to employers",
            (
                _person(),
                Field("date", "date", "päivä", "date"),
                Field("vacancy_id", "string", "työpaikan tunniste", "vacancy id"),
                Field("outcome", "string", "tulos", "outcome", codes=codes.OFFER_OUTCOMES),
            ),
            key=("person_id", "vacancy_id", "date"), aliases=PERSON_ALIASES,
        ),
        Table(
            "caseloads", "asiakasvastuut", "caseloads",
            (
                Field("expert_id", "string", "vastuuasiantuntijan tunniste", "responsible expert id"),
                _person(),
                *_dates(),
                Field("area", "int", "työllisyysalue", "employment area", codes=EMPLOYMENT_AREA),
            ),
            key=("expert_id", "person_id", "start"), interval=("start", "end"), aliases=PERSON_ALIASES,
        ),
        Table(
            "earnings", "ansiotulot (tulorekisteri)", "monthly earnings (income register)",
            (
                _person(),
                Field("month", "month", "kuukausi", "month"),
                Field("earnings_eur", "float", "palkkatulot euroina", "earnings in euros", minimum=0),
            ),
            key=("person_id", "month"), aliases=PERSON_ALIASES,
        ),
        Table(
            "benefits", "etuudet (Kela ja työttömyyskassat)", "monthly benefits (Kela and funds)",
            (
                _person(),
                Field("month", "month", "kuukausi", "month"),
                Field("benefit", "string", "etuus", "benefit", codes=codes.BENEFITS),
                Field("amount_eur", "float", "maksettu euroina", "paid in euros", minimum=0),
                Field("days", "int", "korvatut päivät", "days paid", minimum=0, maximum=31),
            ),
            key=("person_id", "month", "benefit"), aliases=PERSON_ALIASES,
        ),
        Table(
            "kykyviisari", "Kykyviisari-arviot", "Kykyviisari work-ability assessments",
            (
                _person(),
                Field("date", "date", "arviointipäivä", "assessment date"),
                Field("score_total", "float", "kokonaispistemäärä (0-10)", "total score (0-10)", minimum=0, maximum=10),
                Field("score_health", "float", "terveys ja voimavarat (0-10)", "health and resources (0-10)", minimum=0, maximum=10),
                Field("score_competence", "float", "osaaminen (0-10)", "competence (0-10)", minimum=0, maximum=10),
                Field("score_motivation", "float", "asenteet ja motivaatio (0-10)", "attitudes and motivation (0-10)", minimum=0, maximum=10),
                Field("score_environment", "float", "ympäristö ja yhteisö (0-10)", "environment and community (0-10)", minimum=0, maximum=10),
            ),
            key=("person_id", "date"), aliases=PERSON_ALIASES,
        ),
        Table(
            "satisfaction", "asiakastyytyväisyys", "client satisfaction",
            (
                Field("municipality", "string", "kunta", "municipality", codes=MUNICIPALITY),
                Field("date", "date", "vastauspäivä", "answer date"),
                Field("respondent", "string", "vastaajan laji", "respondent kind", codes=codes.SATISFACTION_RESPONDENTS),
                Field("score", "int", "arvosana (1-5)", "score (1-5)", minimum=1, maximum=5),
            ),
            key=(), references_persons=False,
        ),
        Table(
            "labour_force", "työvoima (työssäkäyntitilasto)", "labour force (employment statistics)",
            (
                Field("municipality", "string", "kunta", "municipality", codes=MUNICIPALITY),
                Field("year", "int", "vuosi", "year", minimum=1990, maximum=2100),
                Field("group", "string", "väestöryhmä", "population group", codes=codes.LABOUR_FORCE_GROUPS),
                Field("persons", "int", "työvoima (henkilöä)", "labour force (persons)", minimum=0),
            ),
            key=("municipality", "year", "group"), references_persons=False,
        ),
    )
}

#: Tables a complete register has; the importer also accepts a subset.
TABLE_NAMES = tuple(TABLES)
