"""HTTP service for on-arrival enrolment: a FastAPI router the portal can mount, or a small app.

Endpoints (relative to where the router is mounted):

* ``POST /enrol`` with ``{"person_id": "...", "strata": {"employment_area": "91", ...}}``: assigns
  the person to the next concealed place in their stratum and returns the arm and the receipt hash.
  Enrolling the same person again returns the same assignment (``already_enrolled: true``).
* ``GET /log/verify``: checks the hash chain and the concealed sequence.
* ``GET /health``: number of enrolments and the head hash (no arms, so nothing is unconcealed).

Endpoints are plain ``def`` functions, so FastAPI runs them in its thread pool; the SQLite store
serialises them with ``BEGIN IMMEDIATE`` transactions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, Field

from vaikutus.evaluation.rct.enrolment import EnrolmentError, EnrolmentStore, open_trial


class EnrolRequest(BaseModel):
    person_id: str = Field(min_length=1, max_length=100, description="Pseudonymous person id")
    strata: dict[str, str | int] = Field(
        default_factory=dict, description="The person's value of every stratification variable"
    )


def make_router(store: EnrolmentStore) -> APIRouter:
    """Routes for one trial's enrolment store."""
    router = APIRouter(tags=["trial enrolment"])

    @router.post("/enrol")
    def enrol(request: EnrolRequest) -> dict[str, Any]:
        try:
            return store.enrol(request.person_id, request.strata).to_dict()
        except EnrolmentError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc

    @router.get("/log/verify")
    def verify(expected_head: str | None = None) -> dict[str, Any]:
        return store.verify(expected_head).to_dict()

    @router.get("/health")
    def health() -> dict[str, Any]:
        entries, head = store.head()
        return {"entries": entries, "head": head}

    return router


def create_app(trial_dir: Path) -> FastAPI:
    """A stand-alone app serving the trial in ``trial_dir`` (``vaikutus trial serve``)."""
    store = open_trial(trial_dir)
    app = FastAPI(title=f"Trial enrolment: {Path(trial_dir).name}", docs_url="/docs")
    app.include_router(make_router(store))
    return app
