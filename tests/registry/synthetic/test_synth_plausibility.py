"""Does the synthetic country look like Finland? Levels, cycle, durations, services, money."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from vaikutus.registry.synthetic.geography import build_geography

UNEMPLOYED_AT_MONTH_END = """
    WITH months AS (SELECT unnest(generate_series(DATE '2015-01-31', DATE '2025-12-31', INTERVAL 1 MONTH)) AS d),
    ends AS (SELECT last_day(d) AS day FROM months)
    SELECT e.day, count(*) FILTER (WHERE status IN ('unemployed', 'laid_off_full')) AS unemployed,
           count(*) FILTER (WHERE status = 'laid_off_full') AS laid_off,
           count(*) FILTER (WHERE status = 'in_service') AS in_service
    FROM ends e JOIN jobseeker_spells j ON j.start <= e.day AND coalesce(j."end", e.day) >= e.day
    GROUP BY e.day ORDER BY e.day"""


@pytest.fixture(scope="module")
def stocks(db):
    rows = db.execute(UNEMPLOYED_AT_MONTH_END).fetchall()
    return {str(r[0])[:7]: r[1:] for r in rows}


def test_national_unemployed_share_near_calibration(db, stocks):
    lf = dict(
        db.execute(
            "SELECT year, sum(persons) FROM labour_force WHERE \"group\" = 'all' GROUP BY year"
        ).fetchall()
    )
    shares = [100 * stocks[m][0] / lf[int(m[:4])] for m in stocks if m >= "2024-01"]
    target = build_geography().national_target_share()
    assert abs(np.mean(shares) - target) < 2.0  # small sample; the slow test is tighter


def test_cycle_peaks_and_2020_shock(stocks):
    assert stocks["2020-04"][0] > 1.2 * stocks["2020-02"][0]
    assert stocks["2020-04"][1] > 4 * max(stocks["2020-02"][1], 1)
    mean = {
        y: np.mean([v[0] for m, v in stocks.items() if m.startswith(y)])
        for y in ("2015", "2019", "2025")
    }
    assert mean["2019"] < 0.9 * mean["2015"] and mean["2019"] < 0.9 * mean["2025"]


def test_activation_rate_plausible(stocks):
    rates = [v[2] / (v[0] + v[2]) for v in stocks.values()]
    assert 0.15 < np.mean(rates) < 0.35


def test_exit_hazard_to_jobs_falls_with_unemployment_duration(db):
    # continuous unemployment runs (unemployed / fully laid off spells back to back) started in the
    # window; a run exits to a job when the job search ends that day into an open-market job
    runs = db.execute("""
        WITH u AS (
          SELECT henkilotunnus, start, coalesce("end", DATE '2025-12-31') AS e,
                 CASE WHEN start - 1 = lag(coalesce("end", DATE '2025-12-31')) OVER w THEN 0 ELSE 1 END AS new_run
          FROM jobseeker_spells WHERE status IN ('unemployed', 'laid_off_full')
          WINDOW w AS (PARTITION BY henkilotunnus ORDER BY start)),
        r AS (SELECT *, sum(new_run) OVER (PARTITION BY henkilotunnus ORDER BY start) AS run FROM u),
        runs AS (SELECT henkilotunnus, min(start) AS s, max(e) AS e FROM r GROUP BY henkilotunnus, run
                 HAVING min(start) >= DATE '2016-01-01' AND min(start) < DATE '2023-01-01')
        SELECT runs.e - runs.s + 1, x.henkilotunnus IS NOT NULL FROM runs LEFT JOIN search_ends x
          ON x.henkilotunnus = runs.henkilotunnus AND x.date = runs.e AND x.destination = 'open_market_job'
        """).fetchall()
    months = np.array([r[0] for r in runs]) / 30.44
    to_job = np.array([r[1] for r in runs])

    def hazard(lo, hi):
        at_risk = months >= lo
        return ((months < hi) & at_risk & to_job).sum() / at_risk.sum() / (hi - lo)

    assert hazard(0, 3) > 2 * hazard(12, 24) > 0


def test_service_mix(db):
    starts = dict(
        db.execute("""SELECT service, count(*) FROM service_spells
                                WHERE start >= DATE '2015-01-01' GROUP BY service""").fetchall()
    )
    total = sum(starts.values())
    share = {k: v / total for k, v in starts.items()}
    assert share["wage_subsidy"] == max(share.values()) or share["wage_subsidy"] > 0.15
    for service, (lo, hi) in {
        "wage_subsidy": (0.12, 0.35),
        "labour_market_training": (0.08, 0.3),
        "coaching": (0.05, 0.3),
        "rehabilitative_work": (0.03, 0.2),
        "work_trial": (0.03, 0.15),
        "start_up_grant": (0.005, 0.05),
        "job_alternation_substitute": (0.0, 0.03),
    }.items():
        assert lo <= share.get(service, 0) <= hi, (service, share.get(service))
    # integration training is for foreigners
    non_foreign = db.execute("""SELECT count(*) FROM service_spells s JOIN persons p USING (henkilotunnus)
        WHERE s.service = 'integration_training' AND p.citizenship = 'FI' AND p.native_language <> 'other'""").fetchone()[
        0
    ]
    assert non_foreign == 0


def test_money_follows_status(db):
    unemployed_paid = db.execute("""
        SELECT avg(CASE WHEN b.henkilotunnus IS NULL THEN 0 ELSE 1 END) FROM jobseeker_spells j
        LEFT JOIN (SELECT DISTINCT henkilotunnus, month FROM benefits WHERE benefit IN
                   ('labour_market_subsidy','basic_allowance','earnings_related')) b
          ON b.henkilotunnus = j.henkilotunnus AND b.month = CAST(date_trunc('month', j.start + 40) AS DATE)
        WHERE j.status = 'unemployed' AND coalesce(j."end", DATE '2025-12-31') - j.start > 70
          AND j.start >= DATE '2015-01-01' AND j.start < DATE '2025-10-01'""").fetchone()[0]
    assert unemployed_paid > 0.95
    earnings_of_unemployed = db.execute("""
        WITH s AS (SELECT *, CAST(date_trunc('month', start + 40) AS DATE) AS m FROM jobseeker_spells
                   WHERE status = 'unemployed')
        SELECT avg(coalesce(e.earnings_eur, 0)) FROM s
        LEFT JOIN earnings e ON e.henkilotunnus = s.henkilotunnus AND e.month = s.m
        WHERE s.start < s.m AND coalesce(s."end", DATE '2025-12-31') >= last_day(s.m)""").fetchone()[
        0
    ]
    mean_earnings = db.execute(
        "SELECT avg(earnings_eur) FROM earnings WHERE month >= DATE '2024-01-01'"
    ).fetchone()[0]
    assert earnings_of_unemployed < 100 and 2500 < mean_earnings < 5000
    kinds = dict(db.execute("SELECT benefit, count(*) FROM benefits GROUP BY benefit").fetchall())
    assert (
        kinds["labour_market_subsidy"] > kinds["basic_allowance"] > 0
        and kinds["earnings_related"] > 0
    )


def test_administrative_records(db):
    # pools are sized for ~150 clients an expert; small areas of a small sample get one expert
    clients = db.execute("""
        WITH d AS (SELECT DATE '2023-06-30' AS day)
        SELECT count(*) / count(DISTINCT expert_id) FROM caseloads, d
        WHERE start <= day AND coalesce("end", day) >= day AND expert_id LIKE '%-T08-%'""").fetchone()[
        0
    ]
    assert 60 < clients < 250
    hired_share = dict(
        db.execute("""
        SELECT outcome, count(*) FROM job_offers GROUP BY outcome""").fetchall()
    )
    assert 0 < hired_share["hired"] < hired_share["not_hired"]
    overdue = db.execute("""
        SELECT avg(CASE WHEN review_due < DATE '2023-06-30' THEN 1 ELSE 0 END) FROM (
          SELECT henkilotunnus, max(review_due) AS review_due FROM plans WHERE made <= DATE '2023-06-30'
          GROUP BY henkilotunnus) p JOIN jobseeker_spells j USING (henkilotunnus)
        WHERE j.status = 'unemployed' AND j.start <= DATE '2023-06-30'
          AND coalesce(j."end", DATE '2025-12-31') >= DATE '2023-06-30'""").fetchone()[0]
    assert 0.02 < overdue < 0.5
    scores = db.execute(
        "SELECT avg(score), count(DISTINCT respondent) FROM satisfaction"
    ).fetchone()
    assert 3.0 < scores[0] < 4.6 and scores[1] == 2


@pytest.mark.slow
def test_municipal_shares_match_statfin():
    """At 150 000 persons the map of unemployment matches 12r5 TYOTOSUUS (simulation only)."""
    from vaikutus.registry.synthetic import states as S
    from vaikutus.registry.synthetic.effects import TrialEffects
    from vaikutus.registry.synthetic.population import draw_population
    from vaikutus.registry.synthetic.simulate import simulate
    from vaikutus.registry.synthetic.timeline import Timeline

    tl, geo = Timeline.build("2015-01", "2025-12"), build_geography()
    pop = draw_population(150_000, tl, geo, np.random.default_rng(1))
    with ThreadPoolExecutor(max_workers=1) as pool:
        sim = simulate(pop, tl, geo, TrialEffects.draw(geo, np.random.default_rng(2)), 3, pool)
    state = sim.factual.rec.state
    unemployed, labour_force = np.zeros(geo.n), np.zeros(geo.n)
    for t in np.flatnonzero(tl.year >= 2024):
        home = pop.municipality_at(t)
        unemployed += np.bincount(home[S.UNEMPLOYED[state[t]]], minlength=geo.n)
        labour_force += np.bincount(home[S.LABOUR_FORCE[state[t]]], minlength=geo.n)
    share = 100 * unemployed / np.maximum(labour_force, 1)
    assert abs(100 * unemployed.sum() / labour_force.sum() - geo.national_target_share()) < 1.0
    w = geo.labour_force
    a = share - np.average(share, weights=w)
    b = geo.target_share - np.average(geo.target_share, weights=w)
    corr = np.average(a * b, weights=w) / np.sqrt(
        np.average(a * a, weights=w) * np.average(b * b, weights=w)
    )
    assert corr > 0.9
