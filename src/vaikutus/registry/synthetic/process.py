"""The labour-market process: a discrete-time competing-risks model, one month at a time.

Every person is in one state (``states.py``); each month a person may make one transition, on a
day drawn inside the month. Monthly transition rates are products of table lookups
(``rates.py``): the origin state's base rate, the person's covariates (education, age, origin,
partial work ability and an unobserved *frailty* that raises job loss and slows job finding),
elapsed unemployment (the job-finding rate falls with duration), the municipality's calibrated
level, the season, the macro cycle and the 2020 shock. Services last a drawn number of months and
end into a destination that depends on the service.

Why hand-written rather than a library: the causal truth comes from re-running the process for
subsets of persons with *the same random numbers* (common random numbers). That needs a kernel in
which a person's path depends only on that person's inputs and uniforms: the uniforms of month
``t`` are drawn for the whole population from a generator keyed by (seed, t) and picked by each
person's global number, and the arithmetic is elementwise multiplications, additions, comparisons
and table lookups (no ``exp``/``log``, whose SIMD and scalar paths may round differently), so a
path is bit-identical whether simulated among everybody or in a small subset.

Services are drawn *first*, with probabilities that do not depend on the other exits, so entry
into a wage subsidy depends only on recorded covariates and history (effect (b) is identifiable
by conditioning on them and on elapsed unemployment).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaikutus.registry.synthetic import rates as R
from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.effects import (
    WAGE_SUBSIDY_EFFECT,
    TrialEffects,
    wage_subsidy_terms,
)
from vaikutus.registry.synthetic.geography import Geography
from vaikutus.registry.synthetic.population import Population
from vaikutus.registry.synthetic.timeline import (
    NORDIC_MODEL_START,
    TRIAL_END,
    TRIAL_START,
    Timeline,
)

F = R.F
N_UNIFORMS = 4  # transition, day, service length, earnings noise
HAZARD_MONTHS = WAGE_SUBSIDY_EFFECT["job_finding_effect_months"]
WAGE_MONTHS = WAGE_SUBSIDY_EFFECT["earnings_effect_months"]
SERVICE_LENGTH_LOW = np.array(
    [R.SERVICE_MONTHS.get(s, (1, 1))[0] for s in range(S.N_STATES)], np.int16
)
SERVICE_LENGTH_SPAN = np.array(
    [
        R.SERVICE_MONTHS.get(s, (1, 1))[1] - R.SERVICE_MONTHS.get(s, (1, 1))[0] + 1
        for s in range(S.N_STATES)
    ],
    np.int16,
)
SERVICE_END_CODES = {s: np.array(list(t), np.int8) for s, t in R.SERVICE_ENDS.items()}
SERVICE_END_CUM = {
    s: np.cumsum(np.array(list(t.values()), dtype=F)) for s, t in R.SERVICE_ENDS.items()
}
#: The uniforms [lo, hi) that end a service into a wage subsidy, for the services that can.
SERVICE_END_WS = {
    s: (F(0.0) if i == 0 else SERVICE_END_CUM[s][i - 1], SERVICE_END_CUM[s][i])
    for s, t in R.SERVICE_ENDS.items()
    for i, code in enumerate(t)
    if code == S.S_WS
}
LEAVERS = (S.PRE, S.X_ABROAD, S.X_RETIRED, S.X_OTHER)
STREAM_PROCESS = 1


def month_uniforms(seed: int, t: int, n: int) -> np.ndarray:
    """The uniforms of month ``t`` for persons 0..n-1 (float32, shape (N_UNIFORMS, n))."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(STREAM_PROCESS, t))
    return np.random.Generator(np.random.PCG64(sequence)).random((N_UNIFORMS, n), dtype=np.float32)


@dataclass
class Recorder:
    """Month-by-person records kept from a run (rows = months)."""

    state: np.ndarray | None  # int8 (T, n)
    day: np.ndarray | None  # int8 (T, n): transition day, 0 = none
    earnings: np.ndarray | None  # float32 (T, n)


