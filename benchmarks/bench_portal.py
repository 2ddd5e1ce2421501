"""Portal load and page-speed benchmark (run on demand: `python benchmarks/bench_portal.py [WAREHOUSE]`).

1. 50 concurrent clients hit the indicator API on loopback for 30 s (a real `vaikutus serve`
   process; requests cycle through indicators, levels and months) and we report throughput, errors
   and latency percentiles. Target: no error, p95 under 50 ms.
2. Headless Debian chromium opens the map page and we time until the map is drawn (the page marks
   `#map[data-ready]` after the values are coloured). Target: under 2 s.
Results are appended to benchmarks/results.md. Without a WAREHOUSE argument the portal test
warehouse (all levels, 24 months) is built in a temporary folder.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIENTS, SECONDS = 50, 30


def start_server(warehouse: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "vaikutus", "serve", "--warehouse", str(warehouse), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start")


async def load(url: str, indicators: list[str], periods: list[str]) -> dict:
    levels = ["municipality", "employment_area", "region", "trial_area", "country"]
    queries = itertools.cycle(itertools.product(indicators, levels, periods[-24:]))
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + SECONDS

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            while time.monotonic() < stop:
                indicator, level, period = next(queries)
                start = time.perf_counter()
                try:
                    response = await http.get("/api/v1/values", params={"indicator": indicator, "level": level, "period": period})
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    ms = np.array(latencies) * 1000
    return {"requests": len(ms), "errors": errors, "rps": len(ms) / SECONDS,
            "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)), "p99": float(np.percentile(ms, 99))}


def map_ready_seconds(url: str) -> float:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{url}/fi/")  # warm-up: server caches and browser start are not what we measure
        page.wait_for_selector("#map[data-ready]")
        times = []
        for _ in range(5):
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(f"{url}/fi/?level=municipality")
            page.wait_for_selector("#map[data-ready]")
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return float(np.median(times))


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    if len(sys.argv) > 1:
        warehouse = Path(sys.argv[1])
    else:
        from tests.portal.conftest import build_warehouse

        warehouse = tmp / "portal.duckdb"
        build_warehouse(warehouse)
    port = 8790
    process = start_server(warehouse, port)
    url = f"http://127.0.0.1:{port}"
    try:
        indicators = [i["id"] for i in httpx.get(f"{url}/api/v1/indicators").json()]
        periods = httpx.get(f"{url}/api/v1/indicators/{indicators[0]}/periods").json()
        stats = asyncio.run(load(url, indicators, periods))
        ready = map_ready_seconds(url)
    finally:
        process.terminate()
    lines = [
        f"\n## Portal ({datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, warehouse {warehouse.name})",
        f"- {CLIENTS} concurrent clients x {SECONDS} s on /api/v1/values: {stats['requests']} requests, "
        f"{stats['errors']} errors, {stats['rps']:.0f} req/s, latency p50 {stats['p50']:.1f} ms, "
        f"p95 {stats['p95']:.1f} ms, p99 {stats['p99']:.1f} ms (target: no error, p95 < 50 ms)",
        f"- map page interactive (map coloured) in headless chromium: median {ready:.2f} s of 5 loads (target < 2 s)",
    ]
    text = "\n".join(lines) + "\n"
    with open(ROOT / "benchmarks" / "results.md", "a", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
