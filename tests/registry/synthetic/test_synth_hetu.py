"""Artificial henkilötunnukset: format, check character, uniqueness under crowding."""

from __future__ import annotations

import numpy as np

from vaikutus.registry.synthetic import hetu


def test_check_character_of_published_example():
    # the example of the Digital and Population Data Services Agency
    assert hetu.is_valid("131052-308T")
    assert not hetu.is_valid("131052-308U")
    assert not hetu.is_valid("131352-308T")


def test_crowded_birth_days_are_spread_within_the_year():
    n = 500  # ten times the 50 codes a day offers per sex
    codes = hetu.assign(np.full(n, 1990), np.zeros(n, dtype=int), np.ones(n, dtype=bool))
    assert len(set(codes)) == n
    assert all(hetu.is_valid(c) and c[4:6] == "90" and c[6] == "-" for c in codes)
    assert all(int(c[7:10]) % 2 == 1 and int(c[7:10]) >= 900 for c in codes)
    assert len({c[:4] for c in codes}) == 10


def test_twenty_first_century_sign():
    code = hetu.assign(np.array([2004]), np.array([59]), np.array([False]))[0]
    assert code[:7] == "290204A" and hetu.is_valid(code)
