"""The no-subsidy world of the wage-subsidy truth (effect b): the treated without their entry.

The estimand is Sianesi's (2004): entering a wage subsidy in month ``e`` versus *not entering in
``e``*, possibly entering later. So each person whose first wage-subsidy spell in the register
window starts in month ``e`` is re-simulated with that one entry blocked: in month ``e`` the person
makes the transition of someone who did not enter (``Process._not_entering``) and carries on.

Why continuations. A subsidised job makes the treated outcome in the first months after entry
nearly certain, so an estimator's confidence band is narrow there, while *one* simulated
counterfactual of each person is a coin flip of its own (will they find a job this month?). One
draw would make the realised truth several standard errors noisier than the estimate it is meant
to check. So from the condition at the end of month ``e - 1``, each person is continued
``CONTINUATIONS`` times (``EARLY_CONTINUATIONS`` times for the first ``EARLY_MONTHS`` months, where
the bands are narrowest) and the truth's counterfactual outcome is the mean over them: the
person's expected outcome without the entry, given everything up to it. The first continuation
uses the factual world's random numbers (its path up to ``e`` reproduces the factual one exactly,
which the truth checks); the others have their own stream.

The continuations run as a dormant world of copies that adopt the first continuation's condition
just before their entry month and retire after their horizon. Every ``REBUILD_MONTHS`` the world is
rebuilt with only the copies alive or starting in the next months: a copy's path does not depend
on which world holds it, and the array work stays proportional to the copies actually followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaikutus.registry.synthetic.process import F, N_UNIFORMS, Process, month_uniforms

STREAM_CONTINUATIONS = 3
#: Months after the entry month that the wage-subsidy truth follows.
HORIZON_MONTHS = 36
#: Continuations per treated person over the whole horizon (the first with the factual world's
#: random numbers) and in its first months.
CONTINUATIONS = 10
EARLY_CONTINUATIONS, EARLY_MONTHS = 40, 6
REBUILD_MONTHS = 12


def continuation_uniforms(seed: int, t: int, n: int) -> np.ndarray:
    """Month ``t``'s uniforms of the ``n`` continuation copies followed in that month."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(STREAM_CONTINUATIONS, t))
    return np.random.Generator(np.random.PCG64(sequence)).random((N_UNIFORMS, n), dtype=F)


@dataclass
class Moments:
    """Sums over the continuations of one outcome, by month since entry (rows) and person."""

    total: np.ndarray  # (HORIZON_MONTHS, treated) float64
    squares: np.ndarray  # (HORIZON_MONTHS, treated) float64

    @classmethod
    def zeros(cls, n: int) -> Moments:
        return cls(np.zeros((HORIZON_MONTHS, n)), np.zeros((HORIZON_MONTHS, n)))

    def add(self, k: np.ndarray, who: np.ndarray, person: np.ndarray, values: np.ndarray) -> None:
        """Outcome ``values`` of continuations of ``person``; ``who`` are the distinct persons,
        in month entry + ``k`` (one month per person, so the cells are distinct)."""
        n = self.total.shape[1]
        self.total[k - 1, who] += np.bincount(person, values, n)[who]
        self.squares[k - 1, who] += np.bincount(person, values * values, n)[who]


@dataclass
class NoSubsidyWorld:
    """The treated persons without their first window entry into a wage subsidy."""

    blocked: Process  # first continuation, re-run from month 0: states and earnings recorded
    entry: np.ndarray  # month of the blocked entry, per treated person
    continuations: np.ndarray  # (HORIZON_MONTHS,) continuations behind month entry + k
    employed: Moments  # earnings > 0
    earnings: Moments

    def add(self, t: int, person: np.ndarray, earnings: np.ndarray) -> None:
        """Record continuations' earnings of month ``t`` (month entry + k, k = 1..horizon)."""
        k = t - self.entry[person]
        counted = (k >= 1) & (k <= HORIZON_MONTHS)
        if not counted.any():
            return
        person, values = person[counted], earnings[counted].astype(np.float64)
        who = np.flatnonzero(np.bincount(person, minlength=len(self.entry)))
        k = t - self.entry[who]
        self.employed.add(k, who, person, (values > 0).astype(np.float64))
        self.earnings.add(k, who, person, values)


