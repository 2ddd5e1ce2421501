"""Compare a trial evaluation with the effects injected into the synthetic register.

``ground_truth.json`` (written by ``vaikutus synth-register``) holds, for every trial area, the
realised effect on the counting-day unemployed share in pp of the labour force, averaged over the
trial months (``trial_areas.areas[].realised_effect_pp_mean``) and whether the area got no effect
at all (``no_effect``). The pooled truth is the mean over the areas, the estimand of the
average-trial-area synthetic control.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from vaikutus.evaluation.trials.result import AVERAGE_UNIT, TrialEvaluation


def load_ground_truth(path: str | Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"ground truth {path} does not exist (the synthetic register writes it)")
    truth = json.loads(path.read_text(encoding="utf-8"))
    if "trial_areas" not in truth:
        raise ValueError(f"{path}: no 'trial_areas' section; is this a synthetic register's ground_truth.json?")
    return truth


def injected_effects(ground_truth: dict) -> pd.DataFrame:
    """unit, truth_pp (realised mean effect over the trial months), no_effect; one row per area."""
    areas = ground_truth["trial_areas"]["areas"]
    return pd.DataFrame(
        {
            "unit": [a["trial_area"] for a in areas],
            "truth_pp": [a["realised_effect_pp_mean"] for a in areas],
            "no_effect": [bool(a["no_effect"]) for a in areas],
        }
    )


def compare_with_truth(evaluation: TrialEvaluation, ground_truth: dict) -> pd.DataFrame:
    """The evaluation's table with the injected effect beside each estimate; last row pooled."""
    truth = injected_effects(ground_truth)
    frame = evaluation.to_frame().merge(truth, on="unit", how="left")
    areas = frame["unit"] != AVERAGE_UNIT
    missing = frame.loc[areas & frame["truth_pp"].isna(), "unit"].tolist()
    if missing:
        raise ValueError(f"ground truth has no effect for trial area(s) {missing}")
    pooled = ~areas
    frame.loc[pooled, "truth_pp"] = truth.loc[truth["unit"].isin(frame["unit"]), "truth_pp"].mean()
    frame.loc[pooled, "no_effect"] = False
    frame["covered"] = (frame["lower"] <= frame["truth_pp"]) & (frame["truth_pp"] <= frame["upper"])
    return frame


def coverage_line(comparison: pd.DataFrame, alpha: float) -> str:
    """One sentence: how many intervals hold the injected effect, false positives, pooled."""
    areas = comparison[comparison["unit"] != AVERAGE_UNIT]
    pooled = comparison[comparison["unit"] == AVERAGE_UNIT].iloc[0]
    null = areas[areas["no_effect"]]
    return (
        f"{int(areas['covered'].sum())} of {len(areas)} {1 - alpha:.0%} intervals hold the injected "
        f"effect; {int(null['significant'].sum())} of {len(null)} areas without an effect found "
        f"significant; pooled {pooled['effect_pp']:.2f} pp [{pooled['lower']:.2f}, "
        f"{pooled['upper']:.2f}] vs injected {pooled['truth_pp']:.2f}"
    )
