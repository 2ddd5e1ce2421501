"""Simulation-based power on register data, in the spirit of DeclareDesign.

The eligible population (e.g. from :func:`vaikutus.evaluation.rct.population.population`) supplies
what would happen *without* the service: its observed follow-up outcome is the control potential
outcome ``Y0``. A chosen effect gives ``Y1``: ``Y0 + effect`` for a continuous outcome; for a 0/1
outcome, persons without the outcome gain it with probability ``effect / (1 - mean(Y0))`` (or, for a
negative effect, those with it lose it with probability ``-effect / mean(Y0)``), so ``Y1`` stays
0/1 and the average effect is ``effect``. Each replication draws the trial sample (``sample``
persons without replacement, or everyone), assigns it with the design and estimates the effect.
Reported: power (share significant), bias, RMSE, 95 % interval coverage and the mean standard
error, each with its Monte Carlo error.

A cluster design re-assigns all clusters of the population in every replication (the
caseworkers or offices of the chosen areas are the trial); ``sample`` is for individual designs.
Replications run in vectorised chunks through :func:`.estimators.lin_batch`; a custom estimator
(a function ``frame -> (estimate, std_error)``) runs in a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from vaikutus.evaluation.rct.estimators import covariate_matrix, lin_batch
from vaikutus.evaluation.rct.randomise import (
    RandomisationDesign,
    cluster_layout,
    draw_codes,
    group_codes,
    require_columns,
)

Estimator = Callable[[pd.DataFrame], tuple[float, float]]
CHUNK = 100


@dataclass(frozen=True)
class SimulationResult:
    """Operating characteristics of a design and estimator over ``reps`` simulated trials."""

    effect: float
    reps: int
    n: int
    alpha: float
    estimator: str
    design: dict[str, Any]
    estimates: np.ndarray = field(repr=False)
    std_errors: np.ndarray = field(repr=False)

    @property
    def power(self) -> float:
        return float(np.mean(self._p_values() < self.alpha))

    @property
    def bias(self) -> float:
        return float(np.mean(self.estimates) - self.effect)

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.mean((self.estimates - self.effect) ** 2)))

    @property
    def coverage(self) -> float:
        half = stats.norm.ppf(0.975) * self.std_errors
        return float(np.mean(np.abs(self.estimates - self.effect) <= half))

    def _p_values(self) -> np.ndarray:
        return 2 * stats.norm.sf(np.abs(self.estimates / self.std_errors))

    def to_frame(self) -> pd.DataFrame:
        """Diagnosands with their Monte Carlo standard errors where they have a simple one."""
        spread = float(np.std(self.estimates, ddof=1))
        rows = [
            ("power", self.power, _share_se(self.power, self.reps)),
            ("bias", self.bias, spread / np.sqrt(self.reps)),
            ("rmse", self.rmse, np.nan),
            ("coverage_95", self.coverage, _share_se(self.coverage, self.reps)),
            ("mean_std_error", float(np.mean(self.std_errors)), np.nan),
            ("sd_of_estimates", spread, np.nan),
        ]
        return pd.DataFrame(rows, columns=["diagnosand", "value", "monte_carlo_se"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "rct-simulation",
            "effect": self.effect,
            "reps": self.reps,
            "n": self.n,
            "alpha": self.alpha,
            "estimator": self.estimator,
            "design": self.design,
            "diagnosands": self.to_frame(),
        }

    def summary(self) -> str:
        return (
            f"Simulated {self.reps} trials of {self.n} persons ({self.design['kind']} design, "
            f"estimator {self.estimator}), true effect {self.effect:g}:\n"
            + self.to_frame().to_string(index=False, float_format=lambda v: f"{v:.4g}")
        )

    def figures(self) -> dict[str, Any]:
        return {"sampling_distribution": self.plot()}

    def plot(self) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.5, 3.5))
        ax.hist(self.estimates, bins=40, color="#9fb7d0")
        ax.axvline(self.effect, color="#b2182b", label=f"true effect {self.effect:g}")
        ax.axvline(0, color="#555", lw=0.8)
        ax.set_xlabel("estimated effect")
        ax.set_title(f"Estimates over {self.reps} simulated trials (power {self.power:.2f})")
        ax.legend(frameon=False)
        fig.tight_layout()
        return fig


def simulate(
    population: pd.DataFrame,
    design: RandomisationDesign,
    *,
    outcome: str,
    effect: float,
    sample: int | None = None,
    covariates: Sequence[str] = (),
    estimator: str | Estimator = "lin",
    reps: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> SimulationResult:
    """Simulate ``reps`` trials of ``design`` on ``population`` with a true effect ``effect``.

    estimator: ``"lin"`` (Lin's adjustment for ``covariates`` and the design's strata, HC2 or
    cluster errors), ``"difference"`` (difference in means), or a function of a trial DataFrame
    (with columns ``treatment`` and ``outcome``) returning ``(estimate, std_error)``.
    """
    if not callable(estimator) and estimator not in ("lin", "difference"):
        raise ValueError(f"estimator must be 'lin', 'difference' or a function, got {estimator!r}")
    require_columns(population, [outcome])
    frame = population.loc[population[outcome].notna()].reset_index(drop=True)
    if design.kind == "cluster" and sample is not None:
        raise ValueError(
            "a cluster design re-assigns all clusters of the population; leave sample unset"
        )
    size = len(frame) if sample is None else sample
    if not 2 <= size <= len(frame):
        raise ValueError(
            f"sample must be between 2 and the {len(frame)} persons with {outcome!r}, got {sample}"
        )
    rng = np.random.default_rng(seed)
    y0 = frame[outcome].to_numpy(float)
    base = float(y0.mean()) if np.isin(y0, (0.0, 1.0)).all() else None
    adjust = covariates if estimator == "lin" else ()
    strata = design.strata if estimator == "lin" else ()
    x = covariate_matrix(frame, adjust, strata).to_numpy(float)
    if design.kind == "cluster":
        cluster_strata, cluster_index = cluster_layout(frame, design.cluster, design.strata)
    else:
        codes, cluster_index = group_codes(frame, design.strata), None
    estimates, errors = [], []
    for start in range(0, reps, CHUNK):
        rows = min(CHUNK, reps - start)
        units = _sample(rng, rows, len(frame), size)
        if cluster_index is None:
            treated = draw_codes(codes[units], design, rng)
        else:
            treated = draw_codes(np.tile(cluster_strata, (rows, 1)), design, rng)[:, cluster_index]
        y = _observed_outcomes(y0[units], effect, base, treated, rng)
        if callable(estimator):
            trials = (
                frame.iloc[u].assign(treatment=t.astype(int), outcome=v)
                for u, t, v in zip(units, treated, y, strict=True)
            )
            est, se = np.array([estimator(trial) for trial in trials]).T
        else:
            xs = x[units]
            est, se = lin_batch(y, treated, xs - xs.mean(axis=1, keepdims=True), cluster_index)
        estimates.append(est)
        errors.append(se)
    name = estimator if isinstance(estimator, str) else getattr(estimator, "__name__", "custom")
    return SimulationResult(
        effect=effect,
        reps=reps,
        n=size,
        alpha=alpha,
        estimator=name,
        design=design.to_dict(),
        estimates=np.concatenate(estimates),
        std_errors=np.concatenate(errors),
    )


def _share_se(share: float, reps: int) -> float:
    return float(np.sqrt(share * (1 - share) / reps))


def _sample(rng: np.random.Generator, rows: int, population: int, size: int) -> np.ndarray:
    """Rows of person indices: a fresh sample without replacement per replication."""
    if size == population:
        return np.tile(np.arange(population), (rows, 1))
    return np.argsort(rng.random((rows, population)), axis=1)[:, :size]


def _observed_outcomes(
    y0: np.ndarray, effect: float, base: float | None, treated: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``Y1`` for the treated, ``Y0`` for the others.

    ``base`` is the population mean of a 0/1 ``Y0`` (None for a numeric outcome)."""
    if base is None:
        return y0 + effect * treated
    chance = effect / (1 - base) if effect >= 0 else -effect / base
    if not 0 <= chance <= 1:
        raise ValueError(
            f"an effect of {effect} is impossible for a 0/1 outcome with mean {base:.3f}"
        )
    flip = rng.random(y0.shape) < chance
    y1 = np.where(flip, 1.0, y0) if effect >= 0 else np.where(flip, 0.0, y0)
    return np.where(treated, y1, y0)
