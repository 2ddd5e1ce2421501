"""HTML pages of the portal (server-rendered Jinja2; charts and the map enhance them with JS).

Every page works as a plain document first: tables hold the numbers the charts draw, forms use
GET so the address carries the whole view (shareable links), and the language switch keeps it.
The source of the figures (the register or public StatFin statistics) is part of that view:
``?source=statfin`` on the overview, explorer and area pages, with a switch on each page and the
source and its date printed wherever its figures appear.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from vaikutus.portal.api import SUPPRESSION_NOTE, current_user
from vaikutus.portal.auth import SESSION_COOKIE
from vaikutus.portal.data import AREA_TYPES, MAP_LEVELS, PortalData, Source, UnknownSelection, area_name
from vaikutus.portal.evaluations import evaluation_view
from vaikutus.portal.i18n import LANGUAGES, translator

def _known_language(lang: str) -> None:
    """Every page lives under /fi, /sv or /en; anything else is a 404 page, not a server error."""
    if lang not in LANGUAGES:
        raise UnknownSelection(f"no page {lang!r}; the portal is at /fi/, /sv/ and /en/")


router = APIRouter(include_in_schema=False, dependencies=[Depends(_known_language)])
PREFERRED_INDICATORS = ("unemployment_share", "unemployed", "activation_rate", "long_term_unemployed")
HEADLINE_INDICATORS = ("unemployed", "unemployment_share", "activation_rate", "structural_unemployment")


def format_number(value: object, lang: str, decimals: int = 1, fixed: bool = False) -> str:
    """A number as Finns, Swedes and English readers write it (1 234,5 / 1 234,5 / 1,234.5);
    whole numbers from 10 up lose their decimals unless ``fixed`` (figures in one column)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    places = 0 if number.is_integer() and abs(number) >= 10 and not fixed else decimals
    if round(number, places) == 0:
        number = 0.0  # no "-0.0" for a small negative
    text = f"{number:,.{places}f}"
    if lang == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def render(request: Request, lang: str, template: str, status: int = 200, **context) -> HTMLResponse:
    if lang not in LANGUAGES:
        raise UnknownSelection(f"unknown language {lang!r}")
    templates = request.app.state.templates
    t = translator(lang)
    body = templates.get_template(template).render(
        request=request, lang=lang, t=t, user=current_user(request), fmt=lambda v, d=1: format_number(v, lang, d),
        path_without_lang=request.url.path[len(lang) + 1:] or "/", query=request.url.query,
        **context,
    )
    return HTMLResponse(body, status_code=status)


def _data(request: Request) -> PortalData:
    return request.app.state.data


def _default_indicator(data: PortalData, lang: str, requested: str | None, source: str) -> dict:
    catalogue = data.indicators(lang, source)
    if not catalogue:
        raise UnknownSelection("the warehouse holds no indicator values")
    by_id = {i["id"]: i for i in catalogue}
    if requested:
        if requested not in by_id:
            raise UnknownSelection(f"unknown indicator {requested!r} in source {source!r}")
        return by_id[requested]
    return next((by_id[i] for i in PREFERRED_INDICATORS if i in by_id), catalogue[0])


SourceParam = Annotated[str | None, Query(pattern="^(register|statfin)$")]
_KEPT_ACROSS_SOURCES = ("level", "area")


def format_date(iso: str, lang: str) -> str:
    """An update date as readers write it: 21.7.2026 (fi, sv), 21 July 2026 (en)."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{day.day} {day:%B} {day.year}" if lang == "en" else f"{day.day}.{day.month}.{day.year}"


def source_text(source: Source, lang: str) -> str:
    """The label printed beside figures: which source, which months, and a public table's date."""
    t = translator(lang)
    months = source.first_period if source.first_period == source.last_period else \
        f"{source.first_period}–{source.last_period}"
    if source.id == "statfin":
        return t("source_line_statfin", publisher=source.publisher or "StatFin", table=source.table or "12r5",
                 updated=format_date(source.updated, lang) or "?", months=months)
    return t("source_line_register", months=months)


