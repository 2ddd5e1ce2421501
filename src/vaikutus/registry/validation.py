"""Validation of one register table against its schema (``registry/schemas.py``).

Input is the file's content as text (see ``readers``): the reader never decides what a value means,
validation does. Every check is vectorised (pyarrow compute, numpy, pandas) because real register
files have tens of millions of rows; only the building of messages touches the bad rows one by one.

Checks, in order, and what they report (``column`` names the file's own column):

* columns: a required column missing, or two columns naming the same field, rejects the whole file
  (one problem with an empty ``row``: it applies to every row); a missing optional column is left
  empty; extra columns are ignored (``match_columns`` lists them so the caller can say so).
* cells: type, required value, minimum / maximum and code list. Finnish formats are accepted:
  dates ``YYYY-MM-DD`` and ``D.M.YYYY``; months ``YYYY-MM``, ``M/YYYY``, ``YYYYMmm`` or a date
  (stored as the first day of that month); decimal comma and space-grouped thousands; booleans
  1/0, true/false, kyllä/ei, yes/no. Codes match case-insensitively and also by their Finnish or
  English name; municipality codes are accepted as ``91``, ``091`` or ``KU091`` and stored as
  ``091``. A person column is pseudonymised here (``pseudonymise``): a value that looks like a
  henkilötunnus must be a valid one, and it is replaced by its keyed hash.
* rows: the interval end is not before its start (an empty end means ongoing), and the person
  exists in ``persons`` when a set of known persons is given.
* across rows (among rows without other problems): no duplicate key (the later row is reported),
  and in ``no_overlap`` tables no two intervals of a person share a day (end dates are inclusive;
  every row that overlaps an earlier-starting row of the same person is reported with that row).

One cell gets at most one problem (its first failing check); a row can have several.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from vaikutus import reference
from vaikutus.registry import pseudonymise as ps
from vaikutus.registry.schemas import EMPLOYMENT_AREA, MUNICIPALITY, TABLES, Field, Table

PROBLEM_COLUMNS = ("file", "row", "column", "reason")
#: Dates outside these years are typing errors in any register (0021 for 2021, 9999 placeholders).
DATE_YEARS = (1900, 2100)
SHOWN_CHARACTERS = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Thousands separators in Finnish number formatting: space, no-break space, narrow no-break space.
_SPACES = " \u00a0\u202f"
_GROUPED = rf"(?:\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d+)"
_INT = rf"^[+-]?{_GROUPED}(?:[.,]0*)?$"
_FLOAT = rf"^[+-]?(?:{_GROUPED}(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$"
_ISO_DATE = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$"
_FINNISH_DATE = r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"
_DATE_PATTERNS = (_ISO_DATE, _FINNISH_DATE)
_MONTH_PATTERNS = (
    *_DATE_PATTERNS,
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})$",
    r"^(?P<m>\d{1,2})/(?P<y>\d{4})$",
    r"^(?P<y>\d{4})M(?P<m>\d{1,2})$",
)
_TRUE = ("1", "1.0", "true", "yes", "kyllä", "kylla", "k", "ja")
_FALSE = ("0", "0.0", "false", "no", "ei", "e", "nej")

_TYPE_PROBLEMS = {
    "int": "is not a whole number",
    "float": "is not a number",
    "date": "is not a valid date (use YYYY-MM-DD or D.M.YYYY, years {}-{})".format(*DATE_YEARS),
    "month": "is not a valid month (use YYYY-MM or M/YYYY, years {}-{})".format(*DATE_YEARS),
    "bool": "is not a yes/no value (use 1/0, true/false or kyllä/ei)",
}


@dataclass(frozen=True)
class ColumnMatch:
    """How a file's columns map onto a table's fields."""

    positions: dict[str, int]
    sources: dict[str, str]
    missing: tuple[str, ...]
    absent_optional: tuple[str, ...]
    extra: tuple[str, ...]
    ambiguous: dict[str, tuple[str, ...]]

    @property
    def usable(self) -> bool:
        return not self.missing and not self.ambiguous


def normalise_name(name: object) -> str:
    """Column names compared case-insensitively, ``Person ID`` equal to ``person_id``."""
    return re.sub(r"[\s\-]+", "_", str(name).replace("\ufeff", "").strip().lower())


def match_columns(table: Table, names: Sequence[object]) -> ColumnMatch:
    """Match a file's column names (in order, duplicates allowed) to ``table``'s fields."""
    aliases = {normalise_name(k): v for k, v in table.aliases.items()}
    found: dict[str, list[int]] = {}
    extra = []
    for position, name in enumerate(names):
        key = normalise_name(name)
        field_name = key if key in table.columns else aliases.get(key)
        if field_name is None:
            extra.append(str(name))
        else:
            found.setdefault(field_name, []).append(position)
    ambiguous = {f: tuple(str(names[p]) for p in ps_) for f, ps_ in found.items() if len(ps_) > 1}
    absent = [f for f in table.fields if f.name not in found]
    return ColumnMatch(
        positions={f: ps_[0] for f, ps_ in found.items()},
        sources={f: str(names[ps_[0]]) for f, ps_ in found.items()},
        missing=tuple(f.name for f in absent if not f.nullable),
        absent_optional=tuple(f.name for f in absent if f.nullable),
        extra=tuple(extra),
        ambiguous=ambiguous,
    )


def validate_table(
    table_name: str,
    frame: pd.DataFrame,
    file_name: str,
    *,
    key: bytes | None = None,
    known_persons: Iterable[str] | pa.Array | None = None,
) -> tuple[pa.Table, pd.DataFrame]:
    """Check ``frame`` (one file's rows, as text) against table ``table_name``.

    Row numbers are taken from the index when it is named ``row`` (the readers set it to the
    file's own row numbers), otherwise rows are numbered from 1. ``key`` pseudonymises a
    henkilötunnus column (without a key a henkilötunnus is refused, never kept); ``known_persons``
    (pseudonyms) turns on the check that every person exists in ``persons``.

    Returns the accepted rows as a pyarrow table with the schema's columns and types, and the
    problems as a DataFrame (file, row, column, reason), one line per problem; ``row`` is empty for
    a problem with the whole file (then no row is accepted).
    """
    table = TABLES[table_name]
    rows = (
        frame.index.to_numpy(dtype=np.int64)
        if frame.index.name == "row"
        else np.arange(1, len(frame) + 1)
    )
    match = match_columns(table, list(frame.columns))
    if not match.usable:
        return table.arrow_schema().empty_table(), _file_problems(match, frame, file_name)

    problems = _Problems(file_name, rows)
    typed: dict[str, pa.Array] = {}
    for field in table.fields:
        if field.name in match.absent_optional:
            typed[field.name] = pa.nulls(len(frame), field.arrow_type)
            continue
        source = match.sources[field.name]
        raw = text_values(frame.iloc[:, match.positions[field.name]])
        from_hetu_column = normalise_name(source) in {normalise_name(a) for a in table.aliases}
        typed[field.name] = _check_cell_column(field, raw, source, problems, key, from_hetu_column)

    _check_interval(table, typed, match, problems)
    _check_references(table, typed, match, problems, known_persons)
    candidate = ~problems.rows_with_problems()
    candidate &= ~_check_duplicates(table, typed, match, problems, candidate)
    candidate &= ~_check_overlaps(table, typed, match, problems, candidate)

    accepted = pa.table(typed, schema=table.arrow_schema()).filter(pa.array(candidate))
    return accepted, problems.frame()


# -- problems -------------------------------------------------------------------------------------


class _Problems:
    """Collects problems as (position, column, reason) arrays; turns them into one DataFrame."""

    def __init__(self, file_name: str, rows: np.ndarray) -> None:
        self.file_name = file_name
        self.rows = rows
        self.parts: list[pd.DataFrame] = []
        self.flagged = np.zeros(len(rows), dtype=bool)

    def add(self, mask: np.ndarray, column: str, reasons: np.ndarray | str) -> None:
        """Record ``reasons`` (one per True in ``mask``, or one text for all) for ``column``."""
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        self.flagged |= mask
        self.parts.append(
            pd.DataFrame({"position": positions, "column": column, "reason": reasons})
        )

    def rows_with_problems(self) -> np.ndarray:
        return self.flagged.copy()

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return empty_problems()
        out = pd.concat(self.parts, ignore_index=True).sort_values("position", kind="stable")
        return pd.DataFrame(
            {
                "file": self.file_name,
                "row": pd.array(self.rows[out["position"].to_numpy()], dtype="Int64"),
                "column": out["column"].to_numpy(dtype=object),
                "reason": out["reason"].to_numpy(dtype=object),
            }
        )


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="Int64" if c == "row" else object) for c in PROBLEM_COLUMNS}
    )


def _file_problems(match: ColumnMatch, frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    has = ", ".join(str(c) for c in frame.columns)
    if not has:
        lines = [(None, "the file has no header row (it is empty)")]
    else:
        lines = [
            (f, f"required column {f} is missing (the file has: {has})") for f in match.missing
        ]
    lines += [
        (f, f"columns {' and '.join(sources)} all mean {f}; keep only one")
        for f, sources in match.ambiguous.items()
    ]
    return pd.DataFrame(
        {
            "file": file_name,
            "row": pd.array([pd.NA] * len(lines), dtype="Int64"),
            "column": [c for c, _ in lines],
            "reason": [r for _, r in lines],
        }
    )


def shown(raw: pa.Array, mask: np.ndarray) -> np.ndarray:
    """The masked raw values quoted for a message: one line, shortened, identity codes redacted."""
    values = ps.redact(raw.filter(pa.array(mask))).to_pylist()
    one_line = [_CONTROL.sub(lambda m: repr(m.group())[1:-1], v) for v in values]
    return np.array(
        [f"'{v[:SHOWN_CHARACTERS]}…'" if len(v) > SHOWN_CHARACTERS else f"'{v}'" for v in one_line],
        dtype=object,
    )


# -- cells ----------------------------------------------------------------------------------------


def text_values(column: pd.Series) -> pa.Array:
    """A column as trimmed text with empty values as nulls, whatever the frame's dtype."""
    array = pa.array(column.astype("string[pyarrow]"), type=pa.string(), from_pandas=True)
    trimmed = ps.as_array(pc.utf8_trim_whitespace(array))
    return pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), pa.scalar(None, pa.string()), trimmed)


