"""The package manifest: what went in, with which rules and software, and what came out.

Input fingerprints are of table *content*, not of the DuckDB file's bytes (which change with
every checkpoint): every row is hashed by DuckDB's ``hash()`` over all its columns in schema
order, the row hashes are put in canonical (ascending) order - in ``BUCKETS`` slices by the hash
modulo, so memory stays bounded on the national register - and the fingerprint is the SHA-256 of
that sequence (little-endian 64-bit words). The same rows in any order give the same
fingerprint; any changed, added or removed row changes it. Strings of the whole table are never
built, which keeps a 40-million-row table to seconds (the first version, SHA-256 over sorted row
texts, took minutes). DuckDB's row hash is specific to its version, which the manifest records.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np

from vaikutus import __version__

FORMAT = "vaikutus-data-package/1"
BUCKETS = 8


class ManifestError(ValueError):
    """A manifest that cannot be read or no longer matches its inputs."""


def fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    cols = [c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT internal ORDER BY column_index",
        [table]).fetchall()]
    if not cols:
        raise ValueError(f"the warehouse has no table {table!r} to fingerprint")
    row_hash = "hash(" + ", ".join(f'"{c}"' for c in cols) + ")"
    digest = hashlib.sha256()
    rows = 0
    for bucket in range(BUCKETS):
        hashes = con.execute(
            f'SELECT h FROM (SELECT {row_hash} AS h FROM "{table}") WHERE h % {BUCKETS} = {bucket} ORDER BY h'
        ).fetchnumpy()["h"]
        digest.update(np.ascontiguousarray(hashes, dtype="<u8").tobytes())
        rows += len(hashes)
    return {"rows": rows, "columns": cols, "sha256": digest.hexdigest()}


def software() -> dict:
    import pandas
    import pyarrow

    return {"vaikutus": __version__, "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pandas.__version__, "pyarrow": pyarrow.__version__}


@dataclass(frozen=True)
class Manifest:
    raw: dict

    @classmethod
    def read(cls, path: Path | str) -> Manifest:
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ManifestError(f"cannot read manifest {path}: {exc}") from exc
        if raw.get("format") != FORMAT:
            raise ManifestError(f"{path} is not a data-package manifest (format {raw.get('format')!r}, expected {FORMAT!r})")
        for key in ("parameters", "inputs", "warehouse"):
            if key not in raw:
                raise ManifestError(f"manifest {path} lacks {key!r}")
        return cls(raw)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @property
    def parameters(self) -> dict:
        return self.raw["parameters"]

    @property
    def warehouse(self) -> Path:
        return Path(self.raw["warehouse"])

    @property
    def inputs(self) -> dict:
        return self.raw["inputs"]


def build_manifest(*, warehouse: Path, parameters: dict, inputs: dict, outputs: dict, tables: dict,
                   created: datetime, classification: str) -> Manifest:
    return Manifest({
        "format": FORMAT,
        "created": created.isoformat(timespec="seconds"),
        "classification": classification,
        "software": software(),
        "warehouse": str(Path(warehouse).resolve()),
        "parameters": parameters,
        "inputs": inputs,
        "outputs": outputs,
        "tables": tables,
    })


def check_inputs(expected: dict, actual: dict) -> None:
    """Refuse a rebuild from inputs that differ from the manifest's."""
    changed = [t for t in expected if actual.get(t, {}).get("sha256") != expected[t]["sha256"]]
    if changed:
        detail = "; ".join(f"{t}: rows {expected[t]['rows']} -> {actual.get(t, {}).get('rows', 'missing')}" for t in changed)
        raise ManifestError(f"the warehouse no longer holds the data the manifest was built from: {detail}")
