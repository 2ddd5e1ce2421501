"""On-arrival enrolment store: concealed permuted blocks, idempotency, tamper-evident log."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from vaikutus.evaluation.rct.chain import (
    canonical_json,
    entry_hash,
    read_jsonl,
    verify_chain,
    write_jsonl,
)
from vaikutus.evaluation.rct.enrolment import (
    EnrolmentError,
    EnrolmentStore,
    block_arms,
    open_trial,
    verify_log,
)
from vaikutus.evaluation.rct.randomise import RandomisationDesign

DESIGN = RandomisationDesign(
    kind="blocked", strata=("area", "age_group"), block_sizes=(2, 4, 6), seed=2**61 + 17
)


def enrol_many(store: EnrolmentStore, count: int) -> None:
    for i in range(count):
        store.enrol(
            f"P{i:04d}", {"area": ["91", "92"][i % 2], "age_group": ["<30", "30+"][(i // 2) % 2]}
        )


@pytest.fixture()
def store(memory_dir: Path) -> EnrolmentStore:
    store = EnrolmentStore(memory_dir / "enrolment.sqlite", DESIGN)
    enrol_many(store, 60)
    return store


def tampered(store: EnrolmentStore, tmp_path: Path, *statements: tuple) -> EnrolmentStore:
    """A copy of the store edited behind the append-only triggers' back."""
    copy = tmp_path / f"tampered{len(list(tmp_path.glob('tampered*.sqlite')))}.sqlite"
    with sqlite3.connect(store.path) as con:
        con.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copy(store.path, copy)
    with sqlite3.connect(copy) as con:
        con.execute("DROP TRIGGER log_no_update")
        con.execute("DROP TRIGGER log_no_delete")
        for sql, *params in statements:
            con.execute(sql, params)
    return EnrolmentStore(copy, DESIGN)


def test_blocks_are_balanced_and_follow_the_concealed_sequence(store: EnrolmentStore) -> None:
    frame = store.frame()
    assert len(frame) == 60 and frame["person_id"].is_unique
    for (_stratum, _block), part in frame.groupby(["stratum", "block"]):
        size = part["block_size"].iloc[0]
        if len(part) == size:
            assert part["treatment"].sum() == size // 2
    for stratum, part in frame.groupby("stratum"):
        assert abs(part["treatment"].sum() - (len(part) - part["treatment"].sum())) <= 3
        first = part[part["block"].str.endswith("#0")]
        arms = block_arms(DESIGN, stratum, 0)
        assert first["treatment"].tolist() == arms[: len(first)]
    assert set(frame["block_size"]) <= {2, 4, 6}
    assert store.verify().ok


def test_enrolling_the_same_person_again_returns_the_first_assignment(
    store: EnrolmentStore,
) -> None:
    first = store.frame().set_index("person_id").loc["P0007"]
    again = store.enrol("P0007", {"area": "92", "age_group": "30+"})
    assert again.already_enrolled and again.arm == first["arm"] and again.hash == first["hash"]
    assert len(store.records()) == 60
    with pytest.raises(EnrolmentError, match="already enrolled in stratum"):
        store.enrol("P0007", {"area": "91", "age_group": "30+"})


@pytest.mark.parametrize(
    "strata, message",
    [
        ({"area": "91"}, "missing for \\['age_group'\\]"),
        ({"area": "91", "age_group": "x", "sex": "F"}, "unknown stratum"),
    ],
)
def test_stratum_values_are_checked(store: EnrolmentStore, strata: dict, message: str) -> None:
    with pytest.raises(EnrolmentError, match=message):
        store.enrol("NEW", strata)


def test_log_is_append_only(store: EnrolmentStore) -> None:
    with (
        sqlite3.connect(store.path) as con,
        pytest.raises(sqlite3.IntegrityError, match="append-only"),
    ):
        con.execute("UPDATE log SET stratum = 'x' WHERE seq = 3")


