"""Aggregate mode: the indicator table from public StatFin figures (table 12r5) instead of a register.

KEHA-keskus publishes in StatFin table 12r5, for every municipality and month, the month-end counts
several indicators are made of (DOMAIN.md A1, A3, A4, D). :data:`COLUMNS_12R5` says which 12r5
content columns make which quantity of the indicator stage. From there the path is the register
path's own: the municipal figures are summed to employment areas, regions, trial areas, trial vs
non-trial and the country through the same 2025 area hierarchy (``aggregate.additive_grid``),
quarters and years are means of complete months, and rates are recomputed from the summed
numerator and denominator by the same ``tables.indicator_table`` - so the table has the
``indicator_values`` columns and rows, with ``source = 'statfin'``, and the portal and the
evaluation read it unchanged.

Disclosure: 12r5 shows 1-4 persons as ``...``. Such a cell is unknown, never 0; every sum that
includes it is unknown too and is published as ``suppressed`` (no value). Nothing here can reveal
more than StatFin publishes: every number shown is a sum or ratio of published numbers. The country
and the regions are published by 12r5 itself, so their figures are taken as published and the sum
of municipalities is used only where the file lacks them: the regions equal the sums of their
municipalities wherever those are known, but the official national total is larger than the
municipal rows add up to (2026M06: by 33 unemployed where the five ``...`` cells hide at most 20),
so a summed country would understate it.

Indicators whose quantities 12r5 lacks (the register-only ones, and the foreign and under-25 shares,
whose labour-force denominators are not in 12r5) are left out, each with the reason in
:attr:`StatfinIndicators.left_out`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from vaikutus.indicators.aggregate import Grid, Periods, additive_grid
from vaikutus.indicators.areas import Areas
from vaikutus.indicators.definitions import IndicatorDefinition, catalog
from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.indicators.quantities import aliases
from vaikutus.indicators.suppression import Suppression
from vaikutus.indicators.tables import indicator_table
from vaikutus.registry.pxweb import PxTable, keyed, read_fetched, read_table
from vaikutus.registry.pxweb.codes import time_frequency

log = logging.getLogger(__name__)

SOURCE = "statfin"
#: Symbols meaning "published as confidential" (TEM ``...``, Tilastokeskus ``..``): suppressed.
WITHHELD = frozenset({"...", ".."})
#: The six 12r5 service groups ("palveluissa olevat", DOMAIN.md A3). Together they are every
#: activation-rate service; start-up grant is inside TYOLLISTETTYLOP and cannot be separated.
SERVICE_COLUMNS = (
    "TYOLLISTETTYLOP",
    "TYOHARJOITTELULOP",
    "KOKEILULOP",
    "TVKOULUTUSLOP",
    "VALMENNUSLOP",
    "MTPPALVELUTLOP",
)
#: Quantity -> the 12r5 content columns it is the sum of.
COLUMNS_12R5: dict[str, tuple[str, ...]] = {
    "unemployed": ("TYOTTOMATLOPUSSA",),
    "labour_force_all": ("TYOVOIMATK",),
    "long_term_unemployed": ("PITKAAIKAISTYOTTOMAT",),
    "unemployed_under25": ("TYOTTOMAT25",),
    "unemployed_foreign": ("TYOTTOMATULK",),
    "in_service_total": SERVICE_COLUMNS,
    "in_activation": SERVICE_COLUMNS,
    "activation_denominator": ("TYOTTOMATLOPUSSA", *SERVICE_COLUMNS),
    "extended_unemployment": ("TYOTTOMATLOPUSSA", *SERVICE_COLUMNS),
    "in_service_labour_market_training": ("TVKOULUTUSLOP",),
    "in_service_coaching": ("VALMENNUSLOP",),
    "in_service_work_trial": ("KOKEILULOP",),
}
_ACTIVATION = ("in_activation", "activation_denominator", "extended_unemployment")


class StatfinInputError(ValueError):
    """A public table the aggregate mode cannot turn into indicators; the message names the file."""


@dataclass(frozen=True, eq=False)
class StatfinIndicators:
    """The indicator table made from a StatFin table, and what it was made from.

    ``table`` has the ``indicator_values`` columns (``source`` = ``statfin``); it is public as it
    stands (the only hidden cells are the ones StatFin withheld). ``info`` describes the source for
    labels and the ``indicator_sources`` warehouse table; ``left_out`` gives, for each indicator of
    the catalogue not computed, the reason.
    """

    table: pd.DataFrame
    grid: Grid
    info: dict
    indicators: tuple[IndicatorDefinition, ...]
    left_out: dict[str, str] = field(default_factory=dict)
    unknown_areas: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        info = self.info
        flags = self.table["flag"].value_counts().to_dict()
        table = f" (StatFin {info['table_id']})" if info["table_id"] else ""
        lines = [
            f"{info['title']}",
            f"source: {info['publisher']}{table}, updated {info['updated'] or '-'}",
            f"months: {info['first_period']} .. {info['last_period']} ({info['months']})",
            f"{len(self.table):,} values of {len(self.indicators)} indicators; "
            f"suppressed (withheld by StatFin or summed from withheld cells): {flags.get('suppressed', 0):,}",
            "indicators: " + ", ".join(d.id for d in self.indicators),
        ]
        if self.unknown_areas:
            lines.append(f"left out, not municipalities of the 2025 division: {', '.join(self.unknown_areas)}")
        return "\n".join(lines)


def read_statfin(path: str | Path) -> PxTable:
    """A saved StatFin response (json, json-stat2, CSV, PX) or a folder ``vaikutus statfin fetch`` wrote."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"StatFin input {path} does not exist")
    return read_fetched(path) if path.is_dir() else read_table(path)


