"""Interface texts in Finnish, Swedish and English.

Texts live in ``locales/<lang>.json`` (flat keys) so translators edit data, not code. A missing key
in Swedish or English falls back to Finnish, and a key missing everywhere raises at start-up in the
tests (``test_locales_are_complete``) rather than showing a raw key to a citizen.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    path = resources.files("vaikutus.portal").joinpath("locales", f"{lang}.json")
    own = json.loads(path.read_text(encoding="utf-8"))
    if lang == DEFAULT_LANGUAGE:
        return own
    return {**messages(DEFAULT_LANGUAGE), **own}


def translator(lang: str):
    """A ``t(key, **values)`` function for templates."""
    table = messages(lang)

    def t(key: str, **values: object) -> str:
        text = table.get(key, key)
        return text.format(**values) if values else text

    return t


def pick(row: dict, field: str, lang: str) -> str:
    """``row[field_<lang>]`` with Finnish as the fallback (for metadata carried in three languages)."""
    return row.get(f"{field}_{lang}") or row.get(f"{field}_{DEFAULT_LANGUAGE}") or ""
