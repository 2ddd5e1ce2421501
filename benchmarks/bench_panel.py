"""Benchmark: build the person-month panel on DuckDB from a national-scale synthetic register.

    .venv/bin/python benchmarks/bench_panel.py [--persons 1000000] [--start 2015-01 --end 2025-12]
        [--work DIR] [--source DIR | --warehouse FILE] [--memory-limit 4GB] [--no-append]

1. Register: ``--source DIR`` (a folder of ``<table>.parquet``), else
   ``vaikutus.registry.synthetic.generate`` when the registry stage provides it (about 3 spells
   and 75 earnings months per person), else - or with ``--generator standin`` - the stand-in below
   (10 spells per person, the national-scale stress case; person_id already pseudonymised: 32 hex
   characters like the importer's).
2. Warehouse: ``vaikutus.registry.importer.import_directory`` when the folder carries henkilötunnus
   columns (the synthetic register's way), else the Parquet files are loaded into DuckDB directly.
3. ``build_panel`` runs in a child process; its wall time per step and peak resident memory
   (``wait4`` rusage of that child alone) are measured, and the spell-month join's DuckDB plan is
   checked for an IEJoin.
4. A dated section is appended to ``benchmarks/results.md``.

The stand-in generator: each person has 1 + Poisson(9) consecutive jobseeker spells (geometric
lengths, mean 75 days; half start the day after the previous one ended, the others after a
geometric gap) in random statuses; in-service spells carry a service spell; gaps longer than a
day end a job search; earnings and benefits for ~40 and ~15 random months per person.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vaikutus.reference import municipalities
from vaikutus.registry import codes

RESULTS = Path(__file__).with_name("results.md")
STATUS_SHARES = {
    "unemployed": 0.42, "laid_off_full": 0.08, "laid_off_short_week": 0.04, "in_service": 0.2,
    "employed_jobseeker": 0.12, "outside_labour_force": 0.06, "student": 0.08,
}


def _group_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at every group of ``sizes`` consecutive elements."""
    total = np.cumsum(values)
    before = np.r_[0, total][np.cumsum(sizes) - sizes]  # sum of the values before each group
    return total - np.repeat(before, sizes)


def _days(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), pa.date32())


