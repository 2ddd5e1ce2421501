"""Import a folder of register files into the DuckDB warehouse.

Each file is read (``readers``), validated and pseudonymised (``validation``), and written in one
transaction: accepted rows into the table of the same name, rejected rows into ``quarantine``, one
line into ``import_log``. Nothing is lost: for every file, rows read = rows accepted + rows
quarantined.

Behaviour choices:

* Files are matched to tables by their stem (``jobseeker_spells.csv`` -> ``jobseeker_spells``,
  case-insensitive); ``persons`` is imported first so that the other tables can be checked against
  it. A data file with no such table, two files for one table, or a format that cannot be read
  (``.xls``) is reported and not imported; other files (``manifest.json``) are listed as ignored.
* A file is the complete extract of its table: importing it replaces the table's rows and the
  table's quarantine records. Importing the same content again (same SHA-256 as the last import of
  that table) is skipped with a message, so a repeated import changes nothing; a changed file
  with the same stem replaces the earlier rows. A file rejected as a whole (a required column
  missing) also replaces them: the table then holds no rows and every row is in quarantine,
  rather than silently keeping an older delivery.
* Quarantine holds one record per problem (table_name, file, row, column, reason, raw_json,
  imported_at), so problems can be counted by column and reason; a row with three problems has
  three records with the same ``row`` and ``raw_json``; rows quarantined = distinct rows. A
  problem with the whole file (a required column missing) gives every row a record.
* ``raw_json`` is the row as read, except that a person column shows the pseudonym (or
  ``<redacted>`` where the identity code is invalid), and any identity code elsewhere in the row
  is redacted: a henkilötunnus is never written anywhere.
* Person references are checked when ``persons`` is imported in the same run or already in the
  warehouse; otherwise the file gets a note saying they were not checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaikutus.registry import pseudonymise as ps
from vaikutus.registry.readers import (
    DATA_SUFFIXES,
    UNSUPPORTED_SUFFIXES,
    RawTable,
    ReadError,
    read_file,
)
from vaikutus.registry.schemas import TABLE_NAMES, TABLES, Table
from vaikutus.registry.validation import (
    empty_problems,
    match_columns,
    normalise_name,
    person_display,
    text_values,
    validate_table,
)

#: Files with more rows than this are validated in parts of about this many rows (``person_parts``).
BATCH_ROWS = 4_000_000
#: Longest value kept per column in a quarantine record (a broken CSV row can be a whole file).
RAW_VALUE_CHARACTERS = 1000

IMPORTED = "imported"
UNCHANGED = "unchanged"
REJECTED = "rejected"
UNREADABLE = "unreadable"
UNKNOWN_TABLE = "unknown table"
UNSUPPORTED = "unsupported format"
DUPLICATE_TABLE = "two files for one table"

_SQL_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "date": "DATE",
    "month": "DATE",
    "bool": "BOOLEAN",
}
_QUARANTINE_DDL = """CREATE TABLE IF NOT EXISTS quarantine (
    table_name VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR, reason VARCHAR,
    raw_json VARCHAR, imported_at TIMESTAMP)"""
_LOG_DDL = """CREATE TABLE IF NOT EXISTS import_log (
    file VARCHAR, sha256 VARCHAR, "table" VARCHAR, rows_read BIGINT, rows_accepted BIGINT,
    rows_quarantined BIGINT, imported_at TIMESTAMP)"""
_LOG_COLUMNS = (
    "file",
    "sha256",
    "table",
    "rows_read",
    "rows_accepted",
    "rows_quarantined",
    "imported_at",
)
_LOG_INSERT = "INSERT INTO import_log ({}) VALUES ({})".format(
    ", ".join(f'"{c}"' for c in _LOG_COLUMNS), ", ".join("?" * len(_LOG_COLUMNS))
)

Progress = Callable[[str, float], None]


class ImportRefused(Exception):
    """The import cannot run at all (no key, no such folder, warehouse not writable)."""


@dataclass(frozen=True)
class FileResult:
    """One file's outcome; ``problems`` has one line per problem (file, row, column, reason)."""

    file: str
    table: str | None
    status: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    problems: pd.DataFrame = field(default_factory=empty_problems, compare=False)
    notes: tuple[str, ...] = ()
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.status in (IMPORTED, UNCHANGED)
            and self.rows_quarantined == 0
            and self.problems.empty
        )

    def problem_lines(self) -> Iterator[str]:
        for row in self.problems.itertuples(index=False):
            yield problem_line(row.file, row.row, row.column, row.reason)


