"""The internal view of client segments: who each segment is, which services it gets, how it fares.

The page ``/{lang}/internal/segments`` and the API ``/api/v1/internal/segments`` read the tables
that ``vaikutus.profiling.store`` wrote (``data.PROFILING_COLUMNS``), one area at a time. The rules
are those of the internal indicator view: a session is needed; an analyst sees only their own
employment area and its municipalities (``User.sees_unsuppressed``), researchers and administrators
every area and the whole country; every view and every refusal goes to the audit log. The full
model card, whose fairness audit has figures by region, age group and language, is for researchers
and administrators; analysts see the model's summary (its accuracy, not an area's figures).

The figures are unsuppressed. One that rests on fewer persons than the disclosure threshold keeps
its value and carries a visible "small" mark, as the internal indicator view shows the public
suppression beside each value: never a blank, never a zero.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from vaikutus.portal.api import Lang, current_user, get_data
from vaikutus.portal.auth import User
from vaikutus.portal.data import PortalData, UnknownSelection, area_name
from vaikutus.portal.i18n import pick, translator
from vaikutus.portal.pages import _known_language, format_number, render

LEVELS = ("country", "employment_area", "municipality")
Level = Literal["country", "employment_area", "municipality"]
COUNTRY = "SSS"
#: Columns of the overview table: (measure id, category) of the profile, or the Kykyviisari change.
OVERVIEW = (
    ("share_of_starts", ""),
    ("estimated_chance", ""),
    ("open_market_job_6m", ""),
    ("open_market_job_12m", ""),
)
#: The chart's series: measure -> months.
CHART_HORIZONS = {"open_market_job_6m": 6, "open_market_job_12m": 12}

api_router = APIRouter()
page_router = APIRouter(include_in_schema=False, dependencies=[Depends(_known_language)])


# -- access ------------------------------------------------------------------------------------


def levels_for(user: User) -> tuple[str, ...]:
    return LEVELS[1:] if user.role == "analyst" else LEVELS


def _visible_areas(data: PortalData, user: User, level: str, lang: str) -> list[tuple[str, str]]:
    """(code, name) of the areas of ``level`` with profiles that ``user`` may read, by name."""
    codes = [c for c in data.profiling_areas(level) if user.sees_unsuppressed(level, c)]
    return sorted(((c, area_name(level, c, lang)) for c in codes), key=lambda a: a[1])


def _default_area(user: User, level: str, visible: list[tuple[str, str]]) -> str | None:
    codes = [code for code, _ in visible]
    if level == "employment_area" and str(user.employment_area) in codes:
        return str(user.employment_area)
    return codes[0] if codes else None


def _deny(request: Request, user: User, level: str, area: str) -> None:
    request.app.state.users.audit(user, "denied", f"segments {level} {area}")


# -- formatting --------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def cell(figure: dict | None, kind: str, unit: str, lang: str, no_data: str) -> dict:
    """A figure as the tables show it: text, its 95 % interval and whether it is a small cell."""
    if figure is None or _missing(figure["value"]) or figure["n"] == 0:
        return {"text": "–", "ci": "", "small": False, "title": no_data}
    if kind == "share" or unit == "probability":
        scale, places, suffix = 100, 1, "\u00a0%"
    elif unit == "EUR":
        scale, places, suffix = 1, 0, "\u00a0€"
    else:
        scale, places, suffix = 1, 1, ""

    def show(v: float) -> str:
        return format_number(v * scale, lang, places, fixed=True)

    interval = "" if _missing(figure["ci_low"]) else f"{show(figure['ci_low'])}–{show(figure['ci_high'])}"
    return {"text": show(figure["value"]) + suffix, "ci": interval, "small": bool(figure["small"]), "title": ""}


def count_cell(n: int, small: bool, lang: str) -> dict:
    return {"text": format_number(n, lang, 0), "ci": "", "small": small, "title": ""}


# -- the view ----------------------------------------------------------------------------------


def _labels(data: PortalData, lang: str) -> dict[tuple[str, str], dict]:
    """(measure id, category) -> label in ``lang``, section, kind and unit; services as ("service", code)."""
    return {
        (r["measure_id"], r["category"]): {**r, "label": _capitalised(pick(r, "label", lang))}
        for r in data.profiling("profile_measures").to_dict("records")
    }


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _rows(frame: pd.DataFrame) -> list[dict]:
    """Records with None for missing values (JSON null; never NaN)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _records(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, dict]:
    return {tuple(r[k] for k in keys): r for r in _rows(frame)}


