"""From month-by-person state records to dated register spells.

A transition recorded in month ``t`` on day ``d`` starts a spell on that date; the spell ends the
day before the person's next transition, or stays open (``end`` empty) at the end of the window.
Jobseeker spells are split where an attribute recorded on the spell changes while the status does
not: a move (the jobseeker's municipality), the start of a trial for its target group (the
responsible organisation), the Nordic jobseeker service model on 2.5.2022 (service lines end) and
the 2025 reform (employment areas take over; Pertunmaa's code becomes Mäntyharju's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaikutus.registry import codes
from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.geography import Geography
from vaikutus.registry.synthetic.population import NEVER, Population
from vaikutus.registry.synthetic.timeline import (
    NORDIC_MODEL_START,
    REFORM_2025,
    TRIAL_END,
    TRIAL_START,
    Timeline,
)
from vaikutus.registry.synthetic.writer import Coded

NO_END = np.int32(2**31 - 1)  # an open spell, while computing
RESPONSIBLE = tuple(codes.RESPONSIBLE)
#: Monthly unit cost of each service in euros (direct cost to the state or municipality).
SERVICE_MONTHLY_COST = {
    "wage_subsidy": 1400.0,
    "labour_market_training": 2100.0,
    "self_motivated_study": 0.0,
    "work_trial": 250.0,
    "coaching": 900.0,
    "rehabilitative_work": 450.0,
    "start_up_grant": 750.0,
    "job_alternation_substitute": 0.0,
    "integration_training": 1700.0,
    "other": 600.0,
}
#: Share of job searches whose recorded end reason is missing (recorded as other_unknown).
UNKNOWN_DESTINATION_SHARE = 0.06


def day_number(day) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


@dataclass(frozen=True)
class Events:
    """Every state entry, person-major and in time order."""

    person: np.ndarray  # int32
    date: np.ndarray  # int32 days since 1970-01-01
    state: np.ndarray  # int8
    previous: np.ndarray  # int8 state before (PRE for a person's first event)
    end: np.ndarray  # int32 last day in the state, NO_END if still in it at the window end


def build_events(state: np.ndarray, day: np.ndarray, pop: Population, tl: Timeline) -> Events:
    """``state``/``day`` are the (months, persons) records of the factual world."""
    first_day = tl.first_day
    moves = day.T != 0  # person-major
    person, month = np.nonzero(moves)
    new_state = state.T[person, month]
    date = first_day[month] + day.T[person, month].astype(np.int32) - 1
    # the stock's states were already running at month 0: give them their (earlier) start date
    stock = np.flatnonzero((pop.entry_month == 0) & (state[0] == pop.entry_state))
    stock = stock[day[0, stock] == 0]
    start_month = tl.months[0] - pop.initial_duration[stock].astype("timedelta64[M]")
    start = start_month.astype("datetime64[D]").astype(np.int64) + (stock % 28)
    person = np.concatenate([stock, person]).astype(np.int32)
    date = np.concatenate([start.astype(np.int32), date.astype(np.int32)])
    new_state = np.concatenate([pop.entry_state[stock], new_state]).astype(np.int8)
    order = np.argsort(person, kind="stable")
    person, date, new_state = person[order], date[order], new_state[order]
    same_next = np.r_[person[1:] == person[:-1], False]
    end = np.where(same_next, np.r_[date[1:], 0] - 1, NO_END).astype(np.int32)
    same_prev = np.r_[False, person[1:] == person[:-1]]
    previous = np.where(same_prev, np.r_[0, new_state[:-1]], S.PRE).astype(np.int8)
    return Events(person, date, new_state, previous, end)


def split_at(
    person: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    cut_person: np.ndarray,
    cut_date: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split spells (sorted by person, start; not overlapping) at the cuts that fall inside them.

    A cut on date ``c`` inside a spell gives pieces ``[start, c - 1]`` and ``[c, end]``. Returns
    (source spell index, piece start, piece end) in person and time order.
    """
    key = person.astype(np.int64) * 100_000 + start
    cut_key = np.unique(cut_person.astype(np.int64) * 100_000 + cut_date)  # sorted, no repeats
    cut_person, cut_date = cut_key // 100_000, (cut_key % 100_000).astype(np.int32)
    pos = np.searchsorted(key, cut_key - 1, side="right") - 1
    ok = pos >= 0
    pos_ok = np.where(ok, pos, 0)
    ok &= (person[pos_ok] == cut_person) & (end[pos_ok] >= cut_date)
    source = np.concatenate([np.arange(len(person)), pos[ok]])
    piece_start = np.concatenate([start, cut_date[ok]]).astype(np.int32)
    order = np.lexsort((piece_start, source))
    source, piece_start = source[order], piece_start[order]
    same_next = np.r_[source[1:] == source[:-1], False]
    piece_end = np.where(same_next, np.r_[piece_start[1:], 0] - 1, end[source]).astype(np.int32)
    return source, piece_start, piece_end


