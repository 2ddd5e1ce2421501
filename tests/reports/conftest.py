"""One small synthetic warehouse and the packages built from it, once per session.

The warehouse goes the documented way (synthetic register -> import -> panel). The indicator
tables the package reads (``indicator_values`` / ``indicator_values_public``) are written here
in the published shape for four indicators, from the panel by SQL, as the portal tests do: the
indicator stage's own computation takes minutes and is tested in ``tests/indicators``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.synthetic_warehouse import register_warehouse
from vaikutus import reference
from vaikutus.registry.synthetic import generate
from vaikutus.reports.output import Written, build_package, rebuild
from vaikutus.reports.package import PackageBuilder

PERSONS, START, END, SEED = 10_000, "2023-01", "2025-12", 20260415
KEY = "reports-tests-pseudonymisation-key-0123456789"
PERIOD = "2025H1"
AREA = 8  # Helsinki, the largest employment area

MONTHLY = """
WITH lf AS (
    SELECT h.employment_area::VARCHAR AS area_code, l.year, sum(l.persons) AS labour_force
    FROM labour_force l JOIN hierarchy h ON h.municipality = l.municipality
    WHERE l."group" = 'all' GROUP BY ALL),
stock AS (
    SELECT strftime(month, '%Y-%m') AS period, year(month) AS year, employment_area::VARCHAR AS area_code,
           count(*) FILTER (WHERE unemployed) AS unemployed,
           count(*) FILTER (WHERE long_term_unemployed) AS long_term_unemployed,
           count(*) FILTER (WHERE in_service) AS in_service
    FROM person_month WHERE employment_area IS NOT NULL GROUP BY ALL),
areas AS (
    SELECT s.*, (SELECT labour_force FROM lf WHERE lf.area_code = s.area_code AND lf.year <= s.year
                 ORDER BY lf.year DESC LIMIT 1) AS labour_force FROM stock s),
allareas AS (
    SELECT 'employment_area' AS area_type, * FROM areas
    UNION ALL
    SELECT 'country', period, year, 'SSS', sum(unemployed), sum(long_term_unemployed), sum(in_service),
           sum(labour_force) FROM areas GROUP BY period, year)
SELECT * FROM allareas
"""


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["area_type", "area_code", "period"]
    parts = [
        frame[keys].assign(indicator="unemployed", numerator=frame.unemployed, denominator=float("nan")),
        frame[keys].assign(indicator="long_term_unemployed", numerator=frame.long_term_unemployed, denominator=float("nan")),
        frame[keys].assign(indicator="unemployment_share", numerator=frame.unemployed, denominator=frame.labour_force),
        frame[keys].assign(indicator="activation_rate", numerator=frame.in_service,
                           denominator=frame.unemployed + frame.in_service),
    ]
    out = pd.concat(parts, ignore_index=True)
    rate = out.indicator.isin(["unemployment_share", "activation_rate"])
    out["value"] = out.numerator.where(~rate, 100 * out.numerator / out.denominator)
    out["flag"] = None
    out["source"] = "register"
    return out


def write_indicator_tables(path: Path) -> None:
    """Monthly and quarterly rows (quarter = mean of the months), employment areas and country;
    the public table hides numerators 1..4 as the indicator stage's primary rule does."""
    with duckdb.connect(str(path)) as con:
        con.register("hierarchy", reference.area_hierarchy(2025))
        monthly = con.execute(MONTHLY).df()
    monthly[["unemployed", "long_term_unemployed", "in_service", "labour_force"]] = monthly[
        ["unemployed", "long_term_unemployed", "in_service", "labour_force"]].astype(float)
    quarter = pd.PeriodIndex(monthly.period, freq="M").asfreq("Q").strftime("%Y-Q%q")
    quarterly = (monthly.assign(period=quarter).groupby(["area_type", "area_code", "period"], as_index=False)
                 [["unemployed", "long_term_unemployed", "in_service", "labour_force"]].mean())
    internal = _long(pd.concat([monthly, quarterly], ignore_index=True))
    public = internal.copy()
    small = (public.numerator > 0) & (public.numerator < 5)
    public.loc[small, ["value", "numerator", "denominator"]] = float("nan")
    public.loc[small, "flag"] = "suppressed"
    columns = ["indicator", "area_type", "area_code", "period", "value", "numerator", "denominator", "flag", "source"]
    with duckdb.connect(str(path)) as con:
        for name, frame in (("indicator_values", internal), ("indicator_values_public", public)):
            con.register("frame", frame[columns])
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")


@dataclass(frozen=True)
class Built:
    warehouse: Path
    national: Written
    area: Written
    internal: Written
    rebuilt: Written


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports-register")
    register = generate(persons=PERSONS, start=START, end=END, seed=SEED, out=root / "register")
    path = root / "warehouse.duckdb"
    register_warehouse(register.out, path, key=KEY)
    write_indicator_tables(path)
    return path


@pytest.fixture(scope="session")
def built(warehouse, tmp_path_factory) -> Built:
    out = tmp_path_factory.mktemp("packages")
    with PackageBuilder(warehouse) as builder:
        national = build_package(warehouse, PERIOD, out / "national", builder=builder)
        area = build_package(warehouse, PERIOD, out / "area", area=AREA, lang="en", builder=builder)
        internal = build_package(warehouse, PERIOD, out / "internal", area=AREA, lang="sv", internal=True,
                                 builder=builder, pdf=False)
    rebuilt = rebuild(internal.manifest, out / "rebuilt", pdf=False)
    return Built(warehouse, national, area, internal, rebuilt)
