"""Writing the indicator table: Parquet / CSV long table, an Excel workbook, the warehouse.

The workbook has one sheet per indicator - areas down, periods across, as analysts read monthly
statistics - then ``metadata`` (every indicator's definitions in the chosen language, with the
sheet it is on) and ``parameters`` (the rules used). Suppressed cells show StatFin's symbol
``...``, values that do not exist ``.``. xlsxwriter in constant-memory mode writes row by row, so
a full workbook (a few million cells) never sits in memory as cell objects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter
from ibis.backends import BaseBackend

from vaikutus.indicators.areas import Areas
from vaikutus.indicators.compute import period_type
from vaikutus.indicators.definitions import metadata_frame
from vaikutus.indicators.parameters import IndicatorParameters, parameters_frame
from vaikutus.warehouse.backends import arrow_table, save_table

FORMATS = ("parquet", "csv", "xlsx")
SUPPRESSED, NOT_AVAILABLE = "...", "."
_SHEET_MAX = 31


def infer_format(path: Path, fmt: str | None) -> str:
    """The output format: given, else from the file suffix."""
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the output format of {path}; give --format as one of {FORMATS}")
    return fmt


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Arrow table with categoricals as plain strings (what CSV, other Parquet readers and the
    warehouse's SQL users expect); the cast runs in Arrow, fast for millions of rows."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = pa.schema([
        pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) else f for f in table.schema
    ])
    return table.cast(schema)


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(to_arrow(frame), path)
    elif fmt == "csv":
        pacsv.write_csv(to_arrow(frame), path)
    else:
        raise ValueError(f"write_table writes parquet or csv, not {fmt!r}")


def write_output(frame: pd.DataFrame, path: Path, fmt: str, *, areas: Areas, lang: str = "fi",
                 params: IndicatorParameters | None = None) -> None:
    """The table in the chosen format: the Excel workbook, or a Parquet / CSV long table."""
    if fmt == "xlsx":
        write_workbook(frame, path, areas=areas, lang=lang, params=params)
    else:
        write_table(frame, path, fmt)


def sheet_names(ids: list[str]) -> dict[str, str]:
    """Indicator id -> a unique Excel sheet name of at most 31 characters."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for ident in ids:
        name = ident[:_SHEET_MAX]
        n = 2
        while name in used:
            suffix = f"~{n}"
            name = ident[: _SHEET_MAX - len(suffix)] + suffix
            n += 1
        used.add(name)
        out[ident] = name
    return out


def write_workbook(frame: pd.DataFrame, path: Path, *, areas: Areas, lang: str = "fi",
                   params: IndicatorParameters | None = None) -> None:
    """One sheet per indicator (areas x periods), then the metadata and parameters sheets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = areas.area_names(lang)
    ids = [i for i in frame.indicator.cat.categories if (frame.indicator == i).any()]
    sheets = sheet_names(ids)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": "#,##0.0##"})
    meta = metadata_frame(lang).set_index("indicator")
    by_indicator = dict(tuple(frame.groupby("indicator", observed=True, sort=False)))
    for ident in ids:
        _indicator_sheet(book, sheets[ident], by_indicator[ident], meta.loc[ident], names, bold, number)
    meta = meta.loc[ids].reset_index()
    meta.insert(1, "sheet", meta.indicator.map(sheets))
    _frame_sheet(book, "metadata", meta, bold)
    _frame_sheet(book, "parameters", parameters_frame(params), bold)
    book.close()


def _indicator_sheet(book, name: str, rows: pd.DataFrame, meta: pd.Series, names: pd.Series, bold, number) -> None:
    ws = book.add_worksheet(name)
    ws.write(0, 0, f"{meta['name']} ({meta['unit']})", bold)
    ws.write(1, 0, meta["definition"])
    unique = pd.Series(rows.period.unique())
    rank = period_type(unique).map({"month": 0, "quarter": 1, "year": 2})
    periods = unique.iloc[np.lexsort((unique.to_numpy(), rank.to_numpy()))].tolist()
    header = ["area_type", "area_code", "area", *periods]
    for c, h in enumerate(header):
        ws.write(3, c, h, bold)
    shown = np.where(rows.flag.isin(["suppressed", "secondary_suppressed"]), SUPPRESSED,
                     np.where(rows.flag == "not_available", NOT_AVAILABLE, ""))
    rows = rows.assign(shown=shown)
    col = {p: i + 3 for i, p in enumerate(periods)}
    for r, ((atype, code), g) in enumerate(rows.groupby(["area_type", "area_code"], observed=True, sort=False), start=4):
        ws.write(r, 0, atype)
        ws.write(r, 1, code)
        ws.write(r, 2, names.get((atype, code), code))
        for period, value, symbol in zip(g.period, g.value, g.shown):
            if symbol:
                ws.write_string(r, col[period], symbol)
            elif not pd.isna(value):
                ws.write_number(r, col[period], float(value), number)
    ws.freeze_panes(4, 3)


def _frame_sheet(book, name: str, frame: pd.DataFrame, bold) -> None:
    ws = book.add_worksheet(name)
    for c, h in enumerate(frame.columns):
        ws.write(0, c, h, bold)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, v in enumerate(row):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            ws.write(r, c, v if isinstance(v, (int, float, str)) else str(v))


def store(con: BaseBackend, tables: dict[str, pd.DataFrame]) -> None:
    """Save frames as warehouse tables (replacing earlier versions), on DuckDB or Spark."""
    for name, frame in tables.items():
        save_table(con, name, arrow_table(con, f"_{name}_upload", to_arrow(frame)))


def store_source(con: BaseBackend, name: str, frame: pd.DataFrame, source: str) -> None:
    """Replace the rows of one ``source`` in table ``name`` by ``frame``, keeping the other sources'.

    The register path and the aggregate mode (StatFin) write the same indicator tables; each
    replaces only its own rows, so either can be rebuilt alone. A missing table is created.
    """
    new = arrow_table(con, f"_{name}_{source}_upload", to_arrow(frame))
    if name not in con.list_tables():
        save_table(con, name, new)
        return
    old = con.table(name)
    if "source" not in old.columns:
        raise ValueError(f"warehouse table {name} has no source column; rebuild it with `vaikutus indicators`")
    if old.filter(old.source == source).count().execute():
        kept = old.filter(old.source.isnull() | (old.source != source)).to_pyarrow()
        save_table(con, name, arrow_table(con, f"_{name}_kept", kept))
    save_table(con, name, new.cast(con.table(name).schema()), append=True)
