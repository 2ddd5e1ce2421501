"""PxWeb queries: build one from months and areas, count its cells, split it under the cell limit.

StatFin answers at most about 100 000 cells per query (DOMAIN.md D), so a long monthly history of
every municipality has to be asked in pieces. The query's selections are expanded against the
table's GET metadata (``all``/wildcards and ``top`` become explicit codes) and split by time first,
then by area, then by the largest other variable. ``agg:``/``vs:`` groupings are passed through
unsplit, counted as one cell per listed group.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vaikutus.registry.pxweb.codes import (
    AREA_TYPES,
    COUNTRY,
    area_of,
    is_area_code,
    time_dimension_score,
    to_period,
)
from vaikutus.registry.pxweb.errors import PxWebFormatError
from vaikutus.registry.pxweb.jsonfmt import metadata_variables

MAX_CELLS = 100_000


class QueryError(ValueError):
    """A query that cannot be asked of this table (unknown variable or code, unsplittable size)."""


@dataclass(frozen=True)
class Selection:
    """One variable's selection; ``values`` are explicit codes when ``filter`` is ``item``."""

    code: str
    filter: str
    values: tuple[str, ...]

    @property
    def count(self) -> int:
        if self.filter == "top":
            return int(self.values[0])
        return len(self.values)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "selection": {"filter": self.filter, "values": list(self.values)},
        }


def query_selections(query: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Selection]:
    """The selections of a PxWeb query body (``{"query": [...]}``) or of its ``query`` list."""
    items = query.get("query") if isinstance(query, Mapping) else query
    if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
        raise QueryError("a PxWeb query is {'query': [{'code': ..., 'selection': {...}}, ...]}")
    out = []
    for item in items:
        selection = item.get("selection") if isinstance(item, Mapping) else None
        if not isinstance(selection, Mapping) or not isinstance(item.get("code"), str):
            raise QueryError(f"query item {item!r} needs 'code' and 'selection'")
        values = selection.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise QueryError(f"selection of {item['code']!r}: 'values' must be a list of codes")
        out.append(Selection(item["code"], str(selection.get("filter", "item")), tuple(values)))
    return out


def expand(selections: Sequence[Selection], metadata: Mapping[str, Any]) -> list[Selection]:
    """Make every selection explicit against the table metadata; check codes and eliminations."""
    variables = metadata_variables(metadata)
    time = time_variable(variables)
    chosen = {s.code: s for s in selections}
    unknown = set(chosen) - set(variables)
    if unknown:
        raise QueryError(
            f"the table has no variable {sorted(unknown)[0]!r}; it has {list(variables)}"
        )
    out = []
    for code, var in variables.items():
        sel = chosen.get(code)
        if sel is None:
            if not var["elimination"]:
                raise QueryError(
                    f"variable {code!r} must be selected: the table cannot leave it out"
                    " (no elimination)"
                )
            continue
        out.append(_explicit(sel, var, code == time))
    return out


def _explicit(sel: Selection, var: Mapping[str, Any], is_time: bool) -> Selection:
    values = var["values"]
    if sel.filter == "item":
        missing = [v for v in sel.values if v not in values]
        if missing:
            raise QueryError(f"variable {sel.code!r} has no value {missing[0]!r}")
        return sel
    if sel.filter == "all":
        picked = [
            v for v in values if any(fnmatch.fnmatchcase(v, pattern) for pattern in sel.values)
        ]
        return Selection(sel.code, "item", tuple(picked))
    if sel.filter == "top":
        if len(sel.values) != 1 or not sel.values[0].isdigit():
            raise QueryError(
                f"filter 'top' of {sel.code!r} takes one count, got {list(sel.values)}"
            )
        if is_time:
            return Selection(sel.code, "item", tuple(values[-int(sel.values[0]) :]))
        return sel
    if sel.filter.startswith(("agg:", "vs:")):
        return sel
    raise QueryError(
        f"filter {sel.filter!r} of {sel.code!r} is not a PxWeb filter (item, all, top, agg:, vs:)"
    )


def cell_count(selections: Sequence[Selection]) -> int:
    return math.prod(s.count for s in selections)


def split(
    selections: Sequence[Selection], metadata: Mapping[str, Any], max_cells: int = MAX_CELLS
) -> list[list[Selection]]:
    """Explicit selections split into queries of at most ``max_cells`` cells (time, area, size)."""
    variables = metadata_variables(metadata)
    order = _split_order(selections, variables)
    chunks = [list(selections)]
    for code in order:
        if max(cell_count(c) for c in chunks) <= max_cells:
            break
        chunks = [part for chunk in chunks for part in _split_one(chunk, code, max_cells)]
    largest = max(cell_count(c) for c in chunks)
    if largest > max_cells:
        raise QueryError(
            f"cannot split the query below {max_cells} cells (smallest piece {largest})"
        )
    return chunks


