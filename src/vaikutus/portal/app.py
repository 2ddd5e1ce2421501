"""The portal's FastAPI application: public pages and API, and the internal view behind a login.

``create_app(warehouse)`` wires the read-only data layer (:mod:`.data`), the user store
(:mod:`.auth`), the JSON API (:mod:`.api`) and the HTML pages (:mod:`.pages`). Static files
(CSS, our JS, vendored Leaflet and Vega) are served from the package: no CDN at run time.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from vaikutus import __version__
from vaikutus.portal import api, pages, segments
from vaikutus.portal.auth import UserStore
from vaikutus.portal.data import PortalData, UnknownSelection
from vaikutus.portal.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES


def _package_dir(name: str) -> str:
    return str(resources.files("vaikutus.portal").joinpath(name))


def default_users_path(warehouse: Path) -> Path:
    return Path(warehouse).with_suffix(".users.sqlite")


def create_app(warehouse: Path, users: Path | None = None, session_minutes: int = 30) -> FastAPI:
    data = PortalData(warehouse)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        data.close()

    app = FastAPI(
        lifespan=lifespan,
        title="vaikutus API",
        version=__version__,
        description=(
            "Public, privacy-safe employment-service indicators for Finnish municipalities, employment "
            "areas, regions and the 2021 trial areas. Values below the disclosure threshold are "
            "suppressed (value null, flag set). Licence of the data: CC BY 4.0; cite the source."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.data = data
    app.state.users = UserStore(users or default_users_path(warehouse), session_minutes=session_minutes)
    templates = Jinja2Templates(directory=_package_dir("templates"))
    templates.env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, version=__version__
    )
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(segments.api_router, prefix="/api/v1")
    app.include_router(segments.page_router)
    app.include_router(pages.router)

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        accept = request.headers.get("accept-language", "")
        lang = next((code for code in ("sv", "en") if accept.lower().startswith(code)), DEFAULT_LANGUAGE)
        return RedirectResponse(f"/{lang}/", status_code=307)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=308)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok", "warehouse": app.state.data.warehouse.name}

    @app.exception_handler(UnknownSelection)
    def unknown(request: Request, exc: UnknownSelection):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        lang = request.path_params.get("lang", DEFAULT_LANGUAGE)
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        return pages.render(
            request, lang, "error.html", status=404, message=str(exc)
        )

    return app
