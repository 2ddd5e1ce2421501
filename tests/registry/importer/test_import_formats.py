"""Every supported format round-trips: the same small register written as CSV (comma and Finnish
semicolon/decimal-comma/cp1252), Parquet, Excel, SAS transport, Stata and SPSS imports to the same
accepted rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from tests.registry.importer.import_helpers import HETUS, table
from vaikutus.registry.importer import import_directory

D = dt.date


def _register() -> dict[str, pd.DataFrame]:
    persons = pd.DataFrame(
        {
            "henkilotunnus": HETUS,
            "birth_year": [1980, 1981, 1982, 1983],
            "sex": ["M", "F", "F", "M"],
            "native_language": ["fi", "sv", "other", "fi"],
            "citizenship": ["FI", "FI", "other", "EU_EEA"],
            "education": [3, 6, 2, 4],
            "partial_work_ability": [False, True, False, False],
        }
    )
    spells = pd.DataFrame(
        {
            "henkilotunnus": [HETUS[0], HETUS[0], HETUS[1], HETUS[2]],
            "start": [D(2021, 1, 4), D(2021, 3, 1), D(2021, 2, 15), D(2022, 5, 2)],
            "end": [D(2021, 2, 28), None, D(2021, 12, 31), D(2022, 6, 30)],
            "status": ["unemployed", "in_service", "laid_off_full", "unemployed"],
            "municipality": ["091", "091", "049", "564"],
            "responsible": ["te_office", "municipal_trial", "te_office", "te_office"],
            "service_line": pd.array([1, 2, None, 3], dtype="Int64"),
        }
    )
    earnings = pd.DataFrame(
        {
            "henkilotunnus": [HETUS[0], HETUS[1], HETUS[1]],
            "month": [D(2021, 1, 1), D(2021, 1, 1), D(2021, 2, 1)],
            "earnings_eur": [1234.5, 0.25, 3000.0],
        }
    )
    return {"persons": persons, "jobseeker_spells": spells, "earnings": earnings}


def _for_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """SAS/Stata/SPSS have no boolean or nullable integer: 0/1 and floats with missing values."""
    out = frame.copy()
    for name, column in out.items():
        if column.dtype == bool:
            out[name] = column.astype(int)
        elif isinstance(column.dtype, pd.Int64Dtype):
            out[name] = column.astype("float64")
    return out


def _csv_comma(frame, path):
    frame.to_csv(path.with_suffix(".csv"), index=False)


def _csv_finnish(frame, path):
    finnish = frame.copy()
    for name, column in finnish.items():
        if column.map(lambda v: isinstance(v, dt.date)).any():
            finnish[name] = column.map(
                lambda v: f"{v.day}.{v.month}.{v.year}" if isinstance(v, dt.date) else ""
            )
        elif column.dtype == bool:
            finnish[name] = column.map({True: "kyllä", False: "ei"})
    finnish.to_csv(path.with_suffix(".csv"), sep=";", decimal=",", index=False, encoding="cp1252")


def _parquet(frame, path):
    frame.to_parquet(path.with_suffix(".parquet"), index=False)


def _xlsx(frame, path):
    frame.to_excel(path.with_suffix(".xlsx"), index=False, sheet_name=path.stem)


def _xpt(frame, path):
    pyreadstat.write_xport(
        _for_statistics(frame), str(path.with_suffix(".xpt")), file_format_version=8
    )


def _dta(frame, path):
    pyreadstat.write_dta(_for_statistics(frame), str(path.with_suffix(".dta")))


def _sav(frame, path):
    pyreadstat.write_sav(_for_statistics(frame), str(path.with_suffix(".sav")))


def _zsav(frame, path):
    pyreadstat.write_sav(_for_statistics(frame), str(path.with_suffix(".zsav")), compress=True)


WRITERS = [_csv_finnish, _parquet, _xlsx, _xpt, _dta, _sav, _zsav]


def _import(tmp_path, name, writer, key):
    source = tmp_path / name
    source.mkdir()
    for table_name, frame in _register().items():
        writer(frame, source / table_name)
    warehouse = tmp_path / f"{name}.duckdb"
    report = import_directory(source, warehouse, key=key)
    return report, warehouse


def _tables(warehouse) -> dict[str, pd.DataFrame]:
    keys = {
        "persons": ["person_id"],
        "jobseeker_spells": ["person_id", "start"],
        "earnings": ["person_id", "month"],
    }
    return {t: table(warehouse, t).sort_values(k, ignore_index=True) for t, k in keys.items()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    from tests.registry.importer.import_helpers import KEY

    report, warehouse = _import(tmp_path_factory.mktemp("baseline"), "csv", _csv_comma, KEY)
    assert report.exit_code == 0, list(report.problem_lines())
    tables = _tables(warehouse)
    assert [len(t) for t in tables.values()] == [4, 4, 3]
    return tables


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.__name__.strip("_"))
def test_every_format_imports_the_same_rows(tmp_path, writer, baseline, key_env):
    report, warehouse = _import(tmp_path, writer.__name__, writer, key_env)
    assert report.exit_code == 0, list(report.problem_lines())
    for name, expected in baseline.items():
        pd.testing.assert_frame_equal(_tables(warehouse)[name], expected, obj=name)


def test_baseline_has_schema_types(baseline):
    spells = baseline["jobseeker_spells"]
    assert spells["start"].dtype.kind == "M" and spells["end"].isna().sum() == 1
    assert sorted(spells["municipality"]) == ["049", "091", "091", "564"]  # codes stay text
    assert baseline["earnings"]["earnings_eur"].sum() == pytest.approx(4234.75)
    assert baseline["persons"]["partial_work_ability"].sum() == 1


def test_excel_serial_numbers_and_the_sheet_named_like_the_table(tmp_path, key_env):
    """A date column that lost its cell format holds Excel serial days; those are dates too."""
    source = tmp_path / "src"
    source.mkdir()
    workbook = openpyxl.Workbook()
    workbook.active.title = "notes"
    workbook.active.append(["this sheet is not the data"])
    sheet = workbook.create_sheet("Earnings")
    sheet.append(["Henkilötunnus", "Month", "Earnings_EUR"])
    sheet.append([HETUS[0], 44197, 100])  # 44197 = 2021-01-01
    sheet.append([])  # a blank row is skipped
    sheet.append([HETUS[1], D(2021, 2, 1), "12,5"])
    workbook.save(source / "earnings.xlsx")

    report = import_directory(source, tmp_path / "wh.duckdb")
    result = report.files[0]
    assert (result.rows_read, result.rows_accepted) == (2, 2), list(report.problem_lines())
    months = (
        table(tmp_path / "wh.duckdb", "earnings").sort_values("month")["month"].dt.date.tolist()
    )
    assert months == [D(2021, 1, 1), D(2021, 2, 1)]


def test_excel_rows_are_numbered_as_excel_shows_them(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(["henkilotunnus", "month", "earnings_eur"])  # header on Excel row 2
    sheet.append([HETUS[0], "2021-01", 1])
    sheet.append([])
    sheet.append([HETUS[1], "2021-13", 1])  # Excel row 5
    workbook.save(source / "earnings.xlsx")

    report = import_directory(source, tmp_path / "wh.duckdb")
    assert list(report.problem_lines()) == [
        "earnings.xlsx, row 5, column month: '2021-13' is not a valid month "
        "(use YYYY-MM or M/YYYY, years 1900-2100)"
    ]


def test_numeric_stata_dates_count_days_from_1960(tmp_path, key_env):
    """A date column without a date format holds the package's day numbers (1960-01-01 = 0)."""
    source = tmp_path / "src"
    source.mkdir()
    frame = pd.DataFrame(
        {
            "hetu": [HETUS[0]],
            "month": [np.float64((pd.Timestamp("2021-03-01") - pd.Timestamp("1960-01-01")).days)],
            "earnings_eur": [10.0],
        }
    )
    pyreadstat.write_dta(frame, str(source / "earnings.dta"))

    import_directory(source, tmp_path / "wh.duckdb")
    assert table(tmp_path / "wh.duckdb", "earnings")["month"].dt.date.tolist() == [D(2021, 3, 1)]


def test_unreadable_file_is_reported_not_imported(tmp_path, key_env):
    source = tmp_path / "src"
    source.mkdir()
    (source / "persons.parquet").write_bytes(b"not parquet at all")
    (source / "earnings.xlsx").write_bytes(b"PK\x03\x04 broken zip")

    report = import_directory(source, tmp_path / "wh.duckdb")
    assert {f.file: f.status for f in report.files} == {
        "persons.parquet": "unreadable",
        "earnings.xlsx": "unreadable",
    }
    assert all("not a readable" in line for line in report.problem_lines())
    assert report.exit_code == 1
