"""Dynamic entry design from the warehouse: who entered a service when, compared with whom.

Sianesi (2004): a jobseeker can enter a service in any month of an unemployment spell, so
"treated versus never treated" compares people who waited with people who did not. Instead, for
every entry month ``e`` the *risk set* is everyone whose status on the counting day of month
``e - 1`` is unemployed (``eligible_statuses``) and who has not yet entered the service in the data
window. Those whose first spell of the service starts in month ``e`` are treated; the others are
comparisons for *not entering now* - they may enter later, exactly as in the counterfactual of
"treatment now versus waiting". One row per person and risk month (a person-spell-month); a
person appears as a comparison in many months and as treated at most once.

``comparison="not_entering"`` (default) is Sianesi's comparison: anyone at risk who did not enter
in month ``e``, whatever else they did that month (some find a job within it) - the estimand of
the synthetic register's ground truth. ``"still_unemployed"`` keeps only comparisons whose status
is still eligible on the counting day of month ``e``: a counterfactual "held in unemployment
through the entry month", bought at the price of conditioning on a post-baseline event (the
month's own job finding), which leaves comparisons slower to find work, so its effects lie above
Sianesi's in the first months. It answers a different question and is kept as a sensitivity view.

Confounders are measured before ``e``: elapsed unemployment (whole calendar months between the
month the continuing spell began and ``e``, minus one, as the synthetic register's assignment
model counts it), months with earnings and summed earnings and benefits over the previous
``history_months``, months in any service over the previous 24, unemployment spells begun in the
previous 36 months, an earlier spell of the same service, the person's age, sex, native language,
citizenship, education, partial work ability, the municipality's statistical type (urban /
semi-urban / rural, Statistics Finland's kuntaryhmitys) and the entry year.

Outcomes for k = 1..``horizon`` months after the entry month: ``employed_mKK`` (earnings > 0 in
month e + k; a subsidised wage counts), ``earnings_mKK`` and ``benefits_mKK`` (euros, zeros
included), missing where e + k lies after the last register month; and their sums over the
horizon ``employed_total`` (months employed), ``earnings_total``, ``benefits_total`` and
``basic_benefits_total`` (labour market subsidy + basic allowance), where the whole horizon is
observed. The treated rows also carry the entered spell's length and ``cost_eur``.

DuckDB SQL over the warehouse tables ``person_month``, ``service_month``, ``service_spells``,
``earnings`` and ``benefits`` builds the risk set (a temporary table), the histories and the
income after entry in long form; numpy scatters the long rows into month columns (one pass, where
a 36 x 3 conditional aggregation in SQL took most of the time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from vaikutus.reference import data_path

FAMILIES = ("employed", "earnings", "benefits")
TOTALS = ("employed_total", "earnings_total", "benefits_total", "basic_benefits_total")
BASIC_BENEFITS = ("labour_market_subsidy", "basic_allowance")
REQUIRED_TABLES = ("person_month", "service_month", "service_spells", "earnings", "benefits")

#: Bands of the synthetic register's assignment model (and of common reporting practice).
DURATION_BANDS = ((0, "0-2"), (3, "3-5"), (6, "6-11"), (12, "12-23"), (24, "24+"))
AGE_BANDS = ((0, "<25"), (25, "25-49"), (50, "50-59"), (60, "60+"))
EMPLOYED_BANDS = ((0, "0"), (1, "1-5"), (6, "6-12"))
EDUCATION_BANDS = (
    (0, "basic (ISCED 0-2)"),
    (3, "secondary (ISCED 3-4)"),
    (5, "tertiary (ISCED 5-8)"),
)

COVARIATES = (
    "elapsed_band",
    "elapsed_months",
    "age_band",
    "age",
    "sex",
    "native_language",
    "citizenship",
    "education_level",
    "partial_work_ability",
    "employed_band",
    "months_employed_prior",
    "earnings_prior",
    "benefits_prior",
    "service_months_24",
    "any_service_24",
    "unemployment_spells_36",
    "previous_same_service",
    "municipality_type",
    "entry_year",
)
SUBGROUPS = ("age_band", "education_band", "elapsed_band", "native_language", "region")
COMPARISONS = ("not_entering", "still_unemployed")


def outcome_column(family: str, month: int) -> str:
    return f"{family}_m{month:02d}"


@dataclass(frozen=True, eq=False)
class ServiceDesign:
    """The design's rows and how to read them; ``evaluate`` estimates the effects."""

    data: pd.DataFrame = field(repr=False)
    service: str
    horizon: int
    entry_from: date
    entry_to: date
    last_month: date
    treatment: str = "treated"
    covariates: tuple[str, ...] = COVARIATES
    subgroups: tuple[str, ...] = SUBGROUPS
    control_fraction: float = 1.0
    comparison: str = "not_entering"

    @property
    def n_treated(self) -> int:
        return int(self.data[self.treatment].sum())

    def describe(self) -> dict[str, Any]:
        treated = self.data[self.data[self.treatment] == 1]
        return {
            "service": self.service,
            "entry_from": self.entry_from.isoformat(),
            "entry_to": self.entry_to.isoformat(),
            "last_register_month": self.last_month.isoformat(),
            "horizon_months": self.horizon,
            "rows": len(self.data),
            "treated": self.n_treated,
            "comparison_rows": int(len(self.data) - len(treated)),
            "comparison_persons": int(
                self.data.loc[self.data[self.treatment] == 0, "person_id"].nunique()
            ),
            "control_fraction": self.control_fraction,
            "comparison": self.comparison,
            "mean_service_months": float(treated["service_months"].mean()),
            "mean_service_cost_eur": float(treated["service_cost_eur"].mean()),
            "elapsed_months_at_entry": {
                str(k): v
                for k, v in treated["elapsed_months"]
                .clip(upper=60)
                .value_counts(normalize=True)
                .sort_index()
                .items()
            },
        }

    def evaluate(self, method: str = "aipw", **options: Any):
        """Month-by-month effects (see :func:`vaikutus.evaluation.individual.dynamic.evaluate`)."""
        from vaikutus.evaluation.individual.dynamic import evaluate

        return evaluate(self, method=method, **options)


