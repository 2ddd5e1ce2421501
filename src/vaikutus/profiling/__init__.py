"""Profiling: client segmentation, employment-chance model and work-ability follow-up.

The impact-based employment model (TEM 2020-2023): a statistical client segmentation that
anticipates service need and employment chances, baselines measured at the start of a service and
followed to its end, and repeated Kykyviisari self-assessments. Everything here *supports* the
caseworker's judgement; nothing decides for a client.

* ``baseline_table(con)`` - one row per start of an unemployment spell or service (``baseline``);
* ``train(baseline, TrainSettings(...))`` -> :class:`EmploymentModel` (LightGBM + logistic,
  time-based validation, AUC / Brier / calibration); ``load_model(folder)``; ``model.explain(frame)``;
* ``audit(model, baseline)`` and ``compare_exclusions(...)`` - fairness (``fairness``);
* ``assign_segments`` / ``segment_profiles`` (``segments``), by area with ``tally``;
* ``client_paths`` / ``follow_up`` - milestones and Kykyviisari change (``followup``);
* ``store_profiles(con, model)`` - the tables the portal's internal side reads (``store``);
* ``write_model_card`` (``card``); file-level tasks of the CLI in ``workflow``.
"""

from vaikutus.profiling.baseline import (
    WarehouseError,
    baseline_table,
    open_warehouse,
    services_after,
)
from vaikutus.profiling.card import write_model_card
from vaikutus.profiling.explain import Explanation
from vaikutus.profiling.fairness import (
    ExclusionComparison,
    FairnessAudit,
    audit,
    compare_exclusions,
)
from vaikutus.profiling.features import FEATURES, SENSITIVE, BaselineError
from vaikutus.profiling.followup import FollowUp, client_paths, follow_up
from vaikutus.profiling.model import (
    EmploymentModel,
    ModelFileError,
    TrainSettings,
    load_model,
    train,
)
from vaikutus.profiling.segments import (
    SEGMENT_NAMES,
    SegmentProfiles,
    assign_segments,
    segment_profiles,
)
from vaikutus.profiling.store import ProfileTables, profile_tables, store_profiles

__all__ = [
    "FEATURES",
    "SEGMENT_NAMES",
    "SENSITIVE",
    "BaselineError",
    "EmploymentModel",
    "ExclusionComparison",
    "Explanation",
    "FairnessAudit",
    "FollowUp",
    "ModelFileError",
    "ProfileTables",
    "SegmentProfiles",
    "TrainSettings",
    "WarehouseError",
    "assign_segments",
    "audit",
    "baseline_table",
    "client_paths",
    "compare_exclusions",
    "follow_up",
    "load_model",
    "open_warehouse",
    "profile_tables",
    "segment_profiles",
    "services_after",
    "store_profiles",
    "train",
    "write_model_card",
]