def _sources(request: Request, data: PortalData, lang: str, source: Source, indicator: str | None = None) -> dict:
    """Template context of the source switch: one link per source to the same page, keeping the
    level and areas, and the indicator where that source has it (months differ, so they go)."""
    links = []
    for other in data.sources:
        params = [(k, v) for k, v in request.query_params.multi_items() if k in _KEPT_ACROSS_SOURCES]
        if indicator and any(i["id"] == indicator for i in data.indicators(lang, other.id)):
            params.append(("indicator", indicator))
        if other.id != data.default_source:
            params.append(("source", other.id))
        links.append({"id": other.id, "href": request.url.path + (f"?{urlencode(params)}" if params else ""),
                      "current": other.id == source.id})
    return {"source": source, "source_links": links, "source_line": source_text(source, lang),
            "source_param": "" if source.id == data.default_source else source.id}


def _profile_rows(values: pd.DataFrame, indicators: list[dict], area_type: str, code: str) -> list[dict]:
    """Per indicator: the area's latest value, its change from a year earlier, the country, the
    median of its peers and its rank among them (``values`` from ``PortalData.latest_values``).
    Computed for all indicators at once: an area page compares some 80 of them."""
    peers = values[values["area_type"].astype(str) == area_type]
    latest = peers["period"] == peers["latest"]
    now = peers[latest]
    own = peers[peers["area_code"].astype(str) == code]
    own_now = own[own["period"] == own["latest"]].set_index("indicator")["value"]
    own_before = own[own["period"] != own["latest"]].set_index("indicator")["value"]
    country = values[(values["area_type"].astype(str) == "country") & (values["period"] == values["latest"])]
    country = country.drop_duplicates("indicator").set_index("indicator")["value"]
    ranked = now.dropna(subset=["value"])
    rank = ranked.groupby("indicator")["value"].rank(ascending=False, method="first")
    mine = (ranked["area_code"].astype(str) == code).to_numpy()
    own_rank = pd.Series(rank[mine].to_numpy(), index=ranked.loc[mine, "indicator"].to_numpy())
    of = ranked.groupby("indicator").size()
    median = now.groupby("indicator")["value"].median()
    period = peers.groupby("indicator")["latest"].first()
    rows = []
    for meta in indicators:
        i = meta["id"]
        if i not in period.index:
            continue
        value, before = _number(own_now.get(i)), _number(own_before.get(i))
        rows.append({
            "meta": meta, "period": period[i], "value": value,
            "change": None if value is None or before is None else value - before,
            "country": _number(country.get(i)), "peer_median": median.get(i),
            "rank": int(own_rank[i]) if i in own_rank.index else None, "of": int(of.get(i, 0)),
        })
    return rows


