"""A fake StatFin PxWeb API on 127.0.0.1 that serves the saved (synthetic) 12r5 history.

GET ``.../{lang}/StatFin/tyonv/statfin_tyonv_pxt_12r5.px`` answers the saved table metadata;
POST answers the saved JSON-stat 2.0 cube cut down to the query's ``item`` selections, in the
cube's layout, and refuses more than ``limit`` cells with HTTP 403 as StatFin does. A real HTTP
server (stdlib, in a thread), so ``vaikutus statfin fetch --base-url http://127.0.0.1:PORT/...``
runs its own client, rate limiter and retries; nothing leaves the loopback interface.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

TABLE = "tyonv/statfin_tyonv_pxt_12r5.px"


def slice_cube(cube: dict, selections: dict[str, list[str]]) -> dict:
    """The cube restricted to the selected codes of each dimension (all codes where not selected)."""
    ids, sizes = cube["id"], cube["size"]
    values = np.array(cube["value"], dtype=object).reshape(sizes)
    status = np.full(int(np.prod(sizes)), None, dtype=object)
    for pos, symbol in cube.get("status", {}).items():
        status[int(pos)] = symbol
    status = status.reshape(sizes)
    keep, dims = [], {}
    for dim_id in ids:
        dim = cube["dimension"][dim_id]
        index = dim["category"]["index"]
        wanted = set(selections.get(dim_id, index))
        codes = [c for c in sorted(index, key=index.get) if c in wanted]
        keep.append([index[c] for c in codes])
        category = {key: ({c: i for i, c in enumerate(codes)} if key == "index" else {c: part[c] for c in codes})
                    for key, part in dim["category"].items()}
        dims[dim_id] = {**dim, "category": category}
    grid = np.ix_(*keep)
    flat_status = status[grid].ravel()
    return {
        **cube,
        "size": [len(k) for k in keep],
        "dimension": dims,
        "value": values[grid].ravel().tolist(),
        "status": {str(i): s for i, s in enumerate(flat_status) if s is not None},
    }


class FakeStatFin:
    """``with FakeStatFin(cube_file, metadata_file) as api: api.base_url``; ``api.posts`` lists the
    query bodies received."""

    def __init__(self, cube: Path, metadata: Path, limit: int = 100_000) -> None:
        self.cube = json.loads(cube.read_text(encoding="utf-8"))
        self.metadata = metadata.read_bytes()
        self.limit = limit
        self.posts: list[dict] = []
        self.gets = 0

    def __enter__(self) -> FakeStatFin:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet test output
                pass

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if not self.path.endswith(TABLE):
                    return self._answer(404, b'{"error": "no such table"}')
                api.gets += 1
                self._answer(200, api.metadata)

            def do_POST(self) -> None:
                if not self.path.endswith(TABLE):
                    return self._answer(404, b'{"error": "no such table"}')
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.posts.append(body)
                chosen = {q["code"]: q["selection"]["values"] for q in body["query"]}
                answer = slice_cube(api.cube, chosen)
                if int(np.prod(answer["size"])) > api.limit:
                    return self._answer(403, b'{"error": "too many cells"}')
                self._answer(200, json.dumps(answer, ensure_ascii=False).encode("utf-8"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/PxWeb/api/v1/"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
