"""The measures of segment profiles and follow-ups: a stable id, kind and labels in fi/sv/en, once.

Profiles and follow-ups are stored with the measure's id (``measure_id``) and its English label
(``measure``); the labels in all three languages go to the warehouse table ``profile_measures`` so
the portal names each figure in its reader's language without knowing the profiling code.
Services started after a start are one measure (``started_service``) with the service code as
its category; the service names are in ``SERVICE_LABELS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from vaikutus.registry.codes import SERVICES

Kind = Literal["share", "mean"]


@dataclass(frozen=True)
class Measure:
    id: str
    section: str  # who / services / outcomes / work_ability
    kind: Kind
    en: str
    fi: str
    sv: str
    unit: str = ""  # "%" for shares, else the unit of a mean


HORIZONS = (6, 12)
#: Milestones followed after a start: id stem -> (en, fi, sv).
MILESTONES = {
    "open_market_job": (
        "open-market job",
        "avoimille työmarkkinoille",
        "till öppna arbetsmarknaden",
    ),
    "any_work": (
        "any work (open, subsidised, own firm)",
        "mihin tahansa työhön (avoin, tuettu, oma yritys)",
        "till något arbete (öppet, subventionerat, eget företag)",
    ),
    "education": ("education", "koulutukseen", "till utbildning"),
    "outside_labour_force": (
        "outside the labour force",
        "työvoiman ulkopuolelle",
        "utanför arbetskraften",
    ),
}

WHO = (
    Measure(
        "share_of_starts",
        "who",
        "share",
        "share of starts",
        "osuus alkaneista",
        "andel av påbörjade",
    ),
    Measure("age", "who", "mean", "age", "ikä", "ålder", "years"),
    Measure("women", "who", "share", "women", "naisia", "kvinnor"),
    Measure(
        "other_language",
        "who",
        "share",
        "native language other than fi/sv",
        "äidinkieli muu kuin suomi tai ruotsi",
        "modersmål annat än finska eller svenska",
    ),
    Measure(
        "other_citizenship",
        "who",
        "share",
        "citizenship other than Finnish",
        "muu kuin Suomen kansalaisuus",
        "annat än finskt medborgarskap",
    ),
    Measure(
        "partial_work_ability",
        "who",
        "share",
        "partial work ability",
        "osatyökykyisiä",
        "partiell arbetsförmåga",
    ),
    Measure(
        "low_education",
        "who",
        "share",
        "education ISCED 0-2",
        "enintään perusaste (ISCED 0–2)",
        "högst grundnivå (ISCED 0–2)",
    ),
    Measure(
        "long_unemployment",
        "who",
        "share",
        "long unemployment",
        "pitkä työttömyys (≥ 12/24 kk tai ≥ 365 pv)",
        "lång arbetslöshet (≥ 12/24 mån eller ≥ 365 dagar)",
    ),
    Measure(
        "months_unemployed_24m",
        "who",
        "mean",
        "months unemployed of previous 24",
        "työttömyyskuukausia edellisistä 24:stä",
        "arbetslösa månader av föregående 24",
        "months",
    ),
    Measure(
        "earnings_12m",
        "who",
        "mean",
        "earnings in previous 12 months (EUR)",
        "ansiotulot edelliset 12 kk (€)",
        "förvärvsinkomster föregående 12 mån (€)",
        "EUR",
    ),
    Measure(
        "estimated_chance",
        "who",
        "mean",
        "estimated chance",
        "mallin arvio työllistymisestä",
        "modellens uppskattade chans",
        "probability",
    ),
)
STARTED_SERVICE = Measure(
    "started_service",
    "services",
    "share",
    "started within 12 months",
    "aloitti 12 kk:n kuluessa",
    "påbörjade inom 12 mån",
)
OUTCOMES = tuple(
    Measure(
        f"{stem}_{h}m",
        "outcomes",
        "share",
        f"{en} within {h} months",
        f"{fi} {h} kk:n kuluessa",
        f"{sv} inom {h} mån",
    )
    for stem, (en, fi, sv) in MILESTONES.items()
    for h in HORIZONS
)
WORK_ABILITY = (
    Measure(
        "kykyviisari_baseline",
        "work_ability",
        "mean",
        "kykyviisari baseline score",
        "Kykyviisari alussa (0–10)",
        "Kykyviisari vid start (0–10)",
        "points",
    ),
    Measure(
        "kykyviisari_change",
        "work_ability",
        "mean",
        "kykyviisari change (last - baseline)",
        "Kykyviisarin muutos (viimeisin – alku)",
        "förändring i Kykyviisari (senaste – start)",
        "points",
    ),
)
MEASURES: tuple[Measure, ...] = (*WHO, STARTED_SERVICE, *OUTCOMES, *WORK_ABILITY)
MEASURE_BY_ID = {m.id: m for m in MEASURES}

#: Service names (fi and en from the register's code list, sv added here).
_SERVICES_SV = {
    "wage_subsidy": "lönesubvention",
    "labour_market_training": "arbetskraftsutbildning",
    "self_motivated_study": "frivilliga studier",
    "work_trial": "arbetsprövning",
    "coaching": "coachning",
    "rehabilitative_work": "arbetsverksamhet i rehabiliteringssyfte",
    "start_up_grant": "startpeng",
    "job_alternation_substitute": "alterneringsvikariat",
    "integration_training": "integrationsutbildning",
    "other": "annan tjänst",
}
SERVICE_LABELS = {
    code: {"fi": fi, "sv": _SERVICES_SV[code], "en": en} for code, (fi, en) in SERVICES.items()
}


def measures_frame() -> pd.DataFrame:
    """The warehouse table ``profile_measures``: one row per measure and per service category."""
    rows = [
        {
            "measure_id": m.id,
            "category": "",
            "section": m.section,
            "kind": m.kind,
            "unit": m.unit,
            "label_fi": m.fi,
            "label_sv": m.sv,
            "label_en": m.en,
        }
        for m in MEASURES
    ]
    rows += [
        {
            "measure_id": "service",
            "category": code,
            "section": "services",
            "kind": "",
            "unit": "",
            **{f"label_{lang}": label for lang, label in labels.items()},
        }
        for code, labels in SERVICE_LABELS.items()
    ]
    return pd.DataFrame(rows)
