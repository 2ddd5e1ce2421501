"""Disclosure control of the package's count tables, with the indicator stage's suppression.

Every count the package publishes is a *cell* named by ``KEYS`` (measure, cohort, area, group,
month, state, detail). A count that appears in several tables (the cohort size observed at month
k is the total of the state distribution, the row total of a transition matrix and the base of
the income tables) is one cell, so it is hidden everywhere or nowhere. The linear identities an
attacker can use are declared as *families* - a parent cell is the sum of its children:

* areas: the country = the sum of the employment areas (and of persons with no known area);
* groups: the whole cohort = the sum of the codes of each group dimension (unknown included);
* within a table: the cohort observed at month k = the sum over states, over paths, over the
  cells of a transition matrix; a matrix row / column = its row / column total.

Primary: counts 1..threshold-1 are hidden (``vaikutus.indicators.suppression.primary_mask``, the
project's rule). Secondary, in rounds until nothing changes:

1. differencing - while an identity has exactly one hidden cell, hide its smallest non-zero
   published cell (a zero only if nothing else is left);
2. exact linear audit - ``vaikutus.indicators.suppression.audit_cells`` finds hidden cells that a
   *system* of identities still pins down; for each, hide the smallest published cell of one of
   its identities. Connected groups of more than ``AUDIT_MAX_CELLS`` hidden cells are left to
   step 1 alone (too slow to audit exactly); their number is reported with the package.

Why not the indicator stage's ``suppress_boxes``: it needs a product grid (quantity x area x
period) whose identities run along one axis each; the package's cells are not one - a path or a
transition cell sums into totals of other measures, main states roll up detailed ones - so the
generic identity list above is used, with the same primary rule and the same exact audit.

Means, sums and shares built on a hidden count are hidden with it (``Disclosure.hidden_for``).
Cells of persons with no known area or group are computed (they complete the identities) but
never published.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaikutus.indicators.suppression import Relations, audit_cells, primary_mask
from vaikutus.reports.states import COUNTRY

#: Largest connected group of hidden cells audited exactly (dense eigen-decomposition).
AUDIT_MAX_CELLS = 400
MAX_ROUNDS = 50
KEYS = ("measure", "cohort", "area_code", "group_dim", "group_code", "k", "state", "detail")


@dataclass(frozen=True)
class Family:
    """``parent`` cells = sum of ``child`` cells with the same other keys. Without ``rollup`` the
    parent's ``varying`` columns are empty; with it, a child belongs to the parent whose
    ``varying`` values are the child's mapped through ``rollup`` (detailed -> main states)."""

    parent: str
    child: str
    varying: tuple[str, ...]
    rollup: tuple[tuple[str, str], ...] = ()


def cells_frame(frame: pd.DataFrame, measure: str, value: str, **keys: str) -> pd.DataFrame:
    """Cells of ``frame``: column ``value`` as the count, ``keys`` naming the frame's columns of
    the key columns (a key not named is empty)."""
    out = pd.DataFrame({"measure": measure}, index=frame.index)
    for key in KEYS[1:]:
        out[key] = frame[keys[key]].astype(str) if key in keys else ""
    out["value"] = frame[value].to_numpy(dtype=float)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Disclosure:
    """Which cells are hidden; ``None`` tables mean an internal package (nothing hidden)."""

    cells: pd.DataFrame | None
    threshold: int
    unaudited: int = 0

    @classmethod
    def internal(cls, threshold: int) -> Disclosure:
        return cls(None, threshold)

    @classmethod
    def public(cls, parts: list[pd.DataFrame], families: list[Family], threshold: int) -> Disclosure:
        cells = pd.concat(parts, ignore_index=True)
        cells = _deduplicate(cells)
        relations = _relations(cells, families)
        values = cells["value"].to_numpy()
        primary = primary_mask(values, np.ones(len(values), dtype=bool), threshold)
        hidden, unaudited = secondary(values, primary, relations)
        cells["hidden"] = hidden
        cells["primary"] = primary
        return cls(cells.set_index(list(KEYS)), threshold, unaudited)

    @property
    def is_public(self) -> bool:
        return self.cells is not None

    def hidden_for(self, frame: pd.DataFrame, measure: str, **keys: str | tuple[str]) -> np.ndarray:
        """For each row of ``frame``: is the cell hidden? ``keys`` give a column of ``frame`` by
        name or a constant as a one-element tuple; a key not given is empty."""
        if self.cells is None or frame.empty:
            return np.zeros(len(frame), dtype=bool)
        idx = pd.MultiIndex.from_arrays([_key_values(frame, k, measure if k == "measure" else keys.get(k))
                                         for k in KEYS], names=list(KEYS))
        found = self.cells["hidden"].reindex(idx)
        if found.isna().any():
            missing = idx[found.isna().to_numpy()][:3].tolist()
            raise KeyError(f"cells not declared to disclosure control, e.g. {missing}")
        return found.to_numpy(dtype=bool)

    def counts(self) -> dict[str, int]:
        """Cells, primary and secondary hidden cells (methods section)."""
        if self.cells is None:
            return {"cells": 0, "primary": 0, "secondary": 0, "unaudited": 0}
        published = ~self.cells.index.get_level_values("area_code").isin(["unknown"])
        c = self.cells[published]
        return {"cells": int(len(c)), "primary": int(c.primary.sum()),
                "secondary": int((c.hidden & ~c.primary).sum()), "unaudited": self.unaudited}


