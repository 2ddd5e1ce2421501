"""The area-month panel of the trial evaluation: unemployed share of the labour force by unit.

**Outcome.** ``unemployment_share`` = unemployed jobseekers (fully laid-off included) on the
month's counting day / labour force of the unit x 100 -- indicator 1 of the monitoring set (TEM
TYOTOSUUS), on the definition ``ground_truth.json`` measures the injected trial effects on. Two
choices differ from the published indicator, and both are why the panel is read from the
person-month panel and the ``labour_force`` table rather than from ``indicator_values``:

* *Trial membership is that of the 2021 division.* The indicator stage maps every month to the
  2025 division, which counts Pertunmaa (588, never a trial municipality) in Mäntyharju (507, in
  the Mikkeli trial). ``person_month.trial_area`` keeps the membership of the code as recorded,
  so a trial area here is exactly its municipalities of the trial law (1269/2020).
* *The labour force is that of the month's own year* (``labour_force_lag_years = 0``). The
  portal lags it two years because it publishes before the figures exist; an evaluation after
  the fact can use the right year, and a lagged denominator would drift with the labour force.

The panel also does not need the indicator stage to have run, and reads only counts.

**Units.** The treated units are the 2021 trial areas. The donors are the non-trial
municipalities grouped by subregion (seutukunta, the statistical commuting zones a trial area
was typically built from): single municipalities are mostly far smaller than any trial area
(median 16 persons of synthetic labour force at 30,000 persons), so their monthly shares are
mostly noise, which a synthetic control would fit in the pre-period and then pay for after it,
and which would make their placebo ratios a poor reference for the trial areas. A subregion
remainder smaller than ``min_donor_share`` of the smallest trial area's labour force is pooled
with the other small remainders of its region (maakunta). A donor with no labour force in some
year cannot have a share and is left out, with a note in the result.

**Window.** From January of the first year of the ``labour_force`` table (the register window:
earlier person-months are spells still open when the register begins, not the whole stock) to
the last trial month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from vaikutus import reference

OUTCOME = "unemployment_share"
DONOR_MIN_SHARE = 0.5
MERGED_INTO_2025 = {"588": "507"}  # the 2021 code -> its 2025 successor (DOMAIN C1)


class TrialPanelError(ValueError):
    """The warehouse cannot give the trial evaluation its panel; the message says what is missing."""


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class TrialPanel:
    """Monthly unemployed, labour force and share per unit, and what the units are.

    ``frame``: unit, month, unemployed, labour_force, unemployment_share (one row per unit and
    month, balanced). ``units``: unit, kind (``trial_area`` or ``donor``), group (``trial_area``,
    ``subregion``, or ``region`` for the pooled small remainders of a region), name (of the trial
    area, subregion or region), municipalities (names, ``;``-separated), labour_force (the last
    year before the start). ``notes`` record every unit merged or left out.
    """

    frame: pd.DataFrame
    units: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    notes: tuple[str, ...] = ()

    @property
    def treated(self) -> list[str]:
        return self.units.loc[self.units["kind"] == "trial_area", "unit"].tolist()

    @property
    def donors(self) -> list[str]:
        return self.units.loc[self.units["kind"] == "donor", "unit"].tolist()

    def wide(self) -> pd.DataFrame:
        """The outcome as units x months."""
        return self.frame.pivot(index="unit", columns="month", values=OUTCOME)


def build_trial_panel(
    warehouse: BaseBackend | str | Path,
    *,
    min_donor_share: float = DONOR_MIN_SHARE,
    trials: pd.DataFrame | None = None,
) -> TrialPanel:
    """Read ``person_month`` and ``labour_force`` of ``warehouse`` into the evaluation panel.

    ``trials`` (default: the shipped 2021 trial areas, ``reference.trial_areas()``) lists the
    trial municipalities with trial_area_code, trial_area_name, municipality, start and end.
    """
    con = _connect(warehouse)
    trials = reference.trial_areas() if trials is None else trials
    start, end = _trial_period(trials)
    labour_force = _labour_force(con)
    first = pd.Timestamp(int(labour_force["year"].min()), 1, 1)
    counts = _unemployed(con, first, end)
    unit_of = unit_membership(trials, labour_force, start, min_donor_share)
    frame, notes = _unit_panel(counts, labour_force, unit_of, first, end)
    units = _unit_table(unit_of, trials, labour_force, start, frame)
    return TrialPanel(frame, units, start, end, tuple(unit_of.attrs["notes"] + notes))


def _connect(warehouse: BaseBackend | str | Path) -> BaseBackend:
    if isinstance(warehouse, BaseBackend):
        return warehouse
    from vaikutus.warehouse import connect

    path = Path(warehouse)
    if not path.exists():
        raise TrialPanelError(f"warehouse {path} does not exist; build it with `vaikutus demo`")
    return connect(path)


def _trial_period(trials: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    starts = pd.to_datetime(trials["start"]).dt.to_period("M").dt.to_timestamp().unique()
    if len(starts) != 1:
        raise TrialPanelError(
            "the trial areas start in different months "
            f"({', '.join(sorted(str(s.date()) for s in starts))}); the evaluation compares all "
            "of them with one donor pool from one start month and needs a common start"
        )
    end = pd.to_datetime(trials["end"]).max().to_period("M").to_timestamp()
    return pd.Timestamp(starts[0]), pd.Timestamp(end)


def _labour_force(con: BaseBackend) -> pd.DataFrame:
    if "labour_force" not in con.list_tables():
        raise TrialPanelError(
            "the warehouse has no labour_force table: import the register's labour_force file "
            "(the labour force by municipality and year is the outcome's denominator)"
        )
    lf = con.table("labour_force")
    frame = lf.filter(lf.group == "all").select("municipality", "year", "persons").to_pandas()
    if frame.empty:
        raise TrialPanelError("the labour_force table has no rows of group 'all'")
    return frame.assign(year=frame["year"].astype(int), persons=frame["persons"].astype(float))


def _unemployed(con: BaseBackend, first: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Counting-day unemployed by (2025) municipality, trial area as recorded, and month."""
    if "person_month" not in con.list_tables():
        raise TrialPanelError("the warehouse has no person_month table; run `vaikutus build-panel`")
    pm = con.table("person_month")
    chosen = pm.filter(
        pm.registered & pm.unemployed & (pm.month >= first.date()) & (pm.month <= end.date())
    )
    counts = chosen.group_by(
        municipality=chosen.municipality, trial_area=chosen.trial_area.fill_null(""), month=chosen.month
    ).aggregate(unemployed=chosen.count())
    frame = counts.to_pandas()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def unit_membership(
    trials: pd.DataFrame, labour_force: pd.DataFrame, start: pd.Timestamp, min_donor_share: float
) -> pd.DataFrame:
    """One row per municipality of the 2021 division: code, unit, kind (trial_area / donor).

    ``attrs["notes"]`` says which small subregion remainders were pooled by region.
    """
    if not 0 <= min_donor_share:
        raise ValueError(f"min_donor_share must be non-negative, got {min_donor_share}")
    m = reference.municipalities(2021)[["code", "subregion_code", "region_code", "region_name_fi"]]
    trial_of = dict(zip(trials["municipality"], trials["trial_area_code"]))
    m = m.assign(
        trial_area=m["code"].map(trial_of),
        kind=np.where(m["code"].isin(trial_of), "trial_area", "donor"),
    )
    year = _base_year(labour_force, start)
    lf = labour_force[labour_force["year"] == year].groupby("municipality")["persons"].sum()
    m = m.assign(lf=m["code"].map(lf).fillna(0.0))
    m["unit"] = np.where(m["kind"] == "trial_area", m["trial_area"], "S" + m["subregion_code"])
    smallest = m[m["kind"] == "trial_area"].groupby("unit")["lf"].sum().min()
    donor_lf = m[m["kind"] == "donor"].groupby("unit")["lf"].sum()
    small = donor_lf.index[donor_lf < min_donor_share * smallest]
    pooled = (m["kind"] == "donor") & m["unit"].isin(small)
    m.loc[pooled, "unit"] = "R" + m.loc[pooled, "region_code"]
    notes = []
    if len(small):
        notes.append(
            f"{len(small)} subregion remainders with a labour force under {min_donor_share:g} x "
            f"the smallest trial area's ({smallest:.0f} in {year}) were pooled by region into "
            f"{m.loc[pooled, 'unit'].nunique()} donors"
        )
    out = m[["code", "unit", "kind"]].reset_index(drop=True)
    out.attrs["notes"] = notes
    return out


