"""Every table of the synthetic register matches its schema and the rules that span rows."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vaikutus.reference import municipalities
from vaikutus.registry.schemas import TABLES
from vaikutus.registry.synthetic import hetu

MUNICIPALITIES_2021 = set(municipalities(2021)["code"])
MUNICIPALITIES_2025 = set(municipalities(2025)["code"])


def _column_name(field) -> str:
    return "henkilotunnus" if field.person_key else field.name


@pytest.mark.parametrize("name", list(TABLES))
def test_table_matches_schema(register, name):
    table = pq.read_table(register.path(name))
    schema = TABLES[name]
    assert table.column_names == [_column_name(f) for f in schema.fields]
    assert table.num_rows == register.manifest["tables"][name]["rows"] > 0
    for field in schema.fields:
        column = table.column(_column_name(field))
        assert column.type == field.arrow_type, (name, field.name)
        if not field.nullable:
            assert column.null_count == 0, (name, field.name)
        values = set(pc.unique(column).to_pylist()) - {None}
        if isinstance(field.codes, dict):
            assert values <= set(field.codes), (name, field.name, values - set(field.codes))
        elif field.codes == "municipality":
            assert values <= MUNICIPALITIES_2021 | MUNICIPALITIES_2025, (name, values)
        elif field.codes == "employment_area":
            assert values <= set(range(1, 47)), (name, values)
        if field.minimum is not None:
            assert pc.min(column).as_py() >= field.minimum, (name, field.name)
        if field.maximum is not None:
            assert pc.max(column).as_py() <= field.maximum, (name, field.name)
    if schema.interval:
        start, end = (table.column(c) for c in schema.interval)
        ok = pc.or_kleene(pc.is_null(end), pc.greater_equal(end, start))
        assert pc.all(ok).as_py(), name


def test_person_keys_exist_in_persons(db):
    for name, schema in TABLES.items():
        if name == "persons" or not schema.references_persons:
            continue
        orphans = db.execute(
            f"SELECT count(*) FROM {name} t ANTI JOIN persons p USING (henkilotunnus)"
        ).fetchone()[0]
        assert orphans == 0, name


def test_henkilotunnus_valid_unique_and_artificial(db):
    codes, sexes, years = zip(
        *db.execute("SELECT henkilotunnus, sex, birth_year FROM persons").fetchall()
    )
    assert len(set(codes)) == len(codes)
    assert all(hetu.is_valid(c) for c in codes)
    assert all(900 <= int(c[7:10]) <= 999 for c in codes)
    assert all((int(c[7:10]) % 2 == 1) == (s == "M") for c, s in zip(codes, sexes))
    century = {"-": 1900, "A": 2000}
    assert all(century[c[6]] + int(c[4:6]) == y for c, y in zip(codes, years))


def test_spells_of_a_person_do_not_overlap(db):
    for name in ("jobseeker_spells", "residence"):
        overlaps = db.execute(f"""
            SELECT count(*) FROM (
              SELECT start, lag("end") OVER (PARTITION BY henkilotunnus ORDER BY start) AS prev_end
              FROM {name}) WHERE prev_end IS NULL AND start IS NULL OR prev_end >= start""").fetchone()[
            0
        ]
        assert overlaps == 0, name
        open_before_last = db.execute(f"""
            SELECT count(*) FROM (
              SELECT "end", lead(start) OVER (PARTITION BY henkilotunnus ORDER BY start) AS next_start
              FROM {name}) WHERE "end" IS NULL AND next_start IS NOT NULL""").fetchone()[0]
        assert open_before_last == 0, name


def test_services_lie_inside_in_service_spells(db):
    uncovered = db.execute("""
        SELECT count(*) FROM (
          SELECT s.henkilotunnus, s.start, coalesce(s."end", DATE '2025-12-31') AS s_end,
                 sum(least(coalesce(j."end", DATE '2025-12-31'), coalesce(s."end", DATE '2025-12-31'))
                     - greatest(j.start, s.start) + 1) AS covered
          FROM service_spells s JOIN jobseeker_spells j
            ON j.henkilotunnus = s.henkilotunnus AND j.status = 'in_service'
           AND j.start <= coalesce(s."end", DATE '2025-12-31')
           AND coalesce(j."end", DATE '2025-12-31') >= s.start
          GROUP BY ALL)
        WHERE covered <> s_end - start + 1""").fetchone()[0]
    services = db.execute("SELECT count(*) FROM service_spells").fetchone()[0]
    joined = db.execute("""SELECT count(DISTINCT (s.henkilotunnus, s.start, s.service)) FROM service_spells s
        JOIN jobseeker_spells j ON j.henkilotunnus = s.henkilotunnus AND j.status = 'in_service'
        AND j.start <= coalesce(s."end", DATE '2025-12-31') AND coalesce(j."end", DATE '2025-12-31') >= s.start
        """).fetchone()[0]
    assert uncovered == 0
    assert joined == services


def test_municipality_codes_follow_the_division_of_the_date(db):
    # Pertunmaa (588) exists until 2024, Mäntyharju (507) absorbs it from 2025
    assert (
        db.execute(
            "SELECT count(*) FROM jobseeker_spells WHERE municipality = '588' "
            "AND start >= DATE '2025-01-01'"
        ).fetchone()[0]
        == 0
    )
    assert (
        db.execute(
            "SELECT count(*) FROM residence WHERE municipality = '588' "
            "AND coalesce(\"end\", DATE '2099-01-01') >= DATE '2025-01-01'"
        ).fetchone()[0]
        == 0
    )
    years = dict(
        db.execute(
            "SELECT year, count(DISTINCT municipality) FROM labour_force GROUP BY year"
        ).fetchall()
    )
    assert years[2024] == 309 and years[2025] == 308


def test_responsible_organisation_and_service_line_follow_the_reforms(db):
    rows = db.execute("""
        SELECT responsible,
               min(start), max(start),
               count(*) FILTER (WHERE service_line IS NOT NULL AND start >= DATE '2022-05-02'),
               count(*) FILTER (WHERE service_line IS NULL AND start < DATE '2022-05-02')
        FROM jobseeker_spells GROUP BY responsible""").fetchall()
    by = {r[0]: r[1:] for r in rows}
    assert set(by) == {"te_office", "municipal_trial", "employment_area"}
    assert (
        str(by["municipal_trial"][0]) >= "2021-03-01"
        and str(by["municipal_trial"][1]) <= "2024-12-31"
    )
    assert str(by["employment_area"][0]) >= "2025-01-01"
    assert str(by["te_office"][1]) <= "2024-12-31"
    assert all(r[3] == 0 and r[4] == 0 for r in rows)
    trial_outside = db.execute(
        """
        SELECT count(*) FROM jobseeker_spells j
        WHERE responsible = 'municipal_trial'
          AND municipality NOT IN (SELECT municipality FROM read_csv_auto(?, all_varchar=true))""",
        [str(_trial_csv())],
    ).fetchone()[0]
    assert trial_outside == 0


def _trial_csv():
    from vaikutus.reference import data_path

    return data_path("trial_areas_2021.csv")


def test_search_ends_close_job_searches(db):
    # every search end is the last day of a registered spell not followed the next day by another
    unmatched = db.execute("""
        SELECT count(*) FROM search_ends e ANTI JOIN jobseeker_spells j
        ON j.henkilotunnus = e.henkilotunnus AND j."end" = e.date""").fetchone()[0]
    continued = db.execute("""
        SELECT count(*) FROM search_ends e JOIN jobseeker_spells j
        ON j.henkilotunnus = e.henkilotunnus AND j.start = e.date + 1""").fetchone()[0]
    assert unmatched == 0 and continued == 0


def test_benefit_days_never_exceed_days_in_benefit_states(db):
    worst = db.execute("""
        SELECT max(days) FILTER (WHERE benefit IN ('labour_market_subsidy','basic_allowance','earnings_related')),
               count(*) FILTER (WHERE amount_eur <= 0)
        FROM benefits""").fetchone()
    assert worst[0] <= 23  # five days a week
    assert worst[1] == 0
    employed_whole_month = db.execute("""
        SELECT count(*) FROM benefits b JOIN earnings e USING (henkilotunnus, month)
        WHERE b.benefit = 'earnings_related' AND e.earnings_eur > 10000""").fetchone()[0]
    assert employed_whole_month == 0
