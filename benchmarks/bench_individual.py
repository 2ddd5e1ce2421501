"""Benchmark the individual-level estimators on 1,000,000 person-spells.

Data: a simulated dynamic-entry design of the warehouse's shape - 1,000,000 person-month rows at
risk, 2 % entering the service, 12 numeric covariates (elapsed unemployment, age, earnings and
benefit histories, ...) and 4 categorical ones (education, language, municipality type, entry
year) - with a known, heterogeneous effect on two outcomes (months employed over 36 months and
36-month earnings). Each step runs in its own Python process, so its wall time includes nothing
else and its peak resident memory (``ru_maxrss``) is its own.

Steps: DML with 5-fold cross-fitting (DoubleML IRM, ATTE, single-threaded LightGBM learners with
100 trees of 31 leaves, the package default) on one outcome and on both; AIPW and 1-neighbour
matching on both outcomes for comparison.

    .venv/bin/python benchmarks/bench_individual.py            # print
    .venv/bin/python benchmarks/bench_individual.py --append   # also append to results.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).with_name("results.md")
ROWS = 1_000_000
NUMERIC = [
    "elapsed_months",
    "age",
    "months_employed_prior",
    "earnings_prior",
    "benefits_prior",
    "service_months_24",
    "unemployment_spells_36",
    "partial_work_ability",
    "sex_male",
    "foreign",
    "previous_same_service",
    "long_term",
]
CATEGORICAL = ["education_level", "native_language", "municipality_type", "entry_year"]
STEPS = {
    "dml_one_outcome": ("dml", ["employed_total"]),
    "dml_two_outcomes": ("dml", ["employed_total", "earnings_total"]),
    "aipw_two_outcomes": ("aipw", ["employed_total", "earnings_total"]),
    "match_two_outcomes": ("match", ["employed_total", "earnings_total"]),
}


def person_spells(rows: int = ROWS, seed: int = 7) -> tuple[pd.DataFrame, float]:
    """The simulated design and its realised ATT on months employed (after the 36-month cap)."""
    rng = np.random.default_rng(seed)
    elapsed = rng.gamma(1.2, 8.0, rows).round()
    age = rng.integers(18, 65, rows).astype(float)
    employed_prior = rng.binomial(12, 0.25, rows).astype(float)
    frame = pd.DataFrame(
        {
            "elapsed_months": elapsed,
            "age": age,
            "months_employed_prior": employed_prior,
            "earnings_prior": employed_prior * rng.lognormal(7.5, 0.4, rows),
            "benefits_prior": (12 - employed_prior) * rng.uniform(500, 900, rows),
            "service_months_24": rng.poisson(1.5, rows).astype(float),
            "unemployment_spells_36": rng.poisson(1.0, rows).astype(float),
            "partial_work_ability": (rng.random(rows) < 0.1).astype(float),
            "sex_male": (rng.random(rows) < 0.55).astype(float),
            "foreign": (rng.random(rows) < 0.15).astype(float),
            "previous_same_service": (rng.random(rows) < 0.05).astype(float),
            "long_term": (elapsed >= 12).astype(float),
            "education_level": rng.choice(
                ["isced_2", "isced_3", "isced_4", "isced_6", "isced_7"], rows
            ),
            "native_language": rng.choice(["fi", "sv", "other"], rows, p=[0.8, 0.05, 0.15]),
            "municipality_type": rng.choice(["urban", "semi_urban", "rural"], rows),
            "entry_year": rng.choice([str(y) for y in range(2016, 2023)], rows),
        }
    )
    index = (
        -4.6
        + 0.04 * np.minimum(elapsed, 24)
        - 0.08 * employed_prior
        + 0.4 * frame["partial_work_ability"]
        + 0.3 * (frame["education_level"] == "isced_2")
        - 0.02 * np.abs(age - 45)
    )
    treated = rng.random(rows) < 1 / (1 + np.exp(-index))
    effect = 6 + 3 * frame["long_term"] - 2 * (age >= 55)
    base = np.clip(
        14
        + 0.8 * employed_prior
        - 0.15 * np.minimum(elapsed, 36)
        - 0.05 * (age - 40) ** 2 / 10
        + rng.normal(0, 8, rows),
        0,
        36,
    )
    employed = np.clip(base + treated * effect, 0, 36)  # at most 36 months: the cap bites
    frame["treated"] = treated.astype(int)
    frame["employed_total"] = employed
    frame["earnings_total"] = employed * rng.lognormal(7.6, 0.3, rows)
    return frame, float((employed - base)[treated].mean())


def run_step(name: str) -> dict:
    from threadpoolctl import threadpool_limits

    from vaikutus.evaluation.individual import estimate

    method, outcomes = STEPS[name]
    data, truth = person_spells()
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        result = estimate(
            data,
            treatment="treated",
            outcome=outcomes,
            covariates=NUMERIC + CATEGORICAL,
            method=method,
            learner="lightgbm",
            folds=5,
            caliper=None,
            seed=1,
        )
        seconds = time.perf_counter() - start
    row = result.effect("employed_total")
    return {
        "step": name,
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "estimate": round(float(row["estimate"]), 3),
        "se": round(float(row["se"]), 3),
        "truth": round(truth, 3),
        "treated": int(data["treated"].sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--append", action="store_true", help="append the table to results.md")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--steps", nargs="*", default=list(STEPS), help="steps to run")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step)))
        return
    rows = []
    for name in args.steps:
        out = subprocess.run(
            [sys.executable, __file__, "--step", name], check=True, capture_output=True, text=True
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    header = (
        f"\n## {date.today().isoformat()} — individual-level estimators, bench_individual.py\n\n"
        f"{ROWS:,} simulated person-spells ({rows[0]['treated']:,} treated), 12 numeric + 4 "
        f"categorical covariates; each step in its own process; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} when the run ended. "
        "Single-threaded BLAS and LightGBM (threads made things slower on this shared machine).\n\n"
        "| step | seconds | peak RSS (MiB) | ATT on months employed (se) | truth |\n"
        "|------|--------:|---------------:|-----------------------------|------:|\n"
    )
    table = "".join(
        f"| {r['step']} | {r['seconds']:.1f} | {r['peak_rss_mib']:,} | {r['estimate']:.3f} ({r['se']:.3f}) "
        f"| {r['truth']:.3f} |\n"
        for r in rows
    )
    print(header + table)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(header + table)


if __name__ == "__main__":
    main()
