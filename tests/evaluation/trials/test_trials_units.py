"""Fast tests of the trial evaluation: inference, panel rules, storage layout, truth comparison."""

from __future__ import annotations

import json

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest

from tests.evaluation.trials.trial_testdata import NAMES, TREATED, small_evaluation, small_panel
from vaikutus import reference
from vaikutus.evaluation import synth
from vaikutus.evaluation.synth.inference import PlaceboSet
from vaikutus.evaluation.trials import (
    TrialPanelError,
    build_trial_panel,
    compare_with_truth,
    result_rows,
    store_evaluation,
)
from vaikutus.evaluation.trials.panel import OUTCOME, _panel_key, unit_membership
from vaikutus.evaluation.trials.store import COLUMNS, TABLE


def _placebo_set(treated_gap, placebo_gaps, start_pos):
    frame = pd.DataFrame({"treated": treated_gap, **placebo_gaps})
    pre, post = (frame.iloc[:start_pos] ** 2).mean(), (frame.iloc[start_pos:] ** 2).mean()
    ratios = np.sqrt(post / pre)
    p = float((ratios >= ratios["treated"]).mean())
    return PlaceboSet("treated", start_pos, frame, pre, post, ratios, p, p, 5.0, tuple(frame))


def _mean_p(gap, placebos, start_pos, smooth):
    def z(g):
        pre = pd.Series(g[:start_pos]).rolling(smooth).mean().dropna()
        return g[start_pos:].mean() / np.sqrt(np.mean(pre**2))

    treated = abs(z(gap))
    return (1 + sum(abs(z(g)) >= treated for g in placebos.values())) / (len(placebos) + 1)


@pytest.mark.parametrize("smooth", [1, 6])
def test_interval_inverts_the_placebo_test_of_the_mean_gap(smooth):
    """theta is inside the interval exactly when the shifted gap's rank p-value exceeds alpha."""
    rng = np.random.default_rng(1)
    start_pos, n = 30, 50
    placebos = {f"d{j}": rng.normal(0, rng.uniform(0.5, 2), n) for j in range(19)}
    gap = rng.normal(0, 1, n) + np.where(np.arange(n) >= start_pos, 1.5, 0.0)
    tested = _placebo_set(gap, placebos, start_pos)
    lower, upper = tested.effect_interval(0.1, smooth)
    assert lower < gap[start_pos:].mean() < upper
    for theta in np.linspace(lower - 1, upper + 1, 40):
        shifted = gap - np.where(np.arange(n) >= start_pos, theta, 0.0)
        accepted = _mean_p(shifted, placebos, start_pos, smooth) > 0.1
        assert accepted == (lower <= theta <= upper), theta
    p = tested.mean_p_value(smooth)
    assert p == pytest.approx(_mean_p(gap, placebos, start_pos, smooth))
    assert (p <= 0.1) == (not lower <= 0 <= upper)


def test_interval_without_enough_placebos_is_unbounded():
    start_pos, n = 10, 20
    tested = _placebo_set(np.ones(n), {f"d{j}": np.ones(n) for j in range(5)}, start_pos)
    assert tested.effect_interval(0.1) == (-np.inf, np.inf)  # 6 units cannot reject at 10 %


def test_band_rescales_placebos_to_the_treated_fit():
    start_pos, n = 10, 20
    base = np.sin(np.arange(n))
    placebos = {"d0": 2 * base, "d1": 4 * base, "d2": -3 * base}
    tested = _placebo_set(base, placebos, start_pos)
    band = tested.band(1e-9)  # (almost) the range of the rescaled placebo gaps
    # every placebo rescaled to the treated unit's pre-RMSPE is +-base: the range is +-|base|
    assert np.allclose(band["high"], np.abs(base)) and np.allclose(band["low"], -np.abs(base))


def test_small_panel_recovers_the_injected_effects():
    evaluation = small_evaluation()
    for unit, effect in TREATED.items():
        lower, upper = evaluation.areas[unit].interval
        assert lower <= effect <= upper, unit
    assert evaluation.areas["T08"].significant
    assert not evaluation.areas["T01"].significant and not evaluation.areas["T17"].significant
    lower, upper = evaluation.pooled.interval
    assert lower <= np.mean(list(TREATED.values())) <= upper < 0
    did = evaluation.did_effect()
    assert did["lower"] <= np.mean(list(TREATED.values())) <= did["upper"]


