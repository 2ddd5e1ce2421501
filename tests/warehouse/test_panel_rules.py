"""The person-month panel against rows worked out by hand from ``small_register``."""

from __future__ import annotations

from datetime import date

import pytest

from tests.warehouse.small_register import duckdb_warehouse, memory_warehouse, register_tables
from vaikutus.warehouse import build_panel
from vaikutus.warehouse.panel import PERSON_MONTH_SCHEMA, PanelInputError


def _rows(con) -> dict[tuple[str, str], dict]:
    """person_month rows keyed by (person, 'YYYY-MM'), with dates and None for missing."""
    rows = con.table("person_month").to_pyarrow().to_pylist()
    return {(r["person_id"], f"{r['month']:%Y-%m}"): r for r in rows}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    con = duckdb_warehouse(tmp_path_factory.mktemp("panel") / "warehouse.duckdb")
    build_panel(con, "2024-01", "2024-03")
    return con


@pytest.fixture(scope="module")
def panel(warehouse) -> dict[tuple[str, str], dict]:
    return _rows(warehouse)


def check(row: dict, **expected) -> None:
    assert {k: row[k] for k in expected} == expected


def test_one_row_per_person_month_with_a_valid_search(panel):
    expected = {("p01", "2024-01"), ("p01", "2024-02")}
    expected |= {(p, m) for p in ("p02", "p03", "p04", "p06", "p07", "p08", "p09", "p10", "p11", "p12")
                 for m in ("2024-01", "2024-02", "2024-03")}
    assert set(panel) == expected  # p05 starts in 2026, p13 has earnings but no spells


def test_schema_is_the_contract(warehouse):
    assert warehouse.table("person_month").schema() == PERSON_MONTH_SCHEMA


def test_months_table_counting_days(warehouse):
    months = warehouse.table("months").order_by("month").to_pyarrow().to_pylist()
    assert [m["counting_day"] for m in months] == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 28)]
    assert months[2]["month_end"] == date(2024, 3, 31)


def test_spell_crossing_the_month_end(panel):
    check(panel["p01", "2024-01"], registered=True, status="unemployed", unemployed=True,
          days_registered=17, days_unemployed=17, unemployment_duration_days=17,
          unemployment_spell_started=True, search_ended=False, search_end_destination=None)
    # ended on the 10th: not registered on the counting day, but the days and the search end count
    check(panel["p01", "2024-02"], registered=False, status=None, unemployed=False,
          days_registered=10, days_unemployed=10, unemployment_duration_days=None,
          unemployment_spell_started=False, search_ended=True, search_end_destination="open_market_job",
          municipality="091")


def test_spell_ending_on_before_and_after_the_counting_day(panel):
    # 2024-03: counting day Thursday the 28th (Good Friday 29th)
    check(panel["p02", "2024-03"], counting_day=date(2024, 3, 28), registered=True, days_registered=28,
          unemployment_duration_days=31 + 29 + 28)
    check(panel["p03", "2024-03"], registered=False, status=None, days_registered=27,
          unemployment_duration_days=None, municipality="507")
    check(panel["p04", "2024-03"], registered=True, days_registered=29, unemployment_duration_days=88)


def test_areas_use_the_2025_division_and_2021_trial_membership(panel):
    # Pertunmaa (588) joined Mäntyharju (507) in 2025; only Mäntyharju was a trial municipality
    check(panel["p02", "2024-01"], municipality="507", region="10", employment_area=23,
          trial_area=None, trial=False)
    check(panel["p03", "2024-01"], municipality="507", region="10", employment_area=23,
          trial_area="T02", trial=True)


def test_municipality_is_that_of_the_spell_on_the_counting_day(panel):
    check(panel["p06", "2024-01"], municipality="049", employment_area=1, trial_area="T09",
          days_registered=31, unemployment_duration_days=31, unemployment_spell_started=True)


def test_service_interrupts_the_continuous_spell(panel):
    check(panel["p07", "2024-01"], status="in_service", registered=True, unemployed=False,
          in_service=True, days_in_service=31, days_unemployed=0, unemployment_duration_days=None)
    # duration restarts on 1 February, not from 1 June 2023; the coaching lasts to 5 February
    check(panel["p07", "2024-02"], status="unemployed", unemployment_duration_days=29,
          unemployment_spell_started=True, days_in_service=5, in_service=False)


