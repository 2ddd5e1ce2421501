"""The configurable rules of the indicator definitions (the [K] points of DOMAIN.md).

Every rule that public sources do not fix exactly is a named field here with the default argued
in DOMAIN.md, so the choice is visible, changeable in one place and shown on the portal's methods
page (``parameters_frame()`` gives the trilingual description of each field and its value).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from vaikutus.registry import codes

FlowRule = Literal["at_k_months", "month_end"]
KykyviisariBaseline = Literal["previous", "first"]

#: Services whose ending before unemployment makes structural-unemployment group 3 and whose
#: chaining makes group 4 (DOMAIN A2: employment with subsidy, work practice (legacy, ``other``),
#: trials, labour market training, coaching, job-alternation substitutes, self-motivated study,
#: rehabilitative work). Start-up grant is entrepreneurship, not a placement: left out.
STRUCTURAL_SERVICES = (
    "wage_subsidy",
    "labour_market_training",
    "integration_training",
    "self_motivated_study",
    "work_trial",
    "coaching",
    "rehabilitative_work",
    "job_alternation_substitute",
    "other",
)


@dataclass(frozen=True)
class IndicatorParameters:
    """Rules of the indicator definitions; every default follows DOMAIN.md."""

    #: Days of interruption that end a continuous unemployment spell (A1). Gaps shorter than this
    #: join two unemployment records into one spell. Used for the flow cohorts (9-11) and for the
    #: unemployment preceding a service (13); it must equal the value the panel was built with.
    min_break_days: int = 1
    #: Elapsed days of continuous unemployment that make a person long-term unemployed (A1).
    long_term_days: int = 365
    #: Structural group 2: unemployed days in total within the look-back window (A2).
    structural_g2_min_days: int = 365
    structural_g2_window_months: int = 16
    #: Structural group 3: a service ended at most this many months before the counting day (A2).
    structural_g3_lookback_months: int = 3
    #: Structural group 4: another service ended at most this many months before (A2, [K]).
    structural_g4_lookback_months: int = 3
    structural_services: tuple[str, ...] = STRUCTURAL_SERVICES
    #: Whether start-up grant (starttiraha) counts as activation (A4, [K]; 12r5 "työllistetyt" does).
    start_up_grant_in_activation: bool = True
    #: Services that make extended unemployment (A5); None = the activation-rate services.
    extended_unemployment_services: tuple[str, ...] | None = None
    #: When a spell counts as having passed k months (A6): on the day it reaches k months
    #: (``at_k_months``) or when it is still going on the counting day of that month (``month_end``).
    flow_rule: FlowRule = "at_k_months"
    #: Plans counted as up to date (A7/18).
    plan_kinds: tuple[str, ...] = tuple(codes.PLAN_KINDS)
    #: A plan older than this on the counting day is out of date even before its review date;
    #: None = only the review date decides (the Nordic model reviews the plan at each meeting).
    max_plan_age_days: int | None = None
    #: Counts below this (and rates whose numerator or denominator is below it) are suppressed in
    #: public outputs; zero is published (B3, TEM practice).
    suppression_threshold: int = 5
    #: Labour-force denominators (1-3) come from year t - lag (TYOVOIMATK is "usually about two
    #: years old"); when that year is missing, the latest earlier year, else the earliest year
    #: available up to t.
    labour_force_lag_years: int = 2
    #: Kykyviisari change is measured against the person's previous or first assessment (21).
    kykyviisari_baseline: KykyviisariBaseline = "previous"

    def __post_init__(self) -> None:
        for name in ("long_term_days", "structural_g2_min_days",
                     "structural_g2_window_months", "suppression_threshold"):
            if getattr(self, name) < 1:
                raise ValueError(f"indicator parameter {name} must be at least 1, got {getattr(self, name)}")
        for name in ("min_break_days", "structural_g3_lookback_months", "structural_g4_lookback_months",
                     "labour_force_lag_years"):
            if getattr(self, name) < 0:
                raise ValueError(f"indicator parameter {name} must not be negative, got {getattr(self, name)}")
        if self.flow_rule not in ("at_k_months", "month_end"):
            raise ValueError(f"indicator parameter flow_rule must be 'at_k_months' or 'month_end', got {self.flow_rule!r}")
        if self.kykyviisari_baseline not in ("previous", "first"):
            raise ValueError(
                f"indicator parameter kykyviisari_baseline must be 'previous' or 'first', got {self.kykyviisari_baseline!r}"
            )
        if self.max_plan_age_days is not None and self.max_plan_age_days < 0:
            raise ValueError(f"indicator parameter max_plan_age_days must not be negative, got {self.max_plan_age_days}")
        for name in ("structural_services", "extended_unemployment_services"):
            _check_codes(name, getattr(self, name), codes.SERVICES)
        _check_codes("plan_kinds", self.plan_kinds, codes.PLAN_KINDS)

    @property
    def activation_services(self) -> tuple[str, ...]:
        """Services of the activation rate (A4): codes.ACTIVATION_SERVICES, start-up grant optional."""
        return tuple(
            s for s in codes.ACTIVATION_SERVICES
            if s != "start_up_grant" or self.start_up_grant_in_activation
        )

    @property
    def extended_services(self) -> tuple[str, ...]:
        return self.extended_unemployment_services or self.activation_services

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_mapping(cls, values: dict) -> IndicatorParameters:
        """Build from a mapping (e.g. a TOML table); unknown keys are an error naming the key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown indicator parameter(s) {unknown}; known: {sorted(known)}")
        converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return replace(cls(), **converted)

    @classmethod
    def from_toml(cls, path: str | Path) -> IndicatorParameters:
        """Read ``[indicators]`` (or the top level) of a TOML file."""
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        try:
            return cls.from_mapping(data.get("indicators", data))
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc


