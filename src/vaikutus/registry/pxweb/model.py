"""The parsed table: one tidy long shape whatever PxWeb format it came in.

Every reader (``json``, ``json-stat2``, CSV, PX) ends in :func:`build_table`, so the four formats
give the same :class:`PxTable` for the same table: one row per cell, dimension codes and labels,
the content (metric) code, the value as a float and the disclosure symbol in ``status``. A symbol
such as ``...`` (TEM: confidential, 1-4 persons) becomes ``NaN`` with the symbol kept, never 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from vaikutus.registry.pxweb.codes import COUNTRY, is_area_code, time_dimension_score, to_period
from vaikutus.registry.pxweb.errors import PxWebFormatError

#: ``status`` of a cell that has neither a number nor a symbol in the source (e.g. JSON ``null``).
MISSING = "missing"
#: Content code of a table that has no content variable (one measure, named by its title).
SINGLE_CONTENT = "value"
#: Largest table the readers build (cells); a guard against a corrupt ``size`` asking for billions.
MAX_CELLS = 20_000_000


@dataclass(frozen=True)
class Dimension:
    """A classifying variable of the table (area, month, occupation...), without the contents."""

    code: str
    label: str
    values: tuple[str, ...]
    value_labels: tuple[str, ...]
    role: str = "other"

    def labels(self) -> dict[str, str]:
        return dict(zip(self.values, self.value_labels))


@dataclass(frozen=True)
class Content:
    """A content (metric) column: its code, text, unit, decimals and the source's note.

    ``unit`` and ``decimals`` are declared in JSON-stat2 and PX; the PxWeb ``json`` format has
    neither, so there the unit is the trailing ``(...)`` of the text (StatFin's convention, e.g.
    ``(lkm.)``, ``(%)``) and the decimals the most seen in the published strings.
    """

    code: str
    label: str
    unit: str | None = None
    decimals: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class PxMeta:
    """What the source says about the table; the dimension roles are resolved by the reader."""

    title: str
    table_id: str | None
    source: str | None
    updated: datetime | None
    language: str | None
    dimensions: tuple[Dimension, ...]
    contents: tuple[Content, ...]
    metric_dim: str | None = None
    metric_label: str | None = None
    notes: tuple[str, ...] = ()
    format: str = ""
    source_file: str | None = None

    @property
    def time_dim(self) -> str:
        return next(d.code for d in self.dimensions if d.role == "time")

    @property
    def geo_dim(self) -> str | None:
        return next((d.code for d in self.dimensions if d.role == "geo"), None)

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise KeyError(f"no dimension {code!r}; the table has {[d.code for d in self.dimensions]}")

    def content(self, code: str) -> Content:
        for item in self.contents:
            if item.code == code:
                return item
        raise KeyError(f"no content {code!r}; the table has {[c.code for c in self.contents]}")


@dataclass(frozen=True, eq=False)
class PxTable:
    """A parsed PxWeb table.

    ``data`` columns: one per dimension code (the value codes), then ``<code>_label`` for each
    dimension (the value texts; the codes where the format carries no texts), ``content`` (the
    content code), ``value`` (float, NaN when not published) and ``status`` (pandas ``string``:
    the symbol, e.g. ``...``, or ``<NA>`` when the value is a number). Rows are in the table's
    order: dimensions in ``meta.dimensions`` order, contents last.
    """

    data: pd.DataFrame
    meta: PxMeta

    def to_frame(self) -> pd.DataFrame:
        return self.data.copy()

    def value(self, content: str, **codes: str) -> float:
        """One cell: ``table.value('TYOTTOMATLOPUSSA', Alue='SSS', timeperiod_m='2026M06')``."""
        rows = self._cell(content, codes)
        return float(rows["value"].iloc[0])

    def status(self, content: str, **codes: str) -> str | None:
        rows = self._cell(content, codes)
        status = rows["status"].iloc[0]
        return None if pd.isna(status) else str(status)

    def _cell(self, content: str, codes: Mapping[str, str]) -> pd.DataFrame:
        mask = self.data["content"] == content
        for dim, code in codes.items():
            mask &= self.data[dim] == code
        rows = self.data[mask]
        if len(rows) != 1:
            raise KeyError(f"{len(rows)} cells match content={content!r} {dict(codes)}")
        return rows

    def summary(self) -> str:
        meta = self.meta
        status = self.data["status"].dropna().value_counts()
        updated = meta.updated.isoformat() if meta.updated else "-"
        lines = [
            meta.title,
            f"table: {meta.table_id or '-'}   format: {meta.format}   "
            f"language: {meta.language or '-'}",
            f"source: {meta.source or '-'}   updated: {updated}",
            f"cells: {len(self.data)}   not published: "
            + (", ".join(f"{sym!r} x{n}" for sym, n in status.items()) or "none"),
            "dimensions:",
        ]
        for dim in meta.dimensions:
            span = dim.values[0] if len(dim.values) == 1 else f"{dim.values[0]} .. {dim.values[-1]}"
            lines.append(f"  {dim.code} ({dim.label}) role={dim.role} n={len(dim.values)}: {span}")
        lines.append(f"contents ({meta.metric_dim or 'content columns'}):")
        for item in meta.contents:
            extra = ", ".join(
                part
                for part in (
                    item.unit and f"unit {item.unit}",
                    item.decimals is not None and f"{item.decimals} dec",
                )
                if part
            )
            lines.append(f"  {item.code}: {item.label}" + (f" [{extra}]" if extra else ""))
        lines.extend(f"note: {note}" for note in meta.notes)
        return "\n".join(lines)


@dataclass
class Cells:
    """The cells a reader collected, before :func:`build_table` orders and types them."""

    codes: dict[str, Sequence[str]]
    content: Sequence[str]
    tokens: Sequence[object]
    status: Sequence[str | None] | None = None
    decimal_comma: bool = False


def parse_cells(
    tokens: Sequence[object], *, decimal_comma: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Values and statuses of raw cells: numbers and numeric strings pass, other text is a symbol.

    Returns ``(value float array, status object array)``; status is the stripped symbol where the
    cell is not a number, :data:`MISSING` where the source gave nothing, ``None`` for a number.
    Python's ``float`` also takes ``"nan"``, ``"inf"`` and ``"1_0"``: those stay symbols here.
    """
    values = np.full(len(tokens), np.nan)
    status = np.full(len(tokens), None, dtype=object)
    for i, token in enumerate(tokens):
        if isinstance(token, str):
            text = token.strip()
            if decimal_comma and "," in text and _DECIMAL_COMMA.fullmatch(text):
                text = text.replace(",", ".")
            try:
                number = float(text) if "_" not in text else math.nan
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                values[i] = number
            elif math.isinf(number) and _NUMBER.fullmatch(text):
                raise PxWebFormatError(f"cell value {token!r} is not a finite number")
            else:
                status[i] = text or MISSING
        elif token is None or (isinstance(token, float) and math.isnan(token)):
            status[i] = MISSING
        elif isinstance(token, (int, float, np.integer, np.floating)) and not isinstance(
            token, bool
        ):
            try:
                number = float(token)
            except OverflowError as exc:
                raise PxWebFormatError(f"cell value {token!r} is too large") from exc
            if not math.isfinite(number):
                raise PxWebFormatError(f"cell value {token!r} is not a finite number")
            values[i] = number
        else:
            raise PxWebFormatError(f"cell {token!r} is neither a number nor a symbol")
    return values, status


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


