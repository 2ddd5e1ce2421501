"""Cost-effectiveness: parameter files, fiscal arithmetic checked by hand, simulation, tornado,
outcome-based payment and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vaikutus.cli import app
from vaikutus.evaluation.cost import (
    Contract,
    EffectInputs,
    analyse,
    load_parameters,
    outcome_payment,
)
from vaikutus.evaluation.cost.fiscal import EMPLOYEE_AND_EMPLOYER, fiscal_effects
from vaikutus.evaluation.cost.params import parameter_directory

HORIZON = 36


def make_inputs(**changes) -> EffectInputs:
    """Effects of a service over 36 months: +6 months employed, +12,000 EUR earnings,
    -6,000 EUR benefits of which -5,000 basic, spread evenly; recorded cost 10,000 EUR."""
    flat = np.ones(HORIZON) / HORIZON
    values = dict(
        service="wage_subsidy",
        horizon=HORIZON,
        participants=1000,
        totals=np.array([6.0, 12_000.0, -6_000.0, -5_000.0]),
        covariance=np.diag([0.5, 500.0, 300.0, 250.0]) ** 2,
        paths={"employed": 6 * flat, "earnings": 12_000 * flat, "benefits": -6_000 * flat},
        treated_employed_months=20.0,
        counterfactual_employed_months=14.0,
        service_months=10.0,
        recorded_cost_eur=10_000.0,
        elapsed_at_entry={0: 0.5, 12: 0.5},
    )
    values.update(changes)
    return EffectInputs(**values)


def test_every_shipped_parameter_has_a_source_and_a_verified_flag():
    params = load_parameters(2025)
    assert set(params.files) == {
        "benefits_2025.toml",
        "taxes_2025.toml",
        "unit_costs_2025.toml",
        "municipal_funding_2025.toml",
        "appraisal_2025.toml",
    }
    for parameter in params.values.values():
        assert parameter.source and isinstance(parameter.verified, bool)
        assert parameter.low <= parameter.value <= parameter.high
    assert (
        params["labour_market_subsidy_daily"] == 37.21
        and params.get("labour_market_subsidy_daily").verified
    )
    assert params.funding.share_at(99) == 0.0 and params.funding.share_at(100) == 0.10
    assert not params.funding.verified  # the 2025 steps are [K] until checked against Finlex


def test_parameter_versions_are_chosen_by_year():
    old = load_parameters(2024)
    assert "municipal_funding_2024.toml" in old.files
    assert old.funding.share_at(300) == 0.5 and old.funding.share_at(1000) == 0.7
    assert any("benefits" in note for note in old.notes)  # no 2024 benefits file: says so
    assert "municipal_funding_2025.toml" in load_parameters(2030).files


def test_malformed_parameter_files_are_named(tmp_path):
    for path in parameter_directory().glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "taxes_2025.toml").write_text('[income_tax_rate]\nvalue = 0.2\nunit = "share"\n')
    with pytest.raises(
        ValueError, match=r"taxes_2025.toml: \[income_tax_rate\] lacks source, verified"
    ):
        load_parameters(2025, tmp_path)


def test_fiscal_arithmetic_by_hand():
    params = load_parameters(2025, overrides={"discount_rate": 0.0})
    inputs = make_inputs()
    metrics = {k: float(v) for k, v in fiscal_effects(inputs.totals, inputs, params).items()}
    rate = sum(params[n] for n in EMPLOYEE_AND_EMPLOYER)
    taxes = 12_000 * rate
    saved = 6_000 * (1 - params["tax_rate_on_benefits"])
    assert metrics["taxes_gained"] == pytest.approx(taxes)
    assert metrics["benefits_saved"] == pytest.approx(saved)
    assert metrics["service_cost"] == pytest.approx(10_000)
    assert metrics["net_fiscal_effect"] == pytest.approx(taxes + saved - 10_000)
    assert metrics["cost_per_employed_year"] == pytest.approx(10_000 / 0.5)
    assert metrics["benefit_cost_ratio"] == pytest.approx((taxes + saved) / 10_000)
    # municipality: half the participants start at 0 months, half at 12 months of unemployment;
    # paid days = (elapsed + k) x 21.5, the basic-benefit effect is spread evenly over the months
    months = np.arange(1, HORIZON + 1)
    share = np.mean(
        [[params.funding.share_at((e + k) * 21.5) for k in months] for e in (0, 12)], axis=0
    )
    assert metrics["municipal_benefits_saved"] == pytest.approx(5_000 * share.mean())
    assert metrics["municipal_tax_gained"] == pytest.approx(
        12_000 * params["municipal_income_tax_rate"]
    )


def test_discounting_lowers_later_gains():
    inputs = make_inputs()
    flat = float(
        fiscal_effects(
            inputs.totals, inputs, load_parameters(2025, overrides={"discount_rate": 0.0})
        )["taxes_gained"]
    )
    discounted = float(
        fiscal_effects(
            inputs.totals, inputs, load_parameters(2025, overrides={"discount_rate": 0.05})
        )["taxes_gained"]
    )
    assert 0.9 * flat < discounted < flat


def test_unit_cost_table_is_used_without_a_recorded_cost():
    params = load_parameters(2025, overrides={"discount_rate": 0.0})
    inputs = make_inputs(recorded_cost_eur=float("nan"))
    cost = float(fiscal_effects(inputs.totals, inputs, params)["service_cost"])
    assert cost == pytest.approx(params["wage_subsidy"] * 10.0)


def test_simulation_interval_tornado_and_report(tmp_path):
    from vaikutus.evaluation.outputs import write_outputs

    result = analyse(make_inputs(), load_parameters(2025), draws=4000, seed=3)
    row = result.summary_table.set_index("metric").loc["net_fiscal_effect"]
    assert row["interval_low"] < row["estimate"] < row["interval_high"]
    # the interval comes from the effects' uncertainty: it widens with their variance
    wider = analyse(
        make_inputs(covariance=np.diag([1.0, 2000.0, 1200.0, 1000.0]) ** 2),
        load_parameters(2025),
        draws=4000,
        seed=3,
    )
    low, high = wider.summary_table.set_index("metric").loc[
        "net_fiscal_effect", ["interval_low", "interval_high"]
    ]
    assert high - low > 2 * (row["interval_high"] - row["interval_low"])
    assert 0 < result.probability_net_gain <= 1
    swings = result.tornado["swing"].to_numpy()
    assert (np.diff(swings) <= 0).all()
    assert result.tornado.loc[0, "factor"] in (
        "effect on earnings",
        "income_tax_rate",
        "employer_pension_contribution",
    )
    written = write_outputs(result, tmp_path, title="cost")
    payload = json.loads(written.result_json.read_text())
    assert "share_by_paid_days" in payload["parameters"]["unverified_used"]
    assert "UNVERIFIED" in written.report_html.read_text()
    assert set(written.figures) == {"tornado", "net_fiscal_simulation", "fiscal_components"}


def test_outcome_payment_rules():
    inputs = make_inputs()
    estimated = outcome_payment(inputs, Contract(price_per_month=500))
    assert estimated.baseline_months == pytest.approx(14.0)
    assert estimated.owed_total == pytest.approx(500 * 6.0 * 1000)
    secure = outcome_payment(inputs, Contract(price_per_month=500, pay_on="lower_bound"))
    assert secure.owed_total == pytest.approx(500 * (6.0 - 1.959964 * 0.5) * 1000, rel=1e-5)
    fixed = outcome_payment(inputs, Contract(price_per_month=500, baseline=18.0))
    assert fixed.owed_total == pytest.approx(500 * 2.0 * 1000)
    capped = outcome_payment(inputs, Contract(price_per_month=500, cap=1_000_000))
    assert capped.owed_total == 1_000_000
    low, high = estimated.owed_interval
    assert low < estimated.owed_total < high
    with pytest.raises(ValueError, match="pay_on"):
        Contract(price_per_month=500, pay_on="median")


def test_cli_lists_parameters_and_analyses_a_result(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(app, ["cost", "params"])
    assert listed.exit_code == 0 and "UNVERIFIED [K]" in listed.output and "37.21" in listed.output
    broken = tmp_path / "not_individual.json"
    broken.write_text(json.dumps({"method": "did"}))
    failed = runner.invoke(app, ["cost", "analyse", str(broken), "--out", str(tmp_path / "x")])
    assert failed.exit_code == 2 and "needs an individual-level result" in failed.output
