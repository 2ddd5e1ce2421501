"""The PX (PC-Axis) file format: reader and writer.

A PX file is ``KEYWORD[lang]("sub","keys")=value;`` statements followed by ``DATA=`` and the cells
(PX 2013 spec, PxTools). Values are quoted strings, comma-separated lists, or long texts split
into adjacent quoted pieces over several lines. ``STUB`` and ``HEADING`` name the variables (by
their text, per language); ``VALUES`` holds the value texts, ``CODES`` the codes, StatFin's
``VARIABLECODE`` the variable code, ``CONTVARIABLE`` the content variable; ``DATA`` is row-major
over STUB then HEADING, with symbols such as ``".."``, ``"..."`` and ``"-"`` quoted.

Written here rather than with ``pyaxis``: that package reads only the default language, drops
``CODES``/``VARIABLECODE`` and turns symbols into strings inside a value column, so the codes the
rest of vaikutus joins on would be lost. Files with ``KEYS`` (sparse rows) are refused.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from vaikutus.registry.pxweb.codes import time_frequency
from vaikutus.registry.pxweb.errors import PxWebFormatError
from vaikutus.registry.pxweb.model import (
    MAX_CELLS,
    MISSING,
    SINGLE_CONTENT,
    Cells,
    Content,
    Dimension,
    PxMeta,
    PxTable,
    build_table,
    parse_timestamp,
    resolve_roles,
)

Key = tuple[str, str | None, tuple[str, ...]]

_KEYWORD = re.compile(r'\s*([A-Za-z0-9_-]+)(?:\[([^\]"]*)\])?(?:\(((?:"[^"]*"|[^")"])*)\))?\s*=')
_VALUE = re.compile(r'((?:"[^"]*"|[^";])*);')
_ITEM_TOKEN = re.compile(r'"([^"]*)"|(,)|([^",\s]+)|\s+')
_DATA_TOKEN = re.compile(r'"([^"]*)"|([^\s,;"]+)')
_CONTENT_NAMES = {"fi": "Tiedot", "sv": "Uppgifter", "en": "Information"}


def parse_px(
    raw: bytes | str, *, language: str | None = None, source: str | None = None
) -> PxTable:
    """Parse a PX file; ``language`` picks one of its ``LANGUAGES`` (default: its ``LANGUAGE``)."""
    text = _decode(raw, source) if isinstance(raw, bytes) else raw
    keywords, data = _split(text, source)
    return _Px(keywords, language, source).table(data)


def _decode(raw: bytes, source: str | None) -> str:
    raw = raw.removeprefix(codecs.BOM_UTF8)
    head = raw[:20000].decode("latin-1")
    declared = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', head)
    candidates = [declared.group(1)] if declared else ["utf-8", "iso-8859-1"]
    for name in candidates:
        try:
            return raw.decode(name)
        except LookupError as exc:
            raise PxWebFormatError(f"CODEPAGE {name!r} is not a known encoding", source) from exc
        except UnicodeDecodeError:
            continue
    raise PxWebFormatError(f"the file is not valid {candidates[0]} text (CODEPAGE)", source)


def _split(text: str, source: str | None) -> tuple[dict[Key, list[str]], str]:
    keywords: dict[Key, list[str]] = {}
    pos = 0
    while True:
        key = _KEYWORD.match(text, pos)
        if key is None:
            rest = text[pos:].strip()
            where = f"line {text.count(chr(10), 0, pos) + 1}"
            if not rest:
                raise PxWebFormatError("no DATA keyword", source)
            raise PxWebFormatError(
                f"{where}: cannot read a KEYWORD= statement at {rest[:40]!r}", source
            )
        name, lang, sub = key.group(1).upper(), key.group(2), key.group(3)
        if name == "DATA":
            return keywords, text[key.end() :]
        value = _VALUE.match(text, key.end())
        if value is None:
            raise PxWebFormatError(
                f"keyword {name} has an unclosed quote or no closing ';'", source
            )
        subkeys = tuple(_items(sub)) if sub is not None else ()
        keywords[(name, lang or None, subkeys)] = _items(value.group(1))
        pos = value.end()


def _items(value: str) -> list[str]:
    """``"a","b"`` -> [a, b]; ``"long "\\n"text"`` -> [long text]; ``TLIST(M1),"x"`` -> [.., x]."""
    items: list[str] = []
    current: str | None = None
    for token in _ITEM_TOKEN.finditer(value):
        quoted, comma, word = token.groups()
        if comma:
            items.append(current or "")
            current = None
        elif quoted is not None or word is not None:
            current = (current or "") + (quoted if quoted is not None else word)
    if current is not None:
        items.append(current)
    return items


class _Px:
    """Keyword look-ups in one language, falling back to the default language by position."""

    def __init__(
        self, keywords: dict[Key, list[str]], language: str | None, source: str | None
    ) -> None:
        self.kw = keywords
        self.source = source
        self.tag: str | None = None
        default = self.one("LANGUAGE")
        languages = self.get("LANGUAGES") or ([default] if default else [])
        if language is not None and language != default and language not in languages:
            raise PxWebFormatError(
                f"language {language!r} is not in the file's LANGUAGES {languages}", source
            )
        self.language = language or default
        self.tag = None if language in (None, default) else language
        self.default_names = (self.get("STUB", lang=None) or []) + (
            self.get("HEADING", lang=None) or []
        )
        self.names = (self.get("STUB") or []) + (self.get("HEADING") or [])
        if not self.names:
            raise PxWebFormatError("neither STUB nor HEADING names a variable", source)
        if len(self.names) != len(self.default_names):
            raise PxWebFormatError("STUB/HEADING differ in length between languages", source)
        if len(set(self.names)) != len(self.names):
            raise PxWebFormatError(f"STUB/HEADING name a variable twice: {self.names}", source)
        if any(k[0] == "KEYS" for k in keywords):
            raise PxWebFormatError("DATA with KEYS (sparse rows) is not supported", source)

    def get(self, name: str, *sub: str, lang: str | None | bool = True) -> list[str] | None:
        tag = self.tag if lang is True else lang
        found = self.kw.get((name, tag, tuple(sub)))
        if found is None and tag is not None:
            found = self.kw.get((name, None, self._default_sub(sub)))
        return found

    def one(self, name: str, *sub: str) -> str | None:
        items = self.get(name, *sub)
        return " ".join(items) if items else None

    def _default_sub(self, sub: tuple[str, ...]) -> tuple[str, ...]:
        """Subkeys naming a variable in this language, renamed to the default language's name."""
        if sub and sub[0] in self.names:
            return (self.default_names[self.names.index(sub[0])], *sub[1:])
        return sub

    def variable(self, name: str) -> dict[str, object]:
        values = self.get("VALUES", name)
        if values is None:
            raise PxWebFormatError(f"no VALUES for variable {name!r}", self.source)
        codes = self.get("CODES", name) or values
        if len(codes) != len(values):
            raise PxWebFormatError(
                f"variable {name!r} has {len(values)} VALUES but {len(codes)} CODES", self.source
            )
        default_name = self.default_names[self.names.index(name)]
        return {
            "name": name,
            "code": self.one("VARIABLECODE", name) or default_name,
            "values": values,
            "codes": codes,
            "time": (self.one("VARIABLE-TYPE", name) or "").lower() == "time"
            or self.get("TIMEVAL", name) is not None,
            "map": self.get("MAP", name) is not None,
        }

    def table(self, data: str) -> PxTable:
        variables = [self.variable(name) for name in self.names]
        sizes = [len(v["codes"]) for v in variables]
        n = math.prod(sizes)
        if n > MAX_CELLS:
            raise PxWebFormatError(
                f"STUB x HEADING gives {n} cells, more than this reader builds", self.source
            )
        tokens = _data_tokens(data, self.source)
        if len(tokens) != n:
            raise PxWebFormatError(
                f"DATA has {len(tokens)} cells but STUB x HEADING needs {n}", self.source
            )
        contvar = self.one("CONTVARIABLE")
        if contvar is not None and contvar not in self.names:
            raise PxWebFormatError(
                f"CONTVARIABLE {contvar!r} is not in STUB or HEADING", self.source
            )
        positions = np.unravel_index(np.arange(n), sizes)
        codes = {
            v["code"]: np.asarray(v["codes"], dtype=object)[p] for v, p in zip(variables, positions)
        }
        dims = [
            Dimension(
                code=v["code"],
                label=v["name"],
                values=tuple(v["codes"]),
                value_labels=tuple(v["values"]),
            )
            for v in variables
            if v["name"] != contvar
        ]
        time = next((v["code"] for v in variables if v["time"] and v["name"] != contvar), None)
        geo = next((v["code"] for v in variables if v["map"] and v["name"] != contvar), None)
        if contvar is None:
            contents = (
                Content(
                    SINGLE_CONTENT,
                    self.one("CONTENTS") or SINGLE_CONTENT,
                    self._unit(None),
                    self._decimals(),
                ),
            )
            content = np.full(n, SINGLE_CONTENT, dtype=object)
            metric = None
        else:
            metric = next(v for v in variables if v["name"] == contvar)
            contents = self._contents(contvar, metric)
            content = codes.pop(metric["code"])
        meta = PxMeta(
            title=self.one("TITLE") or self.one("DESCRIPTION") or "",
            table_id=self.one("TABLEID"),
            source=self.one("SOURCE"),
            updated=self._updated(contents if contvar else ()),
            language=self.language,
            dimensions=resolve_roles(dims, time=time, geo=geo, source=self.source),
            contents=contents,
            metric_dim=metric["code"] if metric else None,
            metric_label=contvar,
            notes=tuple(
                n
                for key in ("NOTE", "NOTEX")
                for n in (self.one(key) or "").split("#")
                if n.strip()
            ),
            format="px",
            source_file=self.source,
        )
        return build_table(meta, Cells(codes=codes, content=content, tokens=tokens))

    def _contents(self, contvar: str, metric: dict[str, object]) -> tuple[Content, ...]:
        return tuple(
            Content(
                code=code,
                label=text,
                unit=self._unit(text),
                decimals=self._decimals(contvar, text),
                note=" ".join(
                    n
                    for key in ("VALUENOTE", "VALUENOTEX")
                    for n in self.get(key, contvar, text) or []
                )
                or None,
            )
            for code, text in zip(metric["codes"], metric["values"])
        )

    def _unit(self, content: str | None) -> str | None:
        unit = (self.one("UNITS", content) if content is not None else None) or self.one("UNITS")
        return unit or None

    def _decimals(self, contvar: str | None = None, content: str | None = None) -> int | None:
        for text in (
            self.one("PRECISION", contvar, content) if content is not None else None,
            self.one("SHOWDECIMALS"),
            self.one("DECIMALS"),
        ):
            if text is not None and text.strip().isdigit():
                return int(text)
        return None

    def _updated(self, contents: Sequence[Content]):
        stamps = [parse_timestamp(self.one("LAST-UPDATED"), self.source)]
        stamps += [
            parse_timestamp(self.one("LAST-UPDATED", c.label), self.source) for c in contents
        ]
        found = [s for s in stamps if s is not None]
        return max(found) if found else None


