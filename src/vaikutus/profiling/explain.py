"""Explanations for the caseworker view: which baseline values raise or lower one client's estimate.

For LightGBM the contributions are its exact TreeSHAP values (``Booster.predict(pred_contrib=True)``,
Lundberg et al. 2020): they add up, with the average, to the client's log-odds, so nothing is left
unexplained. For the logistic model they are ``coefficient x standardised deviation`` of each
feature from the training mean. Contributions describe the *model*, not causes: a factor that lowers
the estimate is a pattern in past outcomes, not something a service necessarily changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vaikutus.profiling.features import as_bool

if TYPE_CHECKING:
    from vaikutus.profiling.model import EmploymentModel

TEXT = {
    "fi": {
        "estimate": "arvioitu todennäköisyys saada työpaikka avoimilta työmarkkinoilta {h} kk:n kuluessa",
        "other": "vertailumalli (logistinen)",
        "raise": "nostavat arviota",
        "lower": "laskevat arviota",
        "row": "rivi",
        "person": "henkilö",
        "yes": "kyllä",
        "no": "ei",
        "note": "Arvio tukee asiantuntijan harkintaa eikä korvaa sitä.",
    },
    "sv": {
        "estimate": "uppskattad sannolikhet för ett jobb på den öppna arbetsmarknaden inom {h} mån",
        "other": "jämförelsemodell (logistisk)",
        "raise": "höjer uppskattningen",
        "lower": "sänker uppskattningen",
        "row": "rad",
        "person": "person",
        "yes": "ja",
        "no": "nej",
        "note": "Uppskattningen stöder sakkunnigas bedömning och ersätter den inte.",
    },
    "en": {
        "estimate": "estimated chance of an open-market job within {h} months",
        "other": "comparison model (logistic)",
        "raise": "raise the estimate",
        "lower": "lower the estimate",
        "row": "row",
        "person": "person",
        "yes": "yes",
        "no": "no",
        "note": "The estimate supports, and never replaces, the caseworker's judgement.",
    },
}
#: Factors listed in each direction in the text summary.
TOP_FACTORS = 3


@dataclass(frozen=True, eq=False)
class Explanation:
    """Estimates and per-feature log-odds contributions for each explained row."""

    estimates: pd.DataFrame  # row, person_id, p_lightgbm, p_logistic
    contributions: pd.DataFrame  # row, person_id, model, feature, label, value, contribution
    target_months: int
    language: str = "en"

    def top(self, row: int, model: str = "lightgbm") -> pd.DataFrame:
        """The row's contributions, largest absolute first."""
        part = self.contributions[
            (self.contributions["row"] == row) & (self.contributions["model"] == model)
        ]
        return part.reindex(part["contribution"].abs().sort_values(ascending=False).index)

    def summary(self) -> str:
        text = TEXT[self.language]
        blocks = []
        for est in self.estimates.itertuples():
            who = f"{text['row']} {est.row}" + (
                f" ({text['person']} {est.person_id})" if est.person_id else ""
            )
            ranked = self.top(est.row)
            up = ranked[ranked["contribution"] > 0].head(TOP_FACTORS)
            down = ranked[ranked["contribution"] < 0].head(TOP_FACTORS)
            blocks.append(
                "\n".join(
                    [
                        f"{who}: {text['estimate'].format(h=self.target_months)} {est.p_lightgbm:.0%} "
                        f"({text['other']} {est.p_logistic:.0%})",
                        f"  + {text['raise']}: "
                        + "; ".join(f"{r.label} = {r.value}" for r in up.itertuples()),
                        f"  - {text['lower']}: "
                        + "; ".join(f"{r.label} = {r.value}" for r in down.itertuples()),
                    ]
                )
            )
        blocks.append(text["note"])
        return "\n".join(blocks)

    def to_frame(self) -> pd.DataFrame:
        return self.contributions.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_months": self.target_months,
            "language": self.language,
            "estimates": self.estimates,
            "contributions": self.contributions,
        }

    def figures(self) -> dict[str, Any]:
        return {f"explanation_row_{row}": self.plot(row) for row in self.estimates["row"]}

    def plot(self, row: int | None = None):
        from vaikutus.profiling.figures import plot_explanation

        row = int(self.estimates["row"].iloc[0]) if row is None else row
        return plot_explanation(self.top(row), title=f"{TEXT[self.language]['row']} {row}")


def explain_rows(model: EmploymentModel, frame: pd.DataFrame, language: str = "en") -> Explanation:
    """Validate, score and explain every row of ``frame`` with both learners."""
    if language not in TEXT:
        raise ValueError(f"language must be one of {', '.join(TEXT)}, got {language!r}")
    x = model.encode(frame)
    rows = np.arange(1, len(frame) + 1)
    persons = (
        frame["person_id"].astype("string").fillna("").to_numpy()
        if "person_id" in frame.columns
        else np.full(len(frame), "")
    )
    contrib = {
        "lightgbm": model.booster.predict(x, pred_contrib=True)[:, :-1],
        "logistic": model.logistic.feature_contributions(x, model.features),
    }
    shown = pd.DataFrame(
        {f.name: _display(frame[f.name], f.kind, language) for f in model.features}
    )
    parts = []
    for name, values in contrib.items():
        for j, feature in enumerate(model.features):
            parts.append(
                pd.DataFrame(
                    {
                        "row": rows,
                        "person_id": persons,
                        "model": name,
                        "feature": feature.name,
                        "label": feature.label(language),
                        "value": shown[feature.name].to_numpy(),
                        "contribution": values[:, j],
                    }
                )
            )
    contributions = pd.concat(parts, ignore_index=True).sort_values(
        ["row", "model"], kind="stable", ignore_index=True
    )
    predicted = model.predict(frame)
    estimates = pd.DataFrame(
        {
            "row": rows,
            "person_id": persons,
            "p_lightgbm": predicted["p_lightgbm"].to_numpy(),
            "p_logistic": predicted["p_logistic"].to_numpy(),
        }
    )
    return Explanation(
        estimates=estimates,
        contributions=contributions,
        target_months=model.settings.target_months,
        language=language,
    )


def _display(values: pd.Series, kind: str, language: str) -> pd.Series:
    if kind == "bool":
        return values.map(lambda v: TEXT[language]["yes"] if as_bool(v) else TEXT[language]["no"])
    return values.astype("string").str.strip()
