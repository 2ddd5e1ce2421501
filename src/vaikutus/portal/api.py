"""The documented JSON API (OpenAPI at ``/api/v1/openapi.json``) and the downloads.

Everything the public pages show comes from these routes, so any view can be reproduced by a
script. Public routes read only suppressed values; ``/internal/values`` needs a session and checks
every requested area against the user's role (see :meth:`vaikutus.portal.auth.User.sees_unsuppressed`).
Every value route takes ``source`` (``register`` or ``statfin``, default the warehouse's first) and
answers with the source's description, so a figure never travels without its source and date.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from vaikutus import reference
from vaikutus.portal.auth import SESSION_COOKIE, User
from vaikutus.portal.data import PortalData, Source, area_name

router = APIRouter()
Lang = Literal["fi", "sv", "en"]
AreaType = Literal["country", "region", "employment_area", "municipality", "trial_area", "trial_group"]
MapLevel = Literal["municipality", "employment_area", "region", "trial_area"]
SourceId = Literal["register", "statfin"]
SOURCE_DESCRIPTION = (
    "Source of the figures: `register` (computed from the register - in the demo the synthetic one) "
    "or `statfin` (public StatFin 12r5 figures of KEHA-keskus, see /sources). Default: the "
    "warehouse's first source (the register when it has one)."
)
SourceQuery = Annotated[SourceId | None, Query(description=SOURCE_DESCRIPTION)]
LICENCE = "CC BY 4.0"
SUPPRESSION_NOTE = {
    "fi": "Tyhjä arvo ja merkintä 'suppressed' = salattu pienen solukoon vuoksi (alle kynnyksen); "
    "'secondary_suppressed' = salattu, jotta salattua arvoa ei voi päätellä muista luvuista.",
    "sv": "Tomt värde och 'suppressed' = skyddat på grund av litet antal (under tröskeln); "
    "'secondary_suppressed' = skyddat så att ett skyddat värde inte kan räknas fram ur andra tal.",
    "en": "Empty value and flag 'suppressed' = withheld because the count is below the disclosure "
    "threshold; 'secondary_suppressed' = withheld so that a suppressed value cannot be derived from others.",
}


class Indicator(BaseModel):
    id: str
    name: str
    unit: str = ""
    definition: str = ""


class AreaOut(BaseModel):
    area_type: str
    code: str
    name: str


class ValueRow(BaseModel):
    area_type: str
    area_code: str
    area_name: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    flag: str | None


class Values(BaseModel):
    indicator: Indicator
    source: Source
    rows: list[ValueRow]
    suppression_note: str
    licence: str = LICENCE


def get_data(request: Request) -> PortalData:
    return request.app.state.data


def current_user(request: Request) -> User | None:
    return request.app.state.users.user_for(request.cookies.get(SESSION_COOKIE))


class Selection:
    """Query parameters shared by /values, the downloads and the internal API."""

    def __init__(
        self,
        indicator: Annotated[str, Query(description="Indicator id, see /indicators")],
        level: Annotated[AreaType | None, Query(description="Area type")] = None,
        area: Annotated[list[str] | None, Query(description="Area codes (repeat the parameter)")] = None,
        period: Annotated[str | None, Query(pattern=r"^\d{4}(-\d{2}|-Q[1-4])?$")] = None,
        start: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}(-\d{2}|-Q[1-4])?$")] = None,
        end: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}(-\d{2}|-Q[1-4])?$")] = None,
        lang: Lang = "fi",
        source: SourceQuery = None,
    ):
        self.indicator, self.level, self.areas = indicator, level, area or None
        self.period, self.start, self.end, self.lang, self.source = period, start, end, lang, source

    def key(self) -> tuple:
        return (self.indicator, self.level, tuple(self.areas or ()), self.period, self.start, self.end, self.lang,
                self.source)

    def query(self, data: PortalData, internal: bool = False) -> pd.DataFrame:
        frame = data.values(
            self.indicator, area_type=self.level, area_codes=self.areas, period=self.period,
            start=self.start, end=self.end, internal=internal, source=self.source,
        )
        frame = frame.copy()
        frame["area_name"] = [area_name(t, c, self.lang) for t, c in zip(frame["area_type"], frame["area_code"])]
        return frame


def _rows(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean[list(ValueRow.model_fields)].to_dict("records")


@router.get("/sources", response_model=list[Source], tags=["metadata"])
def sources(data: Annotated[PortalData, Depends(get_data)]) -> list[dict]:
    """The sources this warehouse holds figures of (the default first), with months and update date."""
    return [s.__dict__ for s in data.sources]


@router.get("/indicators", response_model=list[Indicator], tags=["metadata"])
def indicators(
    data: Annotated[PortalData, Depends(get_data)], lang: Lang = "fi", source: SourceQuery = None
) -> list[dict]:
    """Every indicator of the chosen source with its name, unit and definition in the chosen language."""
    return data.indicators(lang, data.source(source).id)


@router.get("/indicators/{indicator_id}/periods", response_model=list[str], tags=["metadata"])
def periods(indicator_id: str, data: Annotated[PortalData, Depends(get_data)], source: SourceQuery = None) -> list[str]:
    """Months for which the indicator has values from the chosen source (YYYY-MM)."""
    return data.periods(indicator_id, source=source)


@router.get("/areas", response_model=list[AreaOut], tags=["metadata"])
def areas(
    data: Annotated[PortalData, Depends(get_data)], level: AreaType = "municipality", lang: Lang = "fi",
    source: SourceQuery = None,
) -> list[dict]:
    """Areas of one level with figures from the chosen source, names in the chosen language."""
    return [a.__dict__ for a in data.areas(level, lang, source)]


@router.get("/values", response_model=Values, tags=["values"])
async def values(
    selection: Annotated[Selection, Depends()], data: Annotated[PortalData, Depends(get_data)]
) -> Response:
    """Public (suppressed) values of one indicator for the chosen areas and periods."""
    # Serialised public answers are kept: the public tables never change while a server runs and
    # most requests repeat (the same month of the same map), so the JSON is built once per selection.
    cache = data.response_cache
    key = selection.key()
    body = cache.get(key)
    if body is None:
        body = await run_in_threadpool(_values_body, selection, data)
        if len(cache) > 20000:
            cache.clear()
        cache[key] = body
    return Response(body, media_type="application/json")


def _values_body(selection: Selection, data: PortalData) -> bytes:
    source = data.source(selection.source)
    meta = data.indicator(selection.indicator, selection.lang, source.id)
    payload = Values(
        indicator=Indicator(**{k: meta.get(k, "") for k in Indicator.model_fields}),
        source=source,
        rows=_rows(selection.query(data)),
        suppression_note=SUPPRESSION_NOTE[selection.lang],
    )
    return payload.model_dump_json().encode()


@router.get("/geo/{level}", tags=["maps"])
def geo(level: MapLevel, lang: Lang = "fi") -> JSONResponse:
    """Boundaries of one area level (GeoJSON, WGS84) with area names; source MML, CC BY 4.0."""
    collection = reference.boundaries(level)
    for feature in collection["features"]:
        feature["properties"]["name"] = area_name(level, feature["properties"]["code"], lang)
    return JSONResponse(collection, headers={"Cache-Control": "public, max-age=86400"})


def _download(frame: pd.DataFrame, meta: dict, source: Source, fmt: str, lang: str, internal: bool) -> Response:
    columns = ["area_type", "area_code", "area_name", "period", "value", "numerator", "denominator", "flag"]
    table = frame[columns].copy()
    table.insert(0, "indicator", meta["id"])
    table["unit"] = meta.get("unit", "")
    table["source"] = source.id
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = f"vaikutus_{meta['id']}{'' if source.id == 'register' else '_' + source.id}{'_internal' if internal else ''}"
    if fmt == "csv":
        body = table.to_csv(index=False).encode("utf-8-sig")
        media = "text/csv; charset=utf-8"
        filename = f"{name}.csv"
    else:
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
            table.to_excel(writer, sheet_name="data", index=False)
            info = pd.DataFrame(
                {
                    "field": ["indicator", "name", "unit", "definition", "suppression", "public",
                              "source", "publisher", "table", "updated", "months", "licence", "created"],
                    "value": [meta["id"], meta["name"], meta.get("unit", ""), meta.get("definition", ""),
                              SUPPRESSION_NOTE[lang], str(not internal), source.id, source.publisher,
                              source.table, source.updated, f"{source.first_period}..{source.last_period}",
                              source.licence or LICENCE, stamp],
                }
            )
            info.to_excel(writer, sheet_name="metadata", index=False)
        body = buffer.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = f"{name}.xlsx"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/download.{fmt}", tags=["downloads"])
def download(
    fmt: Literal["csv", "xlsx"],
    selection: Annotated[Selection, Depends()],
    data: Annotated[PortalData, Depends(get_data)],
) -> Response:
    """The same selection as /values as a CSV or Excel file with its metadata (source included)."""
    source = data.source(selection.source)
    meta = data.indicator(selection.indicator, selection.lang, source.id)
    return _download(selection.query(data), meta, source, fmt, selection.lang, internal=False)


@router.get("/evaluations", tags=["evaluation"])
def evaluations(data: Annotated[PortalData, Depends(get_data)]) -> list[dict]:
    """Stored evaluation results (synthetic control per trial area, pooled, DiD), as written by `vaikutus evaluate-trials` (and `vaikutus demo`)."""
    return data.evaluations()


def _authorised(selection: Selection, request: Request, data: PortalData) -> tuple[User, pd.DataFrame]:
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=401, detail="log in to read unsuppressed figures")
    if user.role == "analyst":
        if not selection.level or not selection.areas:
            raise HTTPException(status_code=403, detail="an analyst must name the level and areas of their own employment area")
        denied = [a for a in selection.areas if not user.sees_unsuppressed(selection.level, a)]
        if denied:
            request.app.state.users.audit(user, "denied", f"{selection.indicator} {selection.level} {denied}")
            raise HTTPException(status_code=403, detail=f"no access to unsuppressed figures of {', '.join(denied)}")
    frame = selection.query(data, internal=True)
    request.app.state.users.audit(
        user, "internal_values", f"{selection.indicator} {selection.level} {selection.areas} {selection.start}..{selection.end}"
    )
    return user, frame


@router.get("/internal/values", response_model=Values, tags=["internal"])
def internal_values(
    request: Request, selection: Annotated[Selection, Depends()], data: Annotated[PortalData, Depends(get_data)]
) -> dict:
    """Unsuppressed values (login required; an analyst sees only their own employment area)."""
    _user, frame = _authorised(selection, request, data)
    source = data.source(selection.source)
    meta = data.indicator(selection.indicator, selection.lang, source.id)
    return {"indicator": meta, "source": source.__dict__, "rows": _rows(frame),
            "suppression_note": SUPPRESSION_NOTE[selection.lang]}


@router.get("/internal/download.{fmt}", tags=["internal"])
def internal_download(
    fmt: Literal["csv", "xlsx"],
    request: Request,
    selection: Annotated[Selection, Depends()],
    data: Annotated[PortalData, Depends(get_data)],
) -> Response:
    """Unsuppressed download of the same selection (login required, audited)."""
    _user, frame = _authorised(selection, request, data)
    source = data.source(selection.source)
    meta = data.indicator(selection.indicator, selection.lang, source.id)
    return _download(frame, meta, source, fmt, selection.lang, internal=True)

