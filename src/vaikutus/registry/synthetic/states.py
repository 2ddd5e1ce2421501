"""Labour-market states of the simulation and how they map onto register codes.

One small integer per state keeps the month-by-person matrices compact (int8). Each service is its
own state, so a service spell is simply a run of that state and always lies inside an
``in_service`` jobseeker spell.
"""

from __future__ import annotations

import numpy as np

from vaikutus.registry import codes

PRE = 0  # not yet in the sample (before labour-market entry)
EMP = 1  # employed, not a jobseeker
ENTR = 2  # entrepreneur, not a jobseeker
EDU = 3  # in education, not a jobseeker
OLF = 4  # outside the labour force, not a jobseeker
UNEMP = 5
LAID = 6  # fully laid off
SHORT = 7  # laid off on a shortened working week
EMPJS = 8  # employed jobseeker (part-time or short job, still searching)
OLF_REG = 9  # jobseeker outside the labour force (e.g. sick leave, care)
STU_REG = 10  # full-time student registered as a jobseeker (summer jobs)
SERVICE_NAMES = tuple(codes.SERVICES)  # services in schema order, states 11..20
SERVICE0 = 11
S_WS, S_TRAIN, S_STUDY, S_TRIAL, S_COACH, S_REHAB, S_SUG, S_JAS, S_INTEG, S_OTHER = range(
    SERVICE0, SERVICE0 + len(SERVICE_NAMES)
)
X_ABROAD = 21  # left the sample: moved abroad
X_RETIRED = 22  # left the sample: retired
X_OTHER = 23  # left the sample: died or unknown
N_STATES = 24

assert SERVICE_NAMES[S_WS - SERVICE0] == "wage_subsidy"
assert SERVICE_NAMES[S_OTHER - SERVICE0] == "other"

REGISTERED = np.zeros(N_STATES, dtype=bool)
REGISTERED[[UNEMP, LAID, SHORT, EMPJS, OLF_REG, STU_REG]] = True
REGISTERED[SERVICE0 : SERVICE0 + len(SERVICE_NAMES)] = True

IS_SERVICE = np.zeros(N_STATES, dtype=bool)
IS_SERVICE[SERVICE0 : SERVICE0 + len(SERVICE_NAMES)] = True

#: Counted as unemployed on the counting day (fully laid off included, DOMAIN A1).
UNEMPLOYED = np.zeros(N_STATES, dtype=bool)
UNEMPLOYED[[UNEMP, LAID]] = True

#: In the labour force (employed or unemployed, services included) for the labour_force table.
LABOUR_FORCE = np.zeros(N_STATES, dtype=bool)
LABOUR_FORCE[[EMP, ENTR, UNEMP, LAID, SHORT, EMPJS]] = True
LABOUR_FORCE[SERVICE0 : SERVICE0 + len(SERVICE_NAMES)] = True

#: Share of a full-time wage earned per day in the state (0 = no wage income).
WAGE_FACTOR = np.zeros(N_STATES, dtype=np.float32)
WAGE_FACTOR[[EMP]] = 1.0
WAGE_FACTOR[ENTR] = 0.8
WAGE_FACTOR[SHORT] = 0.6
WAGE_FACTOR[EMPJS] = 0.45
WAGE_FACTOR[S_JAS] = 0.9
#: Wage subsidy pays a (capped) wage: handled separately in the earnings formula.
WAGE_FACTOR[S_WS] = 1.0

#: Jobseeker status of each registered state.
STATUS = {
    UNEMP: "unemployed",
    LAID: "laid_off_full",
    SHORT: "laid_off_short_week",
    EMPJS: "employed_jobseeker",
    OLF_REG: "outside_labour_force",
    STU_REG: "student",
    **{SERVICE0 + i: "in_service" for i in range(len(SERVICE_NAMES))},
}
STATUS_CODES = tuple(codes.JOBSEEKER_STATUSES)
#: state -> index into STATUS_CODES (-1 when the state is not a jobseeker status).
STATUS_INDEX = np.full(N_STATES, -1, dtype=np.int8)
for _state, _status in STATUS.items():
    STATUS_INDEX[_state] = STATUS_CODES.index(_status)

DESTINATION_CODES = tuple(codes.SEARCH_END_DESTINATIONS)
#: Destination of a job search ending into a state (wage-subsidy follow-ups are set apart).
DESTINATION_INDEX = np.full(N_STATES, DESTINATION_CODES.index("other_unknown"), dtype=np.int8)
DESTINATION_INDEX[EMP] = DESTINATION_CODES.index("open_market_job")
DESTINATION_INDEX[ENTR] = DESTINATION_CODES.index("entrepreneur")
DESTINATION_INDEX[EDU] = DESTINATION_CODES.index("education")
DESTINATION_INDEX[OLF] = DESTINATION_CODES.index("outside_labour_force")
DESTINATION_INDEX[X_RETIRED] = DESTINATION_CODES.index("outside_labour_force")
DESTINATION_INDEX[X_ABROAD] = DESTINATION_CODES.index("moved_abroad")