def _base_year(labour_force: pd.DataFrame, start: pd.Timestamp) -> int:
    before = labour_force.loc[labour_force["year"] < start.year, "year"]
    if before.empty:
        raise TrialPanelError(
            f"the labour_force table has no year before the trial start {start:%Y-%m}; the "
            "evaluation needs pre-trial years"
        )
    return int(before.max())


def _unit_panel(
    counts: pd.DataFrame,
    labour_force: pd.DataFrame,
    unit_of: pd.DataFrame,
    first: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[pd.DataFrame, list[str]]:
    months = pd.date_range(first, end, freq="MS")
    years = sorted(set(months.year))
    missing = sorted(set(years) - set(labour_force["year"]))
    if missing:
        raise TrialPanelError(
            f"the labour_force table has no rows for year(s) {missing}, which the evaluation "
            f"window {first:%Y-%m}..{end:%Y-%m} needs"
        )
    key = _panel_key(unit_of)
    pairs = list(zip(counts["municipality"], counts["trial_area"]))
    unknown = sorted({p for p in pairs if p not in key})
    if unknown:
        raise TrialPanelError(
            f"person_month holds unemployed in municipality/trial-area pairs {unknown[:5]} that "
            "are not in the 2021 division with the trial areas given"
        )
    counts = counts.assign(unit=[key[p] for p in pairs])
    unemployed = counts.groupby(["unit", "month"])["unemployed"].sum()
    lf = labour_force.assign(unit=labour_force["municipality"].map(dict(zip(unit_of.code, unit_of.unit))))
    lf = lf[lf["year"].isin(years)].groupby(["unit", "year"])["persons"].sum()
    units = sorted(unit_of["unit"].unique())
    grid = pd.MultiIndex.from_product([units, months], names=["unit", "month"])
    frame = unemployed.reindex(grid, fill_value=0).rename("unemployed").reset_index()
    frame["labour_force"] = lf.reindex(
        pd.MultiIndex.from_arrays([frame["unit"], frame["month"].dt.year])
    ).to_numpy()
    empty = sorted(frame.loc[~(frame["labour_force"] > 0), "unit"].unique())
    notes = []
    if empty:
        kinds = dict(zip(unit_of.unit, unit_of.kind))
        if any(kinds[u] == "trial_area" for u in empty):
            raise TrialPanelError(f"trial area(s) {empty} have no labour force in some year")
        notes.append(f"donor(s) {', '.join(empty)} left out: no labour force in some year")
        frame = frame[~frame["unit"].isin(empty)]
    frame[OUTCOME] = 100.0 * frame["unemployed"] / frame["labour_force"]
    return frame.reset_index(drop=True), notes


def _panel_key(unit_of: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(2025 municipality, trial area as recorded or '') -> unit, the key of person_month rows."""
    key: dict[tuple[str, str], str] = {}
    for code, unit, kind in unit_of[["code", "unit", "kind"]].itertuples(index=False):
        pair = (MERGED_INTO_2025.get(code, code), unit if kind == "trial_area" else "")
        if key.setdefault(pair, unit) != unit:
            raise TrialPanelError(
                f"municipalities of units {key[pair]} and {unit} share the 2025 code {pair[0]}; "
                "person_month cannot tell them apart"
            )
    return key


def _unit_table(
    unit_of: pd.DataFrame,
    trials: pd.DataFrame,
    labour_force: pd.DataFrame,
    start: pd.Timestamp,
    frame: pd.DataFrame,
) -> pd.DataFrame:
    m = reference.municipalities(2021).set_index("code")
    year = _base_year(labour_force, start)
    lf = labour_force[labour_force["year"] == year].groupby("municipality")["persons"].sum()
    trial_names: Mapping[str, str] = dict(zip(trials["trial_area_code"], trials["trial_area_name"]))
    rows = []
    for unit, members in unit_of.groupby("unit"):
        if unit not in set(frame["unit"]):
            continue
        kind = members["kind"].iloc[0]
        first = m.loc[members["code"].iloc[0]]
        if kind == "trial_area":
            group, name = "trial_area", trial_names[unit]
        elif unit.startswith("R"):
            group, name = "region", first["region_name_fi"]
        else:
            group, name = "subregion", first["subregion_name_fi"]
        rows.append(
            {
                "unit": unit,
                "kind": kind,
                "group": group,
                "name": name,
                "municipalities": ";".join(m.loc[members["code"], "name_fi"]),
                "labour_force": float(lf.reindex(members["code"]).fillna(0).sum()),
            }
        )
    return pd.DataFrame(rows).sort_values(["kind", "unit"], ascending=[False, True], ignore_index=True)


def panel_from_frame(frame: pd.DataFrame, units: pd.DataFrame, start: object, end: object) -> TrialPanel:
    """A :class:`TrialPanel` from given tables (tests, or data prepared elsewhere), checked."""
    needed = {"unit", "month", "unemployed", "labour_force", OUTCOME}
    missing = needed - set(frame.columns)
    if missing:
        raise TrialPanelError(f"panel frame lacks column(s) {sorted(missing)}")
    if set(frame["unit"]) != set(units["unit"]):
        raise TrialPanelError("panel frame and unit table list different units")
    return TrialPanel(
        frame.assign(month=pd.to_datetime(frame["month"])), units, pd.Timestamp(start), pd.Timestamp(end)
    )

