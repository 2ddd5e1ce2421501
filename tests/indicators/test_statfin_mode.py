"""Aggregate mode: the indicator table from the real StatFin 12r5 month (and the multi-month fixture).

Checks at the level of the indicator table: the numbers equal the raw file's strings (read by hand),
``...`` cells become suppressed rows (never 0) and make every sum containing them suppressed, the
recomputed unemployment share equals the published TYOTOSUUS within rounding for every municipality,
and areas, quarters and years follow the register path's rules.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.registry.pxweb.pxweb_helpers import MULTIMONTH, REAL_12R5, REAL_12TI, REAL_135Z
from vaikutus import reference
from vaikutus.cli import app
from vaikutus.indicators import catalog
from vaikutus.indicators.output import store
from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.indicators.quantities import QUANTITIES
from vaikutus.indicators.statfin import (
    COLUMNS_12R5,
    StatfinInputError,
    compute_statfin,
    store_statfin,
)
from vaikutus.indicators.tables import COLUMNS
from vaikutus.warehouse import connect

# (indicator, area_type, area_code) -> value read by hand from tests/data/statfin/tyonv_12r5_2026M06_pxweb-json.json
HAND_READ = {
    ("unemployed", "country", "SSS"): 352001,
    ("long_term_unemployed", "country", "SSS"): 144461,
    ("unemployed", "municipality", "091"): 52578,
    ("long_term_unemployed", "municipality", "091"): 24758,
    ("unemployed", "municipality", "035"): 10,
    ("unemployed", "region", "01"): 122804,
    ("in_service_labour_market_training", "country", "SSS"): 20990,
    ("in_service_work_trial", "country", "SSS"): 3430,
    ("in_service_coaching", "country", "SSS"): 536,
    # TYOLLISTETTYLOP 27189 + TYOHARJOITTELULOP 0 + KOKEILULOP 3430 + TVKOULUTUSLOP 20990
    # + VALMENNUSLOP 536 + MTPPALVELUTLOP 12053
    ("in_service_total", "country", "SSS"): 27189 + 0 + 3430 + 20990 + 536 + 12053,
}


@pytest.fixture(scope="module")
def real():
    return compute_statfin(REAL_12R5)


@pytest.fixture(scope="module")
def raw():
    doc = json.loads(REAL_12R5.read_text(encoding="utf-8"))
    content = [c["code"] for c in doc["columns"] if c["type"] == "c"]
    return pd.DataFrame({r["key"][0]: dict(zip(content, r["values"])) for r in doc["data"]}).T


def rows(result, indicator, area_type=None):
    t = result.table
    t = t[t.indicator == indicator]
    if area_type:
        t = t[t.area_type == area_type]
    return t.set_index("area_code")


@pytest.mark.parametrize(("indicator", "area_type", "code"), sorted(HAND_READ))
def test_values_equal_the_raw_file(real, indicator, area_type, code):
    row = rows(real, indicator, area_type).loc[code]
    assert row.value == HAND_READ[(indicator, area_type, code)] and pd.isna(row.flag)


def test_helsinki_share_is_the_published_one(real):
    row = rows(real, "unemployment_share", "municipality").loc["091"]
    assert (row.numerator, row.denominator) == (52578, 370847)
    assert round(row.value, 1) == 14.2  # TYOTOSUUS of KU091


def test_share_matches_tyotosuus_for_every_municipality(real, raw):
    share = rows(real, "unemployment_share", "municipality")
    assert len(share) == 308
    published = raw.loc[[f"KU{c}" for c in share.index], "TYOTOSUUS"].set_axis(share.index)
    shown = published != "..."
    assert shown.sum() == 304
    gap = (share.value[shown] - published[shown].astype(float)).abs()
    assert gap.max() <= 0.05 + 1e-9
    hidden = share[~shown]
    assert (hidden.flag == "suppressed").all() and hidden.value.isna().all()


def test_withheld_cells_are_suppressed_never_zero(real, raw):
    for indicator, column in (("unemployed", "TYOTTOMATLOPUSSA"), ("long_term_unemployed", "PITKAAIKAISTYOTTOMAT"),
                              ("in_service_coaching", "VALMENNUSLOP"), ("in_service_work_trial", "KOKEILULOP")):
        got = rows(real, indicator, "municipality")
        withheld = {k[2:] for k in raw.index[(raw[column] == "...") & raw.index.str.match(r"KU\d{3}$")]} - {"199"}
        assert set(got.index[got.flag == "suppressed"]) == withheld, indicator
        assert got.loc[sorted(withheld), ["value", "numerator"]].isna().all().all()
        assert (got.loc[got.flag.isna(), "value"] >= 0).all()
    # a rate over a withheld part is suppressed too: KOKEILULOP of KU020 is '...'
    assert rows(real, "activation_rate", "municipality").loc["020"].flag == "suppressed"
    assert real.table.loc[real.table.flag == "suppressed", "value"].isna().all()


def test_sums_with_a_withheld_member_are_suppressed(real, raw):
    h = reference.area_hierarchy(2025)
    coaching = rows(real, "in_service_coaching", "employment_area")
    members = h.groupby("employment_area")["municipality"].apply(list)
    for code, munis in members.items():
        cells = raw.loc[[f"KU{m}" for m in munis], "VALMENNUSLOP"]
        row = coaching.loc[str(code)]
        if (cells == "...").any():
            assert row.flag == "suppressed" and math.isnan(row.value)
        else:
            assert row.value == cells.astype(float).sum() and pd.isna(row.flag)
    assert (coaching.flag == "suppressed").sum() > 5


def test_published_regions_and_country_equal_the_sums_where_known(real, raw):
    h = reference.area_hierarchy(2025)
    unemployed = rows(real, "unemployed")
    for region, munis in h.groupby("region")["municipality"]:
        cells = raw.loc[[f"KU{m}" for m in munis], "TYOTTOMATLOPUSSA"]
        published = float(raw.loc[f"MK{region}", "TYOTTOMATLOPUSSA"])
        assert unemployed[unemployed.area_type == "region"].loc[region].value == published
        if not (cells == "...").any():
            assert cells.astype(float).sum() == published
    groups = unemployed[unemployed.area_type == "trial_group"]
    assert groups.flag.eq("suppressed").any()  # a '...' municipality sits in a group
    # The country is the official total. The municipal rows (KU199 included) do not add up to it:
    # in 2026M06 they fall 33 short with five '...' cells (at most 20), so summing would understate it.
    municipal = raw.loc[raw.index.str.match(r"KU\d{3}$"), "TYOTTOMATLOPUSSA"]
    hidden = int((municipal == "...").sum())
    gap = 352001 - municipal[municipal != "..."].astype(float).sum()
    assert (hidden, gap) == (5, 33)
    assert unemployed[unemployed.area_type == "country"].loc["SSS"].value == 352001


def test_same_table_shape_as_the_register_path(real):
    t = real.table
    assert list(t.columns) == COLUMNS
    assert set(t.source) == {"statfin"}
    assert set(t.area_type) == {"municipality", "employment_area", "region", "trial_area", "trial_group", "country"}
    assert set(t.period) == {"2026-06"}
    assert not t.duplicated(["indicator", "area_type", "area_code", "period"]).any()
    assert real.info["updated"].startswith("2026-07-21") and real.info["publisher"] == "KEHA-keskus, Työnvälitystilasto"


def test_catalogue_names_the_12r5_series_of_exactly_the_computed_indicators(real):
    assert set(COLUMNS_12R5) <= set(QUANTITIES)
    assert {d.id for d in real.indicators} == {d.id for d in catalog() if d.statfin}
    assert "not in StatFin 12r5: labour_force_foreign" == real.left_out["unemployment_share_foreign"]


def test_start_up_grant_rule_leaves_activation_out():
    result = compute_statfin(REAL_12R5, params=IndicatorParameters(start_up_grant_in_activation=False))
    ids = {d.id for d in result.indicators}
    assert "activation_rate" not in ids and "extended_unemployment" not in ids and "unemployed" in ids


@pytest.fixture(scope="module")
def history():
    return compute_statfin(MULTIMONTH)


def test_quarters_and_years_follow_the_register_rules(history):
    t = history.table
    country = t[(t.indicator == "unemployed") & (t.area_type == "country")].set_index("period")
    assert {"2020-Q1", "2021", "2022-Q4"} <= set(country.index)
    months = country.loc[["2020-01", "2020-02", "2020-03"], "value"]
    assert country.loc["2020-Q1", "value"] == pytest.approx(months.mean())
    share = t[(t.indicator == "unemployment_share") & (t.area_type == "trial_area") & (t.area_code == "T08")]
    share = share.set_index("period")
    year = share.loc["2021"]
    assert year.value == pytest.approx(100 * year.numerator / year.denominator)
    monthly = share.loc[[f"2021-{m:02d}" for m in range(1, 13)]]
    assert year.numerator == pytest.approx(monthly.numerator.mean())  # counts: mean of month-end stocks


def test_a_quarter_with_a_withheld_month_is_suppressed(history):
    t = history.table
    long_term = t[(t.indicator == "long_term_unemployed") & (t.area_type == "municipality")]
    wide = long_term.pivot(index="area_code", columns="period", values="flag")
    q_cols = [c for c in wide.columns if "Q" in c]
    for q in q_cols:
        year, n = q[:4], int(q[-1])
        months = [f"{year}-{m:02d}" for m in range(3 * n - 2, 3 * n + 1)]
        month_hidden = wide[months].eq("suppressed").any(axis=1)
        assert (wide[q].eq("suppressed") == month_hidden).all(), q


def test_tables_that_are_not_area_by_month_are_refused():
    with pytest.raises(StatfinInputError, match="Ammattiryhmä"):
        compute_statfin(REAL_12TI)
    with pytest.raises(StatfinInputError, match="no area dimension"):
        compute_statfin(REAL_135Z)


def test_store_keeps_the_register_rows_and_replaces_its_own(real, tmp_path):
    con = connect(tmp_path / "w.duckdb")
    store(con, {"indicator_values_public": real.table.head(50).assign(source="register")})
    store_statfin(con, real)
    store_statfin(con, real)
    counts = con.table("indicator_values_public").to_pandas().source.value_counts().to_dict()
    assert counts == {"statfin": len(real.table), "register": 50}
    assert con.table("indicator_values").count().execute() == len(real.table)
    sources = con.table("indicator_sources").to_pandas()
    assert sources.source.tolist() == ["statfin"] and sources.updated[0].startswith("2026-07-21")
    assert "indicator_metadata" in con.list_tables()


def test_cli_writes_and_stores(tmp_path):
    out, warehouse = tmp_path / "statfin.csv", tmp_path / "real.duckdb"
    result = CliRunner().invoke(app, ["indicators", "--statfin", str(REAL_12R5), "--out", str(out),
                                      "--warehouse", str(warehouse), "--levels", "municipality,country"])
    assert result.exit_code == 0, result.output
    assert "9 indicators" in result.output and "updated 2026-07-21" in result.output
    frame = pd.read_csv(out, dtype={"area_code": str})
    assert set(frame.area_type) == {"municipality", "country"}
    helsinki = frame[(frame.indicator == "unemployed") & (frame.area_code == "091")]
    assert helsinki.value.tolist() == [52578.0]
    assert np.isnan(frame.loc[frame.flag == "suppressed", "value"]).all()
    missing = CliRunner().invoke(app, ["indicators", "--out", str(out)])
    assert missing.exit_code == 2 and "--statfin" in missing.output
