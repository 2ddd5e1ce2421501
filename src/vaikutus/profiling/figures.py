"""Figures of the profiling results (matplotlib, Agg backend).

Every figure shows its uncertainty: calibration bins with Wilson intervals, group gaps and
Kykyviisari changes with 95 % intervals, so that small groups are not read as large differences.
"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

COLOURS = {"lightgbm": "#1f5f8b", "logistic": "#dd8452"}
RAISE, LOWER = "#2a7f62", "#b8463b"


def plot_calibration(calibration: pd.DataFrame) -> plt.Figure:
    """Observed share against mean estimate in deciles of the estimate, both learners."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    top = (
        float(max(calibration["mean_predicted"].max(), calibration["observed_ci_high"].max()))
        * 1.05
    )
    ax.plot(
        [0, top], [0, top], color="grey", linestyle="--", linewidth=0.8, label="perfect calibration"
    )
    for model, part in calibration.groupby("model", sort=False):
        ax.errorbar(
            part["mean_predicted"],
            part["observed"],
            yerr=[
                part["observed"] - part["observed_ci_low"],
                part["observed_ci_high"] - part["observed"],
            ],
            marker="o",
            markersize=4,
            capsize=2,
            color=COLOURS.get(model),
            label=model,
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mean estimated chance (decile of estimates)")
    ax.set_ylabel("observed share with an open-market job")
    ax.set_title("Calibration on the test cohorts")
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


def plot_importance(importance: pd.DataFrame) -> plt.Figure:
    """Mean absolute log-odds contribution per feature (global importance)."""
    frame = importance.iloc[::-1]
    y = np.arange(len(frame))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(frame) + 1.2))
    ax.barh(
        y + 0.2,
        frame["lightgbm_mean_abs_logodds"],
        height=0.4,
        color=COLOURS["lightgbm"],
        label="LightGBM (SHAP)",
    )
    ax.barh(
        y - 0.2,
        frame["logistic_mean_abs_logodds"],
        height=0.4,
        color=COLOURS["logistic"],
        label="logistic",
    )
    ax.set_yticks(y, frame["label"])
    ax.set_xlabel("mean |contribution| to the log-odds, test cohorts")
    ax.set_title("Which baseline factors move the estimates")
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


def plot_explanation(contributions: pd.DataFrame, title: str) -> plt.Figure:
    """One client's contributions, largest first: green raises the estimate, red lowers it."""
    frame = contributions.iloc[::-1]
    y = np.arange(len(frame))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(frame) + 1.2))
    colours = np.where(frame["contribution"] > 0, RAISE, LOWER)
    ax.barh(y, frame["contribution"], color=colours)
    ax.set_yticks(y, [f"{label} = {value}" for label, value in zip(frame["label"], frame["value"])])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("contribution to the log-odds (right raises, left lowers the estimate)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_fairness(table: pd.DataFrame, threshold: float) -> plt.Figure:
    """Calibration gap (with 95 % CI) and error rates for every audited group."""
    frame = table[table["dimension"] != "all"].iloc[::-1]
    overall = table[table["dimension"] == "all"].iloc[0]
    y = np.arange(len(frame))
    labels = [
        f"{d}: {g}" + (" (small)" if s else "")
        for d, g, s in zip(frame["dimension"], frame["group"], frame["small"])
    ]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.28 * len(frame) + 1.5), sharey=True)
    gap = frame["calibration_in_the_large"] * 100
    left.errorbar(
        gap,
        y,
        xerr=[gap - frame["calibration_ci_low"] * 100, frame["calibration_ci_high"] * 100 - gap],
        fmt="o",
        markersize=3,
        capsize=2,
        color=COLOURS["lightgbm"],
    )
    left.axvline(0, color="black", linewidth=0.8)
    left.axvline(
        overall["calibration_in_the_large"] * 100,
        color=COLOURS["lightgbm"],
        linewidth=0.8,
        linestyle="--",
    )
    left.set_yticks(y, labels)
    left.set_xlabel("mean estimate - observed share, pp (dashed: everyone)")
    left.set_title("Calibration in the large")
    right.plot(frame["fpr"], y, "o", markersize=3, color=LOWER, label="FPR")
    right.plot(frame["fnr"], y, "s", markersize=3, color=RAISE, label="FNR")
    right.axvline(overall["fpr"], color=LOWER, linewidth=0.8, linestyle="--")
    right.axvline(overall["fnr"], color=RAISE, linewidth=0.8, linestyle="--")
    right.set_xlabel(f"error rate at threshold {threshold:.2f} (dashed: everyone)")
    right.set_title("Error rates")
    right.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_exclusions(table: pd.DataFrame) -> plt.Figure:
    """Test AUC of each variant, with and without sensitive features."""
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["auc"], color=COLOURS["lightgbm"])
    for yy, auc in zip(y, table["auc"]):
        ax.text(auc, yy, f" {auc:.3f}", va="center", fontsize=8)
    ax.set_yticks(y, table["variant"])
    low = float(table["auc"].min())
    ax.set_xlim(max(0.5, low - 0.05), min(1.0, float(table["auc"].max()) + 0.03))
    ax.set_xlabel("test AUC")
    ax.set_title("Accuracy with and without sensitive features")
    fig.tight_layout()
    return fig


def plot_segment_outcomes(table: pd.DataFrame, target_months: int) -> plt.Figure:
    """Share with an open-market job within the model's horizon, and the mean estimate, per segment."""
    outcome = f"open-market job within {target_months} months"
    jobs = table[table["measure"] == outcome].set_index("segment")
    estimate = table[table["measure"] == "estimated chance"].set_index("segment")
    x = np.arange(len(jobs))
    fig, ax = plt.subplots(figsize=(8, 4.8))
    ax.bar(x, jobs["value"], color=COLOURS["lightgbm"], label="observed")
    ax.errorbar(
        x,
        jobs["value"],
        yerr=[jobs["value"] - jobs["ci_low"], jobs["ci_high"] - jobs["value"]],
        fmt="none",
        color="black",
        capsize=3,
    )
    ax.plot(
        x, estimate.loc[jobs.index, "value"], "D", color=COLOURS["logistic"], label="mean estimate"
    )
    ax.set_xticks(
        x,
        [f"{code}\n" + textwrap.fill(name, 16) for code, name in zip(jobs.index, jobs["name_en"])],
        fontsize=7,
    )
    ax.set_ylabel(outcome)
    ax.set_title("Segments: how they fare")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_kykyviisari_change(by_service: pd.DataFrame, by_segment: pd.DataFrame) -> plt.Figure:
    """Mean Kykyviisari change (first participations) with 95 % intervals, by service and segment."""
    frames = [
        (by_service.dropna(subset=["value"]), "by service"),
        (by_segment.dropna(subset=["value"]), "by segment"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, (frame, title) in zip(axes, frames):
        y = np.arange(len(frame))
        ax.errorbar(
            frame["value"],
            y,
            xerr=[frame["value"] - frame["ci_low"], frame["ci_high"] - frame["value"]],
            fmt="o",
            capsize=3,
            color=COLOURS["lightgbm"],
        )
        ax.set_yticks(y, [f"{g} (n={n})" for g, n in zip(frame.index, frame["n"])])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("change in Kykyviisari total score (0-10)")
        ax.set_title(f"Kykyviisari change {title}")
    fig.tight_layout()
    return fig
