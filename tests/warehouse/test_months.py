"""The months table and the month parser."""

from __future__ import annotations

from datetime import date

import pytest

from vaikutus.warehouse.months import month_starts, months_table, parse_month


def test_parse_month_accepts_text_and_dates():
    assert parse_month("2024-03") == date(2024, 3, 1)
    assert parse_month("2024-03-17") == date(2024, 3, 1)
    assert parse_month(date(2024, 3, 17)) == date(2024, 3, 1)
    with pytest.raises(ValueError, match="'March' is not of the form YYYY-MM"):
        parse_month("March")


def test_month_starts_cross_the_year_and_refuse_a_reversed_window():
    assert month_starts("2024-11", "2025-02") == [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
    with pytest.raises(ValueError, match="ends .2024-01. before it starts .2024-02."):
        month_starts("2024-02", "2024-01")


def test_months_table_has_both_counting_day_rules():
    working = months_table("2026-05", "2026-05").to_pylist()
    calendar = months_table("2026-05", "2026-05", "month_end").to_pylist()
    assert working == [{"month": date(2026, 5, 1), "month_end": date(2026, 5, 31), "counting_day": date(2026, 5, 29)}]
    assert calendar[0]["counting_day"] == date(2026, 5, 31)
    with pytest.raises(ValueError, match="unknown counting-day rule 'mid_month'"):
        months_table("2026-05", "2026-05", "mid_month")
