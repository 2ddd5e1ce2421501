"""Every indicator against values worked out by hand from the register in ``hand_register.py``.

Counting days: 2022-01-31, 2022-02-28, 2022-03-31 (2021-12-31 for December). Durations follow the
panel: counting day - spell start + 1. Labour force 2022 = the 2020 figures (lag 2):
all 320 + 110 + 90 + 44 + 11 = 575, foreign 40 + 10 + 5 + 2 + 1 = 58, under 25 30 + 12 + 8 + 4 + 1 = 55.

Unemployed on 2022-03-31: P01 (091, since 2021-03-01: 396 days), P02 (091, laid off 2022-01-01
then unemployed: 90), P03 (091, after wage subsidy, since 2022-03-01: 31), P06 (285, since
2021-08-21: 223), P07 (moved to 285 on 03-15, since 2021-10-01: 182), P08 (091, overlapping records
from 2021-09-01: 212), P12 (507, since 2022-01-10: 81) = 7.
In activation services on 2022-03-31: P04 (186, training), P05 (186, coaching), P10 (091, start-up
grant), P11 (091, rehabilitative), P16 (091, integration training + study), P17 (285, alternation
substitute; also 'other') = 6.
"""

from __future__ import annotations

import dataclasses

import pytest

from vaikutus.indicators import IndicatorParameters, catalog
from vaikutus.indicators.compute import compute_result

C, M = "country", "municipality"

