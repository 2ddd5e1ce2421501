"""Test data for the staggered DiD tests: R did's mpdta and a simulated panel with known effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MPDTA = Path(__file__).resolve().parents[2] / "data" / "mpdta.csv"
MPDTA_COLUMNS = {"unit": "countyreal", "time": "year", "outcome": "lemp", "group": "first.treat"}


def simulate_staggered(seed: int = 7) -> tuple[pd.DataFrame, dict[tuple[int, int], float]]:
    """400 units, 8 years, cohorts 2003/2005/2007 and never treated (100 each).

    Effects grow with exposure and differ by cohort: tau = scale_g * (t - g + 1) for t >= g with
    scale 2.0, 1.0, 0.5. Parallel trends hold, so CS is unbiased while TWFE is not. Returns the
    panel and the true ATT(g,t) of the post-treatment cells.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(2001, 2009)
    cohorts = np.repeat([2003, 2005, 2007, 0], 100)
    scale = {2003: 2.0, 2005: 1.0, 2007: 0.5}
    unit_effect = rng.normal(0, 1, len(cohorts))
    year_effect = 0.3 * (years - years[0]) + rng.normal(0, 0.2, len(years))
    rows = []
    for i, g in enumerate(cohorts):
        effect = np.where((g > 0) & (years >= g), scale.get(g, 0.0) * (years - g + 1), 0.0)
        y = unit_effect[i] + year_effect + effect + rng.normal(0, 0.3, len(years))
        rows.append(pd.DataFrame({"id": i, "year": years, "g": g, "y": y}))
    truth = {(g, t): s * (t - g + 1) for g, s in scale.items() for t in years if t >= g}
    return pd.concat(rows, ignore_index=True), truth
