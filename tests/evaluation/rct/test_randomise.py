"""Batch assignment: reproducible from the seed, exact shares within strata, whole clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vaikutus.evaluation.rct.chain import verify_chain
from vaikutus.evaluation.rct.randomise import (
    RandomisationDesign,
    assign,
    assignment_log,
    draw_blocks,
    draw_design,
    permutation_draws,
)


@pytest.fixture()
def persons() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 401
    return pd.DataFrame(
        {
            "person_id": [f"H{i:04d}" for i in range(n)],
            "area": rng.choice(["Pirkanmaa", "Lappi", "Vantaa-Kerava"], n),
            "age_group": rng.choice(["under 30", "30-49", "50+"], n),
            "caseworker": rng.integers(0, 25, n),
            "age": rng.integers(18, 64, n),
        }
    )


def test_same_seed_same_assignment_in_any_row_order(persons: pd.DataFrame) -> None:
    design = RandomisationDesign(kind="stratified", strata=("area", "age_group"), seed=99)
    first = assign(persons, design)
    shuffled = assign(persons.sample(frac=1, random_state=1), design).loc[persons.index]
    assert (first["treatment"] == shuffled["treatment"]).all()
    other_seed = assign(
        persons, RandomisationDesign(kind="stratified", strata=("area", "age_group"), seed=100)
    )
    assert (first["treatment"] != other_seed["treatment"]).any()


def test_stratified_shares_are_exact_within_every_stratum(persons: pd.DataFrame) -> None:
    design = RandomisationDesign(
        kind="stratified", strata=("area", "age_group"), allocation=1 / 3, seed=5
    )
    assigned = assign(persons, design)
    per_stratum = assigned.groupby(["area", "age_group"])["treatment"].agg(["sum", "count"])
    expected = per_stratum["count"] / 3
    assert ((per_stratum["sum"] - expected).abs() < 1).all()
    assert set(assigned["arm"]) == {"control", "treatment"}


def test_cluster_assignment_keeps_caseloads_whole(persons: pd.DataFrame) -> None:
    assigned = assign(persons, RandomisationDesign(kind="cluster", cluster="caseworker", seed=3))
    assert (assigned.groupby("caseworker")["treatment"].nunique() == 1).all()
    assert abs(assigned.groupby("caseworker")["treatment"].first().sum() - 12.5) <= 0.5


def test_every_unit_has_the_allocation_probability(persons: pd.DataFrame) -> None:
    rng = np.random.default_rng(0)
    for design in (
        RandomisationDesign(kind="stratified", strata=("area",), allocation=0.3, seed=0),
        RandomisationDesign(
            kind="cluster", cluster="caseworker", strata=(), allocation=0.3, seed=0
        ),
        RandomisationDesign(
            kind="blocked", strata=("area",), block_sizes=(10,), allocation=0.3, seed=0
        ),
    ):
        draws = draw_design(persons, design, rng, draws=8000)
        probability = draws.mean(axis=0)
        # 8000 draws: sd of a share near 0.3 is 0.0051; 5 sd over 401 units
        assert np.abs(probability - 0.3).max() < 0.026, design.kind


def test_permuted_blocks_balance_every_complete_block() -> None:
    rng = np.random.default_rng(1)
    codes = np.repeat([0, 1], 50)[None, :].repeat(200, axis=0)
    treated = draw_blocks(codes, 4, 0.5, rng)
    blocks = treated.reshape(200, 2, 50)[:, :, :48].reshape(200, 2, 12, 4)
    assert (blocks.sum(axis=-1) == 2).all()
    # the last, incomplete block (2 of 4 places) holds 0, 1 or 2 treated
    assert set(np.unique(treated.reshape(200, 2, 50)[:, :, 48:].sum(-1))) == {0, 1, 2}


def test_permutation_draws_keep_group_counts() -> None:
    rng = np.random.default_rng(2)
    codes = np.array([0] * 7 + [1] * 5 + [2] * 9)
    treated = np.array([1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0], dtype=bool)
    draws = permutation_draws(codes, treated, 500, rng)
    for group in range(3):
        assert (draws[:, codes == group].sum(axis=1) == treated[codes == group].sum()).all()
    assert len({tuple(row) for row in draws}) > 400


def test_batch_log_chains_every_person(persons: pd.DataFrame) -> None:
    design = RandomisationDesign(kind="stratified", strata=("area",), seed=1)
    assigned = assign(persons, design)
    records = assignment_log(assigned, design, id_column="person_id", source_sha256="abc")
    assert len(records) == len(persons) + 1
    assert verify_chain(records).ok
    records[10] = type(records[10])(
        records[10].seq,
        {
            **records[10].entry,
            "arm": "treatment" if records[10].entry["arm"] == "control" else "control",
        },
        records[10].prev_hash,
        records[10].hash,
    )
    assert "entry 11: content was changed" in verify_chain(records).problems[0]


@pytest.mark.parametrize(
    "design, message",
    [
        (dict(kind="stratified", strata=("nope",), seed=1), "missing column"),
        (dict(kind="blocked", strata=("area",), seed=1), "one by one"),
    ],
)
def test_bad_designs_fail_clearly(persons: pd.DataFrame, design: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assign(persons, RandomisationDesign(**design))


def test_design_table_errors_name_the_key() -> None:
    with pytest.raises(ValueError, match=r"\[design\]: unknown key\(s\) strat"):
        RandomisationDesign.from_table({"kind": "stratified", "strat": ["a"], "seed": 1})
    with pytest.raises(ValueError, match="seed"):
        RandomisationDesign.from_table({"kind": "complete"})
    with pytest.raises(ValueError, match="block size 3 cannot hold allocation 0.5"):
        RandomisationDesign.from_table({"kind": "blocked", "block_sizes": [3], "seed": 1})
