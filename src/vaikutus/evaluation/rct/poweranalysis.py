"""Power, minimum detectable effect (MDE) and sample size for randomised trials.

One standard error covers individual and cluster randomisation (Bloom 2005; Raudenbush et al.,
*Optimal Design*):

    SE(ITT) = sd * sqrt( [icc * (1 - r2_cluster) * m + (1 - icc) * (1 - r2)] / (n_f * p * (1 - p)) )

where ``n_f = n * (1 - attrition)`` persons are followed up, ``m = cluster_size * (1 - attrition)``
is the followed-up cluster size (the number of clusters is unchanged by attrition), ``p`` is the
share assigned to the service, ``r2`` the share of the person-level outcome variance explained by
baseline covariates and ``r2_cluster`` that of the cluster-level variance. With ``icc = 0`` and
``cluster_size = 1`` this is the two-sample formula with covariate adjustment; with
``r2 = r2_cluster = 0`` the bracket is the design effect ``1 + (m - 1) icc``.

Partial take-up: the intention-to-treat (ITT) effect equals the effect on those who take the
service up (complier effect) times ``take_up - crossover`` (shares receiving the service in the
service and control arms). **All effects here are complier effects**, in outcome units; with full
take-up and no crossover they equal the ITT effect.

Power is computed as statsmodels' ``TTestIndPower`` does (noncentral t, both tails, ``df = n_f - 2``
for persons or ``J - 2`` for ``J`` clusters) or as ``NormalIndPower`` with
``distribution="normal"``. The MDE and the sample size are solved exactly from the power function
with :func:`scipy.optimize.brentq`; the textbook closed form ``MDE = (t_{1-a/2} + t_{power}) * SE``
is exact for the normal and a close approximation for t.

Binary outcomes: give ``baseline_rate`` instead of ``sd``; the outcome sd is then
``sqrt(p0 * (1 - p0))`` and effects are differences in proportions (percentage points / 100),
matching the trial analysis (a linear probability model). statsmodels' ``proportion_effectsize``
(Cohen's arcsine ``h``) is a different scale and is not used.

Why our own code: statsmodels' power classes take an effect size in sd units for two plain samples;
covariates, clusters, attrition and take-up are not in them. Tests cross-check the overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from scipy import optimize, stats


@dataclass(frozen=True)
class PowerDesign:
    """The design assumptions shared by :func:`power`, :func:`mde` and :func:`sample_size`.

    allocation: share of persons (or clusters) assigned to the service.
    sd / baseline_rate: outcome standard deviation, or the control-group rate of a binary outcome.
    r2, r2_cluster: outcome variance explained by covariates at person / cluster level.
    icc, cluster_size: intra-cluster correlation and persons per cluster (1 = individual design).
    attrition: share of randomised persons without an outcome.
    take_up, crossover: share receiving the service in the service arm / in the control arm.
    alpha, alternative: significance level; ``"two-sided"`` or ``"larger"``.
    distribution: ``"t"`` (as TTestIndPower) or ``"normal"`` (as NormalIndPower).
    """

    allocation: float = 0.5
    sd: float | None = None
    baseline_rate: float | None = None
    r2: float = 0.0
    r2_cluster: float | None = None
    icc: float = 0.0
    cluster_size: float = 1.0
    attrition: float = 0.0
    take_up: float = 1.0
    crossover: float = 0.0
    alpha: float = 0.05
    alternative: Literal["two-sided", "larger"] = "two-sided"
    distribution: Literal["t", "normal"] = "t"

    def __post_init__(self) -> None:
        _open_unit("allocation", self.allocation)
        _open_unit("alpha", self.alpha)
        for name in ("r2", "icc", "attrition", "crossover"):
            _half_open_unit(name, getattr(self, name))
        if self.r2_cluster is not None:
            _half_open_unit("r2_cluster", self.r2_cluster)
        if not 0 < self.take_up <= 1:
            raise ValueError(f"take_up must be in (0, 1], got {self.take_up}")
        if self.take_up <= self.crossover:
            raise ValueError(
                f"take_up ({self.take_up}) must exceed crossover ({self.crossover}): "
                "otherwise assignment does not change who receives the service"
            )
        if self.cluster_size < 1:
            raise ValueError(f"cluster_size must be at least 1, got {self.cluster_size}")
        if (self.sd is None) == (self.baseline_rate is None):
            raise ValueError(
                "give exactly one of sd (continuous outcome) or baseline_rate (binary)"
            )
        if self.sd is not None and self.sd <= 0:
            raise ValueError(f"sd must be positive, got {self.sd}")
        if self.baseline_rate is not None:
            _open_unit("baseline_rate", self.baseline_rate)
        if self.alternative not in ("two-sided", "larger"):
            raise ValueError(
                f"alternative must be 'two-sided' or 'larger', got {self.alternative!r}"
            )
        if self.distribution not in ("t", "normal"):
            raise ValueError(f"distribution must be 't' or 'normal', got {self.distribution!r}")

    @property
    def outcome_sd(self) -> float:
        if self.sd is not None:
            return self.sd
        rate = self.baseline_rate
        return math.sqrt(rate * (1 - rate))

    @property
    def compliance(self) -> float:
        """How much assignment raises the share receiving the service."""
        return self.take_up - self.crossover

    @property
    def clustered(self) -> bool:
        return self.cluster_size > 1

    def standard_error(self, n: float) -> float:
        """Standard error of the ITT estimate with ``n`` persons randomised."""
        followed = n * (1 - self.attrition)
        m = self.cluster_size * (1 - self.attrition) if self.clustered else 1.0
        r2_cluster = self.r2 if self.r2_cluster is None else self.r2_cluster
        inflation = self.icc * (1 - r2_cluster) * m + (1 - self.icc) * (1 - self.r2)
        p = self.allocation
        return self.outcome_sd * math.sqrt(inflation / (followed * p * (1 - p)))

    def degrees_of_freedom(self, n: float) -> float:
        units = n / self.cluster_size if self.clustered else n * (1 - self.attrition)
        return units - 2

    def minimum_n(self) -> float:
        """Smallest ``n`` with at least one degree of freedom."""
        return 3 * self.cluster_size if self.clustered else 3 / (1 - self.attrition)

    def power_at(self, n: float, effect: float) -> float:
        """Probability of a significant result when the complier effect is ``effect``."""
        df = self.degrees_of_freedom(n)
        if df <= 0:
            raise ValueError(
                f"n = {n:g} leaves no degrees of freedom; need n >= {self.minimum_n():g}"
            )
        ncp = effect * self.compliance / self.standard_error(n)
        tail = self.alpha / 2 if self.alternative == "two-sided" else self.alpha
        if self.distribution == "t":
            crit = stats.t.isf(tail, df)
            upper = stats.nct.sf(crit, df, ncp)
            lower = stats.nct.cdf(-crit, df, ncp)
        else:
            crit = stats.norm.isf(tail)
            upper = stats.norm.sf(crit - ncp)
            lower = stats.norm.cdf(-crit - ncp)
        return float(upper + lower) if self.alternative == "two-sided" else float(upper)

    def closed_form_mde(self, n: float, power: float) -> float:
        """Bloom's ``(t_{1-a/2} + t_{power}) * SE / compliance`` (normal quantiles if normal)."""
        tail = self.alpha / 2 if self.alternative == "two-sided" else self.alpha
        if self.distribution == "t":
            df = self.degrees_of_freedom(n)
            multiplier = stats.t.isf(tail, df) + stats.t.ppf(power, df)
        else:
            multiplier = stats.norm.isf(tail) + stats.norm.ppf(power)
        return multiplier * self.standard_error(n) / self.compliance


