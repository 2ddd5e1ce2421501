"""Every package table as Parquet and as one Excel workbook with a metadata sheet.

Parquet (``tables/<name>.parquet``) holds the tables exactly (codes, labels, NULL where a figure
is hidden or cannot be computed) with the package's period, area and classification in the
file's key-value metadata - and no creation time, so a rebuild writes the same content.

The workbook has one sheet per table (title, area and period, classification, then the table
with a frozen header and filters; StatFin's "..." for a hidden figure, "." for one that cannot
be computed) and a metadata sheet: what the package is, the rules, the input fingerprints, the
list of sheets. Internal workbooks say so in the first row of every sheet and in the print header.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from vaikutus.reports.i18n import NOT_AVAILABLE, SUPPRESSED, has, text
from vaikutus.reports.package import Package

HEADER_ROW = 4  # zero-based row of the column headers; data start on the next row
_PERCENT = re.compile(r"^(share.*|share_of_row)$")
_INT = {"persons", "observed", "reached", "entrants", "recipients", "from_total", "k", "e", "from_k", "to_k",
        "rank", "rank_low", "rank_high", "steps", "peer_rank", "median_months"}
_EUR = re.compile(r"^(earnings_.*|mean_eur.*)$")


def table_title(name: str, pkg: Package) -> str:
    p = pkg.request.params
    values = {"area": pkg.area_name, "period": pkg.request.period.label,
              "previous": pkg.request.period.previous().label,
              "horizons": ", ".join(str(h) for h in p.horizons), "months": p.path_months}
    return text(f"table.{name}.title", pkg.lang, **values)


def column_label(col: str, pkg: Package) -> str:
    m = re.match(r"^share_earn_gt_(\d+)(_low|_high)?$", col)
    if m:
        return text(f"col.share_earn_gt{m.group(2) or ''}", pkg.lang, threshold=m.group(1))
    return text(f"col.{col}", pkg.lang) if has(f"col.{col}") else col


def write_parquet(pkg: Package, folder: Path) -> dict[str, str]:
    """Write ``folder/<name>.parquet`` for every table; returns name -> file name."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, frame in pkg.tables.items():
        table = pa.Table.from_pandas(_plain(frame), preserve_index=False)
        meta = {**(table.schema.metadata or {}), b"vaikutus.table": name.encode(),
                b"vaikutus.period": pkg.request.period.label.encode(), b"vaikutus.area": pkg.focus.encode(),
                b"vaikutus.classification": pkg.classification.encode(), b"vaikutus.lang": pkg.lang.encode()}
        path = folder / f"{name}.parquet"
        pq.write_table(table.replace_schema_metadata(meta), path)
        out[name] = path.name
    return out


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            values = out[col]
            if values.map(lambda v: isinstance(v, (bool, np.bool_))).all():
                out[col] = values.astype(bool)
            else:
                out[col] = values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


def write_workbook(pkg: Package, path: Path, metadata: list[tuple[str, str]]) -> dict[str, str]:
    """Write the workbook; returns table name -> sheet name."""
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    wb.set_properties({"title": text("doc.title", pkg.lang), "subject": pkg.request.period.label,
                       "comments": pkg.classification, "keywords": f"vaikutus {pkg.version}"})
    fmt = _formats(wb)
    sheets = {}
    meta_name = text("meta.sheet", pkg.lang)
    meta_ws = wb.add_worksheet(meta_name)
    for name, frame in pkg.tables.items():
        sheet = name[:31]
        sheets[name] = sheet
        _write_sheet(wb.add_worksheet(sheet), frame, table_title(name, pkg), pkg, fmt)
    _write_metadata(meta_ws, pkg, metadata, sheets, fmt)
    wb.close()
    return sheets


def _formats(wb) -> dict:
    base = {"font_name": "Liberation Sans", "font_size": 10}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 13, "font_color": "#1F4E79"}),
        "sub": wb.add_format({**base, "font_color": "#5F6B76"}),
        "internal": wb.add_format({**base, "bold": True, "font_color": "#FFFFFF", "bg_color": "#B00020"}),
        "header": wb.add_format({**base, "bold": True, "font_color": "#1F4E79", "bottom": 2, "bottom_color": "#1F4E79",
                                 "text_wrap": True, "valign": "bottom"}),
        "text": wb.add_format(base),
        "int": wb.add_format({**base, "num_format": "#,##0"}),
        "eur": wb.add_format({**base, "num_format": "#,##0"}),
        "pct": wb.add_format({**base, "num_format": "0.0%"}),
        "num": wb.add_format({**base, "num_format": "#,##0.00"}),
        "symbol": wb.add_format({**base, "align": "right"}),
        "wrap": wb.add_format({**base, "text_wrap": True, "valign": "top"}),
        "key": wb.add_format({**base, "bold": True, "valign": "top"}),
    }


