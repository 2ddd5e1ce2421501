"""Follow-up of service paths: the Kykyviisari effect injected into the register is recovered."""

from __future__ import annotations

import duckdb
import pytest

from vaikutus.profiling.followup import CHANGE, client_paths, follow_up
from vaikutus.profiling.segments import assign_segments


@pytest.fixture(scope="module")
def result(synthetic, baseline, model):
    con = duckdb.connect(str(synthetic.warehouse), read_only=True)
    try:
        paths = client_paths(con, baseline, assign_segments(model, baseline))
    finally:
        con.close()
    return paths, follow_up(paths)


def test_injected_kykyviisari_effect_is_within_the_interval(result, synthetic):
    truth = synthetic.ground_truth["kykyviisari"]
    _, summary = result
    table = summary.table.set_index(["dimension", "group", "measure"])
    service = truth["service"]
    change = table.loc[("service", service, CHANGE)]
    assert change["n"] >= 50
    assert change["ci_low"] <= truth["effect_on_score_total"] <= change["ci_high"]
    # services without an effect: no change beyond chance and far from the injected one
    for other, effect in truth["effect_of_other_services"].items():
        key = ("service", other, CHANGE)
        if key in table.index and table.loc[key, "n"] >= 30:
            row = table.loc[key]
            assert row["ci_high"] < truth["effect_on_score_total"] / 2 and row["ci_low"] < effect


def test_paths_and_aggregates_are_consistent(result):
    paths, summary = result
    assert (paths["start_kind"] == "service").all() and paths["start_id"].is_unique
    assert paths["kykyviisari_change"].notna().sum() > 0
    table = summary.table
    assert set(table["dimension"]) == {"all", "segment", "service", "employment_area"}
    jobs = table[
        (table["measure"] == "open-market job within 12 months") & (table["dimension"] == "service")
    ]
    assert (
        jobs["n"].sum()
        == table.loc[
            (table["dimension"] == "all")
            & (table["measure"] == "open-market job within 12 months"),
            "n",
        ].iloc[0]
    )
    assert ((table["ci_low"] <= table["value"]) | table["ci_low"].isna()).all()
    assert "kykyviisari" in summary.summary() and summary.plot() is not None
    with pytest.raises(ValueError, match="no column 'shoe_size'"):
        follow_up(paths, ("shoe_size",))