@pytest.mark.parametrize("seq", [1, 2, 17, 30, 59, 60])
def test_editing_any_past_entry_is_detected(
    store: EnrolmentStore, tmp_path: Path, seq: int
) -> None:
    row = dict(store.records()[seq - 1].entry)
    row["arm"] = "control" if row["arm"] == "treatment" else "treatment"
    edited = tampered(
        store, tmp_path, ("UPDATE log SET entry = ? WHERE seq = ?", canonical_json(row), seq)
    )
    check = edited.verify()
    assert not check.ok
    assert any(p.startswith(f"entry {seq}: content was changed") for p in check.problems)


def test_deleting_and_reordering_are_detected(store: EnrolmentStore, tmp_path: Path) -> None:
    deleted = tampered(store, tmp_path, ("DELETE FROM log WHERE seq = 20",)).verify()
    assert any("entry 20: sequence number 21" in p for p in deleted.problems)
    swapped = tampered(
        store,
        tmp_path,
        ("UPDATE log SET seq = CASE seq WHEN 5 THEN -6 ELSE -5 END WHERE seq IN (5, 6)",),
        ("UPDATE log SET seq = -seq WHERE seq < 0",),
    ).verify()
    assert any("entry 5: content says seq 6 (moved)" in p for p in swapped.problems)


def test_rewriting_the_whole_chain_is_caught_by_the_seed_and_the_receipt(
    store: EnrolmentStore, tmp_path: Path
) -> None:
    receipt = store.records()[-1].hash
    records = store.records()
    entries = [r.entry for r in records]
    entries[9] = {
        **entries[9],
        "arm": "control" if entries[9]["arm"] == "treatment" else "treatment",
    }
    copy = tampered(store, tmp_path, ("DELETE FROM log",))
    prev = "0" * 64
    with sqlite3.connect(copy.path) as con:
        for entry in entries:
            digest = entry_hash(prev, entry)
            con.execute(
                "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?)",
                (
                    entry["seq"],
                    entry["person_id"],
                    entry["stratum"],
                    canonical_json(entry),
                    prev,
                    digest,
                ),
            )
            prev = digest
    check = copy.verify(expected_head=receipt)
    assert any("entry 10: place/arm" in p for p in check.problems)
    assert any("not at the expected head" in p for p in check.problems)


def test_truncation_is_caught_by_the_last_receipt(store: EnrolmentStore, tmp_path: Path) -> None:
    receipt = store.records()[-1].hash
    cut = tampered(store, tmp_path, ("DELETE FROM log WHERE seq = 60",))
    assert cut.verify().ok  # a cut-off tail alone still chains ...
    assert not cut.verify(expected_head=receipt).ok  # ... but not to the receipt handed out


def test_changed_design_is_refused(store: EnrolmentStore) -> None:
    with pytest.raises(EnrolmentError, match="differs from the one this trial started"):
        EnrolmentStore(store.path, dataclasses.replace(DESIGN, seed=1))


def test_threads_never_double_assign(memory_dir: Path) -> None:
    store = EnrolmentStore(memory_dir / "e.sqlite", dataclasses.replace(DESIGN, block_sizes=(2,)))
    people = [f"T{i:03d}" for i in range(120)] * 2
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(lambda p: store.enrol(p, {"area": p[-1], "age_group": "<30"}), people)
        )
    assert len(store.records()) == 120
    by_person = {}
    for result in results:
        assert by_person.setdefault(result.person_id, result.arm) == result.arm
    assert store.verify().ok


def test_jsonl_export_verifies_and_detects_edits(store: EnrolmentStore, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    write_jsonl(store.records(), path)
    assert verify_log(path).ok
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("P0003", "P9999")
    path.write_text("\n".join(lines) + "\n")
    check = verify_chain(read_jsonl(path))
    assert [p for p in check.problems if p.startswith("entry 4:")]


def test_open_trial_reads_the_study_file(tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\nmethod = "rct"\n'
        '[design]\nkind = "blocked"\nstrata = ["area"]\nblock_sizes = [4]\nseed = 5\n'
    )
    store = open_trial(tmp_path)
    assert store.enrol("A", {"area": 1}).stratum == "area=1"
    (tmp_path / "study.toml").write_text(
        '[study]\nmethod = "rct"\n[design]\nkind = "complete"\nseed = 5\n'
    )
    with pytest.raises(EnrolmentError, match="kind = 'blocked'"):
        open_trial(tmp_path)
