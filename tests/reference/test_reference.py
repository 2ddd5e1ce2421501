"""Reference data: the shipped tables are complete, consistent and join to each other."""

from datetime import date

import pytest

from vaikutus import reference


def test_municipality_divisions_have_the_published_counts():
    assert len(reference.municipalities(2021)) == 309
    m25 = reference.municipalities(2025)
    assert len(m25) == 308
    assert m25["code"].str.fullmatch(r"\d{3}").all()
    # Pertunmaa merged into Mäntyharju on 1.1.2025
    assert "588" in set(reference.municipalities(2021)["code"]) and "588" not in set(m25["code"])


def test_regions_and_employment_areas():
    regions = reference.regions()
    assert len(regions) == 19
    assert regions.loc[regions["code"] == "01", "name_fi"].item() == "Uusimaa"
    areas = reference.employment_areas()
    assert len(areas) == 46 and areas["in_reform"].sum() == 45
    members = {code for codes in areas["municipality_codes"] for code in codes}
    assert members == set(reference.municipalities(2025)["code"])
    helsinki = areas.loc[areas["code"] == 8]
    assert helsinki["municipality_codes"].item() == ["091"]


def test_trial_areas_keep_published_totals_and_label_synthetic_members():
    trials = reference.trial_areas()
    assert trials["trial_area_code"].nunique() == 25
    assert trials["municipality"].nunique() == 118
    assert set(trials["membership"]) == {"confirmed", "synthetic"}
    assert (trials["start"] == "2021-03-01").all() and (trials["end"] == "2024-12-31").all()
    confirmed = set(trials.loc[trials["membership"] == "confirmed", "municipality_name_fi"])
    assert {"Helsinki", "Seinäjoki", "Kajaani", "Hanko", "Koski Tl"} <= confirmed
    # Kymenlaakso and Etelä-Karjala submitted no applications (DOMAIN C2)
    hierarchy = reference.area_hierarchy(2025)
    assert not hierarchy.loc[hierarchy["region"].isin(["08", "09"]), "trial"].any()
    assert set(trials["municipality"]) <= set(reference.municipalities(2021)["code"])


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 6, date(2026, 6, 30)),  # Tuesday
        (2026, 5, date(2026, 5, 29)),  # 31st is Sunday, 30th Saturday
        (2024, 3, date(2024, 3, 28)),  # 29.3.2024 Good Friday, then weekend
        (2025, 1, date(2025, 1, 31)),
        (2023, 12, date(2023, 12, 29)),  # 31st Sunday, 30th Saturday
        (2020, 5, date(2020, 5, 29)),  # 31st Sunday, 30th Saturday
    ],
)
def test_counting_day_is_last_working_day(year, month, expected):
    assert reference.counting_day(year, month) == expected


def test_counting_day_month_end_rule_and_bad_rule():
    assert reference.counting_day(2026, 5, rule="month_end") == date(2026, 5, 31)
    with pytest.raises(ValueError, match="unknown counting-day rule"):
        reference.counting_day(2026, 5, rule="mid_month")


def test_holidays_include_moving_feasts():
    holidays = reference.finnish_holidays(2026)
    assert holidays[date(2026, 4, 3)] == "pitkäperjantai"
    assert holidays[date(2026, 6, 19)] == "juhannusaatto"
    assert holidays[date(2026, 10, 31)] == "pyhäinpäivä"
    assert holidays[date(2026, 5, 14)] == "helatorstai"


@pytest.mark.parametrize("level", sorted(reference.BOUNDARY_LEVELS))
def test_boundaries_cover_every_area_of_their_level(level):
    features = reference.boundaries(level)["features"]
    codes = {f["properties"]["code"] for f in features}
    hierarchy = reference.area_hierarchy(2025)
    column = {"municipality": "municipality", "region": "region",
              "employment_area": "employment_area", "trial_area": "trial_area"}[level]
    expected = {str(v) for v in hierarchy[column] if str(v)}
    assert codes == expected
    point = features[0]["geometry"]["coordinates"]
    while isinstance(point[0], list):
        point = point[0]
    lon, lat = point[:2]
    assert 19 < lon < 32 and 59 < lat < 71  # WGS84 inside Finland
