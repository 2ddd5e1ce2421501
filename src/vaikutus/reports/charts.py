"""Vega-Lite specifications of the package's charts, one spec for both outputs.

The HTML report embeds the specs with the vendored vega-embed (tooltips, clickable legends); the
PDF gets the same specs rendered to SVG by ``vl-convert`` (vector graphics, no browser). Data
are inlined from the package tables, suppressed values as gaps. Colours: work green, services
blue, unemployment red, education orange, outside the labour force grey - the same in every
chart and both outputs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from vaikutus import reference
from vaikutus.reports.i18n import label, text
from vaikutus.reports.labels import area_name
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.states import COUNTRY, STATES
from vaikutus.reports.stats import funnel_limits

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
WIDTH, HEIGHT = 520, 210
STATE_COLOURS = {
    "open_market_work": "#1b7837", "subsidised_work": "#7fbf7b", "start_up_grant": "#c7e9c0",
    "labour_market_training": "#08306b", "integration_training": "#2171b5", "self_motivated_study": "#4292c6",
    "work_trial": "#6baed6", "coaching": "#9ecae1", "rehabilitative_work": "#6a51a3",
    "job_alternation_substitute": "#9e9ac8", "other": "#c6dbef", "service": "#4292c6",
    "unemployed": "#d6604d", "education": "#fdb863", "outside_labour_force": "#bababa",
}
SERIES_COLOURS = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#7f7f7f"]
FOCUS_COLOUR, OTHER_COLOUR = "#c55a11", "#1f4e79"
LOCALES = {
    "fi": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"]},
    "sv": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0€"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}


def config() -> dict:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "titleFontWeight": "normal", "gridColor": "#e6e6e6",
                 "domainColor": "#888", "tickColor": "#888", "titleColor": "#333", "labelColor": "#333"},
        "legend": {"labelFontSize": 10, "titleFontSize": 10, "titleFontWeight": "normal", "symbolSize": 90,
                   "labelLimit": 260},
        "title": {"fontSize": 12, "fontWeight": "bold", "anchor": "start", "color": "#1a1a1a", "offset": 8},
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else
                        v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()})
    return out


def _spec(title: str, body: dict, data: pd.DataFrame | None = None, width: int = WIDTH, height: int = HEIGHT) -> dict:
    spec = {"$schema": SCHEMA, "title": title, "width": width, "height": height, "config": config(), **body}
    if data is not None:
        spec["data"] = {"values": _records(data)}
    return spec


def _state_scale(states: tuple[str, ...], lang: str) -> dict:
    return {"domain": [label("state", s, lang) for s in states], "range": [STATE_COLOURS[s] for s in states]}


def state_chart(states: pd.DataFrame, cohort: str, area: str, lang: str) -> dict:
    """Stacked areas: share of the observed cohort in each state, month by month."""
    s = states[(states.cohort == cohort) & (states.area_code == area)]
    present = tuple(st for st in STATES if st in set(s.state))
    data = s[["k", "state_label", "share", "persons", "observed"]].assign(order=s.state.map(STATES.index))
    title = text("chart.states", lang, cohort=_cohort(cohort, lang), area=area_name(area, lang))
    return _spec(title, {
        "mark": {"type": "area", "interpolate": "step-after", "opacity": 0.95},
        "encoding": {
            "x": {"field": "k", "type": "quantitative", "title": text("chart.month_since", lang),
                  "axis": {"tickMinStep": 1, "values": list(range(0, int(data.k.max() if len(data) else 0) + 1, 3))}},
            "y": {"field": "share", "type": "quantitative", "stack": "normalize", "title": text("chart.share", lang),
                  "axis": {"format": ".0%"}},
            "color": {"field": "state_label", "type": "nominal", "title": text("chart.state", lang),
                      "scale": _state_scale(present, lang), "legend": {"orient": "right"}},
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [{"field": "state_label", "title": text("chart.state", lang)},
                        {"field": "k", "title": text("chart.month_since", lang)},
                        {"field": "share", "format": ".1%", "title": text("chart.share", lang)},
                        {"field": "persons", "format": ",.0f", "title": text("col.persons", lang)}],
        }}, data, width=WIDTH - 120)


def time_to_event_chart(t: pd.DataFrame, cohort: str, area: str, lang: str) -> dict:
    s = t[(t.cohort == cohort) & (t.area_code == area) & (t.group_dim == "all")]
    data = s[["k", "event_label", "share", "share_low", "share_high", "reached"]]
    title = text("chart.time_to_event", lang)
    enc_x = {"field": "k", "type": "quantitative", "title": text("chart.month_since", lang)}
    colour = {"field": "event_label", "type": "nominal", "title": text("chart.event", lang),
              "scale": {"range": SERIES_COLOURS}, "legend": {"orient": "bottom"}}
    return _spec(title, {"layer": [
        {"mark": {"type": "area", "opacity": 0.18, "interpolate": "step-after"},
         "encoding": {"x": enc_x, "y": {"field": "share_low", "type": "quantitative"}, "y2": {"field": "share_high"},
                      "color": colour}},
        {"mark": {"type": "line", "interpolate": "step-after", "strokeWidth": 2},
         "encoding": {"x": enc_x, "y": {"field": "share", "type": "quantitative", "title": text("chart.share", lang),
                                        "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
                      "color": colour,
                      "tooltip": [{"field": "event_label", "title": text("chart.event", lang)},
                                  {"field": "k", "title": text("chart.month_since", lang)},
                                  {"field": "share", "format": ".1%", "title": text("chart.share", lang)},
                                  {"field": "share_low", "format": ".1%", "title": text("col.share_low", lang)},
                                  {"field": "share_high", "format": ".1%", "title": text("col.share_high", lang)}]}},
    ]}, data)


def earnings_chart(e: pd.DataFrame, cohort: str, area: str, lang: str) -> dict:
    s = e[(e.cohort == cohort) & (e.area_code == area)]
    mean = s.assign(statistic=text("chart.mean", lang), value=s.earnings_mean, low=s.earnings_mean_low,
                    high=s.earnings_mean_high)
    median = s.assign(statistic=text("chart.median", lang), value=s.earnings_median, low=s.earnings_median_low,
                      high=s.earnings_median_high)
    data = pd.concat([mean, median])[["e", "statistic", "value", "low", "high"]]
    x = {"field": "e", "type": "quantitative", "title": text("chart.event_month", lang),
         "axis": {"values": list(range(-12, 25, 3))}}
    colour = {"field": "statistic", "type": "nominal", "title": text("chart.statistic", lang),
              "scale": {"range": SERIES_COLOURS}, "legend": {"orient": "bottom"}}
    return _spec(text("chart.earnings", lang), {"layer": [
        {"mark": {"type": "area", "opacity": 0.18}, "encoding": {
            "x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}, "color": colour}},
        {"mark": {"type": "line", "point": {"size": 14}, "strokeWidth": 2}, "encoding": {
            "x": x, "y": {"field": "value", "type": "quantitative", "title": text("chart.eur", lang),
                          "axis": {"format": ",.0f"}},
            "color": colour,
            "tooltip": [{"field": "statistic", "title": text("chart.statistic", lang)},
                        {"field": "e", "title": text("chart.event_month", lang)},
                        {"field": "value", "format": ",.0f", "title": text("chart.eur", lang)},
                        {"field": "low", "format": ",.0f", "title": text("col.earnings_mean_low", lang)},
                        {"field": "high", "format": ",.0f", "title": text("col.earnings_mean_high", lang)}]}},
        {"mark": {"type": "rule", "strokeDash": [3, 3], "color": "#888"}, "data": {"values": [{"e": 0}]},
         "encoding": {"x": {"field": "e", "type": "quantitative"}}},
    ]}, data)


def benefits_chart(b: pd.DataFrame, cohort: str, area: str, lang: str) -> dict:
    s = b[(b.cohort == cohort) & (b.area_code == area) & (b.benefit != "total")]
    data = s[["e", "benefit_label", "mean_eur", "share_recipients"]]
    x = {"field": "e", "type": "quantitative", "title": text("chart.event_month", lang),
         "axis": {"values": list(range(-12, 25, 3))}}
    return _spec(text("chart.benefits", lang), {
        "mark": {"type": "area", "interpolate": "monotone", "opacity": 0.9},
        "encoding": {"x": x, "y": {"field": "mean_eur", "type": "quantitative", "stack": "zero",
                                   "title": text("chart.eur", lang), "axis": {"format": ",.0f"}},
                     "color": {"field": "benefit_label", "type": "nominal", "title": text("chart.benefit", lang),
                               "scale": {"range": ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183"]},
                               "legend": {"orient": "bottom", "columns": 3}},
                     "tooltip": [{"field": "benefit_label", "title": text("chart.benefit", lang)},
                                 {"field": "e", "title": text("chart.event_month", lang)},
                                 {"field": "mean_eur", "format": ",.0f", "title": text("chart.eur", lang)},
                                 {"field": "share_recipients", "format": ".1%", "title": text("col.share_recipients", lang)}]}},
        data)


def ranking_chart(r: pd.DataFrame, indicator: str, focus: str, lang: str) -> dict:
    """Caterpillar plot: every area's value with its interval, ordered; the country as a rule."""
    s = r[(r.indicator == indicator) & (r.area_code != COUNTRY) & r.value.notna()].copy()
    s["is_focus"] = s.area_code == focus
    name = s.indicator_name.iloc[0] if len(s) else indicator
    country = r[(r.indicator == indicator) & (r.area_code == COUNTRY)].value
    data = s[["area_name", "value", "ci_low", "ci_high", "rank", "rank_low", "rank_high", "is_focus"]]
    y = {"field": "area_name", "type": "nominal", "sort": {"field": "value", "order": "descending"}, "title": None,
         "axis": {"labelFontSize": 8}}
    colour = {"condition": {"test": "datum.is_focus", "value": FOCUS_COLOUR}, "value": OTHER_COLOUR}
    layers = [
        {"mark": {"type": "rule", "strokeWidth": 1.5}, "encoding": {
            "y": y, "x": {"field": "ci_low", "type": "quantitative", "title": text("chart.value", lang),
                          "scale": {"zero": False}}, "x2": {"field": "ci_high"}, "color": colour}},
        {"mark": {"type": "point", "filled": True, "size": 30}, "encoding": {
            "y": y, "x": {"field": "value", "type": "quantitative"}, "color": colour,
            "tooltip": [{"field": "area_name", "title": text("chart.area", lang)},
                        {"field": "value", "format": ",.2f", "title": text("chart.value", lang)},
                        {"field": "ci_low", "format": ",.2f", "title": text("col.ci_low", lang)},
                        {"field": "ci_high", "format": ",.2f", "title": text("col.ci_high", lang)},
                        {"field": "rank", "title": text("col.rank", lang)},
                        {"field": "rank_low", "title": text("col.rank_low", lang)},
                        {"field": "rank_high", "title": text("col.rank_high", lang)}]}},
    ]
    if len(country) and pd.notna(country.iloc[0]):
        layers.append({"mark": {"type": "rule", "strokeDash": [4, 3], "color": "#666"},
                       "data": {"values": [{"v": float(country.iloc[0])}]},
                       "encoding": {"x": {"field": "v", "type": "quantitative"}}})
    return _spec(text("chart.ranking", lang, indicator=name), {"layer": layers}, data,
                 height=max(120, 11 * len(s)))


