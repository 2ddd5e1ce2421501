"""Who the synthetic persons are: traits, where they live, when they enter and leave.

The persons are a sample of the Finnish labour force at the start of the burn-in (the *stock*)
plus those who join it during the simulated years: young people leaving school and immigrants.
Everyone is drawn at once with vectorised numpy; nothing here depends on the labour-market
process, so life events (entry, moves, retirement, emigration) are fixed in advance and the
process can be re-simulated for any subset of persons with identical results.

Mixes (approximate labour-force shares): men 52 %, ISCED 0-2 11 %, 3-4 42 %, 5 11 %, 6 19 %,
7-8 17 %; Swedish speakers by the municipality's language status; foreign citizens about 7 %,
more where the real foreign share of the unemployed is higher (12r5 TYOTTOMATULK); partial work
ability about 9 % (12 % of the unemployed in 12r5); unemployment-fund members about two thirds.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.geography import Geography
from vaikutus.registry.synthetic.timeline import Timeline

NEVER = np.iinfo(np.int16).max
#: Entrants during the simulated period per stock person and year (school leavers, immigrants).
YOUNG_ENTRY_RATE = 0.026
IMMIGRANT_ENTRY_RATE = 0.007
#: Monthly probabilities of leaving the sample (besides retirement at 63-68).
EMIGRATION = {"FI": 0.00015, "EU_EEA": 0.0045, "other": 0.0025}
DEATH = 0.00012
#: Monthly probability of moving to another municipality (doubled under 30).
MOVE = 0.0018
#: Standard deviation of log frailty (unobserved employability).
FRAILTY_SD = 0.8
FOREIGN_SHARE = 0.065
EU_SHARE_OF_FOREIGN = 0.3
EDUCATION_LEVELS = np.arange(9)
EDUCATION_WEIGHTS = np.array([0.005, 0.01, 0.095, 0.40, 0.02, 0.11, 0.19, 0.155, 0.015])
#: Age at the start of the burn-in: labour-force age profile (relative weights by age 17..61).
STOCK_AGE_WEIGHTS = {17: 0.35, 20: 0.8, 25: 1.0, 30: 1.05, 55: 0.95, 60: 0.7}
#: Highest ISCED level plausible by age at the end of the window.
EDUCATION_CAP_BY_AGE = ((19, 2), (21, 3), (23, 5), (25, 6))


@dataclass
class Population:
    """One entry per person; arrays are aligned and can be subset with :meth:`take`."""

    birth_year: np.ndarray  # int16
    birth_day: np.ndarray  # int16, 0-based day of the year (proposal; hetu may move it)
    male: np.ndarray  # bool
    education: np.ndarray  # int8, ISCED 0-8
    language: np.ndarray  # int8: 0 fi, 1 sv, 2 other
    citizenship: np.ndarray  # int8: 0 FI, 1 EU_EEA, 2 other
    partial_work_ability: np.ndarray  # bool
    fund_member: np.ndarray  # bool
    frailty: np.ndarray  # float32 exp(z): unobserved, raises separations and slows exits
    wage_level: np.ndarray  # float32, full-time monthly wage in 2015 euros
    ability: np.ndarray  # float32, latent Kykyviisari level 0-10
    municipality: np.ndarray  # int16 (n, 3): home before / after the first / after the second move
    move_month: np.ndarray  # int16 (n, 2): month index of each move (NEVER = none)
    move_day: np.ndarray  # int8 (n, 2): day of month of each move
    entry_month: np.ndarray  # int16
    entry_state: np.ndarray  # int8
    initial_duration: np.ndarray  # int16, months already spent in the entry state
    exit_month: np.ndarray  # int16
    exit_state: np.ndarray  # int8

    def __len__(self) -> int:
        return len(self.birth_year)

    def take(self, index: np.ndarray) -> Population:
        return Population(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def municipality_at(self, month: int) -> np.ndarray:
        """Home municipality index at the end of a month."""
        first, second = self.move_month[:, 0] <= month, self.move_month[:, 1] <= month
        return np.where(
            second,
            self.municipality[:, 2],
            np.where(first, self.municipality[:, 1], self.municipality[:, 0]),
        )

    @property
    def foreign(self) -> np.ndarray:
        return (self.citizenship > 0) | (self.language == 2)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    ages = np.arange(17, 62)
    bounds = sorted(STOCK_AGE_WEIGHTS)
    weights = np.array([STOCK_AGE_WEIGHTS[max(b for b in bounds if b <= a)] for a in ages])
    return rng.choice(ages, size=n, p=weights / weights.sum())


def _geometric_month(rng: np.random.Generator, p: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Month of the first success of monthly Bernoulli(p) trials from ``first`` (NEVER if late)."""
    wait = rng.geometric(np.clip(p, 1e-9, 1.0))
    return np.minimum(first.astype(np.int64) + wait, NEVER).astype(np.int16)


