"""Figures of the cost analysis (matplotlib, Agg): tornado chart, simulated distribution of the
net fiscal effect, and the fiscal components with their simulation intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from vaikutus.evaluation.cost.result import CostResult

LOW, HIGH, NEUTRAL = "#4c72b0", "#dd8452", "#7f7f7f"


def plot_tornado(tornado: pd.DataFrame, service: str, max_rows: int = 14) -> plt.Figure:
    table = tornado.head(max_rows).iloc[::-1]
    base = float(tornado["baseline"].iloc[0])
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(table) + 1.6))
    y = np.arange(len(table))
    ax.barh(y, table["net_at_low"] - base, left=base, color=LOW, label="factor at its low setting")
    ax.barh(
        y, table["net_at_high"] - base, left=base, color=HIGH, label="factor at its high setting"
    )
    ax.axvline(base, color="black", linewidth=0.8)
    ax.axvline(0, color=NEUTRAL, linestyle="--", linewidth=0.8)
    ax.set_yticks(y, table["factor"].str.replace("_", " "), fontsize=8)
    ax.set_xlabel("net fiscal effect per participant (EUR)")
    ax.set_title(f"Sensitivity of the net fiscal effect — {service.replace('_', ' ')}")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_simulation(result: CostResult) -> plt.Figure:
    draws = result.net_fiscal_draws
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(draws, bins=60, color=HIGH, alpha=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.axvline(result.metric("net_fiscal_effect"), color=LOW, linewidth=1.2, label="point estimate")
    ax.set_xlabel("net fiscal effect per participant (EUR)")
    ax.set_ylabel("draws")
    ax.set_title(f"Simulated net fiscal effect: P(gain) = {result.probability_net_gain:.0%}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_fiscal(result: CostResult) -> plt.Figure:
    names = [
        "taxes_gained",
        "benefits_saved",
        "service_cost",
        "net_fiscal_effect",
        "municipal_net_effect",
    ]
    table = result.summary_table.set_index("metric").loc[names]
    sign = np.array([1, 1, -1, 1, 1])
    values = table["estimate"].to_numpy() * sign
    errors = np.vstack(
        [
            values - table["interval_low"].to_numpy() * sign,
            table["interval_high"].to_numpy() * sign - values,
        ]
    )
    errors = np.abs(errors)
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(names))
    ax.bar(x, values, color=[HIGH if v >= 0 else LOW for v in values])
    ax.errorbar(x, values, yerr=errors, fmt="none", color="black", capsize=4)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(
        x,
        [
            "taxes +\ncontributions",
            "benefits\nsaved",
            "service cost\n(negative)",
            "net fiscal\neffect",
            "municipality\nnet",
        ],
        fontsize=8,
    )
    ax.set_ylabel("EUR per participant")
    ax.set_title(
        f"Fiscal effects over {result.horizon} months ({result.level:.0%} simulation intervals)"
    )
    fig.tight_layout()
    return fig
