"""JSON-stat 2.0 datasets (PxWeb ``"format": "json-stat2"``).

``value`` is the flat row-major cube over ``id`` (``pos = sum(idx_i * prod(size_j, j > i))``),
either a list or a sparse ``{"pos": value}`` object; ``status`` holds the symbols as one string, a
list or a ``{"pos": symbol}`` object; ``category.index`` is ``{code: pos}`` or a list of codes; the
``role`` object names the time, geo and metric dimensions. pyjstat reads this format too, but it
drops ``status`` and the units, and the tidy frame has to be rebuilt anyway, so the cube is unrolled
here with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from vaikutus.registry.pxweb.errors import PxWebFormatError
from vaikutus.registry.pxweb.model import (
    MAX_CELLS,
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


def parse_jsonstat2(
    doc: Mapping[str, Any], *, language: str | None = None, source: str | None = None
) -> PxTable:
    """Parse a JSON-stat 2.0 dataset into a :class:`PxTable`."""
    if not isinstance(doc, Mapping) or doc.get("class", "dataset") != "dataset":
        raise PxWebFormatError("not a JSON-stat dataset ('class' must be 'dataset')", source)
    ids, sizes = doc.get("id"), doc.get("size")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise PxWebFormatError("'id' must list the dimension ids", source)
    if not isinstance(sizes, list) or len(sizes) != len(ids) or not all(_count(s) for s in sizes):
        raise PxWebFormatError(
            f"'size' must list one count per id ({len(ids)}), got {sizes!r}", source
        )
    if len(set(ids)) != len(ids):
        raise PxWebFormatError(f"'id' repeats a dimension: {ids}", source)
    dimension = doc.get("dimension")
    if not isinstance(dimension, Mapping):
        raise PxWebFormatError("no 'dimension' object", source)
    n = math.prod(sizes)
    if n > MAX_CELLS:
        raise PxWebFormatError(
            f"'size' {sizes} gives {n} cells, more than this reader builds", source
        )
    categories = [_category(dimension.get(i), i, s, source) for i, s in zip(ids, sizes)]
    role = doc.get("role") or {}
    if not isinstance(role, Mapping):
        raise PxWebFormatError("'role' is not an object", source)
    time, geo, metric = (_role(role, name, ids, source) for name in ("time", "geo", "metric"))
    positions = np.unravel_index(np.arange(n), sizes) if ids else ()
    codes = {
        i: np.asarray(cat["codes"], dtype=object)[pos]
        for i, cat, pos in zip(ids, categories, positions)
    }
    dims = [
        Dimension(
            code=i,
            label=str(cat["label"]),
            values=tuple(cat["codes"]),
            value_labels=tuple(cat["labels"]),
        )
        for i, cat in zip(ids, categories)
        if i != metric
    ]
    extension = doc.get("extension") if isinstance(doc.get("extension"), Mapping) else {}
    px = extension.get("px") if isinstance(extension.get("px"), Mapping) else {}
    if metric is None:
        contents = (
            Content(
                code=SINGLE_CONTENT,
                label=str(doc.get("label", SINGLE_CONTENT)),
                decimals=_int(px.get("decimals")),
            ),
        )
        content = np.full(n, SINGLE_CONTENT, dtype=object)
    else:
        contents = _contents(categories[ids.index(metric)], dimension[metric])
        content = codes.pop(metric)
    meta = PxMeta(
        title=str(doc.get("label", "")),
        table_id=px.get("tableid") if isinstance(px.get("tableid"), str) else None,
        source=doc.get("source") if isinstance(doc.get("source"), str) else None,
        updated=parse_timestamp(doc.get("updated"), source),
        language=px.get("language") if isinstance(px.get("language"), str) else language,
        dimensions=resolve_roles(dims, time=time, geo=geo, source=source),
        contents=contents,
        metric_dim=metric,
        metric_label=str(dimension[metric].get("label", metric)) if metric else None,
        notes=_notes(doc.get("note")),
        format="json-stat2",
        source_file=source,
    )
    values = _values(doc.get("value"), n, source)
    status = _status(doc.get("status"), n, source)
    return build_table(meta, Cells(codes=codes, content=content, tokens=values, status=status))


def _count(size: object) -> bool:
    return isinstance(size, int) and not isinstance(size, bool) and size >= 0


def _category(dim: object, dim_id: str, size: int, source: str | None) -> dict[str, Any]:
    if not isinstance(dim, Mapping) or not isinstance(dim.get("category"), Mapping):
        raise PxWebFormatError(f"dimension {dim_id!r} has no 'category' object", source)
    category = dim["category"]
    index, labels = category.get("index"), category.get("label")
    if isinstance(index, list):
        codes = index
    elif isinstance(index, Mapping):
        if sorted(p for p in index.values() if _count(p)) != list(range(len(index))):
            raise PxWebFormatError(
                f"category index of {dim_id!r} is not positions 0..{len(index) - 1}", source
            )
        codes = sorted(index, key=index.__getitem__)
    elif index is None and isinstance(labels, Mapping):
        codes = list(labels)
    else:
        raise PxWebFormatError(
            f"dimension {dim_id!r} has neither a category index nor labels", source
        )
    if len(codes) != size or not all(isinstance(c, str) for c in codes):
        raise PxWebFormatError(
            f"dimension {dim_id!r} lists {len(codes)} categories but 'size' says {size}", source
        )
    if labels is not None and not isinstance(labels, Mapping):
        raise PxWebFormatError(f"category labels of {dim_id!r} are not an object", source)
    labels = labels or {}
    return {
        "codes": codes,
        "labels": [str(labels.get(c, c)) for c in codes],
        "label": dim.get("label", dim_id),
    }


def _role(role: Mapping[str, Any], name: str, ids: list[str], source: str | None) -> str | None:
    listed = role.get(name)
    if listed is None or listed == []:
        return None
    if not isinstance(listed, list) or not all(isinstance(i, str) and i in ids for i in listed):
        raise PxWebFormatError(f"role {name!r} must list dimension ids, got {listed!r}", source)
    if len(listed) > 1:
        raise PxWebFormatError(
            f"role {name!r} names {len(listed)} dimensions; one is supported", source
        )
    return listed[0]


def _contents(category: Mapping[str, Any], dim: Mapping[str, Any]) -> tuple[Content, ...]:
    raw = dim["category"]
    units = raw.get("unit") if isinstance(raw.get("unit"), Mapping) else {}
    notes = raw.get("note") if isinstance(raw.get("note"), Mapping) else {}
    out = []
    for code, label in zip(category["codes"], category["labels"]):
        unit = units.get(code) if isinstance(units.get(code), Mapping) else {}
        name = unit.get("base", unit.get("label"))
        note = _notes(notes.get(code))
        out.append(
            Content(
                code=code,
                label=label,
                unit=str(name) if name is not None else None,
                decimals=_int(unit.get("decimals")),
                note=" ".join(note) or None,
            )
        )
    return tuple(out)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _notes(note: object) -> tuple[str, ...]:
    if isinstance(note, str):
        return (note,)
    if isinstance(note, list):
        return tuple(str(n) for n in note)
    return ()


def _positions(mapping: Mapping[str, Any], n: int, what: str, source: str | None) -> dict[int, Any]:
    out = {}
    for key, item in mapping.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) < n):
            raise PxWebFormatError(f"{what} key {key!r} is not a cell position below {n}", source)
        out[int(key)] = item
    return out


def _values(value: object, n: int, source: str | None) -> list[object]:
    if isinstance(value, list):
        if len(value) != n:
            raise PxWebFormatError(f"'value' holds {len(value)} cells but 'size' needs {n}", source)
        return value
    if isinstance(value, Mapping):
        cells: list[object] = [None] * n
        for pos, item in _positions(value, n, "'value'", source).items():
            cells[pos] = item
        return cells
    raise PxWebFormatError("'value' is neither a list nor a {position: value} object", source)


def _status(status: object, n: int, source: str | None) -> list[str | None] | None:
    if status is None:
        return None
    if isinstance(status, str):
        return [status] * n
    if isinstance(status, list):
        if len(status) != n:
            raise PxWebFormatError(
                f"'status' holds {len(status)} entries but 'size' needs {n}", source
            )
        items = status
    elif isinstance(status, Mapping):
        items = [None] * n
        for pos, item in _positions(status, n, "'status'", source).items():
            items[pos] = item
    else:
        raise PxWebFormatError(
            "'status' is neither text, a list nor a {position: symbol} object", source
        )
    if not all(s is None or isinstance(s, str) for s in items):
        raise PxWebFormatError("'status' entries must be symbols (text) or null", source)
    return [s or None for s in items]