def standin_register(persons: int, start: str, end: str, seed: int, out: Path) -> dict[str, int]:
    """Write a stand-in register (see module docstring) to ``out``; return row counts."""
    rng = np.random.default_rng(seed)
    first = np.datetime64(f"{start}-01")
    last = (np.datetime64(f"{end}-01") + np.timedelta64(31, "D")).astype("datetime64[M]").astype(
        "datetime64[D]"
    ) - np.timedelta64(1, "D")
    ids = pa.array([rng.bytes(16).hex() for _ in range(persons)], pa.string())
    munis = municipalities(2021)["code"].to_numpy()

    n = rng.poisson(9, persons) + 1
    person = np.repeat(np.arange(persons), n)
    length = rng.geometric(1 / 75, person.size)
    gap = np.where(rng.random(person.size) < 0.5, 1, 1 + rng.geometric(1 / 150, person.size))
    gap[np.cumsum(n) - n] = 0  # first spell starts at the person's entry day
    entry = first - np.timedelta64(1095, "D") + rng.integers(0, int((last - first) / np.timedelta64(1, "D")) + 1095, persons)
    offset = _group_cumsum(gap + np.r_[0, length[:-1] - 1] * (gap > 0), n)
    s = np.repeat(entry, n) + offset.astype("timedelta64[D]")
    e = s + (length - 1).astype("timedelta64[D]")
    keep = s <= last
    person, s, e, gap = person[keep], s[keep], e[keep], gap[keep]
    ongoing = e > last
    status = rng.choice(list(STATUS_SHARES), person.size, p=list(STATUS_SHARES.values()))
    home = rng.choice(munis, persons)
    moved_at = np.where(rng.random(persons) < 0.1, entry + rng.integers(100, 2000, persons), np.datetime64("2999-12-31"))
    second = rng.choice(munis, persons)
    muni = np.where(s >= moved_at[person], second[person], home[person])
    responsible = np.where(s >= np.datetime64("2025-01-01"), "employment_area", "te_office")
    line = np.where(s < np.datetime64("2022-05-02"), rng.integers(1, 4, person.size), 0)
    end_col = pa.array(np.where(ongoing, np.datetime64("NaT"), e).astype("datetime64[D]"), pa.date32())
    pid = ids.take(pa.array(person))
    tables = {
        "jobseeker_spells": pa.table({
            "person_id": pid, "start": _days(s), "end": end_col, "status": status, "municipality": muni,
            "responsible": responsible, "service_line": pa.array(line, mask=line == 0),
        })
    }
    svc = status == "in_service"
    tables["service_spells"] = pa.table({
        "person_id": pid.filter(pa.array(svc)), "service": rng.choice(list(codes.SERVICES), svc.sum()),
        "start": _days(s[svc]), "end": end_col.filter(pa.array(svc)), "cost_eur": rng.gamma(2, 800, svc.sum()),
    })
    next_gap = np.r_[gap[1:], 0]
    ended = ~ongoing & ((next_gap > 1) | (np.r_[person[1:], -1] != person))
    tables["search_ends"] = pa.table({
        "person_id": pid.filter(pa.array(ended)), "date": _days(e[ended]),
        "destination": rng.choice(list(codes.SEARCH_END_DESTINATIONS), ended.sum()),
    })
    tables["persons"] = pa.table({
        "person_id": ids, "birth_year": rng.integers(1955, 2006, persons),
        "sex": rng.choice(list(codes.SEXES), persons), "native_language": rng.choice(list(codes.NATIVE_LANGUAGES), persons),
        "citizenship": rng.choice(list(codes.CITIZENSHIPS), persons), "education": rng.integers(0, 9, persons),
        "partial_work_ability": rng.random(persons) < 0.1,
    })
    moved = moved_at < np.datetime64("2999-12-31")
    tables["residence"] = pa.table({
        "person_id": pa.concat_arrays([ids, ids.filter(pa.array(moved))]),
        "municipality": np.r_[home, second[moved]],
        "start": _days(np.r_[np.full(persons, np.datetime64("1990-01-01")), moved_at[moved]]),
        "end": pa.array(np.r_[np.where(moved, moved_at - np.timedelta64(1, "D"), np.datetime64("NaT")),
                              np.full(moved.sum(), np.datetime64("NaT"))].astype("datetime64[D]"), pa.date32()),
    })
    months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
    for name, per_person in (("earnings", 40), ("benefits", 15)):
        k = rng.poisson(per_person, persons).clip(0, months.size)
        who = np.repeat(np.arange(persons), k)
        month = months[(np.repeat(rng.integers(0, months.size, persons), k) + _group_cumsum(np.ones(who.size, int), k) - 1) % months.size]
        columns = {"person_id": ids.take(pa.array(who)), "month": _days(month.astype("datetime64[D]"))}
        if name == "earnings":
            columns["earnings_eur"] = rng.gamma(2, 1200, who.size)
        else:
            columns |= {"benefit": rng.choice(list(codes.BENEFITS), who.size),
                        "amount_eur": rng.gamma(2, 400, who.size), "days": rng.integers(1, 22, who.size)}
        tables[name] = pa.table(columns)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet")
    return {name: t.num_rows for name, t in tables.items()}


def _optional(module: str, name: str):
    """``module.name`` if a colleague's stage provides it yet, else None."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def make_register(args: argparse.Namespace, folder: Path) -> str:
    if args.source:
        return f"given folder {args.source}"
    generate = _optional("vaikutus.registry.synthetic", "generate")
    if generate is not None and args.generator != "standin":
        generate(persons=args.persons, start=args.start, end=args.end, seed=1, out=folder)
        return "vaikutus.registry.synthetic.generate"
    standin_register(args.persons, args.start, args.end, 1, folder)
    return "stand-in generator (benchmarks/bench_panel.py)"


def load_warehouse(folder: Path, db: Path) -> str:
    import_directory = _optional("vaikutus.registry.importer", "import_directory")
    has_hetu = "henkilotunnus" in pq.read_schema(folder / "jobseeker_spells.parquet").names
    if has_hetu:
        if import_directory is None:
            raise SystemExit("the register carries henkilötunnus but vaikutus.registry.importer is missing")
        import_directory(folder, db, key="benchmark-key-0123456789abcdef")
        return "vaikutus.registry.importer.import_directory"
    with duckdb.connect(str(db)) as con:
        for path in sorted(folder.glob("*.parquet")):
            con.execute(f"CREATE OR REPLACE TABLE {path.stem} AS SELECT * FROM read_parquet('{path}')")
    return "Parquet loaded directly"


CHILD = """
import json, sys, time
from vaikutus.warehouse import build_panel, connect
con = connect(sys.argv[1], memory_limit=sys.argv[2] or None)
steps, last = {}, [None, time.perf_counter()]
def progress(message):
    now = time.perf_counter()
    if last[0]:
        steps[last[0]] = round(now - last[1], 1)
    last[:] = [message, now]