def resolve_roles(
    dims: Sequence[Dimension],
    *,
    time: str | None = None,
    geo: str | None = None,
    source: str | None = None,
) -> tuple[Dimension, ...]:
    """Mark the time and geo dimensions.

    ``time``/``geo`` are what the source declares (``type 't'``, JSON-stat ``role``, PX
    ``VARIABLE-TYPE``/``TIMEVAL``). Without a declaration the values decide: months or quarters
    (``2026M06``) before years, and for geo a dimension holding StatFin area codes (``KU091``...),
    else the only dimension holding ``SSS`` (which other variables also use as "total").
    """
    codes = [d.code for d in dims]
    for declared in (time, geo):
        if declared is not None and declared not in codes:
            raise PxWebFormatError(
                f"declared role dimension {declared!r} is not among {codes}", source
            )
    if time is None:
        scores = {d.code: time_dimension_score(d.values) for d in dims}
        best = max(scores.values(), default=0)
        candidates = [code for code, score in scores.items() if score == best and score > 0]
        if len(candidates) != 1:
            reason = (
                "no dimension holds time codes"
                if not candidates
                else f"ambiguous between {candidates}"
            )
            raise PxWebFormatError(
                f"no time dimension ({reason}; expected e.g. 2026M06, 2026Q2, 2026)", source
            )
        time = candidates[0]
    if geo is None:
        rest = [d for d in dims if d.code != time]
        coded = [d for d in rest if any(v != COUNTRY and is_area_code(v) for v in d.values)]
        country_only = [d for d in rest if COUNTRY in d.values]
        if coded:
            geo = coded[0].code
        elif len(country_only) == 1:
            geo = country_only[0].code
    return tuple(
        replace(d, role="time" if d.code == time else "geo" if d.code == geo else "other")
        for d in dims
    )