def available_quantities(columns: Sequence[str], params: IndicatorParameters) -> dict[str, tuple[str, ...]]:
    """The quantities the given 12r5 columns make under ``params`` (quantity -> its columns)."""
    alias = aliases(params.activation_services, params.extended_services)
    out = {}
    for quantity, needed in COLUMNS_12R5.items():
        if quantity in alias or not set(needed) <= set(columns):
            continue
        if quantity in _ACTIVATION and not params.start_up_grant_in_activation:
            continue  # start-up grant is inside TYOLLISTETTYLOP: the rate without it is not in 12r5
        if quantity == "extended_unemployment" and not alias:
            continue  # 12r5 gives the activation services only
        out[quantity] = needed
    return out


def compute_statfin(
    source: str | Path | PxTable,
    *,
    params: IndicatorParameters | None = None,
    areas: Areas | None = None,
) -> StatfinIndicators:
    """The indicator table of every area and period from a StatFin 12r5 table (file, folder or parsed)."""
    params = params or IndicatorParameters()
    areas = areas or Areas.from_reference()
    table = source if isinstance(source, PxTable) else read_statfin(source)
    where = table.meta.source_file or "StatFin table"
    frame = _checked(table, where)
    months = sorted(frame["period"].unique())
    periods = Periods.from_calendar(pd.DataFrame({"month": pd.to_datetime(months)}))
    quantities = available_quantities([c.code for c in table.meta.contents], params)
    alias = aliases(params.activation_services, params.extended_services)
    values, withheld, unknown = _municipal(frame, areas, periods, quantities)
    published, published_withheld = _published(frame, areas, periods, quantities)
    grid = additive_grid(areas, periods, values, alias, published)
    # the same sums over a 0/1 "withheld" mask: > 0 where a sum includes a withheld cell
    mask = additive_grid(areas, periods, {q: w.astype(float) for q, w in withheld.items()}, alias, {
        q: np.where(~np.isnan(p), 0.0, np.where(published_withheld[q], 1.0, np.nan)) for q, p in published.items()
    })
    hidden = (np.nan_to_num(mask.values) > 0) & np.isnan(grid.values)
    defs, left_out = _definitions(grid, quantities)
    if not defs:
        raise StatfinInputError(
            f"{where}: none of the 12r5 columns the indicators need is in the table "
            f"(it has {[c.code for c in table.meta.contents]}; see COLUMNS_12R5)"
        )
    suppression = Suppression(primary=hidden.ravel(), hidden=hidden.ravel())
    out = indicator_table(grid, defs, params.suppression_threshold, suppression, source=SOURCE, withheld=True)
    return StatfinIndicators(out, grid, _info(table, months), defs, left_out, tuple(unknown))


def _checked(table: PxTable, where: str) -> pd.DataFrame:
    """The keyed cells, after checking the table is area x month x contents."""
    meta = table.meta
    if meta.geo_dim is None:
        raise StatfinInputError(f"{where}: the table has no area dimension (SSS, KU###...)")
    months = meta.dimension(meta.time_dim).values
    bad = [m for m in months if time_frequency(m) != "M"]
    if bad:
        raise StatfinInputError(f"{where}: the aggregate mode reads monthly tables; period {bad[0]!r} is not a month")
    extra = [d for d in meta.dimensions if d.role == "other" and len(d.values) > 1]
    if extra:
        raise StatfinInputError(
            f"{where}: dimension {extra[0].code!r} has {len(extra[0].values)} values; the aggregate mode "
            "reads 12r5 (area x month x contents): select one value of it or use 12r5"
        )
    frame = keyed(table)
    frame["withheld"] = frame["status"].isin(WITHHELD).to_numpy()
    return frame


