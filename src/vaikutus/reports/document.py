"""The report as HTML (interactive charts, works offline) and as PDF (WeasyPrint, vector charts).

Both come from one Jinja template and one list of views and chart specs, so the two outputs
always say the same thing. The HTML inlines the vendored Vega, Vega-Lite and vega-embed
(``vaikutus/portal/static/vendor/vega``), so the single file opens without a network; the PDF
gets each chart as SVG from ``vl-convert`` and uses CSS paged media for running headers, page
numbers and table headers repeated on every page a table runs over.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import vl_convert
from markupsafe import Markup

from vaikutus.reports import charts, views
from vaikutus.reports.i18n import label, text
from vaikutus.reports.package import Package
from vaikutus.reports.states import COUNTRY

VEGA_FILES = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
VL_VERSION = "6.4"
COHORTS = ("unemployment", "service")


@dataclass
class Chart:
    """A chart of the report; ``svg`` (a data URI) is filled in for the PDF."""

    id: str
    title: str
    spec: dict
    svg: str = ""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    loader = jinja2.PackageLoader("vaikutus.reports", "templates")
    return jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=1)
def _vega_scripts() -> tuple[str, ...]:
    folder = resources.files("vaikutus.portal").joinpath("static", "vendor", "vega")
    return tuple(folder.joinpath(name).read_text(encoding="utf-8") for name in VEGA_FILES)


def _css() -> str:
    return resources.files("vaikutus.reports").joinpath("templates", "package.css").read_text(encoding="utf-8")


class _Items:
    """Blocks of charts and tables, with chart ids numbered in document order."""

    def __init__(self) -> None:
        self.charts: list[Chart] = []

    def chart(self, spec: dict) -> dict:
        c = Chart(f"chart{len(self.charts) + 1}", spec.get("title", ""), spec)
        self.charts.append(c)
        return {"kind": "chart", "value": c}

    @staticmethod
    def table(view: views.View) -> dict:
        return {"kind": "table", "value": view}


def _blocks(pkg: Package, items: _Items) -> dict[str, list[dict]]:
    t, lang, focus = pkg.tables, pkg.lang, pkg.focus
    hs = ", ".join(str(h) for h in pkg.request.params.horizons)
    paths, income = [], []
    for cohort in COHORTS:
        cl = label("cohort", cohort, lang)
        paths.append({"heading": f"{text('heading.states', lang)} \u2013 {cl}", "items": [
            items.chart(charts.state_chart(t["states_monthly"], cohort, focus, lang)),
            items.table(views.state_horizons(pkg, cohort))]})
        paths.append({"heading": f"{text('heading.states_by_group', lang, horizons=hs)} \u2013 {cl}",
                      "items": [items.table(views.main_states_by_group(pkg, cohort))]})
        paths.append({"heading": f"{text('heading.time_to_event', lang)} \u2013 {cl}", "items": [
            items.chart(charts.time_to_event_chart(t["time_to_event"], cohort, focus, lang)),
            items.table(views.time_to_event(pkg, cohort))]})
        paths.append({"heading": f"{text('heading.transitions', lang)} \u2013 {cl}",
                      "items": [items.table(v) for v in views.transitions(pkg, cohort)]})
        paths.append({"heading": f"{text('heading.common_paths', lang)} \u2013 {cl}",
                      "items": [items.table(views.common_paths(pkg, cohort))]})
        income.append({"heading": f"{text('heading.earnings', lang)} \u2013 {cl}", "items": [
            items.chart(charts.earnings_chart(t["earnings_monthly"], cohort, focus, lang)),
            items.table(views.earnings(pkg, cohort))]})
        income.append({"heading": f"{text('heading.benefits', lang)} \u2013 {cl}", "items": [
            items.chart(charts.benefits_chart(t["benefits_monthly"], cohort, focus, lang)),
            items.table(views.benefits(pkg, cohort))]})
        income.append({"heading": f"{text('heading.earnings_by_group', lang)} \u2013 {cl}",
                       "items": [items.table(views.earnings_by_group(pkg, cohort))]})
    regional = []
    r = t["regional"]
    ranked = [i for i in views.RANKED if i in set(r.indicator)]
    if focus != COUNTRY:
        regional.append({"heading": text("heading.profile", lang), "items": [items.table(views.profile(pkg))]})
    if ranked:
        regional.append({"heading": text("heading.map", lang), "items": [
            items.chart(charts.map_chart(r, ranked[0], pkg.request.period.label, focus, lang))]})
        regional.append({"heading": text("heading.ranking", lang),
                         "items": [items.chart(charts.ranking_chart(r, i, focus, lang)) for i in ranked]})
        regional.append({"heading": text("heading.funnel", lang), "items": [
            items.chart(charts.funnel_chart(r, i, focus, pkg.request.params, lang)) for i in ranked]})
        regional.append({"heading": text("heading.all_indicators", lang), "items": [items.table(views.area_table(pkg))]})
    return {"path_blocks": paths, "income_blocks": income, "regional_blocks": regional}


def _context(pkg: Package, files: dict[str, str]) -> tuple[dict, list[Chart]]:
    lang = pkg.lang
    items = _Items()
    blocks = _blocks(pkg, items)
    internal = pkg.request.internal
    p = pkg.request.params
    cls_text = text("doc.internal" if internal else "doc.public", lang)
    area_heading = text("doc.country", lang) if pkg.focus == COUNTRY else text("doc.area", lang, name=pkg.area_name)
    created = pkg.created.strftime("%Y-%m-%d %H:%M")
    cover = [(text("meta.period", lang), pkg.request.period.label),
             (text("meta.data_window", lang), f"{pkg.data_first}\u2013{pkg.data_last}"),
             (text("meta.created", lang), created),
             (text("meta.software", lang), f"vaikutus {pkg.version}")]
    observed = max(pkg.fully_observed) if pkg.fully_observed else 0
    disclosure = (text("meta.suppression_counts", lang, **pkg.disclosure) if not internal
                  else text("meta.no_suppression", lang))
    meta_rows = [
        (text("meta.classification", lang), cls_text),
        (text("meta.area", lang), area_heading),
        (text("meta.period", lang), pkg.request.period.label),
        (text("meta.censoring", lang), text("meta.censoring_text", lang, observed=observed, last=pkg.data_last)),
        (text("meta.suppression", lang), disclosure),
        (text("meta.parameters", lang), ", ".join(f"{k} = {v}" for k, v in p.to_dict().items())),
        (text("meta.tables", lang), text("doc.files", lang, excel=files.get("xlsx", ""), parquet=files.get("parquet", ""))),
        (text("meta.rebuild", lang), text("meta.rebuild_text", lang)),
        *[(f"{text('meta.fingerprints', lang)}: {name}", Markup(f"<code>{fp['sha256']}</code> ({fp['rows']:,})"))
          for name, fp in pkg.inputs.items()],
    ]
    ctx = {
        "lang": lang, "version": pkg.version, "classification": pkg.classification, "internal": internal,
        "classification_text": cls_text, "internal_label": text("doc.internal", lang),
        "internal_note": text("doc.internal_note", lang),
        "title": text("doc.title", lang), "subtitle": text("doc.subtitle", lang, period=pkg.request.period.label),
        "series": text("doc.series", lang), "area_name": pkg.area_name, "area_heading": area_heading,
        "period": pkg.request.period.label, "cover_facts": cover,
        "footer": f"{text('doc.series', lang)} \u00b7 {pkg.request.period.label} \u00b7 {area_heading}",
        "h": {k: text(f"heading.{k}", lang) for k in ("changes", "paths", "income", "regional", "methods", "metadata")},
        "toc": [("summary", text("heading.changes", lang)), ("paths", text("heading.paths", lang)),
                ("income", text("heading.income", lang)), ("regional", text("heading.regional", lang)),
                ("methods", text("heading.methods", lang))],
        "sentences": list(pkg.sentences), "previous_source": pkg.previous_source,
        "key_view": views.key_figures(pkg),
        "paths_intro": text("heading.paths_intro", lang, period=pkg.request.period.label, max=p.follow_months),
        "income_intro": text("heading.income_intro", lang, max=p.event_window[1]),
        "regional_intro": text("heading.regional_intro", lang, period=pkg.request.period.label),
        "peers_text": text("heading.peers", lang, names=", ".join(pkg.peers)) if pkg.peers else "",
        "methods": views.methods(pkg), "meta_rows": meta_rows,
        "symbols": text("doc.symbols", lang, threshold=p.suppression_threshold) if not internal else "",
        "interactive_note": text("doc.interactive_note", lang),
        **blocks,
    }
    return ctx, items.charts


def write_html(pkg: Package, path: Path, files: dict[str, str]) -> None:
    ctx, chart_list = _context(pkg, files)
    specs = {c.id: c.spec for c in chart_list}
    ctx.update(interactive=True, css=Markup(_css()), scripts=[Markup(s.replace("</script", "<\\/script"))
                                                             for s in _vega_scripts()],
               specs_json=Markup(_script_json(specs)), locale_json=Markup(_script_json(charts.LOCALES[pkg.lang])))
    path.write_text(_environment().get_template("package.html.j2").render(**ctx), encoding="utf-8")


def write_pdf(pkg: Package, path: Path, files: dict[str, str]) -> None:
    from weasyprint import HTML

    ctx, chart_list = _context(pkg, files)
    for c in chart_list:
        svg = vl_convert.vegalite_to_svg(c.spec, vl_version=VL_VERSION, format_locale=charts.LOCALES[pkg.lang])
        c.svg = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    ctx.update(interactive=False, css=Markup(_css()), scripts=[])
    html = _environment().get_template("package.html.j2").render(**ctx)
    HTML(string=html, base_url=str(path.parent)).write_pdf(path, presentational_hints=True)


def _script_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