def model_summary(data: PortalData) -> dict:
    """The stored model's row (dates as dates) with its performance by learner and split."""
    row = data.profiling("profiling_model").iloc[0].to_dict()
    dates = {k: pd.Timestamp(v).date() for k, v in row.items() if k.endswith(("_start", "_end"))}
    return {**row, **dates, "performance": data.profiling("profiling_performance").to_dict("records")}


def segment_definitions(data: PortalData, lang: str) -> list[dict]:
    frame = data.profiling("segment_definitions").sort_values("segment")
    return [{**r, "name": pick(r, "name", lang)} for r in frame.to_dict("records")]


class _Cells:
    """Cells of one area's figures, looked up by segment or group and measure."""

    def __init__(self, data: PortalData, level: str, area: str, lang: str):
        self.lang, self.no_data = lang, translator(lang)("legend_no_data")
        self.labels = _labels(data, lang)
        self.profiles = _records(data.profiling("segment_profiles", level, area), ["segment", "measure_id", "category"])
        self.follow = _records(data.profiling("segment_follow_up", level, area), ["dimension", "group", "measure_id"])

    def _cell(self, figure: dict | None, measure: str) -> dict:
        meta = self.labels[(measure, "")]
        return cell(figure, meta["kind"], meta["unit"], self.lang, self.no_data)

    def profile(self, segment: str, measure: str, category: str = "") -> dict:
        return self._cell(self.profiles.get((segment, measure, category)), measure)

    def followed(self, dimension: str, group: str, measure: str) -> dict:
        return self._cell(self.follow.get((dimension, group, measure)), measure)

    def size(self, figure: dict | None) -> dict:
        return count_cell(figure["n"] if figure else 0, bool(figure and figure["small"]), self.lang)

    def rows(self, section: str) -> list[tuple[str, str, str]]:
        """(label, measure, category) of one section's measures, in the catalogue's order."""
        if section == "services":
            found = [(m["label"], "started_service", c) for (k, c), m in self.labels.items() if k == "service"]
            return sorted(found)
        return [(m["label"], k, c) for (k, c), m in self.labels.items() if m["section"] == section and k != "service"]


def segment_view(data: PortalData, level: str, area: str, lang: str) -> dict:
    """Everything the page shows for one area (the caller has checked access)."""
    t = translator(lang)
    cells = _Cells(data, level, area, lang)
    segments = segment_definitions(data, lang)
    codes = [s["segment"] for s in segments]

    def wide(section: str) -> list[dict]:
        return [
            {"label": label, "cells": [cells.profile(c, m, cat) for c in codes]}
            for label, m, cat in cells.rows(section) if m != "share_of_starts"
        ]

    def work_ability(dimension: str, group: str) -> list[dict]:
        return [
            cells.size(cells.follow.get((dimension, group, "kykyviisari_change"))),
            cells.followed(dimension, group, "kykyviisari_baseline"),
            cells.followed(dimension, group, "kykyviisari_change"),
        ]

    services = sorted({g for d, g, _m in cells.follow if d == "service"},
                      key=lambda g: cells.labels[("service", g)]["label"])
    return {
        "segments": segments,
        "overview_columns": [cells.labels[(m, c)]["label"] for m, c in OVERVIEW],
        "overview": [
            {"segment": s, "cells": [
                cells.size(cells.profiles.get((s["segment"], "share_of_starts", ""))),
                *(cells.profile(s["segment"], m, c) for m, c in OVERVIEW),
                cells.followed("segment", s["segment"], "kykyviisari_change"),
            ]}
            for s in segments
        ],
        "who": wide("who"),
        "services": wide("services"),
        "outcomes": wide("outcomes"),
        "work_ability_segments": [
            {"label": f"{s['segment']} {s['name']}", "cells": work_ability("segment", s["segment"])}
            for s in segments
        ],
        "work_ability_services": [
            {"label": cells.labels[("service", g)]["label"],
             "cells": [*work_ability("service", g), cells.followed("service", g, "open_market_job_12m")]}
            for g in services
        ],
        "labels": {m: cells.labels[(m, "")]["label"]
                   for m in ("kykyviisari_baseline", "kykyviisari_change", "open_market_job_12m")},
        "model": model_summary(data),
        "chart": _chart_spec(segments, cells, t),
    }


