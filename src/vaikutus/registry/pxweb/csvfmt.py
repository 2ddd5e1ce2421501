"""PxWeb CSV (``"format": "csv"``, StatFin's comma and semicolon downloads): reader and writer.

PxWeb writes a wide table: an optional quoted title line, a header of quoted texts, then one row per
combination of the *stub* variables (quoted value texts, or codes in ``csv3``) followed by one cell
per combination of the *heading* variables (content and/or time; the header joins their texts with
a space in either order, e.g. ``"Työttömät työnhakijat (lkm.) 2026M06"``). Numbers are bare,
symbols quoted (``"..."``); the semicolon variant writes decimal commas.

The header holds texts, not codes, so codes come from the table's GET metadata when given (the
fetcher saves it next to every response). Without it the texts are used as codes, the time code is
found in the header or a stub column by its form (``2026M06``), and a time taken from the header
gets the dimension code ``time``. Fields are split here rather than with :mod:`csv` because
whether a field was quoted is what tells a stub text from a bare number.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.registry.pxweb.codes import time_dimension_score, time_frequency
from vaikutus.registry.pxweb.errors import PxWebFormatError
from vaikutus.registry.pxweb.jsonfmt import metadata_variables
from vaikutus.registry.pxweb.model import (
    MISSING,
    SINGLE_CONTENT,
    Cells,
    Content,
    Dimension,
    PxMeta,
    PxTable,
    build_table,
    inferred_decimals,
    resolve_roles,
    unit_from_label,
)

HEADER_TIME = "time"
_SYMBOL = re.compile(r"\.{1,6}|-|–")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_QUOTED = re.compile(r'"(?:[^"]|"")*"')

Field = tuple[str, bool]


def parse_csv(
    raw: bytes | str,
    *,
    metadata: Mapping[str, Any] | None = None,
    language: str | None = None,
    table_id: str | None = None,
    source: str | None = None,
) -> PxTable:
    """Parse a PxWeb CSV response or download (comma, semicolon or tab separated)."""
    text = (_decode(raw) if isinstance(raw, bytes) else raw).removeprefix("\ufeff")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) < 2:
        raise PxWebFormatError("a CSV table needs a header and at least one row", source)
    title = ""
    first = _fields(lines[0][1], _delimiter(lines[0][1]), source, lines[0][0])
    if len(first) == 1 and first[0][1]:
        title, lines = first[0][0], lines[1:]
    if len(lines) < 2:
        raise PxWebFormatError("a CSV table needs a header and at least one row", source)
    delimiter = _delimiter(lines[0][1])
    header = [text for text, _ in _fields(lines[0][1], delimiter, source, lines[0][0])]
    rows = [_fields(line, delimiter, source, n) for n, line in lines[1:]]
    for (n, _), row in zip(lines[1:], rows):
        if len(row) != len(header):
            raise PxWebFormatError(
                f"line {n} has {len(row)} fields but the header {len(header)}", source
            )
    variables = metadata_variables(metadata)
    n_stub = _stub_width(header, rows, variables, source)
    if n_stub == len(header):
        raise PxWebFormatError("no data column: every column holds texts", source)
    stub = [
        _StubColumn(header[j], [row[j][0] for row in rows], variables, source)
        for j in range(n_stub)
    ]
    heading = _Heading(header[n_stub:], stub, variables, source)
    codes: dict[str, list[str]] = {s.code: [] for s in stub}
    codes.update({code: [] for code in heading.dim_codes})
    content: list[str] = []
    tokens: list[str] = []
    per_content: dict[str, list[str]] = {code: [] for code in heading.content_codes}
    for r, row in enumerate(rows):
        for j, (cell, _quoted) in enumerate(row[n_stub:]):
            for s in stub:
                codes[s.code].append(s.codes[r])
            keys, content_code = heading.cells[j]
            for code, value in zip(heading.dim_codes, keys):
                codes[code].append(value)
            content.append(content_code)
            tokens.append(cell)
            per_content[content_code].append(cell.replace(",", "."))
    dims = [s.dimension() for s in stub] + heading.dimensions()
    time = next((s.code for s in stub if s.declared_time), None) or heading.time
    meta = PxMeta(
        title=title or str((metadata or {}).get("title", "")),
        table_id=table_id,
        source=None,
        updated=None,
        language=language,
        dimensions=resolve_roles(dims, time=time, source=source),
        contents=tuple(
            Content(
                code=code,
                label=label,
                unit=unit_from_label(label),
                decimals=inferred_decimals(per_content[code]),
            )
            for code, label in heading.content_labels.items()
        ),
        metric_dim=heading.metric[0] if heading.metric else None,
        metric_label=heading.metric[1] if heading.metric else None,
        format="csv",
        source_file=source,
    )
    cells = Cells(codes=codes, content=content, tokens=tokens, decimal_comma=delimiter == ";")
    return build_table(meta, cells)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(line: str) -> str:
    bare = _QUOTED.sub("", line)
    counts = {d: bare.count(d) for d in (";", "\t", ",")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def _fields(line: str, delimiter: str, source: str | None, lineno: int) -> list[Field]:
    out: list[Field] = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            match = _QUOTED.match(line, i)
            if match is None:
                raise PxWebFormatError(f"line {lineno}: unclosed quote", source)
            i = match.end()
            out.append((match.group(0)[1:-1].replace('""', '"'), True))
            if i < n and line[i] != delimiter:
                raise PxWebFormatError(f"line {lineno}: text after a closing quote", source)
        else:
            end = line.find(delimiter, i)
            end = n if end < 0 else end
            out.append((line[i:end].strip(), False))
            i = end
        if i >= n:
            return out
        i += 1


def _is_cell(text: str, quoted: bool) -> bool:
    """A data cell: a bare number, or a symbol (quoted or bare); empty cells count as missing."""
    return (not quoted and (text == "" or bool(_NUMBER.fullmatch(text)))) or bool(
        _SYMBOL.fullmatch(text)
    )


def _stub_width(
    header: list[str], rows: list[list[Field]], variables: Mapping[str, Any], source: str | None
) -> int:
    """How many leading columns are stub (classifying) columns rather than data.

    By the metadata's variable texts when given; else a stub column is one holding a quoted text
    that is not a symbol (a file quoting every field, numbers too, is judged on the texts alone).
    """
    if variables:
        texts = {v["text"] for v in variables.values()} | set(variables)
        width = 0
        while width < len(header) and header[width] in texts:
            width += 1
        return width
    quoted_numbers = all(quoted for row in rows for _, quoted in row)
    width = 0
    while width < len(header) and not all(
        _is_cell(text, quoted and not quoted_numbers)
        for text, quoted in (row[width] for row in rows)
    ):
        width += 1
    for j in range(width, len(header)):
        bad = next(
            (
                row[j][0]
                for row in rows
                if not _is_cell(row[j][0], row[j][1] and not quoted_numbers)
            ),
            None,
        )
        if bad is not None:
            raise PxWebFormatError(f"column {header[j]!r} mixes data with the text {bad!r}", source)
    return width


class _StubColumn:
    """A classifying column: its variable code, label and the code of every row."""

    def __init__(
        self, header: str, cells: list[str], variables: Mapping[str, Any], source: str | None
    ) -> None:
        var_code = next((c for c, v in variables.items() if header in (v["text"], c)), None)
        self.code = var_code or header
        self.label = variables[var_code]["text"] if var_code else header
        if var_code:
            var = variables[var_code]
            by_text = dict(zip(var["valueTexts"], var["values"])) | {v: v for v in var["values"]}
            unknown = next((c for c in cells if c not in by_text), None)
            if unknown is not None:
                raise PxWebFormatError(
                    f"column {header!r}: {unknown!r} is not a value of {var_code!r}", source
                )
            self.codes = [by_text[c] for c in cells]
            order = {v: i for i, v in enumerate(var["values"])}
            texts = dict(zip(var["values"], var["valueTexts"]))
            self.values = sorted(dict.fromkeys(self.codes), key=order.__getitem__)
            self.labels = [texts[v] for v in self.values]
            self.declared_time = self.time_like = var["time"]
        else:
            self.codes = cells
            self.values = list(dict.fromkeys(cells))
            self.labels = self.values
            self.declared_time = False
            self.time_like = time_dimension_score(self.values) > 0

    def dimension(self) -> Dimension:
        return Dimension(self.code, self.label, tuple(self.values), tuple(self.labels))


class _Heading:
    """The data columns' headers decoded into (dimension codes, content code) per column."""

    def __init__(
        self,
        headers: list[str],
        stub: list[_StubColumn],
        variables: Mapping[str, Any],
        source: str | None,
    ) -> None:
        self.source = source
        self.time: str | None = None
        self.metric: tuple[str, str] | None = None
        self.dim_codes: list[str] = []
        self._dims: list[Dimension] = []
        self.content_labels: dict[str, str] = {}
        if variables:
            self.cells = self._from_metadata(headers, {s.code for s in stub}, variables)
        else:
            self.cells = self._from_text(headers, any(s.time_like for s in stub))
        self.content_codes = list(self.content_labels)

    def dimensions(self) -> list[Dimension]:
        return self._dims

    def _from_text(
        self, headers: list[str], time_in_stub: bool
    ) -> list[tuple[tuple[str, ...], str]]:
        cells = []
        for header in headers:
            words = header.split()
            time = None
            if not time_in_stub and words and time_frequency(words[-1]):
                time, words = words[-1], words[:-1]
            elif not time_in_stub and words and time_frequency(words[0]):
                time, words = words[0], words[1:]
            elif not time_in_stub:
                raise PxWebFormatError(
                    f"data column {header!r} names no period (e.g. 2026M06)", self.source
                )
            label = " ".join(words) or SINGLE_CONTENT
            self.content_labels.setdefault(label, label)
            cells.append(((time,) if time else (), label))
        if not time_in_stub:
            periods = list(dict.fromkeys(keys[0] for keys, _ in cells))
            self.time = HEADER_TIME
            self.dim_codes = [HEADER_TIME]
            self._dims = [Dimension(HEADER_TIME, HEADER_TIME, tuple(periods), tuple(periods))]
        return cells

    def _from_metadata(
        self, headers: list[str], stub_codes: set[str], variables: Mapping[str, Any]
    ) -> list[tuple[tuple[str, ...], str]]:
        candidates = [
            (code, var)
            for code, var in variables.items()
            if code not in stub_codes
            and any(t in h for h in headers for t in var["valueTexts"] + var["values"])
        ]
        contents = [(c, v) for c, v in candidates if not v["time"]]
        if len(contents) > 1:
            contents = [(c, v) for c, v in contents if not v["elimination"]]
        if len(contents) > 1:
            raise PxWebFormatError(
                f"cannot tell the content variable among {[c for c, _ in contents]}", self.source
            )
        combos: dict[str, tuple[str, ...]] = {}
        for combo in itertools.product(
            *[list(zip(v["values"], v["valueTexts"])) for _, v in candidates]
        ):
            codes = tuple(code for code, _ in combo)
            for order in itertools.permutations(range(len(combo))):
                for use_code in (False, True):
                    combos[" ".join(combo[i][0] if use_code else combo[i][1] for i in order)] = (
                        codes
                    )
        unknown = next((h for h in headers if h not in combos), None)
        if unknown is not None:
            raise PxWebFormatError(
                f"data column {unknown!r} matches no combination of the metadata values",
                self.source,
            )
        content_pos = next(
            (i for i, (c, _) in enumerate(candidates) if contents and c == contents[0][0]), None
        )
        cells = []
        for header in headers:
            keys = combos[header]
            content = keys[content_pos] if content_pos is not None else SINGLE_CONTENT
            cells.append((tuple(k for i, k in enumerate(keys) if i != content_pos), content))
        for i, (code, var) in enumerate(candidates):
            used = {keys[i] for keys in (combos[h] for h in headers)}
            texts = dict(zip(var["values"], var["valueTexts"]))
            values = [v for v in var["values"] if v in used]
            if i == content_pos:
                self.metric = (code, var["text"])
                self.content_labels = {v: texts[v] for v in values}
                continue
            self.dim_codes.append(code)
            self._dims.append(
                Dimension(code, var["text"], tuple(values), tuple(texts[v] for v in values))
            )
            if var["time"]:
                self.time = code
        if content_pos is None:
            self.content_labels = {SINGLE_CONTENT: SINGLE_CONTENT}
        return cells


