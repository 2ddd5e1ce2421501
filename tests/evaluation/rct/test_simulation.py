"""Simulated trials on the synthetic register: the ITT estimator is unbiased and its 95 %
intervals cover the truth 93-97 % of the time (1,000 replications: Monte Carlo sd of the
coverage 0.7 percentage points, so the band is about +-3 sd)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.evaluation.rct.synthetic_register import synthetic_person_month, write_warehouse
from vaikutus.evaluation import rct
from vaikutus.evaluation.rct.eligibility import POPULATION_COLUMNS
from vaikutus.evaluation.rct.randomise import RandomisationDesign


@pytest.fixture(scope="module")
def eligible(warehouse: Path) -> pd.DataFrame:
    return rct.population(warehouse, month="2025-01-01", areas=[91, 92], follow_up_months=12)


def test_population_selects_the_long_term_unemployed_of_the_chosen_areas(
    eligible: pd.DataFrame,
) -> None:
    assert list(eligible.columns) == list(POPULATION_COLUMNS)
    assert eligible["person_id"].is_unique
    assert (eligible["unemployment_duration_days"] >= 365).all()
    assert set(eligible["employment_area"]) == {91, 92}
    assert set(eligible["duration_group"]) <= {"12-23 months", "24-35 months", "36+ months"}
    assert set(eligible["employed_followup"].dropna()) <= {0, 1}
    assert 0.05 < eligible["employed_followup"].mean() < 0.6


def test_population_from_a_panel_of_job_search_months_only(tmp_path: Path) -> None:
    """The warehouse's own panel keeps only months with a job search and records where the search
    ended; earnings come from the income-register table ``earnings``."""
    panel = synthetic_person_month(persons=400, seed=3)
    started = panel.groupby("person_id")["employed_open_market"].transform(
        lambda e: e & ~e.shift(fill_value=False)
    )
    earnings = panel[["person_id", "month", "earnings_eur"]]
    searching = panel.assign(search_end_destination=np.where(started, "open_market_job", None)).loc[
        lambda p: ~p["employed_open_market"] | started
    ]
    warehouse = write_warehouse(
        searching.drop(columns="employed_open_market"), tmp_path / "w.duckdb"
    )
    with duckdb.connect(str(warehouse)) as con:
        con.register("pay", earnings)
        con.execute(
            "CREATE TABLE earnings AS SELECT * REPLACE (CAST(month AS DATE) AS month) FROM pay"
        )
    got = rct.population(warehouse, month="2025-01-01", follow_up_months=12).set_index("person_id")
    truth = rct.population(write_warehouse(panel, tmp_path / "full.duckdb"), month="2025-01-01")
    truth = truth.set_index("person_id")
    assert got.index.equals(truth.index)
    assert (got["employed_followup"] == truth["employed_followup"]).all()  # nobody loses a job here
    assert np.allclose(got["earnings_followup"], truth["earnings_followup"])


def test_population_errors_are_clear(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        rct.population(tmp_path / "none.duckdb", month="2025-01-01")
    with pytest.raises(ValueError, match="no one"):
        rct.population(warehouse, month="2025-01-01", areas=[99])
    with pytest.raises(ValueError, match="runs past the last month"):
        rct.population(warehouse, month="2025-06-01", follow_up_months=12)


@pytest.mark.parametrize(
    "design, outcome, effect, covariates",
    [
        (
            RandomisationDesign(
                kind="stratified", strata=("employment_area", "duration_group"), seed=1
            ),
            "earnings_followup",
            1500.0,
            ("age", "education", "earnings_eur"),
        ),
        (
            RandomisationDesign(
                kind="blocked", strata=("employment_area",), block_sizes=(4,), seed=1
            ),
            "employed_followup",
            0.08,
            ("education", "unemployment_duration_days"),
        ),
    ],
)
def test_itt_is_unbiased_and_intervals_cover(
    eligible: pd.DataFrame, design, outcome, effect, covariates
) -> None:
    result = rct.simulate(
        eligible,
        design,
        outcome=outcome,
        effect=effect,
        sample=600,
        covariates=covariates,
        reps=1000,
        seed=42,
    )
    monte_carlo_se = np.std(result.estimates, ddof=1) / np.sqrt(result.reps)
    assert abs(result.bias) < 3 * monte_carlo_se
    assert 0.93 <= result.coverage <= 0.97
    # the robust standard error tracks the true sampling sd
    assert result.to_frame().set_index("diagnosand").loc[
        "mean_std_error", "value"
    ] == pytest.approx(np.std(result.estimates), rel=0.1)


def test_simulated_power_agrees_with_the_formula(eligible: pd.DataFrame) -> None:
    design = RandomisationDesign(kind="complete", seed=2)
    y = eligible["employed_followup"].dropna()
    result = rct.simulate(
        eligible,
        design,
        outcome="employed_followup",
        effect=0.08,
        sample=700,
        estimator="difference",
        reps=1000,
        seed=3,
    )
    # binary outcome: variance under the service is that of the raised rate; use the average
    rate = y.mean()
    sd = np.sqrt((rate * (1 - rate) + (rate + 0.08) * (1 - rate - 0.08)) / 2)
    analytic = rct.power(n=700, mde=0.08, sd=sd)
    assert result.power == pytest.approx(analytic, abs=0.05)
    null = rct.simulate(
        eligible,
        design,
        outcome="employed_followup",
        effect=0.0,
        sample=700,
        estimator="difference",
        reps=1000,
        seed=4,
    )
    assert 0.03 <= null.power <= 0.075  # the test keeps its 5 % size


def test_cluster_design_and_custom_estimator(eligible: pd.DataFrame) -> None:
    with_caseworker = eligible.assign(caseworker=eligible["person_id"].str[-2:])
    design = RandomisationDesign(kind="cluster", cluster="caseworker", seed=5)
    result = rct.simulate(
        with_caseworker, design, outcome="employed_followup", effect=0.05, reps=300, seed=6
    )
    assert 0.9 <= result.coverage <= 0.99

    def difference(trial: pd.DataFrame) -> tuple[float, float]:
        treated, control = (
            trial.loc[trial.treatment == 1, "outcome"],
            trial.loc[trial.treatment == 0, "outcome"],
        )
        return treated.mean() - control.mean(), np.sqrt(
            treated.var() / len(treated) + control.var() / len(control)
        )

    custom = rct.simulate(
        eligible,
        RandomisationDesign(seed=1),
        outcome="earnings_followup",
        effect=500.0,
        sample=300,
        estimator=difference,
        reps=40,
        seed=7,
    )
    assert custom.estimator == "difference" and len(custom.estimates) == 40
    assert "power" in custom.summary() and set(custom.figures()) == {"sampling_distribution"}


def test_simulation_rejects_impossible_settings(eligible: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="impossible for a 0/1 outcome"):
        rct.simulate(
            eligible, RandomisationDesign(seed=1), outcome="employed_followup", effect=0.99, reps=10
        )
    with pytest.raises(ValueError, match="sample must be between"):
        rct.simulate(
            eligible,
            RandomisationDesign(seed=1),
            outcome="employed_followup",
            effect=0.1,
            sample=10**6,
        )
