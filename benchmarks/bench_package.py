"""Benchmark: the national half-yearly data package from a 1M-person synthetic register.

    .venv/bin/python benchmarks/bench_package.py [--persons 1000000] [--period 2025H1]
        [--work benchmarks/out/package_1m] [--no-append]

1. Warehouse, reused when present in ``--work`` (each step is skipped if its output exists):
   ``generate`` (synthetic register 2015-01..2025-12) -> ``import_directory`` (validated and
   pseudonymised as any delivery) -> ``build_panel`` -> ``indicators`` (``vaikutus indicators``,
   public and internal tables stored). Timings of the preparation steps are kept in
   ``--work``/prepare.json and reported with the package timings (``bench_import.py`` and
   ``bench_panel.py`` measure those steps on their own).
2. The national package (HTML, PDF, Excel, Parquet, manifest) is built in a child process, public
   and internal, timed by wall clock with the child's peak resident memory (``wait4`` rusage);
   the timings of the steps inside are logged by the child.
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
KEY = "benchmark-package-pseudonymisation-key-0123456789"
CHILD = r"""
import json, sys, time
from vaikutus.reports.output import write_package
from vaikutus.reports.package import PackageBuilder, PackageRequest
from vaikutus.reports.period import HalfYear
from pathlib import Path
warehouse, period, out, internal = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4] == "internal"
steps = {}
t0 = time.perf_counter()
with PackageBuilder(warehouse) as b:
    steps["open"] = time.perf_counter() - t0
    request = PackageRequest(Path(warehouse), HalfYear.parse(period), internal=internal)
    t = time.perf_counter(); b.period_content(request.period, internal, request.params); steps["content (half-year)"] = time.perf_counter() - t
    t = time.perf_counter(); b.period_content(request.period.previous(), internal, request.params); steps["content (previous half-year)"] = time.perf_counter() - t
    t = time.perf_counter(); b.fingerprints(internal); steps["input fingerprints"] = time.perf_counter() - t
    t = time.perf_counter(); pkg = b.build(request); steps["select and label"] = time.perf_counter() - t
    t = time.perf_counter(); w = write_package(pkg, out); steps["write HTML, PDF, Excel, Parquet"] = time.perf_counter() - t
print(json.dumps({"steps": steps, "disclosure": pkg.disclosure}))
"""


def _run(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    clock = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"{cmd[:3]} failed with status {status}")
    return time.perf_counter() - clock, usage.ru_maxrss / 1024, out


def prepare(work: Path, persons: int) -> dict[str, float]:
    """Build the warehouse step by step, skipping what is already there."""
    from vaikutus.registry.importer import import_directory
    from vaikutus.registry.synthetic import generate
    from vaikutus.warehouse import build_panel, connect

    register, warehouse = work / "register", work / "warehouse.duckdb"
    saved = work / "prepare.json"
    timings: dict[str, float] = json.loads(saved.read_text()) if saved.exists() else {}
    if not (register / "manifest.json").exists():
        t = time.perf_counter()
        generate(persons=persons, start="2015-01", end="2025-12", seed=2026, out=register)
        timings["generate register"] = time.perf_counter() - t
    if not (work / "imported").exists():
        t = time.perf_counter()
        warehouse.unlink(missing_ok=True)
        import_directory(register, warehouse, key=KEY)
        (work / "imported").touch()
        timings["import register (validate, pseudonymise)"] = time.perf_counter() - t
    if not (work / "panel").exists():
        t = time.perf_counter()
        con = connect(warehouse)
        build_panel(con, "2015-01", "2025-12")
        con.disconnect()
        (work / "panel").touch()
        timings["build panel"] = time.perf_counter() - t
    if not (work / "indicators").exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "vaikutus", "indicators", "--warehouse", str(warehouse),
                        "--out", str(work / "indicators.parquet")], check=True)
        (work / "indicators").touch()
        timings["indicators (public + internal)"] = time.perf_counter() - t
    saved.write_text(json.dumps(timings, indent=1))
    return timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--period", default="2025H1")
    ap.add_argument("--work", type=Path, default=Path(__file__).with_name("out") / "package_1m")
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    prep = prepare(args.work, args.persons)
    warehouse = args.work / "warehouse.duckdb"
    runs = {}
    for variant in ("public", "internal"):
        out = args.work / f"package_{variant}"
        wall, rss, text = _run([sys.executable, "-c", CHILD, str(warehouse), args.period, str(out), variant])
        runs[variant] = {"wall_s": wall, "peak_rss_mib": rss, **json.loads(text.strip().splitlines()[-1])}
        print(f"{variant}: {wall:.1f} s, peak {rss:.0f} MiB")
    if not args.no_append:
        _append(args, prep, runs, load)


def _append(args, prep: dict[str, float], runs: dict, load: float) -> None:
    import duckdb

    lines = [
        "", f"## {dt.date.today().isoformat()} — national data package, bench_package.py", "",
        f"{args.persons:,} synthetic persons (2015-01..2025-12, seed 2026), period {args.period}, national package "
        f"(HTML + PDF + Excel + Parquet + manifest); Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"{os.cpu_count()} cores; load average {load:.1f} when the run started.", "",
    ]
    if prep:
        lines += ["Warehouse preparation (this run; skipped steps were cached):", "",
                  "| step | seconds |", "|---|---:|", *[f"| {k} | {v:.1f} |" for k, v in prep.items()], ""]
    lines += ["| package | wall s | peak RSS MiB |", "|---|---:|---:|",
              *[f"| {v} | {r['wall_s']:.1f} | {r['peak_rss_mib']:.0f} |" for v, r in runs.items()], ""]
    for v, r in runs.items():
        steps = ", ".join(f"{k} {s:.1f} s" for k, s in r["steps"].items())
        lines.append(f"- {v}: {steps}.")
        if v == "public":
            d = r["disclosure"]
            lines.append(f"  Disclosure control: {d['cells']:,} cells, {d['primary']:,} primary and {d['secondary']:,} secondary.")
    lines.append("")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    main()