def _data_tokens(data: str, source: str | None) -> list[str]:
    body = data.strip()
    if body.endswith(";"):
        body = body[:-1]
    if body.count('"') % 2:
        raise PxWebFormatError("DATA has an unclosed quote", source)
    return [
        m.group(1) if m.group(1) is not None else m.group(2) for m in _DATA_TOKEN.finditer(body)
    ]


# --- writer -------------------------------------------------------------------------------------


def write_px(table: PxTable, path: str | Path | None = None) -> str:
    """Write ``table`` as a PX file (UTF-8): STUB the classifying variables, HEADING time, contents.

    Reading the file back with :func:`parse_px` gives the same data and metadata (the content
    variable is named ``Tiedot``/``Uppgifter``/``Information`` if the source had no name for it).
    Cells without a number or symbol (``missing``) and cells absent from the table are written as
    ``".."`` (PX: not available). Returns the text; writes it to ``path`` when given.
    """
    meta = table.meta
    time = meta.dimension(meta.time_dim)
    stub = [d for d in meta.dimensions if d.role != "time"]
    names = _unique_names([*stub, time], meta)
    contvar = names.pop()
    lines = ['CHARSET="ANSI";', 'AXIS-VERSION="2013";', 'CODEPAGE="utf-8";']
    if meta.language:
        lines.append(f'LANGUAGE="{_clean(meta.language)}";')
    stamp = meta.updated.strftime("%Y%m%d %H:%M") if meta.updated else None
    if stamp:
        lines.append(f'CREATION-DATE="{stamp}";')
    decimals = [c.decimals for c in meta.contents if c.decimals is not None]
    lines.append(f"DECIMALS={max(decimals, default=0)};")
    lines.append(f'MATRIX="{_clean(meta.table_id or "vaikutus")}";')
    if meta.table_id:
        lines.append(f'TABLEID="{_clean(meta.table_id)}";')
    subject = (
        meta.table_id.split("_")[1]
        if meta.table_id and meta.table_id.count("_") >= 2
        else "vaikutus"
    )
    lines += [f'SUBJECT-CODE="{_clean(subject)}";', f'SUBJECT-AREA="{_clean(subject)}";']
    lines.append(f"TITLE={_text(meta.title)};")
    lines.append(f"CONTENTS={_text(meta.title)};")
    lines.append(f'UNITS="{_clean(meta.contents[0].unit or "")}";')
    stub_names = names[: len(stub)]
    if stub_names:
        lines.append(f"STUB={_list(stub_names)};")
    lines.append(f"HEADING={_list([names[-1], contvar])};")
    lines.append(f'CONTVARIABLE="{contvar}";')
    all_dims = [*stub, time]
    for dim, name in zip(all_dims, names):
        lines.append(f'VALUES("{name}")={_list(dim.value_labels)};')
    lines.append(f'VALUES("{contvar}")={_list([c.label for c in meta.contents])};')
    for dim, name in zip(all_dims, names):
        lines.append(f'CODES("{name}")={_list(dim.values)};')
    lines.append(f'CODES("{contvar}")={_list([c.code for c in meta.contents])};')
    for dim, name in zip(all_dims, names):
        if dim.code != name:
            lines.append(f'VARIABLECODE("{name}")="{_clean(dim.code)}";')
    if meta.metric_dim and meta.metric_dim != contvar:
        lines.append(f'VARIABLECODE("{contvar}")="{_clean(meta.metric_dim)}";')
    time_name = names[-1]
    lines.append(f'VARIABLE-TYPE("{time_name}")="Time";')
    timeval = _timeval(time.values)
    if timeval:
        lines.append(f'TIMEVAL("{time_name}")={timeval};')
    for dim, name in zip(stub, stub_names):
        if dim.role == "geo":
            lines.append(f'MAP("{name}")="{_clean(dim.label)}";')
    for item in meta.contents:
        label = _clean(item.label)
        if item.decimals is not None:
            lines.append(f'PRECISION("{contvar}","{label}")={item.decimals};')
        lines.append(f'UNITS("{label}")="{_clean(item.unit or "")}";')
        if stamp:
            lines.append(f'LAST-UPDATED("{label}")="{stamp}";')
        if item.note:
            lines.append(f'VALUENOTE("{contvar}","{label}")={_text(item.note)};')
    if meta.source:
        lines.append(f"SOURCE={_text(meta.source)};")
    if meta.notes:
        lines.append(f"NOTE={_text('#'.join(meta.notes))};")
    lines.append("DATA=")
    lines += _data_lines(table, stub, time)
    lines.append(";")
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _unique_names(dims: Sequence[Dimension], meta: PxMeta) -> list[str]:
    """PX names variables by their text: the labels, made unique, plus a name for the contents."""
    names: list[str] = []
    for dim in dims:
        name = _clean(dim.label) or dim.code
        names.append(name if name not in names else f"{name} ({dim.code})")
    contvar = _clean(meta.metric_label or "") or _CONTENT_NAMES.get(meta.language or "fi", "Tiedot")
    names.append(contvar if contvar not in names else f"{contvar} ({SINGLE_CONTENT})")
    return names


