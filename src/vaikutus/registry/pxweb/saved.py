"""Saved responses: each raw response has a sidecar ``<file>.source.json`` telling its origin.

The sidecar holds the URL, the query, when it was fetched, the language, the table path and the
name of the saved table metadata, so a saved folder can be re-read offline with the same codes and
labels, and the fetch can be repeated exactly.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

SIDECAR_SUFFIX = ".source.json"


def sidecar_path(response: str | Path) -> Path:
    response = Path(response)
    return response.with_name(response.name + SIDECAR_SUFFIX)


def save_response(path: Path, content: bytes, sidecar: dict[str, Any]) -> Path:
    """Write the raw bytes and their sidecar (with the bytes' SHA-256 added); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    record = {
        **sidecar,
        "file": path.name,
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    sidecar_path(path).write_text(
        json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return path


def load_sidecar(response: str | Path) -> dict[str, Any] | None:
    """The sidecar of a saved response, or ``None`` when the file has none."""
    path = sidecar_path(response)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def saved_responses(directory: str | Path, kind: str = "data") -> list[Path]:
    """The saved responses of one kind (``data`` chunks or ``metadata``) , in fetch order."""
    found = []
    for side in Path(directory).glob(f"*{SIDECAR_SUFFIX}"):
        record = json.loads(side.read_text(encoding="utf-8"))
        if record.get("kind") == kind:
            found.append((record.get("chunk", 0), side.with_name(record["file"])))
    return [path for _, path in sorted(found)]
