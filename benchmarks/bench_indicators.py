"""Benchmark: every indicator, every level, every month on a national-scale synthetic register.

    .venv/bin/python benchmarks/bench_indicators.py [--persons 1000000] [--start 2016-01 --end 2025-12]
        [--work DIR] [--warehouse FILE] [--no-append]

1. Warehouse: ``--warehouse FILE`` (a DuckDB file with the panel built), else the synthetic
   register (``vaikutus.registry.synthetic.generate``) is imported into ``WORK/warehouse.duckdb``
   (``import_directory``; should the importer fail, the Parquet files are loaded directly and the
   results say so) and ``build_panel`` is run.
2. Each measured task runs in a child process, so its wall time and peak resident memory
   (``wait4`` rusage of that child alone) are its own:

   * ``all``: ``compute_result(public=True)`` - all indicators, all levels and periods, internal
     and public tables (target: under 60 s and 6 GB);
   * ``pandas3``: a straightforward pandas version of month-end unemployed, long-term unemployed
     and the activation rate for every level and month: ``person_month`` and ``service_month``
     read into pandas, merged and grouped;
   * ``vaikutus3``: the same three through the stage's own query (``stock_counts``, which computes
     all month-end stocks, these three among them) and the area sums (target: 10x faster than
     pandas).
3. A dated section is appended to ``benchmarks/results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("results.md")
TASKS = ("all", "pandas3", "vaikutus3")


def _warehouse(args) -> tuple[Path, str]:
    """The warehouse to measure, built if needed; also a note on how it was built."""
    if args.warehouse:
        return Path(args.warehouse), f"given warehouse {args.warehouse}"
    from vaikutus.registry.synthetic import generate
    from vaikutus.warehouse import build_panel, connect

    work = Path(args.work)
    source, path = work / "register", work / "warehouse.duckdb"
    if not path.exists():
        generate(persons=args.persons, start=args.start, end=args.end, seed=1, out=source)
        note = _import(source, path)
        build_panel(connect(path))
        (work / "note.txt").write_text(note)
    return path, (work / "note.txt").read_text()


def _import(source: Path, path: Path) -> str:
    from vaikutus.registry.importer import import_directory

    try:
        import_directory(source, path, key="benchmark-key-" + "0" * 32)
        return "synthetic register -> import_directory -> build_panel"
    except Exception as exc:  # noqa: BLE001 - recorded in the results, then the direct load
        import duckdb

        from vaikutus.registry.schemas import TABLES

        path.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        for file in sorted(source.glob("*.parquet")):
            if file.stem in TABLES:
                cols = duckdb.sql(f"SELECT * FROM read_parquet('{file}') LIMIT 0").columns
                sel = ", ".join('"henkilotunnus" AS person_id' if c == "henkilotunnus" else f'"{c}"' for c in cols)
                con.execute(f"CREATE TABLE \"{file.stem}\" AS SELECT {sel} FROM read_parquet('{file}')")
        con.close()
        return (f"synthetic register -> Parquet loaded directly (import_directory failed: "
                f"{type(exc).__name__}: {exc}) -> build_panel")


# ---------------------------------------------------------------- child tasks


def task_all(path: str) -> dict:
    from vaikutus.indicators.areas import Areas
    from vaikutus.indicators.compute import compute_grid, suppress_grid
    from vaikutus.indicators.definitions import catalog
    from vaikutus.indicators.parameters import IndicatorParameters
    from vaikutus.indicators.tables import indicator_table
    from vaikutus.warehouse import connect

    params, areas = IndicatorParameters(), Areas.from_reference()
    t0 = time.perf_counter()
    grid, _ = compute_grid(connect(path), params, areas)
    t1 = time.perf_counter()
    internal = indicator_table(grid, catalog(), params.suppression_threshold, None)
    t2 = time.perf_counter()
    sup = suppress_grid(grid, areas, params.suppression_threshold)
    t3 = time.perf_counter()
    public = indicator_table(grid, catalog(), params.suppression_threshold, sup)
    t4 = time.perf_counter()
    return {
        "queries and grid": t1 - t0, "internal table": t2 - t1, "suppression": t3 - t2,
        "public table": t4 - t3, "rows": len(internal), "grid cells": int(grid.values.size),
        "primary": int(sup.primary.sum()), "hidden": int(sup.hidden.sum()),
        "indicators": len(catalog()), "periods": int(grid.periods.n),
        "flags": public.flag.value_counts().to_dict(),
    }


def _levels(frame, areas, value_columns):
    """Municipal monthly sums -> every area level (pandas merge + groupby)."""
    joined = frame.merge(areas.membership, on="municipality")
    return joined.groupby(["area_type", "area_code", "month"], observed=True)[value_columns].sum().reset_index()


def task_pandas3(path: str) -> dict:
    import duckdb

    from vaikutus.indicators.areas import Areas
    from vaikutus.indicators.parameters import IndicatorParameters

    t0 = time.perf_counter()
    con = duckdb.connect(path, read_only=True)
    pm = con.sql("SELECT person_id, month, municipality, registered, unemployed, long_term_unemployed "
                 "FROM person_month").df()
    sm = con.sql("SELECT person_id, month, service FROM service_month").df()
    t1 = time.perf_counter()
    pm = pm[pm.registered]
    active = sm[sm.service.isin(IndicatorParameters().activation_services)][["person_id", "month"]]
    active = active.drop_duplicates().assign(activated=True)
    pm = pm.merge(active, on=["person_id", "month"], how="left")
    pm["activated"] = pm["activated"].fillna(False).astype(bool)
    pm["ltu"] = pm.unemployed & pm.long_term_unemployed
    pm["activation_denominator"] = pm.unemployed | pm.activated
    monthly = pm.groupby(["municipality", "month"])[["unemployed", "ltu", "activated", "activation_denominator"]].sum()
    out = _levels(monthly.reset_index(), Areas.from_reference(), ["unemployed", "ltu", "activated",
                                                                   "activation_denominator"])
    out["activation_rate"] = 100 * out.activated / out.activation_denominator
    t2 = time.perf_counter()
    return {"read": t1 - t0, "compute": t2 - t1, "rows": len(out), "check": float(out.unemployed.sum())}


def task_vaikutus3(path: str) -> dict:
    import pyarrow as pa

    from vaikutus.indicators import queries as qy
    from vaikutus.indicators.areas import Areas
    from vaikutus.indicators.parameters import IndicatorParameters
    from vaikutus.warehouse import connect
    from vaikutus.warehouse.backends import arrow_table

    t0 = time.perf_counter()
    params, con = IndicatorParameters(), connect(path)
    w = qy.Warehouse(con)
    cal = qy.calendar(w.table("months").to_pandas(), params)
    cal_t = arrow_table(con, "_cal", pa.Table.from_pandas(cal, preserve_index=False)).cast(qy.CALENDAR_SCHEMA)
    reg = qy.registered_base(w, cal_t, params).cache()
    stocks = qy.stock_counts(w, reg, params).to_pandas()
    cols = ["unemployed", "long_term_unemployed", "in_activation", "activation_denominator"]
    out = _levels(stocks[["municipality", "month", *cols]], Areas.from_reference(), cols)
    out["activation_rate"] = 100 * out.in_activation / out.activation_denominator
    t1 = time.perf_counter()
    return {"compute": t1 - t0, "rows": len(out), "check": float(out.unemployed.sum())}


# ---------------------------------------------------------------- driver


def _run_child(task: str, path: Path) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--child", task, "--warehouse", str(path)],
                            stdout=subprocess.PIPE, text=True)
    start = time.perf_counter()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"benchmark task {task} failed (status {status})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_gb=usage.ru_maxrss / 1024**2, cpu=usage.ru_utime + usage.ru_stime)
    return result


def _section(args, note: str, res: dict[str, dict], persons: str) -> str:
    a, p3, v3 = res["all"], res["pandas3"], res["vaikutus3"]
    ratio = p3["wall"] / v3["wall"]

    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"## indicators: all indicators, levels and months, {persons} ({dt.datetime.now():%Y-%m-%d %H:%M})",
        "",
        (f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
         f"load average before the run {load} (shared machine: compare CPU time when it is busy)"),
        f"- warehouse: {note}",
        (f"- all {a['indicators']} indicators x 6 levels x {a['periods']} periods (months, quarters, years), "
         f"internal and public: wall **{a['wall']:.1f} s** (target < 60 s: {met(a['wall'] < 60)}), "
         f"CPU {a['cpu']:.1f} s, peak memory **{a['peak_gb']:.2f} GB** (target < 6 GB: {met(a['peak_gb'] < 6)})"),
        (f"  - queries and quantity grid {a['queries and grid']:.1f} s, internal table {a['internal table']:.1f} s, "
         f"suppression {a['suppression']:.1f} s, public table {a['public table']:.1f} s"),
        (f"  - {a['rows']:,} rows; grid {a['grid cells']:,} cells, {a['primary']:,} primary and "
         f"{a['hidden'] - a['primary']:,} secondary suppressions; public flags {a['flags']}"),
        "- three indicators (month-end unemployed, long-term unemployed, activation rate), every level and month:",
        (f"  - straightforward pandas (read person_month + service_month, merge, group): wall {p3['wall']:.1f} s "
         f"(read {p3['read']:.1f} s, compute {p3['compute']:.1f} s), CPU {p3['cpu']:.1f} s, peak {p3['peak_gb']:.2f} GB"),
        (f"  - vaikutus (Ibis on DuckDB, the full month-end stock query): wall {v3['wall']:.1f} s, "
         f"CPU {v3['cpu']:.1f} s, peak {v3['peak_gb']:.2f} GB"),
        (f"  - speed-up {ratio:.1f}x (target >= 10x: {met(ratio >= 10)}); same totals: "
         f"{'yes' if abs(p3['check'] - v3['check']) < 0.5 else 'NO'}"),
        f"- command: `python benchmarks/bench_indicators.py {' '.join(sys.argv[1:])}`",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--start", default="2016-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--work", default="benchmarks/out/indicators")
    parser.add_argument("--warehouse", default=None)
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--child", choices=TASKS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(globals()[f"task_{args.child}"](args.warehouse), default=str))
        return
    Path(args.work).mkdir(parents=True, exist_ok=True)
    path, note = _warehouse(args)
    res = {task: _run_child(task, path) for task in TASKS}
    persons = f"{args.persons:,} persons" if not args.warehouse else f"warehouse {path.name}"
    text = _section(args, note, res, persons)
    print(text)
    if not args.no_append:
        with RESULTS.open("a") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    main()
