"""A hand-built register of 20 persons, 2021-01..2022-12, in four municipalities (+ Pertunmaa).

Every record is written out here so the expected indicator values in ``test_hand_computed.py``
can be worked out by hand. Municipalities: Helsinki 091 (employment area 8, region 01, trial area
T08), Järvenpää 186 (14, 01, no trial), Kotka 285 (4, 08, no trial), Mäntyharju 507 (23, 10, T02)
and Pertunmaa 588, merged into Mäntyharju in 2025 (its records count in 507).

Counting days used below: 2022-01-31, 2022-02-28, 2022-03-31 (last working days).
Edge cases: P01 reaches 365 days exactly on 2022-02-28; P02 is laid off then unemployed (one
spell); P03's unemployment is interrupted by a wage-subsidy job; P07 moves from Pertunmaa to Kotka
on 2022-03-15; P08 has two overlapping unemployment records; P09 / P10 / P20 begin spells on a
month's last days (3-month crossings on 2022-03-31, 2022-02-28 (clamped) and 2022-03-15).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from vaikutus.registry.schemas import TABLES

MUNICIPALITIES = ("091", "186", "285", "507")


def d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


PERSONS = [
    # id, birth_year, sex, native_language, citizenship, education, partial_work_ability
    ("P01", 1990, "F", "fi", "FI", 3, False),
    ("P02", 2000, "M", "other", "other", 2, False),  # foreign, aged 22 in 2022
    ("P03", 1980, "M", "fi", "FI", 3, False),
    ("P04", 1970, "F", "fi", "FI", 2, False),
    ("P05", 1985, "M", "fi", "FI", 4, False),
    ("P06", 1960, "F", "fi", "FI", 2, True),
    ("P07", 1995, "M", "fi", "FI", 3, False),
    ("P08", 1975, "F", "sv", "FI", 5, False),
    ("P09", 1990, "M", "fi", "EU_EEA", 3, False),  # foreign (EU)
    ("P10", 1988, "F", "fi", "FI", 6, False),
    ("P11", 1970, "M", "fi", "FI", 1, True),
    ("P12", 1990, "F", "fi", "FI", 3, False),
    ("P13", 1999, "M", "fi", "FI", 3, False),
    ("P14", 1965, "F", "fi", "FI", 2, False),
    ("P15", 1980, "M", "fi", "FI", 3, False),
    ("P16", 1992, "F", "other", "other", 1, False),
    ("P17", 1975, "M", "fi", "FI", 3, False),
    ("P18", 1980, "M", "fi", "FI", 3, False),
    ("P19", 1970, "F", "fi", "FI", 3, False),
    ("P20", 1985, "M", "fi", "FI", 3, False),
]

JOBSEEKER_SPELLS = [
    # person, start, end, status, municipality, responsible, service_line
    ("P01", "2021-03-01", None, "unemployed", "091", "municipal_trial", 1),
    ("P02", "2022-01-01", "2022-02-15", "laid_off_full", "091", "te_office", None),
    ("P02", "2022-02-16", "2022-05-31", "unemployed", "091", "municipal_trial", 1),
    ("P03", "2021-06-01", "2021-11-30", "unemployed", "091", "municipal_trial", 2),
    ("P03", "2021-12-01", "2022-02-28", "in_service", "091", "municipal_trial", 2),
    ("P03", "2022-03-01", None, "unemployed", "091", "municipal_trial", 2),
    ("P04", "2020-01-01", "2021-09-30", "unemployed", "186", "te_office", 3),
    ("P04", "2021-10-01", "2022-06-30", "in_service", "186", "te_office", 3),
    ("P05", "2021-05-01", "2021-10-31", "unemployed", "186", "te_office", 2),
    ("P05", "2021-11-01", "2022-04-30", "in_service", "186", "te_office", 2),
    ("P06", "2021-01-04", "2021-07-31", "unemployed", "285", "te_office", 3),
    ("P06", "2021-08-01", "2021-08-20", "employed_jobseeker", "285", "te_office", 3),
    ("P06", "2021-08-21", None, "unemployed", "285", "te_office", 3),
    ("P07", "2021-10-01", "2022-03-14", "unemployed", "588", "te_office", 1),
    ("P07", "2022-03-15", None, "unemployed", "285", "te_office", 1),
    ("P08", "2021-09-01", "2022-01-31", "unemployed", "091", "municipal_trial", 1),
    ("P08", "2022-01-15", "2022-04-30", "unemployed", "091", "municipal_trial", 1),  # overlaps
    ("P09", "2021-12-31", "2022-03-30", "unemployed", "285", "te_office", 3),
    ("P10", "2021-11-30", "2022-02-28", "unemployed", "091", "municipal_trial", 2),
    ("P10", "2022-03-01", "2022-08-31", "in_service", "091", "municipal_trial", None),
    ("P11", "2019-01-01", "2020-12-31", "unemployed", "091", "te_office", 3),
    ("P11", "2021-01-01", "2022-12-31", "in_service", "091", "municipal_trial", 3),
    ("P12", "2022-01-10", None, "unemployed", "507", "te_office", 2),
    ("P13", "2022-02-01", "2022-03-15", "unemployed", "285", "te_office", 1),
    ("P14", "2021-06-01", "2022-03-20", "outside_labour_force", "091", "municipal_trial", None),
    ("P15", "2022-01-01", "2022-06-30", "laid_off_short_week", "285", "te_office", None),
    ("P16", "2021-07-01", "2021-12-31", "unemployed", "091", "municipal_trial", None),
    ("P16", "2022-01-01", "2022-12-31", "in_service", "091", "municipal_trial", None),
    ("P17", "2021-01-01", "2022-01-31", "unemployed", "285", "te_office", 3),
    ("P17", "2022-02-01", "2022-04-30", "in_service", "285", "te_office", 3),
    ("P18", "2022-02-01", "2022-03-10", "unemployed", "091", "municipal_trial", None),
    ("P19", "2022-03-01", "2022-03-05", "unemployed", "507", "te_office", None),
    ("P20", "2021-12-15", "2022-03-20", "unemployed", "285", "te_office", 1),
]

SERVICE_SPELLS = [
    # person, service, start, end, cost
    ("P03", "wage_subsidy", "2021-12-01", "2022-02-28", 3000.0),
    ("P04", "labour_market_training", "2021-10-01", "2022-06-30", 5000.0),
    ("P05", "work_trial", "2021-11-01", "2022-01-31", 200.0),
    ("P05", "coaching", "2022-02-01", "2022-04-30", 900.0),
    ("P10", "start_up_grant", "2022-03-01", "2022-08-31", 4000.0),
    ("P11", "rehabilitative_work", "2021-01-01", "2022-12-31", 2000.0),
    ("P16", "integration_training", "2022-01-01", "2022-06-30", 3500.0),
    ("P16", "self_motivated_study", "2022-03-01", "2022-12-31", 0.0),
    ("P17", "job_alternation_substitute", "2022-02-01", "2022-04-30", 0.0),
    ("P17", "other", "2022-03-10", "2022-03-31", 100.0),
]

SEARCH_ENDS = [
    ("P02", "2022-05-31", "open_market_job"),
    ("P08", "2022-04-30", "education"),
    ("P09", "2022-03-30", "moved_abroad"),
    ("P13", "2022-03-15", "subsidised_job"),
    ("P14", "2022-03-20", "outside_labour_force"),
    ("P18", "2022-03-10", "entrepreneur"),
    ("P19", "2022-03-05", "other_unknown"),
]

PLANS = [
    # person, kind, made, review_due
    ("P01", "employment_plan", "2022-01-10", "2022-04-30"),
    ("P03", "employment_plan", "2022-03-01", "2022-03-31"),  # review due on the counting day
    ("P06", "activation_plan", "2021-09-01", "2022-02-28"),  # out of date in March
    ("P08", "integration_plan", "2021-09-15", "2022-03-30"),  # out of date on 2022-03-31
    ("P12", "employment_plan", "2022-01-10", "2022-07-10"),
]

JOB_OFFERS = [
    ("P02", "2022-03-10", "V1", "hired"),
    ("P01", "2022-03-12", "V1", "not_hired"),
    ("P01", "2022-03-20", "V2", "pending"),
    ("P06", "2022-03-05", "V3", "not_hired"),
    ("P08", "2022-03-07", "V3", "not_hired"),
]

INTRODUCTIONS = [
    ("P02", "2022-03-15", "V1", "hired"),
    ("P03", "2022-03-16", "V4", "hired"),
    ("P07", "2022-02-10", "V5", "not_hired"),
]

CASELOADS = [
    # expert, person, start, end, employment area
    ("E1", "P01", "2021-03-01", None, 8),
    ("E1", "P02", "2022-01-01", "2022-05-31", 8),
    ("E1", "P03", "2021-06-01", None, 8),
    ("E2", "P08", "2021-09-01", "2022-04-30", 8),
    ("E3", "P04", "2020-01-01", None, 14),
    ("E3", "P05", "2021-05-01", "2022-04-30", 14),
]

BENEFITS = [
    # person, month, benefit, euros, days
    ("P01", "2022-03-01", "labour_market_subsidy", 700.0, 21),
    ("P02", "2022-03-01", "earnings_related", 1200.0, 21),
    ("P06", "2022-03-01", "basic_allowance", 600.0, 21),
    ("P06", "2022-03-01", "housing_allowance", 250.0, 0),
    ("P07", "2022-03-01", "social_assistance", 300.0, 0),
    ("P07", "2022-02-01", "social_assistance", 300.0, 0),
]

RESIDENCE = [
    ("P01", "091", "2010-01-01", None),
    ("P02", "091", "2015-01-01", None),
    ("P06", "285", "2000-01-01", None),
    ("P07", "588", "2015-01-01", "2022-03-14"),
    ("P07", "285", "2022-03-15", None),
]

KYKYVIISARI = [
    # person, date, total (the four dimension scores are not used by the indicators)
    ("P07", "2021-11-10", 5.0),
    ("P07", "2022-03-20", 6.5),
    ("P01", "2021-06-01", 7.0),
    ("P01", "2022-03-05", 6.0),
    ("P01", "2022-06-01", 8.0),
]

SATISFACTION = [
    ("091", "2022-03-03", "jobseeker", 4),
    ("091", "2022-03-10", "jobseeker", 5),
    ("091", "2022-03-25", "jobseeker", 3),
    ("091", "2022-03-11", "employer", 2),
    ("588", "2022-03-15", "jobseeker", 5),
]

LABOUR_FORCE = {
    # municipality: {year: (all, foreign, under_25)}; 2022 uses 2020 and 2021 uses 2019 (lag 2)
    "091": {2019: (300, 38, 28), 2020: (320, 40, 30)},
    "186": {2019: (100, 9, 11), 2020: (110, 10, 12)},
    "285": {2019: (80, 4, 7), 2020: (90, 5, 8)},
    "507": {2019: (40, 2, 4), 2020: (44, 2, 4)},
    "588": {2019: (10, 1, 1), 2020: (11, 1, 1)},
}


def tables() -> dict[str, pa.Table]:
    """The register as Arrow tables with the schema's columns and types."""
    rows: dict[str, list[tuple]] = {
        "persons": PERSONS,
        "jobseeker_spells": [(p, d(s), d(e), st, m, r, line) for p, s, e, st, m, r, line in JOBSEEKER_SPELLS],
        "service_spells": [(p, sv, d(s), d(e), c) for p, sv, s, e, c in SERVICE_SPELLS],
        "search_ends": [(p, d(x), dest) for p, x, dest in SEARCH_ENDS],
        "plans": [(p, k, d(m), d(r)) for p, k, m, r in PLANS],
        "job_offers": [(p, d(x), v, o) for p, x, v, o in JOB_OFFERS],
        "introductions": [(p, d(x), v, o) for p, x, v, o in INTRODUCTIONS],
        "caseloads": [(e, p, d(s), d(en), a) for e, p, s, en, a in CASELOADS],
        "earnings": [],
        "benefits": [(p, d(m), b, a, days) for p, m, b, a, days in BENEFITS],
        "residence": [(p, m, d(s), d(e)) for p, m, s, e in RESIDENCE],
        "kykyviisari": [(p, d(x), t, t, t, t, t) for p, x, t in KYKYVIISARI],
        "satisfaction": [(m, d(x), r, s) for m, x, r, s in SATISFACTION],
        "labour_force": [
            (m, y, g, n)
            for m, years in LABOUR_FORCE.items()
            for y, counts in years.items()
            for g, n in zip(("all", "foreign", "under_25"), counts)
        ],
    }
    out = {}
    for name, data in rows.items():
        schema = TABLES[name].arrow_schema()
        columns = list(zip(*data)) if data else [[] for _ in schema.names]
        out[name] = pa.table([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)
    return out