# (indicator, area_type, area_code, period): value
EXPECTED = {
    # 1-3: shares of the labour force
    ("unemployment_share", C, "SSS", "2022-03"): 7 / 575 * 100,
    ("unemployment_share", M, "507", "2022-03"): 1 / (44 + 11) * 100,  # P12; Pertunmaa's labour force in 507
    ("unemployment_share", M, "091", "2021-12"): 4 / 300 * 100,  # P01 P08 P10 P16; 2021 uses 2019
    ("unemployment_share", C, "SSS", "2022-Q1"): (10 + 11 + 7) / 3 / 575 * 100,  # mean stock / labour force
    ("unemployment_share", "trial_group", "trial", "2022-03"): (4 + 1) / (320 + 44 + 11) * 100,  # 091 + 507
    ("unemployment_share_foreign", C, "SSS", "2022-03"): 1 / 58 * 100,  # P02
    ("unemployment_share_foreign", C, "SSS", "2022-02"): 2 / 58 * 100,  # P02 (other), P09 (EU)
    ("unemployment_share_under25", C, "SSS", "2022-03"): 1 / 55 * 100,  # P02 (22)
    ("unemployment_share_under25", C, "SSS", "2022-02"): 2 / 55 * 100,  # P02, P13 (23)
    # 4: ended searches (area = municipality in the month of the end)
    ("ended_searches", C, "SSS", "2022-03"): 5,  # P09 P13 P14 P18 P19
    ("ended_searches", M, "285", "2022-03"): 2,  # P09 moved abroad, P13 subsidised job
    ("ended_searches", C, "SSS", "2022-Q2"): 2,  # P08 (April), P02 (May)
    ("ended_searches", C, "SSS", "2022"): 7,
    ("ended_searches_open_market_job", M, "091", "2022-05"): 1,  # P02
    ("ended_searches_subsidised_job", C, "SSS", "2022-03"): 1,  # P13
    ("ended_searches_entrepreneur", M, "091", "2022-03"): 1,  # P18
    ("ended_searches_education", M, "091", "2022-04"): 1,  # P08
    ("ended_searches_outside_labour_force", M, "091", "2022-03"): 1,  # P14
    ("ended_searches_moved_abroad", M, "285", "2022-03"): 1,  # P09
    ("ended_searches_other_unknown", M, "507", "2022-03"): 1,  # P19
    ("ended_searches_work_or_study", C, "SSS", "2022-03"): 2,  # subsidised + entrepreneur
    ("ended_searches_work_or_study", C, "SSS", "2022"): 4,  # + open-market (May) + education (April)
    # 5: duration of continuing spells on the counting day
    ("unemployment_duration_mean_days", C, "SSS", "2022-03"): (396 + 90 + 31 + 223 + 182 + 212 + 81) / 7,
    ("unemployment_duration_mean_days", M, "285", "2022-03"): (223 + 182) / 2,
    ("unemployment_duration_mean_weeks", C, "SSS", "2022-03"): 1215 / 7 / 7,
    ("unemployment_duration_median_days", C, "SSS", "2022-03"): 182,  # 31 81 90 [182] 212 223 396
    ("unemployment_duration_median_days", M, "091", "2022-03"): (90 + 212) / 2,  # 31 90 212 396
    # 6: unemployed at month end (laid-off included, short-week lay-off P15 not)
    ("unemployed", C, "SSS", "2022-01"): 10,  # P01 P02(laid off) P06 P07 P08 P09 P10 P12 P17 P20
    ("unemployed", C, "SSS", "2022-02"): 11,  # P01 P02 P06 P07 P08 P09 P10 P12 P13 P18 P20
    ("unemployed", C, "SSS", "2022-03"): 7,
    ("unemployed", C, "SSS", "2022-Q1"): 28 / 3,  # average of the month-end stocks
    ("unemployed", M, "091", "2022-01"): 4,  # P01 P02 P08 P10
    ("unemployed", M, "507", "2022-02"): 2,  # P07 (Pertunmaa -> 507), P12
    ("unemployed", M, "285", "2022-03"): 2,  # P06, P07 after the move
    ("unemployed", "region", "01", "2022-03"): 4,  # 091 (4) + 186 (0)
    ("unemployed", "employment_area", "23", "2022-03"): 1,
    ("unemployed", "trial_area", "T08", "2022-03"): 4,
    ("unemployed", "trial_group", "non_trial", "2022-03"): 2,  # 186 + 285
    # 7: extended unemployment = unemployed or in an activation service
    ("extended_unemployment", C, "SSS", "2022-03"): 7 + 6,
    # 8: long-term and structural unemployment
    ("long_term_unemployed", M, "091", "2022-01"): 0,  # P01: 337 days
    ("long_term_unemployed", M, "091", "2022-02"): 1,  # P01: 365 days exactly
    ("long_term_unemployed", M, "285", "2022-01"): 1,  # P17: 396 days
    ("long_term_unemployed", C, "SSS", "2022-03"): 1,
    ("structural_unemployment", C, "SSS", "2022-03"): 4,  # P01 + P06 + P03 + P05
    ("structural_unemployment_comparable", M, "285", "2022-03"): 1,  # P06: 209 + 223 = 432 days in 16 months
    ("structural_unemployment_after_services", M, "091", "2022-03"): 1,  # P03: wage subsidy ended 02-28
    ("structural_unemployment_service_to_service", M, "186", "2022-03"): 1,  # P05: work trial -> coaching
    # 9-11: flows (cohort k months earlier; area where the spell began)
    ("flow_over_3m", C, "SSS", "2022-03"): 1 / 2 * 100,  # Dec cohort: P09 ends 03-30 < 03-31; P20 passes 03-15
    ("flow_over_3m", M, "091", "2022-02"): 100,  # P10: 2021-11-30 + 3 months = 2022-02-28 = its end
    ("flow_over_3m", M, "507", "2022-01"): 100,  # P07 began in Pertunmaa
    ("flow_over_3m", C, "SSS", "2022-Q1"): 3 / 4 * 100,  # cohorts Oct-Dec: P07 P10 P20 pass, P09 not
    ("flow_over_3m_line_1", C, "SSS", "2022-03"): 100,  # P20
    ("flow_over_3m_line_2", C, "SSS", "2022-02"): 100,  # P10
    ("flow_over_3m_line_3", C, "SSS", "2022-03"): 0,  # P09
    ("flow_over_6m", C, "SSS", "2022-03"): 100,  # P08, its overlapping records one spell to 04-30
    ("flow_over_6m_line_1", C, "SSS", "2022-04"): 100,  # P07
    ("flow_over_6m_line_2", C, "SSS", "2022-Q2"): 0,  # Oct-Dec 2021 cohorts on line 2: P10, ended 02-28
    ("flow_over_6m_line_3", C, "SSS", "2022-06"): 0,  # Dec cohort line 3: P09 ended 03-30
    ("flow_over_12m", C, "SSS", "2022-01"): 1 / 2 * 100,  # Jan 2021 cohort: P06 (ended July) no, P17 yes
    ("flow_over_12m", C, "SSS", "2022"): 4 / 12 * 100,  # 2021 cohorts: P17 P01 P06(2nd) P07 pass
    ("flow_over_12m_line_1", C, "SSS", "2022-03"): 100,  # P01
    ("flow_over_12m_line_2", C, "SSS", "2022-06"): 0,  # P03's first spell ended 2021-11-30
    ("flow_over_12m_line_3", C, "SSS", "2022-01"): 1 / 2 * 100,
    # 12-14: activation and services
    ("activation_rate", C, "SSS", "2022-03"): 6 / 13 * 100,
    ("activation_rate", C, "SSS", "2022-02"): 6 / (11 + 6) * 100,  # P03 P04 P05 P11 P16 P17 in services
    ("activation_rate_ltu", C, "SSS", "2022-03"): 3 / (1 + 3) * 100,  # P04 P11 P17 entered after >= 365 days
    ("in_service_total", C, "SSS", "2022-03"): 6,
    ("in_service_wage_subsidy", C, "SSS", "2022-02"): 1,  # P03
    ("in_service_labour_market_training", M, "186", "2022-03"): 1,
    ("in_service_self_motivated_study", M, "091", "2022-03"): 1,
    ("in_service_work_trial", C, "SSS", "2022-01"): 1,  # P05 to 01-31
    ("in_service_coaching", C, "SSS", "2022-03"): 1,
    ("in_service_rehabilitative_work", C, "SSS", "2022-03"): 1,
    ("in_service_start_up_grant", C, "SSS", "2022-03"): 1,
    ("in_service_job_alternation_substitute", M, "285", "2022-03"): 1,
    ("in_service_integration_training", C, "SSS", "2022-03"): 1,
    ("in_service_other", C, "SSS", "2022-03"): 1,
    # 15-16: job offers and introductions
    ("job_offers", C, "SSS", "2022-03"): 5,
    ("job_offers_persons", C, "SSS", "2022-03"): 4,  # P01 (twice) P02 P06 P08
    ("job_offers_persons", M, "091", "2022-03"): 3,
    ("job_offers_vacancies", C, "SSS", "2022-03"): 3,  # V1 V2 V3 (V3 also in 285)
    ("job_offers_vacancies", M, "285", "2022-03"): 1,
    ("job_offers_hired", C, "SSS", "2022-03"): 1,
    ("job_offers_hired_share", C, "SSS", "2022-03"): 1 / 5 * 100,
    ("introductions", M, "507", "2022-02"): 1,  # P07 in Pertunmaa
    ("introductions", C, "SSS", "2022-Q1"): 3,
    ("introductions_persons", C, "SSS", "2022-Q1"): 3,
    ("introductions_vacancies", C, "SSS", "2022-Q1"): 3,
    ("introductions_hired", C, "SSS", "2022-03"): 2,
    ("introductions_hired_share", C, "SSS", "2022-Q1"): 2 / 3 * 100,
    # 17: caseload per expert (E1: 3, E2: 1 in area 8; E3: 2 in area 14)
    ("caseload_mean", "employment_area", "8", "2022-03"): 4 / 2,
    ("caseload_mean", C, "SSS", "2022-06"): 3 / 2,  # E1: P01 P03; E3: P04
    ("caseload_median", "employment_area", "8", "2022-03"): 2,
    ("caseload_p90", "employment_area", "8", "2022-03"): 1 + 0.9 * (3 - 1),
    ("caseload_p90", C, "SSS", "2022-03"): 2 + 0.8 * (3 - 2),  # sorted 1 2 3, position 1.8
    # 18: plans
    ("plans_up_to_date_share", C, "SSS", "2022-03"): 3 / 7 * 100,  # P01 P03 (due 03-31) P12
    ("plans_up_to_date_share", M, "091", "2022-03"): 2 / 4 * 100,
    ("plans_up_to_date_share", C, "SSS", "2022-02"): 4 / 11 * 100,  # P01 P06 (due 02-28) P08 P12
    ("plan_debt", C, "SSS", "2022-03"): 4,  # P02 P06 P07 P08
    # 19: Kela benefits by home municipality at month end
    ("benefit_recipients_total", C, "SSS", "2022-03"): 4,
    ("benefit_recipients_total", M, "285", "2022-03"): 2,  # P06, P07 (moved 03-15)
    ("benefit_recipients_total", C, "SSS", "2022-Q1"): (0 + 1 + 4) / 3,
    ("benefit_recipients_labour_market_subsidy", C, "SSS", "2022-03"): 1,
    ("benefit_recipients_basic_allowance", M, "285", "2022-03"): 1,
    ("benefit_recipients_earnings_related", M, "091", "2022-03"): 1,
    ("benefit_recipients_social_assistance", M, "507", "2022-02"): 1,  # P07 living in Pertunmaa
    ("benefit_recipients_housing_allowance", C, "SSS", "2022-03"): 1,
    ("benefits_paid_total", C, "SSS", "2022-03"): 700 + 1200 + 600 + 250 + 300,
    ("benefits_paid_total", M, "091", "2022-03"): 700 + 1200,
    ("benefits_paid_total", C, "SSS", "2022-Q1"): 300 + 3050,
    ("benefits_paid_labour_market_subsidy", C, "SSS", "2022-03"): 700,
    ("benefits_paid_basic_allowance", C, "SSS", "2022-03"): 600,
    ("benefits_paid_earnings_related", C, "SSS", "2022-03"): 1200,
    ("benefits_paid_social_assistance", M, "285", "2022-03"): 300,
    ("benefits_paid_housing_allowance", C, "SSS", "2022-03"): 250,
    # 20: satisfaction
    ("satisfaction_mean_jobseeker", C, "SSS", "2022-03"): (4 + 5 + 3 + 5) / 4,
    ("satisfaction_mean_jobseeker", M, "507", "2022-03"): 5,  # answered in Pertunmaa
    ("satisfaction_mean_employer", M, "091", "2022-03"): 2,
    # 21: Kykyviisari, change since the previous assessment
    ("kykyviisari_change_mean", C, "SSS", "2022-03"): (1.5 - 1.0) / 2,
    ("kykyviisari_change_mean", M, "285", "2022-03"): 1.5,  # P07, home in Kotka at month end
    ("kykyviisari_change_mean", M, "091", "2022-06"): 8.0 - 6.0,
    ("kykyviisari_improved_share", C, "SSS", "2022-03"): 1 / 2 * 100,
}

