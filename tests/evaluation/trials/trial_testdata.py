"""A small hand-made trial panel with a known effect, and its evaluation (cached).

Three trial areas (T01, T08, T17) and twelve donors follow one common factor with unit loadings,
levels and independent noise, 2019-01..2022-12, trial from 2021-03. T08 gets -2.0 pp from the
start, the others nothing. Fast enough (about 15 fits) for unit tests of results, storage and
the portal page.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from vaikutus.evaluation.trials import evaluate_trial_areas
from vaikutus.evaluation.trials.panel import OUTCOME, panel_from_frame

TREATED = {"T01": 0.0, "T08": -2.0, "T17": 0.0}
NAMES = {"T01": "Seinäjoki", "T08": "Helsinki", "T17": "Turku"}
START, END = "2021-03-01", "2022-12-01"


def small_panel(seed: int = 3):
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-01-01", END, freq="MS")
    t = np.arange(len(months))
    factor = 2.0 * np.sin(2 * np.pi * t / 12) + 0.08 * t - 3.0 * ((t >= 14) & (t < 20))
    units = [*TREATED, *[f"S{i:03d}" for i in range(12)]]
    rows = []
    for unit in units:
        level, loading = rng.uniform(7, 16), rng.uniform(0.6, 1.4)
        share = level + loading * factor + rng.normal(0, 0.25, len(t))
        share += np.where(months >= START, TREATED.get(unit, 0.0), 0.0)
        labour_force = 10_000.0
        rows.append(pd.DataFrame({
            "unit": unit, "month": months, "labour_force": labour_force,
            "unemployed": np.round(share * labour_force / 100), OUTCOME: share,
        }))  # fmt: skip
    table = pd.DataFrame({
        "unit": units,
        "kind": ["trial_area" if u in TREATED else "donor" for u in units],
        "name": [NAMES.get(u, f"Donor {u}") for u in units],
        "municipalities": ["" for _ in units],
        "labour_force": 10_000.0,
    })  # fmt: skip
    return panel_from_frame(pd.concat(rows, ignore_index=True), table, START, END)


@lru_cache(maxsize=1)
def small_evaluation():
    return evaluate_trial_areas(small_panel(), alpha=0.1)
