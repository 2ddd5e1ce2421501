"""Readers: one register file in, its rows as text out, numbered as the file itself shows them.

Every reader returns text (``RawTable``) so that validation, not the reader, decides what a value
means: a municipality ``091`` must not become the number 91, and a bad date must reach validation
as the text the analyst typed, to be named in the message.

Row numbers are what the analyst sees when opening the file: the line of a CSV file (header = line
1, first data row = line 2, a value spanning lines counts all of them), the row number Excel shows,
and the record number (from 1) in Parquet, SAS, Stata and SPSS files.

Formats and libraries:

* CSV: pyarrow's C++ parser, single-threaded so that it numbers rows, with an invalid-row handler
  that hands back rows whose number of values differs from the header's (they are quarantined, not
  lost). The separator (``;``, ``,`` or tab) is taken from the header line; the encoding is UTF-8
  (with or without BOM, or UTF-16 with BOM), else Windows-1252, else Latin-1. Rows with no values
  at all (blank lines, a line of separators) hold nothing and are skipped, with a note.
* Parquet: pyarrow. Excel (``.xlsx``): openpyxl in read-only mode, the sheet named like the table
  or else the first sheet; blank rows are skipped as in CSV. SAS (``.sas7bdat``, ``.xpt``), Stata
  (``.dta``) and SPSS (``.sav``, ``.zsav``): pyreadstat, which converts date-formatted columns.
* Dates: date and datetime values become ``YYYY-MM-DD``. A plain number in a date column is
  converted with the format's own epoch (Excel serial day, SAS/Stata days since 1960-01-01, SPSS
  seconds since 1582-10-14); Parquet has no such convention, so a number stays a number there.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from vaikutus.registry.schemas import Table
from vaikutus.registry.validation import match_columns

#: File suffixes the importer reads, with the name of the format.
DATA_SUFFIXES = {
    ".csv": "CSV",
    ".parquet": "Parquet",
    ".xlsx": "Excel",
    ".sas7bdat": "SAS",
    ".xpt": "SAS transport",
    ".dta": "Stata",
    ".sav": "SPSS",
    ".zsav": "SPSS (compressed)",
}
#: Data formats people send that cannot be read, with what to do instead.
UNSUPPORTED_SUFFIXES = {
    ".xls": "old Excel format: save it as .xlsx or CSV",
    ".xlsb": "binary Excel format: save it as .xlsx or CSV",
    ".ods": "OpenDocument spreadsheet: save it as .xlsx or CSV",
}

Progress = Callable[[float], None]

_HEAD_BYTES = 1 << 16
_CSV_SEPARATORS = (";", ",", "\t")
_EXCEL_EPOCH = np.datetime64("1899-12-30")
_SAS_EPOCH = np.datetime64("1960-01-01")
_SPSS_EPOCH = np.datetime64("1582-10-14")


class ReadError(Exception):
    """The file cannot be read at all (not a valid file of its format)."""


@dataclass(frozen=True)
class RawTable:
    """A file's rows as text: ``frame`` has the file's column names (duplicates allowed) and the
    row numbers as index ``row``; ``broken`` holds rows that could not be split into the header's
    columns (index ``row``; ``reason`` and the row's ``text``)."""

    frame: pd.DataFrame
    broken: pd.DataFrame = field(default_factory=lambda: _broken_frame([], [], []))
    notes: tuple[str, ...] = ()

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.broken)


def read_file(path: Path, table: Table, on_progress: Progress | None = None) -> RawTable:
    """Read one register file for ``table`` (the format comes from the suffix)."""
    suffix = path.suffix.lower()
    progress = on_progress or (lambda fraction: None)
    if suffix == ".csv":
        raw = _read_csv(path, progress)
    elif suffix == ".parquet":
        raw = _read_parquet(path, table, progress)
    elif suffix == ".xlsx":
        raw = _read_excel(path, table, progress)
    elif suffix in (".sas7bdat", ".xpt", ".dta", ".sav", ".zsav"):
        raw = _read_statistical(path, table, suffix)
    else:
        raise ReadError(f"{suffix} files are not supported (use one of {', '.join(DATA_SUFFIXES)})")
    progress(1.0)
    return raw


def _text_frame(
    columns: list[pa.ChunkedArray | pa.Array], names: list[str], rows: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            i: pd.Series(
                pa.chunked_array([c]) if isinstance(c, pa.Array) else c,
                dtype=pd.ArrowDtype(pa.string()),
            )
            for i, c in enumerate(columns)
        }
    )
    frame.columns = names
    frame.index = pd.Index(rows, name="row", dtype=np.int64)
    return frame


