"""Store a trial evaluation in the warehouse table the portal reads: ``evaluation_results``.

Layout (one row per result; the portal's ``PortalData.evaluations`` reads exactly this):

============  ==============================================================================
study         the study's name (``trial_areas_2021``); storing a study again replaces its rows
area_type     ``trial_area`` for an area, ``trial_group`` for the pooled results
area_code     the trial-area code (``T01`` ...) or ``trial`` (all trial areas)
method        ``synthetic_control`` or ``did``
result_json   the result as JSON: :meth:`AreaEffect.to_dict` for a synthetic control (plus
              ``injected_effect_pp`` when the data are the synthetic register), the DiD's
              effect and event study, and on the pooled row the study's settings and donors
============  ==============================================================================

Every figure in it is an aggregate over an area's or a donor group's whole labour force, as the
published indicators are; no person-level value is stored.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from vaikutus import __version__
from vaikutus.evaluation.outputs import to_jsonable
from vaikutus.evaluation.trials.result import TrialEvaluation
from vaikutus.warehouse.backends import arrow_table, save_table

TABLE = "evaluation_results"
COLUMNS = ["study", "area_type", "area_code", "method", "result_json"]
STUDY = "trial_areas_2021"


def result_rows(
    evaluation: TrialEvaluation, study: str = STUDY, truth: dict[str, float] | None = None
) -> pd.DataFrame:
    """The rows of ``evaluation_results`` for ``evaluation``; ``truth``: unit -> injected pp."""
    truth = truth or {}
    rows = []
    for unit, effect in evaluation.areas.items():
        result = {**effect.to_dict(), "injected_effect_pp": truth.get(unit)}
        rows.append((study, "trial_area", unit, "synthetic_control", result))
    whole = evaluation.to_dict()
    injected = [truth[u] for u in evaluation.areas if u in truth]
    pooled = {
        **whole["pooled"],
        "injected_effect_pp": sum(injected) / len(injected) if len(injected) == len(evaluation.areas) else None,
        "study": {k: v for k, v in whole.items() if k not in ("areas", "pooled", "did")},
        "stored_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "software_version": __version__,
    }
    rows.append((study, "trial_group", "trial", "synthetic_control", pooled))
    if whole["did"] is not None:
        rows.append((study, "trial_group", "trial", "did", whole["did"]))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["result_json"] = [json.dumps(to_jsonable(r), ensure_ascii=False) for r in frame["result_json"]]
    return frame


def store_evaluation(
    con: BaseBackend, evaluation: TrialEvaluation, study: str = STUDY, truth: dict[str, float] | None = None
) -> int:
    """Replace the rows of ``study`` in ``evaluation_results`` (other studies stay); rows written."""
    rows = result_rows(evaluation, study, truth)
    table = rows
    if TABLE in con.list_tables():
        kept = con.table(TABLE).to_pandas()
        table = pd.concat([kept.loc[kept["study"] != study, COLUMNS], rows], ignore_index=True)
    upload = arrow_table(con, f"_{TABLE}_upload", pa.Table.from_pandas(table, preserve_index=False))
    save_table(con, TABLE, upload)
    return len(rows)