NUMERATOR_DENOMINATOR = {
    ("unemployment_share", C, "SSS", "2022-03"): (7, 575),
    ("unemployment_share", C, "SSS", "2022-Q1"): (28 / 3, 575),
    ("flow_over_3m", C, "SSS", "2022-Q1"): (3, 4),
    ("flow_over_12m", C, "SSS", "2022"): (4, 12),
    ("unemployment_duration_median_days", C, "SSS", "2022-03"): (None, 7),
    ("caseload_mean", C, "SSS", "2022-03"): (6, 3),
}


@pytest.fixture(scope="module")
def result(hand_result):
    return hand_result


@pytest.fixture(scope="module")
def internal(result):
    return result.internal.set_index(["indicator", "area_type", "area_code", "period"]).sort_index()


def test_every_indicator_has_a_hand_computed_value():
    ids = {d.id for d in catalog()}
    assert ids == {key[0] for key in EXPECTED}


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: "/".join(k))
def test_value(internal, key):
    assert internal.loc[key, "value"] == pytest.approx(EXPECTED[key], abs=1e-9)


@pytest.mark.parametrize("key", list(NUMERATOR_DENOMINATOR), ids=lambda k: "/".join(k))
def test_numerator_and_denominator(internal, key):
    num, den = NUMERATOR_DENOMINATOR[key]
    row = internal.loc[key]
    assert (row.numerator != row.numerator) if num is None else row.numerator == pytest.approx(num)
    assert row.denominator == pytest.approx(den)


