"""The model card (Mitchell et al. 2019): data, period, performance, fairness, intended use and limits.

One self-contained HTML file (figures embedded as SVG data URIs) rendered with Jinja2 from the
saved model's own metadata, so the card always describes exactly the model beside it. The
statements about limits are computed from the metrics, not written once and left to go stale.
"""

from __future__ import annotations

import base64
import io
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
import pandas as pd

from vaikutus.profiling.fairness import ExclusionComparison, FairnessAudit
from vaikutus.profiling.features import FEATURES
from vaikutus.profiling.model import EmploymentModel
from vaikutus.profiling.segments import (
    LONG_UNEMPLOYMENT_DAYS,
    LONG_UNEMPLOYMENT_MONTHS,
    LOW_EDUCATION_MAX,
    SEGMENT_NAMES,
)

#: A drift in calibration-in-the-large beyond this (absolute, probability) is called out.
DRIFT_NOTE = 0.02


def _svg_uri(fig: plt.Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(
        buffer.getvalue().encode("utf-8")
    ).decode("ascii")


def _metric(model: EmploymentModel, learner: str, split: str) -> pd.Series:
    m = model.metrics
    return m[(m["model"] == learner) & (m["split"] == split)].iloc[0]


def limits(model: EmploymentModel) -> list[str]:
    """Limits of this model, with the numbers that show them."""
    test, validation = _metric(model, "lightgbm", "test"), _metric(model, "lightgbm", "validation")
    logistic = _metric(model, "logistic", "test")
    found = [
        f"Discrimination is moderate (test AUC {test.auc:.3f}): clients with the same register profile "
        "fare very differently, so the estimate is a starting point for a conversation, not a verdict "
        "on a person.",
        f"The plain logistic model reaches test AUC {logistic.auc:.3f}; the gradient boosting adds "
        f"{test.auc - logistic.auc:+.3f}. Where the gain is this small the simpler model is the easier "
        "one to explain.",
        "Only register data enter: motivation, health details, caring duties, networks and the local "
        "vacancies a client could fill are invisible to the model and known to the caseworker.",
        "Contributions explain the model, not causes; a service chosen because of a low estimate can "
        "change the outcome the estimate described (the outcomes were observed with services as they "
        "were given).",
    ]
    drift = test.calibration_in_the_large
    if abs(drift) > DRIFT_NOTE:
        direction = "over-estimated" if drift > 0 else "under-estimated"
        found.append(
            f"Calibration drifts with the labour market: on the test cohorts the model {direction} the "
            f"chance by {abs(drift) * 100:.1f} percentage points on average (validation cohorts: "
            f"{validation.calibration_in_the_large * 100:+.1f}). Retrain when newer outcomes are known "
            "and read the estimates as a ranking more than as exact chances."
        )
    if model.fairness is not None:
        small = model.fairness[model.fairness["small"]]
        if len(small):
            found.append(
                "Groups too small to judge (fewer than 100 starts or 20 of either outcome): "
                + ", ".join(f"{d} = {g}" for d, g in zip(small["dimension"], small["group"]))
                + "."
            )
    return found


def model_card_html(model: EmploymentModel, data_source: str = "") -> str:
    """The model card as one HTML page."""
    figures = {name: _svg_uri(fig) for name, fig in model.figures().items()}
    audit = findings = None
    if model.fairness is not None:
        audit = FairnessAudit(
            table=model.fairness,
            threshold=model.threshold,
            period=model.periods.test,
            target_months=model.settings.target_months,
        )
        findings = audit.findings()
        figures["fairness"] = _svg_uri(audit.plot())
    if model.exclusions is not None:
        figures["exclusions"] = _svg_uri(ExclusionComparison(table=model.exclusions).plot())
    used = {f.name: f for f in model.features}
    specs = [used.get(f.name, f) for f in FEATURES]
    context: dict[str, Any] = {
        "model": model,
        "model_id": model.model_id,
        "data_source": data_source or model.extra.get("data_source", ""),
        "features": [
            {
                "name": f.name,
                "fi": f.fi,
                "en": f.en,
                "kind": f.kind,
                "allowed": ", ".join(f.categories)
                if f.categories
                else f"{f.minimum:.10g}..{f.maximum:.10g}"
                if f.minimum is not None
                else "yes / no",
                "sensitive": f.sensitive,
                "used": f.name in used,
            }
            for f in specs
        ],
        "metrics": model.metrics.to_dict("records"),
        "fairness": None if audit is None else audit.table.to_dict("records"),
        "findings": findings,
        "exclusions": None if model.exclusions is None else model.exclusions.to_dict("records"),
        "segments": SEGMENT_NAMES.to_dict("records"),
        "need_rule": {
            "months": LONG_UNEMPLOYMENT_MONTHS,
            "days": LONG_UNEMPLOYMENT_DAYS,
            "education": LOW_EDUCATION_MAX,
        },
        "limits": limits(model),
        "figures": figures,
    }
    template = (
        resources.files("vaikutus.profiling")
        .joinpath("templates/model_card.html")
        .read_text("utf-8")
    )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda v: "–" if v is None or pd.isna(v) else f"{v * 100:.1f} %"
    env.filters["num"] = lambda v, digits=3: "–" if v is None or pd.isna(v) else f"{v:.{digits}f}"
    return env.from_string(template).render(**context)


def write_model_card(model: EmploymentModel, path: Path | str, data_source: str = "") -> Path:
    path = Path(path)
    path.write_text(model_card_html(model, data_source), encoding="utf-8")
    return path
