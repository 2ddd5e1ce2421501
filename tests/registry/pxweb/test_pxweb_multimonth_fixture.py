"""The synthetic multi-month 12r5 fixture: real format, labelled synthetic, consistent."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.registry.pxweb.pxweb_helpers import FIXTURE_SCRIPT, MULTIMONTH, REAL_12R5
from vaikutus.registry.pxweb import keyed, read_table


@pytest.fixture(scope="module")
def history():
    return read_table(MULTIMONTH)


@pytest.fixture(scope="module")
def wide(history):
    frame = keyed(history)
    return frame.pivot(
        index=["area_type", "area_code", "period"], columns="content", values="value"
    )


def test_labelled_synthetic_everywhere(history):
    assert history.meta.title.startswith("[SYNTHETIC, derived]")
    assert "synthetic fixture" in history.meta.source
    assert any("SYNTHETIC TEST FIXTURE" in note for note in history.meta.notes)


def test_same_format_as_the_real_response(history):
    real = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    fixture = json.loads(MULTIMONTH.read_text(encoding="utf-8"))
    assert fixture.keys() == real.keys()
    real_columns = {c["code"]: c for c in real["columns"]}
    assert all(real_columns[c["code"]] == c for c in fixture["columns"])
    assert all(isinstance(v, str) for row in fixture["data"][:50] for v in row["values"])
    assert history.meta.dimension("timeperiod_m").values[0] == "2020M01"
    assert history.meta.dimension("timeperiod_m").values[-1] == "2022M12"
    assert len(history.meta.dimension("timeperiod_m").values) == 36
    area_types = keyed(history).groupby("area_type")["Alue"].nunique().to_dict()
    assert area_types == {"country": 1, "municipality": 308, "region": 19, "unknown": 4}


def test_share_recomputes_and_follows_its_numerator(wide):
    both = wide.dropna(subset=["TYOTTOMATLOPUSSA", "TYOVOIMATK", "TYOTOSUUS"])
    both = both[both["TYOVOIMATK"] > 0]
    recomputed = (both["TYOTTOMATLOPUSSA"] / both["TYOVOIMATK"] * 100).round(1)
    assert (recomputed - both["TYOTOSUUS"]).abs().max() < 0.051
    assert (wide["TYOTTOMATLOPUSSA"].isna() == wide["TYOTOSUUS"].isna()).all()


def test_small_counts_are_suppressed_like_tem(history):
    data = history.data
    counts = data[data["content"] != "TYOTOSUUS"]
    assert not counts["value"].between(1, 4).any()
    assert (data["status"] == "...").sum() > 1000
    assert data.loc[data["status"] == "...", "value"].isna().all()


def test_totals_are_sums_of_municipalities(wide):
    municipal = wide.loc["municipality"]["TYOTTOMATLOPUSSA"]
    unknown = wide.loc["unknown"]["TYOTTOMATLOPUSSA"].loc[["KU199", "KUJOU"]]  # not MK91/MKJO
    national = wide.loc[("country", "SSS")]["TYOTTOMATLOPUSSA"]
    shown = municipal.groupby(level="period").sum() + unknown.groupby(level="period").sum()
    hidden = (
        municipal.isna().groupby(level="period").sum()
        + unknown.isna().groupby(level="period").sum()
    )
    gap = national - shown
    assert (gap >= hidden).all() and (gap <= 4 * hidden).all()


def test_values_move_over_time(wide):
    national = wide.loc[("country", "SSS")]["TYOTTOMATLOPUSSA"]
    assert national["2020-05"] > 1.3 * national["2020-02"]  # spring-2020 rise
    assert national["2022-12"] < national["2020-06"]
    helsinki = wide.loc[("municipality", "091")]["TYOTOSUUS"]
    assert helsinki.nunique() > 20


def test_the_script_reproduces_the_file(tmp_path):
    out = tmp_path / "fixture.json"
    subprocess.run(
        [sys.executable, str(FIXTURE_SCRIPT), "--out", str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == MULTIMONTH.read_bytes()
