"""Figures for synthetic-control results (matplotlib, Agg backend).

The treated unit is drawn in dark blue and its synthetic control dashed orange, as in ADH's
figures; placebo gaps are thin grey lines so the treated gap can be judged against them, and
conformal intervals are a shaded band around the gap.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

TREATED, SYNTHETIC, PLACEBO, BAND = "#1f3b73", "#dd8452", "#b0b0b0", "#9ecae1"


def _start_line(ax: plt.Axes, start: object) -> None:
    ax.axvline(start, color="grey", linestyle=":", linewidth=1)


def trajectory(path: pd.DataFrame, start: object, treated: str, outcome: str) -> plt.Figure:
    """Observed outcome of the treated unit against its synthetic control."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(path["time"], path["observed"], color=TREATED, linewidth=2, label=treated)
    ax.plot(
        path["time"],
        path["synthetic"],
        color=SYNTHETIC,
        linewidth=2,
        linestyle="--",
        label=f"synthetic {treated}",
    )
    _start_line(ax, start)
    ax.set_xlabel("time")
    ax.set_ylabel(outcome)
    ax.set_title(f"{treated} and its synthetic control")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def gap(
    path: pd.DataFrame,
    start: object,
    treated: str,
    *,
    placebo_gaps: pd.DataFrame | None = None,
    intervals: pd.DataFrame | None = None,
    alpha: float | None = None,
) -> plt.Figure:
    """Gap (observed - synthetic) with placebo gaps and conformal intervals when available."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if placebo_gaps is not None:
        for i, column in enumerate(placebo_gaps.columns):
            ax.plot(
                placebo_gaps.index,
                placebo_gaps[column],
                color=PLACEBO,
                linewidth=0.8,
                label="placebo gaps (donors as treated)" if i == 0 else None,
            )
    if intervals is not None:
        ax.fill_between(
            intervals["time"],
            intervals["lower"],
            intervals["upper"],
            color=BAND,
            alpha=0.6,
            label=f"{1 - (alpha or 0):.0%} conformal interval",
        )
    ax.plot(path["time"], path["gap"], color=TREATED, linewidth=2, label=f"{treated}")
    ax.axhline(0, color="black", linewidth=0.8)
    _start_line(ax, start)
    ax.set_xlabel("time")
    ax.set_ylabel("gap (observed - synthetic)")
    ax.set_title(f"Gap between {treated} and its synthetic control")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def weights(series: pd.Series, *, top: int = 20) -> plt.Figure:
    """Horizontal bars of the largest donor weights (by absolute value)."""
    shown = series[series.abs() > 1e-4]
    shown = shown.reindex(shown.abs().sort_values(ascending=False).index)[:top][::-1]
    fig, ax = plt.subplots(figsize=(6, max(2.0, 0.3 * len(shown) + 1)))
    ax.barh([str(i) for i in shown.index], shown.to_numpy(), color=TREATED)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("weight")
    hidden = int((series.abs() > 1e-4).sum()) - len(shown)
    ax.set_title("Donor weights" + (f" (largest {top}; {hidden} more)" if hidden > 0 else ""))
    fig.tight_layout()
    return fig


def ratios(ratio_series: pd.Series, treated: object) -> plt.Figure:
    """Post/pre RMSPE ratios of the treated unit and all placebos (ADH 2010, Figure 8)."""
    ordered = ratio_series.sort_values()
    fig, ax = plt.subplots(figsize=(6, max(3.0, 0.22 * len(ordered) + 1)))
    colours = [TREATED if unit == treated else PLACEBO for unit in ordered.index]
    ax.barh([str(i) for i in ordered.index], ordered.to_numpy(), color=colours)
    ax.set_xlabel("post-period RMSPE / pre-period RMSPE")
    ax.set_title("In-space placebo ratios")
    fig.tight_layout()
    return fig


def leave_one_out(paths: pd.DataFrame, start: object, treated: str) -> plt.Figure:
    """Synthetic controls re-estimated without each donor that had weight (ADH 2015)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    dropped = [c for c in paths.columns if c not in ("time", "observed", "synthetic")]
    for i, column in enumerate(dropped):
        ax.plot(
            paths["time"],
            paths[column],
            color=PLACEBO,
            linewidth=1,
            label="synthetic without one donor" if i == 0 else None,
        )
    ax.plot(paths["time"], paths["observed"], color=TREATED, linewidth=2, label=treated)
    ax.plot(
        paths["time"],
        paths["synthetic"],
        color=SYNTHETIC,
        linewidth=2,
        linestyle="--",
        label="synthetic (all donors)",
    )
    _start_line(ax, start)
    ax.set_xlabel("time")
    ax.set_title("Leave-one-out synthetic controls")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def event_time(path: pd.DataFrame, unit_paths: list[pd.DataFrame]) -> plt.Figure:
    """Per-unit gaps by event time and their average (staggered adoption)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, unit_path in enumerate(unit_paths):
        ax.plot(
            unit_path["event_time"],
            unit_path["gap"],
            color=PLACEBO,
            linewidth=1,
            label="treated units" if i == 0 else None,
        )
    ax.plot(path["event_time"], path["gap"], color=TREATED, linewidth=2, label="average gap")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("periods since treatment start")
    ax.set_ylabel("gap (observed - synthetic)")
    ax.set_title("Pooled effect by event time")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
