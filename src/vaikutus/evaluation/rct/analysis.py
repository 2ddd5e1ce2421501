"""Analysis of a completed trial: ITT per outcome, complier effects, randomisation inference,
multiple-testing adjustment, pre-registered subgroups, balance and the CONSORT flow.

:func:`analyse` takes a tidy DataFrame with one row per randomised person: the assignment column
(0 = control, 1 = service), outcome columns (missing = lost to follow-up), baseline covariates,
stratum columns and optionally a take-up column (1 = received the service).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from vaikutus.evaluation.rct.balance import balance_figure, balance_table, joint_balance_pvalue
from vaikutus.evaluation.rct.consort import ConsortFlow
from vaikutus.evaluation.rct.estimators import (
    complier_effect,
    lin_itt,
    randomisation_test,
    subgroup_effects,
)

MULTIPLE_TESTING = {"holm": "holm", "bh": "fdr_bh", "none": None}


@dataclass(frozen=True)
class TrialSpec:
    """The ``[rct]`` table of a study file: what the pre-analysis plan fixes for the analysis.

    outcomes: outcome columns (the first is primary for the CONSORT flow).
    treatment: assignment column, 0/1. take_up: column saying who received the service.
    covariates: baseline covariates for Lin's adjustment. strata: stratum columns (adjusted for
    and used to re-draw assignment). blocks: column naming on-arrival blocks (re-drawing only).
    cluster: column naming clusters in a cluster design (errors and re-drawing by cluster).
    multiple_testing: ``holm``, ``bh`` (Benjamini-Hochberg) or ``none``, across outcomes.
    subgroups: pre-registered subgroup columns. ri_draws: randomisation-inference draws (0 = off).
    """

    outcomes: tuple[str, ...]
    treatment: str = "treatment"
    take_up: str | None = None
    covariates: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    blocks: str | None = None
    cluster: str | None = None
    multiple_testing: str = "holm"
    subgroups: tuple[str, ...] = ()
    ri_draws: int = 2000
    seed: int = 0
    alpha: float = 0.05
    arms: tuple[str, str] = ("control", "treatment")

    def __post_init__(self) -> None:
        if not self.outcomes:
            raise ValueError("at least one outcome is required")
        if self.multiple_testing not in MULTIPLE_TESTING:
            raise ValueError(
                f"multiple_testing must be one of {', '.join(MULTIPLE_TESTING)}, "
                f"got {self.multiple_testing!r}"
            )
        if self.ri_draws < 0:
            raise ValueError(f"ri_draws must be 0 or more, got {self.ri_draws}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha}")

    @classmethod
    def from_table(cls, table: dict[str, Any], where: str = "[rct]") -> TrialSpec:
        values = dict(table)
        if "outcome" in values:
            values["outcomes"] = [values.pop("outcome")]
        known = set(cls.__dataclass_fields__) | {"hypotheses"}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        values.pop("hypotheses", None)
        for key in ("outcomes", "covariates", "strata", "subgroups", "arms"):
            if key in values:
                if isinstance(values[key], str):
                    raise ValueError(
                        f"{where}: {key} must be a list, e.g. {key} = [{values[key]!r}]"
                    )
                values[key] = tuple(values[key])
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class TrialResult:
    """Result of a trial analysis (the common evaluation-result interface)."""

    effects: pd.DataFrame
    subgroups: pd.DataFrame
    balance: pd.DataFrame
    joint_balance_p: float
    consort: ConsortFlow | None
    spec: TrialSpec
    null_draws: dict[str, np.ndarray] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    plan_sha256: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.effects

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "rct",
            "spec": self.spec.to_dict(),
            "effects": self.effects,
            "subgroups": self.subgroups,
            "balance": self.balance,
            "joint_balance_p": self.joint_balance_p,
            "consort": self.consort.to_dict() if self.consort else None,
            "plan_sha256": self.plan_sha256,
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        columns = [
            "outcome",
            "estimand",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "p_value",
            "p_adjusted",
        ]
        if "p_value_ri" in self.effects:
            columns += ["p_value_ri", "p_adjusted_ri"]
        lines = [
            "Randomised trial: ITT = effect of being assigned the service (Lin's covariate "
            "adjustment, robust errors); complier effect = effect on those who received it (2SLS)",
            f"multiple testing across outcomes: {self.spec.multiple_testing}; "
            f"alpha = {self.spec.alpha}",
            "",
            self.effects[columns].to_string(index=False, float_format=lambda v: f"{v:.4g}"),
            "",
            f"balance: largest |standardised difference| = "
            f"{self.balance['std_difference'].abs().max():.3f}; "
            f"joint test p = {self.joint_balance_p:.3f}"
            if len(self.balance)
            else "balance: no covariates",
        ]
        if len(self.subgroups):
            tests = self.subgroups.drop_duplicates(["outcome", "subgroup"])
            lines += ["", "pre-registered subgroups (p of equal effects):"]
            lines += [
                f"  {r.outcome} by {r.subgroup}: p = {r.p_heterogeneity:.3f}"
                for r in tests.itertuples()
            ]
        if self.plan_sha256:
            lines.append(f"pre-analysis plan sha256: {self.plan_sha256}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)

    def figures(self) -> dict[str, Any]:
        figures = {"effects": self.plot()}
        if len(self.balance):
            figures["balance"] = balance_figure(self.balance)
        if self.consort is not None:
            figures["consort"] = self.consort.figure()
        if self.null_draws:
            figures["randomisation_inference"] = self._null_figure()
        return figures

    def plot(self) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = self.effects.iloc[::-1]
        labels = [f"{r.outcome} ({r.estimand})" for r in rows.itertuples()]
        fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
        ax.errorbar(
            rows["estimate"],
            range(len(rows)),
            xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
            fmt="o",
            color="#1f4e79",
            capsize=3,
        )
        ax.axvline(0, color="#555", lw=0.8)
        ax.set_yticks(range(len(rows)), labels)
        ax.set_xlabel("effect with 95 % confidence interval (outcome units)")
        ax.set_title("Effects of the service")
        fig.tight_layout()
        return fig

    def _null_figure(self) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(
            1, len(self.null_draws), figsize=(4 * len(self.null_draws), 3), squeeze=False
        )
        itt = self.effects[self.effects["estimand"] == "ITT"].set_index("outcome")
        for ax, (outcome, draws) in zip(axes[0], self.null_draws.items(), strict=True):
            ax.hist(draws, bins=40, color="#9fb7d0")
            ax.axvline(itt.loc[outcome, "estimate"], color="#b2182b", label="observed")
            ax.set_title(f"{outcome}: p = {itt.loc[outcome, 'p_value_ri']:.3g}", fontsize=9)
            ax.set_xlabel("ITT under re-drawn assignment")
        axes[0][0].legend(frameon=False)
        fig.tight_layout()
        return fig


def analyse(data: pd.DataFrame, spec: TrialSpec, consort: ConsortFlow | None = None) -> TrialResult:
    """Run the pre-registered analysis of a completed trial."""
    adjust = dict(covariates=spec.covariates, strata=spec.strata, cluster=spec.cluster)
    rows, null_draws, notes = [], {}, []
    for outcome in spec.outcomes:
        itt = lin_itt(data, outcome, spec.treatment, **adjust)
        row = {"outcome": outcome, "estimand": "ITT", **itt.to_dict()}
        if spec.ri_draws:
            row["p_value_ri"], null_draws[outcome] = randomisation_test(
                data,
                outcome,
                spec.treatment,
                **adjust,
                groups=[*spec.strata, *([spec.blocks] if spec.blocks else [])],
                draws=spec.ri_draws,
                seed=spec.seed,
            )
        rows.append(row)
        if spec.take_up:
            late, first_stage_f = complier_effect(
                data, outcome, spec.treatment, spec.take_up, **adjust
            )
            rows.append(
                {
                    "outcome": outcome,
                    "estimand": "complier effect (2SLS)",
                    **late.to_dict(),
                    "first_stage_f": first_stage_f,
                }
            )
            if first_stage_f < 10:
                notes.append(
                    f"{outcome}: weak first stage (F = {first_stage_f:.1f}); "
                    "complier effect unreliable"
                )
    effects = pd.DataFrame(rows)
    effects["p_adjusted"] = np.nan
    for _, part in effects.groupby("estimand"):
        effects.loc[part.index, "p_adjusted"] = adjust_p_values(
            part["p_value"], spec.multiple_testing, spec.alpha
        )
    if spec.ri_draws:
        itt = effects["estimand"] == "ITT"
        effects.loc[itt, "p_adjusted_ri"] = adjust_p_values(
            effects.loc[itt, "p_value_ri"], spec.multiple_testing, spec.alpha
        )
    subgroup_rows = []
    for outcome in spec.outcomes:
        for subgroup in spec.subgroups:
            levels, p_equal = subgroup_effects(data, outcome, spec.treatment, subgroup, **adjust)
            subgroup_rows.append(levels.assign(outcome=outcome, p_heterogeneity=p_equal))
    subgroups = pd.concat(subgroup_rows, ignore_index=True) if subgroup_rows else pd.DataFrame()
    balance_columns = [*spec.covariates, *spec.strata]
    balance = (
        balance_table(data, spec.treatment, balance_columns) if balance_columns else pd.DataFrame()
    )
    joint = (
        joint_balance_pvalue(data, spec.treatment, balance_columns) if balance_columns else np.nan
    )
    return TrialResult(effects, subgroups, balance, joint, consort, spec, null_draws, tuple(notes))


def adjust_p_values(p_values: pd.Series, method: str, alpha: float) -> np.ndarray:
    """Holm or Benjamini-Hochberg adjusted p-values (statsmodels); unchanged for ``none``."""
    name = MULTIPLE_TESTING[method]
    if name is None:
        return p_values.to_numpy()
    return multipletests(p_values.to_numpy(), alpha=alpha, method=name)[1]
