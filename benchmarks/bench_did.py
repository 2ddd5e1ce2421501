"""Benchmark the staggered DiD engine on a long monthly panel.

Panel: 300 units x 120 months, 12 cohorts of 20 units first treated every 8 months from month 13,
60 never-treated units; effects grow with exposure and differ by cohort. That is 12 x 119 = 1,428
group-time cells with the varying base period. Times are medians of ``--repeats`` runs.

Reference (STACK.md): the GPL-3 ``differences`` 0.3 package needed 6-9 s on a panel of this shape
on this kind of machine; it is not installed here and not run.

    .venv/bin/python benchmarks/bench_did.py            # print
    .venv/bin/python benchmarks/bench_did.py --append   # also append to benchmarks/results.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tracemalloc
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vaikutus.evaluation.did import attgt

RESULTS = Path(__file__).with_name("results.md")


def monthly_panel(
    units: int = 300, months: int = 120, cohorts: int = 12, seed: int = 1
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_cohort = 20
    first = 13 + 8 * np.arange(cohorts)
    group = np.concatenate([np.repeat(first, per_cohort), np.zeros(units - cohorts * per_cohort)])
    month = np.arange(1, months + 1)
    exposure = np.clip(month[None, :] - group[:, None] + 1, 0, None) * (group[:, None] > 0)
    slope = np.where(group > 0, 0.02 + 0.001 * (group % 7), 0.0)
    y = (
        rng.normal(0, 1, (units, 1))
        + 0.01 * month[None, :]
        + slope[:, None] * exposure
        + rng.normal(0, 0.2, (units, months))
    )
    size = rng.normal(0, 1, units)
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(units), months),
            "month": np.tile(month, units),
            "first_month": np.repeat(group, months),
            "y": y.ravel(),
            "size": np.repeat(size, months),
        }
    )


def timed(task, repeats: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = task()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def peak_mib(task) -> float:
    tracemalloc.start()
    task()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--append", action="store_true", help="append the results to results.md")
    parser.add_argument(
        "--with-event-study",
        action="store_true",
        help="also time pyfixest's saturated event study (minutes on this panel)",
    )
    args = parser.parse_args()

    load = os.getloadavg()[0]  # colleagues share the machine: timings scale with the load
    panel = monthly_panel()
    columns = {"unit": "unit", "time": "month", "outcome": "y", "group": "first_month"}
    kinds = ("simple", "dynamic", "group", "calendar")
    rows: list[tuple[str, float]] = []

    seconds, analytic = timed(lambda: attgt(panel, **columns, bootstrap=None), args.repeats)
    rows.append(("attgt, dr, no covariates, analytical SEs (1,428 cells)", seconds))
    seconds, _ = timed(lambda: [analytic.aggregate(k) for k in kinds], args.repeats)
    rows.append(("4 aggregations, analytical SEs", seconds))
    seconds, _ = timed(
        lambda: attgt(panel, **columns, covariates=["size"], bootstrap=None), args.repeats
    )
    rows.append(("attgt, dr, 1 covariate (batched logit + OLS per cell)", seconds))
    seconds, boot = timed(lambda: attgt(panel, **columns, bootstrap=999, seed=1), args.repeats)
    rows.append(("attgt, dr, + 999-draw multiplier bootstrap and uniform band", seconds))
    seconds, _ = timed(lambda: [boot.aggregate(k) for k in kinds], args.repeats)
    rows.append(("4 aggregations with 999-draw bootstrap bands", seconds))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot.twfe()  # first call imports pyfixest and compiles its demeaning
        seconds, _ = timed(boot.twfe, args.repeats)
        rows.append(("TWFE (pyfixest) + negative-weight diagnostic", seconds))
        if args.with_event_study:
            seconds, _ = timed(lambda: boot.twfe(event_study=True), 1)
            rows.append(("TWFE + pyfixest saturated event study (1 run)", seconds))
    end_to_end = rows[3][1] + rows[4][1]  # bootstrap attgt + bootstrap aggregations
    memory = peak_mib(
        lambda: [attgt(panel, **columns, bootstrap=999, seed=1).aggregate(k) for k in kinds]
    )

    width = max(len(label) for label, _ in rows)
    lines = [f"| {label:<{width}} | {s:8.3f} |" for label, s in rows]
    report = "\n".join(
        [
            f"## {date.today().isoformat()} — staggered DiD (Callaway & Sant'Anna), bench_did.py",
            "",
            f"300 units x 120 months, 12 cohorts; median of {args.repeats} runs; "
            f"Python {platform.python_version()}, {platform.machine()}, numpy {np.__version__}; "
            f"load average {load:.1f} on {os.cpu_count()} cores when the run started.",
            "",
            f"| {'step':<{width}} | seconds  |",
            f"|{'-' * (width + 2)}|----------|",
            *lines,
            "",
            f"attgt + all four aggregations with the 999-draw bootstrap: {end_to_end:.2f} s; "
            f"peak traced Python memory {memory:.0f} MiB. Reference: `differences` 0.3 (GPL-3, not "
            "installed) took 6-9 s for the same panel shape (STACK.md).",
            "",
        ]
    )
    print(report)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + report)


if __name__ == "__main__":
    main()