def secondary(values: np.ndarray, primary: np.ndarray, r: Relations) -> tuple[np.ndarray, int]:
    """Primary plus secondary hidden cells (see the module docstring), and the hidden cells
    left unaudited."""
    hidden = primary.copy()
    unaudited = 0
    for _ in range(MAX_ROUNDS):
        _close_differences(values, hidden, r)
        determined, unaudited = audit_cells(hidden, r, AUDIT_MAX_CELLS)
        if not len(determined):
            return hidden, unaudited
        _protect(values, hidden, r, determined)
    raise RuntimeError(f"secondary suppression did not settle in {MAX_ROUNDS} rounds")


def _close_differences(values: np.ndarray, hidden: np.ndarray, r: Relations) -> None:
    while True:
        h = hidden[r.cell]
        single = np.bincount(r.rel, weights=h, minlength=r.n) == 1
        rows = single[r.rel] & ~h
        if not rows.any():
            return
        hidden[_smallest(values, r.rel[rows], r.cell[rows])] = True


def _smallest(values: np.ndarray, groups: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Per group the cell with the smallest non-zero value (zero only if all are zero); ties go
    to the lowest cell index, so the result is the same on every run."""
    v = values[cells]
    order = np.lexsort((cells, v, v == 0, groups))
    _, first = np.unique(groups[order], return_index=True)
    return np.unique(cells[order[first]])


def _protect(values: np.ndarray, hidden: np.ndarray, r: Relations, determined: np.ndarray) -> None:
    """For each determined cell hide the smallest published cell of an identity it is in."""
    member = np.isin(r.cell, determined)
    rels = np.unique(r.rel[member])
    rows = np.isin(r.rel, rels) & ~hidden[r.cell]
    if not rows.any():
        raise RuntimeError("a hidden cell is determined by identities with no published cell left")
    hidden[_smallest(values, np.zeros(int(rows.sum()), dtype=np.int64), r.cell[rows])] = True


def _key_values(frame: pd.DataFrame, key: str, spec) -> np.ndarray:
    if key == "measure":
        return np.full(len(frame), spec, dtype=object)
    if spec is None:
        return np.full(len(frame), "", dtype=object)
    if isinstance(spec, tuple):
        return np.full(len(frame), str(spec[0]), dtype=object)
    return frame[spec].astype(str).to_numpy(dtype=object)


def _deduplicate(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per cell; a cell emitted twice must carry the same count."""
    spread = cells.groupby(list(KEYS), sort=False)["value"].agg(["min", "max"])
    clash = spread[spread["min"] != spread["max"]]
    if len(clash):
        raise ValueError(f"one cell with two different counts: {clash.index[0]}")
    return cells.drop_duplicates(list(KEYS), ignore_index=True)


def _relations(cells: pd.DataFrame, families: list[Family]) -> Relations:
    cells = cells.assign(cell=np.arange(len(cells)))
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    offset = 0

    def add(parent: pd.DataFrame, children: pd.DataFrame, on: list[str]) -> None:
        nonlocal offset
        linked = children.merge(parent[[*on, "cell"]], on=on, suffixes=("", "_parent"))
        if linked.empty:
            return
        rel_parent, rel_ids = np.unique(linked["cell_parent"].to_numpy(), return_inverse=True)
        parts.append((offset + np.arange(len(rel_parent)), rel_parent, np.full(len(rel_parent), -1.0)))
        parts.append((offset + rel_ids, linked["cell"].to_numpy(), np.ones(len(linked))))
        offset += len(rel_parent)

    others = [k for k in KEYS if k != "area_code"]
    add(cells[cells.area_code == COUNTRY], cells[cells.area_code != COUNTRY], others)
    whole = cells[cells.group_dim == "all"]
    for dim in cells.group_dim.unique():
        if dim != "all":
            add(whole, cells[cells.group_dim == dim], [k for k in KEYS if k not in ("group_dim", "group_code")])
    for fam in families:
        parent = cells[(cells.measure == fam.parent)]
        children = cells[cells.measure == fam.child]
        if fam.rollup:
            mapping = dict(fam.rollup)
            children = children.assign(**{c: children[c].map(mapping) for c in fam.varying}).dropna(subset=list(fam.varying))
            on = [k for k in KEYS if k != "measure"]
        else:
            for col in fam.varying:
                parent = parent[parent[col] == ""]
            on = [k for k in KEYS if k != "measure" and k not in fam.varying]
        add(parent, children, on)
    if not parts:
        return Relations.from_members(np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    rel, cell, coef = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return Relations.from_members(rel, cell, coef)
