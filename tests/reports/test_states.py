"""The state rules, cohorts and event-time income on a hand-made warehouse with known answers."""

from __future__ import annotations

import duckdb
import pytest

from tests.reports import tiny
from vaikutus.reports import income
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear
from vaikutus.reports.states import WarehouseError, build_cohorts, check_tables, data_window


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    tiny.build(path)
    c = duckdb.connect(str(path), read_only=True)
    period = HalfYear.parse("2024H1")
    build_cohorts(c, [period], data_window(c), PackageParameters())
    yield c
    c.close()


def test_cohorts_are_the_entrants_of_the_half_year(con):
    rows = con.execute("SELECT cohort, person_id, entry_month, area_code, age, education "
                       "FROM pkg_cohort ORDER BY cohort, person_id").fetchall()
    unemployment = {r[1]: r for r in rows if r[0] == "unemployment"}
    assert set(unemployment) == {"A", "B", "C", "D"}
    assert unemployment["B"][2].month == 2
    assert unemployment["A"][3] == "8"
    assert unemployment["C"][4] == "55+" and unemployment["C"][5] == "basic"
    assert {r[1] for r in rows if r[0] == "service"} == {"A", "B"}


@pytest.mark.parametrize("person", sorted(tiny.EXPECTED))
def test_monthly_states_follow_the_rules(con, person):
    states = [s for (s,) in con.execute(
        "SELECT state FROM pkg_state WHERE cohort = 'unemployment' AND person_id = ? ORDER BY k", [person]).fetchall()]
    expected = tiny.EXPECTED[person]
    assert states[: len(expected)] == expected


def test_follow_up_stops_at_the_last_month_of_the_data(con):
    (last_k,) = con.execute("SELECT max(k) FROM pkg_state WHERE person_id = 'B' AND cohort = 'unemployment'").fetchone()
    assert last_k == 10  # entered February 2024, data end December 2024


def test_event_time_income_is_exact(con):
    counts = income.count_income(con, "2024H1", PackageParameters())
    f = counts.frame
    a = f[(f.cohort == "unemployment") & (f.area_code == "8") & (f.group_dim == "all")].set_index("e")
    # four entrants observed at e = 0; A's 1 200 EUR allowance in the entry month
    assert a.loc[0, "persons"] == 4
    assert a.loc[0, "sum_earnings_related"] == pytest.approx(1200.0)
    assert a.loc[0, "n_earnings_related"] == 1
    # e = 4: A (May, 2 000 EUR) and the others with nothing -> sum 2 000, one earner above 1 000
    assert a.loc[4, "sum_earnings"] == pytest.approx(2000.0)
    assert a.loc[4, "earn_gt_1000"] == 1
    # months before the data window (2024-01) are not observed: at e = -1 only B (entered February)
    assert a.loc[-1, "persons"] == 1
    assert -2 not in a.index


def test_missing_table_is_named(tmp_path):
    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as c:
        c.execute("CREATE TABLE months (month DATE)")
    with duckdb.connect(str(path), read_only=True) as c, pytest.raises(WarehouseError, match="person_month"):
        check_tables(c, str(path))
