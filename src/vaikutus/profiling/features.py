"""The baseline variables of the employment-chance model: declared once, validated strictly.

Every variable the model may use is a :class:`Feature` with its kind, allowed range or code list,
labels in Finnish, Swedish and English (the caseworker view shows them) and, where it applies, why it
is legally or ethically sensitive. :func:`validate_baseline` is the gate in front of scoring: a
missing value, a value out of range or an unknown code is an error naming the row, the person and
the column - never a silent default - because a profiling score computed from a wrong or absent
baseline looks exactly as trustworthy as a right one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from vaikutus.reference import regions

Kind = Literal["numeric", "category", "bool"]

#: Benefit types read from the three months before the start (the largest paid amount wins).
BENEFIT_TYPES = ("none", "labour_market_subsidy", "basic_allowance", "earnings_related")
#: What started: a continuous unemployment spell, or an employment service.
START_KINDS = ("unemployment", "service")
#: Age limits of the working-age population served by employment services.
MIN_AGE, MAX_AGE = 15, 75
#: An upper bound that catches unit errors (cents instead of euros) in two-year earnings.
MAX_EARNINGS_EUR = 2_000_000.0


@dataclass(frozen=True)
class Feature:
    """One baseline variable: how it is checked, encoded and explained."""

    name: str
    kind: Kind
    fi: str
    sv: str
    en: str
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[str, ...] = ()
    #: Why the variable is legally or ethically sensitive (empty if it is not).
    sensitive: str = ""

    def label(self, language: str = "en") -> str:
        return {"fi": self.fi, "sv": self.sv, "en": self.en}[language]


def _region_codes() -> tuple[str, ...]:
    return tuple(regions()["code"].astype(str))


_SENSITIVE_PROTECTED = "protected ground under the Non-Discrimination Act (1325/2014)"

FEATURES: tuple[Feature, ...] = (
    Feature(
        "age",
        "numeric",
        "ikä (vuotta)",
        "ålder (år)",
        "age (years)",
        MIN_AGE,
        MAX_AGE,
        sensitive=f"age: {_SENSITIVE_PROTECTED}",
    ),
    Feature(
        "sex",
        "category",
        "sukupuoli",
        "kön",
        "sex",
        categories=("F", "M"),
        sensitive="sex: Act on Equality between Women and Men (609/1986)",
    ),
    Feature(
        "native_language",
        "category",
        "äidinkieli",
        "modersmål",
        "native language",
        categories=("fi", "sv", "other"),
        sensitive=f"language: {_SENSITIVE_PROTECTED}",
    ),
    Feature(
        "citizenship",
        "category",
        "kansalaisuus",
        "medborgarskap",
        "citizenship",
        categories=("FI", "EU_EEA", "other"),
        sensitive=f"nationality and origin: {_SENSITIVE_PROTECTED}",
    ),
    Feature(
        "education",
        "numeric",
        "koulutusaste (ISCED)",
        "utbildningsnivå (ISCED)",
        "education level (ISCED)",
        0,
        8,
    ),
    Feature(
        "partial_work_ability",
        "bool",
        "osatyökykyisyys",
        "partiell arbetsförmåga",
        "partial work ability",
        sensitive="health: special category of personal data (GDPR art. 9); disability is a "
        "protected ground",
    ),
    Feature("region", "category", "maakunta", "landskap", "region", categories=_region_codes()),
    Feature(
        "start_kind",
        "category",
        "alkanut jakso (työttömyys / palvelu)",
        "påbörjad period (arbetslöshet / tjänst)",
        "what started (unemployment / service)",
        categories=START_KINDS,
    ),
    Feature(
        "elapsed_unemployment_days",
        "numeric",
        "työttömyyden kesto alussa (pv)",
        "arbetslöshetens längd vid start (dagar)",
        "unemployment so far at the start (days)",
        0,
        20_000,
    ),
    Feature(
        "earnings_12m",
        "numeric",
        "ansiotulot edelliset 12 kk (€)",
        "förvärvsinkomster föregående 12 mån (€)",
        "earnings in the previous 12 months (EUR)",
        0,
        MAX_EARNINGS_EUR,
    ),
    Feature(
        "earnings_24m",
        "numeric",
        "ansiotulot edelliset 24 kk (€)",
        "förvärvsinkomster föregående 24 mån (€)",
        "earnings in the previous 24 months (EUR)",
        0,
        MAX_EARNINGS_EUR,
    ),
    Feature(
        "months_employed_12m",
        "numeric",
        "palkkakuukaudet edelliset 12 kk",
        "månader med lön föregående 12 mån",
        "months with earnings in the previous 12",
        0,
        12,
    ),
    Feature(
        "months_employed_24m",
        "numeric",
        "palkkakuukaudet edelliset 24 kk",
        "månader med lön föregående 24 mån",
        "months with earnings in the previous 24",
        0,
        24,
    ),
    Feature(
        "months_unemployed_24m",
        "numeric",
        "työttömyyskuukaudet edelliset 24 kk",
        "arbetslösa månader föregående 24 mån",
        "months unemployed in the previous 24",
        0,
        24,
    ),
    Feature(
        "months_in_service_24m",
        "numeric",
        "palvelukuukaudet edelliset 24 kk",
        "månader i tjänst föregående 24 mån",
        "months in services in the previous 24",
        0,
        24,
    ),
    Feature(
        "services_24m",
        "numeric",
        "alkaneet palvelut edelliset 24 kk",
        "påbörjade tjänster föregående 24 mån",
        "services started in the previous 24 months",
        0,
        100,
    ),
    Feature(
        "benefit_type",
        "category",
        "etuus ennen alkua",
        "förmån före start",
        "benefit before the start",
        categories=BENEFIT_TYPES,
    ),
    Feature(
        "social_assistance_12m",
        "bool",
        "toimeentulotuki edelliset 12 kk",
        "utkomststöd föregående 12 mån",
        "social assistance in the previous 12 months",
    ),
)
FEATURE_BY_NAME = {f.name: f for f in FEATURES}
SENSITIVE = tuple(f.name for f in FEATURES if f.sensitive)
#: Pairs (shorter window, longer window) where the shorter can never exceed the longer.
NESTED_WINDOWS = (("earnings_12m", "earnings_24m"), ("months_employed_12m", "months_employed_24m"))
#: Rows named in an error message before "... and N more".
SHOWN_PROBLEMS = 10


class BaselineError(ValueError):
    """Baseline values that cannot be scored; ``problems`` has one row per (row, column)."""

    def __init__(self, problems: pd.DataFrame):
        self.problems = problems
        lines = [
            f"row {p.row}"
            + (f" (person {p.person_id})" if p.person_id else "")
            + f", column {p.column}: {p.reason}"
            for p in problems.head(SHOWN_PROBLEMS).itertuples()
        ]
        more = len(problems) - SHOWN_PROBLEMS
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__("invalid baseline values:\n  " + "\n  ".join(lines))


def resolve_features(exclude: tuple[str, ...] | list[str] = ()) -> tuple[Feature, ...]:
    """The features left after ``exclude``; an unknown name is an error listing the known ones."""
    unknown = sorted(set(exclude) - set(FEATURE_BY_NAME))
    if unknown:
        raise ValueError(
            f"unknown feature(s) {', '.join(unknown)}; known: {', '.join(FEATURE_BY_NAME)}"
        )
    return tuple(f for f in FEATURES if f.name not in set(exclude))


def validate_baseline(frame: pd.DataFrame, features: tuple[Feature, ...]) -> None:
    """Raise :class:`BaselineError` naming every invalid cell; return quietly if all are valid.

    Rows are numbered from 1 in the order given (row 1 = the first data row of a CSV file).
    """
    missing = [f.name for f in features if f.name not in frame.columns]
    if missing:
        raise BaselineError(
            pd.DataFrame(
                {
                    "row": "all",
                    "person_id": "",
                    "column": missing,
                    "reason": "required baseline column is missing",
                }
            )
        )
    persons = (
        frame["person_id"].astype("string").fillna("")
        if "person_id" in frame.columns
        else pd.Series("", index=frame.index, dtype="string")
    )
    found = []
    for feature in features:
        bad = _invalid(frame[feature.name], feature)
        found.extend((i, feature.name, reason) for i, reason in bad.items())
    present = {f.name for f in features}
    for short, long in NESTED_WINDOWS:
        if short in present and long in present:
            s = pd.to_numeric(frame[short], errors="coerce")
            over = s > pd.to_numeric(frame[long], errors="coerce")
            found.extend((i, short, f"is larger than {long}") for i in over[over].index)
    if found:
        position = {label: n + 1 for n, label in enumerate(frame.index)}
        problems = pd.DataFrame(found, columns=["label", "column", "reason"])
        problems["row"] = problems["label"].map(position)
        problems["person_id"] = persons.loc[problems["label"]].to_numpy()
        problems = problems.sort_values(["row", "column"], kind="stable", ignore_index=True)
        raise BaselineError(problems[["row", "person_id", "column", "reason"]])


def _invalid(values: pd.Series, feature: Feature) -> pd.Series:
    """Reason per invalid row (index = row label)."""
    missing = values.isna() | values.astype("string").str.strip().eq("").fillna(False)
    reasons = pd.Series(
        np.where(missing, "missing value (no default is assumed)", None),
        index=values.index,
        dtype=object,
    )
    present = ~missing
    if feature.kind == "numeric":
        number = pd.to_numeric(values.where(present), errors="coerce")
        reasons[present & number.isna()] = "not a number"
        low = present & (number < feature.minimum)
        high = present & (number > feature.maximum)
        reasons[low | high] = [
            f"{v!r} is outside {feature.minimum:.10g}..{feature.maximum:.10g}"
            for v in values[low | high]
        ]
    elif feature.kind == "bool":
        reasons[present & ~values.map(_is_bool)] = "not a yes/no value (true/false, 1/0)"
    else:
        text = values.astype("string").str.strip()
        unknown = present & ~text.isin(feature.categories).fillna(False)
        reasons[unknown] = [
            f"unknown code {v!r}; expected one of {', '.join(feature.categories)}"
            for v in values[unknown]
        ]
    return reasons.dropna()


_TRUE = {"true", "1", "yes", "kyllä", "ja"}
_FALSE = {"false", "0", "no", "ei", "nej"}


def _is_bool(value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, (int, np.integer, float, np.floating)):
        return value in (0, 1)
    return str(value).strip().lower() in _TRUE | _FALSE


def as_bool(value: object) -> float:
    if isinstance(value, str):
        return 1.0 if value.strip().lower() in _TRUE else 0.0
    return float(bool(value))


def encode(frame: pd.DataFrame, features: tuple[Feature, ...]) -> np.ndarray:
    """Validated baseline -> float matrix: numbers as is, yes/no as 0/1, codes as their position.

    Call :func:`validate_baseline` first; this function assumes valid input.
    """
    columns = []
    for feature in features:
        values = frame[feature.name]
        if feature.kind == "numeric":
            columns.append(pd.to_numeric(values).to_numpy(dtype=float))
        elif feature.kind == "bool":
            columns.append(values.map(as_bool).to_numpy(dtype=float))
        else:
            position = {code: float(i) for i, code in enumerate(feature.categories)}
            columns.append(values.astype("string").str.strip().map(position).to_numpy(dtype=float))
    return np.column_stack(columns) if columns else np.empty((len(frame), 0))