def _chart_spec(segments: list[dict], cells: _Cells, t) -> dict:
    """Vega-Lite: share with an open-market job at 6 and 12 months per segment, with intervals."""
    rows = []
    horizons = [t("segments_horizon", months=months) for months in CHART_HORIZONS.values()]
    for s in segments:
        for measure, horizon in zip(CHART_HORIZONS, horizons):
            figure = cells.profiles.get((s["segment"], measure, ""))
            if figure is None or _missing(figure["value"]):
                continue
            rows.append({
                "segment": f"{s['segment']} {s['name']}", "horizon": horizon,
                "value": figure["value"], "low": figure["ci_low"], "high": figure["ci_high"], "n": figure["n"],
            })
    x = {"field": "segment", "type": "nominal", "title": None, "axis": {"labelAngle": 0, "labelLimit": 180}}
    y = {"field": "value", "type": "quantitative", "title": t("segments_chart_axis"), "axis": {"format": ".0%"}}
    colour = {"field": "horizon", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
              "scale": {"domain": horizons, "range": ["#1f5f8b", "#b8463b"]}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": t("segments_chart_alt"),
        "width": "container", "height": 300,
        "data": {"values": rows},
        "encoding": {"x": x, "xOffset": {"field": "horizon", "sort": horizons}, "color": colour},
        "layer": [
            {"mark": {"type": "rule"},
             "encoding": {"y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}},
            {"mark": {"type": "point", "filled": True, "size": 70, "tooltip": True},
             "encoding": {"y": y, "shape": {"field": "horizon", "type": "nominal", "title": None,
                                                    "scale": {"domain": horizons}}}},
        ],
    }


# -- page ----------------------------------------------------------------------------------------


def _context(user: User, level: str | None) -> dict:
    """What every state of the segment page needs (the form and the internal tabs)."""
    levels = levels_for(user)
    return {"page": "internal", "internal_user": user, "levels": levels, "level": level or levels[0],
            "areas": [], "area": None, "note": None, "view": None}


@page_router.get("/{lang}/internal/segments", response_class=HTMLResponse)
def segments_page(
    request: Request,
    lang: str,
    level: Annotated[str | None, Query(pattern="^(" + "|".join(LEVELS) + ")$")] = None,
    area: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse(f"/{lang}/login", status_code=303)
    data: PortalData = request.app.state.data
    t = translator(lang)
    context = _context(user, level)
    levels = context["levels"]
    if not data.has_profiling():
        request.app.state.users.audit(user, "internal_segments", "none stored")
        return render(request, lang, "segments.html", empty=True, **context)
    if level is not None and level not in levels:
        _deny(request, user, level, area or "")
        return render(request, lang, "segments.html", status=403, denied=True, **context)
    level = context["level"]
    visible = _visible_areas(data, user, level, lang)
    if area is not None and area not in data.profiling_areas(level):
        # a code of another level comes with a change of level: no note for that
        if not any(area in data.profiling_areas(other) for other in LEVELS):
            context["note"] = t("segments_area_unknown", area=area)
        area = None
    if area is not None and not user.sees_unsuppressed(level, area):
        _deny(request, user, level, area)
        return render(request, lang, "segments.html", status=403, denied=True, **{**context, "areas": visible})
    area = area or _default_area(user, level, visible)
    context.update(areas=visible, area=area)
    if area is None:
        return render(request, lang, "segments.html", denied=True, **context)
    view = segment_view(data, level, area, lang)
    request.app.state.users.audit(user, "internal_segments", f"{level} {area} {lang}")
    return render(
        request, lang, "segments.html", **{**context, "view": view, "area_name": area_name(level, area, lang),
                                           "card_allowed": user.role != "analyst"},
    )


@page_router.get("/{lang}/internal/segments/model-card", response_class=HTMLResponse)
def model_card(request: Request, lang: str) -> Response:
    """The model card as the profiling stage wrote it (researchers and administrators)."""
    user = current_user(request)
    if user is None:
        return RedirectResponse(f"/{lang}/login", status_code=303)
    data: PortalData = request.app.state.data
    if user.role == "analyst":
        _deny(request, user, "model_card", "")
        return render(request, lang, "segments.html", status=403, denied=True, **_context(user, None))
    card = data.profiling("profiling_model")["card_html"].iloc[0] if data.has_profiling() else ""
    if not card:
        raise UnknownSelection("no model card is stored with the segment profiles")
    request.app.state.users.audit(user, "model_card", "")
    return HTMLResponse(card)


# -- API -----------------------------------------------------------------------------------------


class Figure(BaseModel):
    n: int
    count: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    small: bool


class ProfileFigure(Figure):
    segment: str
    section: str
    measure_id: str
    category: str
    label: str


class FollowUpFigure(Figure):
    dimension: str
    group: str
    measure_id: str
    label: str


class SegmentDefinition(BaseModel):
    segment: str
    name: str
    chance: str
    service_need: bool
    chance_from: float
    chance_to: float


class Performance(BaseModel):
    model: str
    split: str
    auc: float | None
    auc_ci_low: float | None
    auc_ci_high: float | None
    brier: float | None
    calibration_in_the_large: float | None


class ModelSummary(BaseModel):
    model_id: str
    target_months: int
    train_start: date
    train_end: date
    test_start: date
    test_end: date
    profile_start: date
    profile_end: date
    follow_up_start: date
    follow_up_end: date
    suppression_threshold: int
    training_note: str
    performance: list[Performance]


class Segments(BaseModel):
    area_type: str
    area_code: str
    area_name: str
    model: ModelSummary
    segments: list[SegmentDefinition]
    profiles: list[ProfileFigure]
    follow_up: list[FollowUpFigure]
    small_note: str


def _figures(frame: pd.DataFrame, labels: dict, key) -> list[dict]:
    return [{**r, "label": labels[key(r)]["label"]} for r in _rows(frame)]


@api_router.get("/internal/segments", response_model=Segments, tags=["internal"])
def internal_segments(
    request: Request,
    data: Annotated[PortalData, Depends(get_data)],
    level: Annotated[Level | None, Query(description="Area level; an analyst must name it")] = None,
    area: Annotated[str | None, Query(max_length=10, description="Area code; SSS for the whole country")] = None,
    lang: Lang = "fi",
) -> dict:
    """Unsuppressed segment profiles and follow-up of one area (login required; an analyst sees only
    their own employment area and its municipalities; every request is audited). Figures with
    ``small`` true rest on fewer persons than the disclosure threshold."""
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="log in to read segment profiles")
    if user.role == "analyst" and (level is None or area is None):
        raise HTTPException(
            status_code=403, detail="an analyst must name the level and area of their own employment area"
        )
    level = level or "country"
    area = area or (COUNTRY if level == "country" else None)
    if area is None:
        raise HTTPException(status_code=422, detail=f"name the {level} with area=CODE")
    if not user.sees_unsuppressed(level, area):
        _deny(request, user, level, area)
        raise HTTPException(status_code=403, detail=f"no access to the segment profiles of {level} {area}")
    if not data.has_profiling():
        raise UnknownSelection("the warehouse holds no segment profiles; run `vaikutus profile segments`")
    if area not in data.profiling_areas(level):
        raise UnknownSelection(f"no segment profiles for {level} {area}")
    labels = _labels(data, lang)
    model = model_summary(data)
    request.app.state.users.audit(user, "internal_segments_api", f"{level} {area} {lang}")
    return {
        "area_type": level, "area_code": area, "area_name": area_name(level, area, lang),
        "model": model,
        "segments": segment_definitions(data, lang),
        "profiles": _figures(data.profiling("segment_profiles", level, area), labels,
                             lambda r: ("service", r["category"]) if r["category"] else (r["measure_id"], "")),
        "follow_up": _figures(data.profiling("segment_follow_up", level, area), labels,
                              lambda r: (r["measure_id"], "")),
        "small_note": translator(lang)("segments_small_note", threshold=model["suppression_threshold"]),
    }
