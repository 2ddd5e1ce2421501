"""Read a saved PxWeb response in any of the four formats, recognised by its content.

``json`` (``columns``/``data``), JSON-stat 2.0 (``class: dataset``), PX (``KEYWORD=...;``) and CSV
(anything else) all become the same :class:`~vaikutus.registry.pxweb.model.PxTable`. When the file
has a fetch sidecar, its language, table id and saved table metadata are used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from vaikutus.registry.pxweb.csvfmt import parse_csv
from vaikutus.registry.pxweb.errors import PxWebFormatError, reading
from vaikutus.registry.pxweb.jsonfmt import parse_pxweb_json
from vaikutus.registry.pxweb.jsonstat import parse_jsonstat2
from vaikutus.registry.pxweb.model import PxTable, concat_tables
from vaikutus.registry.pxweb.pxfile import parse_px
from vaikutus.registry.pxweb.saved import SIDECAR_SUFFIX, load_sidecar, saved_responses

FORMATS = ("json", "json-stat2", "csv", "px")
_PX_START = re.compile(rb"\s*[A-Za-z][A-Za-z0-9-]*(\[[^\]\r\n]*\])?(\([^\r\n]*\))?\s*=")


def detect_format(raw: bytes) -> str:
    """``json``, ``json-stat2``, ``px`` or ``csv`` by looking at the content, not the file name."""
    return _sniff(raw)[0]


def _sniff(raw: bytes) -> tuple[str, Any]:
    """The format and, for JSON, the decoded document (so it is decoded once)."""
    head = raw.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:1] in (b"{", b"["):
        try:
            doc = json.loads(head)
        except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
            raise PxWebFormatError(f"not valid JSON ({exc})") from exc
        return _json_kind(doc), doc
    if _PX_START.match(head):
        return "px", None
    if head.startswith(b"PK\x03\x04") or b"\x00" in head[:4096]:
        raise PxWebFormatError(f"unknown format: binary content (xlsx?); readable are {FORMATS}")
    return "csv", None


def _json_kind(doc: Any) -> str:
    if isinstance(doc, Mapping) and "columns" in doc and "data" in doc:
        return "json"
    if isinstance(doc, Mapping) and (
        doc.get("class") == "dataset" or {"id", "size", "dimension"} <= doc.keys()
    ):
        return "json-stat2"
    kind = doc.get("class") if isinstance(doc, Mapping) else type(doc).__name__
    raise PxWebFormatError(
        f"JSON that is neither PxWeb json nor a JSON-stat 2.0 dataset (class {kind!r})"
    )


def parse_bytes(
    raw: bytes,
    *,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    language: str | None = None,
    table_id: str | None = None,
) -> PxTable:
    """Parse one response whatever its format; ``name`` is used in error messages."""
    with reading(name):
        fmt, doc = _sniff(raw)
        if fmt == "px":
            return parse_px(raw, language=language, source=name)
        if fmt == "csv":
            return parse_csv(
                raw, metadata=metadata, language=language, table_id=table_id, source=name
            )
        if fmt == "json":
            return parse_pxweb_json(
                doc, metadata=metadata, language=language, table_id=table_id, source=name
            )
        return parse_jsonstat2(doc, language=language, source=name)


def read_table(
    path: str | Path, *, metadata: Mapping[str, Any] | None = None, language: str | None = None
) -> PxTable:
    """Read a saved response; its fetch sidecar, if any, gives language, table id and metadata."""
    path = Path(path)
    sidecar = load_sidecar(path) or {}
    if metadata is None and sidecar.get("metadata_file"):
        meta_path = path.with_name(sidecar["metadata_file"])
        with reading(str(meta_path)):
            metadata = json.loads(meta_path.read_bytes())
    table_path = sidecar.get("table_path")
    return parse_bytes(
        path.read_bytes(),
        name=str(path),
        metadata=metadata,
        language=language or sidecar.get("lang"),
        table_id=PurePosixPath(table_path).stem if table_path else None,
    )


def read_fetched(directory: str | Path) -> PxTable:
    """All data chunks that :func:`.fetch.fetch` saved in ``directory``, joined."""
    paths = saved_responses(directory)
    if not paths:
        raise PxWebFormatError(
            f"no fetched responses (with {SIDECAR_SUFFIX} sidecars) in {directory}"
        )
    return concat_tables([read_table(p) for p in paths])
