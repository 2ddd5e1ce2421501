"""Run the labour-market process for everybody and for the counterfactual worlds the truth needs.

* The **factual** world: every person, trial effects on, states/days/earnings recorded.
* The **no-trial** world (effect a): the persons who live in a trial area during the trial,
  copied from the factual world just before the trial starts and continued with the trial effects
  off but with the same uniforms.
* The **no-subsidy-now** world (effect b, ``nosubsidy.py``): the persons who entered a wage
  subsidy in the register window, re-run from the first month with that one entry blocked - in
  the entry month they make the transition of someone not entering, and may still enter a wage
  subsidy later ("treatment now versus not now") - and continued several times from the entry
  month on, so the truth's counterfactual is an expected outcome, not one draw.

The worlds share nothing mutable, so running them on threads changes no result.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np

from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.effects import TrialEffects
from vaikutus.registry.synthetic.geography import Geography
from vaikutus.registry.synthetic.population import Population
from vaikutus.registry.synthetic.nosubsidy import without_first_wage_subsidy
from vaikutus.registry.synthetic.process import Process, month_uniforms
from vaikutus.registry.synthetic.timeline import TRIAL_END, TRIAL_START, Timeline

def counting_day_unemployed(process: Process, counting_day: int) -> np.ndarray:
    """Unemployed on the counting day: a move after that day had not happened yet."""
    state = np.where(process.last_day > counting_day, process.last_old, process.state)
    return S.UNEMPLOYED[state]


@dataclass
class TrialCounterfactual:
    """Counting-day unemployed of the trial-area movers in both worlds, by trial area and month."""

    persons: np.ndarray  # global person numbers simulated without the trial effects
    months: np.ndarray  # month indices
    factual: np.ndarray  # (months, areas) int64
    counterfactual: np.ndarray  # (months, areas) int64


@dataclass
class Simulation:
    factual: Process
    trial: TrialCounterfactual
    wage_subsidy: Future  # of the NoSubsidyWorld


def trial_residents(pop: Population, geo: Geography, first: int, last: int) -> np.ndarray:
    """Persons living in a trial-area municipality in some month of [first, last]."""
    hit = np.zeros(len(pop), dtype=bool)
    for t in range(first, last + 1):
        hit |= geo.trial_area[pop.municipality_at(t)] >= 0
    return np.flatnonzero(hit)


def simulate(
    pop: Population,
    timeline: Timeline,
    geo: Geography,
    trial: TrialEffects,
    seed: int,
    pool: Executor,
) -> Simulation:
    """Run the factual and no-trial worlds; start the no-subsidy world on ``pool``.

    The no-trial world steps on the pool's thread beside the factual one (numpy releases the GIL
    in array operations); the no-subsidy world needs the factual entries, so it runs afterwards
    in the background while the caller derives the register tables.
    """
    n = len(pop)
    factual = Process(
        pop, np.arange(n), timeline, geo, trial, record_states=True, record_earnings=True
    )
    factual.start()
    # the no-trial world branches off when the trial starts (or at once if it started earlier)
    trial_first = max(timeline.index_of(TRIAL_START), 0)
    trial_last = min(timeline.index_of(TRIAL_END), timeline.n - 1)
    cd = timeline.counting_day_of_month
    n_areas = len(geo.trial_area_codes)
    months = np.arange(trial_first, timeline.n)
    fact_counts = np.zeros((len(months), n_areas), np.int64)
    cf_counts = np.zeros((len(months), n_areas), np.int64)
    residents = np.array([], dtype=np.int64)
    shadow = None
    for t in range(timeline.n):
        uniforms = month_uniforms(seed, t, n)
        if t == trial_first and trial_first <= trial_last:
            residents = trial_residents(pop, geo, trial_first, trial_last)
            shadow = factual.subset(residents, trial=None)
        beside = pool.submit(shadow.step, t, uniforms) if shadow is not None else None
        factual.step(t, uniforms)
        if beside is not None:
            beside.result()
            row = t - months[0]
            area_f = geo.trial_area[factual.municipality[residents]]
            area_c = geo.trial_area[shadow.municipality]
            unemployed_f = counting_day_unemployed(factual, int(cd[t]))[residents] & (area_f >= 0)
            unemployed_c = counting_day_unemployed(shadow, int(cd[t])) & (area_c >= 0)
            fact_counts[row] = np.bincount(area_f[unemployed_f], minlength=n_areas)
            cf_counts[row] = np.bincount(area_c[unemployed_c], minlength=n_areas)
    return Simulation(
        factual=factual,
        trial=TrialCounterfactual(residents, months, fact_counts, cf_counts),
        wage_subsidy=pool.submit(without_first_wage_subsidy, factual, seed),
    )
