"""Fairness audit: does the model serve every group equally well, and what do sensitive features cost?

:func:`audit` compares, for each group of sex, age, native language, citizenship, region and partial
work ability, the model's calibration in the large (mean predicted minus observed share, with a
95 % interval), its AUC and its error rates at the stated threshold (FPR: predicted "likely to find
work" but did not; FNR: predicted "unlikely" but did) with the same figures for everyone. A group
whose calibration differs from the other clients' (interval excluding zero) gets estimates that
are systematically too high or too low compared with everyone else.

Error rates at one threshold differ between groups whose observed shares differ even when the
model is calibrated within every group (Kleinberg et al. 2017; Chouldechova 2017): a group in which
fewer find work gets lower estimates, so fewer of its members pass the threshold - its FNR is higher
and its FPR lower without any miscalibration. The findings therefore put each error-rate gap beside
the groups' observed shares. Calibration within groups matters most here, because the estimate is
read as a chance.

:func:`compare_exclusions` retrains without each sensitive feature and without all of them and shows
what accuracy and group calibration that costs, so that leaving a feature out is an informed choice.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.profiling.features import SENSITIVE
from vaikutus.profiling.metrics import Z95, auc_with_se, error_rates
from vaikutus.profiling.model import EmploymentModel, TrainSettings, train

#: Baseline columns the audit groups by (age is grouped into AGE_GROUPS).
AUDIT_DIMENSIONS = (
    "sex",
    "age_group",
    "native_language",
    "citizenship",
    "region",
    "partial_work_ability",
)
AGE_GROUPS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 75))
#: Groups below these sizes are marked ``small``: their figures are too noisy to compare.
SMALL_GROUP, SMALL_CLASS = 100, 20


def age_group(age: pd.Series) -> pd.Series:
    labels = [f"{low}-{high}" if high < 75 else f"{low}+" for low, high in AGE_GROUPS]
    edges = [AGE_GROUPS[0][0] - 0.5] + [high + 0.5 for _, high in AGE_GROUPS]
    return pd.cut(pd.to_numeric(age), bins=edges, labels=labels).astype("string")


@dataclass(frozen=True, eq=False)
class FairnessAudit:
    """Per-group calibration, AUC and error rates of the LightGBM estimates, and their gaps."""

    table: pd.DataFrame
    threshold: float
    period: tuple[date, date]
    target_months: int

    def findings(self) -> list[str]:
        """Plain-language statements: the overall calibration, the groups whose estimates are off
        relative to all other clients (intervals excluding zero), and the error-rate ranges."""
        overall = self.table[self.table["dimension"] == "all"].iloc[0]
        found = [
            f"For everyone the mean estimate is {overall.mean_predicted:.1%} against an observed "
            f"{overall.observed:.1%} (calibration in the large {overall.calibration_in_the_large * 100:+.1f} "
            "percentage points); the group comparisons below are relative to the other clients, so a shift "
            "shared by all does not count against a group."
        ]
        rows = self.table[(self.table["dimension"] != "all") & ~self.table["small"]]
        off = rows[
            (rows["calibration_vs_rest_ci_low"] > 0) | (rows["calibration_vs_rest_ci_high"] < 0)
        ]
        for r in off.itertuples():
            direction = "higher" if r.calibration_vs_rest > 0 else "lower"
            found.append(
                f"{r.dimension} = {r.group}: estimates are {abs(r.calibration_vs_rest) * 100:.1f} percentage "
                f"points {direction}, relative to the observed share, than for the other clients (95 % CI "
                f"{r.calibration_vs_rest_ci_low * 100:+.1f} to {r.calibration_vs_rest_ci_high * 100:+.1f}; "
                f"n = {r.n})."
            )
        if len(found) == 1:
            found.append("No group's calibration differs from the other clients' beyond chance.")
        else:
            found.append(
                f"{len(rows)} groups were compared: at 95 % about {0.05 * len(rows):.1f} of them "
                "would show such a gap by chance alone, so single small regions deserve caution."
            )
        for dimension, part in rows.groupby("dimension", sort=False):
            if len(part) < 2:
                continue
            fnr_hi, fnr_lo = part.loc[part["fnr"].idxmax()], part.loc[part["fnr"].idxmin()]
            found.append(
                f"{dimension}: FNR from {fnr_lo.fnr:.0%} ({fnr_lo.group}, observed {fnr_lo.observed:.0%}) to "
                f"{fnr_hi.fnr:.0%} ({fnr_hi.group}, observed {fnr_hi.observed:.0%}); FPR from "
                f"{part['fpr'].min():.0%} to {part['fpr'].max():.0%}."
            )
        return found

    def summary(self) -> str:
        shown = self.table[
            [
                "dimension",
                "group",
                "n",
                "observed",
                "mean_predicted",
                "calibration_in_the_large",
                "auc",
                "fpr",
                "fnr",
                "small",
            ]
        ]
        return "\n".join(
            [
                f"Fairness audit, cohorts {self.period[0]:%Y-%m}..{self.period[1]:%Y-%m}, open-market job within "
                f"{self.target_months} months, threshold {self.threshold:.3f}",
                shown.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
                "Findings:",
                *[f"  - {line}" for line in self.findings()],
            ]
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "period": [d.isoformat() for d in self.period],
            "target_months": self.target_months,
            "table": self.table,
            "findings": self.findings(),
        }

    def figures(self) -> dict[str, Any]:
        return {"fairness": self.plot()}

    def plot(self):
        from vaikutus.profiling.figures import plot_fairness

        return plot_fairness(self.table, self.threshold)


def latest_cohorts(baseline: pd.DataFrame, target: str, months: int = 12) -> tuple[date, date]:
    """The last ``months`` start months with a known outcome."""
    cohorts = baseline.loc[baseline[target].notna(), "cohort"]
    if cohorts.empty:
        raise ValueError(f"no start has a known {target} outcome")
    last = max(cohorts)
    index = last.year * 12 + last.month - months
    return date(index // 12, index % 12 + 1, 1), last


def audit(
    model: EmploymentModel, baseline: pd.DataFrame, period: tuple[date, date] | None = None
) -> FairnessAudit:
    """Audit ``model`` on the labelled starts of ``period`` (default: the model's test cohorts)."""
    target = model.settings.target
    period = period or model.periods.test
    rows = baseline[
        baseline[target].notna()
        & (baseline["cohort"] >= period[0])
        & (baseline["cohort"] <= period[1])
    ]
    if rows.empty:
        raise ValueError(f"no labelled starts in {period[0]}..{period[1]}")
    p = model.predict(rows)["p_lightgbm"].to_numpy()
    y = rows[target].to_numpy(dtype=float)
    overall = _group_row("all", "all", y, p, model.threshold)
    records = [overall]
    groups = rows.assign(age_group=age_group(rows["age"]))
    residual = p - y
    for dimension in AUDIT_DIMENSIONS:
        values = groups[dimension].astype("string").fillna("(missing)").to_numpy()
        for value in sorted(set(values)):
            mask = values == value
            record = _group_row(dimension, value, y[mask], p[mask], model.threshold)
            records.append({**record, **_versus_rest(residual[mask], residual[~mask])})
    table = pd.DataFrame(records)
    for column in ("calibration_in_the_large", "auc", "fpr", "fnr"):
        table[f"{column}_gap"] = table[column] - overall[column]
    return FairnessAudit(
        table=table,
        threshold=model.threshold,
        period=period,
        target_months=model.settings.target_months,
    )


def _group_row(
    dimension: str, group: str, y: np.ndarray, p: np.ndarray, threshold: float
) -> dict[str, Any]:
    n = len(y)
    gap = p.mean() - y.mean()
    se_gap = float(np.std(p - y, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    auc, se_auc = auc_with_se(y, p)
    positives = int(y.sum())
    return {
        "dimension": dimension,
        "group": group,
        "n": n,
        "observed": float(y.mean()),
        "mean_predicted": float(p.mean()),
        "calibration_in_the_large": float(gap),
        "calibration_ci_low": gap - Z95 * se_gap,
        "calibration_ci_high": gap + Z95 * se_gap,
        "auc": auc,
        "auc_ci_low": auc - Z95 * se_auc,
        "auc_ci_high": auc + Z95 * se_auc,
        **error_rates(y, p, threshold),
        "small": bool(n < SMALL_GROUP or min(positives, n - positives) < SMALL_CLASS),
    }


def _versus_rest(group: np.ndarray, rest: np.ndarray) -> dict[str, float]:
    """Group's mean (estimate - outcome) minus the other clients', with a 95 % (Welch) interval."""
    if len(group) < 2 or len(rest) < 2:
        return {
            "calibration_vs_rest": math.nan,
            "calibration_vs_rest_ci_low": math.nan,
            "calibration_vs_rest_ci_high": math.nan,
        }
    diff = float(group.mean() - rest.mean())
    se = math.sqrt(group.var(ddof=1) / len(group) + rest.var(ddof=1) / len(rest))
    return {
        "calibration_vs_rest": diff,
        "calibration_vs_rest_ci_low": diff - Z95 * se,
        "calibration_vs_rest_ci_high": diff + Z95 * se,
    }


@dataclass(frozen=True, eq=False)
class ExclusionComparison:
    """Test accuracy and group calibration with and without sensitive features."""

    table: pd.DataFrame

    def summary(self) -> str:
        return (
            "Cost of leaving out sensitive features (test cohorts, LightGBM):\n"
            + self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table}

    def figures(self) -> dict[str, Any]:
        return {"exclusions": self.plot()}

    def plot(self):
        from vaikutus.profiling.figures import plot_exclusions

        return plot_exclusions(self.table)


def compare_exclusions(
    baseline: pd.DataFrame, settings: TrainSettings, reference: EmploymentModel | None = None
) -> ExclusionComparison:
    """Retrain without each sensitive feature, and without all, and compare on the test cohorts.

    ``reference`` is the model trained with ``settings`` when the caller already has it.
    """
    remaining = [name for name in SENSITIVE if name not in settings.exclude]
    variants: list[tuple[str, tuple[str, ...]]] = [("all features", ())]
    variants += [(f"without {name}", (name,)) for name in remaining]
    if len(remaining) > 1:
        variants.append(("without all sensitive", tuple(remaining)))
    records = []
    for label, dropped in variants:
        if not dropped and reference is not None:
            model = reference
        else:
            model = train(
                baseline, dataclasses.replace(settings, exclude=settings.exclude + dropped)
            )
        test = model.metrics[
            (model.metrics["model"] == "lightgbm") & (model.metrics["split"] == "test")
        ].iloc[0]
        groups = audit(model, baseline).table
        groups = groups[(groups["dimension"] != "all") & ~groups["small"]]
        records.append(
            {
                "variant": label,
                "excluded": ", ".join(settings.exclude + dropped) or "none",
                "auc": test["auc"],
                "brier": test["brier"],
                "calibration_in_the_large": test["calibration_in_the_large"],
                "max_group_calibration_gap": float(groups["calibration_vs_rest"].abs().max()),
                "max_group_fnr_gap": float(groups["fnr_gap"].abs().max()),
            }
        )
    table = pd.DataFrame(records)
    table["auc_change"] = table["auc"] - table["auc"].iloc[0]
    table["brier_change"] = table["brier"] - table["brier"].iloc[0]
    return ExclusionComparison(table=table)
