"""Build a data package: open the warehouse, compute the half-year (and the previous one for the
comparison), select the area, label the tables in the package's language.

``PackageBuilder`` keeps the warehouse open and each half-year's content (all areas) in memory,
so the packages of several areas - or the national one and an area's - are computed once;
``build_package`` is the one-call API behind ``vaikutus package``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from vaikutus import __version__, reference
from vaikutus.reports import changes, content, i18n
from vaikutus.reports.labels import add_labels, area_name
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear
from vaikutus.reports.regional import LEVELS
from vaikutus.reports.states import COUNTRY, REQUIRED_TABLES, WarehouseError, build_cohorts, check_tables, data_window

PUBLIC_INDICATORS, INTERNAL_INDICATORS = "indicator_values_public", "indicator_values"
#: Tables in the order of the workbook and the Parquet folder.
TABLE_ORDER = ("key_figures", "changes", "states_monthly", "states_by_group", "main_states_by_group",
               "time_to_event", "transitions", "paths", "earnings_monthly", "earnings_by_group",
               "benefits_monthly", "benefits_by_group", "regional", "peers")


@dataclass(frozen=True)
class PackageRequest:
    warehouse: Path
    period: HalfYear
    area: int | None = None
    lang: str = "fi"
    internal: bool = False
    previous: Path | None = None
    params: PackageParameters = field(default_factory=PackageParameters)

    def __post_init__(self) -> None:
        i18n.check_lang(self.lang)
        if self.area is not None:
            codes = set(reference.employment_areas().code)
            if int(self.area) not in codes:
                raise ValueError(f"--area {self.area} is not an employment area code (1-{max(codes)})")

    @property
    def focus(self) -> str:
        return COUNTRY if self.area is None else str(int(self.area))

    def to_dict(self) -> dict:
        return {"period": self.period.label, "area": self.area, "lang": self.lang, "internal": self.internal,
                "previous": str(Path(self.previous).resolve()) if self.previous else None,
                "package": self.params.to_dict()}


@dataclass(frozen=True)
class Package:
    request: PackageRequest
    tables: dict[str, pd.DataFrame]
    sentences: tuple[str, ...]
    created: datetime
    inputs: dict
    disclosure: dict[str, int]
    data_first: str
    data_last: str
    fully_observed: tuple[int, ...]
    peers: tuple[str, ...]
    previous_source: str

    @property
    def lang(self) -> str:
        return self.request.lang

    @property
    def focus(self) -> str:
        return self.request.focus

    @property
    def area_name(self) -> str:
        return area_name(self.focus, self.lang)

    @property
    def classification(self) -> str:
        return "internal" if self.request.internal else "public"

    @property
    def version(self) -> str:
        return __version__


class PackageBuilder:
    """The warehouse of one run, with each half-year's content computed once."""

    def __init__(self, warehouse: Path | str) -> None:
        self.path = Path(warehouse)
        if not self.path.exists():
            raise WarehouseError(f"warehouse {self.path} does not exist")
        self.con = duckdb.connect(str(self.path), read_only=True)
        check_tables(self.con, str(self.path))
        self.window = data_window(self.con)
        self._content: dict[tuple, content.PeriodContent] = {}
        self._cohorts: tuple[frozenset[str], PackageParameters] | None = None
        self._inputs: dict[str, dict] = {}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> PackageBuilder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fingerprints(self, internal: bool) -> dict[str, dict]:
        from vaikutus.reports.manifest import fingerprint

        for table in (*REQUIRED_TABLES, _indicator_table(internal)):
            if table not in self._inputs:
                self._inputs[table] = fingerprint(self.con, table)
        return {t: self._inputs[t] for t in (*REQUIRED_TABLES, _indicator_table(internal))}

    def period_content(self, period: HalfYear, internal: bool, params: PackageParameters) -> content.PeriodContent:
        key = (period.label, internal, params)
        if key not in self._content:
            self._check_period(period)
            if self._cohorts is None or self._cohorts[1] != params or period.label not in self._cohorts[0]:
                build_cohorts(self.con, [period, period.previous()], self.window, params)
                self._cohorts = (frozenset({period.label, period.previous().label}), params)
            last_idx = self.window.last_month.year * 12 + self.window.last_month.month - 1
            self._content[key] = content.compute_period(
                self.con, period, self._indicators(internal, period), last_idx, params, public=not internal)
        return self._content[key]

    def _check_period(self, period: HalfYear) -> None:
        if period.first_month > self.window.last_month:
            raise WarehouseError(
                f"period {period.label} begins after the last month of the data "
                f"({self.window.last_month:%Y-%m}): no cohort has entered yet")
        if period.first_month < self.window.first_month:
            raise WarehouseError(f"period {period.label} begins before the data ({self.window.first_month:%Y-%m})")

    def _indicators(self, internal: bool, period: HalfYear) -> pd.DataFrame:
        """The indicator rows a half-year needs: its quarters and its last month, by area."""
        table = _indicator_table(internal)
        names = {r[0] for r in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if table not in names:
            raise WarehouseError(
                f"warehouse {self.path} has no {table} table: run `vaikutus indicators --warehouse "
                f"{self.path} --out FILE` first")
        return self.con.execute(
            f"SELECT indicator::VARCHAR AS indicator, area_type::VARCHAR AS area_type, area_code::VARCHAR AS area_code, "
            f"period::VARCHAR AS period, value, numerator, denominator, flag::VARCHAR AS flag FROM {table} "
            f"WHERE area_type IN ? AND period IN ?",
            [list(LEVELS), [*period.quarters, period.last_month_label]]).df()

    def build(self, request: PackageRequest) -> Package:
        if Path(request.warehouse).resolve() != self.path.resolve():
            raise ValueError(f"this builder holds {self.path}, not {request.warehouse}")
        now = self.period_content(request.period, request.internal, request.params)
        figures, source = self._previous_figures(request)
        figures = pd.concat([now.key_figures, figures], ignore_index=True)
        z = request.params.z
        compared = changes.compare(figures, request.period.label, request.period.previous().label, request.focus, z)
        sentences = tuple(changes.sentences(compared, request.lang, area_name(request.focus, request.lang)))
        focus_codes = {COUNTRY, request.focus}
        tables = {}
        for name in TABLE_ORDER:
            if name == "key_figures":
                frame = figures[figures.area_code.isin(focus_codes)]
            elif name == "changes":
                frame = compared.assign(area_code=request.focus)
            else:
                frame = now.tables[name]
                frame = frame[frame.area_code != "unknown"] if "area_code" in frame else frame
                if request.area is not None and name not in ("regional", "peers"):
                    frame = frame[frame.area_code.isin(focus_codes)]
                if request.area is not None and name == "peers":
                    frame = frame[frame.area_code == request.focus]
            tables[name] = add_labels(frame.reset_index(drop=True), request.lang)
        peer_rows = now.tables["peers"]
        peers = tuple(area_name(p, request.lang) for p in peer_rows[peer_rows.area_code == request.focus].peer_code)
        return Package(
            request=request, tables=tables, sentences=sentences, created=datetime.now().astimezone(),
            inputs=self.fingerprints(request.internal), disclosure=now.disclosure,
            data_first=f"{self.window.first_month:%Y-%m}", data_last=f"{self.window.last_month:%Y-%m}",
            fully_observed=now.fully_observed, peers=peers, previous_source=source)

    def _previous_figures(self, request: PackageRequest) -> tuple[pd.DataFrame, str]:
        previous = request.period.previous()
        if request.previous is not None:
            return read_previous_figures(Path(request.previous), previous, request.focus), \
                i18n.text("change.previous_from_package", request.lang, path=Path(request.previous).name)
        if previous.first_month < self.window.first_month:
            return pd.DataFrame(columns=["figure", "kind", "area_code", "value", "base", "se", "period"]), ""
        before = self.period_content(previous, request.internal, request.params)
        return before.key_figures, i18n.text("change.previous_recomputed", request.lang)


def _indicator_table(internal: bool) -> str:
    return INTERNAL_INDICATORS if internal else PUBLIC_INDICATORS


def read_previous_figures(folder: Path, previous: HalfYear, focus: str) -> pd.DataFrame:
    """The key figures of the previous package (its own half-year) from its Parquet folder."""
    path = folder / "tables" / "key_figures.parquet"
    if not path.exists():
        raise FileNotFoundError(f"--previous {folder}: no tables/key_figures.parquet (is it a data package folder?)")
    f = pd.read_parquet(path)
    f = f[f.period == previous.label]
    if f.empty:
        raise ValueError(f"--previous {folder} holds no figures for {previous.label}")
    if focus not in set(f.area_code):
        raise ValueError(f"--previous {folder} is a package of another area (no figures for area {focus})")
    return f[["figure", "kind", "area_code", "value", "base", "se", "period"]]