@dataclass(frozen=True)
class Residence:
    """Home-municipality history per person (2021-division indices, moves with dates)."""

    municipality: np.ndarray  # (n, 3)
    move_date: np.ndarray  # (n, 2) int32, NO_END = no move

    @classmethod
    def of(cls, pop: Population, tl: Timeline) -> Residence:
        month = np.minimum(pop.move_month, tl.n - 1)
        date = tl.first_day[month] + pop.move_day.astype(np.int32) - 1
        date = np.where(pop.move_month == NEVER, NO_END, date).astype(np.int32)
        return cls(pop.municipality, date)

    def on(self, person: np.ndarray, date: np.ndarray) -> np.ndarray:
        moved = (self.move_date[person] <= date[:, None]).sum(axis=1)
        return self.municipality[person, moved]


def municipality_codes(geo: Geography, municipality: np.ndarray, date: np.ndarray) -> Coded:
    """Code valid on the date: the 2021 division until 2024, the 2025 division from 2025."""
    reform = day_number(REFORM_2025)
    return Coded(geo.code_labels, municipality.astype(np.int64) + geo.n * (date >= reform))


def trial_target(pop: Population, person: np.ndarray, date: np.ndarray) -> np.ndarray:
    """The 2021 trials' target group (law 1269/2020): under 30, foreign, or no earnings-related allowance."""
    year = date.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return pop.foreign[person] | ~pop.fund_member[person] | (year - pop.birth_year[person] < 30)


@dataclass(frozen=True)
class JobseekerSpells:
    person: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NO_END = open
    state: np.ndarray  # simulation state (status and service)
    municipality: np.ndarray  # 2021-division index
    municipality_code: Coded  # division valid at start
    responsible: np.ndarray  # index into RESPONSIBLE
    service_line: np.ndarray  # 1-3, 0 = NULL
    search: np.ndarray  # job-search number (consecutive registered spells share it)


def jobseeker_spells(
    events: Events, pop: Population, tl: Timeline, geo: Geography, residence: Residence
) -> JobseekerSpells:
    window = int(tl.first_day[tl.window_start])
    keep = S.REGISTERED[events.state] & (events.end >= window)
    person, start, end = events.person[keep], events.date[keep], events.end[keep]
    state = events.state[keep]
    # a job search is a run of registered spells with no gap between them
    search_start = np.r_[True, ~((person[1:] == person[:-1]) & (end[:-1] + 1 == start[1:]))]

    trial_start, trial_end = day_number(TRIAL_START), day_number(TRIAL_END)
    nordic, reform = day_number(NORDIC_MODEL_START), day_number(REFORM_2025)
    cuts_person = [np.repeat(np.arange(len(pop)), 2)]
    cuts_date = [residence.move_date.ravel()]
    everyone = np.unique(person)
    pertunmaa = np.flatnonzero(geo.code_2021 == "588")
    if len(pertunmaa):
        at_reform = residence.on(everyone, np.full(len(everyone), reform, np.int32))
        recoded = everyone[at_reform == pertunmaa[0]]
        cuts_person.append(recoded)
        cuts_date.append(np.full(len(recoded), reform, np.int32))
    at_trial = residence.on(everyone, np.full(len(everyone), trial_start, np.int32))
    in_trial = everyone[
        (geo.trial_area[at_trial] >= 0)
        & trial_target(pop, everyone, np.full(len(everyone), trial_start, np.int32))
    ]
    cuts_person += [in_trial, everyone, everyone]
    cuts_date += [
        np.full(len(in_trial), trial_start, np.int32),
        np.full(len(everyone), nordic, np.int32),
        np.full(len(everyone), reform, np.int32),
    ]
    cut_person = np.concatenate(cuts_person).astype(np.int64)
    cut_date = np.concatenate(cuts_date).astype(np.int32)
    real = cut_date != NO_END
    source, p_start, p_end = split_at(person, start, end, cut_person[real], cut_date[real])

    p_person = person[source]
    p_state = state[source]
    municipality = residence.on(p_person, p_start)
    in_trial_area = geo.trial_area[municipality] >= 0
    responsible = np.select(
        [
            p_start >= reform,
            (p_start >= trial_start)
            & (p_start <= trial_end)
            & in_trial_area
            & trial_target(pop, p_person, p_start),
        ],
        [RESPONSIBLE.index("employment_area"), RESPONSIBLE.index("municipal_trial")],
        RESPONSIBLE.index("te_office"),
    ).astype(np.int8)
    line = np.select(
        [
            pop.partial_work_ability[p_person]
            | np.isin(p_state, [S.S_REHAB, S.S_TRIAL, S.OLF_REG]),
            pop.foreign[p_person]
            | (pop.education[p_person] <= 2)
            | np.isin(p_state, [S.S_TRAIN, S.S_STUDY, S.S_INTEG, S.S_COACH]),
        ],
        [3, 2],
        1,
    )
    line = np.where(p_start < nordic, line, 0).astype(np.int8)
    search = np.cumsum(search_start)[source] - 1
    return JobseekerSpells(
        person=p_person,
        start=p_start,
        end=p_end,
        state=p_state,
        municipality=municipality,
        municipality_code=municipality_codes(geo, municipality, p_start),
        responsible=responsible,
        service_line=line,
        search=search,
    )