def _number(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _change(frame: pd.DataFrame, period: str) -> float | None:
    """Change from the same month a year earlier (seasonality: compare like with like)."""
    year, month = period.split("-")
    earlier = f"{int(year) - 1}-{month}"
    now = frame.loc[frame["period"] == period, "value"]
    before = frame.loc[frame["period"] == earlier, "value"]
    if now.empty or before.empty or pd.isna(now.iloc[0]) or pd.isna(before.iloc[0]):
        return None
    return float(now.iloc[0] - before.iloc[0])


@router.get("/{lang}/", response_class=HTMLResponse)
def overview(
    request: Request,
    lang: str,
    indicator: str | None = None,
    level: Annotated[str, Query(pattern="^(" + "|".join(MAP_LEVELS) + ")$")] = "municipality",
    period: str | None = None,
    source: SourceParam = None,
) -> HTMLResponse:
    data = _data(request)
    src = data.source(source)
    chosen = _default_indicator(data, lang, indicator, src.id)
    periods = data.periods(chosen["id"], source=src.id)
    period = period if period in periods else periods[-1]
    values = data.values(chosen["id"], area_type=level, period=period, source=src.id).copy()
    values["area_name"] = [area_name(level, c, lang) for c in values["area_code"]]
    headlines = []
    for ind in HEADLINE_INDICATORS:
        try:
            meta = data.indicator(ind, lang, src.id)
        except UnknownSelection:
            continue
        series = data.values(ind, area_type="country", source=src.id)
        monthly = series[series["period"].str.fullmatch(r"\d{4}-\d{2}")]
        if monthly.empty:
            continue
        latest = monthly["period"].max()
        value = monthly.loc[monthly["period"] == latest, "value"].iloc[0]
        headlines.append({"meta": meta, "period": latest, "value": value, "change": _change(monthly, latest)})
    return render(
        request, lang, "overview.html", page="overview", indicator=chosen, indicators=data.indicators(lang),
        level=level, levels=MAP_LEVELS, period=period, periods=periods,
        values=values.sort_values("area_name").to_dict("records"), headlines=headlines,
        **_sources(request, data, lang, src, chosen["id"]),
    )


def _series_spec(frame: pd.DataFrame, meta: dict, t) -> dict:
    """A Vega-Lite line chart of the selected series (suppressed months leave gaps, never zeros)."""
    records = [
        {"period": r["period"], "value": None if pd.isna(r["value"]) else float(r["value"]), "area": r["area_name"]}
        for r in frame.to_dict("records")
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": t("chart_description", indicator=meta["name"]),
        "width": "container",
        "height": 320,
        "data": {"values": records},
        "mark": {"type": "line", "point": True, "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "temporal", "timeUnit": "yearmonth", "title": t("period")},
            "y": {"field": "value", "type": "quantitative", "title": f"{meta['name']} ({meta.get('unit', '')})"},
            "color": {"field": "area", "type": "nominal", "title": t("area"), "legend": {"orient": "bottom", "columns": 3},
                      "scale": {"scheme": "tableau10"}},
            "strokeDash": {"field": "area", "type": "nominal", "legend": None},
        },
    }


@router.get("/{lang}/explore", response_class=HTMLResponse)
def explore(
    request: Request,
    lang: str,
    indicator: str | None = None,
    level: Annotated[str, Query(pattern="^(" + "|".join(AREA_TYPES) + ")$")] = "employment_area",
    area: Annotated[list[str] | None, Query()] = None,
    start: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}$")] = None,
    end: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}-\d{2}$")] = None,
    sort: Annotated[str, Query(pattern=r"^(period|[a-z_]+:[0-9A-Za-z_]+)$")] = "period",
    desc: bool = True,
    source: SourceParam = None,
) -> HTMLResponse:
    data, t = _data(request), translator(lang)
    src = data.source(source)
    chosen = _default_indicator(data, lang, indicator, src.id)
    periods = data.periods(chosen["id"], source=src.id)
    start = start if start in periods else periods[max(0, len(periods) - 36)]
    end = end if end in periods else periods[-1]
    areas = data.areas(level, lang, src.id)
    codes = [a for a in (area or []) if a in {x.code for x in areas}] or [a.code for a in areas[:3]]
    frames = [data.values(chosen["id"], area_type=level, area_codes=codes, start=start, end=end, source=src.id)]
    frames.append(data.values(chosen["id"], area_type="country", start=start, end=end, source=src.id))
    frames.append(data.values(chosen["id"], area_type="trial_group", start=start, end=end, source=src.id))
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    monthly = frame[frame["period"].str.fullmatch(r"\d{4}-\d{2}")].copy()
    monthly["area_name"] = [area_name(a, c, lang) for a, c in zip(monthly["area_type"], monthly["area_code"])]
    monthly["series"] = monthly["area_type"] + ":" + monthly["area_code"]
    columns = monthly.drop_duplicates("series")[["series", "area_name"]].to_dict("records")
    cells = {(r["period"], r["series"]): r for r in monthly.to_dict("records")}
    periods_shown = sorted(monthly["period"].unique())
    if sort == "period":
        order = sorted(periods_shown, reverse=desc)
    else:
        def key(p):
            value = cells.get((p, sort), {}).get("value")
            return (value is None or pd.isna(value), value if value is not None and not pd.isna(value) else 0)
        order = sorted(periods_shown, key=key, reverse=desc)
    table = [{"period": p, "cells": [cells.get((p, c["series"])) for c in columns]} for p in order]
    return render(
        request, lang, "explore.html", page="explore", indicator=chosen, indicators=data.indicators(lang),
        level=level, levels=AREA_TYPES, areas=areas, selected=codes, start=start, end=end, periods=periods,
        columns=columns, table=table, spec=_series_spec(monthly, chosen, t), sort=sort, desc=desc,
        suppression_note=SUPPRESSION_NOTE[lang], **_sources(request, data, lang, src, chosen["id"]),
    )


