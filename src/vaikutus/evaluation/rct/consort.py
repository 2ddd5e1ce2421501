"""CONSORT flow: assessed, randomised, allocated, received, lost to follow-up, analysed.

The randomised persons come from the assignment log (on-arrival store or batch list), outcomes and
take-up from the register extract of the analysis. A person in the log without a register row, or
with a missing outcome, is lost to follow-up; a register row without a log entry is an error,
because then someone was analysed who was never randomised through the trial.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ConsortFlow:
    """Counts of the CONSORT 2010 flow diagram; per-arm counts are keyed by arm name."""

    assessed: int | None
    randomised: int
    allocated: dict[str, int]
    received: dict[str, int] | None
    lost: dict[str, int]
    analysed: dict[str, int]

    @property
    def excluded(self) -> int | None:
        return None if self.assessed is None else self.assessed - self.randomised

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "excluded": self.excluded}

    def to_frame(self) -> pd.DataFrame:
        stages = ["allocated", "received", "lost", "analysed"]
        rows = [
            {"stage": stage, "arm": arm, "persons": count}
            for stage in stages
            for arm, count in (getattr(self, stage) or {}).items()
        ]
        head = [{"stage": "randomised", "arm": "all", "persons": self.randomised}]
        if self.assessed is not None:
            head = [
                {"stage": "assessed", "arm": "all", "persons": self.assessed},
                {"stage": "excluded", "arm": "all", "persons": self.excluded},
                *head,
            ]
        return pd.DataFrame(head + rows)

    def figure(self) -> Any:
        """The flow diagram as boxes with counts (matplotlib)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 7.5))
        ax.set_axis_off()
        ax.set_xlim(0, 10)
        ax.set_ylim(1, 10)

        def box(x: float, y: float, text: str) -> None:
            ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=9,
                wrap=True,
                bbox={"boxstyle": "square,pad=0.5", "fc": "white", "ec": "#1f4e79"},
            )

        def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
            ax.annotate(
                "", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "->", "color": "#555"}
            )

        top = 9.3
        if self.assessed is not None:
            box(5, top, f"Assessed for eligibility\n(n = {self.assessed})")
            box(8.4, 8.2, f"Excluded or not enrolled\n(n = {self.excluded})")
            arrow(5, top - 0.45, 5, 7.55)
            ax.plot([5, 6.9], [8.2, 8.2], color="#555", lw=0.8)
        box(5, 7.2, f"Randomised\n(n = {self.randomised})")
        for x, arm in zip((2.6, 7.4), self.allocated, strict=True):
            arrow(5, 6.85, x, 6.1)
            received = (
                ""
                if self.received is None
                else f"\nreceived the service (n = {self.received[arm]})"
            )
            box(x, 5.5, f"Allocated to {arm}\n(n = {self.allocated[arm]}){received}")
            arrow(x, 4.95, x, 4.0)
            box(x, 3.6, f"Lost to follow-up\n(n = {self.lost[arm]})")
            arrow(x, 3.25, x, 2.2)
            box(x, 1.8, f"Analysed\n(n = {self.analysed[arm]})")
        for y, label in ((5.5, "Allocation"), (3.6, "Follow-up"), (1.8, "Analysis")):
            ax.text(
                0.05, y, label, rotation=90, va="center", fontsize=9, color="#1f4e79", weight="bold"
            )
        ax.set_title("CONSORT flow diagram")
        return fig


def consort_flow(
    randomised: pd.DataFrame,
    register: pd.DataFrame | None,
    *,
    outcome: str,
    arms: tuple[str, str],
    treatment: str = "treatment",
    take_up: str | None = None,
    assessed: int | None = None,
    id_column: str = "person_id",
) -> ConsortFlow:
    """Counts from the log (``randomised``: one row per person with ``treatment`` 0/1) and the
    register extract (``register``: ``id_column``, ``outcome`` and optionally ``take_up``).

    With ``register=None`` the randomised frame itself carries the outcome and take-up columns.
    """
    for frame, name in ((randomised, "log"),) + (
        ((register, "register data"),) if register is not None else ()
    ):
        if id_column not in frame.columns:
            raise ValueError(f"the {name} has no {id_column!r} column")
    if register is None:
        merged = randomised
    else:
        unknown = set(register[id_column]) - set(randomised[id_column])
        if unknown:
            raise ValueError(
                f"{len(unknown)} person(s) in the register data were never randomised, "
                f"e.g. {sorted(map(str, unknown))[:3]}"
            )
        columns = [c for c in (id_column, outcome, take_up) if c]
        merged = randomised[[id_column, treatment]].merge(
            register[columns], on=id_column, how="left"
        )
    missing = [c for c in (treatment, outcome, take_up) if c and c not in merged.columns]
    if missing:
        raise ValueError(f"column(s) {missing} are needed for the CONSORT flow")
    if assessed is not None and assessed < len(merged):
        raise ValueError(
            f"assessed ({assessed}) is smaller than the number randomised ({len(merged)})"
        )
    by_arm = dict(zip((0, 1), arms, strict=True))
    groups = {by_arm[code]: part for code, part in merged.groupby(treatment)}
    observed = {arm: int(part[outcome].notna().sum()) for arm, part in groups.items()}
    allocated = {arm: len(groups.get(arm, ())) for arm in arms}
    return ConsortFlow(
        assessed=assessed,
        randomised=len(merged),
        allocated=allocated,
        received=(
            {
                arm: int(groups[arm][take_up].fillna(0).astype(bool).sum()) if arm in groups else 0
                for arm in arms
            }
            if take_up
            else None
        ),
        lost={arm: allocated[arm] - observed.get(arm, 0) for arm in arms},
        analysed={arm: observed.get(arm, 0) for arm in arms},
    )
