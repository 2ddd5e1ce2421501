"""Large files are validated in parts split by person: the result must be exactly the one-part result.

The file below has, for the same persons, rows in both spellings of one identity code (lower and
upper case check character, surrounding spaces), a duplicate key, overlapping spells, a bad cell
and a ragged CSV line, spread over the file so that a split by row order would separate them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from tests.registry.importer.import_helpers import HETUS, persons_frame, write_csv
from vaikutus.registry.importer import import_directory, person_parts
from vaikutus.registry.readers import read_file
from vaikutus.registry.schemas import TABLES

SPELLS = [
    # henkilotunnus, start, end, status, municipality
    (HETUS[0], "2021-01-04", "2021-02-28", "unemployed", "091"),
    (HETUS[1], "2021-02-15", "2021-12-31", "laid_off_full", "049"),
    (HETUS[2], "2022-05-02", "2022-06-30", "unemployed", "564"),
    (HETUS[3], "2023-01-01", "", "student", "837"),
    (f" {HETUS[0].lower()} ", "2021-02-01", "2021-03-31", "unemployed", "091"),  # overlaps row 2
    (HETUS[1], "2021-02-15", "2021-03-01", "unemployed", "049"),  # same key as row 3
    (HETUS[2], "2022-13-01", "2022-12-31", "unemployed", "564"),  # bad date
    (HETUS[3], "2024-01-01", "2024-02-01", "unemployed", "999"),  # overlaps row 5 (ongoing), bad code
    (HETUS[0], "2021-03-01", "", "in_service", "091"),  # overlaps row 6
    (HETUS[2], "2022-07-01", "2022-08-31", "student", "564"),
]


def _source(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    frame = pd.DataFrame(SPELLS, columns=["henkilotunnus", "start", "end", "status", "municipality"])
    frame["responsible"] = "te_office"
    path = write_csv(frame, source / "jobseeker_spells.csv")
    with path.open("a") as fh:
        fh.write(f"{HETUS[1]},2021-05-01\n")  # ragged line: too few values
    return source


def _contents(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        spells = con.sql("SELECT * FROM jobseeker_spells ORDER BY ALL").df()
        quarantine = con.sql('SELECT "row", "column", reason, raw_json FROM quarantine ORDER BY ALL').df()
        log = con.sql('SELECT "table", rows_read, rows_accepted, rows_quarantined FROM import_log ORDER BY ALL').df()
    return spells, quarantine, log


def test_parts_give_exactly_the_whole_file_result(tmp_path, key_env):
    source = _source(tmp_path)
    whole = import_directory(source, tmp_path / "whole.duckdb")
    parted = import_directory(source, tmp_path / "parted.duckdb", batch_rows=2)
    for a, b in zip(_contents(tmp_path / "whole.duckdb"), _contents(tmp_path / "parted.duckdb"), strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert whole.problem_lines() == parted.problem_lines()
    spells, quarantine, log = _contents(tmp_path / "parted.duckdb")
    assert len(spells) == 5 and quarantine["row"].nunique() == 6  # 11 rows read
    reasons = " | ".join(quarantine.reason)
    assert "overlaps row 2" in reasons and "same person_id and start as row 3" in reasons


def test_a_person_is_never_split_across_parts(tmp_path, key_env):
    source = _source(tmp_path)
    table = TABLES["jobseeker_spells"]
    raw = read_file(source / "jobseeker_spells.csv", table)
    count, parts = person_parts(raw, table, batch_rows=2)
    parts = list(parts)
    assert count == len(parts) and 2 <= count <= 5  # 10 rows that split into ceil(10 / 2) buckets, empty ones left out
    assert sorted(i for p in parts for i in p.frame.index) == sorted(raw.frame.index)
    assert sum(len(p.broken) for p in parts) == 1
    seen: dict[str, int] = {}
    for number, part in enumerate(parts):
        for person in part.frame["henkilotunnus"].str.strip().str.upper():
            assert seen.setdefault(person, number) == number