def _column_format(col: str, series: pd.Series) -> str:
    if _PERCENT.match(col):
        return "pct"
    if col in _INT:
        return "int"
    if _EUR.match(col):
        return "eur"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_numeric_dtype(series):
        return "num"
    return "text"


def _banner(ws, pkg: Package, title: str, fmt: dict) -> None:
    ws.write(0, 0, title, fmt["title"])
    area = text("doc.country", pkg.lang) if pkg.focus == "SSS" else text("doc.area", pkg.lang, name=pkg.area_name)
    ws.write(1, 0, f"{area} \u00b7 {pkg.request.period.label} \u00b7 vaikutus {pkg.version}", fmt["sub"])
    if pkg.request.internal:
        ws.write(2, 0, f"{text('doc.internal', pkg.lang)} \u2013 {text('doc.internal_note', pkg.lang)}", fmt["internal"])
        ws.set_header(f"&C&\"Liberation Sans,Bold\"&KB00020{text('doc.internal', pkg.lang)}")
    else:
        ws.write(2, 0, text("doc.symbols", pkg.lang, threshold=pkg.request.params.suppression_threshold), fmt["sub"])
        ws.set_header(f"&L{text('doc.title', pkg.lang)}&R{text('doc.public', pkg.lang)}")
    ws.set_footer("&R&P / &N")


def _write_sheet(ws, frame: pd.DataFrame, title: str, pkg: Package, fmt: dict) -> None:
    _banner(ws, pkg, title, fmt)
    columns = list(frame.columns)
    kinds = [_column_format(c, frame[c]) for c in columns]
    for j, col in enumerate(columns):
        ws.write(HEADER_ROW, j, column_label(col, pkg), fmt["header"])
        ws.set_column(j, j, 34 if col.endswith(("_label", "_name")) else 12)
    ws.set_row(HEADER_ROW, 30)
    hidden_rows = frame["suppressed"].to_numpy(dtype=bool) if "suppressed" in frame else np.zeros(len(frame), bool)
    if "flag" in frame:
        hidden_rows = hidden_rows | frame["flag"].isin(["suppressed", "secondary_suppressed"]).to_numpy()
    values = frame.to_numpy(dtype=object)
    for i in range(len(frame)):
        r = HEADER_ROW + 1 + i
        for j, v in enumerate(values[i]):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                numeric = kinds[j] != "text"
                ws.write_string(r, j, SUPPRESSED if (hidden_rows[i] and numeric) else NOT_AVAILABLE, fmt["symbol"])
            elif isinstance(v, (bool, np.bool_)):
                ws.write_boolean(r, j, bool(v), fmt["text"])
            elif isinstance(v, (int, float, np.integer, np.floating)):
                ws.write_number(r, j, float(v), fmt[kinds[j]])
            else:
                ws.write_string(r, j, str(v), fmt["text"])
    ws.freeze_panes(HEADER_ROW + 1, 0)
    if len(frame):
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + len(frame), len(columns) - 1)
    ws.repeat_rows(HEADER_ROW)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _write_metadata(ws, pkg: Package, metadata: list[tuple[str, str]], sheets: dict[str, str], fmt: dict) -> None:
    _banner(ws, pkg, text("doc.title", pkg.lang), fmt)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 110)
    ws.write(HEADER_ROW, 0, text("meta.key", pkg.lang), fmt["header"])
    ws.write(HEADER_ROW, 1, text("meta.value", pkg.lang), fmt["header"])
    rows = list(metadata)
    rows += [(f"{text('meta.sheet_name', pkg.lang)}: {sheet}", table_title(name, pkg)) for name, sheet in sheets.items()]
    for i, (key, value) in enumerate(rows):
        ws.write_string(HEADER_ROW + 1 + i, 0, key, fmt["key"])
        ws.write_string(HEADER_ROW + 1 + i, 1, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), fmt["wrap"])
    ws.activate()
