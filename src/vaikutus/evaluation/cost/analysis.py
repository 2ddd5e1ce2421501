"""Cost-effectiveness of a service from its estimated effects: point values, simulated
uncertainty and a one-way sensitivity (tornado) analysis.

Uncertainty: the four horizon totals are drawn from the normal approximation of their joint
sampling distribution (estimates and covariance from the effect estimator) and every metric is
recomputed per draw; intervals are the draws' percentiles, so ratios such as the cost per
additional employed person-year get honest, asymmetric intervals.

Sensitivity: each parameter in use is set to its ``low`` and ``high`` value (from the parameter
file, default +-20 %) with everything else at its central value, and each effect total to the
ends of its confidence interval; the swing in the net fiscal effect orders the tornado chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from vaikutus.evaluation.cost.fiscal import EMPLOYEE_AND_EMPLOYER, METRICS, fiscal_effects
from vaikutus.evaluation.cost.inputs import TOTALS, EffectInputs
from vaikutus.evaluation.cost.params import Parameters
from vaikutus.evaluation.cost.result import CostResult

#: Parameters the net fiscal effect reads, besides the unit cost of the service itself.
USED = (*EMPLOYEE_AND_EMPLOYER, "tax_rate_on_benefits", "discount_rate")
#: Parameters only the municipal share reads.
MUNICIPAL = (
    "municipal_income_tax_rate",
    "municipal_share_of_service_cost",
    "payment_days_per_month",
)


def parameters_used(inputs: EffectInputs, cost_source: str) -> tuple[str, ...]:
    """Names of the parameters an analysis of ``inputs`` reads (for the report's source list)."""
    unit_cost = cost_source == "unit_cost" or not np.isfinite(inputs.recorded_cost_eur)
    return (*USED, *MUNICIPAL, *((inputs.service,) if unit_cost else ()))


EFFECT_LABELS = {
    "employed_total": "effect on months employed",
    "earnings_total": "effect on earnings",
    "benefits_total": "effect on benefits",
    "basic_benefits_total": "effect on basic unemployment benefits",
}


def analyse(
    inputs: EffectInputs,
    params: Parameters,
    *,
    draws: int = 10_000,
    seed: int = 0,
    cost_source: str = "register",
) -> CostResult:
    """Net fiscal effect, cost per employed person-year, benefit-cost ratio and municipal share."""
    if draws < 100:
        raise ValueError(f"draws must be at least 100; got {draws}")
    if cost_source == "unit_cost" or not np.isfinite(inputs.recorded_cost_eur):
        params.get(inputs.service)  # fail early, naming the missing unit cost
    point = {
        k: float(v)
        for k, v in fiscal_effects(inputs.totals, inputs, params, cost_source=cost_source).items()
    }
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_normal(inputs.totals, inputs.covariance, size=draws, method="eigh")
    simulated = fiscal_effects(sample, inputs, params, cost_source=cost_source)
    level = 1 - inputs.alpha
    rows = []
    for metric in METRICS:
        values = simulated[metric]
        finite = values[np.isfinite(values)]
        low, high = (
            np.percentile(finite, [50 * inputs.alpha, 100 - 50 * inputs.alpha])
            if len(finite)
            else (np.nan, np.nan)
        )
        rows.append(
            {
                "metric": metric,
                "estimate": point[metric],
                "interval_low": float(low),
                "interval_high": float(high),
                "share_of_draws_defined": float(len(finite) / draws),
            }
        )
    summary = pd.DataFrame(rows)
    probability = float((simulated["net_fiscal_effect"] > 0).mean())
    tornado = _tornado(inputs, params, cost_source, point["net_fiscal_effect"])
    effects = pd.DataFrame(
        {
            "outcome": TOTALS,
            "estimate": inputs.totals,
            "se": np.sqrt(np.diag(inputs.covariance)),
        }
    )
    return CostResult(
        service=inputs.service,
        horizon=inputs.horizon,
        participants=inputs.participants,
        cost_source=cost_source if np.isfinite(inputs.recorded_cost_eur) else "unit_cost",
        level=level,
        draws=draws,
        seed=seed,
        summary_table=summary,
        probability_net_gain=probability,
        tornado=tornado,
        effects=effects,
        net_fiscal_draws=simulated["net_fiscal_effect"],
        parameters=params,
        used=parameters_used(inputs, cost_source),
    )


def _tornado(
    inputs: EffectInputs, params: Parameters, cost_source: str, base: float
) -> pd.DataFrame:
    rows = []
    for name in (n for n in parameters_used(inputs, cost_source) if n not in MUNICIPAL):
        parameter = params.get(name)
        low = _net(inputs, params.with_value(name, parameter.low), cost_source, inputs.totals)
        high = _net(inputs, params.with_value(name, parameter.high), cost_source, inputs.totals)
        rows.append(
            {
                "factor": name,
                "low_setting": parameter.low,
                "high_setting": parameter.high,
                "net_at_low": low,
                "net_at_high": high,
            }
        )
    z = norm.ppf(1 - inputs.alpha / 2)
    for i, total in enumerate(TOTALS):
        se = float(np.sqrt(inputs.covariance[i, i]))
        values = []
        for sign in (-1, 1):
            shifted = inputs.totals.copy()
            shifted[i] += sign * z * se
            values.append(_net(inputs, params, cost_source, shifted))
        rows.append(
            {
                "factor": EFFECT_LABELS[total],
                "low_setting": inputs.totals[i] - z * se,
                "high_setting": inputs.totals[i] + z * se,
                "net_at_low": values[0],
                "net_at_high": values[1],
            }
        )
    table = pd.DataFrame(rows)
    table["swing"] = (table["net_at_high"] - table["net_at_low"]).abs()
    table["baseline"] = base
    # months employed and basic benefits move only the municipal sums: no bar of their own
    moving = table[table["swing"] > 1e-9]
    return moving.sort_values("swing", ascending=False).reset_index(drop=True)


def _net(inputs: EffectInputs, params: Parameters, cost_source: str, totals: np.ndarray) -> float:
    return float(
        fiscal_effects(totals, inputs, params, cost_source=cost_source)["net_fiscal_effect"]
    )
