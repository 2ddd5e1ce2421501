"""Disclosure control of the public indicator tables: primary and secondary cell suppression.

Cells are the (quantity, area, period) values of the quantity grid; an indicator is hidden where
any quantity it shows is hidden, so a number that appears in several indicators is protected the
same way everywhere.

*Primary*: a count 0 < n < threshold is hidden (zero is published, as TEM does).

*Secondary* (the hypercube method of tau-ARGUS, generalised to overlapping area hierarchies):
every identity an attacker can use is a sum within one dimension of the grid - areas (a parent is
the sum of its parts in each partition: employment areas, regions, trial areas, trial groups),
periods (a quarter or year is the mean or sum of its months) or quantities (a total is the sum of
its breakdown). Take a vector u over areas that satisfies every area identity, w over periods
that satisfies every period identity and z over quantities that satisfies every breakdown; their
product z*u*w satisfies every identity of the grid. If every cell where the product is non-zero is
hidden, adding a multiple of it to the hidden cells changes no published number, so none of those
cells can be recovered - not by subtracting one sum, nor by any linear combination of them.

So for each primary cell we pick, one dimension at a time, the cheapest such vector through it
among a few candidates (``relations.grid_factors``: a municipality minus a near-sibling with the
parent areas where they differ, a month minus another month of the same year, a part minus another
part...) and hide the support of the product, the "box". Cheapest = the fewest people newly
hidden; zeros count as the threshold because a zero partner protects nothing in one direction.
Boxes of different primary cells may share cells; primaries are taken in chunks so later ones
reuse what earlier ones hid. One pass, no iteration: every hidden cell lies in a box that protects
it. ``audit_cells`` checks a result exactly (dense linear algebra; for tests and small tables).

Hand-rolled because tau-ARGUS and sdcTable are Java/R, and their LP-based methods are too slow for
millions of cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

_TOL = 1e-7
CHUNK = 20_000


@dataclass(frozen=True)
class Relations:
    """Linear identities sum_k coef_k * cell_k = 0, as member rows sorted by relation; used to
    audit a suppression pattern exactly."""

    rel: np.ndarray  # relation id of each member row, sorted, dense 0..n-1
    cell: np.ndarray  # flat cell index
    coef: np.ndarray  # coefficient (children +1, parent -1, or -n for a mean over n)
    n: int

    @classmethod
    def from_members(cls, rel: np.ndarray, cell: np.ndarray, coef: np.ndarray) -> Relations:
        """From member rows in any order and with any relation labels."""
        order = np.argsort(rel, kind="stable")
        labels, dense = np.unique(rel[order], return_inverse=True)
        return cls(dense.astype(np.int64), cell[order].astype(np.int64), coef[order].astype(np.float64), len(labels))

    def restrict(self, available: np.ndarray) -> Relations:
        """Drop relations with a member that is not available (not published as a number at all)."""
        bad = np.bincount(self.rel, weights=~available[self.cell], minlength=self.n) > 0
        bad |= np.bincount(self.rel, minlength=self.n) < 2
        keep = ~bad[self.rel]
        new_id = np.cumsum(~bad) - 1
        return Relations(new_id[self.rel[keep]].astype(self.rel.dtype), self.cell[keep], self.coef[keep],
                         int((~bad).sum()))


@dataclass(frozen=True)
class Factors:
    """Candidate vectors of one dimension (areas, periods or quantities), per coordinate: each
    candidate is the list of coordinates where it is non-zero (padded with -1)."""

    candidates: tuple[np.ndarray, ...]  # per coordinate: int array (n_candidates, width)

    def __len__(self) -> int:
        return len(self.candidates)


@dataclass(frozen=True)
class Suppression:
    primary: np.ndarray  # bool per flat cell
    hidden: np.ndarray  # bool per flat cell (primary or secondary)


def primary_mask(values: np.ndarray, protected: np.ndarray, threshold: int) -> np.ndarray:
    """Counts 0 < n < threshold among the protected cells."""
    with np.errstate(invalid="ignore"):
        return protected & (values > 0) & (values < threshold)


def suppress_boxes(values: np.ndarray, primary: np.ndarray, areas: Factors, periods: dict[str, Factors],
                   period_kind: list[str], quantities: Factors, threshold: int) -> Suppression:
    """Primary cells plus a protecting box around each (see the module docstring).

    ``values`` and ``primary`` have the grid's shape (quantity, area, period); ``period_kind[q]``
    names the ``periods`` factors of quantity q ('none' for quantities without period identities).
    """
    _, A, P = values.shape
    hidden = primary.copy()
    available = ~np.isnan(values)
    targets = np.argwhere(primary)
    kinds = np.array(period_kind)
    # cost of hiding a cell: its value; zero counts as the threshold; hidden or missing cells are free
    cost = np.where(hidden | ~available, 0.0, np.where(values > 0, values, float(threshold)))
    pad = np.append(cost.ravel(), 0.0)  # index -1 (padding) reads a zero cost

    def cells(qq, aa, pp):
        flat = (qq * A + aa) * P + pp
        return np.where((qq < 0) | (aa < 0) | (pp < 0), -1, flat)

    for start in range(0, len(targets), CHUNK):
        q, a, p = targets[start:start + CHUNK].T
        area_box = _choose(areas, a, lambda cand, i, q=q, p=p: pad[cells(q[i, None, None], cand, p[i, None, None])])
        period_box = np.full((len(q), _width(periods)), -1)
        for kind in np.unique(kinds[q]):
            rows = np.flatnonzero(kinds[q] == kind)
            qr, ar = q[rows], a[rows]
            chosen = _choose(periods[kind], p[rows],
                             lambda cand, i, qr=qr, ar=ar: pad[cells(qr[i, None, None], ar[i, None, None], cand)])
            period_box[rows, : chosen.shape[1]] = chosen
        quantity_box = _choose(quantities, q,
                               lambda cand, i, a=a, p=p: pad[cells(cand, a[i, None, None], p[i, None, None])])
        box = cells(quantity_box[:, :, None, None], area_box[:, None, :, None], period_box[:, None, None, :])
        box = box[box >= 0]
        box = box[available.ravel()[box]]
        hidden.ravel()[box] = True
        pad[box] = 0.0  # later chunks reuse what is hidden now
    return Suppression(primary, hidden)


def _choose(factors: Factors, coordinate: np.ndarray, cost_of) -> np.ndarray:
    """For each target, the cheapest candidate of its coordinate (rows padded with -1)."""
    width = max(c.shape[1] for c in factors.candidates)
    out = np.full((len(coordinate), width), -1)
    order = np.argsort(coordinate, kind="stable")
    bounds = np.flatnonzero(np.diff(coordinate[order])) + 1
    for group in np.split(order, bounds):
        if not len(group):
            continue
        cand = factors.candidates[coordinate[group[0]]]
        costs = cost_of(cand[None, :, :], group).sum(axis=2)  # (targets, candidates)
        best = cand[np.argmin(costs, axis=1)]
        out[group, : best.shape[1]] = best
    return out


def _width(factors: dict[str, Factors]) -> int:
    return max(c.shape[1] for f in factors.values() for c in f.candidates)


def determined_cells(hidden: np.ndarray, r: Relations, max_cells: int | None = None) -> np.ndarray:
    """Hidden cells whose value follows from the published relations (flat indices): an exact
    check of a suppression pattern, for tests and small tables."""
    return audit_cells(hidden, r, max_cells)[0]


def audit_cells(hidden: np.ndarray, r: Relations, max_cells: int | None = None) -> tuple[np.ndarray, int]:
    """Determined hidden cells, and the number of hidden cells left unaudited (components larger
    than ``max_cells``; None audits everything)."""
    rows = hidden[r.cell]
    if not rows.any():
        return np.zeros(0, dtype=np.int64), 0
    cells = np.flatnonzero(hidden)
    col = np.full(len(hidden), -1, dtype=np.int64)
    col[cells] = np.arange(len(cells))
    rel_ids, rel_row = np.unique(r.rel[rows], return_inverse=True)
    A = sp.csc_matrix((r.coef[rows], (rel_row, col[r.cell[rows]])), shape=(len(rel_ids), len(cells)))
    n_comp, label = _components(A.tocsr())
    sizes = np.bincount(label, minlength=n_comp)
    order = np.argsort(label, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    out, unaudited = [], 0
    for comp in np.flatnonzero(sizes >= 1):
        if max_cells is not None and sizes[comp] > max_cells:
            unaudited += int(sizes[comp])
            continue
        members = order[bounds[comp]:bounds[comp + 1]]
        sub = A[:, members].tocsr()
        sub = sub[np.diff(sub.indptr) > 0]
        if sub.shape[0] == 0:
            continue
        fixed = _dense_determined(sub.toarray())
        out.append(cells[members[fixed]])
    found = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    return found, unaudited


def _components(A: sp.csr_matrix) -> tuple[int, np.ndarray]:
    """Connected components of hidden cells linked by shared relations (cells and relations as
    the two node sets of one bipartite graph)."""
    n_rel, n_cell = A.shape
    B = sp.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=A.shape)
    graph = sp.bmat([[None, B], [B.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    cell_labels = labels[n_rel:]
    _, dense = np.unique(cell_labels, return_inverse=True)
    return int(dense.max()) + 1 if n_cell else 0, dense


def _dense_determined(A: np.ndarray) -> np.ndarray:
    """Columns i with e_i in the row space of A, i.e. a zero row i in the null space of A, found
    as the eigenvectors of A'A (small: one column per hidden cell) with eigenvalue ~0."""
    gram = A.T @ A
    values, vectors = np.linalg.eigh(gram)
    null = vectors[:, values < _TOL * max(1.0, float(values.max(initial=0.0)))]
    return np.flatnonzero(np.abs(null).max(axis=1, initial=0.0) < 1e-6)
