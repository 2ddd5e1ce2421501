"""On-arrival assignment: persons enrol one at a time and get the next place in their stratum.

A trial directory holds the study file (``study.toml``, whose ``[design]`` has ``kind = "blocked"``)
and the enrolment store ``enrolment.sqlite``. The store is the hash-chained log itself (see
:mod:`.chain`); SQLite serialises writers, so every enrolment runs in one ``BEGIN IMMEDIATE``
transaction: look the person up, find the next place in the stratum, append the entry. Two
concurrent requests can therefore never take the same place, and the unique ``person_id`` makes a
repeated enrolment return the first assignment instead of a second one.

Allocation concealment: the arm for place ``position`` of block ``block`` in a stratum is derived
from the recorded seed with HMAC-SHA-256 only when a person is enrolled into that place; nothing
exposes future places. Because the derivation is deterministic and library-independent, anyone
given the seed after the trial can regenerate the whole sequence and :meth:`EnrolmentStore.verify`
checks every logged arm against it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from vaikutus.evaluation.rct.chain import (
    GENESIS,
    ChainRecord,
    Verification,
    canonical_json,
    entry_hash,
    read_jsonl,
    verify_chain,
)
from vaikutus.evaluation.rct.randomise import RandomisationDesign

STUDY_FILE = "study.toml"
STORE_FILE = "enrolment.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (
    seq INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL UNIQUE,
    stratum TEXT NOT NULL,
    entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS log_by_stratum ON log (stratum, seq);
CREATE TRIGGER IF NOT EXISTS log_no_update BEFORE UPDATE ON log
BEGIN SELECT RAISE(ABORT, 'the enrolment log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_no_delete BEFORE DELETE ON log
BEGIN SELECT RAISE(ABORT, 'the enrolment log is append-only'); END;
"""


class EnrolmentError(ValueError):
    """An enrolment that cannot be made; the message says why."""


@dataclass(frozen=True)
class Enrolment:
    """The assignment handed back to the caseworker; ``hash`` is the receipt of the log entry."""

    person_id: str
    arm: str
    treatment: int
    stratum: str
    block: int
    position: int
    block_size: int
    seq: int
    enrolled_at: str
    hash: str
    already_enrolled: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def stratum_key(
    design: RandomisationDesign, strata: Mapping[str, Any]
) -> tuple[str, dict[str, str]]:
    """Canonical stratum label ``col=value|...`` from the enrolment's stratum values."""
    missing = [c for c in design.strata if c not in strata or str(strata[c]).strip() == ""]
    if missing:
        raise EnrolmentError(
            f"stratum value(s) missing for {missing}; "
            f"this trial stratifies by {list(design.strata)}"
        )
    extra = sorted(set(strata) - set(design.strata))
    if extra:
        raise EnrolmentError(
            f"unknown stratum variable(s) {extra}; this trial stratifies by {list(design.strata)}"
        )
    values = {c: str(strata[c]).strip() for c in design.strata}
    return "|".join(f"{c}={v}" for c, v in values.items()) or "all", values


def block_arms(design: RandomisationDesign, stratum: str, block: int) -> list[int]:
    """The concealed sequence of one block (1 = service), derived from the seed."""
    key = str(design.seed).encode()

    def digest(*parts: object) -> bytes:
        return hmac.new(
            key, "|".join(map(str, (stratum, block, *parts))).encode(), hashlib.sha256
        ).digest()

    sizes = design.block_sizes
    size = sizes[int.from_bytes(digest("size")[:8], "big") % len(sizes)]
    treated = round(size * design.allocation)
    order = sorted(range(size), key=lambda slot: digest("slot", slot))
    arms = [0] * size
    for slot in order[:treated]:
        arms[slot] = 1
    return arms


def next_place(
    design: RandomisationDesign, stratum: str, last: dict[str, Any] | None
) -> tuple[int, int, list[int]]:
    """(block, position, block arms) of the place after ``last`` in ``stratum``."""
    if last is None:
        return 0, 0, block_arms(design, stratum, 0)
    if last["position"] + 1 < last["block_size"]:
        return last["block"], last["position"] + 1, block_arms(design, stratum, last["block"])
    return last["block"] + 1, 0, block_arms(design, stratum, last["block"] + 1)


