"""Fetching without network: a fake PxWeb API behind httpx.MockTransport and a fake clock."""

from __future__ import annotations

import json
import math
from datetime import datetime

import httpx
import pytest

from tests.registry.pxweb.fake_pxweb_api import (
    AREAS,
    BASE,
    CONTENTS,
    METADATA,
    MONTHS,
    TABLE,
    FakeClock,
    FakePxWeb,
    published,
)
from vaikutus.registry.pxweb import (
    FetchError,
    PxWebClient,
    QueryError,
    RateLimiter,
    RetryPolicy,
    build_query,
    fetch,
    read_fetched,
    read_table,
)
from vaikutus.registry.pxweb.query import expand, query_selections


def make_client(server: FakePxWeb, clock: FakeClock, **retry) -> PxWebClient:
    return PxWebClient(
        BASE,
        lang="fi",
        http=httpx.Client(transport=httpx.MockTransport(server)),
        limiter=RateLimiter(30, 10.0, clock=clock, sleep=clock.sleep),
        retry=RetryPolicy(**retry) if retry else RetryPolicy(),
        sleep=clock.sleep,
    )


ALL = [
    {"code": "Alue", "selection": {"filter": "all", "values": ["*"]}},
    {"code": "timeperiod_m", "selection": {"filter": "all", "values": ["*"]}},
    {"code": "Tiedot", "selection": {"filter": "all", "values": ["*"]}},
]


def cells_of(body: dict) -> set[tuple[str, str, str]]:
    chosen = {q["code"]: q["selection"]["values"] for q in body["query"]}
    return {
        (a, m, c) for a in chosen["Alue"] for m in chosen["timeperiod_m"] for c in chosen["Tiedot"]
    }


