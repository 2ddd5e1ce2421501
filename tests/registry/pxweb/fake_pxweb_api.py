"""A fake PxWeb API for httpx.MockTransport and a fake clock (fetch and CLI tests)."""

from __future__ import annotations

import json

import httpx

TABLE = "tyonv/statfin_tyonv_pxt_12r5.px"
BASE = "https://pxdata.example/PxWeb/api/v1/"
MONTHS = [f"{y}M{m:02d}" for y in range(2021, 2027) for m in range(1, 13)][:66]  # 2021M01..2026M06
AREAS = ["SSS"] + [f"KU{i:03d}" for i in range(1, 21)]
CONTENTS = ["TYOTTOMATLOPUSSA", "TYOVOIMATK", "TYOTOSUUS"]
METADATA = {
    "title": "Työttömät työnhakijat muuttujina Alue, Kuukausi ja Tiedot",
    "variables": [
        {
            "code": "Alue",
            "text": "Alue",
            "values": AREAS,
            "valueTexts": ["KOKO MAA"] + [f"Kunta {a[2:]}" for a in AREAS[1:]],
            "elimination": True,
        },
        {
            "code": "timeperiod_m",
            "text": "Kuukausi",
            "values": MONTHS,
            "valueTexts": MONTHS,
            "time": True,
        },
        {
            "code": "Tiedot",
            "text": "Tiedot",
            "values": CONTENTS,
            "valueTexts": ["Työttömät (lkm.)", "Työvoima (lkm.)", "Osuus (%)"],
        },
    ],
}


def published(area: str, month: str, content: str) -> str:
    """The fake API's figure for a cell: deterministic, with some cells suppressed."""
    seed = AREAS.index(area) * 1000 + MONTHS.index(month) * 10 + CONTENTS.index(content)
    return "..." if seed % 37 == 0 else str(seed)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakePxWeb:
    """Answers GET with METADATA and POST with a PxWeb json response; can fail first."""

    def __init__(
        self, clock: FakeClock, failures: list[object] | None = None, limit: int = 100_000
    ) -> None:
        self.clock = clock
        self.failures = list(failures or [])
        self.limit = limit
        self.requests: list[tuple[float, httpx.Request]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((self.clock.now, request))
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            status, headers = failure
            return httpx.Response(status, headers=headers, text="busy")
        if request.method == "GET":
            return httpx.Response(200, json=METADATA)
        body = json.loads(request.content)
        chosen = {q["code"]: q["selection"]["values"] for q in body["query"]}
        areas, months, contents = (
            chosen.get("Alue", ["SSS"]),
            chosen["timeperiod_m"],
            chosen["Tiedot"],
        )
        if len(areas) * len(months) * len(contents) > self.limit:
            return httpx.Response(403, text="too many cells")
        doc = {
            "columns": [
                {"code": "Alue", "text": "Alue", "type": "d"},
                {"code": "timeperiod_m", "text": "Kuukausi", "type": "t"},
                *({"code": c, "text": c, "type": "c"} for c in contents),
            ],
            "comments": [],
            "data": [
                {"key": [a, m], "values": [published(a, m, c) for c in contents]}
                for a in areas
                for m in months
            ],
            "metadata": [
                {"updated": "2026-07-21T05.00.00Z", "label": METADATA["title"], "source": "test"}
            ],
        }
        return httpx.Response(200, json=doc)

    @property
    def posts(self) -> list[dict]:
        return [json.loads(r.content) for _, r in self.requests if r.method == "POST"]
