"""Public tables, the output files, the warehouse tables and the CLI on the hand-built register."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from vaikutus.cli import app
from vaikutus.indicators import compute, metadata_frame
from vaikutus.indicators.compute import select
from vaikutus.indicators.output import SUPPRESSED, sheet_names, write_table, write_workbook
from vaikutus.indicators.tables import COLUMNS

KEY = ["indicator", "area_type", "area_code", "period"]


@pytest.fixture(scope="module")
def result(hand_result):
    return hand_result


def test_public_is_the_default_and_hides_small_cells(result, warehouse, areas):
    public = compute(warehouse, areas=areas, indicators=["unemployed"], periods=["month"])
    assert list(public.columns) == COLUMNS
    row = public.set_index(KEY[1:]).loc[("municipality", "285", "2022-03")]  # 2 unemployed
    assert row.flag == "suppressed" and pd.isna(row.value) and pd.isna(row.numerator)
    hidden = result.public[result.public.flag.isin(["suppressed", "secondary_suppressed"])]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    assert (result.public.source == "register").all()


def test_zero_is_published_and_internal_is_unsuppressed(result):
    public = result.public.set_index(KEY)
    internal = result.internal.set_index(KEY)
    counts = internal.index.get_level_values("indicator").isin(["unemployed", "plan_debt", "ended_searches"])
    zeros = internal[counts & (internal.value == 0)].index
    assert not (public.loc[zeros, "flag"] == "suppressed").any()  # zero is never a primary cell
    assert (public.loc[zeros, "value"] == 0).sum() > 100  # and mostly published as it is
    assert internal.loc[("unemployed", "municipality", "285", "2022-03"), "value"] == 2
    assert not internal.flag.isin(["suppressed", "secondary_suppressed"]).any()
    assert len(public) == len(internal)


def test_select_narrows_without_changing_cells(result):
    narrow = select(result.public, levels=["municipality"], periods=["month", "quarter"],
                    start="2022-01", end="2022-06")
    assert set(narrow.area_type) == {"municipality"}
    assert set(narrow.period) <= {"2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06",
                                  "2022-Q1", "2022-Q2"}
    full = result.public.set_index(KEY)
    sub = narrow.set_index(KEY)
    pd.testing.assert_frame_equal(sub, full.loc[sub.index], check_categorical=False)
    with pytest.raises(ValueError, match="unknown level"):
        select(result.public, levels=["county"])
    with pytest.raises(ValueError, match="YYYY-MM"):
        select(result.public, start="March")


def test_files(result, areas, tmp_path):
    frame = select(result.public, indicators=["unemployed", "flow_over_3m", "caseload_mean"])
    write_table(frame, tmp_path / "x.parquet", "parquet")
    write_table(frame, tmp_path / "x.csv", "csv")
    back = pq.read_table(tmp_path / "x.parquet").to_pandas()
    assert list(back.columns) == COLUMNS and len(back) == len(frame)
    assert len(pd.read_csv(tmp_path / "x.csv", dtype={"area_code": str})) == len(frame)
    write_workbook(frame, tmp_path / "x.xlsx", areas=areas, lang="sv")
    book = load_workbook(tmp_path / "x.xlsx", read_only=True)
    assert book.sheetnames == ["unemployed", "flow_over_3m", "caseload_mean", "metadata", "parameters"]
    rows = list(book["unemployed"].iter_rows(values_only=True))
    assert rows[0][0].startswith("Arbetslösa arbetssökande")  # Swedish name
    header = rows[3]
    kotka = next(r for r in rows if r[1] == "285")
    assert kotka[header.index("2022-03")] == SUPPRESSED
    shown = frame[(frame.indicator == "unemployed") & frame.flag.isna() & (frame.value > 0)].iloc[0]
    row = next(r for r in rows if r[0] == shown.area_type and r[1] == shown.area_code)
    assert row[header.index(shown.period)] == shown.value


def test_sheet_names_are_short_and_unique():
    ids = ["ended_searches_outside_labour_force", "ended_searches_outside_labour_force_x", "a"]
    names = sheet_names(ids)
    assert all(len(n) <= 31 for n in names.values()) and len(set(names.values())) == 3


def test_cli_writes_the_file_and_the_warehouse_tables(warehouse, tmp_path):
    """One end-to-end run of `vaikutus indicators` (real area hierarchy) on the hand register."""
    path = warehouse.con.execute("PRAGMA database_list").fetchall()[0][2]
    out = tmp_path / "indicators.xlsx"
    runner = CliRunner()
    res = runner.invoke(app, ["indicators", "--warehouse", path, "--out", str(out), "--internal",
                              "--levels", "municipality,country", "--from", "2022-01", "--to", "2022-03",
                              "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "INTERNAL" in res.output and out.exists()
    tables = set(warehouse.list_tables())
    assert {"indicator_values", "indicator_values_public", "indicator_metadata", "indicator_parameters"} <= tables
    stored = warehouse.table("indicator_values_public").to_pandas()
    assert set(stored.columns) == set(COLUMNS)
    assert stored.flag.isin(["suppressed"]).any()
    meta = warehouse.table("indicator_metadata").to_pandas()
    assert len(meta) == len(metadata_frame()) and "name_sv" in meta.columns
    bad = runner.invoke(app, ["indicators", "--warehouse", path, "--out", str(tmp_path / "x.txt")])
    assert bad.exit_code == 2 and "format" in bad.output