def _check_cell_column(
    field: Field,
    raw: pa.Array,
    source: str,
    problems: _Problems,
    key: bytes | None,
    from_hetu_column: bool,
) -> pa.Array:
    """The typed column (null where invalid); records every cell's first problem."""
    missing = raw.is_null().to_numpy(zero_copy_only=False)
    if not field.nullable:
        problems.add(missing, source, "value is missing (the column is required)")
    if field.person_key:
        return _check_person(raw, source, problems, key, from_hetu_column)
    values, bad = _per_distinct(raw, _PARSERS[field.kind], False)
    if bad.any():
        problems.add(
            bad, source, shown(raw, bad) + f" {_TYPE_PROBLEMS.get(field.kind, 'is not valid')}"
        )
    values, bad_value = _check_value(field, raw, values, source, problems, ~missing & ~bad)
    return pc.if_else(pa.array(bad | bad_value), pa.scalar(None, field.arrow_type), values)


def _check_value(
    field: Field,
    raw: pa.Array,
    values: pa.Array,
    source: str,
    problems: _Problems,
    present: np.ndarray,
) -> tuple[pa.Array, np.ndarray]:
    """Range and code-list checks on parsed values; returns the (recoded) values and a bad mask."""
    bad = np.zeros(len(raw), dtype=bool)
    if field.minimum is not None or field.maximum is not None:
        number = pc.fill_null(pc.cast(values, pa.float64()), 0.0).to_numpy(zero_copy_only=False)
        for limit, too_far, word in (
            (field.minimum, lambda x, lim: x < lim, "below the minimum"),
            (field.maximum, lambda x, lim: x > lim, "above the maximum"),
        ):
            if limit is None:
                continue
            out = present & ~bad & too_far(number, limit)
            problems.add(out, source, shown(raw, out) + f" is {word} {limit:g}")
            bad |= out
    if field.codes is None:
        return values, bad
    recoded, unknown = (
        _CODE_CHECKS[field.codes](values)
        if isinstance(field.codes, str)
        else _check_codes(field, values)
    )
    unknown &= present & ~bad
    if unknown.any():
        problems.add(unknown, source, shown(raw, unknown) + " " + _unknown_code_text(field))
    return recoded, bad | unknown


