"""1,000 concurrent enrolments against a real server process (``vaikutus trial serve``)."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from vaikutus.evaluation.rct.enrolment import open_trial

STUDY = """
[study]
method = "rct"
title = "Concurrency test"
[design]
kind = "blocked"
strata = ["employment_area", "age_group"]
block_sizes = [2]
seed = 3141592653589793
"""
SERVE = (
    "import typer; from vaikutus.evaluation.rct.commands import register; "
    "app = typer.Typer(); register(app); app()"
)
PERSONS = 1000
AREAS, AGES = ("91", "92", "93"), ("under 30", "30-49", "50+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def server(memory_dir: Path) -> Iterator[tuple[str, Path]]:
    (memory_dir / "study.toml").write_text(STUDY)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVE,
            "trial",
            "serve",
            "--trial",
            str(memory_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {process.stdout.read().decode()}")
            time.sleep(0.1)
        yield url, memory_dir
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow  # ~5 s server start and 1,100 requests
def enrol_with_retry(client: httpx.Client, person: str, strata: dict[str, str]) -> httpx.Response:
    """What a caseworker's client does: resend on a dropped connection (safe, enrolment is
    idempotent on person_id; a kept-alive connection can be closed by the server under load)."""
    request = {"person_id": person, "strata": strata}
    for _ in range(2):
        try:
            return client.post("/enrol", json=request)
        except httpx.TransportError:
            continue
    return client.post("/enrol", json=request)


def test_concurrent_enrolments_are_assigned_exactly_once_and_balanced(
    server: tuple[str, Path],
) -> None:
    url, trial_dir = server
    rng = random.Random(7)
    persons = {
        f"P{i:05d}": {"employment_area": rng.choice(AREAS), "age_group": rng.choice(AGES)}
        for i in range(PERSONS)
    }
    requests = list(persons) + rng.sample(list(persons), 100)  # 100 double submissions
    rng.shuffle(requests)
    with httpx.Client(base_url=url, timeout=60) as client, ThreadPoolExecutor(32) as pool:
        responses = list(pool.map(lambda p: enrol_with_retry(client, p, persons[p]), requests))
        bad_request = client.post(
            "/enrol", json={"person_id": "X", "strata": {"employment_area": "91"}}
        )
        verified = client.get("/log/verify").json()
    assert all(r.status_code == 200 for r in responses)
    assert bad_request.status_code == 422 and "age_group" in bad_request.json()["detail"]

    answers = [r.json() for r in responses]
    arm_of: dict[str, str] = {}
    for answer in answers:  # a repeated enrolment returns the first assignment
        assert arm_of.setdefault(answer["person_id"], answer["arm"]) == answer["arm"]
    assert sum(a["already_enrolled"] for a in answers) >= 100  # a resent request may add some

    log = open_trial(trial_dir).frame()
    assert len(log) == PERSONS and set(log["person_id"]) == set(
        persons
    )  # every person exactly once
    assert log["seq"].tolist() == list(range(1, PERSONS + 1))
    for stratum, part in log.groupby("stratum"):
        counts = Counter(part["arm"])
        assert abs(counts["treatment"] - counts["control"]) <= 1, (
            stratum
        )  # within one per block of 2
        complete = part.groupby("block").filter(lambda block: len(block) == 2)
        assert (complete.groupby("block")["treatment"].sum() == 1).all()
    assert verified["ok"] and verified["entries"] == PERSONS, verified["problems"][:3]
