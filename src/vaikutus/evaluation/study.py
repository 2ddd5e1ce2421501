"""Study files: one TOML file declares an evaluation, ``vaikutus evaluate STUDY.toml`` runs it.

A study file has a ``[study]`` table with ``method`` (``synth``, ``did``, ``individual`` or
``rct``) and a ``title``, a ``[data]`` table saying where the data come from, and method-specific
tables read by that method's ``study`` module. Each method module exposes
``run(study: dict, data: pandas.DataFrame) -> EvaluationResult``.

``[data]`` is either ``path = "panel.csv"`` (CSV or Parquet, relative to the study file) or
``warehouse = "demo.duckdb"`` with ``table = "..."`` (any warehouse table, e.g. ``indicator_values``)
and optional ``where = {column = value, ...}`` filters (a list of values keeps rows with any of
them) and ``periods = "month"`` (``quarter``, ``year``): the indicator tables hold months
(YYYY-MM), quarters (YYYY-Qn) and years (YYYY) in one ``period`` column; this keeps one kind.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from vaikutus.evaluation.outputs import WrittenOutputs, write_outputs

METHODS = ("synth", "did", "individual", "rct")
PERIOD_PATTERNS = {"month": r"^\d{4}-\d{2}$", "quarter": r"^\d{4}-Q[1-4]$", "year": r"^\d{4}$"}


class StudyError(ValueError):
    """A study file that cannot be run; the message says which file and which key."""


def load_study(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise StudyError(f"{path}: study file not found")
    try:
        study = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{path}: not valid TOML ({exc})") from exc
    method = study.get("study", {}).get("method")
    if method not in METHODS:
        raise StudyError(
            f"{path}: [study] method must be one of {', '.join(METHODS)}; got {method!r}"
        )
    study["_base_dir"] = str(path.parent.resolve())
    study["_path"] = str(path)
    return study


def load_data(study: dict[str, Any]) -> pd.DataFrame:
    """Read the ``[data]`` table of a study into a DataFrame."""
    spec = study.get("data")
    where = study["_path"]
    if not spec:
        raise StudyError(f"{where}: a [data] table is required")
    base = Path(study["_base_dir"])
    if "path" in spec:
        file = (base / spec["path"]).resolve()
        if not file.exists():
            raise StudyError(f"{where}: [data] path {file} does not exist")
        if file.suffix.lower() == ".parquet":
            frame = pd.read_parquet(file)
        elif file.suffix.lower() == ".csv":
            frame = pd.read_csv(file)
        else:
            raise StudyError(f"{where}: [data] path must be a .csv or .parquet file, got {file.name}")
    elif "warehouse" in spec:
        import duckdb

        file = (base / spec["warehouse"]).resolve()
        table = spec.get("table")
        if not table or not str(table).replace("_", "").isalnum():
            raise StudyError(f"{where}: [data] table must name a warehouse table")
        if not file.exists():
            raise StudyError(f"{where}: warehouse {file} does not exist; build it with `vaikutus build`")
        clauses, params = [], []
        for col, value in spec.get("where", {}).items():
            values = value if isinstance(value, list) else [value]
            clauses.append(f'"{col}" IN ({", ".join("?" for _ in values)})')
            params.extend(values)
        if "periods" in spec:
            if spec["periods"] not in PERIOD_PATTERNS:
                raise StudyError(f"{where}: [data] periods must be one of {', '.join(PERIOD_PATTERNS)}")
            clauses.append("regexp_matches(period, ?)")
            params.append(PERIOD_PATTERNS[spec["periods"]])
        sql = f'SELECT * FROM "{table}"' + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
        with duckdb.connect(str(file), read_only=True) as con:
            try:
                frame = con.execute(sql, params).df()
            except duckdb.Error as exc:
                raise StudyError(f"{where}: [data] cannot read table {table!r} of {file} ({exc})") from exc
    else:
        raise StudyError(f"{where}: [data] needs either `path` or `warehouse`")
    if frame.empty:
        raise StudyError(f"{where}: the data selected by [data] is empty")
    return frame


def run_study(path: Path, out_dir: Path) -> WrittenOutputs:
    """Run the study in ``path`` and write its outputs to ``out_dir``."""
    study = load_study(path)
    method = study["study"]["method"]
    module = importlib.import_module(f"vaikutus.evaluation.{method}.study")
    if hasattr(module, "load_study_data"):  # a method that reads several warehouse tables itself
        data = module.load_study_data(study)
    else:
        data = load_data(study) if method != "rct" or "data" in study else pd.DataFrame()
    result = module.run(study, data)
    title = study["study"].get("title", f"{method} study {Path(path).stem}")
    public = {k: v for k, v in study.items() if not k.startswith("_")}
    return write_outputs(result, Path(out_dir), title=title, study=public)