def build_table(meta: PxMeta, cells: Cells) -> PxTable:
    """Order, type and check the cells into a table (see :class:`PxTable` for the columns)."""
    source = meta.source_file
    n = len(cells.tokens)
    if len(cells.content) != n or any(len(v) != n for v in cells.codes.values()):
        raise PxWebFormatError("cell columns differ in length", source)
    if n > MAX_CELLS:
        raise PxWebFormatError(f"{n} cells is more than the {MAX_CELLS} this reader builds", source)
    _check_unique(meta, source)
    positions = []
    columns: dict[str, object] = {}
    for dim in meta.dimensions:
        codes = np.asarray(cells.codes[dim.code], dtype=object)
        positions.append(_positions(codes, dim.values, f"dimension {dim.code!r}", source))
        columns[dim.code] = codes
    content = np.asarray(cells.content, dtype=object)
    positions.append(_positions(content, tuple(c.code for c in meta.contents), "contents", source))
    order = np.lexsort(tuple(reversed(positions))) if positions else np.arange(n)
    keys = np.stack(positions, axis=1)[order] if n else np.empty((0, len(positions)), dtype=int)
    if n and (np.diff(keys, axis=0) == 0).all(axis=1).any():
        raise PxWebFormatError("the same cell appears more than once", source)
    values, status = parse_cells(cells.tokens, decimal_comma=cells.decimal_comma)
    if cells.status is not None:
        declared = np.asarray(cells.status, dtype=object)
        if len(declared) != n:
            raise PxWebFormatError("status list differs in length from the values", source)
        status = np.where(pd.isna(declared), status, declared)
    frame = {dim.code: columns[dim.code][order] for dim in meta.dimensions}
    for dim in meta.dimensions:
        labels = dim.labels()
        frame[f"{dim.code}_label"] = np.array([labels[c] for c in frame[dim.code]], dtype=object)
    frame["content"] = content[order]
    frame["value"] = values[order]
    frame["status"] = status[order]
    data = pd.DataFrame(frame)
    data["value"] = data["value"].astype(float)
    data["status"] = pd.array(frame["status"], dtype=pd.StringDtype())
    return PxTable(data=data, meta=meta)


def _positions(
    codes: np.ndarray, values: tuple[str, ...], what: str, source: str | None
) -> np.ndarray:
    pos = pd.Index(list(values), dtype=object).get_indexer(codes).astype(np.int64)
    if (pos < 0).any():
        bad = codes[pos < 0][0]
        raise PxWebFormatError(f"cell code {bad!r} is not among the values of {what}", source)
    return pos


def _check_unique(meta: PxMeta, source: str | None) -> None:
    lists = [(f"dimension {d.code!r}", d.values) for d in meta.dimensions]
    lists.append(("dimension codes", tuple(d.code for d in meta.dimensions)))
    lists.append(("contents", tuple(c.code for c in meta.contents)))
    for what, values in lists:
        if len(set(values)) != len(values):
            dup = next(v for v in values if values.count(v) > 1)
            raise PxWebFormatError(f"{what} lists {dup!r} twice", source)
    reserved = {"content", "value", "status"} | {f"{d.code}_label" for d in meta.dimensions}
    clash = reserved & {d.code for d in meta.dimensions}
    if clash:
        raise PxWebFormatError(
            f"dimension code {sorted(clash)[0]!r} clashes with an output column", source
        )
    if not meta.contents:
        raise PxWebFormatError("the table has no content columns", source)


