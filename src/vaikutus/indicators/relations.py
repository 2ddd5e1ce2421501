"""The linear relations an attacker can use on the published quantity grid, and the vectors that
satisfy them one dimension at a time (the building blocks of secondary suppression).

Three kinds of relation, each within one dimension of the grid (``flat = (q * A + a) * P + p``):

* areas: every partition of ``Areas.partitions()`` (parent = sum of children), for every period;
* periods: quarter and year = mean (stocks) or sum (flows) of their months, year of its quarters,
  only for quantities whose quarters and years are formed that way;
* breakdowns: the totals of ``quantities.FAMILIES`` = sum of their parts, for every area and period.

Only cells of protected quantities (role ``count``) take part; a relation with a member that is not
available (NaN, e.g. municipalities of a caseload quantity) is dropped, as nobody can use it.

``grid_factors`` lists, for every area, period and quantity, a few vectors of that dimension that
satisfy all its relations and are non-zero there ("factors"; see ``suppression.py``):

* areas: for municipalities a, b the vector +1 on every area containing a, -1 on every area
  containing b (common areas cancel) - the change "move one person from b to a" - and the chain
  +1 on a and all its parents; a municipality is paired with its nearest siblings (fewest areas
  that differ), a larger area with municipalities inside and outside it;
* periods: one month minus another of the same year, with their quarter and year where those
  differ (weights 1/3 and 1/12 for means), and the chain month - quarter - year;
* quantities: a part plus every total it belongs to, minus the same for another part.

Each candidate is checked against the relations when it is built.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaikutus.indicators.aggregate import Grid
from vaikutus.indicators.areas import Areas
from vaikutus.indicators.quantities import FAMILIES, QUANTITIES
from vaikutus.indicators.suppression import Factors, Relations

#: Nearest siblings tried as partners of a municipality.
PARTNERS = 8


def protected_rows(grid: Grid) -> np.ndarray:
    """Grid rows of the quantities disclosure control protects."""
    return np.array([i for i, q in enumerate(grid.quantities) if QUANTITIES[q].role == "count"], dtype=np.int64)


def grid_relations(grid: Grid, areas: Areas) -> Relations:
    """All relations of the grid. Each block is laid out so that relation ids come out sorted and
    dense (no sort of tens of millions of rows), in int32 when the grid is small enough."""
    Q, A, P = grid.values.shape
    qs = protected_rows(grid)
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    # parent area = sum of child areas: layout (quantity, period, template row)
    t_rel, t_area, t_coef = _area_template(grid, areas)
    n_t = int(t_rel.max()) + 1
    qp = np.arange(len(qs) * P).reshape(len(qs), P)
    cells = (qs[:, None, None] * A + t_area[None, None, :]) * P + np.arange(P)[None, :, None]
    rels = qp[:, :, None] * n_t + t_rel[None, None, :]
    blocks.append((rels, cells, np.broadcast_to(t_coef, cells.shape)))

    # quarter / year = mean or sum of months: layout (quantity, area, template row)
    for how in ("mean", "sum"):
        q_how = np.array([q for q in qs if QUANTITIES[grid.quantities[q]].time == how
                          and QUANTITIES[grid.quantities[q]].area == "sum"], dtype=np.int64)
        p_rel, p_period, p_coef = _period_template(grid, how)
        if not len(q_how) or not len(p_rel):
            continue
        n_p = int(p_rel.max()) + 1
        unit = q_how[:, None] * A + np.arange(A)[None, :]
        cells = unit[:, :, None] * P + p_period[None, None, :]
        rels = np.arange(unit.size).reshape(unit.shape)[:, :, None] * n_p + p_rel[None, None, :]
        blocks.append((rels, cells, np.broadcast_to(p_coef, cells.shape)))

    # total = sum of its breakdown: layout (area x period, member)
    for total, members in _families(grid):
        q_m = np.array([grid.row(total), *(grid.row(m) for m in members)], dtype=np.int64)
        coef = np.array([-1.0] + [1.0] * len(members))
        ap = np.arange(A * P)
        cells = q_m[None, :] * A * P + ap[:, None]
        rels = np.broadcast_to(ap[:, None], cells.shape)
        blocks.append((rels, cells, np.broadcast_to(coef, cells.shape)))

    itype = np.int32 if Q * A * P < 2**31 else np.int64
    rel_parts, offset = [], 0
    for rels, _, _ in blocks:
        rel_parts.append((rels.ravel() + offset).astype(itype))
        offset += int(rels.max()) + 1
    rel = np.concatenate(rel_parts)
    cell = np.concatenate([c.ravel().astype(itype) for _, c, _ in blocks])
    coef = np.concatenate([k.ravel().astype(np.float32) for _, _, k in blocks])
    available = ~np.isnan(grid.values.ravel())
    return Relations(rel, cell, coef, offset).restrict(available)


def _area_template(grid: Grid, areas: Areas) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = grid.areas.set_index(["area_type", "area_code"]).area_id
    rel, area, coef = [], [], []
    for i, (parent, children) in enumerate(areas.partitions()):
        rel += [i] * (1 + len(children))
        area += [ids[parent], *(ids[c] for c in children)]
        coef += [-1.0] + [1.0] * len(children)
    return np.array(rel), np.array(area), np.array(coef)


def _period_template(grid: Grid, how: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    per = grid.periods
    rel, period, coef = [], [], []
    # a year of its quarters is implied by the month relations, but listing it lets the cheap
    # differencing step see it (a year minus three published quarters)
    for r, (parent, children) in enumerate([*per.months_of.items(), *per.quarters_of.items()]):
        rel += [r] * (1 + len(children))
        period += [parent, *children]
        coef += [-(len(children) if how == "mean" else 1.0)] + [1.0] * len(children)
    return np.array(rel, dtype=np.int64), np.array(period, dtype=np.int64), np.array(coef, dtype=np.float64)


def _families(grid: Grid) -> list[tuple[str, tuple[str, ...]]]:
    """FAMILIES with aliases resolved; duplicates (after aliasing) once."""
    seen, out = set(), []
    for total, members in FAMILIES:
        t = grid.alias.get(total, total)
        m = tuple(grid.alias.get(x, x) for x in members)
        if t in m or (t, m) in seen:
            continue
        seen.add((t, m))
        out.append((t, m))
    return out


def grid_factors(grid: Grid, areas: Areas) -> tuple[Factors, dict[str, Factors], list[str], Factors]:
    """Candidate vectors per area, per period (for each kind of period relation), the kind of each
    quantity ('mean', 'sum' or 'none'), and candidates per quantity."""
    kinds = [_period_kind(q) for q in grid.quantities]
    periods = {kind: _period_factors(grid, kind) for kind in ("mean", "sum", "none")}
    return _area_factors(grid, areas), periods, kinds, _quantity_factors(grid)


def _period_kind(name: str) -> str:
    q = QUANTITIES[name]
    return q.time if q.area == "sum" and q.time in ("mean", "sum") else "none"


def _pad(vectors: list[dict[int, float]]) -> np.ndarray:
    width = max(len(v) for v in vectors)
    out = np.full((len(vectors), width), -1)
    for i, v in enumerate(vectors):
        out[i, : len(v)] = sorted(v)
    return out


def _check(vectors: list[dict[int, float]], rel: np.ndarray, member: np.ndarray, coef: np.ndarray, what: str) -> None:
    if not all(_satisfies(v, rel, member, coef) for v in vectors):
        raise RuntimeError(f"internal error: a candidate {what} vector breaks a relation")


def _signed(plus: dict[int, float], minus: dict[int, float]) -> dict[int, float]:
    out = dict(plus)
    for k, c in minus.items():
        out[k] = out.get(k, 0.0) - c
    return {k: c for k, c in out.items() if abs(c) > 1e-12}


def _area_factors(grid: Grid, areas: Areas) -> Factors:
    A = len(grid.areas)
    ids = grid.areas.set_index(["area_type", "area_code"]).area_id
    munis = areas.table.municipality.tolist()
    mem = areas.membership
    M = np.zeros((len(munis), A), dtype=np.int64)
    M[mem.municipality.map({m: i for i, m in enumerate(munis)}).to_numpy(),
      ids.reindex(pd.MultiIndex.from_frame(mem[["area_type", "area_code"]])).to_numpy()] = 1
    chain = [{int(x): 1.0 for x in np.flatnonzero(M[i])} for i in range(len(munis))]
    sizes = M.sum(axis=1)
    differ = sizes[:, None] + sizes[None, :] - 2 * (M @ M.T)
    muni_of_area = {int(ids[("municipality", m)]): i for i, m in enumerate(munis)}
    out, checked = [], []
    for x in range(A):
        inside = np.flatnonzero(M[:, x])
        if x in muni_of_area:
            i = muni_of_area[x]
            order = np.lexsort((np.arange(len(munis)), differ[i]))
            pairs = [(i, b) for b in order if b != i][:PARTNERS]
            vectors = [_signed(chain[a], chain[b]) for a, b in pairs] + [chain[i]]
        else:
            outside = np.flatnonzero(M[:, x] == 0)
            vectors = [chain[a] for a in inside]
            if len(outside):
                d = differ[np.ix_(inside, outside)]
                best = np.argsort(d, axis=None, kind="stable")[:PARTNERS]
                vectors += [_signed(chain[inside[k // len(outside)]], chain[outside[k % len(outside)]]) for k in best]
        out.append(_pad(vectors))
        checked += vectors
    rel, member, coef = _area_template(grid, areas)
    _check(checked, rel, member, coef, "area")
    return Factors(tuple(out))


def _period_factors(grid: Grid, kind: str) -> Factors:
    per = grid.periods
    P = per.n
    if kind == "none":
        return Factors(tuple(np.array([[t]]) for t in range(P)))
    weight = {pid: (1 / len(m) if kind == "mean" else 1.0) for pid, m in per.months_of.items()}
    parents: dict[int, list[int]] = {m: [] for m in range(per.n_months)}
    for pid, months in per.months_of.items():
        for m in months:
            parents[int(m)].append(pid)
    chain = {m: {m: 1.0, **{pid: weight[pid] for pid in parents[m]}} for m in parents}
    labels = per.table.period.to_numpy()
    year = {m: labels[m][:4] for m in parents}
    out, checked = [], []
    for t in range(P):
        if t < per.n_months:
            pairs = [(t, m) for m in parents if m != t and year[m] == year[t]]
            own = [t]
        else:
            own = [int(m) for m in per.months_of[t]]
            if per.table.period_type[t] == "quarter":
                pairs = [(m, o) for m in own for o in parents if year[o] == year[m] and o not in own]
            else:
                pairs = [(m, o) for m in own for o in parents if o in (m - 12, m + 12)]
        vectors = [_signed(chain[a], chain[b]) for a, b in pairs] + [chain[m] for m in own]
        vectors = [v for v in vectors if t in v]
        out.append(_pad(vectors))
        checked += vectors
    rel, member, coef = _period_template(grid, kind)
    if len(rel):
        _check(checked, rel, member, coef, "period")
    return Factors(tuple(out))


def _quantity_factors(grid: Grid) -> Factors:
    """Per quantity: candidates over the quantity dimension (a lone quantity is its own)."""
    fams = [(grid.row(t), [grid.row(m) for m in members]) for t, members in _families(grid)]
    parents: dict[int, set[int]] = {}
    for total, members in fams:
        for m in members:
            parents.setdefault(m, set()).add(total)

    def ancestors(q: int) -> dict[int, float]:
        seen, todo = {q}, [q]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return {x: 1.0 for x in seen}

    in_family = {q for total, members in fams for q in (total, *members)}
    rel = np.concatenate([[i] * (1 + len(m)) for i, (_, m) in enumerate(fams)]).astype(np.int64) if fams else np.zeros(0, int)
    member = np.concatenate([[t, *m] for t, m in fams]).astype(np.int64) if fams else np.zeros(0, int)
    coef = np.concatenate([[-1.0] + [1.0] * len(m) for _, m in fams]) if fams else np.zeros(0)
    out = []
    for q in range(len(grid.quantities)):
        if q not in in_family:
            out.append(np.array([[q]]))
            continue
        below = [p for p in in_family if q in ancestors(p)]
        vectors = [ancestors(p) for p in below]
        vectors += [_signed(ancestors(p), ancestors(o)) for p in below for o in in_family if q not in ancestors(o)]
        vectors = [v for v in vectors if q in v and _satisfies(v, rel, member, coef)]
        out.append(_pad(vectors))
    return Factors(tuple(out))


def _satisfies(v: dict[int, float], rel: np.ndarray, member: np.ndarray, coef: np.ndarray) -> bool:
    """Does the vector satisfy every relation (sum of coef * vector over the members = 0)?"""
    x = np.zeros(int(max(member.max(initial=0), max(v)) + 1))
    for k, c in v.items():
        x[k] = c
    return np.abs(np.bincount(rel, weights=coef * x[member])).max(initial=0.0) < 1e-9
