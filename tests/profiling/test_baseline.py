"""The baseline table: hand-checked values on a tiny warehouse, invariants on the synthetic one."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from tests.profiling import tiny_warehouse
from vaikutus.profiling.baseline import (
    HORIZONS,
    WarehouseError,
    baseline_table,
    open_warehouse,
    register_window,
    services_after,
)
from vaikutus.profiling.features import FEATURES, validate_baseline
from vaikutus.profiling.followup import client_paths


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = open_warehouse(tiny_warehouse.write(tmp_path_factory.mktemp("tiny") / "tiny.duckdb"))
    yield con
    con.close()


def test_tiny_warehouse_gives_the_hand_computed_baseline(tiny):
    assert register_window(tiny).first_cohort == date(2020, 1, 1)
    b = baseline_table(tiny).set_index("start_date")
    # Two adjacent unemployed spells are one start; B's 2017 start lacks a full history.
    assert list(b.index) == [
        date(2020, 7, 1),
        date(2021, 1, 1),
        date(2021, 4, 1),
        date(2021, 5, 20),
    ]
    assert list(b["start_kind"]) == ["unemployment", "service", "unemployment", "service"]
    first = b.loc[date(2020, 7, 1)]
    assert (first.age, first.earnings_12m, first.earnings_24m) == (40, 9000.0, 15000.0)
    assert (first.months_employed_12m, first.months_employed_24m) == (12, 18)
    assert first.benefit_type == "earnings_related" and first.social_assistance_12m
    assert not first.open_market_job_6m and first.open_market_job_12m  # job on 2021-06-15
    coaching = b.loc[date(2021, 1, 1)]
    assert coaching.elapsed_unemployment_days == 184  # since 2020-07-01
    assert coaching.months_unemployed_24m == 6 and coaching.open_market_job_6m
    later = b.loc[date(2021, 4, 1)]
    assert (later.months_in_service_24m, later.services_24m, later.benefit_type) == (3, 1, "none")
    assert (
        b.loc[date(2021, 5, 20)].elapsed_unemployment_days == 49
    )  # inside the spell begun 2021-04-01


def test_tiny_paths_pair_kykyviisari_within_their_windows(tiny):
    baseline = baseline_table(tiny)
    paths = client_paths(tiny, baseline).set_index("service")
    coaching, trial = paths.loc["coaching"], paths.loc["work_trial"]
    # 2020-12-10 is 22 days before the start: not a baseline; 2021-06-01 belongs to the work trial.
    assert (coaching.kykyviisari_baseline, coaching.kykyviisari_last) == (5.0, 5.5)
    assert (trial.kykyviisari_baseline, trial.kykyviisari_last) == (5.8, 6.0)
    assert trial.kykyviisari_change == pytest.approx(0.2)
    assert coaching.first_participation and trial.first_participation
    assert services_after(tiny, baseline).groupby("start_id")["service"].apply(list).to_dict() == {
        1: ["coaching", "work_trial"],
        2: ["coaching", "work_trial"],
        3: ["work_trial"],
        4: ["work_trial"],
    }


def test_missing_panel_is_named(tmp_path):
    path = tmp_path / "bare.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE persons (person_id VARCHAR)")
    con.close()
    with pytest.raises(WarehouseError, match="person_month .*build-panel"):
        open_warehouse(path)
    with pytest.raises(WarehouseError, match="no warehouse file"):
        open_warehouse(tmp_path / "none.duckdb")


def test_synthetic_baseline_is_valid_and_labels_only_observed_windows(baseline, synthetic):
    assert baseline["start_id"].is_unique
    validate_baseline(baseline, FEATURES)  # every register-built row passes the scoring gate
    assert set(baseline["start_kind"]) == {"unemployment", "service"}
    last = max(baseline["start_date"])
    for h in HORIZONS:
        window_end = pd.to_datetime(baseline["start_date"]) + pd.DateOffset(months=h)
        observed = window_end <= pd.Timestamp(date(last.year, 12, 31))
        assert baseline[f"open_market_job_{h}m"].notna().equals(observed)
    assert (baseline["earnings_12m"] <= baseline["earnings_24m"] + 1e-6).all()
    # 12-month outcomes include the 6-month ones.
    both = baseline.dropna(subset=["open_market_job_12m"])
    assert (both["open_market_job_12m"] >= both["open_market_job_6m"]).all()


def test_synthetic_earnings_match_an_independent_sum(baseline, synthetic):
    sample = baseline.sample(40, random_state=1)[
        ["start_id", "person_id", "cohort", "earnings_12m"]
    ]
    con = duckdb.connect(str(synthetic.warehouse), read_only=True)
    earnings = con.execute(
        "SELECT person_id, month, earnings_eur FROM earnings WHERE person_id IN "
        f"({', '.join(repr(p) for p in sample['person_id'])})"
    ).df()
    con.close()
    earnings["month"] = pd.to_datetime(earnings["month"])
    for row in sample.itertuples():
        cohort = pd.Timestamp(row.cohort)
        mine = earnings[
            (earnings["person_id"] == row.person_id)
            & (earnings["month"] < cohort)
            & (earnings["month"] >= cohort - pd.DateOffset(months=12))
        ]
        assert row.earnings_12m == pytest.approx(mine["earnings_eur"].sum(), abs=0.01)