def power(*, n: float, mde: float, **design: Any) -> float:
    """Power to detect a complier effect ``mde`` with ``n`` persons randomised.

    Other keywords are the fields of :class:`PowerDesign` (allocation, sd or baseline_rate, r2,
    r2_cluster, icc, cluster_size, attrition, take_up, crossover, alpha, alternative, distribution).
    """
    return PowerDesign(**design).power_at(n, mde)


def mde(*, n: float, power: float = 0.8, **design: Any) -> float:
    """Minimum detectable complier effect (outcome units) with ``n`` persons randomised."""
    spec = PowerDesign(**design)
    _open_unit("power", power)
    guess = spec.closed_form_mde(n, power)
    return _solve(lambda effect: spec.power_at(n, effect) - power, guess)


def sample_size(*, mde: float, power: float = 0.8, **design: Any) -> float:
    """Persons to randomise (before attrition) for ``power`` against a complier effect ``mde``.

    The result is continuous, like statsmodels' ``solve_power``; round up (to whole clusters in a
    cluster design) when planning.
    """
    spec = PowerDesign(**design)
    _open_unit("power", power)
    if mde <= 0:
        raise ValueError(f"mde must be positive, got {mde}")
    low = spec.minimum_n()
    if spec.power_at(low, mde) >= power:
        return low
    return _solve(lambda n: spec.power_at(n, mde) - power, 2 * low, lower=low)


def _solve(gap: Any, guess: float, lower: float = 0.0) -> float:
    """Root of an increasing function ``gap`` above ``lower``, bracketing from ``guess``."""
    upper = max(guess, lower) * 2
    while gap(upper) < 0:
        upper *= 2
        if upper > 1e12:
            raise ValueError("no solution: the target power cannot be reached")
    start = lower if lower > 0 else upper * 1e-9
    return float(optimize.brentq(gap, start, upper, xtol=1e-12, rtol=1e-12))


def _open_unit(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")


def _half_open_unit(name: str, value: float) -> None:
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
