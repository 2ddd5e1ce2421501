"""Parquet interchange and the build-panel / export-parquet commands (DuckDB)."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.warehouse.small_register import duckdb_warehouse
from vaikutus.cli import app
from vaikutus.warehouse import connect
from vaikutus.warehouse.parquet import export_parquet

RUN = CliRunner()


def _sorted(con, table: str):
    return con.table(table).to_pandas().sort_values(["person_id", "month"], ignore_index=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A DuckDB warehouse file with the small register and its panel, built through the CLI."""
    path = tmp_path_factory.mktemp("cli") / "warehouse.duckdb"
    duckdb_warehouse(path).disconnect()
    result = RUN.invoke(app, ["build-panel", "--warehouse", str(path), "--start", "2024-01", "--end", "2024-03"])
    assert result.exit_code == 0, result.output
    return path, result.output


def test_build_panel_prints_a_summary(built):
    _, output = built
    assert "person_month" in output and "32" in output and "service_month" in output


def test_export_then_build_from_parquet_gives_the_same_panel(built, tmp_path):
    path, _ = built
    result = RUN.invoke(app, ["export-parquet", "--warehouse", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "person_month.parquet (32 rows)" in result.output
    assert pq.read_schema(tmp_path / "jobseeker_spells.parquet").field("start").type == "date32[day]"
    (tmp_path / "person_month.parquet").unlink()
    result = RUN.invoke(app, ["build-panel", "--parquet", str(tmp_path), "--start", "2024-01", "--end", "2024-03"])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "person_month.parquet").glob("part-*.parquet"))  # a folder of parts
    from_file, from_folder = connect(path), connect(tmp_path)
    pd.testing.assert_frame_equal(_sorted(from_folder, "person_month"), _sorted(from_file, "person_month"))


def test_export_only_named_tables_and_refuse_unknown_ones(built, tmp_path):
    path, _ = built
    written = export_parquet(connect(path), tmp_path, ["months"])
    assert list(written) == ["months"] and pq.read_table(written["months"]).num_rows == 3
    result = RUN.invoke(app, ["export-parquet", "--warehouse", str(path), "--out", str(tmp_path), "--table", "nope"])
    assert result.exit_code == 2 and "tables ['nope'] are not in the warehouse" in result.output


def test_cli_errors_name_the_problem(tmp_path, built):
    result = RUN.invoke(app, ["build-panel", "--warehouse", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 2 and "no such warehouse" in result.output
    result = RUN.invoke(app, ["build-panel", "--warehouse", str(built[0]), "--backend", "spark"])
    assert result.exit_code == 2 and "export-parquet" in result.output
    result = RUN.invoke(app, ["build-panel"])
    assert result.exit_code == 2 and "--warehouse FILE" in result.output
