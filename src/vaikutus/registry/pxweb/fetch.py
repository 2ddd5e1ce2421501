"""Fetch a StatFin table through the PxWeb API and save every raw response for offline reuse.

:func:`fetch` GETs the table metadata, expands and splits the query under the cell limit
(:mod:`~vaikutus.registry.pxweb.query`), POSTs each piece and saves the raw bytes with a sidecar
(URL, query, fetched-at; :mod:`~vaikutus.registry.pxweb.saved`). The client keeps to StatFin's
limits: at most 30 requests in any 10 seconds, and retries with exponential backoff on HTTP 429
and 5xx (honouring ``Retry-After``). The clock, the sleep and the HTTP transport are injectable,
so the tests run without network or waiting.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from vaikutus.registry.pxweb.query import MAX_CELLS, cell_count, expand, query_selections, split
from vaikutus.registry.pxweb.saved import save_response

DEFAULT_BASE_URL = "https://pxdata.stat.fi/PxWeb/api/v1/"
DATABASE = "StatFin"
RESPONSE_FORMATS = {"json": "json", "json-stat2": "json", "csv": "csv", "px": "px"}


class FetchError(RuntimeError):
    """The API refused or kept failing; the message names the URL and the last HTTP status."""


class RateLimiter:
    """At most ``max_requests`` in any ``per_seconds`` window (a sliding window of send times)."""

    def __init__(
        self,
        max_requests: int = 30,
        per_seconds: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_requests = max_requests
        self.per_seconds = per_seconds
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()

    def wait(self) -> None:
        """Block until one more request fits in the window, then count it."""
        now = self._expire()
        if len(self._sent) >= self.max_requests:
            self.sleep(max(0.0, self._sent[0] + self.per_seconds - now))
            self._sent.popleft()  # slept until the oldest left the window
            now = self._expire()
        self._sent.append(now)

    def _expire(self) -> float:
        now = self.clock()
        while self._sent and now - self._sent[0] >= self.per_seconds:
            self._sent.popleft()
        return now


@dataclass(frozen=True)
class RetryPolicy:
    """Retry 429, 5xx and dropped connections ``attempts`` times, waiting ``backoff * 2**n``."""

    attempts: int = 5
    backoff: float = 1.0
    max_delay: float = 120.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        after = response.headers.get("Retry-After") if response is not None else None
        if after is not None and after.strip().isdigit():
            return min(float(after), self.max_delay)
        return min(self.backoff * 2**attempt, self.max_delay)


@dataclass(frozen=True)
class TableMetadata:
    """A table's GET metadata response: parsed, raw (to save as is) and where it came from."""

    url: str
    doc: dict[str, Any]
    raw: bytes
    fetched_at: str


class PxWebClient:
    """HTTP access to one PxWeb database in one language, within the rate limit, with retries."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        lang: str = "fi",
        database: str = DATABASE,
        http: httpx.Client | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.lang = lang
        self.database = database
        self.http = http or httpx.Client(timeout=120.0)
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.retry = retry
        self.sleep = sleep

    def url(self, table_path: str) -> str:
        return f"{self.base_url}{self.lang}/{self.database}/{table_path.strip('/')}"

    def metadata(self, table_path: str) -> TableMetadata:
        url = self.url(table_path)
        response = self._request("GET", url)
        try:
            doc = response.json()
        except ValueError as exc:
            raise FetchError(f"GET {url}: the metadata is not JSON ({exc})") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("variables"), list):
            raise FetchError(
                f"GET {url}: not a table's metadata (no 'variables'); is the path a folder?"
            )
        return TableMetadata(url=url, doc=doc, raw=response.content, fetched_at=_now())

    def post(self, table_path: str, body: Mapping[str, Any]) -> httpx.Response:
        return self._request("POST", self.url(table_path), body)

    def _request(
        self, method: str, url: str, body: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        last = "no attempt"
        for attempt in range(self.retry.attempts + 1):
            self.limiter.wait()
            response = None
            try:
                response = self.http.request(method, url, json=body)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code != 429 and response.status_code < 500:
                    if response.is_error:
                        raise FetchError(
                            f"{method} {url}: HTTP {response.status_code}: {response.text[:300]}"
                        )
                    return response
                last = f"HTTP {response.status_code}"
            if attempt < self.retry.attempts:
                self.sleep(self.retry.delay(attempt, response))
        raise FetchError(
            f"{method} {url}: gave up after {self.retry.attempts + 1} attempts ({last})"
        )


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` saved: the data files in order, the metadata file and the cell count."""

    files: tuple[Path, ...]
    metadata_file: Path
    cells: int
    queries: tuple[tuple[dict[str, Any], ...], ...]


def fetch(
    table_path: str,
    query: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    lang: str = "fi",
    out_dir: str | Path = ".",
    *,
    response_format: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    client: PxWebClient | None = None,
    metadata: TableMetadata | None = None,
    max_cells: int = MAX_CELLS,
) -> FetchResult:
    """POST ``query`` to the table, split under ``max_cells``; save raw responses in ``out_dir``.

    ``table_path`` is relative to the database, e.g. ``tyonv/statfin_tyonv_pxt_12r5.px``; ``query``
    is a PxWeb query body or its ``query`` list; the format is ``response_format``, else the
    body's ``response.format``, else ``json``. Saves ``<table>_<lang>_metadata.json`` and
    ``<table>_<lang>_NNN.<ext>``, each with a ``.source.json`` sidecar; read them back with
    :func:`~vaikutus.registry.pxweb.reader.read_fetched`.
    """
    fmt = (
        response_format
        or (query.get("response", {}).get("format") if isinstance(query, Mapping) else None)
        or "json"
    )
    if fmt not in RESPONSE_FORMATS:
        raise ValueError(
            f"response format {fmt!r} is not one this package reads: {sorted(RESPONSE_FORMATS)}"
        )
    client = client or PxWebClient(base_url, lang=lang)
    if client.lang != lang:
        raise ValueError(f"the client asks in {client.lang!r} but lang is {lang!r}")
    out = Path(out_dir)
    stem = f"{PurePosixPath(table_path).stem}_{lang}"
    metadata = metadata or client.metadata(table_path)
    selections = expand(query_selections(query), metadata.doc)
    chunks = split(selections, metadata.doc, max_cells)
    common = {
        "table_path": table_path,
        "lang": lang,
        "base_url": client.base_url,
        "database": client.database,
    }
    metadata_file = save_response(
        out / f"{stem}_metadata.json",
        metadata.raw,
        {
            **common,
            "kind": "metadata",
            "method": "GET",
            "url": metadata.url,
            "fetched_at": metadata.fetched_at,
        },
    )
    files = []
    queries = []
    for i, chunk in enumerate(chunks, start=1):
        body = {"query": [s.to_json() for s in chunk], "response": {"format": fmt}}
        response = client.post(table_path, body)
        files.append(
            save_response(
                out / f"{stem}_{i:03d}.{RESPONSE_FORMATS[fmt]}",
                response.content,
                {
                    **common,
                    "kind": "data",
                    "method": "POST",
                    "url": str(response.url),
                    "query": body,
                    "response_format": fmt,
                    "fetched_at": _now(),
                    "status_code": response.status_code,
                    "chunk": i,
                    "chunks": len(chunks),
                    "cells": cell_count(chunk),
                    "metadata_file": metadata_file.name,
                },
            )
        )
        queries.append(tuple(body["query"]))
    return FetchResult(
        files=tuple(files),
        metadata_file=metadata_file,
        cells=sum(cell_count(c) for c in chunks),
        queries=tuple(queries),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
