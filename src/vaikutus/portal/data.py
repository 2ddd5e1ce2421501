"""Read-only access to what the portal shows: indicator values, their metadata, areas, evaluations.

The portal never computes statistics; it reads the warehouse tables written by the indicator,
evaluation and profiling stages (``indicator_values_public``, ``indicator_values``,
``indicator_metadata``, ``indicator_sources``, ``evaluation_results``, and the profiling tables of
``PROFILING_COLUMNS``). The public side reads only the suppressed table; the unsuppressed one is
reachable only through :meth:`PortalData.values` with ``internal=True``, and the profiling tables
only through :meth:`PortalData.profiling`, which the internal routes call after checking the
user's role and area.

The indicator tables hold rows of several *sources* (column ``source``): ``register`` (computed
from a register, the synthetic one in the demo) and ``statfin`` (public StatFin figures, the
aggregate mode). Every query names one source, so figures of different sources are never mixed;
:meth:`PortalData.source` describes a source for the labels every view shows beside its figures.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from vaikutus import reference
from vaikutus.portal.i18n import pick

AREA_TYPES = ("country", "region", "employment_area", "municipality", "trial_area", "trial_group")
MAP_LEVELS = ("municipality", "employment_area", "region", "trial_area")
PUBLIC_TABLE = "indicator_values_public"
INTERNAL_TABLE = "indicator_values"
VALUE_COLUMNS = ["indicator", "area_type", "area_code", "period", "value", "numerator", "denominator", "flag"]
SOURCES_TABLE = "indicator_sources"
#: Sources in the order the portal offers them; the first one present is the default.
SOURCES = ("register", "statfin")

#: Tables written by ``vaikutus.profiling.store`` and the columns the internal segment view reads.
PROFILING_COLUMNS = {
    "segment_definitions": ["segment", "chance", "service_need", "name_fi", "name_sv", "name_en",
                            "chance_from", "chance_to"],
    "segment_profiles": ["area_type", "area_code", "segment", "section", "measure_id", "category", "n",
                         "count", "value", "ci_low", "ci_high", "small"],
    "segment_follow_up": ["area_type", "area_code", "dimension", "group", "measure_id", "n", "count",
                          "value", "ci_low", "ci_high", "small"],
    "profile_measures": ["measure_id", "category", "section", "kind", "unit", "label_fi", "label_sv",
                         "label_en"],
    "profiling_model": ["model_id", "target_months", "train_start", "train_end", "test_start", "test_end",
                        "chance_cut_low", "chance_cut_high", "need_long_months", "need_long_days",
                        "need_education_max", "profile_start", "profile_end", "follow_up_start",
                        "follow_up_end", "suppression_threshold", "training_note", "trained_at", "card_html"],
    "profiling_performance": ["model", "split", "auc", "auc_ci_low", "auc_ci_high", "brier",
                              "calibration_in_the_large"],
}
#: Profiling tables read per area (the others are small and read whole).
PROFILING_BY_AREA = ("segment_profiles", "segment_follow_up")

COUNTRY_NAMES = {"fi": "Koko maa", "sv": "Hela landet", "en": "Whole country"}
TRIAL_GROUP_NAMES = {
    "trial": {"fi": "Kokeilualueet", "sv": "Försöksområden", "en": "Trial areas"},
    "non_trial": {"fi": "Muut alueet", "sv": "Övriga områden", "en": "Non-trial areas"},
}


class UnknownSelection(LookupError):
    """An indicator, area or period that the warehouse does not hold (answered with 404)."""


@dataclass(frozen=True)
class Source:
    """One source of figures: its id, the months it covers and, for public tables, who published
    it and when (from ``indicator_sources``)."""

    id: str
    first_period: str
    last_period: str
    publisher: str = ""
    table: str = ""
    title: str = ""
    updated: str = ""
    licence: str = ""


@dataclass(frozen=True)
class Area:
    area_type: str
    code: str
    name: str


@lru_cache(maxsize=None)
def _area_names(lang: str) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {("country", "SSS"): COUNTRY_NAMES[lang]}
    for row in reference.municipalities(2025).to_dict("records"):
        names[("municipality", row["code"])] = pick(row, "name", lang)
    for row in reference.regions().to_dict("records"):
        names[("region", row["code"])] = pick(row, "name", lang)
    for row in reference.employment_areas().to_dict("records"):
        names[("employment_area", str(row["code"]))] = pick(row, "name", lang)
    trials = reference.trial_areas().drop_duplicates("trial_area_code")
    for row in trials.to_dict("records"):
        names[("trial_area", row["trial_area_code"])] = row["trial_area_name"]
    for code, by_lang in TRIAL_GROUP_NAMES.items():
        names[("trial_group", code)] = by_lang[lang]
    return names


def area_name(area_type: str, code: str, lang: str) -> str:
    return _area_names(lang).get((area_type, str(code)), str(code))


def _short_table(table_id: str) -> str:
    """StatFin's long table id as people cite it: ``statfin_tyonv_pxt_12r5`` -> ``12r5``."""
    return table_id.rpartition("_pxt_")[2] if "_pxt_" in table_id else table_id


