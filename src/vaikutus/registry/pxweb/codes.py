"""StatFin codes in our terms: area codes to ``(area_type, area_code)``, time codes to periods.

StatFin renames its *variable* codes (``Kuukausi`` became ``timeperiod_m``; DOMAIN.md D) but keeps
the *value* codes stable: ``SSS`` is the whole country, ``KU091`` a municipality, ``2026M06`` a
month. So the parsers recognise a table's time and area dimensions by these marker values, which
live here, and never by a variable's name.
"""

from __future__ import annotations

import re

import pandas as pd

from vaikutus.registry.pxweb.errors import PxWebFormatError

AREA_TYPES = ("country", "municipality", "region", "subregion", "ely", "unknown")

#: Buckets for jobseekers whose area is not known. ``ELY80`` and ``MK91`` carry exactly the figures
#: of ``KU199`` in the 2026M06 release of 12r5 (checked in the tests), so they are the same bucket.
UNKNOWN_AREAS = frozenset({"KU199", "KUJOU", "MK91", "MKJO", "SKJOU", "ELY80", "ELYJO"})

_AREA_PATTERNS = (
    ("municipality", re.compile(r"KU(\d{3})")),
    ("region", re.compile(r"MK(\d{2})")),
    ("subregion", re.compile(r"SK(\d{3})")),
    ("ely", re.compile(r"ELY(\d{2})")),
)
COUNTRY = "SSS"

_MONTH = re.compile(r"(\d{4})M(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_YEAR = re.compile(r"(1[89]\d\d|2\d\d\d)")


def area_of(code: str) -> tuple[str, str]:
    """Map a StatFin area code to ``(area_type, area_code)``.

    ``SSS`` -> ``('country', 'SSS')``, ``KU091`` -> ``('municipality', '091')``, ``MK01`` ->
    ``('region', '01')``, ``SK011`` -> ``('subregion', '011')``, ``ELY01`` -> ``('ely', '01')``; the
    unknown-area buckets keep their full code: ``KU199`` -> ``('unknown', 'KU199')``.
    """
    if code == COUNTRY:
        return "country", COUNTRY
    if code in UNKNOWN_AREAS:
        return "unknown", code
    for area_type, pattern in _AREA_PATTERNS:
        match = pattern.fullmatch(code)
        if match:
            return area_type, match.group(1)
    raise PxWebFormatError(
        f"area code {code!r} is not a StatFin area code (SSS, KU###, MK##, SK###, ELY##)"
    )


def is_area_code(code: str) -> bool:
    """True for ``SSS``, ``KU###``, ``MK##``, ``SK###``, ``ELY##`` and the unknown buckets."""
    try:
        area_of(code)
    except PxWebFormatError:
        return False
    return True


def time_frequency(code: str) -> str | None:
    """``'M'``, ``'Q'`` or ``'Y'`` for a StatFin time code (``2026M06``, ``2026Q2``, ``2026``)."""
    for freq, pattern in (("M", _MONTH), ("Q", _QUARTER), ("Y", _YEAR)):
        if pattern.fullmatch(code):
            return freq
    return None


def to_period(code: str) -> pd.Period:
    """A StatFin time code as a pandas Period (``2026M06`` -> ``Period('2026-06', 'M')``)."""
    freq = time_frequency(code)
    if freq is None:
        raise PxWebFormatError(
            f"time code {code!r} is not a month (2026M06), quarter (2026Q2) or year (2026)"
        )
    if freq == "M":
        return pd.Period(f"{code[:4]}-{code[5:]}", freq="M")
    if freq == "Q":
        return pd.Period(code, freq="Q")
    return pd.Period(code, freq="Y")


def period_label(code: str) -> str:
    """The period in our terms: ``2026M06`` -> ``'2026-06'``; ``2026Q2``, ``2026`` unchanged."""
    return str(to_period(code))


def time_dimension_score(values: list[str] | tuple[str, ...]) -> int:
    """How surely a dimension holding ``values`` is time: 2 months/quarters, 1 years, 0 not time.

    Years alone score lower because four-digit codes also name occupations (12ti ``2513``).
    """
    if not values:
        return 0
    freqs = {time_frequency(v) for v in values}
    if None in freqs:
        return 0
    return 2 if freqs & {"M", "Q"} else 1