def draw_population(
    n: int, timeline: Timeline, geo: Geography, rng: np.random.Generator
) -> Population:
    years = timeline.n / 12
    per_stock = 1 + (YOUNG_ENTRY_RATE + IMMIGRANT_ENTRY_RATE) * years
    n_stock = int(round(n / per_stock))
    n_young = int(
        round((n - n_stock) * YOUNG_ENTRY_RATE / (YOUNG_ENTRY_RATE + IMMIGRANT_ENTRY_RATE))
    )
    n_immigrant = n - n_stock - n_young
    kind = np.repeat(np.array([0, 1, 2], dtype=np.int8), [n_stock, n_young, n_immigrant])
    stock, young, immigrant = kind == 0, kind == 1, kind == 2
    origin_year = int(timeline.year[0])

    entry_month = np.where(stock, 0, rng.integers(1, timeline.n, n)).astype(np.int16)
    entry_year = timeline.year[entry_month].astype(np.int64)
    age_at_entry = np.select(
        [stock, young], [_ages(rng, n), rng.integers(16, 20, n)], rng.integers(20, 46, n)
    )
    birth_year = (np.where(stock, origin_year, entry_year) - age_at_entry).astype(np.int16)
    birth_day = rng.integers(0, 365, n).astype(np.int16)
    male = rng.random(n) < np.where(immigrant, 0.55, 0.52)

    lf_weight = geo.labour_force / geo.labour_force.sum()
    foreign_weight = lf_weight * geo.foreign_weight / (lf_weight * geo.foreign_weight).sum()
    home = rng.choice(geo.n, size=n, p=lf_weight)
    home = np.where(immigrant, rng.choice(geo.n, size=n, p=foreign_weight), home).astype(np.int16)

    p_foreign = np.clip(FOREIGN_SHARE * geo.foreign_weight[home], 0, 0.6)
    foreign = immigrant | (rng.random(n) < p_foreign)
    citizenship = np.where(foreign, np.where(rng.random(n) < EU_SHARE_OF_FOREIGN, 1, 2), 0).astype(
        np.int8
    )
    u_lang = rng.random(n)
    swedish = geo.swedish_share[home]
    language = np.where(
        foreign,
        np.select([u_lang < 0.88, u_lang < 0.98], [2, 0], 1),
        np.select([u_lang < 0.03, u_lang < 0.03 + swedish], [2, 1], 0),
    ).astype(np.int8)

    education = rng.choice(EDUCATION_LEVELS, size=n, p=EDUCATION_WEIGHTS)
    education = np.where(immigrant & (rng.random(n) < 0.25), rng.integers(0, 3, n), education)
    age_at_end = int(timeline.year[-1]) - birth_year
    for age, cap in EDUCATION_CAP_BY_AGE:
        education = np.where(age_at_end < age, np.minimum(education, cap), education)
    education = education.astype(np.int8)

    age_2020 = 2020 - birth_year
    partial_work_ability = rng.random(n) < 0.06 + 0.06 * (age_2020 >= 50)
    fund_member = rng.random(n) < np.select([foreign, young], [0.45, 0.40], 0.74)
    z = rng.normal(0.0, FRAILTY_SD, n)
    frailty = np.exp(z).astype(np.float32)

    edu_premium = np.array([-0.15, -0.15, -0.12, 0.0, 0.03, 0.12, 0.28, 0.48, 0.6])[education]
    age_2015 = np.clip(2015 - birth_year, 17, 70)
    age_profile = -0.35 * np.exp(-(age_2015 - 17) / 8.0)
    wage_level = np.exp(
        np.log(2650)
        + edu_premium
        + age_profile
        - 0.14 * ~male
        - 0.12 * foreign
        - 0.15 * partial_work_ability
        + rng.normal(0, 0.28, n)
    ).astype(np.float32)
    ability = np.clip(
        6.4
        - 1.3 * partial_work_ability
        - 0.3 * (age_2020 >= 55)
        + 0.15 * (education >= 6)
        - 0.5 * z
        + rng.normal(0, 0.9, n),
        0.5,
        9.5,
    ).astype(np.float32)

    # moves: destinations follow the labour force, so the map stays stationary
    move_p = MOVE * np.where(age_2020 < 35, 2.0, 1.0)
    first_move = _geometric_month(rng, move_p, entry_month)
    second_move = _geometric_month(rng, move_p, first_move)
    move_month = np.stack([first_move, second_move], axis=1)
    move_month[move_month >= timeline.n] = NEVER
    destinations = rng.choice(geo.n, size=(n, 2), p=lf_weight).astype(np.int16)
    municipality = np.concatenate([home[:, None], destinations], axis=1)
    # a move to the same municipality is no move
    same = municipality[:, 1:] == municipality[:, :-1]
    municipality[:, 1:][same] = municipality[:, :-1][same]
    move_month[same] = NEVER
    move_day = (1 + rng.integers(0, 28, (n, 2))).astype(np.int8)

    entry_state, initial_duration = _entry_states(rng, kind, geo, home, education)

    retire_age = rng.choice(np.arange(63, 69), size=n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    retire_month = (birth_year.astype(np.int64) + retire_age - origin_year) * 12 + birth_day // 31
    retire_month = np.clip(retire_month, 0, NEVER).astype(np.int16)
    emigrate_p = np.choose(
        citizenship, [EMIGRATION["FI"], EMIGRATION["EU_EEA"], EMIGRATION["other"]]
    )
    window = np.full(n, timeline.window_start, dtype=np.int16)
    earliest = np.maximum(entry_month, window)
    emigrate_month = _geometric_month(rng, emigrate_p, earliest)
    death_month = _geometric_month(rng, np.full(n, DEATH), earliest)
    retire_month = np.maximum(retire_month, earliest + 1)
    candidates = np.stack([emigrate_month, retire_month, death_month], axis=1)
    which = candidates.argmin(axis=1)
    exit_month = candidates.min(axis=1)
    exit_month[exit_month >= timeline.n] = NEVER
    exit_state = np.array([S.X_ABROAD, S.X_RETIRED, S.X_OTHER], dtype=np.int8)[which]

    return Population(
        birth_year=birth_year,
        birth_day=birth_day,
        male=male,
        education=education,
        language=language,
        citizenship=citizenship,
        partial_work_ability=partial_work_ability,
        fund_member=fund_member,
        frailty=frailty,
        wage_level=wage_level,
        ability=ability,
        municipality=municipality,
        move_month=move_month,
        move_day=move_day,
        entry_month=entry_month,
        entry_state=entry_state,
        initial_duration=initial_duration,
        exit_month=exit_month,
        exit_state=exit_state,
    )


def _entry_states(
    rng: np.random.Generator,
    kind: np.ndarray,
    geo: Geography,
    home: np.ndarray,
    education: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The state each person enters in, and how long the stock has already been in it."""
    n = len(kind)
    u = rng.random(n)
    ratio = geo.inflow_multiplier[home] / geo.outflow_multiplier[home]
    p_unemployed = np.clip(0.10 * ratio * np.where(education <= 2, 1.6, 1.0), 0.02, 0.4)
    stock_state = np.select(
        [
            u < p_unemployed,
            u < p_unemployed + 0.012,
            u < p_unemployed + 0.04,
            u < p_unemployed + 0.05,
            u < p_unemployed + 0.07,
        ],
        [
            S.UNEMP,
            S.LAID,
            S.SERVICE0
            + rng.choice(
                len(S.SERVICE_NAMES), n, p=[0.3, 0.25, 0.1, 0.08, 0.12, 0.1, 0.03, 0.01, 0.0, 0.01]
            ),
            S.EMPJS,
            S.OLF,
        ],
        S.EMP,
    )
    u2 = rng.random(n)
    young_state = np.select([u2 < 0.85, u2 < 0.95], [S.EDU, S.EMP], S.UNEMP)
    immigrant_state = np.select([u2 < 0.5, u2 < 0.8], [S.UNEMP, S.EMP], S.OLF)
    state = np.choose(kind, [stock_state, young_state, immigrant_state]).astype(np.int8)
    duration = np.where(
        state == S.UNEMP,
        np.minimum(rng.exponential(11.0, n), 120),
        np.where(state == S.EMP, rng.exponential(48.0, n), rng.exponential(3.0, n)),
    )
    duration = np.where(kind == 0, duration, 0).astype(np.int16)
    return state, duration