def _data_lines(table: PxTable, stub: Sequence[Dimension], time: Dimension) -> list[str]:
    order = [*stub, time]
    index = pd.MultiIndex.from_product(
        [list(d.values) for d in order] + [[c.code for c in table.meta.contents]],
        names=[d.code for d in order] + ["content"],
    )
    cells = table.data.set_index([d.code for d in order] + ["content"])[
        ["value", "status"]
    ].reindex(index)
    tokens = [
        _cell(value, status)
        for value, status in zip(cells["value"].to_numpy(), cells["status"].to_numpy())
    ]
    width = len(time.values) * len(table.meta.contents)
    return [" ".join(tokens[i : i + width]) for i in range(0, len(tokens), width)]


def _cell(value: float, status: object) -> str:
    if not np.isnan(value):
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text
    symbol = str(status) if isinstance(status, str) and status and status != MISSING else ".."
    return f'"{_clean(symbol)}"'


def _timeval(codes: Sequence[str]) -> str | None:
    freqs = {time_frequency(c) for c in codes}
    if len(freqs) != 1 or None in freqs:
        return None
    freq = freqs.pop()
    tlist = {"M": "M1", "Q": "Q1", "Y": "A1"}[freq]
    stamps = [c.replace("M", "").replace("Q", "") for c in codes]
    return f"TLIST({tlist})," + ",".join(f'"{s}"' for s in stamps)


def _clean(text: str) -> str:
    """PX strings cannot hold quotes or line breaks."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).replace('"', "'").strip()


def _text(text: str, width: int = 200) -> str:
    clean = _clean(text)
    pieces = [clean[i : i + width] for i in range(0, len(clean), width)] or [""]
    return "\n".join(f'"{p}"' for p in pieces)


def _list(items: Sequence[str], width: int = 200) -> str:
    lines, line = [], ""
    for item in items:
        quoted = f'"{_clean(item)}"'
        if line and len(line) + len(quoted) > width:
            lines.append(line + ",")
            line = quoted
        else:
            line = f"{line},{quoted}" if line else quoted
    lines.append(line)
    return "\n".join(lines)
