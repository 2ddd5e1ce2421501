"""``method = "rct"`` study files: the analysis of a completed trial.

Tables read here (see ``vaikutus trial init`` for a commented template):

* ``[rct]``: outcomes, treatment, take_up, covariates, strata, blocks, cluster, multiple_testing,
  subgroups, ri_draws, seed, alpha, hypotheses (see :class:`.analysis.TrialSpec`);
* ``[data]``: the register extract with one row per person (outcomes, covariates, take-up);
* ``[population] assessed``: persons assessed for eligibility, for the CONSORT flow;
* ``[study] registered_plan_sha256``: hash of the registered pre-analysis plan; a different hash of
  the current file is reported as a deviation from the plan.

When the study file sits in a trial directory with an on-arrival enrolment store, the assignment
comes from the verified log and the ``[data]`` rows are joined to it by ``person_id``: persons in
the log without a register row are lost to follow-up, register rows without a log entry are an
error, and a treatment column in ``[data]`` must agree with the log.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from vaikutus.evaluation.rct.analysis import TrialResult, TrialSpec, analyse
from vaikutus.evaluation.rct.consort import ConsortFlow, consort_flow
from vaikutus.evaluation.rct.enrolment import STORE_FILE, open_trial
from vaikutus.evaluation.rct.plan import pre_analysis_plan
from vaikutus.evaluation.study import StudyError

ID = "person_id"


@dataclasses.dataclass(frozen=True)
class PreparedTrial:
    """The analysis data (joined to the log where there is one) and what the study file fixes."""

    spec: TrialSpec
    data: pd.DataFrame
    consort: ConsortFlow
    notes: tuple[str, ...]


def prepare(study: dict[str, Any], data: pd.DataFrame) -> PreparedTrial:
    """Validate [rct], join [data] to the enrolment log if any, count the CONSORT flow."""
    where = study.get("_path", "study file")
    if "rct" not in study:
        raise StudyError(f"{where}: an [rct] table is required")
    if data.empty:
        raise StudyError(
            f"{where}: the trial analysis needs a [data] table with the register extract"
        )
    try:
        spec = TrialSpec.from_table(study["rct"], f"{where} [rct]")
        flow = dict(
            outcome=spec.outcomes[0],
            arms=spec.arms,
            treatment=spec.treatment,
            take_up=spec.take_up,
            assessed=study.get("population", {}).get("assessed"),
        )
        trial_dir = Path(study.get("_base_dir", "."))
        if (trial_dir / STORE_FILE).exists():
            data, log = _join_log(trial_dir, data, spec)
            note = f"assignment taken from the verified enrolment log ({len(log)} persons)"
            return PreparedTrial(spec, data, consort_flow(log, data, **flow), (note,))
        if ID not in data.columns:
            raise ValueError(f"[data] needs a {ID!r} column; it has {list(data.columns)}")
        return PreparedTrial(spec, data, consort_flow(data, None, **flow), ())
    except ValueError as exc:
        raise StudyError(f"{where}: {exc}") from exc


def run(study: dict[str, Any], data: pd.DataFrame) -> TrialResult:
    """Analyse the trial declared in ``study`` on ``data`` (see the module docstring)."""
    prepared = prepare(study, data)
    try:
        result = analyse(prepared.data, prepared.spec, prepared.consort)
        plan_hash = pre_analysis_plan(study).sha256 if "design" in study else None
    except ValueError as exc:
        raise StudyError(f"{study.get('_path', 'study file')}: {exc}") from exc
    notes = list(prepared.notes)
    registered = study.get("study", {}).get("registered_plan_sha256")
    if registered and plan_hash and registered != plan_hash:
        notes.append(
            f"DEVIATION: the plan in this file (sha256 {plan_hash}) differs from the registered "
            f"plan ({registered})"
        )
    elif registered and plan_hash:
        notes.append(f"plan matches the registered plan (sha256 {plan_hash})")
    return dataclasses.replace(result, plan_sha256=plan_hash, notes=result.notes + tuple(notes))


def _join_log(
    trial_dir: Path, data: pd.DataFrame, spec: TrialSpec
) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = open_trial(trial_dir)
    check = store.verify()
    if not check.ok:
        raise ValueError(
            f"the enrolment log of {trial_dir} failed verification:\n{check.summary()}"
        )
    log = store.frame().rename(columns={"treatment": spec.treatment})
    if ID not in data.columns:
        raise ValueError(
            f"[data] needs a {ID!r} column to join the enrolment log; it has {list(data.columns)}"
        )
    data = data.assign(**{ID: data[ID].astype(str)})
    unknown = set(data[ID]) - set(log[ID])
    if unknown:
        raise ValueError(
            f"{len(unknown)} person(s) in [data] are not in the enrolment log, "
            f"e.g. {sorted(unknown)[:3]}"
        )
    if spec.treatment in data.columns:
        both = log[[ID, spec.treatment]].merge(
            data[[ID, spec.treatment]], on=ID, suffixes=("_log", "_data")
        )
        wrong = both[both[f"{spec.treatment}_log"] != both[f"{spec.treatment}_data"]]
        if len(wrong):
            raise ValueError(
                f"[data] column {spec.treatment!r} disagrees with the enrolment log for "
                f"{len(wrong)} person(s), e.g. {wrong[ID].iloc[0]}"
            )
        data = data.drop(columns=spec.treatment)
    overlap = [c for c in data.columns if c in log.columns and c != ID]
    joined = log.merge(data.drop(columns=overlap), on=ID, how="left")
    return joined, log