def _broken_frame(rows: list[int], reasons: list[str], texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"reason": reasons, "text": texts}, index=pd.Index(rows, name="row", dtype=np.int64)
    )


def _column_names(values: list[object]) -> list[str]:
    """Header cells as names; an empty header cell is called by its position."""
    names = []
    for i, value in enumerate(values, start=1):
        name = "" if value is None else str(value).replace("\ufeff", "").strip()
        names.append(name or f"(column {i})")
    return names


def _drop_blank_unnamed(frame: pd.DataFrame, header: list[object]) -> pd.DataFrame:
    """Columns with neither a name nor a value (trailing separators, formatting): nothing to say."""
    keep = [
        i
        for i, name in enumerate(header)
        if (name is not None and str(name).strip())
        or frame.iloc[:, i].fillna("").str.strip().ne("").any()
    ]
    return frame.iloc[:, keep]


# -- CSV ------------------------------------------------------------------------------------------


def _read_csv(path: Path, progress: Progress) -> RawTable:
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head.strip():
        return RawTable(
            _text_frame([], [], np.array([], dtype=np.int64)), notes=("the file is empty",)
        )
    encoding = _encoding(path, head)
    try:
        return _parse_csv(path, head, encoding, progress)
    except (pa.ArrowInvalid, _NumberingMismatch):  # a layout pyarrow's parser gives up on
        return _parse_csv_python(path, encoding)


class _NumberingMismatch(Exception):
    """pyarrow's record numbers do not fit its output: never seen, but rows must not get lost."""


def _encoding(path: Path, head: bytes) -> str:
    """UTF-8 (BOM or not) if the whole file decodes so, else Windows-1252, else Latin-1.

    Checked on the whole file, in blocks, before parsing: pyarrow would otherwise stumble on a bad
    byte in a row of the wrong width, which it hands over only as UTF-8 text.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 24), b""):
                    decoder.decode(block)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _layout(text: str) -> tuple[int, str, int]:
    """Blank lines before the header, the separator used in the header, and lines in ``text``."""
    lines = re.split(r"\r\n|\r|\n", text)  # the line breaks CSV parsers know (not str.splitlines)
    blank_lead = next((i for i, line in enumerate(lines) if line.strip(" \t")), len(lines))
    header_line = lines[blank_lead] if blank_lead < len(lines) else ""
    separator = max(_CSV_SEPARATORS, key=lambda s: (header_line.count(s), s == ","))
    return blank_lead, separator, len(lines)


def _parse_csv(path: Path, head: bytes, encoding: str, progress: Progress) -> RawTable:
    text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    blank_lead, separator, n_lines = _layout(text)
    bytes_per_row = len(head) / max(n_lines, 1)
    size = max(path.stat().st_size, 1)
    invalid: list[tuple[int, int, int, str]] = []

    def keep_invalid(row: pa_csv.InvalidRow) -> str:
        invalid.append(
            (row.number - blank_lead, row.expected_columns, row.actual_columns, row.text)
        )
        return "skip"

    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            use_threads=False,
            autogenerate_column_names=True,
            skip_rows=blank_lead,
            encoding=encoding,
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=separator,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=keep_invalid,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={f"f{i}": pa.string() for i in range(text.count(separator) + 2)},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    batches, done = [], 0
    for batch in reader:
        batches.append(batch)
        done += batch.num_rows
        progress(min(0.95, done * bytes_per_row / size))
    parsed = pa.Table.from_batches(batches, schema=reader.schema)
    parsed = pa.table([pc.cast(c, pa.string()) for c in parsed.columns], names=parsed.column_names)

    # Lines: pyarrow numbers records (valid and invalid alike); a record covers one line plus the
    # line breaks inside its quoted values.
    n_records = parsed.num_rows + len(invalid)
    is_invalid = np.zeros(n_records, dtype=bool)
    breaks = np.zeros(n_records, dtype=np.int64)
    invalid_index = np.array([number - 1 for number, *_ in invalid], dtype=np.int64)
    if len(invalid) and (invalid_index.min() < 1 or invalid_index.max() >= n_records):
        raise _NumberingMismatch
    is_invalid[invalid_index] = True
    breaks[invalid_index] = [_line_breaks(pa.array([text]))[0] for *_, text in invalid]
    breaks[~is_invalid] = sum(
        (_line_breaks(c) for c in parsed.columns), np.zeros(parsed.num_rows, np.int64)
    )
    lines = blank_lead + 1 + np.concatenate([[0], np.cumsum(1 + breaks)[:-1]])

    header = list(parsed.slice(0, 1).to_pylist()[0].values())
    broken = [
        (int(line), _broken_reason(actual, expected, extra), text)
        for (_, expected, actual, text), line, extra in zip(
            invalid, lines[invalid_index], breaks[invalid_index], strict=True
        )
    ]
    notes = [f"CSV separated by {_separator_name(separator)}, encoding {encoding}"]
    return _assemble_csv(
        header, list(parsed.slice(1).columns), lines[~is_invalid][1:], broken, notes
    )


def _parse_csv_python(path: Path, encoding: str) -> RawTable:
    """Python's csv module, for the rare files pyarrow's parser gives up on (slower, same rules)."""
    text = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    blank_lead, separator, _ = _layout(text)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    row_lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    last_line = 0
    for record in reader:
        first_line, last_line = last_line + 1, reader.line_num
        if header is None:
            if first_line > blank_lead:
                header = record
        elif not any(record) or len(record) == len(header):  # a blank line counts as an empty row
            rows.append(record or [""] * len(header))
            row_lines.append(first_line)
        else:
            text_of_record = separator.join(record)
            broken.append(
                (
                    first_line,
                    _broken_reason(len(record), len(header), last_line - first_line),
                    text_of_record,
                )
            )
    header = header or []
    columns = [pa.array([row[i] for row in rows], pa.string()) for i in range(len(header))]
    notes = [
        f"CSV separated by {_separator_name(separator)}, encoding {encoding}, "
        "read by the Python csv module"
    ]
    return _assemble_csv(header, columns, np.array(row_lines, dtype=np.int64), broken, notes)


def _separator_name(separator: str) -> str:
    return "tab" if separator == "\t" else repr(separator)


def _broken_reason(actual: int, expected: int, extra_lines: int) -> str:
    reason = (
        f"the row has {actual} value{'s' * (actual != 1)} but the header has {expected} columns"
    )
    if extra_lines:
        reason += (
            f'; it runs over {extra_lines + 1} lines, probably because a quote (") is never closed'
        )
    return reason


def _line_breaks(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Line breaks inside each value (\\r\\n, \\n and \\r each count as one)."""
    return pc.count_substring_regex(values, r"\r\n|\r|\n").to_numpy(zero_copy_only=False)


