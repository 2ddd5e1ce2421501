"""Display tables of the report (HTML and PDF): the package tables pivoted and formatted the way
a reader wants them - the area's numbers first, the country beside them, intervals in brackets,
suppressed figures as "...".

A view is a title, a header row and rows of strings; the first column is a label, the others
numbers (right-aligned). The full tables are in the workbook and the Parquet files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vaikutus.reports.i18n import SUPPRESSED, Numbers, label, text
from vaikutus.reports.labels import group_label
from vaikutus.reports.package import Package
from vaikutus.reports.states import COUNTRY, MAIN_STATES, STATES

#: Indicators of the rankings, funnel plots and the map (rates with intervals).
RANKED = ("unemployment_share", "activation_rate", "cohort_open_market_work_6m", "cohort_service_6m")


@dataclass(frozen=True)
class View:
    title: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""
    row_classes: list[str] = field(default_factory=list)
    #: columns (0-based) of text, set left like the first
    text_columns: tuple[int, ...] = ()


class Formatter:
    def __init__(self, lang: str) -> None:
        self.n = Numbers(lang)
        self.lang = lang

    @staticmethod
    def _missing(x) -> bool:
        return x is None or (isinstance(x, float) and math.isnan(x))

    def value(self, x, fmt: str, hidden: bool = False) -> str:
        if self._missing(x):
            return SUPPRESSED if hidden else "."
        return {"pct": lambda: self.n.percent(x, 1), "int": lambda: self.n.number(x, 0),
                "eur": lambda: self.n.number(x, 0), "dec1": lambda: self.n.number(x, 1),
                "dec2": lambda: self.n.number(x, 2)}[fmt]()

    def with_ci(self, x, lo, hi, fmt: str, hidden: bool = False) -> str:
        main = self.value(x, fmt, hidden)
        if self._missing(x) or self._missing(lo) or self._missing(hi):
            return main
        return f"{main} ({self.value(lo, fmt)}\u2013{self.value(hi, fmt)})"


def _lookup(frame: pd.DataFrame, keys: list[str]) -> dict:
    """Rows of ``frame`` by the values of ``keys`` (one pass instead of a filter per cell)."""
    return {tuple(k) if len(keys) > 1 else k[0]: row
            for k, row in zip(frame[keys].itertuples(index=False), frame.itertuples(index=False))}


def _cohort_title(key: str, cohort: str, pkg: Package, **values) -> str:
    return f"{text(key, pkg.lang, **values)} \u2013 {label('cohort', cohort, pkg.lang)}"


def key_figures(pkg: Package) -> View:
    f = Formatter(pkg.lang)
    ch = pkg.tables["changes"]
    kf = pkg.tables["key_figures"]
    prev = pkg.request.period.previous().label
    now = pkg.request.period.label
    header = [text("col.figure_label", pkg.lang), prev, now, text("col.change", pkg.lang)]
    if pkg.focus != COUNTRY:
        header.append(f"{text('doc.country', pkg.lang)} {now}")
    rows, classes = [], []
    for r in ch.itertuples():
        fmt = {"percent": "dec1", "euros": "eur"}.get(r.kind, "int")
        scale = (lambda v: v / 100) if r.kind == "percent" else (lambda v: v)
        cells = [r.figure_label,
                 f.value(scale(r.value_before), "pct" if r.kind == "percent" else fmt),
                 f.value(scale(r.value_now), "pct" if r.kind == "percent" else fmt),
                 _signed(f, r.change, fmt) + (" *" if r.beyond_noise else "")]
        if pkg.focus != COUNTRY:
            c = kf[(kf.area_code == COUNTRY) & (kf.period == now) & (kf.figure == r.figure)].value
            cells.append(f.value(scale(c.iloc[0]) if len(c) else None, "pct" if r.kind == "percent" else fmt))
        rows.append(cells)
        classes.append("changed" if r.beyond_noise else "")
    unit = {"fi": "* muutos yli satunnaisvaihtelun; osuuksien muutos prosenttiyksikköinä",
            "sv": "* förändring utöver slumpvariationen; förändring i andelar i procentenheter",
            "en": "* change beyond noise; changes of shares in percentage points"}[pkg.lang]
    return View(text("heading.key_figures", pkg.lang), header, rows, unit, classes)


def _signed(f: Formatter, x, fmt: str) -> str:
    if f._missing(x):
        return "."
    s = f.value(abs(x), fmt)
    if not any(ch in "123456789" for ch in s):
        return "\u00b1" + s
    return ("+" if x > 0 else "\u2212") + s


def state_horizons(pkg: Package, cohort: str) -> View:
    """Detailed states at the horizons: the area and the country side by side."""
    f = Formatter(pkg.lang)
    s = pkg.tables["states_monthly"]
    s = s[(s.cohort == cohort) & s.k.isin(pkg.request.params.horizons)]
    hs = [h for h in pkg.request.params.horizons if h in set(s.k)]
    areas = [pkg.focus] if pkg.focus == COUNTRY else [pkg.focus, COUNTRY]
    month = "kk" if pkg.lang == "fi" else "mån." if pkg.lang == "sv" else "m"
    header = [text("col.state_label", pkg.lang), *[f"{_short_area(pkg, a)} {h} {month}" for a in areas for h in hs]]
    rows_by = _lookup(s, ["area_code", "k", "state"])
    present = [st for st in STATES if st in set(s.state)]
    rows = []
    for st in present:
        cells = [label("state", st, pkg.lang)]
        for a in areas:
            for h in hs:
                r = rows_by.get((a, h, st))
                cells.append(f.value(r.share, "pct", bool(r.suppressed)) if r else ".")
        rows.append(cells)
    totals = [text("col.observed", pkg.lang)]
    for a in areas:
        for h in hs:
            r = rows_by.get((a, h, present[0])) if present else None
            totals.append(f.value(r.observed, "int", bool(pd.isna(r.observed))) if r else ".")
    rows.append(totals)
    return View(_cohort_title("table.state_horizons.title", cohort, pkg, horizons=", ".join(map(str, hs))),
                header, rows, row_classes=["" for _ in present] + ["total"])


def _short_area(pkg: Package, code: str) -> str:
    return text("doc.country", pkg.lang) if code == COUNTRY else pkg.area_name


def main_states_by_group(pkg: Package, cohort: str) -> View:
    f = Formatter(pkg.lang)
    t = pkg.tables["main_states_by_group"]
    h = _display_horizon(pkg)
    t = t[(t.cohort == cohort) & (t.area_code == pkg.focus) & (t.k == h) & (t.group_code != "unknown")]
    header = [text("col.group_label", pkg.lang), text("col.observed", pkg.lang),
              *[label("state", s, pkg.lang) for s in MAIN_STATES]]
    by = _lookup(t, ["group_dim", "group_code", "state"])
    rows = []
    for (dim, code) in t[["group_dim", "group_code"]].drop_duplicates().itertuples(index=False):
        first = by.get((dim, code, MAIN_STATES[0]))
        cells = [group_label(dim, code, pkg.lang), f.value(first.observed, "int", bool(pd.isna(first.observed))) if first else "."]
        for s in MAIN_STATES:
            r = by.get((dim, code, s))
            cells.append(f.value(r.share, "pct", bool(r.suppressed)) if r else ".")
        rows.append(cells)
    title = f"{text('table.main_states_by_group.title', pkg.lang, horizons=h)} \u2013 {label('cohort', cohort, pkg.lang)}, {pkg.area_name}"
    return View(title, header, rows)


def _display_horizon(pkg: Package) -> int:
    observed = pkg.fully_observed
    return max(observed) if observed else min(pkg.request.params.horizons)


def time_to_event(pkg: Package, cohort: str) -> View:
    f = Formatter(pkg.lang)
    t = pkg.tables["time_to_event"]
    t = t[(t.cohort == cohort) & (t.group_dim == "all")]
    ks = [k for k in (3, 6, 12, 24) if k in set(t.k)]
    month = "kk" if pkg.lang == "fi" else "mån." if pkg.lang == "sv" else "m"
    header = [text("col.event_label", pkg.lang), text("col.area_name", pkg.lang), *[f"{k} {month}" for k in ks],
              text("col.median_months", pkg.lang)]
    by = _lookup(t, ["event", "area_code", "k"])
    last = t.groupby(["event", "area_code"]).k.max().to_dict()
    rows = []
    areas = [pkg.focus] if pkg.focus == COUNTRY else [pkg.focus, COUNTRY]
    for event in t.event.unique():
        for a in areas:
            if (event, a) not in last:
                continue
            cells = [label("event", event, pkg.lang), _short_area(pkg, a)]
            for k in ks:
                r = by.get((event, a, k))
                cells.append(f.with_ci(r.share, r.share_low, r.share_high, "pct", bool(r.suppressed)) if r else ".")
            med = by[(event, a, 0)].median_months if (event, a, 0) in by else np.nan
            cells.append(f.value(med, "int") if not f._missing(med) else f"> {int(last[(event, a)])}")
            rows.append(cells)
    return View(_cohort_title("table.time_to_event.title", cohort, pkg), header, rows)


def transitions(pkg: Package, cohort: str) -> list[View]:
    f = Formatter(pkg.lang)
    t = pkg.tables["transitions"]
    t = t[(t.cohort == cohort) & (t.area_code == pkg.focus) & (t.detail == "main")]
    by = _lookup(t, ["from_k", "to_k", "from_state", "to_state"])
    views = []
    for a, b in t[["from_k", "to_k"]].drop_duplicates().itertuples(index=False):
        header = [f"{a} \u2192 {b}", text("col.from_total", pkg.lang), *[label("state", s, pkg.lang) for s in MAIN_STATES]]
        rows = []
        for s in MAIN_STATES:
            first = by.get((a, b, s, MAIN_STATES[0]))
            cells = [label("state", s, pkg.lang),
                     f.value(first.from_total, "int", bool(pd.isna(first.from_total))) if first else "."]
            for s2 in MAIN_STATES:
                x = by.get((a, b, s, s2))
                cells.append(f.value(x.share_of_row, "pct", bool(x.suppressed)) if x else ".")
            rows.append(cells)
        title = (f"{text('table.transitions.title', pkg.lang)}: {a} \u2192 {b} \u2013 "
                 f"{label('cohort', cohort, pkg.lang)}, {pkg.area_name}")
        views.append(View(title, header, rows))
    return views


def common_paths(pkg: Package, cohort: str) -> View:
    f = Formatter(pkg.lang)
    p = pkg.tables["paths"]
    p = p[(p.cohort == cohort) & (p.area_code == pkg.focus)].sort_values("rank")
    header = [text("col.rank", pkg.lang), text("col.path_label", pkg.lang), text("col.persons", pkg.lang),
              text("col.share", pkg.lang)]
    rows = [[str(int(r.rank)) if r.path != "other" else "", r.path_label, f.value(r.persons, "int", r.suppressed),
             f.value(r.share, "pct", r.suppressed)] for r in p.itertuples()]
    months = pkg.request.params.path_months
    title = f"{text('table.paths.title', pkg.lang, months=months)} \u2013 {label('cohort', cohort, pkg.lang)}, {pkg.area_name}"
    note = "" if rows else text("table.paths.not_yet", pkg.lang, months=months)
    return View(title, header, rows, note=note, text_columns=(1,))


def earnings(pkg: Package, cohort: str) -> View:
    f = Formatter(pkg.lang)
    e = pkg.tables["earnings_monthly"]
    e = e[(e.cohort == cohort) & (e.area_code == pkg.focus) & e.e.isin(pkg.request.params.group_event_times)]
    thresholds = pkg.request.params.earnings_thresholds_eur
    header = [text("col.e", pkg.lang), text("col.persons", pkg.lang), text("col.earnings_mean", pkg.lang),
              text("col.earnings_median", pkg.lang),
              *[text("col.share_earn_gt", pkg.lang, threshold=f.n.number(t, 0)) for t in thresholds]]
    rows = []
    for r in e.itertuples():
        d = r._asdict()
        cells = [str(r.e), f.value(r.persons, "int", r.suppressed),
                 f.with_ci(r.earnings_mean, r.earnings_mean_low, r.earnings_mean_high, "eur", r.suppressed),
                 f.with_ci(r.earnings_median, r.earnings_median_low, r.earnings_median_high, "eur", r.suppressed)]
        cells += [f.value(d[f"share_earn_gt_{int(t)}"], "pct", r.suppressed) for t in thresholds]
        rows.append(cells)
    title = f"{text('table.earnings_monthly.title', pkg.lang)} \u2013 {label('cohort', cohort, pkg.lang)}, {pkg.area_name}"
    return View(title, header, rows)


def benefits(pkg: Package, cohort: str) -> View:
    f = Formatter(pkg.lang)
    b = pkg.tables["benefits_monthly"]
    b = b[(b.cohort == cohort) & (b.area_code == pkg.focus) & b.e.isin(pkg.request.params.group_event_times)]
    es = [e for e in pkg.request.params.group_event_times if e in set(b.e)]
    header = [text("col.benefit_label", pkg.lang), *[str(e) for e in es]]
    by = _lookup(b, ["benefit", "e"])
    rows, classes = [], []
    for benefit in b.benefit.unique():
        cells = [label("benefit", benefit, pkg.lang)]
        for e in es:
            r = by.get((benefit, e))
            cells.append(f.value(r.mean_eur, "eur", bool(r.suppressed)) if r else ".")
        rows.append(cells)
        classes.append("total" if benefit == "total" else "")
    title = f"{text('chart.benefits', pkg.lang)} \u2013 {label('cohort', cohort, pkg.lang)}, {pkg.area_name}"
    note = {"fi": "Sarakkeet: kuukausi alkamisesta.", "sv": "Kolumner: månad från början.",
            "en": "Columns: month from entry."}[pkg.lang]
    return View(title, header, rows, note, classes)


def earnings_by_group(pkg: Package, cohort: str) -> View:
    f = Formatter(pkg.lang)
    h = _display_horizon(pkg)
    e = pkg.tables["earnings_by_group"]
    e = e[(e.cohort == cohort) & (e.area_code == pkg.focus) & (e.e == h)]
    header = [text("col.group_label", pkg.lang), text("col.persons", pkg.lang), text("col.earnings_mean", pkg.lang),
              text("col.earnings_median", pkg.lang), text("col.share_earn_gt", pkg.lang, threshold="0")]
    rows = []
    for r in e.itertuples():
        if r.group_code == "unknown":
            continue
        rows.append([r.group_label, f.value(r.persons, "int", r.suppressed),
                     f.with_ci(r.earnings_mean, r.earnings_mean_low, r.earnings_mean_high, "eur", r.suppressed),
                     f.value(r.earnings_median, "eur", r.suppressed), f.value(r.share_earn_gt_0, "pct", r.suppressed)])
    title = f"{text('table.earnings_by_group.title', pkg.lang)}, {h} \u2013 {label('cohort', cohort, pkg.lang)}, {pkg.area_name}"
    return View(title, header, rows)


def profile(pkg: Package) -> View:
    """Every indicator of the area against the country and its peers (area packages)."""
    f = Formatter(pkg.lang)
    r = pkg.tables["regional"]
    mine = r[r.area_code == pkg.focus]
    header = [text("col.indicator_name", pkg.lang), text("col.value", pkg.lang), text("col.country_value", pkg.lang),
              text("col.peer_value", pkg.lang), text("col.rank", pkg.lang), text("col.funnel_label", pkg.lang)]
    rows = []
    for x in mine.itertuples():
        fmt = "dec1" if x.kind in ("rate", "mean") else "int"
        hidden = x.flag in ("suppressed", "secondary_suppressed")
        rank = "." if f._missing(x.rank) else f"{int(x.rank)} ({int(x.rank_low)}\u2013{int(x.rank_high)})"
        rows.append([x.indicator_name, f.with_ci(x.value, x.ci_low, x.ci_high, fmt, hidden),
                     f.value(x.country_value, fmt), f.value(x.peer_value, fmt), rank, x.funnel_label or ""])
    return View(text("table.profile.title", pkg.lang, area=pkg.area_name), header, rows)


def area_table(pkg: Package) -> View:
    """All employment areas on the ranked indicators, with intervals and rank intervals."""
    f = Formatter(pkg.lang)
    r = pkg.tables["regional"]
    inds = [i for i in RANKED if i in set(r.indicator)]
    names = {i: r[r.indicator == i].indicator_name.iloc[0] for i in inds}
    header = [text("col.area_name", pkg.lang), *[names[i] for i in inds]]
    rows, classes = [], []
    sub = r[r.indicator.isin(inds)]
    by = _lookup(sub, ["area_code", "indicator"])
    for code, name in sub[["area_code", "area_name"]].drop_duplicates().itertuples(index=False):
        cells = [name]
        for i in inds:
            x = by.get((code, i))
            if x is None:
                cells.append(".")
                continue
            hidden = x.flag in ("suppressed", "secondary_suppressed")
            rank = "" if f._missing(x.rank) else f" [{int(x.rank_low)}\u2013{int(x.rank_high)}]"
            cells.append(f.with_ci(x.value, x.ci_low, x.ci_high, "dec1", hidden) + rank)
        rows.append(cells)
        classes.append("focus" if code == pkg.focus else "total" if code == COUNTRY else "")
    note = {"fi": "Arvo (95 %:n luottamusväli) [sijan 95 %:n väli; 1 = suurin].",
            "sv": "Värde (95 % konfidensintervall) [rangens 95 % intervall; 1 = störst].",
            "en": "Value (95% interval) [95% interval of the rank; 1 = highest]."}[pkg.lang]
    return View(text("table.regional.title", pkg.lang), header, rows, note, classes)


def methods(pkg: Package) -> list[str]:
    p = pkg.request.params
    n = Numbers(pkg.lang)
    z_text = n.number(p.z, 2)
    paras = [
        text("methods.cohorts", pkg.lang),
        text("methods.states", pkg.lang, threshold=n.number(p.work_earnings_threshold_eur, 0)),
        text("methods.censoring", pkg.lang, last=pkg.data_last),
        text("methods.income", pkg.lang),
        text("methods.regional", pkg.lang, draws=n.number(p.rank_draws, 0), peers=p.peer_count),
        text("methods.changes", pkg.lang, z_text=z_text),
    ]
    if not pkg.request.internal:
        paras.append(text("methods.suppression", pkg.lang, below=p.suppression_threshold - 1))
    paras.append(text("methods.sources", pkg.lang, version=pkg.version))
    return paras
