"""Evaluate every 2021 trial area: a synthetic control per area, placebo inference, pooled, DiD.

For each trial area the outcome (:mod:`.panel`) is fitted with a classic synthetic control
(Abadie, Diamond & Hainmueller 2010) from the non-trial donor units: the predictors are the
yearly means of the outcome over the pre-period (and the mean of the months of the start year
before the start), V by the nested search. Matching a handful of yearly means instead of every
month keeps the donor weights from fitting month-to-month noise, which at register scale is most
of what a small area's monthly path holds; the V search still scores V on the monthly path.

Inference is the in-space placebo test (every donor re-fitted against the other donors). The
p-value is ADH's: the rank of the area's post/pre RMSPE ratio among the J placebos and itself,
``rank / (J + 1)`` -- does the path depart from its synthetic control after the start more than
the donors' do, in any way. The interval for the *average* effect inverts the placebo rank test
of the mean post-period gap over the pre-period RMSPE of the gap's 6-month moving average
(:meth:`~vaikutus.evaluation.synth.inference.PlaceboSet.effect_interval`; its p-value is
reported as ``p_value_mean``). Inverting the RMSPE ratio itself over a constant effect was tried
first: when the effect grows during the trial (as the injected one does), the post-period gap
varies and that interval shrinks to a sliver around the estimate or vanishes. No trial area is
in any placebo's donor pool, so the J placebo fits are made once and serve all areas.

The **pooled effect** is the synthetic control of the *average trial area* (the unweighted mean
of the areas' shares, whose effect is the mean of the areas' effects) with the same placebos.
This keeps the shared donor pool in the inference: averaging the areas' own gaps and treating
them as independent would not, because every area's synthetic control draws on the same donors.
Beside it, Callaway & Sant'Anna (2021) DiD over the same units (never-treated comparison,
universal base period: the month before the start) gives the average effect with
influence-function standard errors and the event study.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from vaikutus.evaluation.did import attgt
from vaikutus.evaluation.synth.estimators import FitContext, Spec
from vaikutus.evaluation.synth.inference import placebo_gaps, placebo_set
from vaikutus.evaluation.synth.panel import PredictorSpec, WidePanel, prepare_panel
from vaikutus.evaluation.synth.result import build_result
from vaikutus.evaluation.synth.threads import single_threaded_blas
from vaikutus.evaluation.trials.panel import (
    DONOR_MIN_SHARE,
    OUTCOME,
    TrialPanel,
    build_trial_panel,
)
from vaikutus.evaluation.trials.result import AVERAGE_UNIT, AreaEffect, TrialEvaluation

DEFAULT_ALPHA = 0.05
PRUNE = 5.0
STEPS = ("panel", "placebos", "fits", "did")  # seconds of each are reported with the result


@dataclass(frozen=True)
class TrialSettings:
    """The choices behind an evaluation, reported with it."""

    alpha: float = DEFAULT_ALPHA
    min_donor_share: float = DONOR_MIN_SHARE
    method: str = "classic"
    predictors: str = "yearly means of the outcome before the start"
    prune: float = PRUNE
    did_bootstrap: int = 999
    seed: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def evaluate_trial_areas(
    source: TrialPanel | BaseBackend | str | Path,
    *,
    alpha: float = DEFAULT_ALPHA,
    min_donor_share: float = DONOR_MIN_SHARE,
    did: bool = True,
    seed: int = 0,
) -> TrialEvaluation:
    """Evaluate every trial area of ``source`` (a warehouse path or connection, or a panel).

    ``alpha``: level of the p-value threshold and of the ``1 - alpha`` intervals and bands.
    ``min_donor_share``: see :mod:`.panel`. ``did``: also run Callaway & Sant'Anna.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    settings = TrialSettings(alpha=alpha, min_donor_share=min_donor_share, seed=seed)
    marks = [time.perf_counter()]
    panel = (
        source
        if isinstance(source, TrialPanel)
        else build_trial_panel(source, min_donor_share=min_donor_share)
    )
    marks.append(time.perf_counter())
    wide = _wide(panel)
    start_pos = wide.position(panel.start)
    spec = Spec(method="classic", predictors=yearly_predictors(wide, start_pos), seed=seed)
    donors = wide.rows(panel.donors)
    base = FitContext(wide, donors[:1], donors, start_pos, spec)  # treated rows set per area below
    with single_threaded_blas():
        placebos = placebo_gaps(base)
        marks.append(time.perf_counter())
        names = dict(zip(panel.units["unit"], panel.units["name"]))
        effects = {
            unit: _area_effect(base, unit, names.get(unit, unit), placebos, settings)
            for unit in [*panel.treated, AVERAGE_UNIT]
        }
    marks.append(time.perf_counter())
    did_result = _did(panel, settings) if did else None
    marks.append(time.perf_counter())
    timings = {step: round(b - a, 2) for step, a, b in zip(STEPS, marks, marks[1:])}
    return TrialEvaluation(
        panel=panel,
        areas={u: e for u, e in effects.items() if u != AVERAGE_UNIT},
        pooled=effects[AVERAGE_UNIT],
        did=did_result,
        settings=settings,
        timings=timings,
    )


def _wide(panel: TrialPanel) -> WidePanel:
    """The outcome matrix of every unit plus the average trial area."""
    frame = panel.frame[["unit", "month", OUTCOME]]
    treated = frame[frame["unit"].isin(panel.treated)]
    average = treated.groupby("month", as_index=False)[OUTCOME].mean().assign(unit=AVERAGE_UNIT)
    units = [*panel.treated, AVERAGE_UNIT, *panel.donors]
    return prepare_panel(
        pd.concat([frame, average], ignore_index=True),
        unit="unit",
        time="month",
        outcome=OUTCOME,
        units=units,
    )


def yearly_predictors(wide: WidePanel, start_pos: int) -> tuple[PredictorSpec, ...]:
    """The outcome's mean over each calendar year before the start (and the start year's months
    before it), as ``(outcome, months, "mean")`` predictors."""
    before = pd.DatetimeIndex(wide.times[:start_pos])
    return tuple(
        PredictorSpec(OUTCOME, tuple(before[before.year == year]), "mean")
        for year in sorted(set(before.year))
    )


def _area_effect(
    base: FitContext,
    unit: str,
    name: str,
    placebos: dict[str, np.ndarray],
    settings: TrialSettings,
) -> AreaEffect:
    context = replace(base, treated_rows=base.panel.rows([unit]))
    fit = build_result(context, unit, label=name)
    tested = placebo_set(context, unit, fit.path["gap"].to_numpy(), placebos, settings.prune)
    return AreaEffect(unit=unit, name=name, fit=replace(fit, placebos=tested), alpha=settings.alpha)


def _did(panel: TrialPanel, settings: TrialSettings):
    """Callaway & Sant'Anna on the area panel: months as periods, never-treated donors."""
    frame = panel.frame[["unit", "month", OUTCOME]]
    month_number = frame["month"].dt.year * 12 + frame["month"].dt.month - 1
    first = panel.start.year * 12 + panel.start.month - 1
    return attgt(
        frame.assign(
            period=month_number,
            first_treated=np.where(frame["unit"].isin(panel.treated), first, 0),
        ),
        unit="unit",
        time="period",
        outcome=OUTCOME,
        group="first_treated",
        control="never",
        method="reg",
        base_period="universal",
        alpha=settings.alpha,
        bootstrap=settings.did_bootstrap,
        seed=settings.seed,
    )
