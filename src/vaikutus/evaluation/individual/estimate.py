"""``estimate(data, treatment=, outcome=, covariates=, method=, estimand=)``: one entry point for the
four estimators, the same diagnostics for each.

Steps: validate the frame (``inputs``), fit the logit propensity score and apply the trimming
rule (``propensity``), fit the chosen estimator (``matching``, ``weighting``, ``dml``), evaluate
it for every outcome and every subgroup level, then add balance, overlap, naive differences and
sensitivity (``balance``, ``sensitivity``). All methods report through the same
:class:`~vaikutus.evaluation.individual.effects.RawEffects`, so they are directly comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from vaikutus.evaluation.individual.balance import balance_table
from vaikutus.evaluation.individual.dml import LEARNERS
from vaikutus.evaluation.individual.effects import RawEffects
from vaikutus.evaluation.individual.inputs import Inputs, as_list, prepare
from vaikutus.evaluation.individual.propensity import fit_propensity
from vaikutus.evaluation.individual.propensity import trim as apply_trimming
from vaikutus.evaluation.individual.result import Diagnostics, EffectResult, Settings
from vaikutus.evaluation.individual.sensitivity import e_values, rosenbaum_bounds

METHODS = ("match", "ipw", "aipw", "dml")
ESTIMANDS = ("att", "ate")


def estimate(
    data: pd.DataFrame,
    *,
    treatment: str,
    outcome: str | list[str],
    covariates: list[str],
    method: str = "aipw",
    estimand: str = "att",
    subgroups: list[str] | None = None,
    trim: str | float | None = "common_support",
    caliper: float | None = 0.2,
    neighbours: int = 1,
    exact: list[str] | None = None,
    bias_adjust: bool = False,
    learner: str = "lightgbm",
    folds: int = 5,
    alpha: float = 0.05,
    seed: int = 0,
    joint: list[str] | None = None,
    min_subgroup_treated: int = 20,
) -> EffectResult:
    """Effect of a 0/1 ``treatment`` on each ``outcome`` under selection on ``covariates``.

    ``method``: ``"match"`` (nearest-neighbour matching on the logit score, ``neighbours``
    matches within ``caliper`` standard deviations, optionally ``exact`` on some columns,
    Abadie-Imbens SEs), ``"ipw"``, ``"aipw"`` or ``"dml"`` (DoubleML, ``learner`` in
    lightgbm/forest/linear, ``folds``-fold cross-fitting). ``estimand``: ``"att"`` or ``"ate"``.
    ``trim``: ``"common_support"``, a Crump threshold such as 0.1, or ``None``.
    ``subgroups``: columns whose levels get their own effects. ``joint``: outcomes whose joint
    covariance is kept (default: all when there are at most 12). Missing outcome values are
    treated as not observed (each outcome uses the units where it is observed).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be 'att' or 'ate'; got {estimand!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1); got {alpha}")
    if method == "dml" and learner not in LEARNERS:
        raise ValueError(f"learner must be one of {', '.join(LEARNERS)}; got {learner!r}")
    if int(neighbours) < 1:
        raise ValueError(f"neighbours must be at least 1; got {neighbours}")
    exact = as_list(exact, "exact")
    subgroups = as_list(subgroups, "subgroups")
    absent = [c for c in exact + subgroups if c not in data.columns]
    if absent:
        raise ValueError(f"column(s) not in the data: {', '.join(absent)}")
    inputs = prepare(data, treatment=treatment, outcome=outcome, covariates=covariates)
    settings = Settings(
        treatment=treatment,
        outcomes=inputs.outcome_names,
        covariates=tuple(as_list(covariates, "covariates")),
        method=method,
        estimand=estimand,
        alpha=alpha,
        trim=trim,
        caliper=caliper if method == "match" else None,
        neighbours=int(neighbours),
        exact=tuple(exact),
        bias_adjust=bool(bias_adjust),
        learner=learner if method == "dml" else "",
        folds=int(folds),
        seed=int(seed),
        subgroups=tuple(subgroups),
    )

    propensity = fit_propensity(inputs.design, inputs.treated)
    kept, trimming = apply_trimming(propensity.score, inputs.treated, trim, estimand)
    fit = _fit(method, settings, inputs, propensity, kept, data)
    raw = fit.effects()

    effects = _effects_table(raw, inputs, settings)
    subgroup_table = _subgroups(fit, data, inputs, settings, min_subgroup_treated)
    joint_names = as_list(joint, "joint") or (
        list(inputs.outcome_names) if len(inputs.outcome_names) <= 12 else []
    )
    unknown = [o for o in joint_names if o not in inputs.outcome_names]
    if unknown:
        raise ValueError(f"joint outcome(s) {unknown} are not among the outcomes")
    columns = [inputs.outcome_names.index(o) for o in joint_names]
    covariance = pd.DataFrame(raw.covariance(columns), index=joint_names, columns=joint_names)
    diagnostics = _diagnostics(fit, method, inputs, propensity.score, kept, trimming, settings)
    return EffectResult(
        settings=settings,
        effects=effects,
        subgroups=subgroup_table,
        covariance=covariance,
        diagnostics=diagnostics,
    )