def _assemble_csv(
    header: list[str],
    columns: list,
    lines: np.ndarray,
    broken: list[tuple[int, str, str]],
    notes: list[str],
) -> RawTable:
    """The CSV reader's result: rows without any value (blank lines, only separators) skipped."""
    empty = np.ones(len(lines), dtype=bool)
    for column in columns:
        empty &= pc.equal(column, "").to_numpy(zero_copy_only=False)
    kept = pa.array(~empty)
    frame = _text_frame([c.filter(kept) for c in columns], _column_names(header), lines[~empty])
    if empty.any():
        notes.append(f"{int(empty.sum())} empty rows skipped")
    broken_frame = _broken_frame(
        [b[0] for b in broken], [b[1] for b in broken], [b[2] for b in broken]
    )
    return RawTable(_drop_blank_unnamed(frame, header), broken_frame, tuple(notes))


# -- Excel ----------------------------------------------------------------------------------------


def _read_excel(path: Path, table: Table, progress: Progress) -> RawTable:
    import openpyxl

    try:  # openpyxl raises many kinds of error on a damaged workbook; all mean "cannot read"
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
        sheet = sheets.get(table.name, workbook.worksheets[0])
        cells = list(enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1))
        workbook.close()
    except Exception as exc:  # noqa: BLE001
        raise ReadError(
            f"the file is not a readable Excel workbook ({type(exc).__name__}: {exc})"
        ) from exc
    progress(0.5)
    filled = [(number, row) for number, row in cells if any(_cell_present(v) for v in row)]
    notes = [f"sheet {sheet.title!r}"]
    if not filled:
        return RawTable(
            _text_frame([], [], np.array([], dtype=np.int64)), notes=(*notes, "the sheet is empty")
        )
    header_number, header = filled[0]
    body = filled[1:]
    skipped = sum(1 for number, _ in cells if number > header_number) - len(body)
    width = max((len(row) for _, row in filled), default=0)
    header = list(header) + [None] * (width - len(header))
    dates = _date_positions(table, _column_names(header))
    columns = [
        pa.array(
            [_excel_text(row[i] if i < len(row) else None, i in dates) for _, row in body],
            pa.string(),
        )
        for i in range(width)
    ]
    frame = _text_frame(
        columns, _column_names(header), np.array([n for n, _ in body], dtype=np.int64)
    )
    if skipped:
        notes.append(f"{skipped} empty rows skipped")
    return RawTable(_drop_blank_unnamed(frame, header), notes=tuple(notes))


