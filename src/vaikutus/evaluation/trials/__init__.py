"""Evaluation of the 2021 municipal employment trials, area by area (synthetic control) and pooled.

    from vaikutus.evaluation.trials import evaluate_trial_areas, store_evaluation

    evaluation = evaluate_trial_areas("var/demo/demo.duckdb")
    print(evaluation.summary())
    evaluation.to_frame()            # effect, interval, p-value, pre-RMSPE per trial area
    store_evaluation(con, evaluation)  # -> the warehouse's evaluation_results (the portal reads it)

:mod:`.panel` builds the area-month outcome panel from the warehouse, :mod:`.estimate` fits and
tests, :mod:`.result` holds the frozen results, :mod:`.store` writes them for the portal and
:mod:`.truth` compares them with the effects injected into the synthetic register.
"""

from vaikutus.evaluation.trials.estimate import TrialSettings, evaluate_trial_areas
from vaikutus.evaluation.trials.panel import TrialPanel, TrialPanelError, build_trial_panel
from vaikutus.evaluation.trials.result import AreaEffect, TrialEvaluation
from vaikutus.evaluation.trials.store import result_rows, store_evaluation
from vaikutus.evaluation.trials.truth import compare_with_truth, load_ground_truth

__all__ = [
    "AreaEffect",
    "TrialEvaluation",
    "TrialPanel",
    "TrialPanelError",
    "TrialSettings",
    "build_trial_panel",
    "compare_with_truth",
    "evaluate_trial_areas",
    "load_ground_truth",
    "result_rows",
    "store_evaluation",
]