def test_shared_placebos_equal_the_per_area_placebo_run():
    """Re-using one set of placebo fits for all areas gives what synth.fit(placebo=True) gives."""
    panel = small_panel()
    frame = panel.frame
    one = synth.fit(
        frame[frame["unit"].isin(["T01", *panel.donors])], unit="unit", time="month",
        outcome=OUTCOME, treated="T01", start=panel.start, placebo=True,
        predictors=[(OUTCOME, [m for m in frame["month"].unique() if m.year == y and m < panel.start])
                    for y in (2019, 2020, 2021)],
    )  # fmt: skip
    shared = small_evaluation().areas["T01"].fit.placebos
    assert shared.p_value == pytest.approx(one.placebos.p_value)
    assert np.allclose(shared.ratios[one.placebos.ratios.index], one.placebos.ratios, rtol=1e-6)


def test_small_subregion_remainders_are_pooled_by_region():
    trials = reference.trial_areas()
    m = reference.municipalities(2021)
    big = m.loc[~m["code"].isin(trials["municipality"]), "code"].iloc[0]
    in_trial = m["code"].isin(trials["municipality"])
    lf = pd.DataFrame({"municipality": m["code"], "year": 2020, "persons": np.where(in_trial, 100.0, 10.0)})
    lf.loc[lf["municipality"] == big, "persons"] = 10_000.0  # smallest trial area 100: limit 50
    units = unit_membership(trials, lf, pd.Timestamp("2021-03-01"), 0.5)
    donors = units[units["kind"] == "donor"]
    subregion = m.set_index("code").loc[big, "subregion_code"]
    assert units.set_index("code").loc[big, "unit"] == f"S{subregion}"
    pooled = donors[donors["unit"].str.startswith("R")]
    assert len(pooled) and units.attrs["notes"]
    region = m.set_index("code").loc[pooled["code"], "region_code"]
    assert (pooled["unit"].to_numpy() == ("R" + region).to_numpy()).all()
    assert set(units.loc[units["kind"] == "trial_area", "unit"]) == set(trials["trial_area_code"])


def test_pertunmaa_keeps_its_own_unit_though_coded_as_mantyharju():
    trials = reference.trial_areas()
    lf = pd.DataFrame({"municipality": reference.municipalities(2021)["code"], "year": 2020, "persons": 50.0})
    units = unit_membership(trials, lf, pd.Timestamp("2021-03-01"), 0.0).set_index("code")
    key = _panel_key(units.reset_index())
    assert key[("507", "T02")] == "T02"  # Mäntyharju: in the Mikkeli trial
    assert key[("507", "")] == units.loc["588", "unit"] != "T02"  # Pertunmaa: a donor


def test_panel_errors_name_what_is_missing(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(TrialPanelError, match="labour_force"):
        build_trial_panel(ibis.duckdb.connect(path))
    with pytest.raises(TrialPanelError, match="does not exist"):
        build_trial_panel(tmp_path / "missing.duckdb")


def test_rows_have_the_layout_the_portal_reads():
    rows = result_rows(small_evaluation(), truth={"T08": -2.0})
    assert list(rows.columns) == COLUMNS
    assert list(zip(rows["area_type"], rows["area_code"], rows["method"])) == [
        *[("trial_area", u, "synthetic_control") for u in TREATED],
        ("trial_group", "trial", "synthetic_control"),
        ("trial_group", "trial", "did"),
    ]
    area = json.loads(rows["result_json"].iloc[1])
    assert area["name"] == NAMES["T08"] and area["injected_effect_pp"] == -2.0
    assert {"time", "observed", "synthetic", "gap", "band_low", "band_high"} <= set(area["path"][0])
    assert area["lower"] < area["effect_pp"] < area["upper"] and 0 < area["p_value"] <= 1
    pooled = json.loads(rows["result_json"].iloc[3])
    assert pooled["study"]["settings"]["alpha"] == 0.1 and pooled["injected_effect_pp"] is None
    did = json.loads(rows["result_json"].iloc[4])
    assert did["event_study"]["estimates"][0]["event_time"] < 0


def test_storing_again_replaces_only_the_study(tmp_path):
    con = ibis.duckdb.connect(tmp_path / "w.duckdb")
    evaluation = small_evaluation()
    assert store_evaluation(con, evaluation, study="first") == 5
    store_evaluation(con, evaluation, study="second")
    store_evaluation(con, evaluation, study="first")
    stored = con.table(TABLE).to_pandas()
    assert list(stored.columns) == COLUMNS
    assert stored["study"].value_counts().to_dict() == {"first": 5, "second": 5}


def test_compare_with_truth():
    truth = {"trial_areas": {"areas": [
        {"trial_area": u, "realised_effect_pp_mean": e, "no_effect": e == 0.0} for u, e in TREATED.items()
    ]}}  # fmt: skip
    table = compare_with_truth(small_evaluation(), truth)
    assert table["covered"].all()
    assert table["truth_pp"].iloc[-1] == pytest.approx(np.mean(list(TREATED.values())))
    with pytest.raises(ValueError, match="T17"):
        compare_with_truth(small_evaluation(), {"trial_areas": {"areas": truth["trial_areas"]["areas"][:2]}})
