"""The same Ibis panel code on DuckDB and on local Spark gives identical tables.

One Spark session for the module (start-up takes ~10 s); it is made by the fixture and stopped at
the end, and the CLI run below reuses it (``getOrCreate``).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.warehouse.small_register import register_tables
from vaikutus.cli import app
from vaikutus.warehouse import build_panel, connect

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

TABLES = {"months": ["month"], "person_month": ["person_id", "month"], "service_month": ["person_id", "month", "service"]}


@pytest.fixture(scope="module")
def spark():
    from vaikutus.warehouse.backends import spark_session

    session = spark_session(driver_memory="1g", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """The small register as Parquet, once for each engine (each writes its panel into its folder)."""
    out = {}
    for engine in ("duckdb", "spark"):
        folder = out[engine] = tmp_path_factory.mktemp(engine)
        for name, table in register_tables().items():
            pq.write_table(table, folder / f"{name}.parquet")
    return out


@pytest.fixture(scope="module")
def built(spark, folders):
    result = CliRunner().invoke(app, ["build-panel", "--backend", "spark", "--parquet", str(folders["spark"])])
    assert result.exit_code == 0, result.output
    build_panel(connect(folders["duckdb"]))
    return folders


@pytest.mark.parametrize("table", list(TABLES))
def test_spark_and_duckdb_tables_are_identical(built, table):
    duck, spark = (pq.read_table(built[e] / f"{table}.parquet") for e in ("duckdb", "spark"))
    assert [(f.name, f.type) for f in spark.schema] == [(f.name, f.type) for f in duck.schema]
    frames = [t.to_pandas().sort_values(TABLES[table], ignore_index=True) for t in (duck, spark)]
    assert len(frames[0]) > 0
    pd.testing.assert_frame_equal(frames[1], frames[0], check_exact=True)


def test_spark_reads_a_folder_with_the_duckdb_panel(spark, built):
    con = connect(built["duckdb"], backend="spark")
    assert con.table("person_month").count().execute() == pq.read_table(built["duckdb"] / "person_month.parquet").num_rows
