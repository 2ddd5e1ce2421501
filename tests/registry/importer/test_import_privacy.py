"""Privacy: no import without a key, identity codes validated and replaced by a keyed hash, and no
henkilötunnus anywhere in the warehouse or the printed output - not even in quarantine."""

from __future__ import annotations

import hashlib
import hmac
import re

import pyarrow as pa
import pytest

from tests.registry.importer.import_helpers import (
    HETU_TEXT,
    HETUS,
    KEY,
    all_text,
    persons_frame,
    spells_frame,
    table,
    write_csv,
)
from vaikutus.registry import pseudonymise as ps
from vaikutus.registry.importer import ImportRefused, import_directory


def _source(tmp_path, spells=None):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    write_csv(
        spells_frame() if spells is None else spells, source / "jobseeker_spells.csv", sep=";"
    )
    return source


def test_no_key_refuses_before_reading_anything(tmp_path, monkeypatch, cli):
    monkeypatch.delenv(ps.KEY_ENV, raising=False)
    warehouse = tmp_path / "wh.duckdb"
    with pytest.raises(ImportRefused, match=ps.KEY_ENV):
        import_directory(_source(tmp_path), warehouse)
    result = cli("import", tmp_path / "src", "--warehouse", warehouse)
    assert result.exit_code == 2
    assert "no pseudonymisation key" in result.output and "Traceback" not in result.output
    assert not warehouse.exists()


def test_short_key_and_missing_key_file_are_refused(tmp_path, cli):
    with pytest.raises(ImportRefused, match="too short"):
        import_directory(tmp_path, tmp_path / "wh.duckdb", key="short")
    result = cli(
        "import", tmp_path, "--warehouse", tmp_path / "wh.duckdb", "--key-file", tmp_path / "nope"
    )
    assert result.exit_code == 2 and "cannot read the key file" in result.output


def test_no_such_folder_exits_2(tmp_path, key_env, cli):
    result = cli("import", tmp_path / "missing", "--warehouse", tmp_path / "wh.duckdb")
    assert result.exit_code == 2 and "no such folder" in result.output


def test_key_file_works_like_the_environment(tmp_path, monkeypatch, cli):
    monkeypatch.delenv(ps.KEY_ENV, raising=False)
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    result = cli(
        "import", _source(tmp_path), "--warehouse", tmp_path / "wh.duckdb", "--key-file", key_file
    )
    assert result.exit_code == 0, result.output
    expected = hmac.new(KEY.encode(), HETUS[0].encode(), hashlib.sha256).hexdigest()[:32]
    assert expected in set(table(tmp_path / "wh.duckdb", "persons")["person_id"])


def test_pseudonyms_are_keyed_normalised_and_consistent_across_tables(tmp_path, key_env):
    warehouse = tmp_path / "wh.duckdb"
    spells = spells_frame()
    spells.loc[0, "henkilotunnus"] = " " + spells.loc[0, "henkilotunnus"].lower() + " "
    import_directory(_source(tmp_path, spells), warehouse)
    persons = set(table(warehouse, "persons")["person_id"])
    assert set(table(warehouse, "jobseeker_spells")["person_id"]) <= persons
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for p in persons)
    other_key = ps.pseudonymise(pa.array([HETUS[0]]), b"another-key-0123456789").to_pylist()[0]
    assert other_key not in persons


def test_identity_code_validation():
    valid = ["131052-308T", "010594Y9032", "010594Y9021", "131052+308T", "100180-900X"]
    invalid = {
        "131052-308U": "wrong check character",
        "310252-308T": "birth date that does not exist",
        "131052-001H": "individual number below 002",
        "131052*308T": "not in the form",
        "13105-308T": "not in the form",
    }
    problems = ps.hetu_problems(ps.normalise(pa.array(valid + list(invalid))))
    assert list(problems[: len(valid)]) == [None] * len(valid)
    for reason, expected in zip(problems[len(valid) :], invalid.values(), strict=True):
        assert expected in reason


def test_no_identity_code_is_stored_or_printed(tmp_path, key_env, cli):
    spells = spells_frame()
    spells.loc[1, "henkilotunnus"] = "131052-308U"  # wrong check character
    spells.loc[2, "henkilotunnus"] = "310252-308T"  # no such birth date
    spells.loc[3, "status"] = "see 131052-308T"  # a code typed into another column
    spells["notes"] = [
        "",
        "",
        f"hetu {HETUS[2]}",
        "",
        "",
    ]  # and in a column the table does not have
    warehouse = tmp_path / "wh.duckdb"
    result = cli("import", _source(tmp_path, spells), "--warehouse", warehouse, "--problems", "all")
    assert result.exit_code == 1

    quarantine = table(warehouse, "quarantine")
    assert set(quarantine["row"]) == {3, 4, 5}
    assert "<redacted>" in " ".join(quarantine["raw_json"])
    text = all_text(warehouse) + [result.output]
    leaks = [t for t in text if HETU_TEXT.search(t)]
    assert leaks == []
    assert warehouse.read_bytes().find(HETUS[0].encode()) == -1


def test_opaque_person_ids_pass_through_but_codes_in_them_are_hashed(tmp_path, key_env):
    """A ``person_id`` column may already hold ids; an identity code in it is still hashed."""
    source = tmp_path / "src"
    source.mkdir()
    frame = persons_frame().rename(columns={"henkilotunnus": "person_id"})
    frame.loc[0, "person_id"] = "P0001"
    write_csv(frame, source / "persons.csv")
    import_directory(source, tmp_path / "wh.duckdb")
    ids = set(table(tmp_path / "wh.duckdb", "persons")["person_id"])
    assert "P0001" in ids and not any(HETU_TEXT.search(i) for i in ids) and len(ids) == 4


def test_a_pseudonym_that_starts_with_digits_is_not_taken_for_an_identity_code():
    pseudonym = "123456a7890bcdef1234567890abcdef"
    assert not ps.looks_like_hetu(ps.normalise(pa.array([pseudonym])))[0]
    assert ps.looks_like_hetu(
        ps.normalise(pa.array(["131052-30", "131052-308T", "131052a308t"]))
    ).all()
