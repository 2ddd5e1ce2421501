"""The four tasks of ``vaikutus profile``, as Python functions working on files.

``train_model`` (warehouse -> model folder with its card), ``score_file`` (CSV of baselines -> CSV of
estimates, segments and the factors behind them), ``audit_model`` (fairness report on a warehouse)
and ``segment_warehouse`` (segments per start, profiles, follow-up; also stored in the warehouse
for the portal). The CLI in ``commands.py`` only parses options and calls these.
``profile_warehouse`` does train and store in one go for ``vaikutus demo``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from vaikutus.evaluation.outputs import write_outputs
from vaikutus.profiling.baseline import baseline_table, open_warehouse
from vaikutus.profiling.card import write_model_card
from vaikutus.profiling.explain import TOP_FACTORS
from vaikutus.profiling.fairness import (
    ExclusionComparison,
    FairnessAudit,
    audit,
    compare_exclusions,
    latest_cohorts,
)
from vaikutus.profiling.model import EmploymentModel, TrainSettings, load_model, train
from vaikutus.profiling.segments import assign_segments
from vaikutus.profiling.store import ProfileTables, profile_tables

CARD_FILE = "model_card.html"


def load_baseline(warehouse: Path | str) -> pd.DataFrame:
    con = open_warehouse(warehouse)
    try:
        return baseline_table(con)
    finally:
        con.close()


def train_model(
    warehouse: Path | str,
    out: Path | str,
    settings: TrainSettings | None = None,
    compare: bool = True,
) -> EmploymentModel:
    """Train, audit on the test cohorts, compare exclusions, save the model and write its card."""
    return _train_and_save(load_baseline(warehouse), warehouse, out, settings, compare)


def _train_and_save(
    baseline: pd.DataFrame,
    warehouse: Path | str,
    out: Path | str,
    settings: TrainSettings | None,
    compare: bool,
) -> EmploymentModel:
    settings = settings or TrainSettings()
    model = train(baseline, settings)
    model = dataclasses.replace(
        model,
        fairness=audit(model, baseline).table,
        exclusions=compare_exclusions(baseline, settings, reference=model).table
        if compare
        else None,
        extra={"data_source": f"warehouse {Path(warehouse).name}"},
    )
    model.save(out)
    write_model_card(model, Path(out) / CARD_FILE)
    return model


def score_file(
    model_dir: Path | str, input_csv: Path | str, out_csv: Path | str, language: str = "en"
) -> pd.DataFrame:
    """Estimate, segment and the main factors for each row of a CSV of baselines.

    Every column is read as text and checked against the model's declared ranges and codes, so a
    region code like ``01`` keeps its leading zero and nothing is guessed.
    """
    model = load_model(model_dir)
    frame = pd.read_csv(input_csv, dtype=str, keep_default_na=False, na_values=[""])
    segments = assign_segments(model, frame)
    explanation = model.explain(frame, language)
    factors = []
    for row in explanation.estimates["row"]:
        ranked = explanation.top(row)
        up = ranked[ranked["contribution"] > 0].head(TOP_FACTORS)
        down = ranked[ranked["contribution"] < 0].head(TOP_FACTORS)
        factors.append({"raises_estimate": _factors(up), "lowers_estimate": _factors(down)})
    result = pd.concat(
        [
            frame,
            pd.DataFrame(
                {"p_logistic": explanation.estimates["p_logistic"].to_numpy()}, index=frame.index
            ),
            segments[["p_lightgbm", "chance", "service_need", "segment", f"segment_{language}"]],
            pd.DataFrame(factors, index=frame.index),
        ],
        axis=1,
    )
    result.insert(len(frame.columns), "model_id", model.model_id)
    result.to_csv(out_csv, index=False)
    return result


def _factors(rows: pd.DataFrame) -> str:
    return "; ".join(f"{label} = {value}" for label, value in zip(rows["label"], rows["value"]))


@dataclass(frozen=True)
class AuditOutputs:
    audit: FairnessAudit
    exclusions: ExclusionComparison | None
    out: Path


def audit_model(
    model_dir: Path | str,
    warehouse: Path | str,
    out: Path | str,
    latest: bool = False,
    compare: bool = True,
) -> AuditOutputs:
    """Fairness audit of a saved model on a warehouse (its test cohorts, or the latest 12 months)."""
    model = load_model(model_dir)
    baseline = load_baseline(warehouse)
    period = latest_cohorts(baseline, model.settings.target) if latest else model.periods.test
    result = audit(model, baseline, period)
    out = Path(out)
    write_outputs(result, out, title=f"Fairness audit of employment-chance model {model.model_id}")
    result.to_frame().to_csv(out / "fairness.csv", index=False)
    exclusions = compare_exclusions(baseline, model.settings) if compare else None
    if exclusions is not None:
        write_outputs(
            exclusions, out / "exclusions", title="Accuracy with and without sensitive features"
        )
        exclusions.to_frame().to_csv(out / "exclusions.csv", index=False)
    return AuditOutputs(audit=result, exclusions=exclusions, out=out)


def segment_warehouse(
    model_dir: Path | str, warehouse: Path | str, out: Path | str, store: bool = True
) -> ProfileTables:
    """Segment every start, profile the segments, follow the service paths; optionally store them.

    Files: ``segments.csv`` (one row per start), ``segment_profiles.csv`` and ``follow_up.csv``
    (every area level) and the national reports ``profiles/`` and ``follow_up/``.
    """
    model = load_model(model_dir)
    card = Path(model_dir) / CARD_FILE
    con = open_warehouse(warehouse, read_only=not store)
    try:
        result = profile_tables(
            con, model, card_html=card.read_text("utf-8") if card.is_file() else ""
        )
        if store:
            result.write(con)
    finally:
        con.close()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.segments.to_csv(out / "segments.csv", index=False)
    result.to_frame().to_csv(out / "segment_profiles.csv", index=False)
    result.tables()["segment_follow_up"].to_csv(out / "follow_up.csv", index=False)
    # the reports show the whole country; the CSV files above hold every area
    national = dataclasses.replace(result.profiles, table=result.profiles.national())
    write_outputs(national, out / "profiles", title=f"Segment profiles (model {model.model_id})")
    followed = dataclasses.replace(result.follow_up, table=result.follow_up.national())
    write_outputs(followed, out / "follow_up", title="Follow-up of service paths")
    return result


#: What the demo trains: the defaults, and no retraining per sensitive variable (that comparison
#: takes minutes; ``vaikutus profile train`` and ``audit`` run it).
DEMO_TRAINING = TrainSettings()


def profile_warehouse(
    warehouse: Path | str, model_dir: Path | str, settings: TrainSettings = DEMO_TRAINING
) -> ProfileTables:
    """Train on every labelled start of the warehouse, save the model and its card, store the tables.

    This is the demo's profiling step: deterministic (LightGBM single-threaded with a fixed seed),
    about 30 s for the 100,000-person demo register on the 2-core development machine.
    """
    con = open_warehouse(warehouse, read_only=False)
    try:
        baseline = baseline_table(con)
        model = _train_and_save(baseline, warehouse, model_dir, settings, compare=False)
        note = (
            f"trained on all {model.rows['train']:,} starts of the training cohorts; "
            "accuracy cost of the sensitive variables not compared (run vaikutus profile audit)"
        )
        card = (Path(model_dir) / CARD_FILE).read_text("utf-8")
        return profile_tables(con, model, baseline, card_html=card, training_note=note).write(con)
    finally:
        con.close()
