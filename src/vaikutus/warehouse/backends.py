"""Connections to the warehouse on DuckDB (the default) or local Spark, both through Ibis.

Everything downstream is written as Ibis expressions against the connection these functions
return, so one piece of code runs on both engines:

* ``connect("warehouse.duckdb")`` - the DuckDB file (created if missing); tables are saved in it.
* ``connect("folder/")`` - in-memory DuckDB with a view per ``<table>.parquet`` in the folder.
* ``connect("folder/", backend="spark")`` - a local Spark session with a view per Parquet table.

With a Parquet folder, ``save_table`` writes results back into the folder as
``<table>.parquet`` and re-registers them, so the folder is the warehouse.

Spark is for national-scale data; on one machine DuckDB is 10-20x faster (STACK.md). The Spark
session keeps its warehouse, scratch and metastore files in a temporary folder (a second run would
otherwise trip over ``./spark-warehouse``), uses few shuffle partitions, UTC and quiet logs.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
import weakref
from pathlib import Path
from typing import Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from vaikutus.warehouse.parquet import append_parquet, is_spark, read_parquet_dir, read_parquet_table, remove


def _patch_duckdb_for_ibis() -> None:
    """Ibis 12's DuckDB backend calls ``fetch_arrow_table`` / ``fetch_record_batch``, which DuckDB
    2.0 renamed ``to_arrow_table`` / ``to_arrow_reader``; without these aliases ``con.table()``,
    ``list_tables()`` and batch export fail. Drop this once Ibis supports DuckDB 2."""
    import duckdb

    def fetch_arrow_table(cursor):
        with warnings.catch_warnings():  # "extra copy on a DB-API result": Ibis' results are small
            warnings.simplefilter("ignore", UserWarning)
            return cursor.to_arrow_table()

    connection = duckdb.DuckDBPyConnection
    if not hasattr(connection, "fetch_arrow_table"):
        connection.fetch_arrow_table = fetch_arrow_table
    if not hasattr(connection, "fetch_record_batch"):
        connection.fetch_record_batch = lambda self, rows_per_batch=1_000_000: self.to_arrow_reader(
            rows_per_batch
        )


_patch_duckdb_for_ibis()

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")

#: id(connection) -> Parquet folder that holds its tables (connections opened on a folder).
_PARQUET_DIRS: dict[int, Path] = {}


def connect(path: str | Path, backend: Engine = "duckdb", memory_limit: str | None = None) -> BaseBackend:
    """Open the warehouse at ``path`` (DuckDB file or Parquet folder) on ``backend``.

    ``memory_limit`` (DuckDB, e.g. ``"4GB"``) caps DuckDB's buffer memory; beyond it DuckDB
    spills to disk (next to the file; for a Parquet folder, to a temporary folder). Default:
    DuckDB's own, 80 % of the RAM.
    """
    path = Path(path)
    if backend not in ENGINES:
        raise ValueError(f"unknown backend {backend!r}; use one of {ENGINES}")
    if backend == "spark":
        if not path.is_dir():
            raise ValueError(
                f"Spark reads a Parquet folder, and {path} is not one; "
                "write it with `vaikutus export-parquet --warehouse FILE --out DIR`"
            )
        from pyspark.sql import SparkSession

        con = ibis.pyspark.connect(SparkSession.getActiveSession() or spark_session())
    elif path.is_dir():
        con = ibis.duckdb.connect()
        # an in-memory database would spill into ./.tmp of whatever folder the user is in
        con.raw_sql(f"SET temp_directory = '{_scratch_dir('vaikutus-duckdb-')}'")
    else:
        con = ibis.duckdb.connect(path)
    if backend == "duckdb":
        # Panel tables have no meaningful row order; not keeping it lets DuckDB stream and spill.
        con.raw_sql("SET preserve_insertion_order = false")
        con.raw_sql("SET enable_progress_bar = false")  # the CLI shows its own
        if memory_limit:
            con.raw_sql(f"SET memory_limit = '{memory_limit}'")
    if path.is_dir():
        read_parquet_dir(con, path)
        _PARQUET_DIRS[id(con)] = path
        weakref.finalize(con, _PARQUET_DIRS.pop, id(con), None)
    return con


def parquet_dir(con: BaseBackend) -> Path | None:
    """The Parquet folder a connection was opened on, or None for a DuckDB file / bare session."""
    return _PARQUET_DIRS.get(id(con))


def save_table(con: BaseBackend, name: str, expr: ir.Table, append: bool = False) -> ir.Table:
    """Materialise ``expr`` as table ``name`` (or add its rows to it) and return the table.

    DuckDB file: a table in the file. Parquet folder: ``<folder>/<name>.parquet``, a folder of
    part files, registered as a view. Spark session without a folder: a table in the session's
    (temporary) warehouse.
    """
    folder = parquet_dir(con)
    if folder is not None:
        path = folder / f"{name}.parquet"
        if not append:
            remove(path)
        append_parquet(con, expr, path)
        return read_parquet_table(con, name, path)
    if append:
        con.insert(name, expr)
        return con.table(name)
    return con.create_table(name, expr, overwrite=True)


def arrow_table(con: BaseBackend, name: str, table: pa.Table) -> ir.Table:
    """A small Arrow table (reference data, the months) as table ``name`` of the connection.

    On Spark this bypasses ``ibis.memtable``: Ibis hands memtables to Spark through pandas, where
    pandas 3 turns a null string into the text 'NaN'. Spark's Arrow path keeps the nulls.
    """
    if not is_spark(con):
        return ibis.memtable(table)
    from pyspark.sql import SparkSession

    SparkSession.active().createDataFrame(table).createOrReplaceTempView(name)
    return con.table(name)


def _scratch_dir(prefix: str) -> Path:
    """A temporary folder removed when the process exits."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return scratch


def spark_session(
    *, driver_memory: str = "2g", shuffle_partitions: int = 4, cores: str = "*", app_name: str = "vaikutus"
):
    """A local SparkSession whose files all live in a temporary folder removed at exit."""
    from pyspark.sql import SparkSession

    scratch = _scratch_dir("vaikutus-spark-")
    (scratch / "log4j2.properties").write_text(_QUIET_LOG4J)
    java_options = (
        f"-Djava.io.tmpdir={scratch} -Dderby.system.home={scratch / 'derby'} "
        f"-Dlog4j2.configurationFile={scratch / 'log4j2.properties'}"
    )
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


#: Spark logs errors only (its default prints a banner and warnings on every start). The
#: ``org.apache.spark`` logger is set explicitly: without a logger of its own at the root's level
#: Spark prints "Setting default log level" on every start.
_QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = error
"""

__all__ = ["ENGINES", "arrow_table", "connect", "is_spark", "parquet_dir", "save_table", "spark_session"]
