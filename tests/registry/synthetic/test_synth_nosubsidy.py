"""The no-subsidy world behind the wage-subsidy truth: the entry month and the continuations."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import stats

from vaikutus.registry.synthetic import nosubsidy
from vaikutus.registry.synthetic import states as S
from vaikutus.registry.synthetic.effects import TrialEffects
from vaikutus.registry.synthetic.geography import build_geography
from vaikutus.registry.synthetic.population import draw_population
from vaikutus.registry.synthetic.process import F, _elsewhere
from vaikutus.registry.synthetic.simulate import simulate
from vaikutus.registry.synthetic.timeline import Timeline


@pytest.fixture(scope="module")
def worlds():
    tl, geo = Timeline.build("2018-01", "2024-12"), build_geography()
    pop = draw_population(4_000, tl, geo, np.random.default_rng(11))
    with ThreadPoolExecutor(max_workers=1) as pool:
        sim = simulate(pop, tl, geo, TrialEffects.draw(geo, np.random.default_rng(12)), 13, pool)
        world = sim.wage_subsidy.result()
    return sim.factual, world


@pytest.mark.parametrize(("lo", "hi"), [(0.0, 0.02), (0.3, 0.45)])
def test_blocked_uniforms_spread_evenly_over_the_other_outcomes(lo, hi):
    lo, hi = F(lo), F(hi)
    u = (lo + (hi - lo) * np.random.default_rng(0).random(100_000)).astype(F)
    u = u[u < hi]
    v = _elsewhere(u, lo, hi)
    assert v.dtype == F and not ((v >= lo) & (v < hi)).any() and (v < 1).all()
    closed_up = np.where(v < lo, v, v - (hi - lo)) / (1 - (hi - lo))  # the rest, made contiguous
    assert stats.kstest(closed_up, "uniform").pvalue > 0.01


def test_entry_month_is_the_month_of_a_jobseeker_not_entering(worlds):
    factual, world = worlds
    treated, entry = world.blocked.person, world.entry
    rows = np.arange(len(treated))
    assert len(treated) > 200
    month_e = world.blocked.rec.state[entry, rows]
    assert not (month_e == S.S_WS).any()
    from_unemployment = factual.rec.state[entry - 1, treated] == S.UNEMP
    left = (month_e[from_unemployment] != S.UNEMP).mean()
    # the unemployed who did not enter a wage subsidy in the same months, in the factual world
    state = factual.rec.state
    t = np.arange(factual.tl.window_start + 1, factual.tl.n)
    at_risk = state[t - 1] == S.UNEMP
    entered = state[t] == S.S_WS
    base = ((state[t] != S.UNEMP) & at_risk & ~entered).sum() / (at_risk & ~entered).sum()
    # the counterfactual entrants leave unemployment in the entry month about as often as the
    # non-entrants do (the old truth kept them all unemployed: left == 0)
    assert 0.5 * base < left < 1.5 * base, (left, base)


def test_truth_counterfactual_averages_the_continuations(worlds):
    _, world = worlds
    counts = world.continuations
    assert counts[0] == nosubsidy.EARLY_CONTINUATIONS and counts[-1] == nosubsidy.CONTINUATIONS
    # every treated person observed in month entry + 1 has all its continuations behind it
    observed = world.entry + 1 < world.blocked.tl.n
    employed = world.employed.total[0]
    assert (employed[observed] <= counts[0]).all() and (employed[~observed] == 0).all()
    share = employed[observed] / counts[0]
    assert ((share > 0) & (share < 1)).mean() > 0.1  # continuations differ: a mean, not one draw


def test_continuations_do_not_depend_on_how_they_are_batched(worlds, monkeypatch):
    factual, world = worlds
    monkeypatch.setattr(nosubsidy, "REBUILD_MONTHS", 5)
    again = nosubsidy.without_first_wage_subsidy(factual, 13)
    for name in ("employed", "earnings"):
        a, b = getattr(world, name), getattr(again, name)
        assert np.array_equal(a.total, b.total) and np.array_equal(a.squares, b.squares)
