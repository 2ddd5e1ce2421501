"""The profiling tables the warehouse keeps: hand-checked figures on the tiny warehouse.

Person A of ``tiny_warehouse`` has four starts (2020-07-01, coaching 2021-01-01, 2021-04-01, work
trial 2021-05-20) in Helsinki (municipality 091, employment area 8), so every level holds the same
figures. The segment of each start comes from the session's model; the figures below hold
whichever segments the starts fall in, summed over segments.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student

from tests.profiling import tiny_warehouse
from tests.profiling.conftest import FAST
from vaikutus.portal.data import PROFILING_COLUMNS
from vaikutus.profiling.baseline import baseline_table
from vaikutus.profiling.measures import MEASURES, SERVICE_LABELS
from vaikutus.profiling.store import TABLES, profile_tables, store_profiles
from vaikutus.profiling.workflow import profile_warehouse

AREAS = {("country", "SSS"), ("employment_area", "8"), ("municipality", "091")}


def _tiny(folder):
    con = duckdb.connect(str(tiny_warehouse.write(folder / "tiny.duckdb")))
    yield con
    con.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    yield from _tiny(tmp_path_factory.mktemp("tiny-store"))


@pytest.fixture()
def fresh_tiny(tmp_path):
    yield from _tiny(tmp_path)


@pytest.fixture(scope="module")
def stored(tiny, model):
    result = store_profiles(tiny, model, card_html="<h1>card</h1>", training_note="all starts")
    return result, {name: tiny.execute(f"SELECT * FROM {name}").df() for name in TABLES}


def _over_segments(table: pd.DataFrame, measure_id: str, category: str = "") -> pd.DataFrame:
    rows = table[(table["measure_id"] == measure_id) & (table["category"] == category)]
    return rows.groupby(["area_type", "area_code"])[["n", "count"]].sum()


def test_profiles_count_the_hand_known_starts_at_every_level(stored):
    _, tables = stored
    profiles = tables["segment_profiles"]
    assert set(zip(profiles["area_type"], profiles["area_code"])) == AREAS
    starts = profiles[profiles["measure_id"] == "share_of_starts"]
    assert starts.groupby("area_code")["n"].sum().eq(4).all()
    assert starts.groupby("area_code")["value"].sum().to_numpy() == pytest.approx([1, 1, 1])
    # an open-market job on 2021-06-15: within 12 months of all four starts, within 6 of three
    assert _over_segments(profiles, "open_market_job_12m")[["n", "count"]].eq([4, 4]).all().all()
    assert _over_segments(profiles, "open_market_job_6m")[["n", "count"]].eq([4, 3]).all().all()
    # services started within 12 months: coaching after two starts, the work trial after all four
    assert _over_segments(profiles, "started_service", "coaching")["count"].eq(2).all()
    assert _over_segments(profiles, "started_service", "work_trial")["count"].eq(4).all()
    women = profiles[profiles["measure_id"] == "women"]
    assert (women["value"] == 1.0).all()
    # A was born in 1980: 40 at the 2020 start, 41 at the three 2021 starts
    age = profiles[profiles["measure_id"] == "age"]
    total_age = (age["n"] * age["value"]).groupby(age["area_code"]).sum()
    assert total_age.to_numpy() == pytest.approx([40 + 3 * 41] * 3)
    # four persons at most: every figure is a small cell
    assert profiles["small"].all()


def test_follow_up_pairs_and_intervals_by_hand(stored):
    _, tables = stored
    follow = tables["segment_follow_up"].set_index(
        ["area_type", "area_code", "dimension", "group", "measure_id"]
    )
    change = follow.loc[("country", "SSS", "all", "all", "kykyviisari_change")]
    # coaching 5.0 -> 5.5 and work trial 5.8 -> 6.0: mean change 0.35, t interval with 1 df
    half = student.ppf(0.975, 1) * np.std([0.5, 0.2], ddof=1) / np.sqrt(2)
    assert (change["n"], change["value"]) == (2, pytest.approx(0.35))
    assert (change["ci_low"], change["ci_high"]) == (
        pytest.approx(0.35 - half),
        pytest.approx(0.35 + half),
    )
    coaching = follow.loc[("employment_area", "8", "service", "coaching", "kykyviisari_change")]
    assert coaching["value"] == pytest.approx(0.5) and np.isnan(coaching["ci_low"])
    baseline_score = follow.loc[
        ("municipality", "091", "service", "work_trial", "kykyviisari_baseline")
    ]
    assert baseline_score["value"] == pytest.approx(5.8)
    jobs = follow.loc[("country", "SSS", "all", "all", "open_market_job_6m")]
    assert (jobs["n"], jobs["count"], jobs["value"]) == (2, 2, 1.0)
    assert set(tables["segment_follow_up"]["dimension"]) == {"all", "segment", "service"}


def test_model_definitions_and_labels(stored, model):
    result, tables = stored
    row = tables["profiling_model"].iloc[0]
    assert row["model_id"] == model.model_id and row["card_html"] == "<h1>card</h1>"
    assert (str(row["profile_start"])[:7], str(row["profile_end"])[:7]) == ("2020-06", "2021-05")
    assert (str(row["follow_up_start"])[:7], str(row["follow_up_end"])[:7]) == (
        "2021-01",
        "2021-05",
    )
    assert row["suppression_threshold"] == 5 and row["training_note"] == "all starts"
    definitions = tables["segment_definitions"].set_index("segment")
    low, high = model.chance_cuts
    assert definitions.loc["S1", ["chance_from", "chance_to"]].tolist() == pytest.approx(
        [high, 1.0]
    )
    assert definitions.loc["S6", ["chance_from", "chance_to"]].tolist() == pytest.approx([0.0, low])
    assert definitions[["name_fi", "name_sv", "name_en"]].ne("").all().all()
    performance = tables["profiling_performance"]
    assert len(performance) == 6 and performance["auc"].between(0.5, 1).all()
    measures = tables["profile_measures"]
    assert set(measures["measure_id"]) >= {m.id for m in MEASURES}
    assert set(measures.loc[measures["measure_id"] == "service", "category"]) == set(SERVICE_LABELS)
    assert measures[["label_fi", "label_sv", "label_en"]].ne("").all().all()
    assert len(tables["client_segments"]) == 4
    assert "1 country, 1 employment_area, 1 municipality" in result.summary()


def test_tables_carry_what_the_portal_reads(stored):
    _, tables = stored
    for name, columns in PROFILING_COLUMNS.items():
        assert set(columns) <= set(tables[name].columns), name


def test_storing_again_replaces_and_is_deterministic(tiny, model, stored):
    _, first = stored
    store_profiles(tiny, model, threshold=1)
    again = tiny.execute("SELECT * FROM segment_profiles").df()
    assert len(again) == len(first["segment_profiles"])
    pd.testing.assert_frame_equal(
        again.drop(columns="small"), first["segment_profiles"].drop(columns="small")
    )
    assert not again["small"].any()  # no count is between 0 and 1


def test_a_warehouse_without_service_starts_is_refused(fresh_tiny, model):
    fresh_tiny.execute("DELETE FROM service_spells")
    with pytest.raises(ValueError, match="no service starts"):
        profile_tables(fresh_tiny, model, baseline_table(fresh_tiny))


def test_the_demo_step_trains_saves_and_stores(warehouse_copy, tmp_path):
    stored = profile_warehouse(warehouse_copy, tmp_path / "model", FAST)
    assert {"model.json", "model.txt", "model_card.html"} <= {
        p.name for p in (tmp_path / "model").iterdir()
    }
    con = duckdb.connect(str(warehouse_copy), read_only=True)
    try:
        model_id, card, note = con.execute(
            "SELECT model_id, card_html, training_note FROM profiling_model"
        ).fetchone()
        levels = dict(
            con.execute(
                "SELECT area_type, count(DISTINCT area_code) FROM segment_profiles GROUP BY 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert model_id == stored.model.model_id and card.startswith("<!doctype html>")
    assert "starts of the training cohorts" in note
    assert levels["country"] == 1 and levels["employment_area"] > 20 and levels["municipality"] > 50
    assert f"model {model_id} (test AUC 0." in stored.brief()
