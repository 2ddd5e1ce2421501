"""Hash-chained, append-only logs: every entry carries the SHA-256 of the one before it.

``hash = sha256(prev_hash + canonical_json(entry))``, starting from 64 zeros. Changing, removing or
reordering any past entry breaks the chain from that entry on, which :func:`verify_chain` reports.
Someone able to rewrite the whole file could recompute every hash, so the chain is anchored outside
it: each enrolment hands back its hash as a receipt, and :func:`verify_chain` accepts a known head
hash; an on-arrival log is also checked against the allocation sequence derived from the seed.

The same format is used for the on-arrival store (SQLite rows) and for batch assignments and
exports (JSON Lines: one ``{"seq", "entry", "prev_hash", "hash"}`` object per line).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def canonical_json(entry: dict[str, Any]) -> str:
    """One text per entry regardless of key order or whitespace (what the hash covers)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainRecord:
    """One log line: its position, content and the two hashes that chain it."""

    seq: int
    entry: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "entry": self.entry,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def chain(
    entries: Iterable[dict[str, Any]], prev_hash: str = GENESIS, start: int = 1
) -> Iterator[ChainRecord]:
    """Chain ``entries`` after ``prev_hash``; sequence numbers start at ``start``."""
    for seq, entry in enumerate(entries, start=start):
        record = ChainRecord(seq, entry, prev_hash, entry_hash(prev_hash, entry))
        prev_hash = record.hash
        yield record


@dataclass(frozen=True)
class Verification:
    """Outcome of checking a log; ``problems`` name the entries that fail."""

    entries: int
    head: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "problems": list(self.problems),
        }

    def summary(self) -> str:
        if self.ok:
            return f"log verified: {self.entries} entries, head hash {self.head}"
        return "LOG FAILED VERIFICATION:\n" + "\n".join(f"  - {p}" for p in self.problems)


def verify_chain(records: Iterable[ChainRecord], expected_head: str | None = None) -> Verification:
    """Check sequence numbers, links and hashes; optionally that the log ends at
    ``expected_head`` (the last receipt handed out)."""
    problems: list[str] = []
    prev_hash, count = GENESIS, 0
    for expected_seq, record in enumerate(records, start=1):
        count = expected_seq
        if record.seq != expected_seq:
            problems.append(
                f"entry {expected_seq}: sequence number {record.seq} (deleted or reordered)"
            )
        if record.entry.get("seq", record.seq) != record.seq:
            problems.append(
                f"entry {record.seq}: content says seq {record.entry.get('seq')} (moved)"
            )
        if record.prev_hash != prev_hash:
            problems.append(f"entry {record.seq}: does not link to the entry before it")
        if entry_hash(record.prev_hash, record.entry) != record.hash:
            problems.append(f"entry {record.seq}: content was changed after it was written")
        prev_hash = record.hash
    if expected_head is not None and expected_head != prev_hash:
        problems.append(
            f"log ends at {prev_hash}, not at the expected head {expected_head} (truncated?)"
        )
    return Verification(entries=count, head=prev_hash, problems=tuple(problems))


def write_jsonl(records: Iterable[ChainRecord], path: Path) -> None:
    with Path(path).open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[ChainRecord]:
    """Read a JSON Lines log; a malformed line is reported with its line number."""
    records = []
    with Path(path).open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                records.append(
                    ChainRecord(int(raw["seq"]), raw["entry"], raw["prev_hash"], raw["hash"])
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}, line {line_no}: not a log record ({exc})") from exc
    return records
