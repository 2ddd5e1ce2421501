"""Compute every indicator for every area and period: the Python API of the stage.

``compute(warehouse)`` returns the long ``indicator_values`` table as a pandas DataFrame:
public (suppressed) by default, internal (unsuppressed, for the area's own analysts) only when
asked for explicitly with ``public=False``. Steps: Ibis queries on the warehouse (DuckDB or Spark,
``queries.py``) -> municipal monthly quantities -> the quantity grid over all areas and periods
(``aggregate.py``) -> disclosure control on the whole grid (``suppression.py``) -> the long table
(``tables.py``). Suppression always runs on every area, period and indicator, and only then is the
output narrowed to the requested levels and months: a narrower request never changes which cells
are hidden, so two differently filtered publications cannot be combined against each other.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from vaikutus.indicators import queries as qy
from vaikutus.indicators.aggregate import Grid, build_grid
from vaikutus.indicators.areas import AREA_TYPES, Areas
from vaikutus.indicators.definitions import PERIOD_TYPES, IndicatorDefinition, catalog
from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.indicators.quantities import EVENTS, aliases
from vaikutus.indicators.relations import grid_factors, protected_rows
from vaikutus.indicators.suppression import Suppression, primary_mask, suppress_boxes
from vaikutus.indicators.tables import indicator_table
from vaikutus.registry.schemas import TABLES
from vaikutus.warehouse import connect
from vaikutus.warehouse.backends import arrow_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndicatorResult:
    """Everything one run produced: the internal table, the public one (if suppressed), the grid."""

    internal: pd.DataFrame
    public: pd.DataFrame | None
    grid: Grid
    suppression: Suppression | None
    params: IndicatorParameters
    indicators: tuple[IndicatorDefinition, ...]
    missing_tables: tuple[str, ...]


def open_warehouse(warehouse: str | Path | BaseBackend, backend: str = "duckdb") -> BaseBackend:
    """An Ibis connection: passed through, or opened with ``vaikutus.warehouse.connect``."""
    if isinstance(warehouse, BaseBackend):
        return warehouse
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"warehouse {path} does not exist")
    return connect(path, backend=backend)


class _Tables(qy.Warehouse):
    """Register tables that are missing read as empty (their indicators are then left out)."""

    def __init__(self, con: BaseBackend, where: str) -> None:
        super().__init__(con, where)
        self.missing: list[str] = []

    def table(self, name: str):
        if name in self._names or name not in TABLES:
            return super().table(name)
        if name not in self.missing:
            self.missing.append(name)
        return arrow_table(self.con, f"_empty_{name}", TABLES[name].arrow_schema().empty_table())


def compute_grid(con: BaseBackend, params: IndicatorParameters, areas: Areas, where: str = "warehouse") -> tuple[Grid, list[str]]:
    """Run the queries and assemble the quantity grid; also the register tables found missing."""
    w = _Tables(con, where)
    cal = qy.calendar(w.table("months").to_pandas(), params)
    cal_t = arrow_table(con, "_indicator_calendar", pa.Table.from_pandas(cal, preserve_index=False))
    cal_t = cal_t.cast(qy.CALENDAR_SCHEMA)
    members = arrow_table(con, "_indicator_membership", pa.Table.from_pandas(areas.membership, preserve_index=False))

    # materialised once, read by several queries
    reg = qy.registered_base(w, cal_t, params).cache()
    events = {e: qy.event_units(w, e).cache() for e in EVENTS}
    # month is a date in every part (Spark tables hold it as a timestamp, truncated dates as dates)
    long_counts = ibis.union(*(part.cast({"month": "date"}) for part in (
        qy.service_counts(w, reg), qy.flow_counts(w, cal_t, params), qy.event_counts(events))))
    municipal = [
        expr.to_pandas()
        for expr in (
            qy.stock_counts(w, reg, params),
            long_counts,  # one query for the long-form counts: fewer round trips (slow on Spark)
            qy.search_end_counts(w),
            qy.benefit_counts(w),
            qy.kykyviisari_counts(w, params),
            qy.satisfaction_counts(w),
        )
    ]
    medians = qy.duration_medians(w, members).to_pandas().rename(columns={"month": "period"})
    stats = [medians.assign(quantity="unemployment_duration_median"),
             qy.distinct_counts(events, members, cal_t).to_pandas()]
    for table in (reg, *events.values()):
        table.release()
    caseloads = qy.caseload_units(w, cal_t).to_pandas()
    lf = qy.labour_force(w)
    alias = aliases(params.activation_services, params.extended_services)
    grid = build_grid(areas, cal, municipal, lf, caseloads, stats, params, alias)
    return grid, list(w.missing)


def compute_result(
    warehouse: str | Path | BaseBackend,
    *,
    public: bool = True,
    params: IndicatorParameters | None = None,
    backend: str = "duckdb",
    areas: Areas | None = None,
) -> IndicatorResult:
    """Compute the grid and the internal table, and the public one when ``public``."""
    params = params or IndicatorParameters()
    areas = areas or Areas.from_reference()
    con = open_warehouse(warehouse, backend)
    where = str(warehouse) if not isinstance(warehouse, BaseBackend) else "warehouse"
    grid, missing = compute_grid(con, params, areas, where)
    defs = tuple(d for d in catalog() if not set(d.source_tables) & set(missing))
    if missing:
        left_out = [d.id for d in catalog() if set(d.source_tables) & set(missing)]
        log.warning("warehouse lacks %s: left out %d indicators (%s...)", missing, len(left_out), left_out[:5])
    internal = indicator_table(grid, defs, params.suppression_threshold, None)
    sup = None
    public_table = None
    if public:
        sup = suppress_grid(grid, areas, params.suppression_threshold)
        public_table = indicator_table(grid, defs, params.suppression_threshold, sup)
    return IndicatorResult(internal, public_table, grid, sup, params, defs, tuple(missing))


def suppress_grid(grid: Grid, areas: Areas, threshold: int) -> Suppression:
    """Primary and secondary suppression of the protected quantities of the grid."""
    protected = np.zeros(grid.values.shape, dtype=bool)
    protected[protected_rows(grid)] = True
    primary = primary_mask(grid.values, protected, threshold)
    area_f, period_f, kinds, quantity_f = grid_factors(grid, areas)
    return suppress_boxes(grid.values, primary, area_f, period_f, kinds, quantity_f, threshold)


def compute(
    warehouse: str | Path | BaseBackend,
    *,
    public: bool = True,
    levels: tuple[str, ...] | list[str] | None = None,
    periods: tuple[str, ...] | list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    indicators: tuple[str, ...] | list[str] | None = None,
    params: IndicatorParameters | None = None,
    backend: str = "duckdb",
    areas: Areas | None = None,
) -> pd.DataFrame:
    """The indicator table: public (suppressed) unless ``public=False`` is given explicitly.

    ``levels``: area types (default all); ``periods``: 'month', 'quarter', 'year' (default all);
    ``start`` / ``end``: 'YYYY-MM', keeping periods wholly inside; ``indicators``: ids.
    """
    result = compute_result(warehouse, public=public, params=params, backend=backend, areas=areas)
    frame = result.public if public else result.internal
    return select(frame, levels=levels, periods=periods, start=start, end=end, indicators=indicators)


def select(
    frame: pd.DataFrame,
    *,
    levels=None,
    periods=None,
    start: str | None = None,
    end: str | None = None,
    indicators=None,
) -> pd.DataFrame:
    """Rows of the requested levels, period types, months and indicators."""
    keep = np.ones(len(frame), dtype=bool)
    if levels:
        _check(levels, AREA_TYPES, "level")
        keep &= frame.area_type.isin(levels).to_numpy()
    kinds = period_type(frame.period)
    if periods:
        _check(periods, PERIOD_TYPES, "period type")
        keep &= kinds.isin(periods).to_numpy()
    if start or end:
        first, last = period_bounds(frame.period)
        if start:
            keep &= (first >= _month(start, "start")).to_numpy()
        if end:
            keep &= (last <= _month(end, "end")).to_numpy()
    if indicators:
        unknown = sorted(set(indicators) - set(frame.indicator.cat.categories))
        if unknown:
            raise ValueError(f"unknown indicator(s) {unknown}")
        keep &= frame.indicator.isin(indicators).to_numpy()
    out = frame[keep].reset_index(drop=True)
    for col in ("indicator", "area_type"):
        out[col] = out[col].cat.remove_unused_categories()
    return out


def period_type(period: pd.Series) -> pd.Series:
    p = period.astype(str)
    return pd.Series(np.where(p.str.contains("Q"), "quarter", np.where(p.str.len() == 4, "year", "month")),
                     index=period.index)


def period_bounds(period: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last month ('YYYY-MM') of each period label."""
    p = period.astype(str)
    kind = period_type(p)
    year = p.str[:4]
    q = pd.to_numeric(p.str[-1].where(kind == "quarter"), errors="coerce").fillna(1).astype(int)
    first = np.where(kind == "month", p, np.where(kind == "quarter",
                     year + "-" + ((q - 1) * 3 + 1).map("{:02d}".format), year + "-01"))
    last = np.where(kind == "month", p, np.where(kind == "quarter",
                    year + "-" + (q * 3).map("{:02d}".format), year + "-12"))
    return pd.Series(first, index=p.index), pd.Series(last, index=p.index)


def _month(value: str, what: str) -> str:
    text = str(value)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise ValueError(f"{what} month {value!r} is not of the form YYYY-MM")
    return text


def _check(values, allowed: tuple[str, ...], what: str) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"unknown {what}(s) {bad}; use {list(allowed)}")


__all__ = ["IndicatorResult", "compute", "compute_grid", "compute_result", "open_warehouse", "select"]
