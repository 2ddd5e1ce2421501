"""Random assignment for batch lists, and re-drawing it for simulation and randomisation inference.

Every design is reduced to *groups* (the whole list, strata, blocks, or strata of clusters) inside
which a number of units is treated, chosen uniformly at random. What differs is how that number is
drawn:

* complete / stratified: ``floor(n_g * p)`` plus one more with probability equal to the remainder,
  so every unit has probability ``p`` and the share treated is as exact as the group size allows;
* permuted blocks (on-arrival): a block of capacity ``b`` holds ``b * p`` treated in random order,
  so the first ``r`` arrivals of a block hold a hypergeometric number of treated;
* randomisation inference: the observed number per group (a conditional randomisation test, valid
  for every design above because assignment is uniform given the counts).

All draws are vectorised over replications (rows), which keeps randomisation inference and
simulation fast without a Python loop. numpy has no within-group sampler for this, hence own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from vaikutus.evaluation.rct.chain import ChainRecord, chain

ARMS = ("control", "treatment")
KINDS = ("complete", "stratified", "cluster", "blocked")


@dataclass(frozen=True)
class RandomisationDesign:
    """How units are assigned; read from the ``[design]`` table of a study file.

    kind: ``complete``, ``stratified`` (blocked by strata), ``cluster`` (whole clusters, optionally
    within cluster-level strata) or ``blocked`` (permuted blocks within strata as persons enrol).
    allocation: share assigned to the service (block sizes times it must be whole numbers).
    block_sizes: on-arrival block sizes; with several, each block's size is drawn at random so
    staff cannot infer the last assignment of a block.
    seed: recorded seed that makes the assignment reproducible (keep it from recruiting staff).
    """

    kind: Literal["complete", "stratified", "cluster", "blocked"] = "complete"
    allocation: float = 0.5
    strata: tuple[str, ...] = ()
    cluster: str | None = None
    block_sizes: tuple[int, ...] = (4,)
    seed: int = 0
    arms: tuple[str, str] = field(default=ARMS)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"design kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if not 0 < self.allocation < 1:
            raise ValueError(f"allocation must be strictly between 0 and 1, got {self.allocation}")
        if self.kind == "cluster" and not self.cluster:
            raise ValueError("a cluster design needs `cluster`, the column naming each cluster")
        if self.kind == "stratified" and not self.strata:
            raise ValueError("a stratified design needs `strata`, the columns that define strata")
        if len(set(self.arms)) != 2:
            raise ValueError(f"arms must be two different names, got {self.arms}")
        for size in self.block_sizes if self.kind == "blocked" else ():
            treated = size * self.allocation
            if size < 2 or abs(treated - round(treated)) > 1e-9:
                raise ValueError(
                    f"block size {size} cannot hold allocation {self.allocation} exactly; "
                    "choose block sizes whose share assigned to the service is a whole number"
                )

    @classmethod
    def from_table(cls, table: dict[str, Any], where: str = "[design]") -> RandomisationDesign:
        known = {"kind", "allocation", "strata", "cluster", "block_sizes", "seed", "arms"}
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        values = dict(table)
        for key in ("strata", "block_sizes", "arms"):
            if key in values:
                values[key] = tuple(values[key])
        if "seed" not in values:
            raise ValueError(f"{where}: `seed` is required so the assignment can be reproduced")
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "allocation": self.allocation,
            "strata": list(self.strata),
            "cluster": self.cluster,
            "block_sizes": list(self.block_sizes),
            "seed": self.seed,
            "arms": list(self.arms),
        }


def assign(
    frame: pd.DataFrame, design: RandomisationDesign, *, id_column: str = "person_id"
) -> pd.DataFrame:
    """Assign every row of a batch list; returns the list with ``treatment`` (0/1) and ``arm``.

    Rows are ordered by ``id_column`` before drawing, so the same list in any order and the same
    seed give the same assignment.
    """
    if design.kind == "blocked":
        raise ValueError(
            "kind 'blocked' assigns persons one by one as they enrol (`vaikutus trial serve` or "
            "`vaikutus trial enrol`); for a ready list use 'stratified'"
        )
    require_columns(
        frame, [id_column, *design.strata, *([design.cluster] if design.cluster else [])]
    )
    if frame[id_column].duplicated().any():
        dupes = frame.loc[frame[id_column].duplicated(), id_column].head(3).tolist()
        raise ValueError(f"column {id_column!r} has duplicate ids, e.g. {dupes}")
    ordered = frame.sort_values(id_column, key=lambda s: s.astype(str), kind="stable")
    rng = np.random.default_rng(design.seed)
    treated = draw_design(ordered, design, rng, draws=1)[0]
    out = ordered.assign(treatment=treated.astype(int))
    out["arm"] = np.where(treated, design.arms[1], design.arms[0])
    return out.loc[frame.index]


def assignment_log(
    assigned: pd.DataFrame, design: RandomisationDesign, *, id_column: str, source_sha256: str
) -> list[ChainRecord]:
    """Hash-chained record of a batch assignment: a header, then one entry per unit."""
    header = {
        "seq": 1,
        "event": "batch assignment",
        "design": design.to_dict(),
        "units": len(assigned),
        "source_sha256": source_sha256,
    }
    keep = [c for c in (*design.strata, design.cluster) if c]
    people = (
        {
            "seq": seq,
            "event": "randomised",
            "person_id": str(row[id_column]),
            "arm": row["arm"],
            **{c: str(row[c]) for c in keep},
        }
        for seq, (_, row) in enumerate(
            assigned.sort_values(id_column, key=lambda s: s.astype(str)).iterrows(), start=2
        )
    )
    return list(chain([header, *people]))


def draw_design(
    frame: pd.DataFrame, design: RandomisationDesign, rng: np.random.Generator, draws: int
) -> np.ndarray:
    """``draws`` fresh assignments of ``frame`` under ``design`` (rows: draws, columns: units).

    For a blocked design the rows of ``frame`` are taken as the order of arrival.
    """
    if design.kind == "cluster":
        clusters, cluster_index = cluster_layout(frame, design.cluster, design.strata)
        return draw_codes(np.tile(clusters, (draws, 1)), design, rng)[:, cluster_index]
    return draw_codes(np.tile(group_codes(frame, design.strata), (draws, 1)), design, rng)


def draw_codes(
    codes: np.ndarray, design: RandomisationDesign, rng: np.random.Generator
) -> np.ndarray:
    """One assignment per row of ``codes``, the strata of the units randomised (rows x units)."""
    if design.kind == "blocked":
        if len(design.block_sizes) != 1:
            raise ValueError("re-drawing a blocked design in row order needs a single block size")
        return draw_blocks(codes, design.block_sizes[0], design.allocation, rng)
    counts = exact_share_counts(group_sizes(codes, codes.shape[0]), design.allocation, rng)
    return draw_within_groups(codes, counts, rng)


def draw_blocks(
    codes: np.ndarray, block_size: int, allocation: float, rng: np.random.Generator
) -> np.ndarray:
    """Permuted blocks for units arriving in column order, within strata ``codes`` (draws x n)."""
    codes = np.atleast_2d(codes)
    arrival = within_group_rank(codes)
    blocks = codes * (codes.shape[1] // block_size + 1) + arrival // block_size
    sizes = group_sizes(blocks, codes.shape[0])
    good = int(round(block_size * allocation))
    counts = rng.hypergeometric(good, block_size - good, np.maximum(sizes, 1)) * (sizes > 0)
    return draw_within_groups(blocks, counts, rng)


def permutation_draws(
    codes: np.ndarray, treated: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Re-assignments that keep the observed number treated within every group."""
    counts = np.bincount(codes, weights=treated.astype(float), minlength=codes.max() + 1)
    return draw_within_groups(codes, np.tile(counts.astype(int), (draws, 1)), rng)


