"""Benchmark ``vaikutus import``: a synthetic register as Parquet, and its largest table as a
Finnish CSV (``;`` separator, decimal comma, ``D.M.YYYY`` dates are not used by earnings).

    .venv/bin/python benchmarks/bench_import.py [--persons 100000] [--start 2015-01 --end 2025-12]
        [--work DIR] [--source REGISTER_DIR] [--no-csv] [--append]

1. ``vaikutus.registry.synthetic.generate`` writes the register (person tables carry an
   artificial henkilötunnus, so every person column is validated and pseudonymised).
2. The whole folder is imported in a child process; wall time and the child's peak resident memory
   (``wait4`` rusage) are measured, with rows read / accepted / quarantined. ``--source`` imports
   an existing register folder instead of generating one.
3. ``earnings`` is rewritten as a Finnish CSV, 1 row in 10,000 spoiled (text in the euro column),
   and imported alone into a warehouse that already holds ``persons`` (so references are checked).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
KEY = "benchmark-pseudonym-key-0123456789"
CHILD = """
import sys
from vaikutus.registry.importer import import_directory
report = import_directory(sys.argv[1], sys.argv[2], key=sys.argv[3])
frame = report.to_frame()
print(int(frame.rows_read.sum()), int(frame.rows_accepted.sum()), int(frame.rows_quarantined.sum()))
"""


def _import(source: Path, warehouse: Path) -> tuple[float, float, list[int]]:
    """(seconds, peak resident MiB, [read, accepted, quarantined]) of one import in a child."""
    clock = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(source), str(warehouse), KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"import failed with status {status}")
    return (
        time.perf_counter() - clock,
        usage.ru_maxrss / 1024,
        [int(x) for x in out.splitlines()[-1].split()],
    )


def _finnish_csv(parquet: Path, csv: Path, spoil_every: int = 10_000) -> None:
    table = pq.read_table(parquet)
    euros = pc.replace_substring(pc.cast(table["earnings_eur"], pa.string()), ".", ",")
    spoiled = pa.array([i % spoil_every == 0 for i in range(table.num_rows)])
    euros = pc.if_else(spoiled, pa.scalar("n/a"), euros)
    table = table.set_column(table.schema.get_field_index("earnings_eur"), "earnings_eur", euros)
    table = table.set_column(
        table.schema.get_field_index("month"), "month", pc.strftime(table["month"], "%Y-%m")
    )
    pa_csv.write_csv(table, csv, pa_csv.WriteOptions(delimiter=";", quoting_style="none"))


def _row(what: str, counts: list[int], seconds: float, mib: float) -> str:
    return f"| {what} | {counts[0]:,} | {counts[2]:,} | {seconds:.1f} | {mib:,.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--start", default="2015-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--source", type=Path, default=None, help="an existing register folder")
    parser.add_argument("--no-csv", action="store_true", help="skip the Finnish-CSV import")
    parser.add_argument("--append", action="store_true", help="append to benchmarks/results.md")
    args = parser.parse_args()

    from vaikutus.registry.synthetic import generate

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    register = args.source or work / "register"
    if args.source is None:
        generate(persons=args.persons, start=args.start, end=args.end, seed=1, out=register)
    load = os.getloadavg()[0]

    seconds, mib, counts = _import(register, work / "parquet.duckdb")
    lines = [_row("Parquet register, all tables", counts, seconds, mib)]
    if not args.no_csv:
        lines.append(_csv_import(register, work))
    _report(args, load, lines)


def _csv_import(register: Path, work: Path) -> str:
    csv_folder = work / "csv"
    csv_folder.mkdir(exist_ok=True)
    _finnish_csv(register / "earnings.parquet", csv_folder / "earnings.csv")
    persons_only = work / "persons_only"
    persons_only.mkdir(exist_ok=True)
    (persons_only / "persons.parquet").write_bytes((register / "persons.parquet").read_bytes())
    _import(persons_only, work / "csv.duckdb")
    seconds, mib, counts = _import(csv_folder, work / "csv.duckdb")
    size = (csv_folder / "earnings.csv").stat().st_size / 2**20
    return _row(f"earnings as Finnish CSV ({size:,.0f} MiB)", counts, seconds, mib)


def _report(args, load: float, lines: list[str]) -> None:
    section = "\n".join(
        [
            f"\n## {dt.date.today()} — register import, bench_import.py\n",
            f"Synthetic register, {args.persons:,} persons, {args.start}..{args.end}; Python "
            f"{platform.python_version()}, {platform.machine()}; load average {load:.1f} on "
            f"{os.cpu_count()} cores when the run started. Time and peak memory of one import "
            "process (read, validate, pseudonymise, write DuckDB).\n",
            "| input | rows read | quarantined | seconds | peak MiB |",
            "|---|---:|---:|---:|---:|",
            *lines,
        ]
    )
    print(section)
    if args.append:
        with (ROOT / "benchmarks" / "results.md").open("a") as fh:
            fh.write(section + "\n")


if __name__ == "__main__":
    main()