@router.get("/{lang}/area/{area_type}/{code}", response_class=HTMLResponse)
def area_profile(request: Request, lang: str, area_type: str, code: str, source: SourceParam = None) -> HTMLResponse:
    data = _data(request)
    src = data.source(source)
    if area_type not in AREA_TYPES or code not in {a.code for a in data.areas(area_type, lang, src.id)}:
        raise UnknownSelection(f"unknown area {area_type}/{code}")
    rows = _profile_rows(data.latest_values(area_type, src.id), data.indicators(lang, src.id), area_type, code)
    return render(
        request, lang, "area.html", page="area", area_type=area_type, code=code,
        name=area_name(area_type, code, lang), rows=rows, **_sources(request, data, lang, src),
    )


@router.get("/{lang}/evaluation", response_class=HTMLResponse)
def evaluation(
    request: Request,
    lang: str,
    sort: Annotated[str, Query(pattern=r"^(area|effect|p|rmspe)$")] = "area",
    desc: bool = False,
) -> HTMLResponse:
    view = evaluation_view(_data(request).evaluations(), lang, sort, desc)
    return render(request, lang, "evaluation.html", page="evaluation", sort=sort, desc=desc, **view)


@router.get("/{lang}/methods", response_class=HTMLResponse)
def methods(request: Request, lang: str) -> HTMLResponse:
    return render(
        request, lang, "methods.html", page="methods", indicators=_data(request).indicators(lang),
        suppression_note=SUPPRESSION_NOTE[lang],
    )


@router.get("/{lang}/data", response_class=HTMLResponse)
def data_page(request: Request, lang: str) -> HTMLResponse:
    spec = request.app.openapi()
    endpoints = [
        {"path": path, "method": method.upper(), "summary": op.get("summary", ""),
         "description": op.get("description", ""),
         "parameters": [p["name"] for p in op.get("parameters", [])]}
        for path, ops in spec["paths"].items() for method, op in ops.items()
    ]
    data = _data(request)
    downloads = [{"source": s, "label": source_text(s, lang), "param": "" if s.id == data.default_source else s.id,
                  "indicators": data.indicators(lang, s.id)} for s in data.sources]
    return render(request, lang, "data.html", page="data", endpoints=endpoints, downloads=downloads)


@router.get("/{lang}/login", response_class=HTMLResponse)
def login_form(request: Request, lang: str) -> HTMLResponse:
    return render(request, lang, "login.html", page="login", failed=False)


@router.post("/{lang}/login", response_class=HTMLResponse)
def login(
    request: Request, lang: str, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> HTMLResponse:
    token = request.app.state.users.login(username, password)
    if token is None:
        return render(request, lang, "login.html", status=401, page="login", failed=True)
    response = RedirectResponse(f"/{lang}/internal", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict",
        max_age=int(request.app.state.users.session_length.total_seconds()),
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/{lang}/logout")
def logout(request: Request, lang: str) -> RedirectResponse:
    request.app.state.users.logout(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(f"/{lang}/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/{lang}/internal", response_class=HTMLResponse)
def internal(
    request: Request,
    lang: str,
    indicator: str | None = None,
    level: Annotated[str, Query(pattern="^(employment_area|municipality|region|country|trial_area|trial_group)$")] = "municipality",
    period: str | None = None,
) -> HTMLResponse:
    user = current_user(request)
    if user is None:
        return RedirectResponse(f"/{lang}/login", status_code=303)
    data = _data(request)
    chosen = _default_indicator(data, lang, indicator, data.default_source)
    periods = data.periods(chosen["id"])
    period = period if period in periods else periods[-1]
    allowed = [a for a in data.areas(level, lang) if user.sees_unsuppressed(level, a.code)]
    frame = data.values(chosen["id"], area_type=level, area_codes=[a.code for a in allowed] or ["-"],
                        period=period, internal=True)
    public = data.values(chosen["id"], area_type=level, area_codes=[a.code for a in allowed] or ["-"],
                         period=period)
    merged = frame.merge(public[["area_code", "value", "flag"]], on="area_code", how="left",
                         suffixes=("", "_public"))
    merged["area_name"] = [area_name(level, c, lang) for c in merged["area_code"]]
    request.app.state.users.audit(user, "internal_page", f"{chosen['id']} {level} {period}")
    return render(
        request, lang, "internal.html", page="internal", indicator=chosen, indicators=data.indicators(lang),
        level=level, period=period, periods=periods, rows=merged.sort_values("area_name").to_dict("records"),
        internal_user=user,
    )
