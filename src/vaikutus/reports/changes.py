"""What changed since the previous half-year, in plain words generated from the numbers.

A change is written out only when it is beyond noise: |now - before| > z * sqrt(se_now^2 +
se_before^2) with the standard errors of ``content.key_figures`` (binomial for shares, Poisson
for counts, from the sum of squares for mean earnings) and z of the package (95 %). Cohort
figures are compared only when both half-years' cohorts have been followed for the whole
horizon. The remaining figures get one closing sentence saying they stayed within noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaikutus.reports.i18n import NBSP, Numbers, text

#: Order of the sentences.
FIGURE_ORDER = ("unemployment_share", "long_term_unemployed", "activation_rate", "entrants",
                "open_market_work", "unemployed", "service", "earnings")


def compare(figures: pd.DataFrame, current: str, previous: str, area: str, z: float) -> pd.DataFrame:
    """One row per key figure of ``area``: before, now, change, its standard error and whether
    it is beyond noise."""
    f = figures[figures.area_code == area]
    now = f[f.period == current].set_index("figure")
    before = f[f.period == previous].set_index("figure")
    out = now[["kind", "value", "se"]].rename(columns={"value": "value_now", "se": "se_now"}).join(
        before[["value", "se"]].rename(columns={"value": "value_before", "se": "se_before"}), how="left")
    out["change"] = out.value_now - out.value_before
    out["change_se"] = np.sqrt(out.se_now**2 + out.se_before**2)
    out["beyond_noise"] = (out.change.abs() > z * out.change_se) & out.change.notna()
    out = out.reset_index()
    out["order"] = out.figure.map(lambda name: next((i for i, p in enumerate(FIGURE_ORDER) if name.startswith(p)), 99))
    return out.sort_values(["order", "figure"]).drop(columns="order").reset_index(drop=True)


def sentences(changes: pd.DataFrame, lang: str, area_name: str) -> list[str]:
    """Sentences for the changes beyond noise, then one for the rest."""
    num = Numbers(lang)
    out = []
    quiet = []
    for row in changes.itertuples():
        subject = text(f"figure.{_base(row.figure)}.subject", lang, months=_months(row.figure))
        if not row.beyond_noise:
            if np.isfinite(row.value_now) and np.isfinite(row.value_before):
                quiet.append(subject)
            continue
        direction = "up" if row.change > 0 else "down"
        if row.kind == "percent":
            values = dict(delta=num.number(abs(row.change), 1), value=num.percent(row.value_now / 100, 1))
        elif row.kind == "euros":
            values = dict(delta=num.number(abs(row.change), 0), value=num.number(row.value_now, 0))
        else:
            values = dict(delta=num.percent(abs(row.change) / row.value_before, 0) if row.value_before else "",
                          value=num.number(row.value_now, 0))
        sentence = text(f"change.{row.kind}.{direction}", lang, subject=subject, **values)
        out.append(sentence[:1].upper() + sentence[1:])
    if quiet:
        out.append(text("change.within_noise", lang, figures=_join(quiet, lang)))
    if not out:
        out.append(text("change.none", lang))
    return [s.replace(" %", f"{NBSP}%") for s in out]


def _base(figure: str) -> str:
    """``open_market_work_6m`` -> ``open_market_work``."""
    head, _, tail = figure.rpartition("_")
    return head if tail.endswith("m") and tail[:-1].isdigit() else figure


def _months(figure: str) -> str:
    tail = figure.rpartition("_")[2]
    return tail[:-1] if tail.endswith("m") and tail[:-1].isdigit() else ""


def _join(items: list[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    last = {"fi": "ja", "sv": "och", "en": "and"}[lang]
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
