"""Benchmark: the profiling stage on a synthetic warehouse - time, memory and the model's metrics.

    .venv/bin/python benchmarks/bench_profiling.py --warehouse FILE [--target 12] [--no-append]
    .venv/bin/python benchmarks/bench_profiling.py --persons 60000 [--work DIR]

With ``--persons`` a register is generated, imported and paneled first (not timed here: see
bench_synth_register.py, bench_import.py and bench_panel.py). Timed, in this process: the baseline
table, training (both learners), the fairness audit, the exclusion comparison (retraining per
sensitive feature), scoring with validation and explanations, and segmentation with profiles and
follow-up. The test AUC, Brier score and calibration in the large are reported with the timings,
and a dated section is appended to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from vaikutus.profiling import (
    TrainSettings,
    assign_segments,
    audit,
    baseline_table,
    client_paths,
    compare_exclusions,
    follow_up,
    open_warehouse,
    segment_profiles,
    services_after,
    train,
)

RESULTS = Path(__file__).with_name("results.md")
KEY = "benchmark-pseudonymisation-key-0123456789abcdef"


def build_warehouse(persons: int, work: Path) -> Path:
    from vaikutus.registry.importer import import_directory
    from vaikutus.registry.synthetic import generate
    from vaikutus.warehouse import build_panel, connect

    register = generate(
        persons=persons, start="2015-01", end="2025-12", seed=7, out=work / "register"
    )
    warehouse = work / "warehouse.duckdb"
    import_directory(register.out, warehouse, key=KEY)
    con = connect(warehouse)
    build_panel(con)
    con.disconnect()
    return warehouse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--persons", type=int, default=60_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--target", type=int, default=12)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    warehouse = args.warehouse or build_warehouse(
        args.persons, args.work or Path(tempfile.mkdtemp(prefix="bench-profiling-"))
    )

    timings: dict[str, float] = {}
    load_before = os.getloadavg()
    cpu_start = time.process_time()

    def timed(name: str, function, *a, **kw):
        start = time.perf_counter()
        value = function(*a, **kw)
        timings[name] = time.perf_counter() - start
        return value

    con: duckdb.DuckDBPyConnection = open_warehouse(warehouse)
    baseline = timed("baseline table", baseline_table, con)
    settings = TrainSettings(target_months=args.target)
    model = timed("train (LightGBM + logistic)", train, baseline, settings)
    timed("fairness audit", audit, model, baseline)
    timed("exclusion comparison (6 retrainings)", compare_exclusions, baseline, settings, model)
    sample = baseline.head(10_000)
    timed("score + explain 10,000 rows", model.explain, sample)
    segments = timed("assign segments (all starts)", assign_segments, model, baseline)
    timed("segment profiles", segment_profiles, model, baseline, services_after(con, baseline))
    timed("client paths + follow-up", lambda: follow_up(client_paths(con, baseline, segments)))
    con.close()
    cpu = time.process_time() - cpu_start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    test = model.metrics.set_index(["model", "split"])
    lines = [
        f"## profiling: {len(baseline):,} starts, target {args.target} months ({dt.datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average before the run {', '.join(f'{v:.1f}' for v in load_before)} "
        "(a shared machine: compare CPU time when it is busy)",
        f"- warehouse: `{warehouse.name}`; cohorts train {model.periods.train[0]:%Y-%m}..{model.periods.train[1]:%Y-%m} "
        f"(n={model.rows['train']:,}), test {model.periods.test[0]:%Y-%m}..{model.periods.test[1]:%Y-%m} "
        f"(n={model.rows['test']:,}); {model.booster.num_trees()} trees",
        *(
            f"- test {learner}: AUC {test.loc[(learner, 'test'), 'auc']:.3f} "
            f"({test.loc[(learner, 'test'), 'auc_ci_low']:.3f}-{test.loc[(learner, 'test'), 'auc_ci_high']:.3f}), "
            f"Brier {test.loc[(learner, 'test'), 'brier']:.4f}, calibration in the large "
            f"{test.loc[(learner, 'test'), 'calibration_in_the_large']:+.4f}"
            for learner in ("lightgbm", "logistic")
        ),
        f"- CPU time {cpu:.1f} s; peak RSS {peak_mib:,.0f} MiB",
        "",
        "| step | seconds |",
        "|---|---:|",
        *(f"| {name} | {seconds:.2f} |" for name, seconds in timings.items()),
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + report)


if __name__ == "__main__":
    main()