def draw_within_groups(
    codes: np.ndarray, counts: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Treat ``counts[r, g]`` units of group ``g`` in row ``r``, uniformly at random.

    ``codes`` are group numbers 0..G-1, shape (n,) shared by all rows or (rows, n).
    """
    rows = counts.shape[0]
    codes = np.broadcast_to(codes, (rows, codes.shape[-1]))
    order = np.argsort(codes + rng.random(codes.shape), axis=1)
    sorted_codes = np.take_along_axis(codes, order, axis=1)
    rank = within_sorted_rank(sorted_codes, counts.shape[1])
    chosen = rank < np.take_along_axis(counts, sorted_codes, axis=1)
    treated = np.empty_like(chosen)
    np.put_along_axis(treated, order, chosen, axis=1)
    return treated


def exact_share_counts(
    sizes: np.ndarray, allocation: float, rng: np.random.Generator
) -> np.ndarray:
    """``floor(n_g p)`` treated plus one with probability equal to the remainder."""
    expected = sizes * allocation
    base = np.floor(expected + 1e-9)
    return (base + (rng.random(sizes.shape) < expected - base)).astype(int)


def group_sizes(codes: np.ndarray, rows: int) -> np.ndarray:
    """Units per group, shape (rows, G), for codes of shape (n,) or (rows, n)."""
    codes = np.broadcast_to(codes, (rows, codes.shape[-1]))
    groups = int(codes.max()) + 1
    flat = codes + groups * np.arange(rows)[:, None]
    return np.bincount(flat.ravel(), minlength=rows * groups).reshape(rows, groups)


def within_sorted_rank(sorted_codes: np.ndarray, groups: int) -> np.ndarray:
    """Position of each unit inside its group, for rows already sorted by group."""
    rows, n = sorted_codes.shape
    flat = sorted_codes + groups * np.arange(rows)[:, None]
    sizes = np.bincount(flat.ravel(), minlength=rows * groups).reshape(rows, groups)
    starts = np.cumsum(sizes, axis=1) - sizes
    return np.arange(n) - np.take_along_axis(starts, sorted_codes, axis=1)


def within_group_rank(codes: np.ndarray) -> np.ndarray:
    """Arrival number of each unit inside its group, keeping column order (rows x n)."""
    order = np.argsort(codes, axis=1, kind="stable")
    sorted_codes = np.take_along_axis(codes, order, axis=1)
    rank_sorted = within_sorted_rank(sorted_codes, int(codes.max()) + 1)
    rank = np.empty_like(rank_sorted)
    np.put_along_axis(rank, order, rank_sorted, axis=1)
    return rank


def group_codes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Group number 0..G-1 of each row for the combination of ``columns`` (all 0 if none)."""
    if not columns:
        return np.zeros(len(frame), dtype=np.int64)
    require_columns(frame, columns)
    return frame.groupby(list(columns), sort=True, dropna=False).ngroup().to_numpy(np.int64)


def cluster_layout(
    frame: pd.DataFrame, cluster: str, strata: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Stratum code of each cluster and the cluster number of each row."""
    require_columns(frame, [cluster, *strata])
    cluster_index, labels = pd.factorize(frame[cluster], sort=True)
    if not strata:
        return np.zeros(len(labels), dtype=np.int64), cluster_index
    per_cluster = frame[[cluster, *strata]].drop_duplicates()
    mixed = per_cluster[cluster].duplicated()
    if mixed.any():
        raise ValueError(
            f"strata {list(strata)} vary within cluster "
            f"{per_cluster.loc[mixed, cluster].iloc[0]!r}; "
            "cluster designs need strata defined at cluster level"
        )
    per_cluster = per_cluster.set_index(cluster).loc[labels]
    return group_codes(per_cluster, strata), cluster_index


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise naming the missing columns, and columns with missing values, of ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; the data have {list(frame.columns)}")
    for column in columns:
        empty = frame[column].isna()
        if empty.any():
            rows = frame.index[empty][:5].tolist()
            raise ValueError(f"column {column!r} has missing values (rows {rows})")
