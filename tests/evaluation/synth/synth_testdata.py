"""Data for the synthetic-control tests: Prop 99 and simulated panels with a known effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PROP99 = Path(__file__).resolve().parents[2] / "data" / "prop99_smoking.csv"

# ADH (2010), Table 2 / Figure 2 specification.
PROP99_PREDICTORS = [
    ("lnincome", range(1980, 1989), "mean"),
    ("age15to24", range(1980, 1989), "mean"),
    ("retprice", range(1980, 1989), "mean"),
    ("beer", range(1984, 1989), "mean"),
    ("cigsale", 1975),
    ("cigsale", 1980),
    ("cigsale", 1988),
]
PROP99_COLUMNS = dict(
    unit="state", time="year", outcome="cigsale", treated="California", start=1989
)
# ADH (2010), Table 2: state weights in the synthetic California (all others ~0).
PUBLISHED_WEIGHTS = {
    "Utah": 0.334,
    "Nevada": 0.234,
    "Montana": 0.199,
    "Colorado": 0.164,
    "Connecticut": 0.069,
}


def prop99() -> pd.DataFrame:
    return pd.read_csv(PROP99)


def factor_panel(
    *,
    n_units: int = 30,
    n_periods: int = 40,
    start: int = 30,
    effect: float = 5.0,
    treated_units: dict[str, int] | None = None,
    noise: float = 0.05,
    seed: int = 1,
) -> pd.DataFrame:
    """Interactive fixed effects panel; treated units are convex mixes of donors plus ``effect``.

    ``y_it = a_i + l_t + m_i f_t + noise`` with two factors; each treated unit's loadings and
    fixed effect are a convex combination of three donors', so a synthetic control exists and
    the only thing that differs after ``start`` (or the unit's own start) is ``effect``.
    """
    rng = np.random.default_rng(seed)
    treated_units = treated_units or {"treated": start}
    time_effects = np.cumsum(rng.normal(0, 0.5, n_periods))
    factors = np.column_stack(
        [np.sin(np.arange(n_periods) / 4), np.linspace(-1, 1, n_periods) ** 2]
    )
    loadings = rng.normal(0, 2, (n_units, 2))
    levels = rng.normal(10, 3, n_units)
    rows = []
    for i in range(n_units):
        y = levels[i] + time_effects + factors @ loadings[i] + rng.normal(0, noise, n_periods)
        rows += [
            {"unit": f"donor{i:02d}", "time": t, "y": y[t], "x": levels[i] + rng.normal(0, 0.1)}
            for t in range(n_periods)
        ]
    for name, unit_start in treated_units.items():
        mix = rng.dirichlet(np.ones(3))
        members = rng.choice(n_units, 3, replace=False)
        level, loading = mix @ levels[members], mix @ loadings[members]
        y = level + time_effects + factors @ loading + rng.normal(0, noise, n_periods)
        y[unit_start:] += effect
        rows += [{"unit": name, "time": t, "y": y[t], "x": level} for t in range(n_periods)]
    return pd.DataFrame(rows)
