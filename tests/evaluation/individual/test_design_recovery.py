"""End to end on the synthetic register: generate -> import -> panel -> dynamic design ->
month-by-month effects of the wage subsidy, against the effect injected into the register.

Marked slow: generating, importing and paneling 12,000 synthetic persons takes about 30 s on the
2-core test machine, the design and the estimates about 10 s more.

What the truth is. ``ground_truth.json`` states the estimand of the design's default comparison
(Sianesi 2004: entering in month ``e`` versus not entering in ``e``, possibly later): each entrant
is re-simulated without the entry, making in month ``e`` the transition of a jobseeker who did
not enter - some find a job within the month - and the counterfactual outcome is the mean over
many continuations from the month before the entry, so the truth is the entrants' expected
effect, not one noisy draw of it. The design sees the entrants from open unemployment with a
year of register history; the truth's subgroup ``from_unemployment_with_12_months_history`` is
exactly those, so that is the truth the paths are held against (the work-trial entrants and the
first register year shift the overall truth by up to a standard error in the first months).

Which band. The estimator reports a pointwise 95% interval and a uniform (sup-t) 95% band for each
family's 36 months. "Inside in every month" is a statement about the whole path, which is what
the uniform band covers with 95% probability; a pointwise interval misses about 2 of 36 months
even for an unbiased estimator. So the tests use the uniform band (``band_low``/``band_high``).

The alternative comparison "still unemployed at the end of the entry month" conditions on the
entry month's own job finding, which selects comparisons slower to find work: its effects lie
above the truth in the first months, by more than its band. The naive treated-minus-comparison
difference ignores the confounders and misses the band in several months.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.synthetic_warehouse import register_warehouse
from vaikutus.evaluation.individual.design import TOTALS, build_design
from vaikutus.registry.synthetic import generate

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
    register_warehouse(root / "reg", path)
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


DESIGN_POPULATION = "from_unemployment_with_12_months_history"
FAMILIES = [("employed", "att_employment"), ("earnings", "att_earnings_eur")]


def _paths(effects, truth, family, key):
    paths = effects.paths[effects.paths["family"] == family].sort_values("month")
    return paths.assign(truth=np.asarray(truth[key][: len(paths)], dtype=float))


def test_truth_population_is_the_designs(design, warehouse):
    """The truth's subgroup holds the entrants the design treats (counted on the counting day of
    the month before entry vs at its end, and entries in the register's last month excluded)."""
    population = warehouse[1]["subgroups"][DESIGN_POPULATION]
    assert abs(design.n_treated - population["treated"]) <= 0.03 * population["treated"]


@pytest.mark.parametrize(("family", "key"), FAMILIES)
def test_effect_path_recovers_the_injected_truth_in_every_month(effects, warehouse, family, key):
    truth = warehouse[1]["subgroups"][DESIGN_POPULATION]
    paths = _paths(effects, truth, family, key)
    assert len(paths) == 36 and paths["truth"].notna().all()
    inside = (paths["band_low"] <= paths["truth"]) & (paths["truth"] <= paths["band_high"])
    assert inside.all(), paths.loc[~inside, ["month", "truth", "band_low", "band_high"]]
    # the truth is precise enough to hold the band to: its Monte Carlo error is well below the
    # estimate's standard error in every month
    mc_se = np.asarray(truth[f"mc_se_{key[4:]}"], dtype=float)
    assert (mc_se < 0.6 * paths["se"].to_numpy()).all()
    naive_out = (paths["naive_difference"] < paths["band_low"]) | (
        paths["naive_difference"] > paths["band_high"]
    )
    assert naive_out.sum() >= 2, paths.loc[:, ["month", "naive_difference", "band_low"]]


@pytest.mark.parametrize(("family", "key"), FAMILIES)
def test_held_in_unemployment_comparison_overstates_the_first_months(
    effects, held_effects, warehouse, family, key
):
    truth = warehouse[1]["subgroups"][DESIGN_POPULATION]
    sianesi = _paths(effects, truth, family, key).set_index("month")
    held = _paths(held_effects, truth, family, key).set_index("month")
    first = held.loc[[1, 2]]
    assert (first["band_low"] > first["truth"]).all()  # conditioning on the entry month's outcome
    assert (held.loc[1:6, "estimate"] > sianesi.loc[1:6, "estimate"]).all()


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
