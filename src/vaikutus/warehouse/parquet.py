"""The warehouse as a Parquet folder: the interchange format and Spark's input.

Layout: one ``<table>.parquet`` per table. DuckDB writes it as a single file; Spark writes it as a
folder of part files. Both engines read both forms, so a folder exported from the DuckDB file can
be built on Spark and the panel Spark writes back into it can be read by DuckDB.

``write_parquet`` casts every column to its Ibis type before writing, so the files have the same
column types whichever engine wrote them.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import ibis.expr.operations as ops
import ibis.expr.types as ir
from ibis.backends import BaseBackend

SUFFIX = ".parquet"


def is_spark(con: BaseBackend) -> bool:
    return con.name == "pyspark"


def parquet_tables(folder: Path) -> dict[str, Path]:
    """Table name -> path of every ``<table>.parquet`` (file or Spark folder) in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"Parquet folder {folder} does not exist")
    return {p.name[: -len(SUFFIX)]: p for p in sorted(folder.iterdir()) if p.name.endswith(SUFFIX)}


def read_parquet_table(con: BaseBackend, name: str, path: Path) -> ir.Table:
    """Register one Parquet table (file or folder of parts) as a view named ``name``."""
    source = str(path / f"*{SUFFIX}") if path.is_dir() and not is_spark(con) else str(path)
    return con.read_parquet(source, table_name=name)


def read_parquet_dir(con: BaseBackend, folder: Path) -> list[str]:
    """Register every Parquet table in ``folder`` as a view; return the table names."""
    tables = parquet_tables(folder)
    if not tables:
        raise FileNotFoundError(f"no *{SUFFIX} tables in {folder}")
    for name, path in tables.items():
        read_parquet_table(con, name, path)
    return list(tables)


def write_parquet(con: BaseBackend, expr: ir.Table, path: Path) -> None:
    """Run ``expr`` on ``con`` and write the result to ``path`` (replacing it), typed as Ibis says."""
    path = Path(path)
    remove(path)
    con.to_parquet(enforce_schema(expr), path)


def append_parquet(con: BaseBackend, expr: ir.Table, folder: Path) -> None:
    """Run ``expr`` and add the result as a part file to the table folder ``folder``."""
    folder = Path(folder)
    if is_spark(con):
        con.to_parquet(enforce_schema(expr), folder, mode="append")
        return
    folder.mkdir(parents=True, exist_ok=True)
    con.to_parquet(enforce_schema(expr), folder / f"part-{uuid.uuid4().hex}{SUFFIX}")


def remove(path: Path) -> None:
    """Delete a Parquet table, whether a file or a folder of parts."""
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def enforce_schema(expr: ir.Table) -> ir.Table:
    """``expr`` with every column cast, in SQL, to the type Ibis declares for it.

    Engines type some results wider or narrower than Ibis does - DuckDB sums BIGINT to INT128
    (which Parquet stores as DOUBLE), Spark's DATEDIFF is INT - and Ibis drops a cast to the type
    it already believes a column has, so the Cast operation is built directly.
    """
    return expr.select(
        *[ops.Cast(expr[name], to=dtype).to_expr().name(name) for name, dtype in expr.schema().items()]
    )


def export_parquet(con: BaseBackend, out_dir: Path, tables: list[str] | None = None) -> dict[str, Path]:
    """Write ``tables`` (default: every table of the connection) as ``out_dir/<table>.parquet``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = tables if tables is not None else sorted(con.list_tables())
    missing = sorted(set(names) - set(con.list_tables()))
    if missing:
        raise KeyError(f"tables {missing} are not in the warehouse")
    written = {}
    for name in names:
        written[name] = out_dir / f"{name}{SUFFIX}"
        write_parquet(con, con.table(name), written[name])
    return written

