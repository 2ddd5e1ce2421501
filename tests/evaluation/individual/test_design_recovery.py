"""End to end on the synthetic register: generate -> import -> panel -> dynamic design ->
month-by-month effects of the wage subsidy, against the effect injected into the register.

Marked slow: generating, importing and paneling 12,000 synthetic persons takes about 30 s on the
2-core test machine, the design and the estimates about 10 s more.

What the truth is, and what it can be compared with. ``ground_truth.json`` re-simulates each
entrant with the entry blocked: that person then makes *no* transition in the entry month
("they stay unemployed that month") and carries on from the next month. The design's default
comparisons are Sianesi's: jobseekers at risk who did not enter in that month, some of whom found
a job within it - so the Sianesi effect is *below* the truth in the first months, by about the
share who left unemployment in the entry month, a gap that fades over the following year. The
alternative comparison "still unemployed at the end of the entry month" matches the truth's
definition but selects comparisons slower to find work (the register's unobserved frailty), so
its effect is *above* the truth. The tests check exactly this: the truth lies between the two
designs' uniform 95% bands in every month; it lies inside the Sianesi band except in a few early
months, where the gap has the expected sign; the naive difference misses the band.
Entrants coming straight from a work trial (about 5 %) and entries in the first register year
(no complete history) are outside the design; the realised truth averages over them too.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from vaikutus.evaluation.individual.design import TOTALS, build_design
from vaikutus.registry.importer import import_directory
from vaikutus.registry.synthetic import generate
from vaikutus.warehouse import build_panel, connect

pytestmark = pytest.mark.slow
PERSONS, SEED = 12_000, 5


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("register")
    monkeypatch_module.setenv("VAIKUTUS_PSEUDONYM_KEY", "individual-tests-key-0123456789abcdef")
    register = generate(
        persons=PERSONS, start="2015-01", end="2025-12", seed=SEED, out=root / "reg"
    )
    path = root / "warehouse.duckdb"
    import_directory(root / "reg", path)
    con = connect(path)
    build_panel(con)
    con.disconnect()
    return path, register.ground_truth["wage_subsidy"]


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def design(warehouse):
    return build_design(warehouse[0], service="wage_subsidy", control_fraction=0.25, seed=1)


@pytest.fixture(scope="module")
def effects(design):
    return design.evaluate(method="aipw", subgroups=["elapsed_band"])


@pytest.fixture(scope="module")
def held_effects(warehouse):
    held = build_design(warehouse[0], comparison="still_unemployed", control_fraction=0.25, seed=1)
    return held.evaluate(method="aipw", subgroups=[])


def test_design_rows_follow_the_dynamic_entry_rules(design):
    data = design.data
    treated = data[data["treated"] == 1]
    assert treated["person_id"].is_unique  # first entry only
    first = treated.set_index("person_id")["entry_month"]
    later = data[(data["treated"] == 0) & data["person_id"].isin(first.index)]
    # a person is a comparison only before their own entry
    assert (later["entry_month"] < later["person_id"].map(first)).all()
    assert data["entry_month"].min() >= pd.Timestamp(design.entry_from)
    assert data["elapsed_months"].min() >= 0
    last = pd.Timestamp(design.last_month)
    for k in (1, 12, 36):
        beyond = data["entry_month"] + pd.DateOffset(months=k) > last
        assert data.loc[beyond, f"earnings_m{k:02d}"].isna().all()
        assert data.loc[~beyond, f"earnings_m{k:02d}"].notna().all()
    assert data.loc[data["earnings_m36"].isna(), list(TOTALS)].isna().all().all()
    recorded = treated["service_cost_eur"].notna()  # ongoing spells have no cost yet
    assert recorded.mean() > 0.85 and (treated.loc[recorded, "service_cost_eur"] > 0).all()
    assert treated["service_months"].between(0, 40).all()


def test_entrants_match_the_registers_entries(design, warehouse):
    truth = warehouse[1]
    entries = pd.Series(truth["treated_entries_by_month"])
    inside = entries[
        (entries.index >= str(design.entry_from)[:7]) & (entries.index <= str(design.entry_to)[:7])
    ]
    # entrants from unemployment: all but the ~5 % who come straight from a work trial
    assert 0.9 * inside.sum() <= design.n_treated <= inside.sum()


def _paths(effects, truth, family, key):
    paths = effects.paths[effects.paths["family"] == family].sort_values("month")
    return paths.assign(truth=np.asarray(truth[key][: len(paths)], dtype=float))


FAMILIES = [("employed", "att_employment"), ("earnings", "att_earnings_eur")]


@pytest.mark.parametrize(("family", "key"), FAMILIES)
def test_truth_lies_between_the_two_comparison_definitions(
    effects, held_effects, warehouse, family, key
):
    sianesi = _paths(effects, warehouse[1], family, key)
    held = _paths(held_effects, warehouse[1], family, key)
    assert (sianesi["band_low"].to_numpy() <= sianesi["truth"].to_numpy()).all()
    assert (sianesi["truth"].to_numpy() <= held["band_high"].to_numpy()).all()


@pytest.mark.parametrize(("family", "key"), FAMILIES)
def test_effect_path_recovers_the_injected_truth(effects, warehouse, family, key):
    paths = _paths(effects, warehouse[1], family, key)
    inside = (paths["band_low"] <= paths["truth"]) & (paths["truth"] <= paths["band_high"])
    missed = paths.loc[~inside, "month"].tolist()
    assert len(missed) <= 6 and all(month <= 12 for month in missed), missed
    assert (paths.loc[~inside, "truth"] > paths.loc[~inside, "band_high"]).all()  # the known sign
    naive_out = (paths["naive_difference"] < paths["band_low"]) | (
        paths["naive_difference"] > paths["band_high"]
    )
    assert naive_out.sum() >= 3


def test_first_months_differ_by_the_entry_month_definition(effects, warehouse, design):
    paths = _paths(effects, warehouse[1], "employed", "att_employment")
    first = paths[paths["month"] <= 2]
    gap = first["truth"] - first["estimate"]
    data = design.data
    comparisons = data[data["treated"] == 0]
    left_soon = comparisons["employed_m01"].mean()  # employed the month after: left in e or e+1
    assert (gap > 0).all()
    assert gap.iloc[0] < left_soon


def test_effects_grow_with_unemployment_duration_as_injected(effects, warehouse):
    """The injected retention and job-finding effects are larger for the long-term unemployed."""
    table = effects.result.subgroups
    employed = table[table["outcome"] == "employed_total"].set_index("level")["estimate"]
    assert employed["12-23"] > employed["0-2"]


def test_result_json_and_cost_inputs(effects, tmp_path):
    from vaikutus.evaluation.cost import EffectInputs
    from vaikutus.evaluation.outputs import write_outputs

    written = write_outputs(effects, tmp_path, title="wage subsidy")
    payload = json.loads(written.result_json.read_text())
    assert {"paths", "totals", "design", "covariance"} <= set(payload)
    inputs = EffectInputs.from_dict(payload)
    assert inputs.participants == int(effects.totals.loc[0, "n_treated"])
    assert inputs.total("employed_total") == pytest.approx(effects.totals.loc[0, "estimate"])
    assert "effects" in written.figures and "overlap" in written.figures

    from typer.testing import CliRunner

    from vaikutus.cli import app

    cost = CliRunner().invoke(
        app,
        [
            "cost",
            "analyse",
            str(written.result_json),
            "--out",
            str(tmp_path / "cost"),
            "--draws",
            "1000",
            "--price-per-month",
            "500",
        ],
    )
    assert cost.exit_code == 0, cost.output
    analysis = json.loads((tmp_path / "cost" / "result.json").read_text())
    assert analysis["payment"]["owed_total"] > 0
    assert analysis["metrics"][0]["metric"] == "taxes_gained"
