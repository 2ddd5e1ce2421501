"""A small warehouse with indicator tables of the published shape, for portal tests.

The portal only reads what the indicator stage wrote, so its tests build those tables directly:
three indicators for every area of every level over 24 months, with some cells suppressed in the
public table exactly as the suppression stage flags them; the profiling stage's tables for the
internal segment view (``segment_tables``); the ``evaluation_results`` of a small trial evaluation
(three trial areas, ``tests/evaluation/trials/trial_testdata.py``); and, as the demo's ``statfin``
step does, the same three indicators from the real StatFin 12r5 month shipped in the package
(2026-06).
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.portal.segment_tables import add_segment_tables
from vaikutus import reference
from vaikutus.indicators.statfin import compute_statfin, store_statfin
from vaikutus.portal.auth import UserStore
from vaikutus.registry.pxweb import sample_12r5
from vaikutus.warehouse import connect

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
INDICATORS = {
    "unemployed": ("Työttömät työnhakijat", "Arbetslösa arbetssökande", "Unemployed jobseekers", "henkilöä"),
    "unemployment_share": ("Työttömien osuus työvoimasta", "Arbetslösas andel", "Unemployed share of the labour force", "%"),
    "activation_rate": ("Aktivointiaste", "Aktiveringsgrad", "Activation rate", "%"),
}
ANALYST_PASSWORD = "analyst-password-123"
RESEARCHER_PASSWORD = "researcher-password-123"


def _areas() -> list[tuple[str, str]]:
    h = reference.area_hierarchy(2025)
    areas = [("country", "SSS"), ("trial_group", "trial"), ("trial_group", "non_trial")]
    areas += [("municipality", c) for c in h["municipality"]]
    areas += [("region", c) for c in sorted(h["region"].unique())]
    areas += [("employment_area", str(c)) for c in sorted(h["employment_area"].unique())]
    areas += [("trial_area", c) for c in sorted(set(h["trial_area"]) - {""})]
    return areas


def evaluation_rows() -> pd.DataFrame:
    """``evaluation_results`` of a small trial evaluation, with its injected effects."""
    from tests.evaluation.trials.trial_testdata import TREATED, small_evaluation
    from vaikutus.evaluation.trials import result_rows

    return result_rows(small_evaluation(), truth=TREATED)


def build_warehouse(path, evaluations: bool = True) -> None:
    rng = np.random.default_rng(7)
    rows = []
    for indicator in INDICATORS:
        for area_type, code in _areas():
            base = rng.uniform(2, 400)
            for i, month in enumerate(MONTHS):
                numerator = float(round(base * (1 + 0.1 * np.sin(i / 2))))
                denominator = float(round(numerator * rng.uniform(5, 12)))
                value = numerator if indicator == "unemployed" else 100 * numerator / denominator
                rows.append((indicator, area_type, code, month, value, numerator, denominator, None, "register"))
    internal = pd.DataFrame(
        rows, columns=["indicator", "area_type", "area_code", "period", "value", "numerator", "denominator", "flag", "source"]
    )
    internal["flag"] = internal["flag"].astype("string")  # a text column, as the indicator stage writes it
    public = internal.copy()
    small = public["numerator"] < 5
    public.loc[small, ["value", "numerator", "denominator"]] = np.nan
    public.loc[small, "flag"] = "suppressed"
    meta = pd.DataFrame(
        [
            {"indicator": k, "name_fi": fi, "name_sv": sv, "name_en": en, "unit_fi": unit, "unit_sv": unit,
             "unit_en": "persons" if unit == "henkilöä" else unit,
             "definition_fi": f"{fi}: määritelmä", "definition_sv": f"{sv}: definition", "definition_en": f"{en}: definition"}
            for k, (fi, sv, en, unit) in INDICATORS.items()
        ]
    )
    tables = [("indicator_values", internal), ("indicator_values_public", public), ("indicator_metadata", meta)]
    if evaluations:
        tables.append(("evaluation_results", evaluation_rows()))
    with duckdb.connect(str(path)) as con:
        for name, frame in tables:
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        add_segment_tables(con)
    add_statfin(path)


def add_statfin(path) -> None:
    """The real 12r5 month of the portal's three indicators, stored as the demo's statfin step does."""
    result = compute_statfin(sample_12r5())
    con = connect(path)
    store_statfin(con, replace(result, table=result.table[result.table.indicator.isin(list(INDICATORS))]))
    con.disconnect()


@pytest.fixture(scope="session")
def portal_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("portal") / "portal.duckdb"
    build_warehouse(path)
    users = UserStore(path.with_suffix(".users.sqlite"))
    users.add_user("helsinki", ANALYST_PASSWORD, "analyst", 8)
    users.add_user("researcher", RESEARCHER_PASSWORD, "researcher")
    return path


@pytest.fixture()
def client(portal_warehouse):
    from fastapi.testclient import TestClient

    from vaikutus.portal.app import create_app

    with TestClient(create_app(portal_warehouse)) as c:
        yield c
