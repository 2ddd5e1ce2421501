"""Write an estimator's result to a folder: ``result.json``, figures (PNG and SVG) and an HTML report.

Every estimator in ``vaikutus.evaluation`` returns a frozen result object that follows
:class:`EvaluationResult`; this module is the one place that turns such an object into files, so
all methods produce the same layout and the portal and reports can read any of them.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class EvaluationResult(Protocol):
    """What every evaluation result offers (the statsmodels / pyfixest style)."""

    def summary(self) -> str: ...

    def to_frame(self) -> pd.DataFrame: ...

    def to_dict(self) -> dict[str, Any]: ...

    def figures(self) -> dict[str, Any]:
        """Named matplotlib figures for the report (``.plot()`` draws the main one)."""
        ...


def to_jsonable(value: Any) -> Any:
    """Convert numpy / pandas values into plain JSON types (NaN and inf become ``null``)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return to_jsonable(value.to_dict(orient="records"))
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if value is pd.NaT or (value is not None and value is pd.NA):
        return None
    return value


@dataclass(frozen=True)
class WrittenOutputs:
    """Paths of the files :func:`write_outputs` wrote."""

    result_json: Path
    report_html: Path
    figures: dict[str, tuple[Path, Path]]


def write_outputs(
    result: EvaluationResult,
    out_dir: Path,
    *,
    title: str,
    study: dict[str, Any] | None = None,
) -> WrittenOutputs:
    """Write ``result.json``, ``<figure>.png`` / ``.svg`` and ``report.html`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = to_jsonable(result.to_dict())
    if study is not None:
        payload = {**payload, "study": to_jsonable(study)}
    result_json = out_dir / "result.json"
    result_json.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")

    written: dict[str, tuple[Path, Path]] = {}
    for name, fig in result.figures().items():
        png, svg = out_dir / f"{name}.png", out_dir / f"{name}.svg"
        fig.savefig(png, dpi=150, bbox_inches="tight")
        fig.savefig(svg, bbox_inches="tight")
        plt.close(fig)
        written[name] = (png, svg)

    report = out_dir / "report.html"
    report.write_text(_report_html(title, result, written), encoding="utf-8")
    return WrittenOutputs(result_json=result_json, report_html=report, figures=written)


def _report_html(title: str, result: EvaluationResult, figures: dict[str, tuple[Path, Path]]) -> str:
    table = result.to_frame()
    figure_html = "\n".join(
        f'<figure><img src="{svg.name}" alt="{html.escape(name.replace("_", " "))}">'
        f"<figcaption>{html.escape(name.replace('_', ' '))}</figcaption></figure>"
        for name, (_png, svg) in figures.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.5; }}
pre {{ background: #f4f4f4; padding: 1rem; overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }}
figure img {{ max-width: 100%; }}
</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<h2>Summary</h2>
<pre>{html.escape(result.summary())}</pre>
<h2>Figures</h2>
{figure_html}
<h2>Results table</h2>
{table.to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.4g}")}
</main></body></html>
"""