class EnrolmentStore:
    """The SQLite enrolment log of one trial. Safe for concurrent use from threads and processes."""

    def __init__(self, path: Path, design: RandomisationDesign, *, timeout_s: float = 60.0) -> None:
        if design.kind != "blocked":
            raise EnrolmentError(
                "on-arrival enrolment needs [design] kind = 'blocked' (permuted blocks), "
                f"got {design.kind!r}"
            )
        self.path = Path(path)
        self.design = design
        self.timeout_s = timeout_s
        fingerprint = hashlib.sha256(canonical_json(design.to_dict()).encode()).hexdigest()
        setup = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
        try:
            setup.execute("PRAGMA journal_mode=WAL")
            setup.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} COMMIT;")
        finally:
            setup.close()
        with self._transaction() as con:
            con.execute("INSERT OR IGNORE INTO meta VALUES ('design', ?)", (fingerprint,))
            stored = con.execute("SELECT value FROM meta WHERE key = 'design'").fetchone()[0]
        if stored != fingerprint:
            raise EnrolmentError(
                f"{self.path}: the [design] in the study file differs from the one this trial "
                "started with (seed, strata, allocation or block sizes changed); refusing to "
                "continue"
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
        try:
            con.execute("PRAGMA synchronous=FULL")
            con.execute("BEGIN IMMEDIATE")
            yield con
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def enrol(self, person_id: str, strata: Mapping[str, Any]) -> Enrolment:
        """Assign ``person_id`` to the next place in their stratum (or return their assignment)."""
        person_id = str(person_id).strip()
        if not person_id:
            raise EnrolmentError("person_id is empty")
        stratum, values = stratum_key(self.design, strata)
        with self._transaction() as con:
            row = con.execute(
                "SELECT entry, hash FROM log WHERE person_id = ?", (person_id,)
            ).fetchone()
            if row is not None:
                entry = json.loads(row[0])
                if entry["stratum"] != stratum:
                    raise EnrolmentError(
                        f"person {person_id} is already enrolled in stratum "
                        f"{entry['stratum']}, not {stratum}"
                    )
                return self._enrolment(entry, row[1], already=True)
            last = con.execute(
                "SELECT entry FROM log WHERE stratum = ? ORDER BY seq DESC LIMIT 1", (stratum,)
            ).fetchone()
            block, position, arms = next_place(
                self.design, stratum, json.loads(last[0]) if last else None
            )
            head = con.execute("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
            entry = {
                "seq": seq,
                "event": "randomised",
                "person_id": person_id,
                "stratum": stratum,
                "strata": values,
                "block": block,
                "position": position,
                "block_size": len(arms),
                "arm": self.design.arms[arms[position]],
                "enrolled_at": datetime.now(UTC).isoformat(timespec="microseconds"),
            }
            digest = entry_hash(prev_hash, entry)
            con.execute(
                "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?)",
                (seq, person_id, stratum, canonical_json(entry), prev_hash, digest),
            )
        return self._enrolment(entry, digest, already=False)

    def _enrolment(self, entry: dict[str, Any], digest: str, *, already: bool) -> Enrolment:
        return Enrolment(
            person_id=entry["person_id"],
            arm=entry["arm"],
            treatment=self.design.arms.index(entry["arm"]),
            stratum=entry["stratum"],
            block=entry["block"],
            position=entry["position"],
            block_size=entry["block_size"],
            seq=entry["seq"],
            enrolled_at=entry["enrolled_at"],
            hash=digest,
            already_enrolled=already,
        )

    def head(self) -> tuple[int, str | None]:
        """Number of entries and the hash of the last one (what a receipt is checked against)."""
        with self._transaction() as con:
            row = con.execute("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, None)

    def records(self) -> list[ChainRecord]:
        return [record for record, _ in self._rows()]

    def _rows(self) -> list[tuple[ChainRecord, tuple[str, str]]]:
        with self._transaction() as con:
            rows = con.execute(
                "SELECT seq, entry, prev_hash, hash, person_id, stratum FROM log ORDER BY seq"
            ).fetchall()
        return [
            (ChainRecord(seq, json.loads(text), prev_hash, digest), (person_id, stratum))
            for seq, text, prev_hash, digest, person_id, stratum in rows
        ]

    def verify(self, expected_head: str | None = None) -> Verification:
        """Check the hash chain and that every arm is the one the seed's sequence gives."""
        rows = self._rows()
        records = [record for record, _ in rows]
        chained = verify_chain(records, expected_head)
        mismatched = [
            f"entry {record.seq}: indexed columns {columns} disagree with its content"
            for record, columns in rows
            if (record.entry.get("person_id"), record.entry.get("stratum")) != columns
        ]
        problems = chained.problems + tuple(mismatched) + tuple(self._sequence_problems(records))
        return Verification(chained.entries, chained.head, problems)

    def _sequence_problems(self, records: list[ChainRecord]) -> Iterator[str]:
        last: dict[str, dict[str, Any]] = {}
        for record in records:
            entry = record.entry
            block, position, arms = next_place(
                self.design, entry["stratum"], last.get(entry["stratum"])
            )
            expected = (block, position, len(arms), self.design.arms[arms[position]])
            found = (entry["block"], entry["position"], entry["block_size"], entry["arm"])
            if found != expected:
                yield (
                    f"entry {record.seq}: place/arm {found} differs from the concealed "
                    f"sequence {expected}"
                )
            last[entry["stratum"]] = entry

    def frame(self) -> pd.DataFrame:
        """One row per enrolled person: the columns an analysis file is merged onto."""
        rows = []
        for record in self.records():
            entry = record.entry
            rows.append(
                {
                    "seq": entry["seq"],
                    "person_id": entry["person_id"],
                    **entry["strata"],
                    "stratum": entry["stratum"],
                    "block": f"{entry['stratum']}#{entry['block']}",
                    "position": entry["position"],
                    "block_size": entry["block_size"],
                    "arm": entry["arm"],
                    "treatment": self.design.arms.index(entry["arm"]),
                    "enrolled_at": entry["enrolled_at"],
                    "hash": record.hash,
                }
            )
        return pd.DataFrame(rows)


def open_trial(trial_dir: Path) -> EnrolmentStore:
    """The enrolment store of the trial directory ``trial_dir`` (created on first use)."""
    from vaikutus.evaluation.study import StudyError, load_study

    trial_dir = Path(trial_dir)
    study_file = trial_dir / STUDY_FILE
    try:
        study = load_study(study_file)
        design = RandomisationDesign.from_table(study.get("design", {}), f"{study_file} [design]")
    except (StudyError, ValueError) as exc:
        raise EnrolmentError(str(exc)) from exc
    return EnrolmentStore(trial_dir / STORE_FILE, design)


def verify_log(path: Path, expected_head: str | None = None) -> Verification:
    """Verify a trial directory's enrolment store or a JSON Lines log (batch assignment, export)."""
    path = Path(path)
    if path.is_dir():
        if not (path / STORE_FILE).exists():
            raise EnrolmentError(
                f"{path} has no enrolment store {STORE_FILE}; nobody has been enrolled yet"
            )
        return open_trial(path).verify(expected_head)
    if not path.exists():
        raise EnrolmentError(f"{path} does not exist")
    return verify_chain(read_jsonl(path), expected_head)
