"""Figures for staggered DiD results (matplotlib, Agg backend).

Pre-treatment estimates are drawn in grey-blue and post-treatment ones in orange; error bars are
pointwise confidence intervals and the shaded area the uniform (sup-t) band, so a reader can see
at once whether pre-trends are flat and which effects survive simultaneous inference.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

if TYPE_CHECKING:
    from vaikutus.evaluation.did.aggregate import Aggregation
    from vaikutus.evaluation.did.attgt import DidSettings

PRE, POST, BAND = "#4c72b0", "#dd8452", "#bbbbbb"


def plot_aggregation(aggregation: Aggregation) -> plt.Figure:
    """Estimates by event time / group / period with pointwise CIs and the uniform band."""
    frame, key = aggregation.estimates, aggregation.key
    if key is None:  # simple: one overall estimate
        frame, key = aggregation.to_frame(), "label"
        frame["band_low"] = frame["band_high"] = math.nan
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(frame)) if key != "event_time" else frame[key].to_numpy(dtype=float)
    post = frame[key].to_numpy() >= 0 if key == "event_time" else np.ones(len(frame), dtype=bool)
    if frame["band_low"].notna().any():
        ax.fill_between(
            x,
            frame["band_low"],
            frame["band_high"],
            color=BAND,
            alpha=0.5,
            step="mid",
            label=f"{1 - aggregation.alpha:.0%} uniform band",
        )
    for mask, colour, label in ((~post, PRE, "pre-treatment"), (post, POST, "post-treatment")):
        if mask.any():
            _points(ax, x[mask], frame[mask], colour, label)
    ax.axhline(0, color="black", linewidth=0.8)
    if key == "event_time":
        ax.axvline(-0.5, color="grey", linestyle="--", linewidth=0.8)
        ax.set_xlabel("periods since treatment (event time)")
    else:
        ax.set_xticks(x, [str(v) for v in frame[key]], rotation=45 if len(frame) > 12 else 0)
        ax.set_xlabel({"group": "cohort (first treated period)", "time": "period"}.get(key, ""))
    title = {"dynamic": "Event study", "group": "ATT by cohort", "calendar": "ATT by period"}
    overall = (
        ""
        if math.isnan(aggregation.overall_att)
        else f" — overall ATT {aggregation.overall_att:.4f}"
    )
    ax.set_title(f"{title.get(aggregation.kind, aggregation.kind)}{overall}")
    ax.set_ylabel("ATT")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def plot_group_time(att_gt: pd.DataFrame, settings: DidSettings) -> plt.Figure:
    """One panel per cohort: ATT(g,t) over time with pointwise CIs and the uniform band."""
    groups = list(dict.fromkeys(att_gt["group"]))
    columns = min(3, len(groups))
    rows = math.ceil(len(groups) / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(4.2 * columns, 2.8 * rows), sharey=True, squeeze=False
    )
    for ax, g in zip(axes.ravel()[: len(groups)], groups, strict=True):
        cells = att_gt[att_gt["group"] == g]
        x = np.arange(len(cells))
        if cells["band_low"].notna().any():
            ax.fill_between(
                x, cells["band_low"], cells["band_high"], color=BAND, alpha=0.5, step="mid"
            )
        post = cells["post"].to_numpy()
        _points(ax, x[~post], cells[~post], PRE, None)
        _points(ax, x[post], cells[post], POST, None)
        ax.axhline(0, color="black", linewidth=0.8)
        ticks = x[:: max(1, len(x) // 6)]
        ax.set_xticks(ticks, [str(v) for v in cells["time"].to_numpy()[ticks]], fontsize=7)
        ax.set_title(f"cohort {g}", fontsize=9)
    for ax in axes.ravel()[len(groups) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"ATT(g,t) of {settings.outcome} ({settings.method}, {settings.control} comparison)"
    )
    fig.tight_layout()
    return fig


def plot_twfe_weights(weights: pd.DataFrame) -> plt.Figure:
    """TWFE weights of the treated cells by event time; negative ones in red."""
    fig, ax = plt.subplots(figsize=(8, 4))
    negative = weights["weight"] < 0
    ax.scatter(
        weights.loc[~negative, "event_time"],
        weights.loc[~negative, "weight"],
        s=12,
        color=PRE,
        label="positive weight",
    )
    ax.scatter(
        weights.loc[negative, "event_time"],
        weights.loc[negative, "weight"],
        s=12,
        color="#c44e52",
        label=f"negative weight ({negative.mean():.0%} of cells)",
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("periods since treatment")
    ax.set_ylabel("weight in the TWFE estimate")
    ax.set_title("Two-way fixed effects: implicit weights on treated (g,t) cells")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _points(
    ax: plt.Axes, x: np.ndarray, frame: pd.DataFrame, colour: str, label: str | None
) -> None:
    att = frame["att"].to_numpy(dtype=float)
    errors = np.vstack(
        [att - frame["ci_low"].to_numpy(dtype=float), frame["ci_high"].to_numpy(dtype=float) - att]
    )
    ax.errorbar(
        x,
        att,
        yerr=np.nan_to_num(errors),
        fmt="o",
        markersize=3,
        color=colour,
        capsize=2,
        linewidth=1,
        label=label,
    )
