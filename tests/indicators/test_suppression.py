"""Disclosure control: attacks on the published grid must not recover any suppressed cell.

A small synthetic country (8 municipalities; employment areas, regions and trial areas that cut
across each other) with random monthly counts for a total and its two parts. The relations the
attacks use are written out here from the hierarchy, independently of ``relations.py``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from vaikutus.indicators import queries as qy
from vaikutus.indicators.aggregate import build_grid
from vaikutus.indicators.areas import Areas
from vaikutus.indicators.compute import suppress_grid
from vaikutus.indicators.definitions import catalog
from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.indicators.relations import grid_relations
from vaikutus.indicators.suppression import Factors, Relations, determined_cells, suppress_boxes
from vaikutus.indicators.tables import indicator_table

HIERARCHY = pd.DataFrame(
    {
        "municipality": ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"],
        "employment_area": [1, 1, 1, 2, 2, 3, 3, 3],
        "region": ["R1", "R1", "R2", "R1", "R2", "R2", "R2", "R2"],
        "trial_area": ["T1", "", "", "T1", "", "T2", "T2", ""],
    }
)
TOTAL, PARTS = "unemployed", ("plans_up_to_date", "plan_debt")
QUANTITIES = (TOTAL, *PARTS)
MONTHS = [f"2023-{m:02d}" for m in range(1, 13)]


def _calendar() -> pd.DataFrame:
    months = pd.date_range("2023-01-01", periods=12, freq="MS")
    ends = months + pd.offsets.MonthEnd(0)
    return pd.DataFrame({"month": months, "month_end": ends, "counting_day": ends})


@pytest.fixture(scope="module", params=[(11, 6, 10), (12, 9, 12)], ids=lambda s: f"seed{s[0]}")
def published(request):
    """(areas, grid, suppression) for random counts: Poisson means of the two parts per seed."""
    seed, mean_plans, mean_debt = request.param
    rng = np.random.default_rng(seed)
    areas = Areas.from_frame(HIERARCHY)
    rows = []
    for m, month in itertools.product(HIERARCHY.municipality, _calendar().month):
        plans, debt = rng.poisson(mean_plans), rng.poisson(mean_debt)
        rows.append({"municipality": m, "month": month.date(), "plans_up_to_date": plans,
                     "plan_debt": debt, "unemployed": plans + debt})
    cal = qy.calendar(_calendar(), IndicatorParameters())
    empty = pd.DataFrame(columns=["municipality", "year", "group", "persons"])
    caseloads = pd.DataFrame(columns=["area", "expert_id", "month", "clients"])
    grid = build_grid(areas, cal, [pd.DataFrame(rows)], empty, caseloads, [], IndicatorParameters(), {})
    others = [i for i, q in enumerate(grid.quantities) if q not in QUANTITIES]
    grid.values[others] = np.nan  # only the three quantities are published in this country
    return areas, grid, suppress_grid(grid, areas, threshold=5)


def _cells(areas, grid, sup, mask=None):
    """Values and hidden flags (or another mask) of the three quantities, keyed
    (quantity, area_type, area_code, period)."""
    Q, A, P = grid.values.shape
    hidden = (sup.hidden if mask is None else mask).reshape(Q, A, P)
    values, secret = {}, {}
    for q in QUANTITIES:
        for a, (atype, code) in enumerate(zip(grid.areas.area_type, grid.areas.area_code)):
            for p, period in enumerate(grid.periods.table.period):
                key = (q, atype, code, period)
                values[key] = grid.values[grid.row(q), a, p]
                secret[key] = bool(hidden[grid.row(q), a, p])
    return values, secret


def _relations() -> list[dict]:
    """Every linear identity an attacker knows, as {cell: coefficient} (sum = 0)."""
    h = HIERARCHY
    groups = [("country", "SSS", h.municipality)]
    groups += [("employment_area", str(k), g.municipality) for k, g in h.groupby("employment_area")]
    groups += [("region", k, g.municipality) for k, g in h.groupby("region")]
    groups += [("trial_area", k, g.municipality) for k, g in h[h.trial_area != ""].groupby("trial_area")]
    groups += [("trial_group", "trial", h.municipality[h.trial_area != ""]),
               ("trial_group", "non_trial", h.municipality[h.trial_area == ""])]
    quarters = {f"2023-Q{i}": MONTHS[3 * (i - 1): 3 * i] for i in range(1, 5)}
    periods = MONTHS + list(quarters) + ["2023"]
    out = []
    for q in QUANTITIES:
        for period in periods:
            for atype, code, members in groups:  # parent = sum of its municipalities
                rel = {(q, atype, code, period): -1.0}
                rel.update({(q, "municipality", m, period): 1.0 for m in members})
                out.append(rel)
            for upper, lower in (("employment_area", [str(k) for k in sorted(set(h.employment_area))]),
                                 ("region", sorted(set(h.region))), ("trial_group", ["trial", "non_trial"])):
                rel = {(q, "country", "SSS", period): -1.0}
                rel.update({(q, upper, c, period): 1.0 for c in lower})
                out.append(rel)
        for atype, code in [("municipality", m) for m in h.municipality] + [(a, c) for a, c, _ in groups]:
            for quarter, months in quarters.items():  # stocks: quarter = mean of months
                rel = {(q, atype, code, quarter): -3.0}
                rel.update({(q, atype, code, m): 1.0 for m in months})
                out.append(rel)
            rel = {(q, atype, code, "2023"): -12.0}
            rel.update({(q, atype, code, m): 1.0 for m in MONTHS})
            out.append(rel)
            rel = {(q, atype, code, "2023"): -4.0}
            rel.update({(q, atype, code, quarter): 1.0 for quarter in quarters})
            out.append(rel)
    for atype, code, _ in groups + [("municipality", m, None) for m in h.municipality]:
        for period in periods:  # total = sum of parts
            rel = {(TOTAL, atype, code, period): -1.0}
            rel.update({(p, atype, code, period): 1.0 for p in PARTS})
            out.append(rel)
    return out


def test_primary_cells_are_the_small_counts_and_never_zero(published):
    areas, grid, sup = published
    values, secret = _cells(areas, grid, sup)
    _, primary = _cells(areas, grid, sup, mask=sup.primary)
    small = {k for k, v in values.items() if 0 < v < 5}
    assert small
    assert small == {k for k, p in primary.items() if p}
    assert all(secret[k] for k in small)


def test_differencing_recovers_nothing(published):
    """Peel every relation with a single unknown, repeatedly, using all published cells."""
    areas, grid, sup = published
    _, secret = _cells(areas, grid, sup)
    known = {k for k, s in secret.items() if not s}
    assert any(secret.values())
    relations = _relations()
    progress = True
    while progress:
        progress = False
        for rel in relations:
            unknown = [k for k in rel if k not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                progress = True
    recovered = [k for k, s in secret.items() if s and k in known]
    assert recovered == []


def test_linear_programming_leaves_every_suppressed_count_an_interval(published):
    """min and max of each suppressed cell subject to all published relations and >= 0."""
    areas, grid, sup = published
    values, secret = _cells(areas, grid, sup)
    hidden = sorted(k for k, s in secret.items() if s)
    index = {k: i for i, k in enumerate(hidden)}
    A, b = [], []
    for rel in _relations():
        row = np.zeros(len(hidden))
        rhs = 0.0
        for k, c in rel.items():
            if k in index:
                row[index[k]] += c
            else:
                rhs -= c * values[k]
        if row.any():
            A.append(row)
            b.append(rhs)
    A, b = np.array(A), np.array(b)
    for k in hidden:
        c = np.zeros(len(hidden))
        c[index[k]] = 1.0
        low = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        assert low.status == 0
        upper = np.inf if high.status == 3 else -high.fun
        assert low.fun <= values[k] + 1e-6 <= upper + 2e-6
        assert upper - low.fun > 0.5, f"{k} pinned to [{low.fun}, {upper}]"


def test_public_table_hides_value_numerator_and_denominator(published):
    areas, grid, sup = published
    defs = tuple(d for d in catalog() if d.id in ("unemployed", "plan_debt", "plans_up_to_date_share"))
    table = indicator_table(grid, defs, 5, sup)
    hidden = table[table.flag.isin(["suppressed", "secondary_suppressed"])]
    assert len(hidden) > 0
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    shown = table[table.flag.isna()]
    assert shown.value.notna().all()
    # the share is hidden exactly where its numerator or its denominator count is
    _, secret = _cells(areas, grid, sup)
    share = table[table.indicator == "plans_up_to_date_share"]
    for row in share.itertuples():
        cell = (row.area_type, row.area_code, row.period)
        expected = secret[("plans_up_to_date", *cell)] or secret[("unemployed", *cell)]
        assert (row.flag in ("suppressed", "secondary_suppressed")) == expected


def test_audit_finds_a_cell_pinned_by_a_combination_of_relations():
    """Cells a..d, each relation holding two of them: every relation has two unknowns, but
    (a+b) - (b+d) + (a+d) = 2a pins a (and then every cell)."""
    members = [(0, 1), (0, 2), (1, 3), (0, 3), (2, 3)]
    rel = np.repeat(np.arange(len(members)), 2)
    cell = np.array(members).ravel()
    r = Relations.from_members(rel, cell, np.ones(len(cell)))
    hidden = np.ones(4, dtype=bool)
    assert sorted(determined_cells(hidden, r)) == [0, 1, 2, 3]
    # a square a+b, b+d, d+c, c+a (an even cycle) pins nothing
    square = [(0, 1), (1, 3), (3, 2), (2, 0)]
    r2 = Relations.from_members(np.repeat(np.arange(4), 2), np.array(square).ravel(), np.ones(8))
    assert len(determined_cells(hidden, r2)) == 0


def test_exact_audit_finds_no_determined_cell(published):
    areas, grid, sup = published
    assert len(determined_cells(sup.hidden.ravel(), grid_relations(grid, areas))) == 0


def test_box_takes_the_cheapest_partner():
    """One quantity, one period; areas: parent 0 = a (1) + b (2) + c (3). Candidates for a: a - b,
    a - c, or a with its parent. a is primary (3 people); b has 40, c has 7, the parent 50: the
    box is {a, c}, the cheapest way to keep a unknown."""
    values = np.array([50.0, 3.0, 40.0, 7.0]).reshape(1, 4, 1)
    primary = np.zeros((1, 4, 1), dtype=bool)
    primary[0, 1, 0] = True
    areas = Factors((np.array([[0, -1]]), np.array([[1, 2], [1, 3], [0, 1]]), np.array([[2, 1]]), np.array([[3, 1]])))
    periods = {"none": Factors((np.array([[0]]),))}
    quantities = Factors((np.array([[0]]),))
    out = suppress_boxes(values, primary, areas, periods, ["none"], quantities, threshold=5)
    assert out.hidden.ravel().tolist() == [False, True, False, True]
