"""Cost-effectiveness of employment services from individual-level effect estimates.

``load_parameters(year)`` reads the versioned parameter files in ``params/`` (unit costs, benefit
amounts, tax and contribution rates, the municipal funding share of basic unemployment benefit,
the discount rate; each number with its source and a verified flag). ``EffectInputs`` takes what
the analysis needs from a dynamic service evaluation (live or from its ``result.json``);
``analyse`` gives the net fiscal effect per participant, the cost per additional employed
person-year, the benefit-cost ratio and the municipality's own share, with simulation intervals
and a tornado table; ``outcome_payment`` computes what an outcome-based contract owes.
"""

from vaikutus.evaluation.cost.analysis import analyse
from vaikutus.evaluation.cost.inputs import EffectInputs
from vaikutus.evaluation.cost.params import Parameters, load_parameters
from vaikutus.evaluation.cost.payment import Contract, PaymentResult, outcome_payment
from vaikutus.evaluation.cost.result import CostResult

__all__ = [
    "Contract",
    "CostResult",
    "EffectInputs",
    "Parameters",
    "PaymentResult",
    "analyse",
    "load_parameters",
    "outcome_payment",
]
