"""Administrative records around the job searches: plans, offers, introductions, caseloads,
Kykyviisari assessments, client satisfaction and the labour-force denominators.

All are drawn from the simulated spells with their own random stream, so they never disturb the
labour-market process. Rules (stylised, see DOMAIN.md A7):

* **plans** - a plan within two weeks of a search's start (an integration plan for recent
  immigrants, later an activation plan for some long-term unemployed), reviewed every 3-6 months
  before the Nordic model and every 2-4 months after it; a quarter of the follow-ups are late, so
  some unemployed are without a valid plan ("plan debt");
* **job offers / introductions** - a Poisson number per month of unemployment, more after the
  Nordic model; some exits to a job came through one (outcome ``hired``, dated shortly before),
  so hiring is likelier for short unemployment; offers in the last 30 days are ``pending``;
* **caseloads** - each job search has a responsible expert of its organisation (TE office,
  municipal trial, employment area) and area, pools sized to about 150 clients per expert;
* **Kykyviisari** - assessments at the start of some services (most often rehabilitative work)
  and repeated 3-10 months later; scores follow a latent work ability plus noise, with the known
  effect of rehabilitative work (``effects.KYKYVIISARI_EFFECT``);
* **satisfaction** - jobseeker and employer answers (1-5) per municipality and month;
* **labour force** - synthetic persons in the labour force at the end of each year, by group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from vaikutus.registry import codes
from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.effects import KYKYVIISARI_EFFECT, KYKYVIISARI_SERVICE
from vaikutus.registry.synthetic.geography import Geography
from vaikutus.registry.synthetic.population import Population
from vaikutus.registry.synthetic.spells import (
    NO_END,
    RESPONSIBLE,
    Events,
    JobseekerSpells,
    day_number,
    municipality_codes,
)
from vaikutus.registry.synthetic.timeline import (
    NORDIC_MODEL_START,
    REFORM_2025,
    TRIAL_END,
    TRIAL_START,
    Timeline,
)
from vaikutus.registry.synthetic.writer import Coded

PLAN_KINDS = tuple(codes.PLAN_KINDS)
RESPONDENTS = tuple(codes.SATISFACTION_RESPONDENTS)
OUTCOMES = tuple(codes.OFFER_OUTCOMES)
CLIENTS_PER_EXPERT = 150
EXPERT_PREFIX = {"te_office": "TE", "municipal_trial": "KK", "employment_area": "TA"}
#: Probability that a service spell starts with a Kykyviisari assessment.
KYKYVIISARI_AT_START = {
    "rehabilitative_work": 0.6,
    "work_trial": 0.3,
    "coaching": 0.25,
    "other": 0.2,
    "labour_market_training": 0.1,
    "integration_training": 0.1,
}
PENDING_DAYS = 30
#: Days (since 1970) during which each responsible organisation had clients.
ORGANISATION_PERIODS = {
    "te_office": (day_number("1990-01-01"), day_number(REFORM_2025) - 1),
    "municipal_trial": (day_number(TRIAL_START), day_number(TRIAL_END)),
    "employment_area": (day_number(REFORM_2025), day_number("2100-01-01")),
}


@dataclass(frozen=True)
class Table:
    """Columns of an output table, ``person`` (row numbers of persons) where it has one."""

    columns: dict[str, np.ndarray]
    person: np.ndarray | None = None


def _searches(js: JobseekerSpells, window_end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first = np.r_[True, js.search[1:] != js.search[:-1]]
    last = np.r_[js.search[1:] != js.search[:-1], True]
    end = np.where(js.end[last] == NO_END, window_end, js.end[last])
    return js.person[first], js.start[first], end


def plans(js: JobseekerSpells, pop: Population, tl: Timeline, rng: np.random.Generator) -> Table:
    window_start, window_end = (
        int(tl.first_day[tl.window_start]),
        int(tl.first_day[-1] + tl.days_in_month[-1] - 1),
    )
    person, start, end = _searches(js, window_end)
    nordic = day_number(NORDIC_MODEL_START)
    entry_day = tl.first_day[pop.entry_month[person]]
    newcomer = (
        (pop.language[person] == 2) & (pop.citizenship[person] > 0) & (start - entry_day < 3 * 365)
    )
    made = start + rng.integers(0, 15, len(start))
    active = rng.random(len(start)) >= 0.04
    out_person, out_kind, out_made, out_due = [], [], [], []
    while active.any():
        idx = np.flatnonzero(active & (made <= end))
        if len(idx) == 0:
            break
        m = made[idx]
        long_interval = m < nordic
        interval = np.where(
            long_interval, rng.integers(90, 181, len(idx)), rng.integers(60, 121, len(idx))
        )
        due = m + interval
        kind = np.where(
            newcomer[idx], PLAN_KINDS.index("integration_plan"), PLAN_KINDS.index("employment_plan")
        )
        activation = (m - start[idx] >= 365) & (rng.random(len(idx)) < 0.5)
        kind = np.where(activation, PLAN_KINDS.index("activation_plan"), kind)
        keep = due >= window_start
        out_person.append(person[idx][keep])
        out_kind.append(kind[keep])
        out_made.append(m[keep])
        out_due.append(due[keep])
        late = rng.random(len(idx)) < 0.25
        delay = np.where(late, rng.integers(1, 121, len(idx)), -rng.integers(0, 21, len(idx)))
        made[idx] = np.maximum(due + delay, m + 1)
        active[:] = False
        active[idx] = True
    p, k, mm, d = (np.concatenate(x) for x in (out_person, out_kind, out_made, out_due))
    order = np.lexsort((k, mm, p))
    p, k, mm, d = p[order], k[order], mm[order], d[order]
    unique = np.r_[True, (p[1:] != p[:-1]) | (k[1:] != k[:-1]) | (mm[1:] != mm[:-1])]
    return Table(
        {"kind": Coded(PLAN_KINDS, k[unique]), "made": mm[unique], "review_due": d[unique]},
        p[unique],
    )


def _vacancy_ids(month: np.ndarray, number: np.ndarray, tl: Timeline) -> np.ndarray:
    stamp = tl.months[month].astype(str)
    frame = pl.DataFrame({"m": stamp, "k": number})
    return (
        frame.select(
            pl.concat_str(
                [
                    pl.lit("TP"),
                    pl.col("m").str.replace("-", ""),
                    pl.lit("-"),
                    pl.col("k").cast(pl.Utf8).str.zfill(6),
                ]
            )
        )
        .to_series()
        .to_numpy()
        .astype(str)
    )


def contacts(
    state: np.ndarray,
    day: np.ndarray,
    events: Events,
    tl: Timeline,
    scale: float,
    rng: np.random.Generator,
    *,
    rate: tuple[float, float],
    hired_share: float,
) -> Table:
    """Job offers or introductions: (rate before, rate after the Nordic model) per month unemployed."""
    window_end = int(tl.first_day[-1] + tl.days_in_month[-1] - 1)
    nordic_month = tl.index_of(NORDIC_MODEL_START)
    vacancies = max(int(70_000 * scale), 20)
    persons, months, dates = [], [], []
    for t in range(tl.window_start, tl.n):
        unemployed = np.flatnonzero(state[t] == S.UNEMP)
        lam = rate[1] if t >= nordic_month else rate[0]
        count = rng.poisson(lam, len(unemployed))
        who = np.repeat(unemployed, count)
        first = tl.first_day[t] + np.maximum(day[t, who].astype(np.int32) - 1, 0)
        last = tl.first_day[t] + tl.days_in_month[t] - 1
        persons.append(who)
        months.append(np.full(len(who), t))
        dates.append(first + (rng.random(len(who)) * (last - first + 1)).astype(np.int32))
    person = np.concatenate(persons)
    date = np.concatenate(dates).astype(np.int32)
    month = np.concatenate(months)
    outcome = np.where(
        date > window_end - PENDING_DAYS, OUTCOMES.index("pending"), OUTCOMES.index("not_hired")
    )
    # some exits from unemployment to a job came through an offer made shortly before
    window_start = int(tl.first_day[tl.window_start])
    hire = (
        (events.previous == S.UNEMP) & (events.state == S.EMP) & (events.date >= window_start + 40)
    )
    hire &= rng.random(len(hire)) < hired_share
    hire_at = np.flatnonzero(hire)  # the previous event (same person) started the unemployment
    h_person = events.person[hire_at]
    h_date = np.maximum(
        events.date[hire_at] - rng.integers(5, 41, len(hire_at)), events.date[hire_at - 1]
    ).astype(np.int32)
    h_month = np.searchsorted(tl.first_day, h_date, side="right") - 1
    person = np.concatenate([person, h_person])
    date = np.concatenate([date, h_date])
    month = np.concatenate([month, h_month])
    outcome = np.concatenate([outcome, np.full(len(h_person), OUTCOMES.index("hired"))])
    number = rng.integers(0, vacancies, len(person))
    order = np.lexsort((number, date, person))
    person, date, month, outcome, number = (
        person[order],
        date[order],
        month[order],
        outcome[order],
        number[order],
    )
    unique = np.r_[
        True, (person[1:] != person[:-1]) | (date[1:] != date[:-1]) | (number[1:] != number[:-1])
    ]
    return Table(
        {
            "date": date[unique],
            "vacancy_id": _vacancy_ids(month[unique], number[unique], tl),
            "outcome": Coded(OUTCOMES, outcome[unique]),
        },
        person[unique],
    )


def caseloads(js: JobseekerSpells, geo: Geography, tl: Timeline, rng: np.random.Generator) -> Table:
    """One row per run of a search's spells with the same organisation and area."""
    window_start, window_end = (
        int(tl.first_day[tl.window_start]),
        int(tl.first_day[-1] + tl.days_in_month[-1] - 1),
    )
    area = geo.employment_area[js.municipality]
    trial_area = geo.trial_area[js.municipality]
    kk = js.responsible == RESPONSIBLE.index("municipal_trial")
    pool_area = np.where(kk, 100 + trial_area, area).astype(
        np.int64
    )  # trial areas get their own pools
    group_key = (js.search.astype(np.int64) * 1000 + js.responsible) * 1000 + pool_area
    new_group = np.r_[True, group_key[1:] != group_key[:-1]]
    last = np.r_[new_group[1:], True]
    start, end = js.start[new_group], js.end[last]
    org, pool, area_out, person = (
        js.responsible[new_group],
        pool_area[new_group],
        area[new_group],
        js.person[new_group],
    )
    # pool sizes from the average caseload of each (organisation, pool area) while it exists
    clip_end = np.where(end == NO_END, window_end, end)
    days = np.maximum(np.minimum(clip_end, window_end) - np.maximum(start, window_start) + 1, 0)
    pool_id = org.astype(np.int64) * 1000 + pool
    ids, inverse = np.unique(pool_id, return_inverse=True)
    existence = np.array(
        [
            max(min(window_end, b) - max(window_start, a) + 1, 1)
            for a, b in (ORGANISATION_PERIODS[r] for r in RESPONSIBLE)
        ]
    )
    active = np.bincount(inverse, weights=days) / existence[ids // 1000]
    size = np.maximum(np.ceil(active / CLIENTS_PER_EXPERT), 1).astype(np.int64)
    expert = (rng.random(len(start)) * size[inverse]).astype(np.int64)
    prefix = np.array([EXPERT_PREFIX[r] for r in RESPONSIBLE])[org]
    pool_label = np.where(
        org == RESPONSIBLE.index("municipal_trial"),
        np.array(geo.trial_area_codes)[np.maximum(pool - 100, 0) % len(geo.trial_area_codes)],
        np.char.zfill(pool.astype(str), 2),
    )
    expert_id = (
        pl.DataFrame({"p": prefix, "a": pool_label, "k": expert})
        .select(
            pl.concat_str(
                [
                    pl.col("p"),
                    pl.lit("-"),
                    pl.col("a"),
                    pl.lit("-"),
                    pl.col("k").cast(pl.Utf8).str.zfill(4),
                ]
            )
        )
        .to_series()
        .to_numpy()
        .astype(str)
    )
    return Table(
        {"expert_id": expert_id, "start": start, "end": end, "area": area_out.astype(np.int64)},
        person,
    )


def kykyviisari(
    events: Events, pop: Population, tl: Timeline, rng: np.random.Generator
) -> tuple[Table, dict]:
    """Assessments and the realised effect of rehabilitative work on the total score."""
    window_start, window_end = (
        int(tl.first_day[tl.window_start]),
        int(tl.first_day[-1] + tl.days_in_month[-1] - 1),
    )
    service = np.where(S.IS_SERVICE[events.state], events.state - S.SERVICE0, -1)
    p_start = np.zeros(len(S.SERVICE_NAMES))
    for name, p in KYKYVIISARI_AT_START.items():
        p_start[S.SERVICE_NAMES.index(name)] = p
    chosen = (service >= 0) & (rng.random(len(service)) < p_start[np.maximum(service, 0)])
    person = events.person[chosen]
    base = events.date[chosen] - rng.integers(0, 15, chosen.sum())
    repeat = rng.random(len(base)) < 0.6
    second = base + rng.integers(90, 301, len(base))
    third_on = repeat & (rng.random(len(base)) < 0.3)
    third = second + rng.integers(90, 301, len(base))
    person = np.concatenate([person, person[repeat], person[third_on]])
    date = np.concatenate([base, second[repeat], third[third_on]]).astype(np.int32)
    inside = (date >= window_start) & (date <= window_end)
    person, date = person[inside], date[inside]
    order = np.lexsort((date, person))
    person, date = person[order], date[order]
    unique = np.r_[True, (person[1:] != person[:-1]) | (date[1:] != date[:-1])]
    person, date = person[unique], date[unique]

    target = S.SERVICE0 + S.SERVICE_NAMES.index(KYKYVIISARI_SERVICE)
    first_rehab = np.full(len(pop), NO_END, dtype=np.int64)
    rehab = events.state == target
    np.minimum.at(first_rehab, events.person[rehab], events.date[rehab])
    treated = first_rehab[person] < date
    years = (date - day_number("2015-01-01")) / 365.25
    latent = pop.ability[person] - 0.03 * years + rng.normal(0, 0.6, len(person))
    effect = np.where(treated, KYKYVIISARI_EFFECT, 0.0)
    total = np.clip(latent + effect, 0, 10)
    total_without = np.clip(latent, 0, 10)
    dims = {
        name: np.round(np.clip(total + rng.normal(0, 0.7, len(person)), 0, 10), 1)
        for name in ("score_health", "score_competence", "score_motivation", "score_environment")
    }
    columns = {"date": date, "score_total": np.round(total, 1), **dims}
    realised = float((total - total_without)[treated].mean()) if treated.any() else 0.0
    truth = {
        "assessments": int(len(person)),
        "assessments_after_service_start": int(treated.sum()),
        "realised_mean_effect_on_score_total": round(realised, 4),
    }
    return Table(columns, person), truth


def satisfaction(
    state: np.ndarray, pop: Population, geo: Geography, tl: Timeline, rng: np.random.Generator
) -> Table:
    mean_score = rng.normal(3.9, 0.15, geo.n)
    municipality, date, respondent, score = [], [], [], []
    for t in range(tl.window_start, tl.n):
        home = pop.municipality_at(t)
        registered = np.bincount(home[S.REGISTERED[state[t]]], minlength=geo.n)
        working = np.bincount(home[S.LABOUR_FORCE[state[t]]], minlength=geo.n)
        for kind, counts in (
            ("jobseeker", rng.poisson(0.012 * registered)),
            ("employer", rng.poisson(0.0008 * working)),
        ):
            where = np.repeat(np.arange(geo.n), counts)
            day = tl.first_day[t] + (rng.random(len(where)) * tl.days_in_month[t]).astype(np.int32)
            municipality.append(where)
            date.append(day)
            respondent.append(np.full(len(where), RESPONDENTS.index(kind)))
            offset = 0.1 if kind == "employer" else 0.0
            score.append(
                np.clip(np.rint(mean_score[where] + offset + rng.normal(0, 0.9, len(where))), 1, 5)
            )
    m, d = np.concatenate(municipality), np.concatenate(date).astype(np.int32)
    r, s = np.concatenate(respondent), np.concatenate(score).astype(np.int64)
    order = np.lexsort((r, d, m))
    m, d, r, s = m[order], d[order], r[order], s[order]
    return Table(
        {
            "municipality": municipality_codes(geo, m, d),
            "date": d,
            "respondent": Coded(RESPONDENTS, r),
            "score": s,
        }
    )


def labour_force_counts(
    state: np.ndarray, pop: Population, geo: Geography, tl: Timeline
) -> dict[int, np.ndarray]:
    """Synthetic labour force at each window year's last month: year -> (3 groups, municipalities)."""
    out = {}
    years = tl.year
    for year in np.unique(years[tl.window_start :]):
        t = int(np.flatnonzero(years == year)[-1])
        home = pop.municipality_at(t)
        in_lf = S.LABOUR_FORCE[state[t]]
        groups = (in_lf, in_lf & (pop.citizenship > 0), in_lf & (int(year) - pop.birth_year < 25))
        out[int(year)] = np.stack([np.bincount(home[g], minlength=geo.n) for g in groups])
    return out


def labour_force(counts: dict[int, np.ndarray], geo: Geography) -> Table:
    groups = tuple(codes.LABOUR_FORCE_GROUPS)
    municipality, year, group, persons = [], [], [], []
    for y, table in counts.items():
        code = geo.code_2025 if y >= 2025 else geo.code_2021
        # 2025 division: Pertunmaa's persons are counted in Mäntyharju
        codes_y, inverse = np.unique(code, return_inverse=True)
        for g, name in enumerate(groups):
            summed = np.bincount(inverse, weights=table[g], minlength=len(codes_y)).astype(np.int64)
            municipality.append(codes_y)
            year.append(np.full(len(codes_y), y))
            group.append(np.full(len(codes_y), name))
            persons.append(summed)
    m, y, g, p = (np.concatenate(x) for x in (municipality, year, group, persons))
    order = np.lexsort((g, y, m))
    return Table(
        {
            "municipality": m[order],
            "year": y[order].astype(np.int64),
            "group": g[order],
            "persons": p[order],
        }
    )