def _unknown_code_text(field: Field) -> str:
    if field.codes == MUNICIPALITY:
        return "is not a municipality code of the 2021 or 2025 division"
    if field.codes == EMPLOYMENT_AREA:
        return "is not an employment area code (1-46)"
    allowed = ", ".join(field.codes)
    return f"is not a known {field.name} code (allowed: {allowed})"


def _check_codes(field: Field, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Codes matched case-insensitively, also by their Finnish or English name; stored canonical."""
    lookup: dict[str, str] = {}
    for code, names in field.codes.items():
        for spelling in (*names, code):  # the code itself wins over a name spelled the same
            lookup[spelling.lower()] = code
    index = pc.index_in(pc.utf8_lower(values), value_set=pa.array(list(lookup)))
    recoded = pc.take(pa.array(list(lookup.values())), index)
    return recoded, (
        index.is_null().to_numpy(zero_copy_only=False)
        & values.is_valid().to_numpy(zero_copy_only=False)
    )


def _check_municipality(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    code = pc.replace_substring_regex(pc.utf8_upper(values), r"^KU|\.0+$", "")
    padded = pc.if_else(
        pc.match_substring_regex(code, r"^\d{1,3}$"), pc.utf8_lpad(code, width=3, padding="0"), code
    )
    known = pc.is_in(padded, value_set=_municipality_codes())
    return padded, ~pc.fill_null(known, True).to_numpy(zero_copy_only=False)


def _check_employment_area(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    known = pc.is_in(values, value_set=_employment_area_codes())
    return values, ~pc.fill_null(known, True).to_numpy(zero_copy_only=False)


_CODE_CHECKS = {MUNICIPALITY: _check_municipality, EMPLOYMENT_AREA: _check_employment_area}


@lru_cache(maxsize=1)
def _municipality_codes() -> pa.Array:
    codes = set(reference.municipalities(2021)["code"]) | set(
        reference.municipalities(2025)["code"]
    )
    return pa.array(sorted(codes))


@lru_cache(maxsize=1)
def _employment_area_codes() -> pa.Array:
    return pa.array(reference.employment_areas()["code"].astype("int64").tolist(), pa.int64())


def _check_person(
    raw: pa.Array, source: str, problems: _Problems, key: bytes | None, from_hetu_column: bool
) -> pa.Array:
    """Person ids: identity codes are validated and pseudonymised; other ids are kept as given."""
    persons, reasons = _per_distinct(
        raw, lambda values: _person_values(values, key, from_hetu_column), None
    )
    invalid = reasons != None  # noqa: E711 (elementwise on an object array)
    problems.add(invalid, source, reasons[invalid])
    return persons


def _person_values(
    values: pa.Array, key: bytes | None, from_hetu_column: bool
) -> tuple[pa.Array, np.ndarray]:
    """(pseudonym, other id as given, or null; why not) for each value of a person column."""
    normalised = ps.normalise(values)
    is_hetu = values.is_valid().to_numpy(zero_copy_only=False) & (
        ps.looks_like_hetu(normalised) | from_hetu_column
    )
    reasons = ps.hetu_problems(normalised)
    reasons[~is_hetu] = None
    invalid = reasons != None  # noqa: E711
    reasons[invalid] = "henkilötunnus " + reasons[invalid]
    valid_hetu = is_hetu & ~invalid
    null = pa.scalar(None, pa.string())
    if key is None:
        reasons[valid_hetu] = "a henkilötunnus cannot be stored: no pseudonymisation key was given"
        return pc.if_else(pa.array(is_hetu), null, values), reasons
    hetus = pc.if_else(pa.array(valid_hetu), normalised, null)
    pseudonyms = ps.pseudonymise(hetus, key) if valid_hetu.any() else hetus
    return pc.if_else(pa.array(is_hetu), pseudonyms, values), reasons


def person_display(raw: pa.Array, key: bytes | None, from_hetu_column: bool) -> pa.Array:
    """What may be shown of a person column (in quarantine): pseudonyms, other ids, or redacted."""
    persons, _ = _person_values(raw, key, from_hetu_column)
    return pc.if_else(pc.and_(raw.is_valid(), persons.is_null()), pa.scalar(ps.REDACTED), persons)


def _per_distinct(raw: pa.Array, compute, null_result) -> tuple[pa.Array, np.ndarray]:
    """``compute(values) -> (array, numpy array)`` run on the distinct values and spread back.

    Register columns repeat a few values (persons, dates, codes) millions of times and the regular
    expressions cost per value, so this is often many times faster; mostly-distinct columns are
    computed directly. ``null_result`` is the numpy result for a null value.
    """
    encoded = pc.dictionary_encode(raw)
    if not 0 < len(encoded.dictionary) <= len(raw) // 2:
        return compute(raw)
    values, results = compute(encoded.dictionary)
    present = raw.is_valid().to_numpy(zero_copy_only=False)
    spread = results[pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)]
    spread[~present] = null_result
    return pc.take(values, encoded.indices), spread


# -- parsers: text -> (typed values with nulls, bad mask) -----------------------------------------


def _parse_string(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    return text, np.zeros(len(text), dtype=bool)


def _numeric_text(text: pa.Array, pattern: str) -> tuple[pa.Array, np.ndarray]:
    """Text matching a number pattern, cleaned to the dot-decimal form pyarrow parses."""
    text = pc.replace_substring(text, "\u2212", "-")
    ok = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    cleaned = pc.replace_substring(
        pc.replace_substring_regex(text, rf"[{_SPACES}]|^\+", ""), ",", "."
    )
    cleaned = pc.if_else(ok, cleaned, pa.scalar(None, pa.string()))
    present = text.is_valid().to_numpy(zero_copy_only=False)
    return cleaned, present & ~ok.to_numpy(zero_copy_only=False)


def _parse_int(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    cleaned, bad = _numeric_text(text, _INT)
    digits = pc.replace_substring_regex(cleaned, r"\.0*$", "")
    too_long = pc.fill_null(pc.greater(pc.utf8_length(digits), 18), False).to_numpy(
        zero_copy_only=False
    )
    digits = pc.if_else(pa.array(too_long), pa.scalar(None, pa.string()), digits)
    return pc.cast(digits, pa.int64()), bad | too_long


def _parse_float(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    cleaned, bad = _numeric_text(text, _FLOAT)
    values = pc.cast(cleaned, pa.float64())
    infinite = pc.fill_null(pc.is_inf(values), False).to_numpy(zero_copy_only=False)
    return pc.if_else(pa.array(infinite), pa.scalar(None, pa.float64()), values), bad | infinite


def _parse_bool(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    lowered = pc.utf8_lower(text)
    is_true = pc.is_in(lowered, value_set=pa.array(_TRUE))
    known = pc.or_(is_true, pc.is_in(lowered, value_set=pa.array(_FALSE)))
    values = pc.if_else(known, is_true, pa.scalar(None, pa.bool_()))
    present = text.is_valid().to_numpy(zero_copy_only=False)
    return values, present & ~pc.fill_null(known, False).to_numpy(zero_copy_only=False)


def _parse_calendar(
    text: pa.Array, patterns: Sequence[str], first_of_month: bool
) -> tuple[pa.Array, np.ndarray]:
    """Dates from any of ``patterns`` (named groups y, m and optionally d), checked to exist."""
    n = len(text)
    parts = {name: np.ones(n, dtype=np.int64) for name in ("y", "m", "d")}
    found = np.zeros(n, dtype=bool)
    for pattern in patterns:
        extracted = pc.extract_regex(text, pattern)
        hit = extracted.is_valid().to_numpy(zero_copy_only=False) & ~found
        if not hit.any():
            continue
        for name in re.findall(r"\?P<(\w)>", pattern):
            field = pc.if_else(extracted.is_valid(), extracted.field(name), "1")
            parts[name][hit] = pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False)[hit]
        found |= hit
    y, m, d = parts["y"], parts["m"], parts["d"]
    ok = found & (y >= DATE_YEARS[0]) & (y <= DATE_YEARS[1])
    y = np.where(ok, y, 1970)
    ok &= _real_date(y, m, d)
    month = (
        ((y - 1970) * 12 + np.where(ok, m - 1, 0)).astype("datetime64[M]").astype("datetime64[D]")
    )
    days = month if first_of_month else month + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    present = text.is_valid().to_numpy(zero_copy_only=False)
    return pa.array(days, type=pa.date32(), mask=~ok), present & ~ok


def _real_date(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    months_ok = (m >= 1) & (m <= 12)
    first = ((y - 1970) * 12 + np.where(months_ok, m - 1, 0)).astype("datetime64[M]")
    days_in_month = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(
        np.int64
    )
    return months_ok & (d >= 1) & (d <= days_in_month)


_PARSERS = {
    "string": _parse_string,
    "int": _parse_int,
    "float": _parse_float,
    "bool": _parse_bool,
    "date": lambda text: _parse_calendar(text, _DATE_PATTERNS, first_of_month=False),
    "month": lambda text: _parse_calendar(text, _MONTH_PATTERNS, first_of_month=True),
}


# -- rows and across rows -------------------------------------------------------------------------


def _codes(array: pa.Array) -> np.ndarray:
    """Integers equal exactly where the values are equal: grouping and sorting on them is fast."""
    if pa.types.is_string(array.type):
        return pc.fill_null(pc.dictionary_encode(array).indices, -1).to_numpy(zero_copy_only=False)
    if pa.types.is_date32(array.type):
        array = array.view(pa.int32())
    return pc.fill_null(pc.cast(array, pa.int64()), -1).to_numpy(zero_copy_only=False)


def _pandas(array: pa.Array) -> pd.Series:
    """A typed column for pandas' group and sort machinery (dates as datetime64, not objects)."""
    return pd.Series(array.to_pandas(date_as_object=False))


def _date_text(values: pd.Series) -> np.ndarray:
    return values.dt.strftime("%Y-%m-%d").fillna("ongoing").to_numpy(dtype=object)


def _check_interval(
    table: Table, typed: dict[str, pa.Array], match: ColumnMatch, problems: _Problems
) -> None:
    if table.interval is None:
        return
    start_name, end_name = table.interval
    start, end = _pandas(typed[start_name]), _pandas(typed[end_name])
    backwards = (end < start).to_numpy()
    if backwards.any():
        problems.add(
            backwards,
            match.sources.get(end_name, end_name),
            f"{end_name} date "
            + _date_text(end[backwards])
            + f" is before {start_name} date "
            + _date_text(start[backwards]),
        )


def _check_references(
    table: Table,
    typed: dict[str, pa.Array],
    match: ColumnMatch,
    problems: _Problems,
    known_persons: Iterable[str] | pa.Array | None,
) -> None:
    if known_persons is None or not table.references_persons or "person_id" not in typed:
        return
    known = (
        known_persons
        if isinstance(known_persons, (pa.Array, pa.ChunkedArray))
        else pa.array(list(known_persons), pa.string())
    )
    person = typed["person_id"]
    unknown = person.is_valid().to_numpy(zero_copy_only=False) & ~pc.fill_null(
        pc.is_in(person, value_set=known), True
    ).to_numpy(zero_copy_only=False)
    problems.add(unknown, match.sources["person_id"], "this person is not in the persons table")


def _check_duplicates(
    table: Table,
    typed: dict[str, pa.Array],
    match: ColumnMatch,
    problems: _Problems,
    candidate: np.ndarray,
) -> np.ndarray:
    """Rows repeating the key of an earlier candidate row (the first is kept)."""
    if not table.key:
        return np.zeros(len(candidate), dtype=bool)
    keys = pd.DataFrame({k: _codes(typed[k]) for k in table.key})[candidate]
    repeated = keys.duplicated(keep="first")
    duplicate = np.zeros(len(candidate), dtype=bool)
    if repeated.any():
        first_row = (
            pd.Series(problems.rows[candidate])
            .groupby([keys[k].to_numpy() for k in table.key])
            .transform("first")
        )
        duplicate[np.flatnonzero(candidate)[repeated.to_numpy()]] = True
        column = match.sources.get(table.key[-1], table.key[-1])
        same = " and ".join(table.key)
        problems.add(
            duplicate,
            column,
            f"same {same} as row "
            + first_row[repeated.to_numpy()].astype(str).to_numpy(dtype=object),
        )
    return duplicate


def _check_overlaps(
    table: Table,
    typed: dict[str, pa.Array],
    match: ColumnMatch,
    problems: _Problems,
    candidate: np.ndarray,
) -> np.ndarray:
    """Candidate rows whose interval shares a day with an earlier-starting one of the person."""
    overlapping = np.zeros(len(candidate), dtype=bool)
    if not table.no_overlap or table.interval is None:
        return overlapping
    start_name, end_name = table.interval
    spells = pd.DataFrame(
        {
            "person": _codes(typed["person_id"]),
            "start": _pandas(typed[start_name]),
            "end": _pandas(typed[end_name]),
            "position": np.arange(len(candidate)),
        }
    )[candidate].sort_values(["person", "start", "position"])
    if spells.empty:
        return overlapping
    open_end = spells["end"].fillna(np.datetime64("9999-12-31", "ms"))
    by_person = spells["person"].to_numpy()
    reach = open_end.groupby(by_person).cummax()
    reach_position = spells["position"].where(open_end.eq(reach)).groupby(by_person).ffill()
    previous_reach = reach.groupby(by_person).shift(1)
    previous_position = reach_position.groupby(by_person).shift(1)
    hits = (spells["start"] <= previous_reach).to_numpy()
    if not hits.any():
        return overlapping
    later = spells["position"].to_numpy()[hits]
    earlier = previous_position.to_numpy()[hits].astype(np.int64)
    overlapping[later] = True
    order = np.argsort(later)  # problems.add lists reasons in position order
    later, earlier = later[order], earlier[order]
    start, end = _pandas(typed[start_name]), _pandas(typed[end_name])
    reasons = (
        _date_text(start.iloc[later])
        + " – "
        + _date_text(end.iloc[later])
        + " overlaps row "
        + problems.rows[earlier].astype(str).astype(object)
        + " ("
        + _date_text(start.iloc[earlier])
        + " – "
        + _date_text(end.iloc[earlier])
        + ") of the same person"
    )
    problems.add(overlapping, match.sources.get(start_name, start_name), reasons)
    return overlapping
