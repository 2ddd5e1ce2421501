"""The causal effects injected into the synthetic register, stated once.

Three effects, each with a known truth that ``ground_truth.json`` reports:

(a) **Trial areas.** From the trial start (2021-03-01) to its end (2024-12-31), each 2021 trial
    area multiplies the monthly job-finding rate of its *target group* (aged under 30, foreign, or
    not an unemployment-fund member; law 1269/2020) by its own factor. About a third of the areas
    get exactly 1.0. Factors are drawn from the seed.
(b) **Wage subsidy (palkkatuki).** Entry depends only on recorded covariates and history (see
    :data:`WAGE_SUBSIDY_ASSIGNMENT`). The effect is heterogeneous by recorded covariates at entry:
    the probability of keeping the job when the subsidy ends, a multiplier on the job-finding
    rate for 24 months after the end, and a multiplier on earnings for 36 months after the end
    (:data:`WAGE_SUBSIDY_EFFECT`). Its truth is Sianesi's dynamic ATT, entering in month ``e``
    versus not entering in ``e`` (possibly later): the counterfactual makes the entry month's
    transition of a jobseeker who did not enter (``nosubsidy.py``), not "stays unemployed".
(c) **Kykyviisari.** Rehabilitative work activity raises the total score (and each dimension) by
    :data:`KYKYVIISARI_EFFECT` points at every assessment after the start of the service; other
    services change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaikutus.registry.synthetic.geography import Geography

#: Share of trial areas with exactly no effect.
NO_EFFECT_SHARE = 1 / 3

#: Wage-subsidy entry: monthly probability for an unemployed person = BASE x the factors of the
#: person's recorded covariates (a product of table lookups, so nothing unobserved enters).
WAGE_SUBSIDY_ASSIGNMENT = {
    "base_probability": 0.0095,
    "elapsed_unemployment_months": {"0-2": 0.4, "3-5": 1.0, "6-11": 1.5, "12-23": 2.0, "24+": 1.6},
    "education_isced": {"0-2": 1.3, "3-4": 1.1, "5": 1.0, "6": 0.75, "7-8": 0.5},
    "age": {"<25": 0.8, "25-49": 1.0, "50-59": 1.25, "60+": 0.5},
    "partial_work_ability": {"false": 1.0, "true": 1.5},
    "citizenship": {"FI": 1.0, "EU_EEA": 1.1, "other": 1.3},
    "sex": {"F": 1.0, "M": 0.9},
    "native_language": {"fi": 1.0, "sv": 1.1, "other": 1.0},
    "months_with_earnings_in_previous_12": {"0": 1.2, "1-5": 1.0, "6-12": 0.7},
    "months_in_services_in_previous_24": {"0": 1.0, "1+": 1.35},
    "municipality_type": {"urban": 0.9, "semi_urban": 1.05, "rural": 1.2},
}

#: Heterogeneous effect of a wage-subsidy spell; covariates are measured at entry.
WAGE_SUBSIDY_EFFECT = {
    "retention_probability_at_end": {
        "intercept": 0.26,
        "long_term_unemployed": 0.10,
        "education_isced_0_2": 0.12,
        "age_55_plus": -0.10,
    },
    "job_finding_rate_multiplier_after_end": {
        "intercept": 1.25,
        "long_term_unemployed": 0.35,
        "education_isced_0_2": 0.45,
        "age_55_plus": -0.15,
    },
    "job_finding_effect_months": 24,
    "earnings_multiplier_after_end": {
        "intercept": 1.03,
        "long_term_unemployed": 0.04,
        "education_isced_0_2": 0.03,
        "age_55_plus": 0.0,
    },
    "earnings_effect_months": 36,
}

KYKYVIISARI_SERVICE = "rehabilitative_work"
KYKYVIISARI_EFFECT = 0.8


def wage_subsidy_terms(
    ltu: np.ndarray, low_education: np.ndarray, age55: np.ndarray, kind: str
) -> np.ndarray:
    """A linear effect term of :data:`WAGE_SUBSIDY_EFFECT` for each treated person (float32)."""
    c = WAGE_SUBSIDY_EFFECT[kind]
    value = (
        c["intercept"]
        + c["long_term_unemployed"] * ltu
        + c["education_isced_0_2"] * low_education
        + c["age_55_plus"] * age55
    )
    return np.asarray(value, dtype=np.float32)


@dataclass(frozen=True)
class TrialEffects:
    """Job-finding multiplier per trial area (index = position in ``Geography.trial_area_codes``)."""

    multiplier: np.ndarray  # float32

    @classmethod
    def draw(cls, geo: Geography, rng: np.random.Generator) -> TrialEffects:
        n = len(geo.trial_area_codes)
        n_zero = int(round(n * NO_EFFECT_SHARE))
        zero = np.zeros(n, dtype=bool)
        zero[rng.permutation(n)[:n_zero]] = True
        positive = rng.random(n) < 0.75
        size = np.where(positive, rng.uniform(0.06, 0.30, n), -rng.uniform(0.05, 0.15, n))
        multiplier = np.where(zero, 1.0, np.round(1.0 + size, 3)).astype(np.float32)
        return cls(multiplier=multiplier)