def open_warehouse(warehouse: str | Path | duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on a warehouse file, or on a folder of ``<table>.parquet`` files."""
    if isinstance(warehouse, duckdb.DuckDBPyConnection):
        return warehouse
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"warehouse {path} does not exist")
    if path.is_dir():
        con = duckdb.connect()
        for table in REQUIRED_TABLES:
            file = path / f"{table}.parquet"
            if not file.exists():
                raise FileNotFoundError(f"warehouse folder {path} has no {file.name}")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet(?)", [str(file)])
        return con
    return duckdb.connect(str(path), read_only=True)


def build_design(
    warehouse: str | Path | duckdb.DuckDBPyConnection,
    *,
    service: str = "wage_subsidy",
    horizon: int = 36,
    history_months: int = 12,
    entry_from: str | date | None = None,
    entry_to: str | date | None = None,
    eligible_statuses: tuple[str, ...] = ("unemployed",),
    comparison: str = "not_entering",
    control_fraction: float = 1.0,
    seed: int = 0,
) -> ServiceDesign:
    """Build the dynamic entry design for ``service`` (a ``service_spells.service`` code).

    ``entry_from`` defaults to ``history_months`` after the first register month (so every
    pre-entry history is complete), ``entry_to`` to the month before the last register month.
    ``control_fraction`` < 1 keeps a seeded random share of the comparison rows (all treated rows
    are kept): comparisons are many and alike, and an ATT is unbiased under random thinning.
    """
    if not 1 <= int(horizon) <= 120:
        raise ValueError(f"horizon must be 1..120 months; got {horizon}")
    if comparison not in COMPARISONS:
        raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}; got {comparison!r}")
    if not 0 < control_fraction <= 1:
        raise ValueError(f"control_fraction must lie in (0, 1]; got {control_fraction}")
    con = open_warehouse(warehouse)
    tables = {
        row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise ValueError(
            f"warehouse lacks table(s) {', '.join(missing)}; run `vaikutus build-panel` first"
        )
    known = {r[0] for r in con.execute("SELECT DISTINCT service FROM service_spells").fetchall()}
    if service not in known:
        raise ValueError(f"service {service!r} has no spells; services present: {sorted(known)}")
    first, last = con.execute("SELECT min(month), max(month) FROM earnings").fetchall()[0]
    if first is None:
        raise ValueError("the warehouse earnings table is empty: outcomes cannot be measured")
    start = _month(entry_from) if entry_from else _add_months(first, history_months)
    stop = _month(entry_to) if entry_to else _add_months(last, -1)
    if start > stop:
        raise ValueError(f"entry window {start}..{stop} is empty (register months {first}..{last})")

    types = pd.read_csv(data_path("municipality_key_2025.csv"), dtype=str)[
        ["kunta", "kuntaryhmitys_code"]
    ]
    types["municipality_type"] = types["kuntaryhmitys_code"].map(
        {"1": "urban", "2": "semi_urban", "3": "rural"}
    )
    con.register("municipality_types", types[["kunta", "municipality_type"]])
    parameters = {
        "service": service,
        "statuses": list(eligible_statuses),
        "first": first,
        "last": last,
        "start": start,
        "stop": stop,
        "fraction": float(control_fraction),
        "seed": str(int(seed)),
    }
    try:
        con.execute(_risk_sql(held=comparison == "still_unemployed"), parameters)
        frame = con.execute(_covariates_sql(history_months)).df()
        long = con.execute(_outcomes_sql(horizon), {"basic": list(BASIC_BENEFITS)}).df()
    finally:
        con.execute("DROP TABLE IF EXISTS design_rows")
        con.unregister("municipality_types")
    if frame.empty or frame["treated"].sum() == 0:
        raise ValueError(f"no entries into {service!r} from the risk set in {start}..{stop}")
    frame = pd.concat([frame, _outcome_columns(frame, long, horizon, last)], axis=1)
    frame = _derive(frame)
    return ServiceDesign(
        data=frame,
        service=service,
        horizon=int(horizon),
        entry_from=start,
        entry_to=stop,
        last_month=last,
        control_fraction=float(control_fraction),
        comparison=comparison,
    )


def _risk_sql(*, held: bool) -> str:
    """The risk set (one row per person and entry month, comparisons thinned) as ``design_rows``."""
    return f"""
CREATE TEMP TABLE design_rows AS
WITH first_entry AS (
    SELECT person_id, min(date_trunc('month', start))::DATE AS entry_month,
           arg_min(cost_eur, start) AS service_cost_eur,
           arg_min(coalesce("end", $last::DATE) - start + 1, start) AS service_days
    FROM service_spells
    WHERE service = $service AND start >= $first
    GROUP BY person_id
),
earlier_service AS (
    SELECT person_id, min(start) AS first_start FROM service_spells WHERE service = $service
    GROUP BY person_id
),
risk AS (
    SELECT pm.person_id,
           (pm.month + INTERVAL 1 MONTH)::DATE AS entry_month,
           pm.counting_day - (pm.unemployment_duration_days::INTEGER - 1) AS spell_start,
           pm.age + (month(pm.month) = 12)::INT AS age, pm.sex, pm.native_language,
           pm.citizenship, pm.education, pm.partial_work_ability, pm.municipality, pm.region,
           pm.employment_area,
           coalesce(f.entry_month = (pm.month + INTERVAL 1 MONTH)::DATE, FALSE) AS is_entry,
           f.service_cost_eur, f.service_days, es.first_start
    FROM person_month pm
    LEFT JOIN first_entry f USING (person_id)
    LEFT JOIN earlier_service es USING (person_id)
    WHERE pm.status IN (SELECT unnest($statuses::VARCHAR[]))
      AND pm.unemployment_duration_days IS NOT NULL
      AND (pm.month + INTERVAL 1 MONTH) BETWEEN $start AND $stop
      AND (f.entry_month IS NULL OR f.entry_month >= (pm.month + INTERVAL 1 MONTH))
),
held AS (
    SELECT r.* FROM risk r
    LEFT JOIN person_month pe ON pe.person_id = r.person_id AND pe.month = r.entry_month
    WHERE r.is_entry OR NOT {held} OR pe.status IN (SELECT unnest($statuses::VARCHAR[]))
)
SELECT row_number() OVER (ORDER BY entry_month, person_id) - 1 AS row_id, *
FROM held
WHERE is_entry
   OR (hash(person_id || '/' || entry_month::VARCHAR || '/' || $seed) % 1000000) < $fraction * 1000000
"""


def _covariates_sql(history: int) -> str:
    """Pre-entry histories and person covariates of every design row."""
    return f"""
WITH history_income AS (
    SELECT s.row_id, count(*) FILTER (WHERE e.earnings_eur > 0) AS months_employed_prior,
           coalesce(sum(e.earnings_eur), 0) AS earnings_prior
    FROM design_rows s JOIN earnings e
      ON e.person_id = s.person_id
     AND e.month >= s.entry_month - INTERVAL {history} MONTH AND e.month < s.entry_month
    GROUP BY s.row_id
),
history_benefits AS (
    SELECT s.row_id, sum(b.amount_eur) AS benefits_prior
    FROM design_rows s JOIN benefits b
      ON b.person_id = s.person_id
     AND b.month >= s.entry_month - INTERVAL {history} MONTH AND b.month < s.entry_month
    GROUP BY s.row_id
),
history_services AS (
    SELECT s.row_id, count(DISTINCT sm.month) AS service_months_24
    FROM design_rows s JOIN service_month sm
      ON sm.person_id = s.person_id
     AND sm.month >= s.entry_month - INTERVAL 24 MONTH AND sm.month < s.entry_month
    GROUP BY s.row_id
),
history_spells AS (
    SELECT s.row_id, count(*) AS unemployment_spells_36
    FROM design_rows s JOIN person_month pm
      ON pm.person_id = s.person_id AND pm.unemployment_spell_started
     AND pm.month >= s.entry_month - INTERVAL 36 MONTH AND pm.month < s.entry_month
    GROUP BY s.row_id
)
SELECT s.row_id, s.person_id, s.entry_month, s.is_entry::INT AS treated,
       datediff('month', date_trunc('month', s.spell_start), s.entry_month) - 1 AS elapsed_months,
       s.age, s.sex, s.native_language, s.citizenship, s.education, s.partial_work_ability,
       s.municipality, s.region, s.employment_area, mt.municipality_type,
       coalesce(hi.months_employed_prior, 0) AS months_employed_prior,
       coalesce(hi.earnings_prior, 0) AS earnings_prior,
       coalesce(hb.benefits_prior, 0) AS benefits_prior,
       coalesce(hs.service_months_24, 0) AS service_months_24,
       coalesce(sp.unemployment_spells_36, 0) AS unemployment_spells_36,
       coalesce(s.first_start < s.entry_month, FALSE) AS previous_same_service,
       CASE WHEN s.is_entry THEN s.service_cost_eur END AS service_cost_eur,
       CASE WHEN s.is_entry THEN s.service_days / 30.4375 END AS service_months
FROM design_rows s
LEFT JOIN history_income hi USING (row_id)
LEFT JOIN history_benefits hb USING (row_id)
LEFT JOIN history_services hs USING (row_id)
LEFT JOIN history_spells sp USING (row_id)
LEFT JOIN municipality_types mt ON mt.kunta = s.municipality
ORDER BY s.row_id
"""


def _outcomes_sql(horizon: int) -> str:
    """Income after entry in long form: one row per design row and month k with any income."""
    return f"""
WITH income AS (
    SELECT s.row_id, datediff('month', s.entry_month, e.month)::INT AS k,
           sum(e.earnings_eur) AS earnings, 0.0 AS benefits, 0.0 AS basic
    FROM design_rows s JOIN earnings e
      ON e.person_id = s.person_id
     AND e.month > s.entry_month AND e.month <= s.entry_month + INTERVAL {horizon} MONTH
    GROUP BY ALL
),
paid AS (
    SELECT s.row_id, datediff('month', s.entry_month, b.month)::INT AS k, 0.0 AS earnings,
           sum(b.amount_eur) AS benefits,
           coalesce(sum(b.amount_eur) FILTER (WHERE b.benefit IN (SELECT unnest($basic::VARCHAR[]))), 0)
               AS basic
    FROM design_rows s JOIN benefits b
      ON b.person_id = s.person_id
     AND b.month > s.entry_month AND b.month <= s.entry_month + INTERVAL {horizon} MONTH
    GROUP BY ALL
)
SELECT row_id, k, sum(earnings) AS earnings, sum(benefits) AS benefits, sum(basic) AS basic
FROM (SELECT * FROM income UNION ALL SELECT * FROM paid)
GROUP BY row_id, k
"""


def _outcome_columns(
    frame: pd.DataFrame, long: pd.DataFrame, horizon: int, last: date
) -> pd.DataFrame:
    """Scatter the long income rows into month columns; missing after the last register month."""
    n = len(frame)
    rows, k = long["row_id"].to_numpy(dtype=np.int64), long["k"].to_numpy(dtype=np.int64) - 1
    values = {}
    for name in ("earnings", "benefits", "basic"):
        matrix = np.zeros((n, horizon))
        matrix[rows, k] = long[name].to_numpy(dtype=float)
        values[name] = matrix
    entry = pd.to_datetime(frame["entry_month"])
    months_left = (last.year - entry.dt.year) * 12 + (last.month - entry.dt.month)
    seen = np.arange(1, horizon + 1)[None, :] <= months_left.to_numpy()[:, None]
    complete = seen.all(axis=1)
    columns = {}
    employed = (values["earnings"] > 0).astype(float)
    for family, matrix in (
        ("employed", employed),
        ("earnings", values["earnings"]),
        ("benefits", values["benefits"]),
    ):
        shown = np.where(seen, matrix, np.nan)
        for month in range(1, horizon + 1):
            columns[outcome_column(family, month)] = shown[:, month - 1]
    for name, matrix in (
        ("employed_total", employed),
        ("earnings_total", values["earnings"]),
        ("benefits_total", values["benefits"]),
        ("basic_benefits_total", values["basic"]),
    ):
        columns[name] = np.where(complete, matrix.sum(axis=1), np.nan)
    return pd.DataFrame(columns, index=frame.index)


def _band(values: pd.Series, bands: tuple[tuple[int, str], ...]) -> pd.Series:
    edges = np.array([b[0] for b in bands])
    labels = np.array([b[1] for b in bands])
    return pd.Series(
        labels[np.searchsorted(edges, values.to_numpy(), side="right") - 1], index=values.index
    )


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Bands and typed columns the estimators and subgroup tables use."""
    frame["entry_month"] = pd.to_datetime(frame["entry_month"])
    frame["entry_year"] = frame["entry_month"].dt.year.astype(str)
    frame["elapsed_months"] = frame["elapsed_months"].clip(lower=0)
    frame["elapsed_band"] = _band(frame["elapsed_months"], DURATION_BANDS)
    frame["age_band"] = _band(frame["age"], AGE_BANDS)
    frame["employed_band"] = _band(frame["months_employed_prior"], EMPLOYED_BANDS)
    frame["education_level"] = "isced_" + frame["education"].astype(int).astype(str)
    frame["education_band"] = _band(frame["education"], EDUCATION_BANDS)
    frame["any_service_24"] = frame["service_months_24"] > 0
    frame["partial_work_ability"] = frame["partial_work_ability"].astype(bool)
    frame["previous_same_service"] = frame["previous_same_service"].astype(bool)
    frame["municipality_type"] = frame["municipality_type"].fillna("unknown")
    frame["long_term_unemployed"] = frame["elapsed_months"] >= 12
    frame["age_55_plus"] = frame["age"] >= 55
    return frame.drop(columns="row_id")


def _month(value: str | date) -> date:
    stamp = pd.Timestamp(value)
    return date(stamp.year, stamp.month, 1)


def _add_months(day: date, months: int) -> date:
    stamp = pd.Timestamp(day) + pd.DateOffset(months=months)
    return date(stamp.year, stamp.month, 1)
