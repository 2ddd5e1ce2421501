"""Benchmark: the synthetic register at national scale (target: 1 000 000 persons, 2015-01..2025-12,
under 5 minutes and under 8 GB).

Runs ``vaikutus.registry.synthetic.generate`` in a child process, so that the peak resident memory
of the generation alone is read from ``getrusage(RUSAGE_CHILDREN)``, and appends a dated section
with wall time, peak memory, the generator's phase timings, row counts and output size to
``benchmarks/results.md`` (append only: other benchmarks write there too).

    python benchmarks/bench_synth_register.py                      # 1M persons
    python benchmarks/bench_synth_register.py --persons 100000     # a quicker run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

TARGET_SECONDS = 300
TARGET_GB = 8.0
RESULTS = Path(__file__).with_name("results.md")

CHILD = """
import json, sys
from vaikutus.registry.synthetic import generate
persons, start, end, seed, out, report = sys.argv[1:7]
result = generate(persons=int(persons), start=start, end=end, seed=int(seed), out=out)
json.dump({"timings": result.timings,
           "rows": {k: v["rows"] for k, v in result.manifest["tables"].items()}}, open(report, "w"))
"""


def run(persons: int, start: str, end: str, seed: int, out: Path) -> dict:
    report = out / "bench-report.json"
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, str(persons), start, end, str(seed), str(out), str(report)],
        check=True,
    )
    wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    details = json.loads(report.read_text())
    report.unlink()
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_gb": peak_kib / 1024**2,
        "output_mb": size / 1e6,
        **details,
    }


def section(args: argparse.Namespace, figures: dict, load_before: tuple[float, ...]) -> str:
    ok_time = figures["wall_s"] < TARGET_SECONDS
    ok_memory = figures["peak_gb"] < TARGET_GB
    load = ", ".join(f"{x:.1f}" for x in load_before)
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in figures["timings"].items())
    rows = ", ".join(f"{k} {v:,}" for k, v in figures["rows"].items())
    return "\n".join(
        [
            f"\n## synth-register: {args.persons:,} persons, {args.start}..{args.end} "
            f"({datetime.now().strftime('%Y-%m-%d %H:%M')})\n",
            f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average before the run {load} (the machine is shared: compare CPU time when it is busy)",
            f"- wall time: **{figures['wall_s']:.1f} s** (target < {TARGET_SECONDS} s: "
            f"{'met' if ok_time else 'MISSED'}); CPU time (user + system) {figures['cpu_s']:.1f} s",
            f"- peak memory (RSS of the generating process): **{figures['peak_gb']:.2f} GB** "
            f"(target < {TARGET_GB:.0f} GB: {'met' if ok_memory else 'MISSED'})",
            f"- output: {figures['output_mb']:.0f} MB of Parquet and JSON",
            f"- phases: {phases}",
            f"- rows: {rows}",
            f"- command: `python benchmarks/bench_synth_register.py --persons {args.persons} --start {args.start} "
            f"--end {args.end} --seed {args.seed}`\n",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--start", default="2015-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--keep", type=Path, help="write the register here and keep it")
    args = parser.parse_args()
    load_before = os.getloadavg()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = run(args.persons, args.start, args.end, args.seed, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
            figures = run(args.persons, args.start, args.end, args.seed, Path(tmp))
    text = section(args, figures, load_before)
    with args.results.open("a", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
