"""Outcome-based payment (impact-bond style): what a contract owes for employment above a
counterfactual baseline.

A contract pays ``price_per_month`` for every verified month of employment per participant above
the baseline, over the effect horizon. The baseline is either the counterfactual estimated from
the comparison group (``baseline="estimated"``: the participants' own employment minus the
estimated effect, i.e. the matched/weighted comparisons' employment) or a fixed number of months
agreed in the contract. ``pay_on="lower_bound"`` pays only for the excess that is statistically
secure (the lower confidence limit of the effect), a common safeguard for the payer. The amount
owed is capped at ``cap`` if given. Its uncertainty follows from the effect's sampling
distribution (normal draws of the effect on months employed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm

from vaikutus.evaluation.cost.inputs import EffectInputs

PAY_ON = ("estimate", "lower_bound")


@dataclass(frozen=True)
class Contract:
    """The payment rules of an outcome-based contract."""

    price_per_month: float
    baseline: str | float = "estimated"
    participants: int | None = None
    cap: float | None = None
    pay_on: str = "estimate"

    def __post_init__(self) -> None:
        if not self.price_per_month > 0:
            raise ValueError(f"price_per_month must be positive; got {self.price_per_month}")
        if self.pay_on not in PAY_ON:
            raise ValueError(f"pay_on must be one of {', '.join(PAY_ON)}; got {self.pay_on!r}")
        if isinstance(self.baseline, str) and self.baseline != "estimated":
            raise ValueError(
                f"baseline must be 'estimated' or a number of months; got {self.baseline!r}"
            )
        if self.cap is not None and self.cap < 0:
            raise ValueError(f"cap must be non-negative; got {self.cap}")

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class PaymentResult:
    """What is owed under a contract, with the baseline it was measured against."""

    contract: Contract
    participants: int
    horizon: int
    verified_months: float  # participants' mean months employed over the horizon
    baseline_months: float
    effect_months: float
    effect_se: float
    paid_excess_months: float
    owed_per_participant: float
    owed_total: float
    owed_interval: tuple[float, float]
    level: float
    owed_draws: np.ndarray

    def summary(self) -> str:
        c = self.contract
        baseline = (
            "estimated counterfactual"
            if c.baseline == "estimated"
            else f"fixed {c.baseline} months"
        )
        return "\n".join(
            [
                f"Outcome-based payment: {c.price_per_month:.0f} EUR per verified employment month above "
                f"the baseline ({baseline}), {self.horizon} months, {self.participants} participants"
                + (f", cap {c.cap:,.0f} EUR" if c.cap is not None else ""),
                f"  participants' months employed {self.verified_months:.2f}; baseline {self.baseline_months:.2f}; "
                f"estimated effect {self.effect_months:.2f} (se {self.effect_se:.2f})",
                f"  paid excess ({c.pay_on}) {self.paid_excess_months:.2f} months per participant",
                f"  owed {self.owed_per_participant:,.0f} EUR per participant, {self.owed_total:,.0f} EUR in "
                f"total ({self.level:.0%} interval {self.owed_interval[0]:,.0f} - {self.owed_interval[1]:,.0f})",
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "contract": self.contract.to_dict(),
            "participants": self.participants,
            "horizon_months": self.horizon,
            "verified_months": self.verified_months,
            "baseline_months": self.baseline_months,
            "effect_months": self.effect_months,
            "effect_se": self.effect_se,
            "paid_excess_months": self.paid_excess_months,
            "owed_per_participant": self.owed_per_participant,
            "owed_total": self.owed_total,
            "owed_interval": list(self.owed_interval),
            "level": self.level,
        }


def outcome_payment(
    inputs: EffectInputs, contract: Contract, *, draws: int = 10_000, seed: int = 0
) -> PaymentResult:
    """Amount owed under ``contract`` for the participants behind ``inputs``."""
    effect = inputs.total("employed_total")
    se = inputs.se("employed_total")
    verified = inputs.treated_employed_months
    if not math.isfinite(verified):
        raise ValueError("the effect result does not report the participants' own months employed")
    participants = contract.participants or inputs.participants
    z = norm.ppf(1 - inputs.alpha / 2)

    def owed(effect_months: np.ndarray) -> np.ndarray:
        if contract.baseline == "estimated":
            excess = effect_months - (z * se if contract.pay_on == "lower_bound" else 0.0)
        else:
            excess = np.full_like(effect_months, verified - float(contract.baseline))
        total = np.clip(excess, 0, None) * contract.price_per_month * participants
        return np.minimum(total, contract.cap) if contract.cap is not None else total

    point = float(owed(np.array([effect]))[0])
    sample = owed(np.random.default_rng(seed).normal(effect, se, size=draws))
    low, high = np.percentile(sample, [50 * inputs.alpha, 100 - 50 * inputs.alpha])
    baseline = verified - effect if contract.baseline == "estimated" else float(contract.baseline)
    return PaymentResult(
        contract=contract,
        participants=participants,
        horizon=inputs.horizon,
        verified_months=verified,
        baseline_months=baseline,
        effect_months=effect,
        effect_se=se,
        paid_excess_months=point / (contract.price_per_month * participants),
        owed_per_participant=point / participants,
        owed_total=point,
        owed_interval=(float(low), float(high)),
        level=1 - inputs.alpha,
        owed_draws=sample,
    )