def _split_order(selections: Sequence[Selection], variables: Mapping[str, Any]) -> list[str]:
    splittable = [s for s in selections if s.filter == "item" and s.count > 1]
    time = time_variable(variables)
    geo = geo_variable(variables)
    first = [code for code in (time, geo) if any(s.code == code for s in splittable)]
    rest = sorted((s for s in splittable if s.code not in first), key=lambda s: -s.count)
    return first + [s.code for s in rest]


def _split_one(chunk: list[Selection], code: str, max_cells: int) -> list[list[Selection]]:
    index = next(i for i, s in enumerate(chunk) if s.code == code)
    sel = chunk[index]
    others = cell_count(chunk) // max(sel.count, 1)
    per = max(1, max_cells // max(others, 1))
    parts = [sel.values[i : i + per] for i in range(0, len(sel.values), per)]
    return [[*chunk[:index], replace(sel, values=part), *chunk[index + 1 :]] for part in parts]


def time_variable(variables: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The metadata's time variable: flagged ``time``, else the one holding time codes."""
    flagged = [code for code, var in variables.items() if var["time"]]
    if flagged:
        return flagged[0]
    scored = sorted(
        ((time_dimension_score(v["values"]), c) for c, v in variables.items()), reverse=True
    )
    return scored[0][1] if scored and scored[0][0] > 0 else None


def geo_variable(variables: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The metadata's area variable: the one holding StatFin area codes (``KU091``...)."""
    return next(
        (
            code
            for code, var in variables.items()
            if any(v != COUNTRY and is_area_code(v) for v in var["values"])
        ),
        None,
    )


def build_query(
    metadata: Mapping[str, Any],
    *,
    months: str = "all",
    areas: str = "all",
    select: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """A PxWeb query list for the CLI's ``--months``/``--areas``/``--select``.

    ``months``: ``all``, ``2021M01:2026M06`` (inclusive), or a comma list. ``areas``: ``all``, or a
    comma list of codes and area types (``municipality`` = every ``KU###``; see
    :data:`~vaikutus.registry.pxweb.codes.AREA_TYPES`). Other variables: ``select`` codes, else all
    values when the table cannot leave the variable out, else left out (the table's total).
    """
    variables = metadata_variables(metadata)
    time, geo = time_variable(variables), geo_variable(variables)
    if time is None:
        raise PxWebFormatError("the table metadata has no time variable")
    select = dict(select or {})
    unknown = set(select) - set(variables)
    if unknown:
        raise QueryError(
            f"--select names no variable of the table: {sorted(unknown)}; it has {list(variables)}"
        )
    query = []
    for code, var in variables.items():
        if code == time:
            values = _months(months, var["values"])
        elif code == geo:
            values = _areas(areas, var["values"])
        elif code in select:
            values = list(select[code])
        elif not var["elimination"]:
            values = list(var["values"])
        else:
            continue
        query.append(Selection(code, "item", tuple(values)).to_json())
    return query


def _months(spec: str, values: list[str]) -> list[str]:
    if spec == "all":
        return list(values)
    if ":" in spec:
        first, last = (to_period(part.strip()) for part in spec.split(":", 1))
        picked = [v for v in values if first <= to_period(v) <= last]
    else:
        wanted = [part.strip() for part in spec.split(",")]
        missing = [w for w in wanted if w not in values]
        if missing:
            raise QueryError(
                f"the table has no period {missing[0]!r} (it runs {values[0]}..{values[-1]})"
            )
        picked = [v for v in values if v in wanted]
    if not picked:
        raise QueryError(
            f"no period of the table falls in {spec!r} (it runs {values[0]}..{values[-1]})"
        )
    return picked


def _areas(spec: str, values: list[str]) -> list[str]:
    if spec == "all":
        return list(values)
    wanted: set[str] = set()
    for token in (t.strip() for t in spec.split(",")):
        if token in AREA_TYPES:
            wanted.update(v for v in values if is_area_code(v) and area_of(v)[0] == token)
        elif token in values:
            wanted.add(token)
        else:
            raise QueryError(
                f"{token!r} is neither an area code of the table nor one of {AREA_TYPES}"
            )
    return [v for v in values if v in wanted]
