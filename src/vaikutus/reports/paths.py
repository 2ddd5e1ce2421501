"""Service paths: state distributions, transitions, most common paths and time to service / work.

Counts come from DuckDB (``pkg_state`` of ``states.py``) for every area and group at once; the
tables are assembled in pandas from the counts, the disclosure decisions and ``stats``. Shares
are of the persons *observed* at the month (a cohort entering in June is observed one month less
than one entering in May).

Level of detail (what a statistics office publishes, and what disclosure control can protect
without hiding most of a small area's table):

* every month since entry by the detailed state - employment areas and the country;
* by group at the horizons - the detailed state for the country, the main state
  (``MAIN_STATE``: the services pooled) for the employment areas;
* transition matrices - detailed for the country, main states for the employment areas;
* most common paths of detailed states - employment areas and the country;
* time to the first service / work (Kaplan-Meier) - every area and group.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from vaikutus.reports import stats
from vaikutus.reports.disclosure import Disclosure, Family, cells_frame
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.states import COUNTRY, MAIN_STATE, MAIN_STATES, SERVICE_STATES, STATES, WORK_STATES, membership_sql

#: Time-to-event outcomes: the states that count as reaching them, and the cohorts they apply to.
EVENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "service": (SERVICE_STATES, ("unemployment",)),
    "work": (WORK_STATES, ("unemployment", "service")),
    "open_market_work": (("open_market_work",), ("unemployment", "service")),
}
EVENT_HORIZONS = (3, 6, 12, 24)
PATH_SEPARATOR = ">"
OTHER_PATHS = "other"
_GROUP = ["cohort", "area_code", "group_dim", "group_code"]
_CELL = dict(cohort="cohort", area_code="area_code", group_dim="group_dim", group_code="group_code")
_ROLLUP = tuple(MAIN_STATE.items())


@dataclass(frozen=True)
class PathCounts:
    states: pd.DataFrame       # cohort, area_code, group_dim, group_code, k, state, persons (detailed)
    main_states: pd.DataFrame  # the same over MAIN_STATES, at the horizons
    transitions: pd.DataFrame  # cohort, area_code, group_dim, group_code, from_k, to_k, detail, from_state, to_state, persons
    paths: pd.DataFrame        # cohort, area_code, group_dim, group_code, k, rank, path, persons
    survival: pd.DataFrame     # cohort, area_code, group_dim, group_code, event, k, reached, share...


def count_paths(con: duckdb.DuckDBPyConnection, period: str, params: PackageParameters) -> PathCounts:
    horizons = ", ".join(str(h) for h in params.horizons)
    states = con.execute(f"""
        WITH mem AS ({membership_sql(period)})
        SELECT m.cohort, m.area_code, m.group_dim, m.group_code, s.k, s.state, count(*) AS persons
        FROM pkg_state s JOIN mem m USING (cohort, person_id)
        WHERE s.period = '{period}' AND (m.group_dim = 'all' OR s.k IN ({horizons}))
        GROUP BY ALL""").df()
    states = _complete(states, [*_GROUP, "k"], {"state": STATES})
    steps = (0, *params.horizons)
    pairs = " UNION ALL ".join(f"SELECT {a} AS from_k, {b} AS to_k" for a, b in zip(steps, steps[1:]))
    transitions = con.execute(f"""
        WITH mem AS ({membership_sql(period, ('all',))}), pairs AS ({pairs})
        SELECT m.cohort, m.area_code, p.from_k, p.to_k, a.state AS from_state, b.state AS to_state,
               count(*) AS persons
        FROM pairs p
        JOIN pkg_state a ON a.k = p.from_k AND a.period = '{period}'
        JOIN pkg_state b ON b.k = p.to_k AND b.period = '{period}' AND b.person_id = a.person_id
             AND b.cohort = a.cohort
        JOIN mem m ON m.cohort = a.cohort AND m.person_id = a.person_id
        GROUP BY ALL""").df()
    paths = con.execute(f"""
        WITH mem AS ({membership_sql(period, ('all',))}),
        s AS (SELECT cohort, person_id, k, state,
                     lag(state) OVER (PARTITION BY cohort, person_id ORDER BY k) AS prev
              FROM pkg_state WHERE period = '{period}' AND k <= {params.path_months}),
        seq AS (SELECT cohort, person_id,
                       string_agg(state, '{PATH_SEPARATOR}' ORDER BY k) FILTER (WHERE prev IS NULL OR state <> prev) AS path,
                       max(k) AS last_k
                FROM s GROUP BY ALL),
        counted AS (SELECT m.cohort, m.area_code, q.path, count(*) AS persons
                    FROM seq q JOIN mem m USING (cohort, person_id)
                    WHERE q.last_k = {params.path_months} GROUP BY ALL),
        ranked AS (SELECT *, row_number() OVER (PARTITION BY cohort, area_code
                                                ORDER BY persons DESC, path) AS rank FROM counted)
        SELECT cohort, area_code, least(rank, {params.top_paths + 1}) AS rank,
               CASE WHEN rank <= {params.top_paths} THEN path ELSE '{OTHER_PATHS}' END AS path,
               sum(persons)::BIGINT AS persons
        FROM ranked GROUP BY ALL ORDER BY cohort, area_code, rank""").df()
    paths = paths.assign(group_dim="all", group_code="all", k=params.path_months)
    event_parts = []
    for event, (event_states, cohorts) in EVENTS.items():
        in_states = ", ".join(f"'{s}'" for s in event_states)
        in_cohorts = ", ".join(f"'{c}'" for c in cohorts)
        event_parts.append(f"""
            SELECT cohort, person_id, '{event}' AS event,
                   coalesce(min(k) FILTER (WHERE state IN ({in_states})), max(k)) AS t,
                   min(k) FILTER (WHERE state IN ({in_states})) IS NOT NULL AS is_event,
                   max(k) AS last_k
            FROM pkg_state WHERE period = '{period}' AND cohort IN ({in_cohorts}) GROUP BY ALL""")
    events = con.execute(f"""
        WITH mem AS ({membership_sql(period)}), firsts AS ({' UNION ALL '.join(event_parts)})
        SELECT m.cohort, m.area_code, m.group_dim, m.group_code, f.event, f.t, f.is_event, f.last_k,
               count(*) AS persons
        FROM firsts f JOIN mem m USING (cohort, person_id)
        GROUP BY ALL""").df()
    main = (states[states.k.isin(params.horizons)].assign(state=lambda x: x.state.map(MAIN_STATE))
            .groupby([*_GROUP, "k", "state"], as_index=False)["persons"].sum())
    return PathCounts(states, main, _transitions(transitions), paths, _survival(events, params))


def _complete(frame: pd.DataFrame, keys: list[str], values: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Every combination of ``values`` for every key combination present, zeros included."""
    grid = frame[keys].drop_duplicates()
    for col, vals in values.items():
        grid = grid.merge(pd.DataFrame({col: vals}), how="cross")
    out = grid.merge(frame, on=[*keys, *values], how="left")
    out["persons"] = out["persons"].fillna(0).astype(np.int64)
    return out.sort_values([*keys, *values], ignore_index=True)