@dataclass(frozen=True)
class ImportReport:
    """The outcome of ``import_directory``: one ``FileResult`` per file found."""

    source_dir: Path
    warehouse: Path
    files: tuple[FileResult, ...]
    notes: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when every file was imported without a quarantined row, else 1."""
        return 0 if self.files and all(f.ok for f in self.files) else 1

    @property
    def n_problems(self) -> int:
        return sum(len(f.problems) for f in self.files)

    def problem_lines(self, limit: int | None = None) -> list[str]:
        """Problem messages, file by file, at most ``limit`` of them."""
        lines: list[str] = []
        for result in self.files:
            for line in result.problem_lines():
                if limit is not None and len(lines) >= limit:
                    return lines
                lines.append(line)
        return lines

    def to_frame(self) -> pd.DataFrame:
        """One row per file: file, table, status, rows read / accepted / quarantined, problems."""
        return pd.DataFrame(
            [
                {
                    "file": f.file,
                    "table": f.table,
                    "status": f.status,
                    "rows_read": f.rows_read,
                    "rows_accepted": f.rows_accepted,
                    "rows_quarantined": f.rows_quarantined,
                    "problems": len(f.problems),
                }
                for f in self.files
            ],
            columns=[
                "file",
                "table",
                "status",
                "rows_read",
                "rows_accepted",
                "rows_quarantined",
                "problems",
            ],
        )

    def summary(self) -> str:
        frame = self.to_frame()
        return (
            f"{_count(len(self.files), 'file')} from {self.source_dir} into {self.warehouse}: "
            f"{_count(frame['rows_read'].sum(), 'row')} read, "
            f"{frame['rows_accepted'].sum():,} accepted, "
            f"{frame['rows_quarantined'].sum():,} quarantined, {_count(self.n_problems, 'problem')}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def problem_line(file: str, row: object, column: object, reason: str) -> str:
    """``file, row 7, column end: reason`` (parts that do not apply are left out)."""
    where = [file]
    if row is not None and not pd.isna(row):
        where.append(f"row {row}")
    if column is not None and not pd.isna(column) and column != "":
        where.append(f"column {column}")
    return f"{', '.join(where)}: {reason}"


def import_directory(
    source_dir: Path | str,
    warehouse: Path | str,
    key: bytes | str | None = None,
    on_progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    """Import every register file in ``source_dir`` into the DuckDB file ``warehouse``.

    ``key`` is the pseudonymisation key (default: ``VAIKUTUS_PSEUDONYM_KEY``). Raises
    ``ImportRefused``, before reading anything, when there is no key, the folder does not exist or
    the warehouse cannot be opened. ``on_progress(file_name, fraction)`` follows each file.
    Files of more than ``batch_rows`` rows are validated in parts (``person_parts``).
    """
    try:
        secret = ps.load_key() if key is None else ps.check_key(key, "the key given")
    except ps.KeyMissing as exc:
        raise ImportRefused(str(exc)) from exc
    source_dir, warehouse = Path(source_dir), Path(warehouse)
    if not source_dir.is_dir():
        raise ImportRefused(f"no such folder: {source_dir}")
    planned, results, notes = _plan(source_dir)
    store = _Warehouse.open(warehouse)
    imported_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        for path, table in planned:
            progress = (lambda f, name=path.name: on_progress(name, f)) if on_progress else None
            results.append(_import_file(path, table, secret, store, imported_at, progress, batch_rows))
            if progress:
                progress(1.0)
    finally:
        store.close()
    if not planned and not results:
        notes.append(
            f"no register files found in {source_dir} "
            "(expected e.g. persons.csv or jobseeker_spells.parquet)"
        )
    order = {name: i for i, name in enumerate(p.name for p, _ in planned)}
    results.sort(key=lambda r: (r.file not in order, order.get(r.file, 0), r.file))
    return ImportReport(source_dir, warehouse, tuple(results), tuple(notes))


# -- planning -------------------------------------------------------------------------------------


def _plan(source_dir: Path) -> tuple[list[tuple[Path, Table]], list[FileResult], list[str]]:
    """Which file goes to which table (persons first), and the files that cannot be imported."""
    by_table: dict[str, list[Path]] = {}
    results: list[FileResult] = []
    ignored: list[str] = []
    for path in sorted(source_dir.iterdir()):
        suffix = path.suffix.lower()
        if path.name.startswith(".") or not path.is_file():
            continue
        if suffix in UNSUPPORTED_SUFFIXES:
            results.append(
                _not_imported(path.name, None, UNSUPPORTED, UNSUPPORTED_SUFFIXES[suffix])
            )
        elif suffix not in DATA_SUFFIXES:
            ignored.append(path.name)
        elif normalise_name(path.stem) not in TABLES:
            results.append(
                _not_imported(
                    path.name,
                    None,
                    UNKNOWN_TABLE,
                    f"no register table is called {path.stem!r}; name the file after its table "
                    f"({', '.join(TABLE_NAMES)})",
                )
            )
        else:
            by_table.setdefault(normalise_name(path.stem), []).append(path)
    planned = []
    for name in TABLE_NAMES:
        paths = by_table.get(name, [])
        if len(paths) == 1:
            planned.append((paths[0], TABLES[name]))
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(p.name for p in paths if p != path)
            results.append(
                _not_imported(
                    path.name,
                    name,
                    DUPLICATE_TABLE,
                    f"{others} is also for table {name}; keep only one of them",
                )
            )
    notes = [f"ignored (not a register data file): {', '.join(ignored)}"] if ignored else []
    return planned, results, notes


def _not_imported(file: str, table: str | None, status: str, reason: str) -> FileResult:
    problems = pd.DataFrame(
        {
            "file": [file],
            "row": pd.array([pd.NA], dtype="Int64"),
            "column": [None],
            "reason": [reason],
        }
    )
    return FileResult(file, table, status, problems=problems)


# -- one file -------------------------------------------------------------------------------------


def _import_file(
    path: Path,
    table: Table,
    key: bytes,
    store: _Warehouse,
    imported_at: dt.datetime,
    progress: Callable[[float], None] | None,
    batch_rows: int = BATCH_ROWS,
) -> FileResult:
    digest = _sha256(path)
    previous = store.last_import(table.name)
    if previous is not None and previous["sha256"] == digest and store.has_table(table.name):
        note = "unchanged since the last import (same SHA-256); skipped"
        if previous["rows_quarantined"]:
            note += (
                f"; its {previous['rows_quarantined']} quarantined rows are still in the "
                "quarantine table"
            )
        return FileResult(
            path.name,
            table.name,
            UNCHANGED,
            int(previous["rows_read"]),
            int(previous["rows_accepted"]),
            int(previous["rows_quarantined"]),
            notes=(note,),
            sha256=digest,
        )
    try:
        raw = read_file(
            path, table, on_progress=(lambda f: progress(0.5 * f)) if progress else None
        )
    except ReadError as exc:
        return _not_imported(path.name, table.name, UNREADABLE, str(exc))

    notes = list(raw.notes)
    checks_persons = table.references_persons and "person_id" in table.columns
    known = store.persons() if checks_persons else None
    if checks_persons and known is None:
        notes.append(
            "persons not checked: there is no persons table in this import or in the warehouse"
        )
    notes.extend(_column_notes(table, raw.frame))
    n_parts, parts = person_parts(raw, table, batch_rows)
    accepted_rows = quarantined = 0
    all_problems = []
    with store.replacing(table) as sink:
        for done, part in enumerate(parts, start=1):
            accepted, problems = validate_table(
                table.name, part.frame, path.name, key=key, known_persons=known
            )
            if len(part.broken):
                problems = pd.concat([problems, _broken_problems(part, path.name)], ignore_index=True)
            problems = problems.sort_values("row", kind="stable", na_position="first", ignore_index=True)
            quarantine = _quarantine_records(table, part, problems, key, imported_at)
            sink.add(accepted, quarantine)
            accepted_rows += accepted.num_rows
            if quarantine.num_rows:
                quarantined += pc.count_distinct(quarantine.column("row")).as_py()
            all_problems.append(problems)
            if progress:
                progress(0.5 + 0.45 * done / n_parts)
        if raw.rows_read != accepted_rows + quarantined:
            raise AssertionError(
                f"{path.name}: {raw.rows_read} rows read but {accepted_rows} + {quarantined} kept"
            )
        log = (path.name, digest, table.name, raw.rows_read, accepted_rows, quarantined, imported_at)
        sink.log(dict(zip(_LOG_COLUMNS, log, strict=True)))
    problems = pd.concat(all_problems, ignore_index=True).sort_values(
        "row", kind="stable", na_position="first", ignore_index=True
    )
    rejected = bool(problems["row"].isna().any())
    return FileResult(
        path.name,
        table.name,
        REJECTED if rejected else IMPORTED,
        raw.rows_read,
        accepted_rows,
        quarantined,
        problems,
        tuple(notes),
        digest,
    )


def person_parts(raw: RawTable, table: Table, batch_rows: int) -> tuple[int, Iterator[RawTable]]:
    """The file's rows in parts of about ``batch_rows``, every person's rows in one part.

    Validation holds several typed copies of what it checks, so a national file (75 million
    earnings rows) is checked part by part. The checks across rows - duplicate keys and
    overlapping intervals - compare rows of one person only (every key holds ``person_id``), so
    splitting by person gives exactly the result of checking the whole file at once. A person's
    part is chosen by a fixed hash of the identity code as compared (trimmed, upper case), so
    differently typed copies of one code meet. Row numbers stay the file's own; the rows that
    could not be split into columns (CSV) go with the first part. Returns the number of parts
    and the parts, each made only when it is taken (a part is a copy of its rows).
    """
    n = len(raw.frame)
    match = match_columns(table, list(raw.frame.columns))
    if n <= batch_rows or not match.usable or "person_id" not in table.key:
        return 1, iter([raw])
    count = -(-n // batch_rows)
    person = ps.normalise(text_values(raw.frame.iloc[:, match.positions["person_id"]]))
    encoded = pc.dictionary_encode(ps.as_array(person))
    codes = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    bucket_of_code = (pd.util.hash_array(codes) % count).astype(np.int64)
    indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    bucket = np.where(indices >= 0, bucket_of_code[np.maximum(indices, 0)], 0)
    no_rows = raw.broken.iloc[:0]
    present = [b for b in range(count) if b == 0 and len(raw.broken) or (bucket == b).any()]
    parts = (
        RawTable(raw.frame.iloc[np.flatnonzero(bucket == b)], raw.broken if b == 0 else no_rows, raw.notes)
        for b in present
    )
    return len(present), parts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _column_notes(table: Table, frame: pd.DataFrame) -> list[str]:
    match = match_columns(table, list(frame.columns))
    notes = []
    if match.extra:
        notes.append(
            f"ignored columns that are not part of table {table.name}: {', '.join(match.extra)}"
        )
    if match.absent_optional and match.usable:
        notes.append(
            f"optional columns not in the file, left empty: {', '.join(match.absent_optional)}"
        )
    return notes


def _broken_problems(raw: RawTable, file: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": file,
            "row": pd.array(raw.broken.index.to_numpy(), dtype="Int64"),
            "column": None,
            "reason": raw.broken["reason"].to_numpy(dtype=object),
        }
    )


def _quarantine_records(
    table: Table, raw: RawTable, problems: pd.DataFrame, key: bytes, imported_at: dt.datetime
) -> pa.Table:
    """One record per problem; a whole-file problem becomes one record per row of the file."""
    file_level = problems[problems["row"].isna()]
    per_row = problems[problems["row"].notna()]
    if len(file_level):
        all_rows = np.concatenate([raw.frame.index.to_numpy(), raw.broken.index.to_numpy()])
        expanded = file_level.loc[file_level.index.repeat(len(all_rows))].copy()
        expanded["row"] = pd.array(np.tile(all_rows, len(file_level)), dtype="Int64")
        per_row = pd.concat([expanded, per_row], ignore_index=True)
    rows = per_row["row"].to_numpy(dtype=np.int64)
    in_frame = raw.frame[raw.frame.index.isin(rows)]
    raw_json = pd.concat([_frame_json(table, in_frame, key), _broken_json(raw.broken)])
    return pa.table(
        {
            "table_name": pa.array([table.name] * len(per_row), pa.string()),
            "file": pa.array(per_row["file"].to_numpy(dtype=object), pa.string()),
            "row": pa.array(rows, pa.int64()),
            "column": pa.array(
                per_row["column"].to_numpy(dtype=object), pa.string(), from_pandas=True
            ),
            "reason": pa.array(per_row["reason"].to_numpy(dtype=object), pa.string()),
            "raw_json": pa.array(raw_json.reindex(rows).to_numpy(dtype=object), pa.string()),
            "imported_at": pa.array([imported_at] * len(per_row), pa.timestamp("us")),
        }
    )


def _frame_json(table: Table, frame: pd.DataFrame, key: bytes) -> pd.Series:
    """Each row of ``frame`` as JSON, identity codes replaced (see the module docstring)."""
    if frame.empty:
        return pd.Series([], dtype=object)
    match = match_columns(table, list(frame.columns))
    person_position = match.positions.get("person_id") if "person_id" in table.columns else None
    aliases = {normalise_name(a) for a in table.aliases}
    names, columns = [], {}
    for position, name in enumerate(frame.columns):
        values = pa.array(
            frame.iloc[:, position].astype("string[pyarrow]"), pa.string(), from_pandas=True
        )
        if position == person_position:
            values = person_display(values, key, normalise_name(name) in aliases)
        else:
            values = ps.redact(values)
        values = pc.utf8_slice_codeunits(values, 0, RAW_VALUE_CHARACTERS)  # after redacting
        unique = name if name not in names else f"{name} ({names.count(name) + 1})"
        names.append(name)
        columns[unique] = pd.Series(values.to_pandas(), dtype=object)
    lines = (
        pd.DataFrame(columns).to_json(orient="records", lines=True, force_ascii=False).split("\n")
    )
    return pd.Series(lines[: len(frame)], index=frame.index.to_numpy())


def _broken_json(broken: pd.DataFrame) -> pd.Series:
    texts = ps.redact(pa.array(broken["text"].astype(object).tolist(), pa.string())).to_pylist()
    return pd.Series(
        [json.dumps({"text": t[:RAW_VALUE_CHARACTERS]}, ensure_ascii=False) for t in texts],
        index=broken.index.to_numpy(),
        dtype=object,
    )


# -- the warehouse --------------------------------------------------------------------------------


class _Warehouse:
    """The DuckDB file: register tables, ``quarantine`` and ``import_log``."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._persons: pa.Array | None = None
        con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would garble our output
        con.execute(_QUARANTINE_DDL)
        con.execute(_LOG_DDL)

    @classmethod
    def open(cls, path: Path) -> _Warehouse:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(duckdb.connect(str(path)))
        except (duckdb.Error, OSError) as exc:
            raise ImportRefused(f"cannot open the warehouse {path}: {exc}") from exc

    def close(self) -> None:
        self.con.close()

    def has_table(self, name: str) -> bool:
        found = self.con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = ? AND table_schema = 'main'",
            [name],
        ).fetchall()
        return bool(found[0][0])

    def last_import(self, table: str) -> dict | None:
        found = self.con.execute(
            "SELECT sha256, rows_read, rows_accepted, rows_quarantined FROM import_log "
            'WHERE "table" = ? '
            "ORDER BY imported_at DESC LIMIT 1",
            [table],
        ).fetchall()
        names = ("sha256", "rows_read", "rows_accepted", "rows_quarantined")
        return dict(zip(names, found[0], strict=True)) if found else None

    def persons(self) -> pa.Array | None:
        """Pseudonyms in ``persons`` (None without a persons table), cached until it is replaced."""
        if self._persons is None and self.has_table("persons"):
            query = self.con.sql("SELECT DISTINCT person_id FROM persons")
            self._persons = query.to_arrow_table().column(0).combine_chunks()
        return self._persons

    @contextmanager
    def replacing(self, table: Table) -> Iterator[_Replacement]:
        """Replace the table's rows and quarantine records and log the import, all or nothing:
        the parts added inside the block are committed together at its end."""
        columns = ", ".join(
            f'"{f.name}" {_SQL_TYPES[f.kind]}{"" if f.nullable else " NOT NULL"}'
            for f in table.fields
        )
        self.con.begin()
        try:
            self.con.execute(f'CREATE OR REPLACE TABLE "{table.name}" ({columns})')
            self.con.execute("DELETE FROM quarantine WHERE table_name = ?", [table.name])
            yield _Replacement(self.con, table.name)
            self.con.commit()
            if table.name == "persons":
                self._persons = None
        except BaseException:
            self.con.rollback()
            raise


@dataclass
class _Replacement:
    """Inside ``_Warehouse.replacing``: add accepted rows and quarantine records, then the log."""

    con: duckdb.DuckDBPyConnection
    table: str

    def add(self, accepted: pa.Table, quarantine: pa.Table) -> None:
        for name, rows, target in (("incoming_rows", accepted, self.table),
                                   ("incoming_quarantine", quarantine, "quarantine")):
            self.con.register(name, rows)
            try:
                self.con.execute(f'INSERT INTO "{target}" BY NAME SELECT * FROM {name}')
            finally:
                self.con.unregister(name)

    def log(self, entry: dict) -> None:
        self.con.execute(_LOG_INSERT, [entry[c] for c in _LOG_COLUMNS])