def test_levels_add_up(internal):
    """Counts: every higher area is the sum of its municipalities (the subset 091 186 285 507)."""
    u = internal.xs(("unemployed", "2022-02"), level=("indicator", "period"))["value"]
    munis = u.xs("municipality", level="area_type")
    assert u[("country", "SSS")] == munis.sum() == 11
    assert u[("region", "01")] == munis["091"] + munis["186"]
    assert u[("trial_group", "trial")] == munis["091"] + munis["507"]


def test_caseloads_only_for_employment_areas_and_country(internal):
    levels = set(internal.xs("caseload_mean", level="indicator").index.get_level_values("area_type"))
    assert levels == {"employment_area", "country"}


def test_periods_without_data_are_left_out(internal):
    """Flows need a cohort: months whose cohort precedes the window (2021-01..03 for 3 months)
    are not published at all, and 3-month flows have no annual figure."""
    periods = set(internal.xs("flow_over_3m", level="indicator").index.get_level_values("period"))
    assert "2021-03" not in periods and "2021-04" in periods
    quarters = {p for p in periods if "Q" in p}
    assert "2021-Q1" not in quarters and "2021-Q2" in quarters
    assert not any(len(p) == 4 for p in periods)  # 3-month flows: no annual figure


def test_zero_denominator_is_not_available(internal):
    """Employer satisfaction in 186 in March: no answers -> value missing, flag not_available."""
    row = internal.loc[("satisfaction_mean_employer", M, "186", "2022-03")]
    assert row.value != row.value and row.flag == "not_available"