class PortalData:
    """Queries over one warehouse file, opened read-only and shared by the server's threads."""

    def __init__(self, warehouse: Path):
        self.warehouse = Path(warehouse)
        if not self.warehouse.exists():
            raise FileNotFoundError(f"warehouse {self.warehouse} does not exist; build it with `vaikutus demo`")
        self._con = duckdb.connect(str(self.warehouse), read_only=True)
        self._local = threading.local()
        self.tables = set(self._sql("SELECT table_name FROM information_schema.tables")["table_name"])
        if PUBLIC_TABLE not in self.tables:
            raise FileNotFoundError(
                f"warehouse {self.warehouse} has no {PUBLIC_TABLE} table; run `vaikutus indicators` first"
            )
        columns = set(self._sql(f"SELECT * FROM {PUBLIC_TABLE} LIMIT 0").columns)
        #: SQL giving each row's source (warehouses written before sources existed are the register's)
        self._source_sql = "source" if "source" in columns else "'register'"
        self._sources = self._load_sources()
        self._metadata = self._load_metadata()
        self._cache: dict[tuple, pd.DataFrame] = {}
        #: Serialised API answers, keyed by selection (filled by the API layer).
        self.response_cache: dict[tuple, bytes] = {}

    def close(self) -> None:
        self._con.close()

    # -- low level -------------------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    def _sql(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self._cursor().execute(sql, params or []).df()

    # -- sources ---------------------------------------------------------------------------------
    def _load_sources(self) -> dict[str, Source]:
        spans = self._sql(
            f"SELECT {self._source_sql} AS source, min(period) AS first, max(period) AS last "
            f"FROM {PUBLIC_TABLE} WHERE regexp_matches(period, '^\\d{{4}}-\\d{{2}}$') GROUP BY 1"
        )
        described = {}
        if SOURCES_TABLE in self.tables:
            described = {r["source"]: r for r in self._sql(f"SELECT * FROM {SOURCES_TABLE}").to_dict("records")}
        out = {}
        for row in spans.to_dict("records"):
            info = described.get(row["source"], {})
            out[row["source"]] = Source(
                row["source"], row["first"], row["last"],
                publisher=info.get("publisher", ""), table=_short_table(info.get("table_id", "")),
                title=info.get("title", ""), updated=str(info.get("updated", ""))[:10], licence=info.get("licence", ""),
            )
        order = {s: i for i, s in enumerate(SOURCES)}
        return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))

    @property
    def sources(self) -> list[Source]:
        """The sources the warehouse holds figures of, the default first."""
        return list(self._sources.values())

    @property
    def default_source(self) -> str:
        return next(iter(self._sources), SOURCES[0])

    def source(self, source: str | None = None) -> Source:
        """A source by id (``None``: the default); UnknownSelection if the warehouse has none of it."""
        source = source or self.default_source
        if source not in self._sources:
            raise UnknownSelection(f"this warehouse holds no figures of source {source!r}")
        return self._sources[source]

    # -- metadata --------------------------------------------------------------------------------
    def _load_metadata(self) -> pd.DataFrame:
        present = self._sql(f"SELECT DISTINCT indicator FROM {PUBLIC_TABLE}")["indicator"]
        by_source = self._sql(f"SELECT DISTINCT {self._source_sql} AS source, indicator FROM {PUBLIC_TABLE}")
        self._indicators_of = by_source.groupby("source")["indicator"].apply(set).to_dict()
        if "indicator_metadata" in self.tables:
            meta = self._sql("SELECT * FROM indicator_metadata")
            id_col = "indicator" if "indicator" in meta.columns else "id"
            meta = meta.rename(columns={id_col: "indicator"})
            meta = meta[meta["indicator"].isin(set(present))]
        else:
            meta = pd.DataFrame({"indicator": sorted(present)})
        return meta.reset_index(drop=True)

    def indicators(self, lang: str, source: str | None = None) -> list[dict]:
        """Indicators with a name, unit and definition in ``lang`` (Finnish as fallback); with
        ``source``, only those that source has figures of."""
        keep = self._indicators_of.get(self.source(source).id, set()) if source else None
        out = []
        for row in self._metadata.to_dict("records"):
            if keep is not None and row["indicator"] not in keep:
                continue
            out.append(
                {
                    **{k: v for k, v in row.items() if not pd.isna(v) if not isinstance(v, (list, dict))},
                    "id": row["indicator"],
                    "name": pick(row, "name", lang) or row["indicator"],
                    "definition": pick(row, "definition", lang),
                    "unit": pick(row, "unit", lang) or row.get("unit", ""),
                    "caveats": pick(row, "caveats", lang),
                }
            )
        return out

    def indicator(self, indicator_id: str, lang: str, source: str | None = None) -> dict:
        for item in self.indicators(lang, source):
            if item["id"] == indicator_id:
                return item
        where = f" in source {source!r}" if source else ""
        raise UnknownSelection(f"unknown indicator {indicator_id!r}{where}")

    def periods(self, indicator_id: str, monthly: bool = True, source: str | None = None) -> list[str]:
        pattern = r"^\d{4}-\d{2}$" if monthly else r"."
        frame = self._sql(
            f"SELECT DISTINCT period FROM {PUBLIC_TABLE} WHERE indicator = ? "
            f"AND regexp_matches(period, ?) AND {self._source_sql} = ? ORDER BY period",
            [indicator_id, pattern, self.source(source).id],
        )
        if frame.empty:
            raise UnknownSelection(f"no periods for indicator {indicator_id!r}")
        return frame["period"].tolist()

    def areas(self, area_type: str, lang: str, source: str | None = None) -> list[Area]:
        if area_type not in AREA_TYPES:
            raise UnknownSelection(f"unknown area type {area_type!r}")
        codes = self._sql(
            f"SELECT DISTINCT area_code FROM {PUBLIC_TABLE} WHERE area_type = ? AND {self._source_sql} = ?",
            [area_type, self.source(source).id],
        )["area_code"]
        areas = [Area(area_type, str(c), area_name(area_type, str(c), lang)) for c in codes]
        return sorted(areas, key=lambda a: a.name)

    # -- values ----------------------------------------------------------------------------------
    def values(
        self,
        indicator_id: str,
        *,
        area_type: str | None = None,
        area_codes: list[str] | None = None,
        period: str | None = None,
        start: str | None = None,
        end: str | None = None,
        internal: bool = False,
        source: str | None = None,
    ) -> pd.DataFrame:
        """Values of one indicator from one source (default: the default source);
        ``internal=True`` reads the unsuppressed table."""
        table = INTERNAL_TABLE if internal else PUBLIC_TABLE
        if table not in self.tables:
            raise UnknownSelection(f"warehouse has no {table} table")
        source = self.source(source).id
        key = (table, indicator_id, area_type, tuple(area_codes or ()), period, start, end, source)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        clauses, params = ["indicator = ?", f"{self._source_sql} = ?"], [indicator_id, source]
        if area_type:
            clauses.append("area_type = ?")
            params.append(area_type)
        if area_codes:
            clauses.append(f"area_code IN ({', '.join('?' for _ in area_codes)})")
            params.extend(area_codes)
        if period:
            clauses.append("period = ?")
            params.append(period)
        if start:
            clauses.append("period >= ?")
            params.append(start)
        if end:
            clauses.append("period <= ?")
            params.append(end)
        sql = (
            f"SELECT {', '.join(VALUE_COLUMNS)} FROM {table} WHERE {' AND '.join(clauses)} "
            "ORDER BY area_type, area_code, period"
        )
        frame = self._sql(sql, params)
        # pandas reads a NULL flag as NaN, which templates would take as a flag: make it None
        frame["flag"] = frame["flag"].astype(object).where(frame["flag"].notna(), None)
        if len(self._cache) > 5000:
            self._cache.clear()
        self._cache[key] = frame
        return frame

    def latest_values(self, area_type: str, source: str | None = None) -> pd.DataFrame:
        """Public monthly values of every indicator at its latest month for ``area_type`` and a
        year before it, with the country at the latest month (columns of :meth:`values` plus
        ``latest``): what an area profile compares, in one query rather than one per indicator."""
        source = self.source(source).id
        sql = f"""
            WITH monthly AS (
                SELECT indicator, area_type, area_code, period, value FROM {PUBLIC_TABLE}
                WHERE {self._source_sql} = ? AND area_type IN (?, 'country')
                  AND regexp_matches(period, '^\\d{{4}}-\\d{{2}}$')
            ), latest AS (
                SELECT indicator, max(period) AS latest FROM monthly WHERE area_type = ? GROUP BY indicator
            )
            SELECT m.*, l.latest FROM monthly m JOIN latest l USING (indicator)
            WHERE m.period = l.latest
               OR (m.area_type = ? AND m.period = printf('%04d-%s',
                   CAST(substr(l.latest, 1, 4) AS INTEGER) - 1, substr(l.latest, 6, 2)))
            ORDER BY m.indicator, m.area_type, m.area_code, m.period"""
        key = ("latest", area_type, source)
        if key not in self._cache:
            self._cache[key] = self._sql(sql, [source, area_type, area_type, area_type])
        return self._cache[key]

    # -- evaluations -----------------------------------------------------------------------------
    def evaluations(self) -> list[dict]:
        """Stored evaluation results (one JSON document per study), newest first."""
        if "evaluation_results" not in self.tables:
            return []
        frame = self._sql("SELECT study, area_type, area_code, method, result_json FROM evaluation_results")
        results = []
        for row in frame.to_dict("records"):
            results.append({**row, "result": json.loads(row.pop("result_json"))})
        return results

    # -- profiling (internal only) ------------------------------------------------------------------
    def has_profiling(self) -> bool:
        """Whether the profiling stage has stored its tables (``vaikutus profile segments``)."""
        return set(PROFILING_COLUMNS) <= self.tables

    def profiling(self, table: str, area_type: str | None = None, area_code: str | None = None) -> pd.DataFrame:
        """One profiling table; the per-area ones for exactly one area (the caller checked access)."""
        if table not in PROFILING_COLUMNS or table not in self.tables:
            raise UnknownSelection(f"the warehouse holds no {table} table; run `vaikutus profile segments`")
        columns = ", ".join(f'"{c}"' for c in PROFILING_COLUMNS[table])
        if table not in PROFILING_BY_AREA:
            return self._sql(f"SELECT {columns} FROM {table}")
        if area_type is None or area_code is None:
            raise ValueError(f"{table} is read for one area at a time")
        return self._sql(
            f"SELECT {columns} FROM {table} WHERE area_type = ? AND area_code = ?", [area_type, area_code]
        )

    def profiling_areas(self, area_type: str) -> list[str]:
        """Codes of the areas of one level that have segment profiles."""
        if "segment_profiles" not in self.tables:
            return []
        frame = self._sql(
            "SELECT DISTINCT area_code FROM segment_profiles WHERE area_type = ? ORDER BY 1", [area_type]
        )
        return [str(c) for c in frame["area_code"]]
