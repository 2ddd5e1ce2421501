"""Warehouse stage: the register tables plus the derived person-month panel, on DuckDB or Spark.

The interface is three functions, all engine-neutral through Ibis:

* ``connect(path, backend="duckdb" | "spark")`` - an Ibis connection to a DuckDB file or a Parquet
  folder (``backends.py``); run any Ibis expression on ``con.table("person_month")``.
* ``build_panel(con, start=None, end=None, counting_day_rule="last_working_day",
  min_break_days=1)`` - writes ``months``, ``person_month`` and ``service_month`` (``panel.py``).
* ``export_parquet(con, out_dir)`` - every table as ``out_dir/<table>.parquet`` (``parquet.py``).
"""

from vaikutus.warehouse.backends import connect
from vaikutus.warehouse.panel import build_panel
from vaikutus.warehouse.parquet import export_parquet

__all__ = ["build_panel", "connect", "export_parquet"]
