"""Rate tables of the labour-market process: covariate factors, service lengths and endings.

All factors are multiplicative and looked up by index (ISCED level, age in years, elapsed months),
so the process needs no transcendental functions at run time (see ``process.py``). The levels
are stylised and tuned so that the simulated country matches the calibration targets (national
and municipal unemployed shares, long-term unemployment, activation rate); they are not estimates.
"""

from __future__ import annotations

import numpy as np

from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.effects import WAGE_SUBSIDY_ASSIGNMENT

F = np.float32

# --- base monthly rates -----------------------------------------------------------------------
#: Employed -> unemployed (before covariates, municipality, cycle and season).
SEPARATION_RATE = 0.0067
#: Employed -> fully laid off; -> short working week; -> employed jobseeker.
LAYOFF_RATE = 0.0016
SHORT_WEEK_RATE = 0.0008
JOBSEEKER_WHILE_EMPLOYED_RATE = 0.0012
#: Employed -> outside the labour force (parental leave for women 25-39), -> education (under 30),
#: -> entrepreneur.
PARENTAL_RATE = 0.0065
OLF_RATE = 0.0022
EDUCATION_RATE = 0.004
ENTREPRENEUR_RATE = 0.0005
#: Unemployed -> employed in the first month (falls with DURATION_DEPENDENCE).
JOB_FINDING_RATE = 0.19
#: In a service -> employed before the service ends.
SERVICE_JOB_RATE = 0.012
#: Unemployed for a year or more -> rehabilitative work activity.
REHABILITATION_RATE = 0.014

# --- covariate tables (index: ISCED level 0-8, age 0-120, elapsed months 0-600) -------------------
EDU_SEPARATION = np.array([1.8, 1.8, 1.8, 1.1, 1.1, 0.9, 0.7, 0.6, 0.6], dtype=F)
EDU_JOB_FINDING = np.array([0.6, 0.6, 0.6, 0.9, 0.9, 1.0, 1.15, 1.2, 1.2], dtype=F)
EDU_LAYOFF = np.array([1.3, 1.3, 1.3, 1.3, 1.3, 0.8, 0.6, 0.5, 0.5], dtype=F)
AGES = np.arange(121)
AGE_SEPARATION = np.select(
    [AGES < 25, AGES < 30, AGES < 50, AGES < 60], [1.8, 1.3, 1.0, 0.9], 1.0
).astype(F)
AGE_JOB_FINDING = np.select([AGES < 25, AGES < 50, AGES < 60], [1.3, 1.0, 0.7], 0.4).astype(F)
DURATIONS = np.arange(601)
DURATION_DEPENDENCE = ((1.0 + DURATIONS) ** -0.65).astype(F)
ORIGIN_SEPARATION = np.array([1.0, 1.3, 1.8], dtype=F)  # by citizenship FI / EU / other
ORIGIN_JOB_FINDING = np.array([1.0, 0.85, 0.65], dtype=F)
LANGUAGE_JOB_FINDING = np.array([1.0, 1.1, 0.9], dtype=F)


def _bands(table: dict[str, float], edges: list[int], size: int) -> np.ndarray:
    """Expand a banded factor table (keys in ascending band order) over 0..size-1."""
    values = list(table.values())
    index = np.searchsorted(np.array(edges), np.arange(size), side="right")
    return np.array(values, dtype=F)[index]


_A = WAGE_SUBSIDY_ASSIGNMENT
WS_DURATION = _bands(_A["elapsed_unemployment_months"], [3, 6, 12, 24], 601)
WS_EDUCATION = np.array([1.3, 1.3, 1.3, 1.1, 1.1, 1.0, 0.75, 0.5, 0.5], dtype=F)
assert list(_A["education_isced"].values()) == [1.3, 1.1, 1.0, 0.75, 0.5]
WS_AGE = _bands(_A["age"], [25, 50, 60], 121)
WS_EMPLOYED_MONTHS = _bands(_A["months_with_earnings_in_previous_12"], [1, 6], 13)
WS_CITIZENSHIP = np.array(list(_A["citizenship"].values()), dtype=F)
WS_LANGUAGE = np.array(list(_A["native_language"].values()), dtype=F)
WS_MUNICIPALITY_TYPE = np.array([0.0, *_A["municipality_type"].values()], dtype=F)  # codes 1..3

#: Service lengths in months (inclusive ranges) and where a completed service leads.
SERVICE_MONTHS = {
    S.S_WS: (6, 12),
    S.S_TRAIN: (2, 9),
    S.S_STUDY: (6, 20),
    S.S_TRIAL: (1, 5),
    S.S_COACH: (1, 3),
    S.S_REHAB: (3, 12),
    S.S_SUG: (4, 12),
    S.S_JAS: (3, 12),
    S.S_INTEG: (6, 12),
    S.S_OTHER: (1, 4),
}
SERVICE_ENDS = {
    S.S_TRAIN: {S.EMP: 0.25, S.UNEMP: 0.62, S.S_COACH: 0.05, S.EDU: 0.05, S.OLF: 0.03},
    S.S_STUDY: {S.EMP: 0.30, S.UNEMP: 0.48, S.EDU: 0.20, S.OLF: 0.02},
    S.S_TRIAL: {S.EMP: 0.10, S.UNEMP: 0.58, S.S_WS: 0.15, S.S_TRAIN: 0.12, S.OLF: 0.05},
    S.S_COACH: {S.EMP: 0.10, S.UNEMP: 0.82, S.S_TRAIN: 0.05, S.OLF: 0.03},
    S.S_REHAB: {S.UNEMP: 0.78, S.S_REHAB: 0.14, S.S_TRIAL: 0.03, S.OLF_REG: 0.05},
    S.S_SUG: {S.ENTR: 0.80, S.UNEMP: 0.15, S.EMP: 0.05},
    S.S_JAS: {S.UNEMP: 0.5, S.EMP: 0.5},
    S.S_INTEG: {S.UNEMP: 0.55, S.S_TRAIN: 0.15, S.EMP: 0.10, S.EDU: 0.15, S.OLF: 0.05},
    S.S_OTHER: {S.UNEMP: 0.80, S.EMP: 0.20},
}
#: Capped monthly wage of a wage-subsidy job in 2015 euros.
WS_WAGE_CAP = F(2300.0)
SUMMER_JOB_EUR = F(1500.0)
