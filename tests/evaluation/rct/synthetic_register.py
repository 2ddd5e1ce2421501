"""Small synthetic registers in the warehouse's ``person_month`` shape, built here so the tests
do not depend on the warehouse being present."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

COUNTING_MONTH = pd.Timestamp("2025-01-01")
AREAS = (91, 92, 93)


def synthetic_person_month(persons: int = 3000, months: int = 13, seed: int = 1) -> pd.DataFrame:
    """A person-month panel from the counting month on: unemployed persons with various spell
    lengths who find open-market jobs at a monthly hazard depending on education and duration."""
    rng = np.random.default_rng(seed)
    area = rng.choice(AREAS, persons)
    age = rng.integers(18, 64, persons)
    education = rng.choice([2, 3, 4, 6, 7], persons, p=[0.2, 0.45, 0.1, 0.15, 0.1])
    duration0 = rng.integers(30, 1600, persons)
    hazard = np.clip(0.02 + 0.01 * (education - 3) - 0.00001 * duration0, 0.005, 0.2)
    wage = rng.lognormal(np.log(1800 + 150 * education), 0.3, persons)
    frames = []
    employed = np.zeros(persons, dtype=bool)
    for k in range(months):
        employed = employed | (rng.random(persons) < hazard * (k > 0))
        frames.append(
            pd.DataFrame(
                {
                    "person_id": [f"P{i:05d}" for i in range(persons)],
                    "month": (COUNTING_MONTH + pd.DateOffset(months=k)).date(),
                    "municipality": pd.Series(area)
                    .map({91: "837", 92: "853", 93: "091"})
                    .to_numpy(),
                    "employment_area": area,
                    "region": pd.Series(area).map({91: "06", 92: "02", 93: "01"}).to_numpy(),
                    "status": np.where(employed, "employed", "unemployed"),
                    "unemployed": ~employed,
                    "unemployment_duration_days": np.where(employed, 0, duration0 + 30 * k),
                    "age": age,
                    "sex": np.where(np.arange(persons) % 2 == 0, "F", "M"),
                    "education": education,
                    "native_language": rng.choice(
                        ["fi", "sv", "other"], persons, p=[0.8, 0.05, 0.15]
                    ),
                    "citizenship": "FI",
                    "earnings_eur": np.where(employed, wage, 0.0) + rng.exponential(40, persons),
                    "benefits_eur": np.where(employed, 0.0, 750.0),
                    "employed_open_market": employed,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def write_warehouse(panel: pd.DataFrame, path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.register("panel", panel)
        con.execute(
            "CREATE TABLE person_month AS "
            "SELECT * REPLACE (CAST(month AS DATE) AS month) FROM panel"
        )
    return path