class _Copies:
    """Continuations 2..EARLY_CONTINUATIONS of every treated person, in rebuilt dormant worlds."""

    def __init__(self, world: NoSubsidyWorld, seed: int) -> None:
        self.world, self.seed = world, seed
        n_treated, n_copies = len(world.entry), EARLY_CONTINUATIONS - 1
        self.person = np.tile(np.arange(n_treated), n_copies)  # per copy
        whole = np.repeat(np.arange(n_copies) < CONTINUATIONS - 1, n_treated)
        self.start = world.entry[self.person]
        self.last = self.start + np.where(whole, HORIZON_MONTHS, EARLY_MONTHS)
        self.rows = np.zeros(0, np.int64)  # the copies the current process holds, in order
        self.process: Process | None = None

    def before(self, t: int) -> None:
        """Rebuild when due; copies entering in ``t`` adopt the blocked world's condition."""
        if t % REBUILD_MONTHS == 0:
            self._rebuild(t)
        starting = np.flatnonzero(self.start[self.rows] == t)
        if len(starting):
            self.process.adopt(starting, self.world.blocked, self.person[self.rows[starting]])

    def _rebuild(self, t: int) -> None:
        wanted = np.flatnonzero((self.last >= t) & (self.start < t + REBUILD_MONTHS))
        blocked = self.world.blocked
        index = self.person[wanted]
        process = Process(
            blocked.pop.take(index), blocked.person[index], blocked.tl, blocked.geo,
            blocked.trial, block_wage_subsidy=self.start[wanted], dormant=True,
        )  # fmt: skip
        carried = np.flatnonzero(self.start[wanted] < t)
        if len(carried):
            process.adopt(carried, self.process, np.searchsorted(self.rows, wanted[carried]))
        self.process, self.rows = process, wanted

    def step(self, t: int) -> None:
        if len(self.rows) == 0:
            return
        rows = self.rows
        alive = np.flatnonzero((self.start[rows] <= t) & (self.last[rows] >= t))
        uniforms = np.zeros((N_UNIFORMS, len(rows)), F)
        uniforms[:, alive] = continuation_uniforms(self.seed, t, len(alive))
        self.process.step_own(t, uniforms)
        self.world.add(t, self.person[rows[alive]], self.process.month_earnings[alive])
        self.process.retire(np.flatnonzero(self.last[rows] == t))


def without_first_wage_subsidy(factual: Process, seed: int) -> NoSubsidyWorld:
    """Re-run the treated with their first window entry blocked, with their continuations."""
    treated = np.flatnonzero(factual.first_ws >= 0)
    entry = factual.first_ws[treated].astype(np.int64)
    blocked = Process(
        factual.pop.take(treated), treated, factual.tl, factual.geo, factual.trial,
        block_wage_subsidy=entry, record_states=True, record_earnings=True,
    )  # fmt: skip
    months = np.arange(1, HORIZON_MONTHS + 1)
    counts = np.where(months <= EARLY_MONTHS, EARLY_CONTINUATIONS, CONTINUATIONS)
    world = NoSubsidyWorld(
        blocked, entry, counts, Moments.zeros(len(treated)), Moments.zeros(len(treated))
    )
    copies = _Copies(world, seed)
    blocked.start()
    everyone = np.arange(len(treated))
    for t in range(factual.tl.n):
        copies.before(t)
        blocked.step(t, month_uniforms(seed, t, len(factual.pop)))
        world.add(t, everyone, blocked.month_earnings)
        copies.step(t)
    return world
