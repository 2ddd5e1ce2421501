"""Texts of the package in Finnish, Swedish and English, and numbers written the local way.

Texts live in ``texts.toml`` (``key = { fi = ..., sv = ..., en = ... }`` under dotted tables) so
that translators edit data, not code; a text missing in a language is an error at load time, not
a blank in a publication. Numbers: Finnish and Swedish use a decimal comma and a (no-break)
space between thousands and write "9,1 %"; English uses a decimal point, a comma between
thousands and "9.1%".
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from importlib import resources

LANGS = ("fi", "sv", "en")
NBSP = "\u00a0"
#: Symbol of a hidden (suppressed) figure, as in TEM / StatFin tables.
SUPPRESSED = "..."
#: Symbol of a figure that cannot be computed (nobody observed, no denominator).
NOT_AVAILABLE = "."


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    with resources.files("vaikutus.reports").joinpath("texts.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    flat: dict[str, dict[str, str]] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if not isinstance(value, dict):
                raise ValueError(f"texts.toml: {name} is not a text in {LANGS}")
            if all(isinstance(v, str) for v in value.values()):
                if set(value) != set(LANGS):
                    raise ValueError(f"texts.toml: {name} must have exactly the languages {LANGS}, has {sorted(value)}")
                flat[name] = value
            else:
                walk(value, name + ".")

    walk(raw, "")
    return flat


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def has(key: str) -> bool:
    return key in _texts()


def text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``{name}`` placeholders filled."""
    try:
        entry = _texts()[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in reports/texts.toml") from None
    out = entry[lang]
    return out.format(**values) if values else out


def label(kind: str, code: object, lang: str) -> str:
    """Label of a code (``kind`` = state, group, cohort, event, benefit...), the code itself if
    the catalogue has none (e.g. a new service code)."""
    key = f"code.{kind}.{code}"
    return text(key, lang) if has(key) else str(code)


class Numbers:
    """Number formatting of one language."""

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)
        self.decimal = "." if lang == "en" else ","
        self.group = "," if lang == "en" else NBSP

    def number(self, x: float | None, digits: int = 0) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return NOT_AVAILABLE
        s = f"{abs(x):,.{digits}f}"
        s = s.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)
        return ("\u2212" if x < 0 and float(f"{abs(x):.{digits}f}") != 0 else "") + s

    def percent(self, share: float | None, digits: int = 1) -> str:
        """A share (0..1) as a percentage."""
        if share is None or (isinstance(share, float) and math.isnan(share)):
            return NOT_AVAILABLE
        value = self.number(100 * share, digits)
        return f"{value}%" if self.lang == "en" else f"{value}{NBSP}%"

    def euros(self, x: float | None, digits: int = 0) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return NOT_AVAILABLE
        return f"€{self.number(x, digits)}" if self.lang == "en" else f"{self.number(x, digits)}{NBSP}€"

    def interval(self, low: float | None, high: float | None, fmt) -> str:
        return f"{fmt(low)}\u2013{fmt(high)}"