build_panel(con, sys.argv[3], sys.argv[4], progress=progress)
progress("done")
rows = {t: con.table(t).count().execute() for t in ("months", "person_month", "service_month")}
print(json.dumps({"steps": steps, "rows": rows}))
"""


def build(db: Path, memory_limit: str, start: str, end: str) -> dict:
    """Run build_panel in a child process; return its output, wall seconds and peak RSS (MB)."""
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), memory_limit, start, end], stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise RuntimeError(f"build_panel failed (status {status})")
    return json.loads(out) | {
        "wall_s": round(time.perf_counter() - began, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": usage.ru_maxrss // 1024,
    }


def join_operators(db: Path) -> list[str]:
    """Physical join operators DuckDB chooses for the spell x month overlap join."""
    from vaikutus.warehouse import connect
    from vaikutus.warehouse.panel import _overlap_months, _with_end, register_table

    con = connect(db)
    spells = register_table(con, "jobseeker_spells", con.list_tables())
    expr = _overlap_months(_with_end(spells), con.table("months")).count()
    plan = "\n".join(row[1] for row in con.raw_sql("EXPLAIN " + str(con.compile(expr))).fetchall())
    operators = ("IE_JOIN", "IEJoin", "PIECEWISE_MERGE_JOIN", "Piecewise Merge Join", "NESTED_LOOP_JOIN",
                 "Nested Loop Join", "BLOCKWISE_NL_JOIN", "Blockwise NL Join", "HASH_JOIN", "Hash Join")
    return sorted({op for op in operators if op in plan})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--start", default="2015-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--work", type=Path, help="keep the register and warehouse here (default: temporary)")
    parser.add_argument("--source", type=Path, help="use this register folder instead of generating one")
    parser.add_argument("--generator", choices=("auto", "standin"), default="auto",
                        help="auto: the registry's synthetic generator when present; standin: the one here")
    parser.add_argument("--warehouse", type=Path, help="a warehouse with the register imported: build the panel in it")
    parser.add_argument("--memory-limit", default="", help="DuckDB memory_limit for the build, e.g. 4GB")
    parser.add_argument("--no-append", action="store_true", help="print only, do not append to results.md")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-panel-"))
    folder, db = args.source or work / "register", args.warehouse or work / "warehouse.duckdb"
    t0 = time.perf_counter()
    origin = make_register(args, folder) if not args.warehouse else f"warehouse {args.warehouse}"
    t1 = time.perf_counter()
    if args.warehouse:
        loader = "imported before (bench_import.py)"
    else:
        db.unlink(missing_ok=True)
        loader = load_warehouse(folder, db)
    t2 = time.perf_counter()
    result = build(db, args.memory_limit, args.start, args.end)
    joins = join_operators(db)
    with duckdb.connect(str(db), read_only=True) as con:
        spells, persons = con.execute("SELECT count(*), count(DISTINCT person_id) FROM jobseeker_spells").fetchone()
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)

    section = "\n".join([
        f"\n## {dt.date.today():%Y-%m-%d} bench_panel: person-month panel on DuckDB",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}; memory_limit {args.memory_limit or 'default (80% of RAM)'}",
        f"- Register: {origin}; {persons:,} persons with spells, {spells:,} jobseeker spells, "
        f"{args.start}..{args.end} ({t1 - t0:.0f} s); warehouse: {loader} ({t2 - t1:.0f} s)",
        f"- build_panel: **{result['wall_s']} s wall ({result['cpu_s']} s CPU), peak RSS {result['peak_rss_mb']:,} MB** "
        f"(steps: {', '.join(f'{k} {v} s' for k, v in result['steps'].items())})",
        f"- Rows: {', '.join(f'{k} {v:,}' for k, v in result['rows'].items())}",
        f"- Spell x month overlap join operators in the DuckDB plan: {', '.join(joins)}",
        "",
    ])
    print(section)
    if not args.no_append:
        with RESULTS.open("a") as fh:
            fh.write(section)


if __name__ == "__main__":
    main()
