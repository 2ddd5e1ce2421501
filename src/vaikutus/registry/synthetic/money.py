"""Monthly earnings and benefits, consistent with each month's states.

Earnings come from the process (each day in a working state earns the person's wage level times
the state's factor; see ``process.Process._earnings``). Benefits are derived here, block of
persons by block, from the recorded states:

* days in an unemployment-benefit state (unemployed, fully laid off, a service that keeps the
  benefit; adjusted benefit on a short week or for an employed jobseeker) after a 7-day waiting
  period at the start of a spell, paid 5 days a week, so days paid never exceed the days spent in
  those states;
* earnings-related allowance for fund members who meet the employment condition (6 months with
  earnings in the last 28), basic allowance for non-members who meet it, both for at most 400
  days (a new period after the condition is met again following 6 months without benefit);
  labour market subsidy for everyone else (new entrants, those who used their 400 days);
* general housing allowance and basic social assistance for some low-income recipients.

Daily rates follow the real basic daily allowance of each year; the earnings-related part is 45 %
of the daily wage above the basic amount (a simplified formula).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from vaikutus.registry import codes
from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.population import Population
from vaikutus.registry.synthetic.timeline import Timeline

BENEFITS = tuple(codes.BENEFITS)
LMS, BASIC, ER, SOCIAL, HOUSING = (
    BENEFITS.index(b)
    for b in (
        "labour_market_subsidy",
        "basic_allowance",
        "earnings_related",
        "social_assistance",
        "housing_allowance",
    )
)
#: Basic daily unemployment allowance (= labour market subsidy) in euros, by year.
BASIC_DAILY = {
    2012: 31.36,
    2013: 31.36,
    2014: 32.46,
    2015: 32.68,
    2016: 32.68,
    2017: 32.40,
    2018: 32.40,
    2019: 33.78,
    2020: 33.66,
    2021: 33.66,
    2022: 34.74,
    2023: 37.21,
    2024: 37.21,
    2025: 37.21,
    2026: 37.21,
}
MAX_ALLOWANCE_DAYS = 400
WAITING_DAYS = 7
EMPLOYMENT_CONDITION_MONTHS = 6
EMPLOYMENT_CONDITION_WINDOW = 28
#: Share of the full daily benefit paid in each state (0 = no unemployment benefit).
BENEFIT_FACTOR = np.zeros(S.N_STATES, dtype=np.float64)
BENEFIT_FACTOR[[S.UNEMP, S.LAID]] = 1.0
BENEFIT_FACTOR[[S.S_TRAIN, S.S_STUDY, S.S_TRIAL, S.S_COACH, S.S_REHAB, S.S_INTEG, S.S_OTHER]] = 1.0
BENEFIT_FACTOR[S.SHORT] = 0.4
BENEFIT_FACTOR[S.EMPJS] = 0.5
#: Probability of housing allowance / social assistance in a month with a benefit, by benefit.
HOUSING_SHARE = {LMS: 0.40, BASIC: 0.25, ER: 0.08}
SOCIAL_SHARE = {LMS: 0.25, BASIC: 0.10, ER: 0.02}
BLOCK_PERSONS = 262_144
STREAM_MONEY = 2


@dataclass(frozen=True)
class Rows:
    """Rows of a person-month table for one block of persons, in person and month order."""

    person: np.ndarray
    month: np.ndarray  # month index
    columns: dict[str, np.ndarray]


def blocks(n: int) -> Iterator[tuple[int, int, int]]:
    for number, first in enumerate(range(0, n, BLOCK_PERSONS)):
        yield number, first, min(first + BLOCK_PERSONS, n)


def earnings_rows(earnings: np.ndarray, tl: Timeline, first: int, last: int) -> Rows:
    """Months of the window with earnings, for persons first..last-1."""
    block = np.ascontiguousarray(earnings[tl.window_start :, first:last].T)
    person, month = np.nonzero(block > 0)
    return Rows(
        person + first,
        month + tl.window_start,
        {"earnings_eur": block[person, month].astype(np.float64)},
    )


def benefit_rows(
    state: np.ndarray,
    day: np.ndarray,
    earnings: np.ndarray,
    pop: Population,
    tl: Timeline,
    seed: int,
    number: int,
    first: int,
    last: int,
) -> Rows:
    """Benefits of persons first..last-1 in the window (entitlements tracked from the first month).

    Works on the sparse person-months that touch a benefit state; only the entitlement (the
    400-day limit, re-qualified by the employment condition after 6 months without benefit) runs
    month by month.
    """
    eligible = BENEFIT_FACTOR[state[:, first:last]] > 0
    ever = eligible.any(axis=0)
    person = first + np.flatnonzero(ever)
    eligible = eligible[:, ever]
    n = len(person)
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(STREAM_MONEY, number)))
    )
    housing_u, social_u, amount_u = rng.random(n), rng.random(n), rng.random(n)

    # person-months in or next to a benefit state, month-major
    started_before = eligible[:1] & (day[:1, person] == 0)
    touched = eligible | np.concatenate([started_before, eligible[:-1]])
    month, who = np.nonzero(touched)
    pid = person[who]
    new = state[month, pid]
    moved_day = day[month, pid].astype(np.int16)
    old = np.where(
        month > 0, state[np.maximum(month - 1, 0), pid], np.where(moved_day == 0, new, S.PRE)
    )
    dim = tl.days_in_month[month]
    days_new = np.where(moved_day > 0, dim - moved_day + 1, dim)
    days_old = dim - days_new
    f_old, f_new = BENEFIT_FACTOR[old], BENEFIT_FACTOR[new]
    calendar_days = days_old * (f_old > 0) + days_new * (f_new > 0)
    waiting = (moved_day > 0) & (f_new > 0) & ~S.REGISTERED[old]
    paid_days = np.floor(
        np.maximum(calendar_days - WAITING_DAYS * waiting, 0) * 5 / 7 + 0.5
    ).astype(np.int64)

    earned = earnings[:, person] > 0
    worked = np.zeros(n, np.int32)  # months with earnings in the previous 28 months
    used = np.zeros(n, np.int32)
    entitled = np.zeros(n, bool)
    last_paid = np.full(n, -99, np.int32)
    insured = np.zeros(len(month), bool)
    bounds = np.searchsorted(month, np.arange(tl.n + 1))
    for t in range(tl.n):
        if t >= 1:
            worked += earned[t - 1]
        if t > EMPLOYMENT_CONDITION_WINDOW:
            worked -= earned[t - 1 - EMPLOYMENT_CONDITION_WINDOW]
        rows = slice(bounds[t], bounds[t + 1])
        p, days = who[rows], paid_days[rows]
        condition = worked[p] >= EMPLOYMENT_CONDITION_MONTHS
        requalified = condition & (t - last_paid[p] > 6)
        used[p[requalified]] = 0
        entitled[p[requalified]] = False
        paid = days > 0
        covered = paid & (used[p] < MAX_ALLOWANCE_DAYS) & (condition | entitled[p])
        entitled[p[covered]] = True
        used[p] += np.where(covered, days, 0)
        last_paid[p[paid]] = t
        insured[rows] = covered

    keep = (paid_days > 0) & (month >= tl.window_start)
    order = np.lexsort((month[keep], who[keep]))  # person-major
    pick = np.flatnonzero(keep)[order]
    who, month, pid = who[pick], month[pick], pid[pick]
    kind = np.where(insured[pick], np.where(pop.fund_member[pid], ER, BASIC), LMS)
    basic = np.array([BASIC_DAILY[int(y)] for y in tl.year])[month]
    daily_wage = pop.wage_level[pid].astype(np.float64) * tl.wage_index[month] / 21.5
    daily = np.where(
        kind == ER, np.minimum(basic + 0.45 * np.maximum(daily_wage - basic, 0), 160.0), basic
    )
    cal = calendar_days[pick]
    weighted = days_old[pick] * f_old[pick] + days_new[pick] * f_new[pick]
    amount = np.round(paid_days[pick] * daily * weighted / cal, 2)
    fraction = cal / tl.days_in_month[month]
    price = tl.wage_index[month]
    social = (
        social_u[who] < np.array([SOCIAL_SHARE[LMS], SOCIAL_SHARE[BASIC], SOCIAL_SHARE[ER]])[kind]
    )
    housing = (
        housing_u[who]
        < np.array([HOUSING_SHARE[LMS], HOUSING_SHARE[BASIC], HOUSING_SHARE[ER]])[kind]
    )
    # rows of a person-month in benefit-code order: the allowance, social assistance, housing
    size = 1 + social.astype(np.int64) + housing
    at = np.cumsum(size) - size
    benefit = np.empty(int(size.sum()), np.int8)
    value = np.empty(len(benefit))
    days = np.empty(len(benefit), np.int64)
    benefit[at], value[at], days[at] = kind, amount, paid_days[pick]
    s_at, h_at = at[social] + 1, at[housing] + 1 + social[housing]
    benefit[s_at], benefit[h_at] = SOCIAL, HOUSING
    value[s_at] = np.round(
        (120 + 380 * amount_u[who[social]]) * price[social] * fraction[social], 2
    )
    value[h_at] = np.round(
        (180 + 260 * amount_u[who[housing]]) * price[housing] * fraction[housing], 2
    )
    days[s_at], days[h_at] = cal[social], cal[housing]
    return Rows(
        np.repeat(pid, size),
        np.repeat(month, size),
        {"benefit": benefit, "amount_eur": value, "days": days},
    )
