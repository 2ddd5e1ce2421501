"""Month-by-month effects of a service from a :class:`~.design.ServiceDesign`.

``evaluate(design, method=...)`` runs :func:`~vaikutus.evaluation.individual.estimate` once for all
outcome columns of the design (3 families x ``horizon`` months + totals), matching exactly on the
entry month when ``method="match"`` (a comparison must be at risk in the same calendar month), and
returns a :class:`ServiceEffects`: the effect path of each outcome family with pointwise
intervals and a uniform (simultaneous) band, the naive treated-minus-untreated difference beside
it, subgroup effects, diagnostics, and the joint covariance of the horizon totals that the cost
analysis draws from.

The uniform band uses the sup-t critical value of the family's months: the (1 - alpha) quantile
of max_k |Z_k| for Z drawn from the normal distribution with the estimated correlation of the
monthly estimates (Montiel Olea & Plagborg-Moller 2019), so the whole path lies inside the band
with 95 % probability rather than each month separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from vaikutus.evaluation.individual.design import FAMILIES, TOTALS, ServiceDesign, outcome_column
from vaikutus.evaluation.individual.estimate import estimate
from vaikutus.evaluation.individual.result import EffectResult

_MONTHLY = re.compile(r"^(?P<family>[a-z_]+)_m(?P<month>\d+)$")
_BAND_DRAWS = 20_000


def sup_t_critical_value(covariance: np.ndarray, alpha: float, seed: int = 0) -> float:
    """(1 - alpha) quantile of max |Z_k|, Z ~ N(0, correlation of ``covariance``)."""
    sd = np.sqrt(np.diag(covariance))
    usable = sd > 0
    if not usable.any():
        return float("nan")
    correlation = covariance[np.ix_(usable, usable)] / np.outer(sd[usable], sd[usable])
    draws = np.random.default_rng(seed).multivariate_normal(
        np.zeros(usable.sum()), correlation, size=_BAND_DRAWS, method="eigh"
    )
    return float(np.quantile(np.abs(draws).max(axis=1), 1 - alpha))


@dataclass(frozen=True, eq=False)
class ServiceEffects:
    """Effects of entering a service, by month since entry, with the design they came from."""

    result: EffectResult
    design: dict[str, Any]
    truth: pd.DataFrame | None = field(default=None, repr=False)  # family, month, truth

    @cached_property
    def paths(self) -> pd.DataFrame:
        """family, month, estimate, se, ci_low, ci_high (pointwise), band_low, band_high
        (uniform over the family's months), naive_difference, n_treated, ..."""
        effects = self.result.effects
        parts = effects["outcome"].str.extract(_MONTHLY)
        monthly = effects[parts["family"].notna()].copy()
        monthly.insert(0, "month", parts.loc[monthly.index, "month"].astype(int))
        monthly.insert(0, "family", parts.loc[monthly.index, "family"])
        monthly["band_critical_value"] = np.nan
        covariance = self.result.covariance
        for _, rows in monthly.groupby("family"):
            names = [n for n in rows["outcome"] if n in covariance.index]
            if len(names) == len(rows):
                value = sup_t_critical_value(
                    covariance.loc[names, names].to_numpy(), self.result.settings.alpha
                )
                monthly.loc[rows.index, "band_critical_value"] = value
        monthly["band_low"] = monthly["estimate"] - monthly["band_critical_value"] * monthly["se"]
        monthly["band_high"] = monthly["estimate"] + monthly["band_critical_value"] * monthly["se"]
        return monthly.reset_index(drop=True)

    @property
    def totals(self) -> pd.DataFrame:
        return self.result.effects[self.result.effects["outcome"].isin(TOTALS)].reset_index(
            drop=True
        )

    def with_truth(self, truth: pd.DataFrame) -> ServiceEffects:
        """A copy whose path figure also draws a known truth (family, month, truth)."""
        return ServiceEffects(result=self.result, design=self.design, truth=truth)

    def summary(self) -> str:
        d = self.design
        paths = self.paths
        head = [
            f"Dynamic entry design: {d['service']}, entries {d['entry_from']}..{d['entry_to']}, "
            f"{d['treated']} treated, {d['comparison_rows']} comparison person-months "
            f"({d['comparison_persons']} persons, control fraction {d['control_fraction']:g})",
            f"  mean service length {d['mean_service_months']:.1f} months, "
            f"mean recorded cost {d['mean_service_cost_eur']:.0f} EUR",
            "",
        ]
        picked = paths[paths["month"].isin([1, 3, 6, 12, 18, 24, 30, 36])]
        table = picked[
            [
                "family",
                "month",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "band_low",
                "band_high",
                "naive_difference",
            ]
        ]
        return (
            "\n".join(head)
            + self.result.summary()
            + "\n\nSelected months:\n"
            + table.to_string(index=False, float_format=lambda v: f"{v:.4g}")
        )

    def to_frame(self) -> pd.DataFrame:
        return self.result.to_frame()

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        out["design"] = self.design
        out["paths"] = self.paths.to_dict(orient="records")
        out["totals"] = self.totals.to_dict(orient="records")
        return out

    def figures(self) -> dict[str, Any]:
        return {"effects": self.plot(), **self.result.diagnostic_figures()}

    def plot(self):
        from vaikutus.evaluation.individual.figures import plot_paths

        s = self.result.settings
        title = f"Effect of entering {self.design['service']} ({s.method}, {s.estimand.upper()})"
        return plot_paths(self.paths, title, self.truth)


def evaluate(
    design: ServiceDesign,
    *,
    method: str = "aipw",
    estimand: str = "att",
    covariates: list[str] | None = None,
    subgroups: list[str] | None = None,
    families: tuple[str, ...] = FAMILIES,
    months: list[int] | None = None,
    **options: Any,
) -> ServiceEffects:
    """Estimate the effect path of every outcome family (see the module docstring).

    ``months`` limits the monthly outcomes (default 1..horizon); totals are always estimated.
    Other keyword arguments go to :func:`~vaikutus.evaluation.individual.estimate`.
    """
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown outcome families {unknown}; choose from {', '.join(FAMILIES)}")
    months = list(range(1, design.horizon + 1)) if months is None else [int(m) for m in months]
    bad = [m for m in months if not 1 <= m <= design.horizon]
    if bad:
        raise ValueError(f"months {bad} lie outside 1..{design.horizon}")
    outcomes = [outcome_column(f, m) for f in families for m in months] + list(TOTALS)
    if method == "match":
        options.setdefault("exact", ["entry_month"])
    result = estimate(
        design.data,
        treatment=design.treatment,
        outcome=outcomes,
        covariates=list(covariates or design.covariates),
        method=method,
        estimand=estimand,
        subgroups=list(design.subgroups if subgroups is None else subgroups),
        joint=outcomes,  # all: the uniform bands need each family's monthly covariance
        **options,
    )
    return ServiceEffects(result=result, design=design.describe())
