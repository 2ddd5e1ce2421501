"""The issue's must-show: a malformed CSV gives one clear line per problem, naming file, row and
column, and every rejected row is in quarantine with its reason."""

from __future__ import annotations

import json

from tests.registry.importer.import_helpers import HETUS, persons_frame, table, write_csv

MALFORMED = f"""henkilotunnus;start;end;status;municipality;responsible;service_line
{HETUS[0]};2021-01-04;2021-02-28;unemployed;091;te_office;1
{HETUS[0]};2021-02-30;;unemployed;091;te_office;1
{HETUS[1]};2021-01-01;;unemployed;999;te_office;1
{HETUS[2]};2021-01-01;;unemployed;091;te_office;two
{HETUS[3]};2021-04-15;2021-03-01;unemployed;091;te_office;1
{HETUS[1]};15.6.2022;;laid_off_full;KU049;te_office;
"""

EXPECTED = [
    "jobseeker_spells.csv, row 3, column start: '2021-02-30' is not a valid date",
    "jobseeker_spells.csv, row 4, column municipality: "
    "'999' is not a municipality code of the 2021 or 2025 division",
    "jobseeker_spells.csv, row 5, column service_line: 'two' is not a whole number",
    "jobseeker_spells.csv, row 6, column end: end date 2021-03-01 is before start date 2021-04-15",
]


def _source(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    write_csv(persons_frame(), source / "persons.csv")
    (source / "jobseeker_spells.csv").write_text(MALFORMED, encoding="utf-8")
    return source


def test_one_clear_line_per_problem_and_every_rejected_row_quarantined(tmp_path, key_env, cli):
    warehouse = tmp_path / "wh.duckdb"
    result = cli("import", _source(tmp_path), "--warehouse", warehouse)

    assert result.exit_code == 1, result.output
    problem_lines = [
        line for line in result.output.splitlines() if line.startswith("jobseeker_spells.csv, row")
    ]
    assert len(problem_lines) == len(EXPECTED)
    for line, expected in zip(problem_lines, EXPECTED, strict=True):
        assert line.startswith(expected), line

    quarantine = table(warehouse, "quarantine").sort_values("row")
    assert quarantine["row"].tolist() == [3, 4, 5, 6]
    assert quarantine["column"].tolist() == ["start", "municipality", "service_line", "end"]
    assert quarantine["file"].eq("jobseeker_spells.csv").all()
    for reason, expected in zip(quarantine["reason"], EXPECTED, strict=True):
        assert expected.endswith(reason) or expected.split(": ", 1)[1] in reason
    raw = json.loads(quarantine["raw_json"].iloc[2])
    assert raw["service_line"] == "two" and raw["start"] == "2021-01-01"

    spells = table(warehouse, "jobseeker_spells").sort_values("start")
    assert len(spells) == 2  # rows 2 and 7 (Finnish date and KU-prefixed code accepted)
    assert spells["municipality"].tolist() == ["091", "049"]
    log = table(warehouse, "import_log").set_index("table").loc["jobseeker_spells"]
    assert (log.rows_read, log.rows_accepted, log.rows_quarantined) == (6, 2, 4)


def test_api_reports_the_same_problems(tmp_path, key_env):
    from vaikutus.registry.importer import import_directory

    report = import_directory(_source(tmp_path), tmp_path / "wh.duckdb")
    spells = next(f for f in report.files if f.table == "jobseeker_spells")
    assert (spells.rows_read, spells.rows_accepted, spells.rows_quarantined) == (6, 2, 4)
    lines = list(spells.problem_lines())
    assert [line[: len(e)] for line, e in zip(lines, EXPECTED, strict=True)] == EXPECTED
    assert report.exit_code == 1