def funnel_chart(r: pd.DataFrame, indicator: str, focus: str, params: PackageParameters, lang: str) -> dict:
    s = r[(r.indicator == indicator) & (r.area_code != COUNTRY) & r.value.notna() & (r.denominator > 0)].copy()
    c = r[(r.indicator == indicator) & (r.area_code == COUNTRY)]
    name = s.indicator_name.iloc[0] if len(s) else indicator
    s["is_focus"] = s.area_code == focus
    layers = []
    if len(c) and len(s) and c.denominator.iloc[0] > 0:
        p0 = float(c.numerator.iloc[0] / c.denominator.iloc[0])
        scale = float(s.scale.iloc[0])
        n = np.geomspace(max(1.0, s.denominator.min() * 0.8), s.denominator.max() * 1.2, 60)
        rows = []
        for level in params.funnel_levels:
            lo, hi = funnel_limits(p0, n, level)
            label = f"{level:.1%}".replace(".0%", "%")
            rows += [{"n": float(a), "lo": float(b * scale), "hi": float(h * scale), "limit": label} for a, b, h in zip(n, lo, hi)]
        limits = pd.DataFrame(rows)
        for bound in ("lo", "hi"):
            layers.append({"data": {"values": _records(limits)}, "mark": {"type": "line", "strokeDash": [4, 3], "strokeWidth": 1},
                           "encoding": {"x": {"field": "n", "type": "quantitative"},
                                        "y": {"field": bound, "type": "quantitative"},
                                        "detail": {"field": "limit"},
                                        "color": {"field": "limit", "type": "nominal", "title": text("chart.limit", lang),
                                                  "scale": {"range": ["#999999", "#555555"]}}}})
        layers.append({"data": {"values": [{"v": p0 * scale}]}, "mark": {"type": "rule", "color": "#333"},
                       "encoding": {"y": {"field": "v", "type": "quantitative"}}})
    layers.append({"data": {"values": _records(s[["area_name", "value", "denominator", "is_focus", "funnel_label"]])},
                   "mark": {"type": "point", "filled": True, "size": 40, "opacity": 0.85},
                   "encoding": {
                       "x": {"field": "denominator", "type": "quantitative", "scale": {"type": "log"},
                             "title": text("chart.denominator", lang), "axis": {"format": "~s"}},
                       "y": {"field": "value", "type": "quantitative", "title": text("chart.value", lang),
                             "scale": {"zero": False}},
                       "color": {"condition": {"test": "datum.is_focus", "value": FOCUS_COLOUR}, "value": OTHER_COLOUR},
                       "tooltip": [{"field": "area_name", "title": text("chart.area", lang)},
                                   {"field": "value", "format": ",.2f", "title": text("chart.value", lang)},
                                   {"field": "denominator", "format": ",.0f", "title": text("chart.denominator", lang)},
                                   {"field": "funnel_label", "title": text("chart.position", lang)}]}})
    return _spec(text("chart.funnel", lang, indicator=name), {"layer": layers})


