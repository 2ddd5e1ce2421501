"""Deterministic Parquet output in the register schemas, plus the manifest.

Same data -> same bytes: rows in a fixed order (person, then time), fixed row-group size,
zstd compression (level 1: writing speed matters at a million persons), dictionary encoding only
for string and date columns, and no timestamps or paths in the file metadata. Person tables carry
the artificial ``henkilotunnus`` in place of ``person_id`` so that the importer's pseudonymisation
is exercised.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vaikutus.registry.schemas import TABLES, Table

ROW_GROUP_SIZE = 1_000_000
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1, "write_statistics": True}
PERSON_COLUMN = "henkilotunnus"
NO_END = np.int32(2**31 - 1)


@dataclass(frozen=True)
class Coded:
    """A string column given as labels and an index into them (fast to build, small to hold)."""

    labels: Sequence[str]
    index: np.ndarray

    def to_arrow(self) -> pa.Array:
        return pa.array(list(self.labels), type=pa.string()).take(
            pa.array(self.index, type=pa.int32())
        )


def output_schema(table: Table) -> pa.Schema:
    """The table's Arrow schema with ``person_id`` renamed to ``henkilotunnus``."""
    return pa.schema(
        [
            pa.field(PERSON_COLUMN if f.person_key else f.name, f.arrow_type, nullable=f.nullable)
            for f in table.fields
        ]
    )


def _array(values, field: pa.Field) -> pa.Array:
    if isinstance(values, Coded):
        return values.to_arrow()
    if pa.types.is_date32(field.type):
        days = np.asarray(values).astype(np.int32, copy=False)  # days since 1970: date32's layout
        mask = days == NO_END
        return pa.array(days, mask=mask if mask.any() else None).view(pa.date32())
    if pa.types.is_floating(field.type):
        values = np.asarray(values, dtype=np.float64)
        mask = np.isnan(values)
        return pa.array(values, type=field.type, mask=mask if mask.any() else None)
    if pa.types.is_integer(field.type) and field.nullable:
        values = np.asarray(values, dtype=np.int64)
        mask = values == 0
        return pa.array(values, type=field.type, mask=mask if mask.any() else None)
    return pa.array(np.asarray(values), type=field.type)


def arrow_table(
    name: str, columns: dict[str, np.ndarray], person: np.ndarray | None, hetu: pa.Array
) -> pa.Table:
    """Build one table in schema order. Nulls: date ``NO_END``, float NaN, nullable int 0.

    String columns may be given as :class:`Coded` (labels and an index) or as numpy strings.
    """
    schema = output_schema(TABLES[name])
    arrays = []
    for field in schema:
        if field.name == PERSON_COLUMN:
            arrays.append(hetu.take(pa.array(person, type=pa.int64())))
        else:
            if field.name not in columns:
                raise KeyError(f"table {name}: no data for column {field.name!r}")
            arrays.append(_array(columns[field.name], field))
    return pa.Table.from_arrays(arrays, schema=schema)


class TableWriter:
    """Writes a table in one or more parts and remembers its row count.

    With a ``pool`` (one worker thread) the Parquet encoding runs in the background while the
    caller computes the next part; at most one part per table is in flight, so memory stays
    bounded. The bytes written do not depend on the timing.
    """

    def __init__(self, out: Path, name: str, pool: Executor | None = None) -> None:
        self.name = name
        self.path = out / f"{name}.parquet"
        self.rows = 0
        self._pool = pool
        self._pending: Future | None = None
        schema = output_schema(TABLES[name])
        # dictionary encoding pays off for repeated codes, ids and dates, not for amounts
        dictionary = [
            f.name
            for f in schema
            if not (pa.types.is_floating(f.type) or pa.types.is_integer(f.type))
        ]
        self._writer = pq.ParquetWriter(
            self.path, schema, use_dictionary=dictionary, **PARQUET_OPTIONS
        )

    def _run(self, task, *args, **kwargs) -> None:
        self.wait()
        if self._pool is None:
            task(*args, **kwargs)
        else:
            self._pending = self._pool.submit(task, *args, **kwargs)

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        self._run(self._writer.write_table, table, row_group_size=ROW_GROUP_SIZE)

    def close(self) -> None:
        self._run(self._writer.close)

    def wait(self) -> None:
        """Block until the parts handed over are written (re-raising a writing error)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()


def write_whole(
    out: Path, name: str, parts: Iterable[pa.Table], pool: Executor | None = None
) -> TableWriter:
    writer = TableWriter(out, name, pool)
    for part in parts:
        writer.write(part)
    writer.close()
    return writer


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, payload: dict) -> None:
    path.write_text(
        json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
