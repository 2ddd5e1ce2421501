"""Mangled input never crashes the readers with anything but PxWebFormatError (hypothesis)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.registry.pxweb.pxweb_helpers import JSONSTAT_EN, REAL_12R5, small_12r5
from vaikutus.registry.pxweb import (
    PxTable,
    PxWebFormatError,
    parse_bytes,
    read_table,
    write_csv,
    write_px,
)

SETTINGS = settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    table = small_12r5(read_table(REAL_12R5))
    doc = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    doc["data"] = [r for r in doc["data"] if r["key"][0] in ("SSS", "KU035", "KU091")]
    return {
        "json": json.dumps(doc, ensure_ascii=False).encode("utf-8"),
        "json-stat2": JSONSTAT_EN.read_bytes(),
        "px": write_px(table).encode("utf-8"),
        "csv": write_csv(table, codes=True, delimiter=";").encode("utf-8"),
    }


def _parses_or_refuses(raw: bytes) -> None:
    try:
        table = parse_bytes(raw, name="mangled")
    except PxWebFormatError as exc:
        assert "mangled" in str(exc)
    else:
        assert isinstance(table, PxTable)
        assert table.data.loc[table.data["value"].isna(), "status"].notna().all()


edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "replace", "truncate"]),
        st.floats(0, 1),
        st.integers(1, 40),
        st.text(alphabet='"{}[],:;=.()\n 0123456789KUMSabcé\\', max_size=12),
    ),
    min_size=1,
    max_size=4,
)


def _mangle(raw: bytes, plan: list[tuple[str, float, int, str]]) -> bytes:
    text = raw.decode("utf-8")
    for op, where, length, insert in plan:
        at = int(where * len(text))
        if op == "delete":
            text = text[:at] + text[at + length :]
        elif op == "insert":
            text = text[:at] + insert + text[at:]
        elif op == "replace":
            text = text[:at] + insert + text[at + len(insert) :]
        else:
            text = text[:at]
    return text.encode("utf-8")


@pytest.mark.parametrize("kind", ["json", "json-stat2", "px", "csv"])
@SETTINGS
@given(plan=edits)
def test_mangled_text(samples, kind, plan):
    _parses_or_refuses(_mangle(samples[kind], plan))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node[:6]):
            yield from _paths(child, (*prefix, i))


@pytest.mark.parametrize("kind", ["json", "json-stat2"])
@SETTINGS
@given(data=st.data())
def test_replaced_json_nodes(samples, kind, data):
    doc = json.loads(samples[kind])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(json_values)
    _parses_or_refuses(json.dumps(copy.deepcopy(doc)).encode("utf-8"))


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes(raw):
    _parses_or_refuses(raw)