def _cell_present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _date_positions(table: Table, names: list[str]) -> set[int]:
    """Positions of the file's columns that hold a date or month field of ``table``."""
    match = match_columns(table, names)
    return {p for name, p in match.positions.items() if table.field(name).kind in ("date", "month")}


def _excel_text(value: object, date_column: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if date_column and 0 < value < 2_958_466:  # Excel serial days up to 9999-12-31
            return str(_EXCEL_EPOCH + np.timedelta64(int(value), "D"))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


# -- Parquet, SAS, Stata, SPSS --------------------------------------------------------------------


def _read_parquet(path: Path, table: Table, progress: Progress) -> RawTable:
    try:
        source = pq.ParquetFile(path)
        batches = []
        for batch in source.iter_batches(batch_size=1 << 16):
            batches.append(batch)
            progress(0.9 * sum(b.num_rows for b in batches) / max(source.metadata.num_rows, 1))
        data = pa.Table.from_batches(batches, schema=source.schema_arrow)
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(f"the file is not a readable Parquet file ({exc})") from exc
    return _typed_to_raw(data, table, numeric_dates=None, note="Parquet")


def _read_statistical(path: Path, table: Table, suffix: str) -> RawTable:
    import pyreadstat

    reader, epoch, unit, name = {
        ".sas7bdat": (pyreadstat.read_sas7bdat, _SAS_EPOCH, "D", "SAS"),
        ".xpt": (pyreadstat.read_xport, _SAS_EPOCH, "D", "SAS transport"),
        ".dta": (pyreadstat.read_dta, _SAS_EPOCH, "D", "Stata"),
        ".sav": (pyreadstat.read_sav, _SPSS_EPOCH, "s", "SPSS"),
        ".zsav": (pyreadstat.read_sav, _SPSS_EPOCH, "s", "SPSS"),
    }[suffix]
    try:  # pyreadstat raises its own and plain errors on damaged files; all mean "cannot read"
        data, _ = reader(str(path), dates_as_pandas_datetime=True)
        typed = pa.Table.from_pandas(data, preserve_index=False)
    except Exception as exc:  # noqa: BLE001
        raise ReadError(f"the file is not a readable {name} file ({exc})") from exc
    return _typed_to_raw(typed, table, numeric_dates=(epoch, unit), note=name)


def _typed_to_raw(
    data: pa.Table, table: Table, numeric_dates: tuple[np.datetime64, str] | None, note: str
) -> RawTable:
    names = _column_names(data.column_names)
    dates = _date_positions(table, names)
    columns = [
        _arrow_text(data.column(i), numeric_dates if i in dates else None)
        for i in range(data.num_columns)
    ]
    rows = np.arange(1, data.num_rows + 1, dtype=np.int64)
    return RawTable(_text_frame(columns, names, rows), notes=(f"{note} file",))


def _arrow_text(
    column: pa.ChunkedArray, numeric_dates: tuple[np.datetime64, str] | None
) -> pa.Array:
    """A typed column as text for validation: dates as YYYY-MM-DD, whole numbers without .0."""
    column = column.combine_chunks()
    kind = column.type
    if pa.types.is_dictionary(kind):
        return _arrow_text(pa.chunked_array([column.dictionary_decode()]), numeric_dates)
    if pa.types.is_timestamp(kind):
        midnight = pc.equal(pc.cast(pc.cast(column, pa.date32()), kind), column)
        return pc.if_else(
            midnight, pc.strftime(column, "%Y-%m-%d"), pc.strftime(column, "%Y-%m-%d %H:%M:%S")
        )
    if pa.types.is_floating(kind):
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, kind), column)
    if numeric_dates is not None and (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
        return _epoch_dates(column, *numeric_dates)
    try:
        return pc.cast(column, pa.string())
    except pa.ArrowNotImplementedError:
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())


def _epoch_dates(column: pa.Array, epoch: np.datetime64, unit: str) -> pa.Array:
    """Numbers in a date column read as days (or seconds) since the format's epoch."""
    number = pc.fill_null(pc.cast(column, pa.float64()), np.nan).to_numpy(zero_copy_only=False)
    per_day = 1 if unit == "D" else 86_400
    days = np.floor(number / per_day)
    plausible = np.isfinite(days) & (np.abs(days) < 1e6)
    dates = (epoch + np.where(plausible, days, 0).astype("timedelta64[D]")).astype(str)
    as_date = pa.array(dates, pa.string())
    return pc.if_else(pa.array(plausible), as_date, pc.cast(column, pa.string()))
