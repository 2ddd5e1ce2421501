"""PxWeb's own ``json`` response (``"response": {"format": "json"}``) and the table metadata (GET).

Shape (saved 12r5/12ti/135z responses, DOMAIN.md D): ``columns`` lists every variable with
``type`` ``d`` (dimension), ``t`` (time) or ``c`` (content); each ``data`` row has ``key`` (the
codes of the ``d``/``t`` columns, in order) and ``values`` (one string per ``c`` column only — so
values are indexed by the filtered content list, not by ``columns``); ``metadata`` holds
``updated``/``label``/``source``. The format carries no value texts: pass the table's GET metadata
(``{"title", "variables": [{"code","text","values","valueTexts","time"?}]}``) to get them, and it
also names the content variable. No library reads this format (pyjstat reads JSON-stat only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from vaikutus.registry.pxweb.errors import PxWebFormatError
from vaikutus.registry.pxweb.model import (
    Cells,
    Content,
    Dimension,
    PxMeta,
    PxTable,
    build_table,
    inferred_decimals,
    parse_timestamp,
    resolve_roles,
    unit_from_label,
)


def metadata_variables(metadata: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The GET metadata's variables by code, checked: ``values`` and ``valueTexts`` pair up."""
    if metadata is None:
        return {}
    variables = metadata.get("variables") if isinstance(metadata, Mapping) else None
    if not isinstance(variables, list):
        raise PxWebFormatError("table metadata has no 'variables' list")
    out: dict[str, dict[str, Any]] = {}
    for i, var in enumerate(variables):
        if not isinstance(var, Mapping) or not isinstance(var.get("code"), str):
            raise PxWebFormatError(f"table metadata variable {i} has no code")
        values = _strings(var.get("values", []), f"values of metadata variable {var['code']!r}")
        texts = _strings(
            var.get("valueTexts", values), f"valueTexts of metadata variable {var['code']!r}"
        )
        if len(values) != len(texts):
            raise PxWebFormatError(
                f"metadata variable {var['code']!r} has {len(values)} values but {len(texts)} texts"
            )
        out[var["code"]] = {
            "text": str(var.get("text", var["code"])),
            "values": values,
            "valueTexts": texts,
            "time": bool(var.get("time", False)),
            "elimination": bool(var.get("elimination", False)),
        }
    return out


def parse_pxweb_json(
    doc: Mapping[str, Any],
    *,
    metadata: Mapping[str, Any] | None = None,
    language: str | None = None,
    table_id: str | None = None,
    source: str | None = None,
) -> PxTable:
    """Parse a PxWeb ``json`` response; ``metadata`` (GET response) adds value texts when given."""
    if (
        not isinstance(doc, Mapping)
        or not isinstance(doc.get("columns"), list)
        or not isinstance(doc.get("data"), list)
    ):
        raise PxWebFormatError(
            "not a PxWeb json response (needs 'columns' and 'data' lists)", source
        )
    variables = metadata_variables(metadata)
    columns = [_column(c, i, source) for i, c in enumerate(doc["columns"])]
    dim_cols = [c for c in columns if c["type"] in ("d", "t")]
    content_cols = [c for c in columns if c["type"] == "c"]
    if not content_cols:
        raise PxWebFormatError("no content column (type 'c') in 'columns'", source)
    keys, values = _rows(doc["data"], len(dim_cols), len(content_cols), source)
    content_codes = np.array([c["code"] for c in content_cols], dtype=object)
    codes = {
        col["code"]: np.repeat(keys[:, j], len(content_cols)) for j, col in enumerate(dim_cols)
    }
    content = np.tile(content_codes, len(keys))
    tokens = values.ravel()
    per_content = {code: values[:, j] for j, code in enumerate(content_codes)}
    dims = [_dimension(col, codes[col["code"]], variables.get(col["code"])) for col in dim_cols]
    time = next((c["code"] for c in dim_cols if c["type"] == "t"), None)
    time = time or next(
        (code for code, var in variables.items() if var["time"] and code in codes), None
    )
    head = _table_head(doc.get("metadata"), source)
    content_var = _content_variable(variables, [c["code"] for c in content_cols])
    meta = PxMeta(
        title=head.get("label") or (metadata or {}).get("title") or "",
        table_id=table_id,
        source=head.get("source"),
        updated=parse_timestamp(head.get("updated"), source),
        language=language,
        dimensions=resolve_roles(dims, time=time, source=source),
        contents=tuple(
            Content(
                code=c["code"],
                label=c["text"],
                unit=unit_from_label(c["text"]),
                decimals=inferred_decimals(per_content[c["code"]]),
                note=c["comment"],
            )
            for c in content_cols
        ),
        metric_dim=content_var[0] if content_var else None,
        metric_label=content_var[1] if content_var else None,
        notes=_comments(doc.get("comments"), source),
        format="json",
        source_file=source,
    )
    return build_table(meta, Cells(codes=codes, content=content, tokens=tokens))