def test_service_month_lists_services_on_the_counting_day(warehouse):
    rows = warehouse.table("service_month").to_pyarrow().to_pylist()
    assert sorted((r["person_id"], r["month"], r["service"]) for r in rows) == [
        ("p07", date(2024, 1, 1), "coaching"), ("p07", date(2024, 1, 1), "labour_market_training"),
    ]


def test_adjacent_spells_merge_and_laid_off_full_is_unemployed(panel):
    check(panel["p08", "2024-01"], status="laid_off_full", unemployed=True, days_unemployed=31,
          unemployment_duration_days=31, unemployment_spell_started=True)
    check(panel["p08", "2024-02"], unemployment_duration_days=60, unemployment_spell_started=False)


def test_one_day_off_unemployment_breaks_the_spell(panel):
    check(panel["p09", "2024-01"], days_registered=30, days_unemployed=30, unemployment_duration_days=20,
          unemployment_spell_started=True)


def test_min_break_days_two_merges_across_one_day(tmp_path):
    con = memory_warehouse(register_tables())
    build_panel(con, "2024-01", "2024-01", min_break_days=2)
    check(_rows(con)["p09", "2024-01"], unemployment_duration_days=31, days_unemployed=30)


def test_long_term_threshold_is_365_days(panel):
    check(panel["p10", "2024-01"], unemployment_duration_days=365, long_term_unemployed=True)
    check(panel["p11", "2024-01"], unemployment_duration_days=364, long_term_unemployed=False)
    check(panel["p11", "2024-02"], unemployment_duration_days=393, long_term_unemployed=True)


def test_short_week_lay_off_is_registered_not_unemployed(panel):
    check(panel["p12", "2024-01"], registered=True, status="laid_off_short_week", unemployed=False,
          days_unemployed=0, unemployment_duration_days=None, long_term_unemployed=False,
          partial_work_ability=True)


def test_money_and_traits(panel):
    check(panel["p01", "2024-01"], earnings_eur=1000.5, benefits_eur=500.25, age=2024 - 1961, sex="F")
    check(panel["p01", "2024-02"], earnings_eur=0.0, benefits_eur=0.0)


@pytest.mark.parametrize(
    ("rule", "registered", "counting_day", "duration"),
    [("last_working_day", False, date(2026, 5, 29), None), ("month_end", True, date(2026, 5, 31), 2)],
)
def test_counting_day_rule(rule, registered, counting_day, duration):
    con = memory_warehouse(register_tables())
    build_panel(con, "2026-05", "2026-06", counting_day_rule=rule)
    rows = _rows(con)
    check(rows["p05", "2026-05"], registered=registered, counting_day=counting_day, days_registered=2,
          unemployment_duration_days=duration, unemployment_spell_started=True, trial_area="T08", trial=False)
    check(rows["p05", "2026-06"], registered=True, unemployment_duration_days=32)


def test_person_buckets_give_the_same_panel(warehouse):
    con = memory_warehouse(register_tables())
    build_panel(con, "2024-01", "2024-03", buckets=3)
    assert _rows(con) == _rows(warehouse)


def test_window_defaults_to_the_data():
    con = memory_warehouse(register_tables())
    build_panel(con)
    months = con.table("months").month.to_pyarrow().to_pylist()
    assert (months[0], months[-1]) == (date(2023, 2, 1), date(2026, 5, 1))


def test_missing_register_table_or_column_is_named():
    with pytest.raises(PanelInputError, match="no table 'jobseeker_spells'"):
        build_panel(memory_warehouse({}))
    tables = register_tables()
    tables["jobseeker_spells"] = tables["jobseeker_spells"].drop_columns(["status"])
    with pytest.raises(PanelInputError, match="'jobseeker_spells' lacks column.*status"):
        build_panel(memory_warehouse(tables))


def test_optional_tables_may_be_missing():
    tables = {k: v for k, v in register_tables().items() if k in ("jobseeker_spells", "persons")}
    con = memory_warehouse(tables)
    build_panel(con, "2024-01", "2024-01")
    check(_rows(con)["p07", "2024-01"], in_service=False, days_in_service=0, earnings_eur=0.0)
    assert con.table("service_month").count().execute() == 0