_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y%m%d %H:%M", "%Y%m%d", "%Y-%m-%d")


def parse_timestamp(text: object, source: str | None = None) -> datetime | None:
    """PxWeb's ``updated`` stamps: ``2026-07-21T05.00.00Z`` (dots!), ISO, PX ``20260721 08:00``.

    Stamps without a zone are taken as UTC, as Statistics Finland's API writes them.
    """
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise PxWebFormatError(f"updated timestamp {text!r} is not a string", source)
    stamp = text.strip()
    zone = UTC
    if stamp.endswith("Z"):
        stamp = stamp[:-1]
    iso = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})T(\d{2})[.:](\d{2})(?:[.:](\d{2}))?(\.\d+)?([+-]\d{2}:?\d{2})?", stamp
    )
    if iso:
        day, hh, mm, ss, _frac, offset = iso.groups()
        stamp = f"{day}T{hh}:{mm}:{ss or '00'}"
        if offset:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    for fmt in _TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(stamp, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    raise PxWebFormatError(f"updated timestamp {text!r} is not understood", source)


def unit_from_label(label: str) -> str | None:
    """StatFin's texts end in the unit: ``Työttömät työnhakijat ... (lkm.)`` -> ``lkm.``."""
    match = re.search(r"\(([^()]*)\)\s*$", label)
    return match.group(1).strip() if match else None


def inferred_decimals(tokens: Sequence[object]) -> int | None:
    """Most decimals among the numeric strings published for one content column."""
    found = None
    for token in tokens:
        if isinstance(token, str) and _NUMBER.fullmatch(token.strip()):
            decimals = token.strip().partition(".")[2]
            if "e" not in decimals.lower():
                found = max(found or 0, len(decimals))
    return found


def concat_tables(tables: Sequence[PxTable]) -> PxTable:
    """Join tables of the same PxWeb table fetched in chunks (by month or area) into one.

    The dimensions and contents must be the same variables; their values are united in order of
    appearance (time in time order). The same cell may appear in two chunks only with the same
    value and status.
    """
    if not tables:
        raise ValueError("no tables to join")
    first = tables[0].meta
    dim_codes = [d.code for d in first.dimensions]
    for table in tables[1:]:
        codes = [d.code for d in table.meta.dimensions]
        if codes != dim_codes:
            raise PxWebFormatError(
                f"chunk dimensions {codes} differ from {dim_codes}", table.meta.source_file
            )
    dims = []
    for i in range(len(dim_codes)):
        labels: dict[str, str] = {}
        for table in tables:
            labels.update(
                {k: v for k, v in table.meta.dimensions[i].labels().items() if k not in labels}
            )
        values = list(labels)
        if first.dimensions[i].role == "time":
            values.sort(key=to_period)
        dims.append(
            replace(
                first.dimensions[i],
                values=tuple(values),
                value_labels=tuple(labels[v] for v in values),
            )
        )
    contents: dict[str, Content] = {}
    for table in tables:
        contents.update({c.code: c for c in table.meta.contents if c.code not in contents})
    stamps = [t.meta.updated for t in tables if t.meta.updated is not None]
    meta = replace(
        first,
        dimensions=tuple(dims),
        contents=tuple(contents.values()),
        updated=max(stamps) if stamps else None,
        notes=tuple(dict.fromkeys(n for t in tables for n in t.meta.notes)),
        source_file=", ".join(dict.fromkeys(t.meta.source_file or "?" for t in tables)),
    )
    data = pd.concat([t.data for t in tables], ignore_index=True)
    key = [*dim_codes, "content"]
    data = data.drop_duplicates(subset=[*key, "value", "status"])
    if data.duplicated(subset=key).any():
        dup = data[data.duplicated(subset=key, keep=False)].iloc[0]
        raise PxWebFormatError(f"chunks disagree on cell {dict(dup[key])}", meta.source_file)
    cells = Cells(
        codes={code: data[code].tolist() for code in dim_codes},
        content=data["content"].tolist(),
        tokens=data["value"].tolist(),
        status=data["status"].tolist(),
    )
    return build_table(meta, cells)
