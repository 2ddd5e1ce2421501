"""Figures for individual-level effects (matplotlib, Agg backend).

Overlap (mirrored histograms of the propensity score, trimmed region shaded), love plot (|SMD|
before and after adjustment against the 0.1 line), effect forest plots (estimates with confidence
intervals, naive differences as hollow markers), effect paths by month since entry with their
confidence bands, subgroup forest plots and the Rosenbaum-bound curve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from vaikutus.evaluation.individual.balance import THRESHOLD

if TYPE_CHECKING:
    from vaikutus.evaluation.individual.result import Diagnostics, Settings

TREATED, CONTROL, NAIVE, BAND = "#dd8452", "#4c72b0", "#7f7f7f", "#f2c49b"


def plot_overlap(diagnostics: Diagnostics) -> plt.Figure:
    frame, trimming = diagnostics.propensity, diagnostics.trimming
    bins = np.linspace(0, min(1.0, 1.05 * float(frame["score"].max())), 51)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    treated = np.histogram(frame.loc[frame["treated"], "score"], bins=bins, density=True)[0]
    control = np.histogram(frame.loc[~frame["treated"], "score"], bins=bins, density=True)[0]
    width = np.diff(bins)
    ax.bar(bins[:-1], treated, width=width, align="edge", color=TREATED, label="treated")
    ax.bar(bins[:-1], -control, width=width, align="edge", color=CONTROL, label="comparison")
    for edge in (trimming.lower, trimming.upper):
        if 0 < edge < 1 and bins[0] <= edge <= bins[-1]:
            ax.axvline(edge, color="black", linestyle="--", linewidth=0.8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("propensity score")
    ax.set_ylabel("density (comparison mirrored below)")
    ax.set_title(
        f"Overlap — {trimming.rule}: dropped {trimming.dropped_treated} treated, "
        f"{trimming.dropped_control} comparison"
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_love(balance: pd.DataFrame, max_rows: int = 40) -> plt.Figure:
    table = balance.assign(before=balance["smd_before"].abs(), after=balance["smd_after"].abs())
    table = table.sort_values("before").tail(max_rows)
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(table) + 1.5))
    y = np.arange(len(table))
    ax.scatter(table["before"], y, color=NAIVE, marker="o", facecolors="none", label="before")
    ax.scatter(table["after"], y, color=TREATED, marker="o", label="after")
    ax.axvline(THRESHOLD, color="black", linestyle="--", linewidth=0.8)
    ax.set_yticks(y, table["covariate"], fontsize=7)
    ax.set_xlabel("absolute standardised mean difference")
    ax.set_title("Covariate balance (love plot)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_effects(effects: pd.DataFrame, settings: Settings, max_rows: int = 40) -> plt.Figure:
    table = effects.head(max_rows)
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(table) + 1.5))
    y = np.arange(len(table))[::-1]
    ax.errorbar(
        table["estimate"],
        y,
        xerr=np.vstack([table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]]),
        fmt="o",
        color=TREATED,
        capsize=3,
        label=f"{settings.method} {settings.estimand.upper()}, {1 - settings.alpha:.0%} CI",
    )
    ax.scatter(
        table["naive_difference"],
        y,
        marker="o",
        facecolors="none",
        color=NAIVE,
        label="naive difference",
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, table["outcome"], fontsize=8)
    ax.set_xlabel("effect")
    ax.set_title(f"Effect of {settings.treatment}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_paths(paths: pd.DataFrame, title: str, truth: pd.DataFrame | None = None) -> plt.Figure:
    """One panel per outcome family: effect by month since entry with its pointwise interval,
    uniform band and the naive difference.

    ``paths`` columns: family, month, estimate, ci_low, ci_high, band_low, band_high,
    naive_difference; ``truth`` (optional) columns family, month, truth.
    """
    families = list(dict.fromkeys(paths["family"]))
    fig, axes = plt.subplots(len(families), 1, figsize=(8, 3.2 * len(families)), squeeze=False)
    for ax, family in zip(axes[:, 0], families, strict=True):
        rows = paths[paths["family"] == family].sort_values("month")
        ax.fill_between(
            rows["month"],
            rows["band_low"],
            rows["band_high"],
            color=BAND,
            alpha=0.35,
            label="uniform confidence band",
        )
        ax.fill_between(
            rows["month"],
            rows["ci_low"],
            rows["ci_high"],
            color=BAND,
            alpha=0.8,
            label="pointwise confidence interval",
        )
        ax.plot(
            rows["month"],
            rows["estimate"],
            color=TREATED,
            marker="o",
            markersize=3,
            label="estimate",
        )
        ax.plot(
            rows["month"],
            rows["naive_difference"],
            color=NAIVE,
            linestyle=":",
            label="naive difference",
        )
        if truth is not None:
            known = truth[truth["family"] == family].sort_values("month")
            if not known.empty:
                ax.plot(
                    known["month"],
                    known["truth"],
                    color="black",
                    linestyle="--",
                    linewidth=1,
                    label="injected truth",
                )
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(family.replace("_", " "), fontsize=10)
        ax.set_xlabel("months since entry")
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_subgroups(subgroups: pd.DataFrame, outcome: str) -> plt.Figure:
    table = subgroups[subgroups["outcome"] == outcome].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(table) + 1.5))
    y = np.arange(len(table))[::-1]
    ax.errorbar(
        table["estimate"],
        y,
        xerr=np.vstack([table["estimate"] - table["ci_low"], table["ci_high"] - table["estimate"]]),
        fmt="o",
        color=TREATED,
        capsize=3,
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(
        y,
        [
            f"{s} = {lvl} (n={n})"
            for s, lvl, n in zip(table["subgroup"], table["level"], table["n_treated"], strict=True)
        ],
        fontsize=7,
    )
    ax.set_xlabel(f"effect on {outcome}")
    ax.set_title("Effects by subgroup")
    fig.tight_layout()
    return fig


def plot_rosenbaum(diagnostics: Diagnostics, alpha: float) -> plt.Figure:
    table = diagnostics.rosenbaum
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(table["gamma"], table["p_upper"], marker="o", color=TREATED, label="upper bound")
    ax.plot(table["gamma"], table["p_lower"], marker="o", color=CONTROL, label="lower bound")
    ax.axhline(alpha, color="black", linestyle="--", linewidth=0.8)
    ax.set_xlabel("Gamma (hidden bias: odds of treatment within a pair)")
    ax.set_ylabel("signed-rank p-value")
    ax.set_title(f"Rosenbaum bounds — {diagnostics.sensitivity_outcome}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