def _fit(method, settings: Settings, inputs: Inputs, propensity, kept, data: pd.DataFrame):
    if method in ("ipw", "aipw"):
        from vaikutus.evaluation.individual.weighting import fit_weighting

        return fit_weighting(
            method, settings.estimand, inputs.treated, inputs.outcomes, propensity, kept
        )
    if method == "match":
        from vaikutus.evaluation.individual.matching import fit_matching

        strata = (
            data[list(settings.exact)].groupby(list(settings.exact), sort=False).ngroup().to_numpy()
            if settings.exact
            else None
        )
        return fit_matching(
            settings.estimand,
            inputs.treated,
            inputs.outcomes,
            propensity.index,
            kept,
            propensity.regressors,
            neighbours=settings.neighbours,
            caliper=settings.caliper,
            strata=strata,
            bias_adjust=settings.bias_adjust,
        )
    from vaikutus.evaluation.individual.dml import fit_dml

    return fit_dml(
        settings.estimand,
        inputs.treated,
        inputs.outcomes,
        inputs.design,
        kept,
        learner=settings.learner,
        folds=settings.folds,
        seed=settings.seed,
    )


def _inference(raw: RawEffects, alpha: float) -> dict[str, np.ndarray]:
    se = raw.se
    z = norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * norm.sf(np.abs(raw.estimate / se))
    return {
        "estimate": raw.estimate,
        "se": se,
        "ci_low": raw.estimate - z * se,
        "ci_high": raw.estimate + z * se,
        "p_value": p_value,
    }


def _effects_table(raw: RawEffects, inputs: Inputs, settings: Settings) -> pd.DataFrame:
    table = pd.DataFrame({"outcome": list(inputs.outcome_names), **_inference(raw, settings.alpha)})
    table["mean_treated"] = raw.mean_treated
    table["mean_counterfactual"] = raw.mean_counterfactual
    naive, naive_se, control_sd = _naive(inputs)
    table["naive_difference"] = naive
    table["naive_se"] = naive_se
    table["n_treated"] = raw.n_treated.astype(int)
    table["n_control"] = raw.n_control.astype(int)
    binary = [bool(np.isin(col[~np.isnan(col)], (0.0, 1.0)).all()) for col in inputs.outcomes.T]
    values = [
        e_values(
            row.estimate,
            (row.ci_low, row.ci_high),
            binary=binary[i],
            mean_treated=row.mean_treated,
            sd=control_sd[i],
        )
        for i, row in enumerate(table.itertuples())
    ]
    table["e_value"] = [v[0] for v in values]
    table["e_value_ci"] = [v[1] for v in values]
    return table


def _naive(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw difference in means (all units, untrimmed) with its Welch SE; comparison-arm SD."""
    y, d = inputs.outcomes, inputs.treated
    with np.errstate(invalid="ignore", divide="ignore"):
        m1, m0 = np.nanmean(y[d], axis=0), np.nanmean(y[~d], axis=0)
        v1, v0 = np.nanvar(y[d], axis=0, ddof=1), np.nanvar(y[~d], axis=0, ddof=1)
        n1, n0 = (~np.isnan(y[d])).sum(axis=0), (~np.isnan(y[~d])).sum(axis=0)
        return m1 - m0, np.sqrt(v1 / n1 + v0 / n0), np.sqrt(v0)


def _subgroups(
    fit, data: pd.DataFrame, inputs: Inputs, settings: Settings, minimum: int
) -> pd.DataFrame:
    frames = []
    for column in settings.subgroups:
        values = data[column].astype("string").fillna("missing").to_numpy()
        for level in sorted(set(values)):
            mask = values == level
            if (mask & inputs.treated).sum() < minimum:
                continue
            raw = fit.effects(mask)
            frame = pd.DataFrame(
                {
                    "subgroup": column,
                    "level": level,
                    "outcome": list(inputs.outcome_names),
                    **_inference(raw, settings.alpha),
                }
            )
            frame["n_treated"] = raw.n_treated.astype(int)
            frame["n_control"] = raw.n_control.astype(int)
            frames.append(frame)
    columns = [
        "subgroup",
        "level",
        "outcome",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "p_value",
        "n_treated",
        "n_control",
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _diagnostics(
    fit, method, inputs: Inputs, score, kept, trimming, settings: Settings
) -> Diagnostics:
    weights = fit.unit_weights() * kept
    balance = balance_table(inputs.design, inputs.design_names, inputs.treated, weights)
    propensity = pd.DataFrame({"score": score, "treated": inputs.treated, "kept": kept})
    matching = rosenbaum = critical = outcome = None
    if method == "match":
        used = np.asarray(fit.matches.weights.sum(axis=1)).ravel()
        matching = {
            "neighbours": settings.neighbours,
            "caliper_sd": settings.caliper,
            "caliper_width": fit.matches.caliper_width,
            "focal_units": len(fit.matches.focal),
            "unmatched_focal": int(fit.matches.unmatched_focal),
            "controls_used": int((used > 0).sum()),
            "max_reuse": float(used.max()),
        }
        outcome = inputs.outcome_names[0]
        rosenbaum, critical = rosenbaum_bounds(fit.pair_differences(0), alpha=settings.alpha)
        critical = None if rosenbaum.empty else critical
    return Diagnostics(
        propensity=propensity,
        trimming=trimming,
        balance=balance,
        matching=matching,
        rosenbaum=rosenbaum,
        critical_gamma=critical,
        sensitivity_outcome=outcome,
    )
