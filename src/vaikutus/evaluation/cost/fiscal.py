"""Fiscal effects per participant: taxes gained, benefits saved, service cost, municipal share.

For effects (months employed dM, earnings dE, benefits dB, basic unemployment benefits dBb per
participant over the horizon; ``effects`` is an array of shape (..., 4) so one call evaluates the
point estimate or thousands of simulation draws):

* taxes and contributions gained = disc_E x dE x (income tax + employee and employer social
  security contributions); employer contributions are paid on top of the gross wage;
* benefits saved = -disc_B x dB x (1 - tax rate on benefits): a saved euro of benefit would have
  been partly taxed back;
* service cost = the participants' mean recorded cost (``service_spells.cost_eur``) when the
  register has it, else unit cost per month x mean months in the service, discounted to the
  middle of the service;
* net fiscal effect = taxes gained + benefits saved - service cost (positive = the public sector
  gains); cost per additional employed person-year = service cost / (dM / 12); benefit-cost
  ratio = (taxes gained + benefits saved) / service cost;
* municipality: municipal income tax on dE, the municipal share of basic benefits saved and its
  share of the service cost. The share of basic benefit is the step function of days already
  paid (``municipal_funding``), evaluated month by month for a participant who, without the
  service, would have continued on benefit from their elapsed unemployment at entry
  (paid days = months x payment days per month), averaged over the participants' durations.

Discount factors ``disc_E`` / ``disc_B`` weight the monthly effect paths by (1 + r)^(-k/12) with
the paths' absolute values as weights, so the timing of the estimated effects carries over to the
totals without dividing by a sum that may be near zero.
"""

from __future__ import annotations

import numpy as np

from vaikutus.evaluation.cost.inputs import EffectInputs
from vaikutus.evaluation.cost.params import Parameters

EMPLOYEE_AND_EMPLOYER = (
    "income_tax_rate",
    "employee_pension_contribution",
    "employee_unemployment_insurance",
    "employee_health_insurance",
    "employer_pension_contribution",
    "employer_health_insurance",
    "employer_unemployment_insurance",
    "employer_accident_and_group_life",
)
METRICS = (
    "taxes_gained",
    "benefits_saved",
    "service_cost",
    "net_fiscal_effect",
    "cost_per_employed_year",
    "net_cost_per_employed_year",
    "benefit_cost_ratio",
    "municipal_tax_gained",
    "municipal_benefits_saved",
    "municipal_service_cost",
    "municipal_net_effect",
)


def discount_factors(horizon: int, rate: float) -> np.ndarray:
    return (1 + rate) ** (-np.arange(1, horizon + 1) / 12)


def _profile_discount(path: np.ndarray, factors: np.ndarray) -> float:
    weight = np.abs(path)
    return float((weight * factors).sum() / weight.sum()) if weight.sum() > 0 else 1.0


def service_cost(inputs: EffectInputs, params: Parameters, source: str) -> float:
    """Undiscounted cost per participant from the register or from the unit-cost table."""
    if source not in ("register", "unit_cost"):
        raise ValueError(f"cost source must be 'register' or 'unit_cost'; got {source!r}")
    if source == "register" and np.isfinite(inputs.recorded_cost_eur):
        return inputs.recorded_cost_eur
    return params[inputs.service] * inputs.service_months


def municipal_benefit_share(inputs: EffectInputs, params: Parameters) -> np.ndarray:
    """Expected municipal share of basic benefit in each month 1..horizon after entry."""
    days_per_month = params["payment_days_per_month"]
    months = np.arange(1, inputs.horizon + 1)
    share = np.zeros(inputs.horizon)
    for elapsed, weight in inputs.elapsed_at_entry.items():
        paid = (elapsed + months) * days_per_month
        share += weight * np.array([params.funding.share_at(d) for d in paid])
    total = sum(inputs.elapsed_at_entry.values())
    return share / total if total > 0 else share


def fiscal_effects(
    effects: np.ndarray, inputs: EffectInputs, params: Parameters, *, cost_source: str = "register"
) -> dict[str, np.ndarray]:
    """Every metric of :data:`METRICS` for effects of shape (..., 4) (see the module docstring)."""
    effects = np.asarray(effects, dtype=float)
    d_months, d_earnings, d_benefits, d_basic = (effects[..., i] for i in range(4))
    factors = discount_factors(inputs.horizon, params["discount_rate"])
    disc_earnings = _profile_discount(inputs.paths["earnings"], factors)
    disc_benefits = _profile_discount(inputs.paths["benefits"], factors)
    contribution_rate = sum(params[name] for name in EMPLOYEE_AND_EMPLOYER)

    taxes = disc_earnings * d_earnings * contribution_rate
    saved = -disc_benefits * d_benefits * (1 - params["tax_rate_on_benefits"])
    middle = max(inputs.service_months / 2, 0.0)
    cost = service_cost(inputs, params, cost_source) * (1 + params["discount_rate"]) ** (
        -middle / 12
    )
    net = taxes + saved - cost
    with np.errstate(divide="ignore", invalid="ignore"):
        years = d_months / 12
        per_year = np.where(d_months > 0, cost / years, np.nan)
        net_per_year = np.where(d_months > 0, -net / years, np.nan)
        ratio = (taxes + saved) / cost if cost > 0 else np.full_like(net, np.nan)

    share = municipal_benefit_share(inputs, params)
    path = inputs.paths["benefits"]
    weights = (
        path / path.sum() if abs(path.sum()) > 0 else np.full(inputs.horizon, 1 / inputs.horizon)
    )
    municipal_factor = float((weights * share * factors).sum())  # share-weighted, discounted
    municipal_saved = -d_basic * municipal_factor
    municipal_tax = disc_earnings * d_earnings * params["municipal_income_tax_rate"]
    municipal_cost = cost * params["municipal_share_of_service_cost"]
    return {
        "taxes_gained": taxes,
        "benefits_saved": saved,
        "service_cost": np.broadcast_to(cost, net.shape).astype(float),
        "net_fiscal_effect": net,
        "cost_per_employed_year": per_year,
        "net_cost_per_employed_year": net_per_year,
        "benefit_cost_ratio": np.broadcast_to(ratio, net.shape).astype(float),
        "municipal_tax_gained": municipal_tax,
        "municipal_benefits_saved": municipal_saved,
        "municipal_service_cost": np.broadcast_to(municipal_cost, net.shape).astype(float),
        "municipal_net_effect": municipal_tax + municipal_saved - municipal_cost,
    }