def _rows(
    data: list[Any], n_keys: int, n_values: int, source: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """The rows' keys (rows x dimensions) and values (rows x contents), checked for shape."""
    keys = np.empty((len(data), n_keys), dtype=object)
    values = np.empty((len(data), n_values), dtype=object)
    for r, row in enumerate(data):
        key = row.get("key") if isinstance(row, Mapping) else None
        cells = row.get("values") if isinstance(row, Mapping) else None
        if (
            not isinstance(key, list)
            or len(key) != n_keys
            or not all(isinstance(k, str) for k in key)
        ):
            raise PxWebFormatError(
                f"data row {r}: 'key' must list {n_keys} codes, got {key!r}", source
            )
        if not isinstance(cells, list) or len(cells) != n_values:
            raise PxWebFormatError(
                f"data row {r}: 'values' must hold {n_values} content values, got {cells!r}", source
            )
        keys[r] = key
        values[r] = cells
    return keys, values


def _column(col: object, i: int, source: str | None) -> dict[str, Any]:
    if not isinstance(col, Mapping) or not isinstance(col.get("code"), str):
        raise PxWebFormatError(f"column {i} has no code", source)
    kind = col.get("type")
    if kind not in ("d", "t", "c"):
        raise PxWebFormatError(
            f"column {col['code']!r} has type {kind!r}; expected 'd', 't' or 'c'", source
        )
    comment = col.get("comment")
    return {
        "code": col["code"],
        "text": str(col.get("text", col["code"])),
        "type": kind,
        "comment": comment.strip() if isinstance(comment, str) and comment.strip() else None,
    }


def _dimension(
    col: Mapping[str, Any], codes: Sequence[str], var: Mapping[str, Any] | None
) -> Dimension:
    seen = list(dict.fromkeys(codes))
    labels = {code: code for code in seen}
    if var is not None:
        order = {code: i for i, code in enumerate(var["values"])}
        seen.sort(key=lambda code: order.get(code, len(order)))
        labels.update({v: t for v, t in zip(var["values"], var["valueTexts"]) if v in labels})
    return Dimension(
        code=col["code"],
        label=var["text"] if var else col["text"],
        values=tuple(seen),
        value_labels=tuple(labels[c] for c in seen),
    )


def _table_head(head: object, source: str | None) -> dict[str, Any]:
    if head is None:
        return {}
    if isinstance(head, list):
        head = head[0] if head else {}
    if not isinstance(head, Mapping):
        raise PxWebFormatError("'metadata' is neither an object nor a list of objects", source)
    return {k: v for k, v in head.items() if isinstance(v, str)}


def _content_variable(
    variables: Mapping[str, Mapping[str, Any]], content: Sequence[str]
) -> tuple[str, str] | None:
    for code, var in variables.items():
        if set(content) <= set(var["values"]):
            return code, var["text"]
    return None


def _comments(comments: object, source: str | None) -> tuple[str, ...]:
    if comments is None:
        return ()
    if not isinstance(comments, list):
        raise PxWebFormatError("'comments' is not a list", source)
    notes = []
    for item in comments:
        if isinstance(item, str):
            notes.append(item.strip())
        elif isinstance(item, Mapping) and isinstance(item.get("comment"), str):
            where = "=".join(str(item[k]) for k in ("variable", "value") if item.get(k))
            notes.append(
                f"{where}: {item['comment'].strip()}" if where else item["comment"].strip()
            )
        else:
            raise PxWebFormatError(
                f"comment {item!r} is neither text nor an object with 'comment'", source
            )
    return tuple(notes)


def _strings(values: object, what: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise PxWebFormatError(f"{what} is not a list of strings")
    return values