def _with(warehouse, areas, **changes):
    params = dataclasses.replace(IndicatorParameters(), **changes)
    frame = compute_result(warehouse, public=False, params=params, areas=areas).internal
    return frame.set_index(["indicator", "area_type", "area_code", "period"])["value"]


def test_parameters_change_what_they_should(warehouse, areas):
    """One run with every [K] rule switched; each value worked out by hand."""
    v = _with(
        warehouse, areas,
        flow_rule="month_end", start_up_grant_in_activation=False, labour_force_lag_years=0,
        kykyviisari_baseline="first", max_plan_age_days=30, min_break_days=0,
    )
    # month_end: P20 (ended 03-20) is gone on 2022-03-31; P10 (ended 02-28) still there on 02-28
    assert v[("flow_over_3m", C, "SSS", "2022-03")] == 0
    assert v[("flow_over_3m", C, "SSS", "2022-02")] == 100
    # without the start-up grant P10 is neither activated nor in extended unemployment: 5 / (7 + 5)
    assert v[("activation_rate", C, "SSS", "2022-03")] == pytest.approx(5 / 12 * 100)
    assert v[("extended_unemployment", C, "SSS", "2022-03")] == 12
    # lag 0: 2021 uses the latest year up to 2021, i.e. 2020 (320 in Helsinki)
    assert v[("unemployment_share", M, "091", "2021-12")] == pytest.approx(4 / 320 * 100)
    # change since the first assessment: P01 8.0 - 7.0
    assert v[("kykyviisari_change_mean", M, "091", "2022-06")] == pytest.approx(1.0)
    # plans older than 30 days: only P03's (made 03-01) counts
    assert v[("plans_up_to_date_share", C, "SSS", "2022-03")] == pytest.approx(1 / 7 * 100)
    # min_break_days 0: P02's lay-off and unemployment are two spells, the January one ends
    # 02-15 before passing 3 months; P12 passes -> 1 / 2
    assert v[("flow_over_3m", C, "SSS", "2022-04")] == pytest.approx(50)