@dataclass(frozen=True)
class ServiceSpells:
    person: np.ndarray
    service: np.ndarray  # index into states.SERVICE_NAMES
    start: np.ndarray
    end: np.ndarray
    cost: np.ndarray  # float64, NaN while open


def service_spells(events: Events, tl: Timeline) -> ServiceSpells:
    window = int(tl.first_day[tl.window_start])
    keep = S.IS_SERVICE[events.state] & (events.end >= window)
    service = (events.state[keep] - S.SERVICE0).astype(np.int8)
    start, end = events.date[keep], events.end[keep]
    monthly = np.array([SERVICE_MONTHLY_COST[name] for name in S.SERVICE_NAMES])[service]
    days = end.astype(np.int64) - start + 1
    cost = np.where(end == NO_END, np.nan, np.round(monthly * days / 30.4, 2))
    return ServiceSpells(events.person[keep], service, start, end, cost)


@dataclass(frozen=True)
class SearchEnds:
    person: np.ndarray
    date: np.ndarray
    destination: np.ndarray  # index into states.DESTINATION_CODES


def search_ends(events: Events, tl: Timeline, rng: np.random.Generator) -> SearchEnds:
    """A job search ends when a registered spell is followed by an unregistered state."""
    window = int(tl.first_day[tl.window_start])
    ended = (
        S.REGISTERED[events.previous] & ~S.REGISTERED[events.state] & (events.date - 1 >= window)
    )
    ended &= events.state != S.PRE
    previous, state = events.previous[ended], events.state[ended]
    destination = S.DESTINATION_INDEX[state].copy()
    subsidised = (previous == S.S_WS) & (state == S.EMP)
    destination[subsidised] = S.DESTINATION_CODES.index("subsidised_job")
    unknown = rng.random(len(state)) < UNKNOWN_DESTINATION_SHARE
    destination[unknown] = S.DESTINATION_CODES.index("other_unknown")
    return SearchEnds(events.person[ended], events.date[ended] - 1, destination)


@dataclass(frozen=True)
class ResidenceRows:
    person: np.ndarray
    municipality_code: Coded
    start: np.ndarray
    end: np.ndarray


def residence_rows(
    pop: Population,
    residence: Residence,
    day: np.ndarray,
    tl: Timeline,
    geo: Geography,
) -> ResidenceRows:
    """Home-municipality spells overlapping the window; emigrants' and the dead's last one ends."""
    n = len(pop)
    everyone = np.arange(n)
    origin = int(tl.first_day[0])
    birth = (pop.birth_year.astype(np.int64) - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ).astype(np.int64) + pop.birth_day
    entry_month = pop.entry_month.astype(np.int64)
    entry_date = tl.first_day[entry_month] + np.maximum(
        day[entry_month, everyone].astype(np.int64) - 1, 0
    )
    stock_since = np.minimum(np.maximum(origin - everyone % 3650, birth + 18 * 365), origin)
    since = np.where(pop.entry_month == 0, stock_since, entry_date)
    since = np.where((pop.entry_month > 0) & (pop.entry_state == S.EDU), birth, since)
    exited = pop.exit_month < tl.n
    exit_month = np.minimum(pop.exit_month, tl.n - 1).astype(np.int64)
    exit_date = tl.first_day[exit_month] + day[exit_month, everyone].astype(np.int64) - 1
    gone = exited & np.isin(pop.exit_state, [S.X_ABROAD, S.X_OTHER])
    last_day = np.where(gone, exit_date - 1, NO_END)

    starts = np.concatenate([since[:, None], residence.move_date], axis=1).astype(np.int64)
    valid = (starts != NO_END) & (starts <= last_day[:, None])
    person = np.repeat(everyone, 3)[valid.ravel()]
    start = starts.ravel()[valid.ravel()]
    municipality = residence.municipality.ravel()[valid.ravel()]
    same_next = np.r_[person[1:] == person[:-1], False]
    end = np.where(same_next, np.r_[start[1:], 0] - 1, last_day[person])
    reform = day_number(REFORM_2025)
    pertunmaa = np.flatnonzero(geo.code_2021 == "588")
    cut_person = (
        everyone[residence.on(everyone, np.full(n, reform, np.int32)) == pertunmaa[0]]
        if len(pertunmaa)
        else np.array([], np.int64)
    )
    source, p_start, p_end = split_at(
        person,
        start.astype(np.int32),
        end.astype(np.int32),
        cut_person,
        np.full(len(cut_person), reform, np.int32),
    )
    keep = p_end >= int(tl.first_day[tl.window_start])
    source, p_start, p_end = source[keep], p_start[keep], p_end[keep]
    return ResidenceRows(
        person[source], municipality_codes(geo, municipality[source], p_start), p_start, p_end
    )