def write_csv(
    table: PxTable,
    path: str | Path | None = None,
    *,
    delimiter: str = ",",
    codes: bool = False,
    title: bool = False,
) -> str:
    """Write ``table`` as PxWeb CSV: every dimension a stub column, one data column per content.

    ``codes=True`` writes codes instead of texts (PxWeb ``csv3``); ``delimiter=";"`` writes decimal
    commas like StatFin's semicolon download; ``title=True`` starts with the quoted title line.
    Reading a text CSV back needs the table's metadata (:func:`to_metadata`) to restore the codes.
    """
    if delimiter not in (",", ";", "\t"):
        raise ValueError(f"delimiter must be ',', ';' or a tab, not {delimiter!r}")
    meta = table.meta
    dims = list(meta.dimensions)
    contents = [c.code for c in meta.contents]
    keys = [d.code for d in dims]
    wide = table.data.pivot(index=keys, columns="content", values=["value", "status"])
    rows = pd.MultiIndex.from_frame(table.data[keys].drop_duplicates())
    wide = wide.reindex(index=rows).reindex(columns=contents, level=1)
    head = [_q(d.code if codes else d.label) for d in dims] + [
        _q(c.code if codes else c.label) for c in meta.contents
    ]
    lines = [_q(meta.title), ""] if title else []
    lines.append(delimiter.join(head))
    labels = {d.code: d.labels() for d in dims}
    values, statuses = wide["value"].to_numpy(), wide["status"].to_numpy()
    for r, key in enumerate(wide.index):
        key = key if isinstance(key, tuple) else (key,)
        stub = [_q(k if codes else labels[d.code][k]) for d, k in zip(dims, key)]
        cells = [_cell(v, s, delimiter) for v, s in zip(values[r], statuses[r])]
        lines.append(delimiter.join(stub + cells))
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _q(text: str) -> str:
    return '"' + str(text).replace('"', '""') + '"'


def _cell(value: float, status: object, delimiter: str) -> str:
    if np.isnan(value):
        return _q(str(status)) if isinstance(status, str) and status != MISSING else ""
    text = repr(float(value))
    text = text[:-2] if text.endswith(".0") else text
    return text.replace(".", ",") if delimiter == ";" else text


def to_metadata(table: PxTable) -> dict[str, Any]:
    """The table's metadata in the shape of PxWeb's GET response (what the CSV reader takes)."""
    meta = table.meta
    variables: list[dict[str, Any]] = [
        {
            "code": d.code,
            "text": d.label,
            "values": list(d.values),
            "valueTexts": list(d.value_labels),
            **({"time": True} if d.role == "time" else {}),
        }
        for d in meta.dimensions
    ]
    variables.append(
        {
            "code": meta.metric_dim or SINGLE_CONTENT,
            "text": meta.metric_label or meta.metric_dim or SINGLE_CONTENT,
            "values": [c.code for c in meta.contents],
            "valueTexts": [c.label for c in meta.contents],
        }
    )
    return {"title": meta.title, "variables": variables}