def map_chart(r: pd.DataFrame, indicator: str, period: str, focus: str, lang: str) -> dict:
    """Choropleth of the employment areas (2025 boundaries); the focus area outlined."""
    s = r[(r.indicator == indicator) & (r.area_code != COUNTRY)]
    name = s.indicator_name.iloc[0] if len(s) else indicator
    geo = reference.boundaries("employment_area")
    values = {str(a): v for a, v in zip(s.area_code, s.value)}
    names = dict(zip(s.area_code.astype(str), s.area_name))
    features = []
    for f in geo["features"]:
        code = str(f["properties"]["code"])
        v = values.get(code)
        props = {"code": code, "name": names.get(code, area_name(code, lang)),
                 "value": None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v),
                 "is_focus": code == focus}
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    layers = [
        {"mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
         "encoding": {"color": {"field": "properties.value", "type": "quantitative", "title": text("chart.value", lang),
                                "scale": {"scheme": "blues"}, "legend": {"format": ",.1f", "orient": "left"}},
                      "tooltip": [{"field": "properties.name", "title": text("chart.area", lang)},
                                  {"field": "properties.value", "format": ",.2f", "title": text("chart.value", lang)}]}},
        {"transform": [{"filter": "datum.properties.is_focus"}],
         "mark": {"type": "geoshape", "fill": None, "stroke": FOCUS_COLOUR, "strokeWidth": 2}},
    ]
    return _spec(text("chart.map", lang, indicator=name, period=period),
                 {"data": {"values": features}, "projection": {"type": "transverseMercator", "rotate": [-27, 0, 0]},
                  "layer": layers}, width=300, height=470)


def _cohort(cohort: str, lang: str) -> str:
    return label("cohort", cohort, lang)
