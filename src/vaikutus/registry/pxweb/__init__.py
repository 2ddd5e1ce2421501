"""Public statistics in PxWeb formats (StatFin): parse, fetch, map to our area and period keys.

Readers for PxWeb ``json``, JSON-stat 2.0, PxWeb CSV and PX files all return the same
:class:`PxTable` (tidy long ``data`` + ``meta`` with dimension roles); :func:`fetch` saves raw API
responses with sidecars so every run can be repeated offline; :func:`keyed` adds ``area_type``,
``area_code`` and ``period``. Table metadata and codes follow DOMAIN.md section D.
"""

from __future__ import annotations

from importlib import resources

from vaikutus.registry.pxweb.codes import AREA_TYPES, area_of, period_label, to_period
from vaikutus.registry.pxweb.csvfmt import parse_csv, to_metadata, write_csv
from vaikutus.registry.pxweb.errors import PxWebFormatError
from vaikutus.registry.pxweb.fetch import (
    DEFAULT_BASE_URL,
    FetchError,
    FetchResult,
    PxWebClient,
    RateLimiter,
    RetryPolicy,
    fetch,
)
from vaikutus.registry.pxweb.jsonfmt import parse_pxweb_json
from vaikutus.registry.pxweb.jsonstat import parse_jsonstat2
from vaikutus.registry.pxweb.mapping import keyed
from vaikutus.registry.pxweb.model import (
    MISSING,
    Content,
    Dimension,
    PxMeta,
    PxTable,
    concat_tables,
)
from vaikutus.registry.pxweb.pxfile import parse_px, write_px
from vaikutus.registry.pxweb.query import QueryError, build_query
from vaikutus.registry.pxweb.reader import detect_format, parse_bytes, read_fetched, read_table

__all__ = [
    "AREA_TYPES",
    "DEFAULT_BASE_URL",
    "MISSING",
    "Content",
    "Dimension",
    "FetchError",
    "FetchResult",
    "PxMeta",
    "PxTable",
    "PxWebClient",
    "PxWebFormatError",
    "QueryError",
    "RateLimiter",
    "RetryPolicy",
    "area_of",
    "build_query",
    "concat_tables",
    "detect_format",
    "fetch",
    "keyed",
    "parse_bytes",
    "parse_csv",
    "parse_jsonstat2",
    "parse_px",
    "parse_pxweb_json",
    "period_label",
    "read_fetched",
    "read_table",
    "sample_12r5",
    "to_metadata",
    "to_period",
    "write_csv",
    "write_px",
]

SAMPLE_12R5 = "tyonv_12r5_2026M06_pxweb-json.json"


def sample_12r5() -> PxTable:
    """The real 12r5 release of 2026M06 shipped in the package (KEHA-keskus, CC BY 4.0)."""
    path = resources.files("vaikutus.reference").joinpath("statfin", SAMPLE_12R5)
    return parse_bytes(
        path.read_bytes(), name=SAMPLE_12R5, language="fi", table_id="statfin_tyonv_pxt_12r5"
    )
