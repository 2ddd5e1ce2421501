"""Validation rules: Finnish formats, codes, ranges, intervals, overlaps, duplicates, references,
whole-file problems and broken CSV rows - each reported with file, row and column."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.registry.importer.import_helpers import (
    HETUS,
    KEY,
    persons_frame,
    spells_frame,
    table,
    write_csv,
)
from vaikutus.registry.importer import import_directory
from vaikutus.registry.validation import validate_table

D = dt.date


def _validate(table_name, columns: dict, **kw):
    accepted, problems = validate_table(
        table_name, pd.DataFrame(columns), "f.csv", key=KEY.encode(), **kw
    )
    return accepted.to_pandas(), problems


def _lines(problems) -> list[str]:
    return [f"row {r.row}, {r.column}: {r.reason}" for r in problems.itertuples()]


def test_finnish_formats_are_accepted():
    accepted, problems = _validate(
        "benefits",
        {
            "hetu": [HETUS[0]] * 6,
            "month": [
                "2021-01",
                "2/2021",
                "2021M03",
                "1.4.2021",
                "2021-05-15",
                "2021-06-01 00:00:00",
            ],
            "benefit": [
                "labour_market_subsidy",
                "Työmarkkinatuki",
                "PERUSPÄIVÄRAHA",
                "earnings_related",
                "housing_allowance",
                "social_assistance",
            ],
            "amount_eur": ["1 234,50", "−0,0", "12.5", "1e2", "7", ",5"],
            "days": ["21", "20,0", " 3 ", "0", "31", "1.0"],
        },
    )
    assert problems.empty, _lines(problems)
    assert accepted["month"].tolist() == [D(2021, m, 1) for m in range(1, 7)]
    assert accepted["benefit"].tolist()[:3] == [
        "labour_market_subsidy",
        "labour_market_subsidy",
        "basic_allowance",
    ]
    assert accepted["amount_eur"].tolist() == [1234.5, 0.0, 12.5, 100.0, 7.0, 0.5]
    assert accepted["days"].tolist() == [21, 20, 3, 0, 31, 1]


def test_booleans_dates_and_municipality_forms():
    accepted, problems = _validate(
        "persons",
        {
            "person_id": ["a", "b", "c", "d"],
            "birth_year": ["1990"] * 4,
            "sex": ["m", "F", "nainen", "Mies"],
            "native_language": ["fi"] * 4,
            "citizenship": ["FI"] * 4,
            "education": ["3"] * 4,
            "partial_work_ability": ["kyllä", "ei", "TRUE", "0"],
        },
    )
    assert problems.empty and accepted["partial_work_ability"].tolist() == [
        True,
        False,
        True,
        False,
    ]
    assert accepted["sex"].tolist() == ["M", "F", "F", "M"]
    accepted, problems = _validate(
        "residence",
        {
            "person_id": ["a", "b", "c", "d"],
            "municipality": ["91", "KU091", "ku588", "5"],
            "start": ["1.3.2021", "2021-03-01", "01.03.2021", "2021-3-1"],
            "end": ["", "", "", ""],
        },
    )
    assert problems.empty, _lines(problems)
    assert accepted["municipality"].tolist() == [
        "091",
        "091",
        "588",
        "005",
    ]  # 588: 2021 division only
    assert set(accepted["start"]) == {D(2021, 3, 1)}


def test_bad_cells_get_one_problem_each():
    _, problems = _validate(
        "persons",
        {
            "person_id": ["a", "b", "c", "d", ""],
            "birth_year": ["1850", "2040", "19x0", "1990", "1990"],
            "sex": ["M", "X", "M", "M", "M"],
            "native_language": ["fi"] * 5,
            "citizenship": ["FI"] * 5,
            "education": ["3", "3", "9", "3", "3"],
            "partial_work_ability": ["0", "0", "0", "maybe", "0"],
        },
    )
    assert _lines(problems) == [
        "row 1, birth_year: '1850' is below the minimum 1900",
        "row 2, birth_year: '2040' is above the maximum 2030",
        "row 2, sex: 'X' is not a known sex code (allowed: M, F)",
        "row 3, birth_year: '19x0' is not a whole number",
        "row 3, education: '9' is above the maximum 8",
        "row 4, partial_work_ability: 'maybe' is not a yes/no value "
        "(use 1/0, true/false or kyllä/ei)",
        "row 5, person_id: value is missing (the column is required)",
    ]


def test_codes_of_other_lists():
    _, problems = _validate(
        "caseloads",
        {
            "expert_id": ["e1", "e2"],
            "person_id": ["a", "b"],
            "start": ["2025-01-01"] * 2,
            "end": ["", ""],
            "area": ["12", "47"],
        },
    )
    assert _lines(problems) == ["row 2, area: '47' is not an employment area code (1-46)"]


def test_interval_end_before_start_names_both_dates():
    _, problems = _validate(
        "plans",
        {
            "person_id": ["a"],
            "kind": ["employment_plan"],
            "made": ["2022-05-01"],
            "review_due": ["2022-04-30"],
        },
    )
    assert _lines(problems) == [
        "row 1, review_due: review_due date 2022-04-30 is before made date 2022-05-01"
    ]


def test_overlapping_spells_report_both_rows():
    _, problems = _validate(
        "jobseeker_spells",
        {
            "person_id": ["a", "a", "a", "b", "b", "a"],
            "start": [
                "2021-01-01",
                "2021-02-01",
                "2021-02-28",
                "2021-01-01",
                "2021-02-01",
                "2022-01-01",
            ],
            "end": ["2021-01-31", "2021-02-28", "2021-03-31", "2021-01-31", "", "2022-01-31"],
            "status": ["unemployed"] * 6,
            "municipality": ["091"] * 6,
            "responsible": ["te_office"] * 6,
            "service_line": [""] * 6,
        },
    )
    # row 2 starts the day after row 1 ends: fine; row 3 starts on row 2's last day: overlap
    assert _lines(problems) == [
        "row 3, start: 2021-02-28 – 2021-03-31 overlaps row 2 (2021-02-01 – 2021-02-28) "
        "of the same person"
    ]
    _, problems = _validate(
        "residence",
        {
            "person_id": ["a", "a"],
            "municipality": ["091", "049"],
            "start": ["2022-01-01", "2021-01-01"],
            "end": ["", ""],
        },
    )
    assert _lines(problems) == [
        "row 1, start: 2022-01-01 – ongoing overlaps row 2 (2021-01-01 – ongoing) "
        "of the same person"
    ]


def test_duplicate_keys_keep_the_first_row():
    _, problems = _validate(
        "earnings",
        {
            "person_id": ["a", "b", "a"],
            "month": ["2021-01", "2021-01", "1/2021"],
            "earnings_eur": ["1", "2", "3"],
        },
    )
    assert _lines(problems) == ["row 3, month: same person_id and month as row 1"]


def test_references_need_known_persons():
    accepted, problems = _validate(
        "earnings",
        {
            "person_id": ["a", "zz"],
            "month": ["2021-01", "2021-01"],
            "earnings_eur": ["1", "2"],
        },
        known_persons=["a", "b"],
    )
    assert _lines(problems) == ["row 2, person_id: this person is not in the persons table"]
    assert accepted["person_id"].tolist() == ["a"]


def test_references_against_persons_already_in_the_warehouse(tmp_path, key_env):
    source, warehouse = tmp_path / "src", tmp_path / "wh.duckdb"
    source.mkdir()
    spells = spells_frame()
    write_csv(spells, source / "jobseeker_spells.csv")
    report = import_directory(source, warehouse)
    assert "persons not checked" in " ".join(report.files[0].notes) and report.exit_code == 0

    only_persons = tmp_path / "persons_only"
    only_persons.mkdir()
    write_csv(persons_frame().iloc[1:], only_persons / "persons.csv")
    import_directory(only_persons, warehouse)
    spells.loc[0, "status"] = "student"  # a changed file, so it is imported again
    write_csv(spells, source / "jobseeker_spells.csv")
    report = import_directory(source, warehouse)
    result = report.files[0]
    assert (result.rows_accepted, result.rows_quarantined) == (3, 2)  # HETUS[0]'s two spells
    assert set(result.problems["row"]) == {2, 3}
    assert set(result.problems["reason"]) == {"this person is not in the persons table"}


def test_missing_required_column_rejects_the_file(tmp_path, key_env, cli):
    source, warehouse = tmp_path / "src", tmp_path / "wh.duckdb"
    source.mkdir()
    write_csv(
        spells_frame().drop(columns=["status"]).assign(comment="x"), source / "jobseeker_spells.csv"
    )
    result = cli("import", source, "--warehouse", warehouse)
    assert result.exit_code == 1
    assert "jobseeker_spells.csv, column status: required column status is missing" in result.output
    assert "ignored columns that are not part of table jobseeker_spells: comment" in result.output
    quarantine = table(warehouse, "quarantine")
    assert sorted(quarantine["row"]) == [2, 3, 4, 5, 6] and set(quarantine["column"]) == {"status"}
    assert len(table(warehouse, "jobseeker_spells")) == 0


def test_optional_column_may_be_absent_but_not_doubled():
    columns = (
        spells_frame().drop(columns=["service_line"]).rename(columns={"henkilotunnus": "hetu"})
    )
    accepted, problems = _validate("jobseeker_spells", columns)
    assert problems.empty and accepted["service_line"].isna().all()
    _, problems = _validate("jobseeker_spells", columns.assign(person_id="p"))
    assert _lines(problems) == [
        "row <NA>, person_id: columns hetu and person_id all mean person_id; keep only one"
    ]


CSV_WITH_BROKEN_ROWS = (
    "henkilotunnus,month,earnings_eur\n"  # line 1
    f"{HETUS[0]},2021-01,100\n"  # line 2
    "\n"  # line 3: blank, skipped
    f"{HETUS[1]},2021-01\n"  # line 4: a value short
    f'{HETUS[2]},2021-01,"1\n2"\n'  # lines 5-6: a value over two lines
    f"{HETUS[3]},2021-01,100,extra\n"  # line 7: a value too many
    ",,\n"  # line 8: only separators, skipped
    f'{HETUS[3]},2021-02,"5\n'  # line 9: a quote never closed ...
    f"{HETUS[3]},2021-03,5\n"  # line 10: ... swallows this line
)


def test_broken_csv_rows_are_quarantined_with_their_line(tmp_path, key_env):
    source, warehouse = tmp_path / "src", tmp_path / "wh.duckdb"
    source.mkdir()
    (source / "earnings.csv").write_text(CSV_WITH_BROKEN_ROWS)
    report = import_directory(source, warehouse)
    result = report.files[0]
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (5, 1, 4)
    assert "2 empty rows skipped" in result.notes
    assert list(result.problem_lines()) == [
        "earnings.csv, row 4: the row has 2 values but the header has 3 columns",
        "earnings.csv, row 5, column earnings_eur: '1\\n2' is not a number",
        "earnings.csv, row 7: the row has 4 values but the header has 3 columns",
        "earnings.csv, row 9, column earnings_eur: '5\\n<redacted>,2021-03,5' is not a number",
    ]
    quarantine = table(warehouse, "quarantine")
    assert sorted(quarantine["row"]) == [4, 5, 7, 9]
    assert HETUS[1] not in " ".join(quarantine["raw_json"])


@pytest.mark.parametrize("content", ["", "\n\n", "henkilotunnus,month,earnings_eur\n"])
def test_empty_files_read_no_rows(tmp_path, key_env, content):
    source = tmp_path / "src"
    source.mkdir()
    (source / "earnings.csv").write_text(content)
    result = import_directory(source, tmp_path / "wh.duckdb").files[0]
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (0, 0, 0)
    if content.strip():
        assert result.ok
    else:
        assert list(result.problem_lines()) == [
            "earnings.csv: the file has no header row (it is empty)"
        ]


def test_unknown_and_ignored_files_are_reported(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    (source / "people.csv").write_text("a\n1\n")
    (source / "old.xls").write_bytes(b"\xd0\xcf")
    (source / "manifest.json").write_text("{}")
    report = import_directory(source, tmp_path / "wh.duckdb")
    assert {f.file: f.status for f in report.files} == {
        "persons.csv": "imported",
        "people.csv": "unknown table",
        "old.xls": "unsupported format",
    }
    assert report.notes == ("ignored (not a register data file): manifest.json",)
    assert report.exit_code == 1


def test_an_unclosed_quote_in_a_large_file_loses_no_row(tmp_path, key_env):
    """The rest of the file becomes one value of over a megabyte: one row, quarantined."""
    source = tmp_path / "src"
    source.mkdir()
    good = f"{HETUS[0]},2021-01,100\n"
    (source / "earnings.csv").write_text(
        "henkilotunnus,month,earnings_eur\n" + good + f'{HETUS[1]},"2021-02,5\n' + good * 60_000
    )
    result = import_directory(source, tmp_path / "wh.duckdb").files[0]
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (2, 1, 1)
    assert list(result.problem_lines()) == [
        "earnings.csv, row 3: the row has 2 values but the header has 3 columns; "
        'it runs over 60001 lines, probably because a quote (") is never closed'
    ]


def test_problem_lines_are_capped_in_the_cli(tmp_path, key_env, cli):
    source = tmp_path / "src"
    source.mkdir()
    rows = "".join(f"{HETUS[0]},2021-{m:02d},-{m}\n" for m in range(1, 13))
    (source / "earnings.csv").write_text("henkilotunnus,month,earnings_eur\n" + rows)
    capped = cli("import", source, "--warehouse", tmp_path / "a.duckdb", "--problems", "5")
    assert capped.exit_code == 1
    assert capped.output.count("earnings.csv, row") == 5
    assert "... and 7 more problems, see the quarantine table" in capped.output
    full = cli("import", source, "--warehouse", tmp_path / "b.duckdb", "--problems", "all")
    assert full.output.count("earnings.csv, row") == 12 and "more problems" not in full.output


def test_progress_is_reported_per_file(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    seen: list[tuple[str, float]] = []
    import_directory(
        source, tmp_path / "wh.duckdb", on_progress=lambda name, f: seen.append((name, f))
    )
    fractions = [f for name, f in seen if name == "persons.csv"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