def _transitions(tr: pd.DataFrame) -> pd.DataFrame:
    """Detailed matrices for the country, main-state matrices for every area and the country."""
    tr = tr.assign(group_dim="all", group_code="all")
    keys = [*_GROUP, "from_k", "to_k"]
    detailed = _complete(tr[tr.area_code == COUNTRY], keys, {"from_state": STATES, "to_state": STATES})
    main = (tr.assign(from_state=tr.from_state.map(MAIN_STATE), to_state=tr.to_state.map(MAIN_STATE))
            .groupby([*keys, "from_state", "to_state"], as_index=False)["persons"].sum())
    main = _complete(main, keys, {"from_state": MAIN_STATES, "to_state": MAIN_STATES})
    return pd.concat([detailed.assign(detail="detailed"), main.assign(detail="main")], ignore_index=True)


def _survival(events: pd.DataFrame, params: PackageParameters) -> pd.DataFrame:
    """Kaplan-Meier per (cohort, area, group, event): every month for the whole cohort, the
    ``EVENT_HORIZONS`` for the groups. ``t`` is the month of the first event, or for persons
    without one their last observed month (censored after it)."""
    keys = [*_GROUP, "event"]
    groups = events[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    groups["g"] = np.arange(len(groups))
    e = events.merge(groups, on=keys)
    months = int(e.last_k.max()) + 1 if len(e) else 1

    def grid(rows: pd.Series, column: str) -> np.ndarray:
        out = np.zeros((len(groups), months))
        np.add.at(out, (e.g[rows].to_numpy(), e[column][rows].to_numpy().astype(int)), e.persons[rows].to_numpy())
        return out

    km = stats.kaplan_meier(grid(e.is_event, "t"), grid(~e.is_event, "t"), params.z)
    last = grid(e.is_event | ~e.is_event, "last_k")
    observed = last[:, ::-1].cumsum(1)[:, ::-1]  # persons still followed at month k
    median = stats.median_time(km["share"])
    g, k = np.meshgrid(np.arange(len(groups)), np.arange(months), indexing="ij")
    out = groups.loc[g.ravel(), keys].reset_index(drop=True)
    out["k"] = k.ravel()
    out["reached"] = km["reached"].ravel()
    out["share"], out["share_low"], out["share_high"] = km["share"].ravel(), km["low"].ravel(), km["high"].ravel()
    out["entrants"] = last.sum(1)[g.ravel()]
    out["median_months"] = median[g.ravel()]
    keep = (observed.ravel() > 0) & ((out.group_dim == "all") | out.k.isin(EVENT_HORIZONS)).to_numpy()
    return out[keep].reset_index(drop=True)


# -- disclosure cells ---------------------------------------------------------------------------


def path_cells(c: PathCounts) -> tuple[list[pd.DataFrame], list[Family]]:
    """The published counts of the path tables as disclosure cells, and their identities."""
    s = _published_states(c.states)
    observed = c.states.groupby([*_GROUP, "k"], as_index=False)["persons"].sum()
    entrants = c.survival.drop_duplicates(_GROUP).assign(k=0)
    parts = [
        cells_frame(entrants, "observed", "entrants", **_CELL, k="k"),
        cells_frame(s, "in_state", "persons", **_CELL, k="k", state="state"),
        cells_frame(c.main_states, "in_main_state", "persons", **_CELL, k="k", state="state"),
        cells_frame(observed, "observed", "persons", **_CELL, k="k"),
        cells_frame(c.paths, "path", "persons", **_CELL, k="k", detail="path"),
        cells_frame(c.survival, "reached", "reached", **_CELL, k="k", detail="event"),
    ]
    families = [Family("observed", "in_state", ("state",)), Family("observed", "in_main_state", ("state",)),
                Family("in_main_state", "in_state", ("state",), _ROLLUP), Family("observed", "path", ("detail",))]
    for (detail, from_k), part in c.transitions.groupby(["detail", "from_k"]):
        m = f"{detail}_from_{from_k}"
        rows = part.groupby([*_GROUP, "to_k", "from_state"], as_index=False)["persons"].sum()
        parts += [cells_frame(part, m, "persons", **_CELL, k="to_k", state="to_state", detail="from_state"),
                  cells_frame(rows, f"{m}_total", "persons", **_CELL, k="to_k", detail="from_state")]
        state_total = "in_state" if detail == "detailed" else "in_main_state"
        families += [Family(f"{m}_total", m, ("state",)), Family("observed", f"{m}_total", ("detail",)),
                     Family(state_total, m, ("detail",))]
        if detail == "main":
            families.append(Family(m, f"detailed_from_{from_k}", ("state", "detail"), _ROLLUP))
    return parts, families


def _published_states(states: pd.DataFrame) -> pd.DataFrame:
    """Detailed states: every area for the whole cohort, only the country by group."""
    return states[(states.group_dim == "all") | (states.area_code == COUNTRY)]


# -- tables -------------------------------------------------------------------------------------


def state_tables(c: PathCounts, d: Disclosure, params: PackageParameters) -> dict[str, pd.DataFrame]:
    """``states_monthly`` (detailed, whole cohort, every month), ``states_by_group`` (detailed,
    country) and ``main_states_by_group`` (main states, every area), with shares of the persons
    observed and Wilson intervals."""
    detailed = _shares(_published_states(c.states), "in_state", d, params)
    main = _shares(c.main_states, "in_main_state", d, params)
    monthly = detailed[detailed.group_dim == "all"].drop(columns=["group_dim", "group_code", "share_low", "share_high"])
    by_group = detailed[detailed.k.isin(params.horizons) & (detailed.area_code == COUNTRY)]
    return {"states_monthly": monthly.reset_index(drop=True),
            "states_by_group": by_group.reset_index(drop=True),
            "main_states_by_group": main.reset_index(drop=True)}


def _shares(s: pd.DataFrame, measure: str, d: Disclosure, params: PackageParameters) -> pd.DataFrame:
    s = s.copy()
    s["observed"] = s.groupby([*_GROUP, "k"])["persons"].transform("sum")
    hide_n = d.hidden_for(s, measure, **_CELL, k="k", state="state")
    hide_obs = d.hidden_for(s, "observed", **_CELL, k="k")
    s["share"] = s.persons / s.observed
    s["share_low"], s["share_high"] = stats.wilson(s.persons, s.observed, params.z)
    s.loc[hide_n | hide_obs, ["share", "share_low", "share_high"]] = np.nan
    s["persons"] = s["persons"].astype(float).mask(hide_n)
    s["observed"] = s["observed"].astype(float).mask(hide_obs)
    s["suppressed"] = hide_n | hide_obs
    return s


def transition_table(c: PathCounts, d: Disclosure) -> pd.DataFrame:
    t = c.transitions.copy()
    t["from_total"] = t.groupby([*_GROUP, "detail", "from_k", "to_k", "from_state"])["persons"].transform("sum")
    measure = t.detail + "_from_" + t.from_k.astype(str)
    hidden = np.zeros(len(t), dtype=bool)
    hidden_total = np.zeros(len(t), dtype=bool)
    for m in measure.unique():
        rows = (measure == m).to_numpy()
        part = t[rows]
        hidden[rows] = d.hidden_for(part, m, **_CELL, k="to_k", state="to_state", detail="from_state")
        hidden_total[rows] = d.hidden_for(part, f"{m}_total", **_CELL, k="to_k", detail="from_state")
    with np.errstate(invalid="ignore", divide="ignore"):
        t["share_of_row"] = np.where(t.from_total > 0, t.persons / t.from_total, np.nan)
    t.loc[hidden | hidden_total, "share_of_row"] = np.nan
    t["persons"] = t["persons"].astype(float).mask(hidden)
    t["from_total"] = t["from_total"].astype(float).mask(hidden_total)
    t["suppressed"] = hidden | hidden_total
    return t.drop(columns=["group_dim", "group_code"])


def path_table(c: PathCounts, d: Disclosure) -> pd.DataFrame:
    p = c.paths.copy()
    p["observed"] = p.groupby(["cohort", "area_code"])["persons"].transform("sum")
    hide = d.hidden_for(p, "path", **_CELL, k="k", detail="path")
    hide_obs = d.hidden_for(p, "observed", **_CELL, k="k")
    p["share"] = (p.persons / p.observed).mask(hide | hide_obs)
    p["persons"] = p["persons"].astype(float).mask(hide)
    p["observed"] = p["observed"].astype(float).mask(hide_obs)
    p["steps"] = (p.path.str.count(PATH_SEPARATOR) + 1).where(p.path != OTHER_PATHS)
    p["suppressed"] = hide | hide_obs
    return p.drop(columns=["group_dim", "group_code", "k"]).reset_index(drop=True)


def survival_table(c: PathCounts, d: Disclosure) -> pd.DataFrame:
    """Share reaching a service / work by month k (Kaplan-Meier, administrative censoring)."""
    s = c.survival.copy()
    hide = d.hidden_for(s, "reached", **_CELL, k="k", detail="event")
    hide_n = d.hidden_for(s, "observed", **_CELL, k=(0,))
    gone = hide | hide_n
    s.loc[gone, ["share", "share_low", "share_high"]] = np.nan
    s["reached"] = s["reached"].mask(gone)
    s["entrants"] = s["entrants"].mask(hide_n)
    s["median_months"] = s["median_months"].mask(hide_n)
    s["suppressed"] = gone
    return s