def _wide(frame: pd.DataFrame, area_type: str, index: pd.Index, periods: Periods, column: str):
    """Values and withheld flags of one content column as [area, month] arrays on ``index``."""
    rows = frame[(frame["area_type"] == area_type) & (frame["content"] == column)]
    shape = (len(index), periods.n_months)
    value, held = np.full(shape, np.nan), np.zeros(shape, dtype=bool)
    a = index.get_indexer(rows["area_code"])
    t = periods.ids(rows["period"])
    ok = (a >= 0) & (t >= 0)
    value[a[ok], t[ok]] = rows["value"].to_numpy(dtype=float)[ok]
    held[a[ok], t[ok]] = rows["withheld"].to_numpy()[ok]
    return value, held


def _municipal(frame: pd.DataFrame, areas: Areas, periods: Periods, quantities: dict[str, tuple[str, ...]]):
    """Each quantity per municipality and month (NaN unknown) and where it is withheld."""
    munis = frame[frame["area_type"] == "municipality"].copy()
    codes = munis["area_code"].map(areas.harmonise)
    known = set(areas.table.municipality)
    unknown = sorted(set(codes) - known)
    if unknown:
        log.warning("StatFin areas %s are not municipalities of the 2025 division; left out", unknown[:10])
    munis["area_code"] = codes
    index = pd.Index(areas.table.municipality)
    # merged municipalities (Pertunmaa 588 -> Mäntyharju 507) add up; one unknown part: unknown sum
    merged = munis.assign(unknown=munis["value"].isna()).groupby(
        ["area_type", "area_code", "period", "content"], as_index=False
    ).agg(value=("value", "sum"), unknown=("unknown", "any"), withheld=("withheld", "any"))
    merged.loc[merged["unknown"], "value"] = np.nan
    values, withheld = {}, {}
    for quantity, columns in quantities.items():
        parts = [_wide(merged, "municipality", index, periods, c) for c in columns]
        values[quantity] = np.sum([p[0] for p in parts], axis=0)
        withheld[quantity] = np.any([p[1] for p in parts], axis=0) & np.isnan(values[quantity])
    return values, withheld, unknown


def _published(frame: pd.DataFrame, areas: Areas, periods: Periods, quantities: dict[str, tuple[str, ...]]):
    """The figures 12r5 publishes for the country and the regions, on the grid's area rows."""
    index = areas.index
    values, withheld = {}, {}
    for quantity, columns in quantities.items():
        value = np.full((len(index), periods.n_months), np.nan)
        held = np.zeros_like(value)
        for level in ("country", "region"):
            ids = areas.area_ids(level)
            parts = [_wide(frame, level, pd.Index(ids.index), periods, c) for c in columns]
            value[ids.to_numpy()] = np.sum([p[0] for p in parts], axis=0)
            held[ids.to_numpy()] = np.any([p[1] for p in parts], axis=0)
        values[quantity], withheld[quantity] = value, held
    return values, withheld


def _definitions(grid: Grid, quantities: dict[str, tuple[str, ...]]):
    """The catalogue's indicators whose every quantity the table gives, and why the others are not."""
    given = set(quantities)
    defs, left_out = [], {}
    for d in catalog():
        missing = [q for q in d.quantities if grid.alias.get(q, q) not in given]
        if missing:
            left_out[d.id] = f"not in StatFin 12r5: {', '.join(missing)}"
        else:
            defs.append(d)
    return tuple(defs), left_out


def _info(table: PxTable, months: list[str]) -> dict:
    meta = table.meta
    return {
        "source": SOURCE,
        "table_id": meta.table_id or "",
        "title": meta.title,
        "publisher": meta.source or "",
        "updated": meta.updated.isoformat() if meta.updated else "",
        "language": meta.language or "",
        "first_period": months[0],
        "last_period": months[-1],
        "months": len(months),
        "files": meta.source_file or "",
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "licence": "CC BY 4.0",
    }



SOURCES_TABLE = "indicator_sources"


def store_statfin(con, result: StatfinIndicators) -> None:
    """Put the StatFin rows in ``indicator_values`` and ``indicator_values_public`` (replacing earlier
    StatFin rows, keeping the register's) and describe the source in ``indicator_sources``."""
    from vaikutus.indicators.definitions import metadata_frame
    from vaikutus.indicators.output import store, store_source

    for name in ("indicator_values", "indicator_values_public"):
        store_source(con, name, result.table, SOURCE)
    tables = con.list_tables()
    if "indicator_metadata" not in tables:
        store(con, {"indicator_metadata": metadata_frame()})
    sources = pd.DataFrame([result.info])
    if SOURCES_TABLE in tables:
        old = con.table(SOURCES_TABLE).to_pandas()
        sources = pd.concat([old[old["source"] != SOURCE], sources], ignore_index=True)
    store(con, {SOURCES_TABLE: sources})
