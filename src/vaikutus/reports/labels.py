"""Label columns in the package's language next to the code columns of a table.

Tables keep their codes (stable across languages and releases, what a program joins on) and get
a readable column after each code column: ``area_code`` -> ``area_name``, ``state`` ->
``state_label``, ``indicator`` -> ``indicator_name`` and so on.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from vaikutus import reference
from vaikutus.indicators.definitions import catalog
from vaikutus.reports.i18n import label, text
from vaikutus.reports.paths import OTHER_PATHS, PATH_SEPARATOR
from vaikutus.reports.states import COUNTRY

ARROW = " \u2192 "


@lru_cache(maxsize=3)
def area_names(lang: str) -> dict[str, str]:
    areas = reference.employment_areas()
    names = dict(zip(areas.code.astype(str), areas[f"name_{lang}"]))
    names[COUNTRY] = text("doc.country", lang)
    return names


def area_name(code: str | int | None, lang: str) -> str:
    return area_names(lang).get(str(code), str(code)) if code is not None else text("doc.country", lang)


def indicator_name(ind: str, lang: str) -> str:
    if ind.startswith("cohort_"):
        head, _, tail = ind.rpartition("_")
        return text(f"indicator.{head}", lang, months=tail.rstrip("m"))
    names = {d.id: d.name.get(lang) for d in catalog()}
    return names.get(ind, ind)


def figure_label(figure: str, lang: str) -> str:
    head, _, tail = figure.rpartition("_")
    months = tail[:-1] if tail.endswith("m") and tail[:-1].isdigit() else ""
    base = head if months else figure
    s = text(f"figure.{base}.subject", lang, months=months)
    return s[:1].upper() + s[1:]


def path_label(path: str, lang: str) -> str:
    if path == OTHER_PATHS:
        return label("path", path, lang)
    return ARROW.join(label("state", s, lang) for s in path.split(PATH_SEPARATOR))


def group_label(dim: str, code: str, lang: str) -> str:
    if dim == "all":
        return label("group.all", "all", lang)
    return f"{label('group_dim', dim, lang)}: {label(f'group.{dim}', code, lang)}"


#: code column -> (label column, how to label one value)
_SIMPLE = {
    "area_code": ("area_name", area_name),
    "peer_code": ("peer_name", area_name),
    "cohort": ("cohort_label", lambda v, lang: label("cohort", v, lang)),
    "state": ("state_label", lambda v, lang: label("state", v, lang)),
    "from_state": ("from_state_label", lambda v, lang: label("state", v, lang)),
    "to_state": ("to_state_label", lambda v, lang: label("state", v, lang)),
    "event": ("event_label", lambda v, lang: label("event", v, lang)),
    "benefit": ("benefit_label", lambda v, lang: label("benefit", v, lang)),
    "path": ("path_label", path_label),
    "indicator": ("indicator_name", indicator_name),
    "funnel": ("funnel_label", lambda v, lang: label("funnel", v, lang) if isinstance(v, str) else ""),
    "figure": ("figure_label", figure_label),
}


def add_labels(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    for code_col, (label_col, fn) in _SIMPLE.items():
        if code_col in out.columns:
            values = out[code_col].astype(object)
            mapping = {v: fn(v, lang) for v in values.dropna().unique()}
            out.insert(out.columns.get_loc(code_col) + 1, label_col, values.map(mapping))
    if {"group_dim", "group_code"} <= set(out.columns):
        pairs = out[["group_dim", "group_code"]].drop_duplicates()
        mapping = {(d, c): group_label(d, c, lang) for d, c in pairs.itertuples(index=False)}
        labels = [mapping[(d, c)] for d, c in zip(out.group_dim, out.group_code)]
        out.insert(out.columns.get_loc("group_code") + 1, "group_label", labels)
    return out
