"""Importing the same files again changes nothing; a changed file replaces its table's rows."""

from __future__ import annotations

from tests.registry.importer.import_helpers import persons_frame, spells_frame, table, write_csv
from vaikutus.registry.importer import import_directory


def _counts(warehouse):
    return {
        t: len(table(warehouse, t))
        for t in ("persons", "jobseeker_spells", "quarantine", "import_log")
    }


def test_importing_twice_changes_nothing(tmp_path, key_env, cli):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    spells = spells_frame()
    spells.loc[4, "municipality"] = "999"  # one quarantined row
    write_csv(spells, source / "jobseeker_spells.csv")
    warehouse = tmp_path / "wh.duckdb"

    first = cli("import", source, "--warehouse", warehouse)
    counts = _counts(warehouse)
    assert counts == {"persons": 4, "jobseeker_spells": 4, "quarantine": 1, "import_log": 2}
    second = cli("import", source, "--warehouse", warehouse)
    assert _counts(warehouse) == counts
    assert first.exit_code == second.exit_code == 1
    assert second.output.count("unchanged since the last import") == 2
    report = import_directory(source, warehouse)
    assert [(f.status, f.rows_read, f.rows_accepted, f.rows_quarantined) for f in report.files] == [
        ("unchanged", 4, 4, 0),
        ("unchanged", 5, 4, 1),
    ]


def test_a_changed_file_replaces_the_earlier_rows(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    spells = spells_frame()
    spells.loc[4, "municipality"] = "999"
    write_csv(spells, source / "jobseeker_spells.csv")
    warehouse = tmp_path / "wh.duckdb"
    import_directory(source, warehouse)

    (source / "jobseeker_spells.csv").unlink()
    write_csv(spells_frame().iloc[:3], source / "jobseeker_spells.csv")
    report = import_directory(source, warehouse)

    assert [f.status for f in report.files] == ["unchanged", "imported"]
    assert len(table(warehouse, "jobseeker_spells")) == 3
    assert len(table(warehouse, "quarantine")) == 0  # the old file's quarantine went with its rows
    log = table(warehouse, "import_log")
    assert log["table"].tolist().count("jobseeker_spells") == 2 and len(set(log["sha256"])) == 3


def test_same_stem_in_another_format_replaces_too(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    warehouse = tmp_path / "wh.duckdb"
    import_directory(source, warehouse)
    (source / "persons.csv").unlink()
    persons_frame().iloc[:2].to_parquet(source / "persons.parquet")
    import_directory(source, warehouse)
    assert len(table(warehouse, "persons")) == 2


def test_two_files_for_one_table_are_not_imported(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    persons_frame().to_parquet(source / "persons.parquet")
    report = import_directory(source, tmp_path / "wh.duckdb")
    assert {f.status for f in report.files} == {"two files for one table"}
    assert "keep only one" in report.problem_lines()[0]
    assert report.exit_code == 1