def _sorted_events(month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(month, kind="stable")
    return order, month[order]


def _at(sorted_months: tuple[np.ndarray, np.ndarray], t: int) -> np.ndarray:
    order, months = sorted_months
    lo, hi = np.searchsorted(months, [t, t + 1])
    return order[lo:hi]


def _pick(rate, sel: np.ndarray):
    return rate[sel] if isinstance(rate, np.ndarray) and rate.ndim else rate


def _elsewhere(u: np.ndarray, lo, hi) -> np.ndarray:
    """Uniforms that fell in [lo, hi) spread evenly over the rest of [0, 1).

    Given u in [lo, hi), (u - lo) / (hi - lo) is again uniform on [0, 1); stretched over the
    complement it picks each other outcome in proportion to its probability, i.e. a draw from the
    outcomes *given* that the one in [lo, hi) did not happen. The result is never in [lo, hi)
    (``hi + non-negative`` cannot round below ``hi``).
    """
    width = hi - lo
    v = (u - lo) / width * (F(1.0) - width)
    return np.where(v < lo, v, hi + (v - lo)).astype(F)


class Process:
    """The simulated persons of one world (the factual one or a counterfactual subset)."""

    _DYNAMIC = (
        "state",
        "duration",
        "unemployed_months",
        "service_left",
        "ws_end",
        "ws_retention",
        "ws_hazard",
        "ws_wage",
        "first_ws",
        "first_ws_ltu",
        "employed_12",
        "services_24",
        "municipality",
    )

    def __init__(
        self,
        pop: Population,
        person: np.ndarray,
        timeline: Timeline,
        geo: Geography,
        trial: TrialEffects | None,
        *,
        block_wage_subsidy: np.ndarray | None = None,
        record_states: bool = False,
        record_earnings: bool = False,
        dormant: bool = False,
    ) -> None:
        """``dormant``: the persons take no part until :meth:`adopt` copies their condition in
        (their own labour-market entry is not replayed), as continuations of another world."""
        n = len(pop)
        self.pop, self.person, self.tl, self.geo, self.trial = pop, person, timeline, geo, trial
        self._everyone = np.array_equal(person, np.arange(n))
        self._blocking = block_wage_subsidy is not None
        self.block_ws = (
            np.full(n, -1, np.int16)
            if block_wage_subsidy is None
            else block_wage_subsidy.astype(np.int16)
        )
        self._calendar()
        self.state = np.full(n, S.PRE, dtype=np.int8)
        self.duration = np.zeros(n, dtype=np.int16)  # months in the current state
        self.unemployed_months = np.zeros(n, dtype=np.int16)  # completed months of unemployment
        self.service_left = np.zeros(n, dtype=np.int16)
        self.ws_end = np.full(n, -1000, dtype=np.int16)
        self.ws_retention = np.zeros(n, dtype=F)
        self.ws_hazard = np.ones(n, dtype=F)
        self.ws_wage = np.ones(n, dtype=F)
        self.first_ws = np.full(n, -1, dtype=np.int16)  # first wage-subsidy entry in the window
        self.first_ws_ltu = np.zeros(n, dtype=bool)
        self.month_earnings = np.zeros(n, dtype=F)  # of the month last stepped
        self.earned = np.zeros((25, n), dtype=bool)  # ring buffer: months with earnings
        self.served = np.zeros((25, n), dtype=bool)  # ring buffer: month ends in a service
        self.employed_12 = np.zeros(n, dtype=np.int8)
        self.services_24 = np.zeros(n, dtype=np.int16)
        self.municipality = pop.municipality[:, 0].copy()
        self.last_day = np.zeros(n, np.int8)
        self.last_old = self.state
        # static parts of the rates
        self.separation = (
            pop.frailty
            * R.EDU_SEPARATION[pop.education]
            * R.ORIGIN_SEPARATION[pop.citizenship]
            * np.where(pop.partial_work_ability, F(1.6), F(1.0))
        ).astype(F)
        self.job_finding = (
            (F(1.0) / pop.frailty)
            * R.EDU_JOB_FINDING[pop.education]
            * R.ORIGIN_JOB_FINDING[pop.citizenship]
            * R.LANGUAGE_JOB_FINDING[pop.language]
            * np.where(pop.partial_work_ability, F(0.5), F(1.0))
        ).astype(F)
        self.ws_static = (
            F(R.WAGE_SUBSIDY_ASSIGNMENT["base_probability"])
            * R.WS_EDUCATION[pop.education]
            * np.where(pop.partial_work_ability, F(1.5), F(1.0))
            * R.WS_CITIZENSHIP[pop.citizenship]
            * R.WS_LANGUAGE[pop.language]
            * np.where(pop.male, F(0.9), F(1.0))
        ).astype(F)
        self.layoff_static = (F(R.LAYOFF_RATE) * R.EDU_LAYOFF[pop.education]).astype(F)
        self.target_static = pop.foreign | ~pop.fund_member
        flat_moves = pop.move_month.ravel()
        self._moves = _sorted_events(flat_moves)
        entry = np.full(n, -1) if dormant else np.where(pop.entry_month > 0, pop.entry_month, -1)
        self._entries = _sorted_events(entry)
        self._exits = _sorted_events(pop.exit_month)
        t_n = timeline.n
        self.rec = Recorder(
            state=np.zeros((t_n, n), np.int8) if record_states else None,
            day=np.zeros((t_n, n), np.int8) if record_states else None,
            earnings=np.zeros((t_n, n), F) if record_earnings else None,
        )
        self._year = None

    def subset(self, index: np.ndarray, trial: TrialEffects | None) -> Process:
        """A copy of some persons in their current condition, to be continued in another world."""
        twin = Process(self.pop.take(index), self.person[index], self.tl, self.geo, trial)
        for name in self._DYNAMIC:
            setattr(twin, name, getattr(self, name)[index].copy())
        twin.earned, twin.served = self.earned[:, index], self.served[:, index]
        return twin

    def adopt(self, rows: np.ndarray, source: Process, index: np.ndarray) -> None:
        """Give ``rows`` the current condition of ``source``'s persons ``index`` (the same
        persons), so that they continue from it in this world."""
        for name in self._DYNAMIC:
            getattr(self, name)[rows] = getattr(source, name)[index]
        self.earned[:, rows] = source.earned[:, index]
        self.served[:, rows] = source.served[:, index]

    def retire(self, rows: np.ndarray) -> None:
        """Take ``rows`` out of the simulation (a leaver state is never stepped)."""
        self.state[rows] = S.X_OTHER

    # -- calendar and yearly factors -----------------------------------------------------------
    def _calendar(self) -> None:
        tl = self.tl
        self.dim, self.cal_month, self.years = tl.days_in_month, tl.calendar_month, tl.year
        self.inflow, self.outflow = tl.inflow, tl.outflow
        self.layoff, self.recall, self.wage_index = tl.layoff, tl.recall, tl.wage_index
        months = np.arange(tl.n)
        self.trial_on = (months >= tl.index_of(TRIAL_START)) & (months <= tl.index_of(TRIAL_END))
        self.nordic = months >= tl.index_of(NORDIC_MODEL_START)
        self.jas_open = tl.months <= np.datetime64("2024-07", "M")

    def _new_year(self, t: int) -> None:
        year = int(self.years[t])
        if self._year == year:
            return
        self._year = year
        pop = self.pop
        age = np.clip(year - pop.birth_year, 0, 120)
        self.age = age
        self.young = age < 30
        self.target = self.target_static | self.young
        self.sep_year = (F(R.SEPARATION_RATE) * self.separation * R.AGE_SEPARATION[age]).astype(F)
        self.find_year = (self.job_finding * R.AGE_JOB_FINDING[age]).astype(F)
        self.ws_year = (self.ws_static * R.WS_AGE[age]).astype(F)
        parents = ~pop.male & (age >= 25) & (age < 40)
        self.emp_other = (
            np.where(parents, F(R.PARENTAL_RATE), F(R.OLF_RATE))
            + np.where(self.young, F(R.EDUCATION_RATE), F(0.0))
            + F(R.ENTREPRENEUR_RATE)
        ).astype(F)

    # -- one month -----------------------------------------------------------------------------
    def start(self) -> None:
        """Place the stock in its initial states (spells already running at month 0)."""
        stock = self.pop.entry_month == 0
        self.state[stock] = self.pop.entry_state[stock]
        self.duration[stock] = self.pop.initial_duration[stock]
        unemployed = stock & S.UNEMPLOYED[self.state]
        self.unemployed_months[unemployed] = self.pop.initial_duration[unemployed]
        service = stock & S.IS_SERVICE[self.state]
        # a running service has part of its length left; deterministic from the person number
        self.service_left[service] = (self.person[service] % 6).astype(np.int16)

    def step(self, t: int, uniforms: np.ndarray) -> None:
        """Month ``t`` with the population's uniforms of the month (picked by person number)."""
        self.step_own(t, uniforms if self._everyone else uniforms[:, self.person])

    def step_own(self, t: int, uniforms: np.ndarray) -> None:
        """Month ``t`` with uniforms already in this world's order (``N_UNIFORMS`` x persons)."""
        u_move, u_day, u_len, u_noise = uniforms
        self._new_year(t)
        movers = _at(self._moves, t)
        self.municipality[movers // 2] = self.pop.municipality[movers // 2, movers % 2 + 1]
        self._rolling(t)

        old = self.state
        new = old.copy()
        moved = np.zeros(len(old), dtype=bool)
        leaving = _at(self._exits, t)
        new[leaving] = self.pop.exit_state[leaving]
        moved[leaving] = True
        entering = _at(self._entries, t)
        entering = entering[~moved[entering]]
        new[entering] = self.pop.entry_state[entering]
        moved[entering] = True

        key = np.where(moved, np.int8(S.N_STATES), old)
        order = np.argsort(key, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(key, minlength=S.N_STATES + 1))]
        for state in range(S.N_STATES):
            if bounds[state + 1] > bounds[state] and state not in LEAVERS:
                idx = order[bounds[state] : bounds[state + 1]]
                self._transitions(t, state, idx, u_move[idx], new, moved)

        who = np.flatnonzero(moved)
        day = np.zeros(len(old), np.int8)
        day[who] = 1 + (u_day[who] * F(self.dim[t])).astype(np.int8)
        self._update(t, old, new, who, u_len)
        self._earnings(t, old, new, who, day, u_noise)
        self.served[t % 25] = S.IS_SERVICE[new]
        if self.rec.state is not None:
            self.rec.state[t] = new
            self.rec.day[t] = day
        self.state, self.last_day, self.last_old = new, day, old

    def _rolling(self, t: int) -> None:
        """Months with earnings in the last 12 and month ends in a service in the last 24."""
        if t >= 1:
            self.employed_12 += self.earned[(t - 1) % 25]
            self.services_24 += self.served[(t - 1) % 25]
        if t >= 13:
            self.employed_12 -= self.earned[(t - 13) % 25]
        if t >= 25:
            self.services_24 -= self.served[t % 25]

    def _transitions(
        self, t: int, state: int, idx: np.ndarray, u: np.ndarray, new: np.ndarray, moved: np.ndarray
    ) -> None:
        m = self.municipality[idx]
        if S.IS_SERVICE[state]:
            ending = self.service_left[idx] <= 0
            if ending.any():
                self._service_end(t, state, idx[ending], u[ending], new, moved)
                idx, u, m = idx[~ending], u[~ending], m[~ending]
            if state in (S.S_WS, S.S_SUG, S.S_JAS) or len(idx) == 0:
                return
            rates = [F(R.SERVICE_JOB_RATE) * self.find_year[idx] * self.outflow[t]]
            self._resolve(t, idx, u, [S.EMP], rates, new, moved)
            return
        if state == S.EMP:
            self._employed(t, idx, m, u, new, moved)
            return
        if state == S.UNEMP:
            codes, rates, lead_codes, lead = self._unemployed(t, idx, m)
            u = self._not_entering(t, idx, u, F(0.0), lead[0])  # the wage subsidy leads
            self._resolve(t, idx, u, codes, rates, new, moved, lead_codes, lead)
            return
        k_in, k_out = self.geo.inflow_multiplier[m], self.geo.outflow_multiplier[m]
        n = len(idx)
        month = int(self.cal_month[t])
        if state == S.LAID:
            codes = [S.EMP, S.UNEMP, S.OLF]
            rates = [
                F(0.30) * self.recall[t],
                np.where(self.duration[idx] >= 6, F(0.08), F(0.02)),
                F(0.003),
            ]
        elif state == S.SHORT:
            codes = [S.EMP, S.LAID, S.UNEMP]
            rates = [F(0.22) * self.recall[t], F(0.04), F(0.008)]
        elif state == S.EMPJS:
            codes = [S.EMP, S.UNEMP, S.OLF]
            rates = [
                F(0.07) * self.outflow[t] * k_out * self.find_year[idx],
                F(0.04) * k_in,
                F(0.008),
            ]
        elif state == S.ENTR:
            codes = [S.EMP, S.UNEMP, S.OLF]
            rates = [F(0.006), F(0.004) * self.inflow[t] * k_in, F(0.002)]
        elif state == S.EDU:
            codes = [S.EMP, S.UNEMP, S.STU_REG, S.OLF]
            rates = [
                F(0.012 * (4.0 if month == 6 else 1.5 if month == 1 else 1.0)),
                F(0.006 * (2.5 if month in (6, 7, 8) else 1.0)) * k_in,
                np.where(self.young[idx], F(0.03 if month in (3, 4, 5) else 0.0), F(0.0)),
                F(0.001),
            ]
        elif state == S.STU_REG:
            codes = [S.EDU, S.EMP, S.UNEMP]
            rates = [
                F(0.6 if month in (8, 9) else 0.08),
                F(0.3 if month in (5, 6) else 0.03),
                F(0.01),
            ]
        elif state == S.OLF:
            codes = [S.EMP, S.UNEMP, S.OLF_REG, S.EDU]
            rates = [
                F(0.025),
                F(0.008) * k_in,
                F(0.004),
                np.where(self.young[idx], F(0.005), F(0.0)),
            ]
        elif state == S.OLF_REG:
            codes = [S.UNEMP, S.OLF, S.EMP]
            rates = [F(0.07), F(0.06), F(0.02)]
        else:
            raise AssertionError(f"unhandled state {state}")
        rates = [r if isinstance(r, np.ndarray) and r.ndim else np.full(n, r, F) for r in rates]
        self._resolve(t, idx, u, codes, rates, new, moved)

    def _employed(
        self,
        t: int,
        idx: np.ndarray,
        m: np.ndarray,
        u: np.ndarray,
        new: np.ndarray,
        moved: np.ndarray,
    ) -> None:
        """Most people are employed and stay so: test the total rate first, detail only movers."""
        k_in = self.geo.inflow_multiplier[m]
        unemployment = self.sep_year[idx] * (k_in * self.inflow[t])
        layoff = self.layoff_static[idx] * (k_in * self.layoff[t])
        total = (
            unemployment
            + layoff
            + (
                k_in * F(R.JOBSEEKER_WHILE_EMPLOYED_RATE)
                + (F(R.SHORT_WEEK_RATE) * self.layoff[t] + self.emp_other[idx])
            )
        )
        go = u < total / (F(1.0) + total)
        sel = np.flatnonzero(go)
        if len(sel) == 0:
            return
        who = idx[sel]
        age = self.age[who]
        parents = ~self.pop.male[who] & (age >= 25) & (age < 40)
        rates = [
            unemployment[sel],
            layoff[sel],
            np.full(len(sel), F(R.SHORT_WEEK_RATE) * self.layoff[t], F),
            k_in[sel] * F(R.JOBSEEKER_WHILE_EMPLOYED_RATE),
            np.where(parents, F(R.PARENTAL_RATE), F(R.OLF_RATE)),
            np.where(self.young[who], F(R.EDUCATION_RATE), F(0.0)),
            np.full(len(sel), F(R.ENTREPRENEUR_RATE), F),
        ]
        codes = [S.UNEMP, S.LAID, S.SHORT, S.EMPJS, S.OLF, S.EDU, S.ENTR]
        self._destination(t, who, u[sel], codes, rates, total[sel], new, moved)

    def _unemployed(self, t: int, idx: np.ndarray, m: np.ndarray):
        n = len(idx)
        pop = self.pop
        d = np.minimum(self.unemployed_months[idx], 600)
        age, edu = self.age[idx], pop.education[idx]
        find = (
            F(R.JOB_FINDING_RATE)
            * self.outflow[t]
            * self.geo.outflow_multiplier[m]
            * self.find_year[idx]
            * R.DURATION_DEPENDENCE[d]
        )
        if self.trial is not None and self.trial_on[t]:
            area = self.geo.trial_area[m]
            effect = self.trial.multiplier[np.maximum(area, 0)]
            find = find * np.where((area >= 0) & self.target[idx], effect, F(1.0))
        after_ws = (t - self.ws_end[idx]) <= HAZARD_MONTHS
        find = find * np.where(after_ws, self.ws_hazard[idx], F(1.0))
        young = self.young[idx]
        season_edu = F(3.0) if int(self.cal_month[t]) in (8, 9) else F(1.0)
        codes = [S.EMP, S.EMPJS, S.OLF, S.OLF_REG, S.EDU, S.ENTR]
        rates = [
            find,
            F(0.010) * self.geo.outflow_multiplier[m],
            np.full(n, F(0.006), F),
            np.full(n, F(0.004), F),
            np.where(young, F(0.012) * season_edu, F(0.0)),
            np.full(n, F(0.0005), F),
        ]

        ws = (
            self.ws_year[idx]
            * R.WS_DURATION[d]
            * R.WS_EMPLOYED_MONTHS[np.minimum(self.employed_12[idx], 12)]
            * np.where(self.services_24[idx] > 0, F(1.35), F(1.0))
            * R.WS_MUNICIPALITY_TYPE[self.geo.municipality_type[m]]
        )
        prime = (age >= 25) & (age < 55)
        ltu = d >= 12
        pwa = pop.partial_work_ability[idx]
        nordic = F(1.3) if self.nordic[t] else F(1.0)
        newcomer = (
            (t - pop.entry_month[idx] < 36) & (pop.language[idx] == 2) & (pop.citizenship[idx] > 0)
        )
        lead_codes = [
            S.S_WS,
            S.S_TRAIN,
            S.S_STUDY,
            S.S_TRIAL,
            S.S_COACH,
            S.S_REHAB,
            S.S_SUG,
            S.S_JAS,
            S.S_INTEG,
            S.S_OTHER,
        ]
        lead = [
            ws,
            F(0.0075)
            * np.where((edu >= 3) & (edu <= 5), F(1.2), np.where(edu >= 7, F(0.7), F(1.0)))
            * np.where(age < 50, F(1.0), F(0.6))
            * np.where(d >= 3, F(1.3), F(1.0)),
            np.where(prime, F(0.0035), F(0.0008)) * np.where(edu <= 4, F(1.3), F(1.0)),
            F(0.0035) * np.where(young, F(1.8), F(1.0)) * np.where(pwa, F(2.0), F(1.0)),
            F(0.006) * np.where(d < 6, F(1.6), F(1.0)) * nordic,
            np.where(ltu, F(R.REHABILITATION_RATE), F(0.0))
            * np.where(d >= 24, F(1.6), F(1.0))
            * np.where(pwa, F(1.5), F(1.0)),
            np.where(prime, F(0.0012), F(0.0003)) * np.where(edu >= 5, F(1.5), F(1.0)),
            np.full(n, F(0.0008) if self.jas_open[t] else F(0.0), F),
            np.where(newcomer, F(0.04), np.where(pop.language[idx] == 2, F(0.003), F(0.0))),
            np.full(n, F(0.003), F),
        ]
        return codes, rates, lead_codes, lead

    def _resolve(
        self,
        t: int,
        idx: np.ndarray,
        u: np.ndarray,
        codes: list[int],
        rates: list,
        new: np.ndarray,
        moved: np.ndarray,
        lead_codes: list[int] = (),
        lead: list = (),
    ) -> None:
        """Competing risks: ``lead`` are probabilities drawn first, ``rates`` share what is left."""
        total = rates[0].copy()
        for r in rates[1:]:
            total += r
        p_move = total / (F(1.0) + total)
        if lead:
            lead_total = lead[0].copy()
            for p in lead[1:]:
                lead_total += p
            p_move = lead_total + (F(1.0) - lead_total) * p_move
        sel = np.flatnonzero(u < p_move)
        if len(sel) == 0:
            return
        picked = [_pick(r, sel) for r in rates]
        lead_picked = [_pick(p, sel) for p in lead]
        self._destination(
            t,
            idx[sel],
            u[sel],
            codes,
            picked,
            total[sel],
            new,
            moved,
            lead_codes,
            lead_picked,
            lead_total[sel] if lead else None,
        )

    def _destination(
        self,
        t: int,
        who: np.ndarray,
        u: np.ndarray,
        codes: list[int],
        rates: list,
        total: np.ndarray,
        new: np.ndarray,
        moved: np.ndarray,
        lead_codes=(),
        lead=(),
        lead_total=None,
    ) -> None:
        """Where the movers go: the first cumulative probability above their uniform."""
        acc = np.zeros(len(who), F)
        k = np.zeros(len(who), np.int64)
        for p in lead:
            acc += p
            k += u >= acc
        scale = (F(1.0) - lead_total if lead else F(1.0)) / (F(1.0) + total)
        for r in rates:
            acc += r * scale
            k += u >= acc
        all_codes = np.array([*lead_codes, *codes], dtype=np.int8)
        new[who] = all_codes[np.minimum(k, len(all_codes) - 1)]
        moved[who] = True

    def _not_entering(self, t: int, idx: np.ndarray, u: np.ndarray, lo, hi) -> np.ndarray:
        """The no-subsidy world: a blocked entry becomes one of the month's other outcomes.

        ``[lo, hi)`` are the uniforms that pick a wage-subsidy entry for the persons ``idx``. A
        person whose first window entry (``block_ws``) is this month drew one of them in the
        factual world; here the uniform is re-spread over the other outcomes (:func:`_elsewhere`),
        so the person makes the month's transition of someone *not entering*: another service, a
        job, leaving the labour force, or staying, with the probabilities the process gives them
        once the entry is ruled out. That is the counterfactual of a Sianesi comparison (at risk
        and not entering this month, possibly later). In every other world and month ``u`` is
        returned unchanged.
        """
        if not self._blocking:
            return u
        blocked = np.flatnonzero((self.block_ws[idx] == t) & (u >= lo) & (u < hi))
        if len(blocked) == 0:
            return u
        u = u.copy()
        u[blocked] = _elsewhere(u[blocked], _pick(lo, blocked), _pick(hi, blocked))
        return u

    def _service_end(
        self, t: int, state: int, idx: np.ndarray, u: np.ndarray, new: np.ndarray, moved: np.ndarray
    ) -> None:
        if state == S.S_WS:
            stay = self.ws_retention[idx]
            dest = np.where(
                u < stay, S.EMP, np.where(u < stay + (F(1.0) - stay) * F(0.92), S.UNEMP, S.OLF)
            )
        else:
            if state in SERVICE_END_WS:
                u = self._not_entering(t, idx, u, *SERVICE_END_WS[state])
            codes = SERVICE_END_CODES[state]
            dest = codes[
                np.minimum(np.searchsorted(SERVICE_END_CUM[state], u, side="right"), len(codes) - 1)
            ]
        new[idx] = dest
        moved[idx] = True

    def _update(
        self, t: int, old: np.ndarray, new: np.ndarray, who: np.ndarray, u_len: np.ndarray
    ) -> None:
        self.duration += 1
        self.duration[who] = 0
        previous_unemployment = self.unemployed_months[who]
        self.unemployed_months += 1
        self.unemployed_months[~S.UNEMPLOYED[new]] = 0
        fresh = who[~S.UNEMPLOYED[old[who]]]
        self.unemployed_months[fresh] = 0
        self.service_left -= S.IS_SERVICE[new]
        service = new[who]
        entered = S.IS_SERVICE[service]
        if entered.any():
            starters, service = who[entered], service[entered]
            before = np.where(S.UNEMPLOYED[old[starters]], previous_unemployment[entered], 0)
            length = SERVICE_LENGTH_LOW[service] + (
                u_len[starters] * SERVICE_LENGTH_SPAN[service]
            ).astype(np.int16)
            long_ws = (service == S.S_WS) & (
                self.pop.partial_work_ability[starters] | (before >= 24)
            )
            self.service_left[starters] = np.where(long_ws, 2 * length, length) - 1
            ws = service == S.S_WS
            self._wage_subsidy_entry(t, starters[ws], before[ws])
        ended_ws = who[old[who] == S.S_WS]
        self.ws_end[ended_ws] = t

    def _wage_subsidy_entry(self, t: int, who: np.ndarray, unemployed_before: np.ndarray) -> None:
        if len(who) == 0:
            return
        ltu = unemployed_before >= 12
        low_edu = self.pop.education[who] <= 2
        age55 = self.age[who] >= 55
        self.ws_retention[who] = wage_subsidy_terms(
            ltu, low_edu, age55, "retention_probability_at_end"
        )
        self.ws_hazard[who] = wage_subsidy_terms(
            ltu, low_edu, age55, "job_finding_rate_multiplier_after_end"
        )
        self.ws_wage[who] = wage_subsidy_terms(ltu, low_edu, age55, "earnings_multiplier_after_end")
        first = (self.first_ws[who] < 0) & (t >= self.tl.window_start)
        self.first_ws[who[first]] = t
        self.first_ws_ltu[who[first]] = ltu[first]

    def _earnings(
        self,
        t: int,
        old: np.ndarray,
        new: np.ndarray,
        who: np.ndarray,
        day: np.ndarray,
        u_noise: np.ndarray,
    ) -> None:
        """Wage income of the month: days in each working state times the state's wage factor."""
        index = self.wage_index[t]
        wage = u_noise * (F(0.1) * index)
        wage += F(0.95) * index
        wage *= self.pop.wage_level
        amount = wage * S.WAGE_FACTOR[new]
        subsidised = np.flatnonzero((new == S.S_WS) | (old == S.S_WS))
        cap = R.WS_WAGE_CAP * index
        if len(who):
            dim = F(self.dim[t])
            days_new = (dim - day[who] + 1).astype(F)
            amount[who] = (
                wage[who]
                * (S.WAGE_FACTOR[old[who]] * (dim - days_new) + S.WAGE_FACTOR[new[who]] * days_new)
                / dim
            )
        if len(subsidised):
            w = wage[subsidised]
            capped = np.minimum(w, cap)
            o, nw = old[subsidised], new[subsidised]
            days_new = np.where(
                day[subsidised] > 0, F(self.dim[t]) - day[subsidised] + 1, F(self.dim[t])
            ).astype(F)
            days_old = F(self.dim[t]) - days_new
            f_old = np.where(o == S.S_WS, capped, w) * S.WAGE_FACTOR[o]
            f_new = np.where(nw == S.S_WS, capped, w) * S.WAGE_FACTOR[nw]
            amount[subsidised] = (days_old * f_old + days_new * f_new) / F(self.dim[t])
        boosted = np.flatnonzero((t - self.ws_end) <= WAGE_MONTHS)
        boosted = boosted[new[boosted] != S.S_WS]
        amount[boosted] *= self.ws_wage[boosted]
        if int(self.cal_month[t]) in (6, 7, 8):
            student = np.flatnonzero(((new == S.EDU) | (new == S.STU_REG)) & (u_noise < F(0.45)))
            amount[student] += R.SUMMER_JOB_EUR * index * (F(0.5) + u_noise[student])
        amount = np.round(amount, 2)
        self.month_earnings = amount
        self.earned[t % 25] = amount > 0
        if self.rec.earnings is not None:
            self.rec.earnings[t] = amount