def test_splits_by_time_saves_and_reads_back(tmp_path):
    clock = FakeClock()
    server = FakePxWeb(clock, limit=1000)
    result = fetch(
        TABLE, {"query": ALL}, "fi", tmp_path, client=make_client(server, clock), max_cells=1000
    )
    posts = server.posts
    assert len(posts) == len(result.files) == math.ceil(66 / (1000 // (21 * 3)))
    pieces = [cells_of(p) for p in posts]
    assert all(len(p) <= 1000 for p in pieces)
    assert sum(len(p) for p in pieces) == len(set().union(*pieces)) == 21 * 66 * 3 == result.cells
    # every piece keeps all areas and contents: only time was split
    assert all(
        {q["code"]: len(q["selection"]["values"]) for q in p["query"]}["Alue"] == 21 for p in posts
    )

    sidecar = json.loads((tmp_path / "statfin_tyonv_pxt_12r5_fi_001.json.source.json").read_text())
    assert sidecar["url"] == f"{BASE}fi/StatFin/{TABLE}"
    assert sidecar["query"] == posts[0] and sidecar["query"]["response"] == {"format": "json"}
    assert sidecar["kind"] == "data" and sidecar["chunk"] == 1 and sidecar["chunks"] == len(posts)
    assert datetime.fromisoformat(sidecar["fetched_at"]).tzinfo is not None
    assert (tmp_path / sidecar["metadata_file"]).exists() and result.metadata_file.name == sidecar[
        "metadata_file"
    ]

    table = read_fetched(tmp_path)
    assert len(table.data) == 21 * 66 * 3
    assert table.meta.dimension("timeperiod_m").values == tuple(MONTHS)
    assert table.meta.table_id == "statfin_tyonv_pxt_12r5" and table.meta.language == "fi"
    for area, month, content in [
        ("SSS", "2021M01", "TYOTTOMATLOPUSSA"),
        ("KU020", "2026M06", "TYOTOSUUS"),
        ("KU007", "2023M07", "TYOVOIMATK"),
    ]:
        expected = published(area, month, content)
        value = table.value(content, Alue=area, timeperiod_m=month)
        assert (
            (math.isnan(value) and table.status(content, Alue=area, timeperiod_m=month) == "...")
            if expected == "..."
            else value == float(expected)
        )
    assert set(table.data.loc[table.data["Alue"] == "KU005", "Alue_label"]) == {"Kunta 005"}


def test_one_saved_chunk_reads_with_its_sidecar(tmp_path):
    clock = FakeClock()
    result = fetch(TABLE, ALL, "fi", tmp_path, client=make_client(FakePxWeb(clock), clock))
    table = read_table(result.files[0])
    assert len(result.files) == 1 and table.meta.dimension("Alue").value_labels[0] == "KOKO MAA"


def test_splits_by_area_too_and_keeps_the_rate_limit(tmp_path):
    clock = FakeClock()
    server = FakePxWeb(clock, limit=30)
    fetch(TABLE, ALL, "fi", tmp_path, client=make_client(server, clock), max_cells=30)
    posts = server.posts
    assert len(posts) == 66 * 3  # 21 areas x 3 contents > 30: one month and 10 areas per request
    assert set().union(*(cells_of(p) for p in posts)) == {
        (a, m, c) for a in AREAS for m in MONTHS for c in CONTENTS
    }
    times = sorted(t for t, _ in server.requests)
    assert all(sum(1 for u in times if t <= u < t + 10) <= 30 for t in times)
    assert clock.now >= (len(times) // 30 - 1) * 10


def test_rate_limiter_sliding_window():
    clock = FakeClock()
    limiter = RateLimiter(30, 10.0, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(65):
        limiter.wait()
        sent.append(clock.now)
        clock.now += 0.01
    assert sent[29] < 1 and sent[30] >= 10 and sent[60] >= 20
    assert all(sum(1 for u in sent if t <= u < t + 10) <= 30 for t in sent)


def test_retries_with_backoff_and_retry_after(tmp_path):
    clock = FakeClock()
    failures = [(503, {}), (429, {"Retry-After": "7"}), httpx.ConnectError("reset"), (500, {})]
    server = FakePxWeb(clock, failures=failures)
    client = make_client(server, clock, attempts=5, backoff=1.0)
    fetch(TABLE, ALL, "fi", tmp_path, client=client)
    assert clock.sleeps[:4] == [1.0, 7.0, 4.0, 8.0]
    assert len(server.requests) == 4 + 2  # four failures, then GET metadata and one POST


def test_gives_up_after_the_last_attempt(tmp_path):
    clock = FakeClock()
    server = FakePxWeb(clock, failures=[(503, {})] * 10)
    with pytest.raises(FetchError, match=r"GET .*12r5\.px: gave up after 3 attempts \(HTTP 503\)"):
        fetch(
            TABLE, ALL, "fi", tmp_path, client=make_client(server, clock, attempts=2, backoff=0.5)
        )
    assert clock.sleeps == [0.5, 1.0] and len(server.requests) == 3
    assert not list(tmp_path.iterdir())


def test_client_errors_are_not_retried(tmp_path):
    clock = FakeClock()
    server = FakePxWeb(clock, failures=[(400, {})])
    with pytest.raises(FetchError, match="HTTP 400"):
        fetch(TABLE, ALL, "fi", tmp_path, client=make_client(server, clock))
    assert len(server.requests) == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            [{"code": "Kunta", "selection": {"filter": "item", "values": ["KU091"]}}],
            "no variable 'Kunta'",
        ),
        (
            [*ALL[:2], {"code": "Tiedot", "selection": {"filter": "item", "values": ["X"]}}],
            "'Tiedot' has no value 'X'",
        ),
        (ALL[:2], "'Tiedot' must be selected"),
        (
            [*ALL[:2], {"code": "Tiedot", "selection": {"filter": "weird", "values": ["*"]}}],
            "not a PxWeb filter",
        ),
    ],
)
def test_bad_queries_fail_before_any_post(tmp_path, query, message):
    clock = FakeClock()
    server = FakePxWeb(clock)
    with pytest.raises(QueryError, match=message):
        fetch(TABLE, query, "fi", tmp_path, client=make_client(server, clock))
    assert server.posts == []


def test_top_and_wildcards_expand_against_the_metadata():
    query = [
        {"code": "Alue", "selection": {"filter": "all", "values": ["KU00*"]}},
        {"code": "timeperiod_m", "selection": {"filter": "top", "values": ["3"]}},
        {"code": "Tiedot", "selection": {"filter": "item", "values": ["TYOTOSUUS"]}},
    ]
    explicit = {s.code: s.values for s in expand(query_selections(query), METADATA)}
    assert explicit["Alue"] == tuple(f"KU00{i}" for i in range(1, 10))
    assert explicit["timeperiod_m"] == ("2026M04", "2026M05", "2026M06")


def test_build_query_for_the_cli():
    query = build_query(METADATA, months="2025M11:2026M02", areas="SSS,KU005")
    chosen = {q["code"]: q["selection"]["values"] for q in query}
    assert chosen == {
        "Alue": ["SSS", "KU005"],
        "timeperiod_m": ["2025M11", "2025M12", "2026M01", "2026M02"],
        "Tiedot": CONTENTS,
    }
    municipalities = {
        q["code"]: q["selection"]["values"] for q in build_query(METADATA, areas="municipality")
    }
    assert municipalities["Alue"] == AREAS[1:] and len(municipalities["timeperiod_m"]) == 66
    with pytest.raises(QueryError, match="no period of the table falls in"):
        build_query(METADATA, months="2019M01:2019M12")
    with pytest.raises(QueryError, match="'KU999' is neither an area code of the table"):
        build_query(METADATA, areas="KU999")


def test_unreadable_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'xlsx' is not one this package reads"):
        fetch(
            TABLE,
            ALL,
            "fi",
            tmp_path,
            response_format="xlsx",
            client=make_client(FakePxWeb(FakeClock()), FakeClock()),
        )