def _check_codes(name: str, values: tuple[str, ...] | None, allowed: dict) -> None:
    if values is None:
        return
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"indicator parameter {name} has unknown code(s) {bad}; allowed: {list(allowed)}")


#: Methods-page text of every parameter: (DOMAIN.md reference, fi, sv, en).
PARAMETER_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "min_break_days": (
        "A1",
        "Työttömyysjakson katkaiseva vähimmäiskatko päivinä",
        "Minsta avbrott i dagar som bryter en arbetslöshetsperiod",
        "Minimum interruption in days that ends an unemployment spell",
    ),
    "long_term_days": (
        "A1",
        "Pitkäaikaistyöttömyyden raja (yhtäjaksoisen työttömyyden päivät)",
        "Gräns för långtidsarbetslöshet (dagar av oavbruten arbetslöshet)",
        "Long-term unemployment threshold (days of continuous unemployment)",
    ),
    "structural_g2_min_days": (
        "A2",
        "Rinnasteiset pitkäaikaistyöttömät: työttömyyspäiviä yhteensä vähintään",
        "Jämförbara långtidsarbetslösa: arbetslöshetsdagar sammanlagt minst",
        "Comparable long-term unemployed: unemployed days in total at least",
    ),
    "structural_g2_window_months": (
        "A2",
        "Rinnasteiset pitkäaikaistyöttömät: tarkastelujakso kuukausina",
        "Jämförbara långtidsarbetslösa: granskningsperiod i månader",
        "Comparable long-term unemployed: look-back window in months",
    ),
    "structural_g3_lookback_months": (
        "A2",
        "Palveluilta työttömäksi jääneet: palvelu päättynyt enintään näin monta kuukautta aiemmin",
        "Arbetslösa efter tjänst: tjänsten upphörde högst så många månader tidigare",
        "Unemployed after a service: the service ended at most this many months before",
    ),
    "structural_g4_lookback_months": (
        "A2 [K]",
        "Palveluilta palveluille siirtyneet: edellinen palvelu päättynyt enintään näin monta kuukautta aiemmin",
        "Från tjänst till tjänst: den föregående tjänsten upphörde högst så många månader tidigare",
        "Service to service: the previous service ended at most this many months before",
    ),
    "structural_services": (
        "A2",
        "Rakennetyöttömyyden ryhmien 3 ja 4 palvelut",
        "Tjänster i strukturarbetslöshetens grupper 3 och 4",
        "Services of structural-unemployment groups 3 and 4",
    ),
    "start_up_grant_in_activation": (
        "A4 [K]",
        "Starttiraha lasketaan aktivointiasteeseen",
        "Startpeng räknas med i aktiveringsgraden",
        "Start-up grant counts in the activation rate",
    ),
    "extended_unemployment_services": (
        "A5 [K]",
        "Laajennetun työttömyyden palvelut (tyhjä = aktivointiasteen palvelut)",
        "Tjänster i den utvidgade arbetslösheten (tom = aktiveringsgradens tjänster)",
        "Services of extended unemployment (empty = the activation-rate services)",
    ),
    "flow_rule": (
        "A6 [K]",
        "Virtojen ylityssääntö: k kuukauden täyttymispäivänä (at_k_months) tai kuukauden laskentapäivänä (month_end)",
        "Regel för flödena: den dag perioden fyller k månader (at_k_months) eller månadens räknedag (month_end)",
        "Flow crossing rule: on the day the spell reaches k months (at_k_months) or on the month's counting day (month_end)",
    ),
    "plan_kinds": (
        "A7",
        "Ajantasaisiksi laskettavat suunnitelmat",
        "Planer som räknas som aktuella",
        "Plans counted as up to date",
    ),
    "max_plan_age_days": (
        "A7 [K]",
        "Suunnitelman enimmäisikä päivinä (tyhjä = vain tarkistuspäivä ratkaisee)",
        "Planens högsta ålder i dagar (tom = endast granskningsdagen avgör)",
        "Maximum plan age in days (empty = only the review date decides)",
    ),
    "suppression_threshold": (
        "B3",
        "Tietosuojaraja: tätä pienemmät luvut salataan julkisista tuloksista",
        "Sekretessgräns: mindre tal döljs i offentliga resultat",
        "Disclosure threshold: smaller counts are suppressed in public outputs",
    ),
    "labour_force_lag_years": (
        "A1/A7",
        "Työvoiman (työssäkäyntitilasto) viive vuosina",
        "Eftersläpning i år för arbetskraften (sysselsättningsstatistik)",
        "Lag in years of the labour-force denominator (employment statistics)",
    ),
    "kykyviisari_baseline": (
        "A7/21 [K]",
        "Kykyviisarin muutoksen vertailukohta: edellinen (previous) tai ensimmäinen (first) arvio",
        "Jämförelsepunkt för förändringen i Kykyviisari: föregående (previous) eller första (first) bedömning",
        "Kykyviisari change compared with the previous or the first assessment",
    ),
}


def parameters_frame(params: IndicatorParameters | None = None) -> pd.DataFrame:
    """One row per parameter: name, value, default, DOMAIN reference and text in fi/sv/en."""
    params = params or IndicatorParameters()
    default = IndicatorParameters()
    rows = []
    for f in fields(IndicatorParameters):
        ref, fi, sv, en = PARAMETER_TEXTS[f.name]
        rows.append(
            {
                "parameter": f.name,
                "value": _show(getattr(params, f.name)),
                "default": _show(getattr(default, f.name)),
                "reference": ref,
                "description_fi": fi,
                "description_sv": sv,
                "description_en": en,
            }
        )
    return pd.DataFrame(rows)


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)
