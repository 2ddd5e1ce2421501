"""ground_truth.json: its keys, and that the truths agree with the data an evaluator sees."""

from __future__ import annotations

import json

import numpy as np

from vaikutus.registry.synthetic.effects import KYKYVIISARI_EFFECT


def test_ground_truth_keys(register):
    truth = json.loads((register.out / "ground_truth.json").read_text())
    assert list(truth) == [
        "model_version",
        "parameters",
        "trial_areas",
        "wage_subsidy",
        "kykyviisari",
    ]
    assert {"areas", "monthly", "start", "end", "definition"} <= set(truth["trial_areas"])
    assert {
        "att_employment",
        "att_earnings_eur",
        "mc_se_employment",
        "mc_se_earnings_eur",
        "continuations_by_k",
        "n_by_k",
        "cate_rule",
        "assignment_model",
        "subgroups",
        "treated",
    } <= set(truth["wage_subsidy"])
    assert len(truth["trial_areas"]["areas"]) == 25
    assert len(truth["wage_subsidy"]["att_employment"]) == 36
    assert "from_unemployment_with_12_months_history" in truth["wage_subsidy"]["subgroups"]


def test_trial_effects_realised_where_injected(register):
    truth = register.ground_truth["trial_areas"]
    multiplier = {a["trial_area"]: a["job_finding_multiplier"] for a in truth["areas"]}
    assert sum(m == 1.0 for m in multiplier.values()) == 8
    pooled = {}
    for kind, chosen in (
        ("faster", lambda m: m > 1),
        ("none", lambda m: m == 1),
        ("slower", lambda m: m < 1),
    ):
        rows = [
            r
            for r in truth["monthly"]
            if chosen(multiplier[r["trial_area"]]) and "2021-03" <= r["month"] <= "2024-12"
        ]
        diff = sum(r["unemployed_factual"] - r["unemployed_counterfactual"] for r in rows)
        pooled[kind] = 100 * diff / sum(r["labour_force"] for r in rows)
    # a person's path differs only if the person met an effect: in no-effect areas just movers
    assert abs(pooled["none"]) < 0.03
    assert pooled["faster"] < -0.05
    assert pooled["slower"] > pooled["faster"]


def test_wage_subsidy_truth_differs_from_naive_comparison(register, db):
    truth = register.ground_truth["wage_subsidy"]
    att = np.array(truth["att_employment"], dtype=float)
    assert truth["pre_entry_paths_identical"]
    assert att[:5].min() > 0.3  # lock-in: the subsidy is a job
    mc_se = np.array(truth["mc_se_employment"], dtype=float)
    assert np.nanmax(mc_se) < 0.008  # the counterfactual is a mean over continuations
    assert np.nanmean(att[12:24]) > 0  # lasting effect through retention and faster job finding
    # naive: employment of the treated k months after entry vs the never-treated jobseekers that month
    naive = {}
    for k in (12, 24):
        naive[k] = db.execute(f"""
            WITH first_ws AS (SELECT henkilotunnus, CAST(date_trunc('month', min(start)) AS DATE) AS m
                              FROM service_spells WHERE service = 'wage_subsidy' AND start >= DATE '2015-01-01'
                              GROUP BY henkilotunnus),
            treated AS (SELECT f.m, e.henkilotunnus IS NOT NULL AS employed FROM first_ws f
                        LEFT JOIN earnings e ON e.henkilotunnus = f.henkilotunnus AND e.month = f.m + INTERVAL {k} MONTH
                        WHERE f.m + INTERVAL {k} MONTH <= DATE '2025-12-01'),
            jobseekers AS (SELECT DISTINCT j.henkilotunnus FROM jobseeker_spells j
                           ANTI JOIN first_ws USING (henkilotunnus) WHERE j.status = 'unemployed'),
            control AS (SELECT e.month, count(*) / (SELECT count(*) FROM jobseekers) AS share
                        FROM jobseekers JOIN earnings e USING (henkilotunnus) GROUP BY e.month)
            SELECT avg(CASE WHEN t.employed THEN 1 ELSE 0 END) - avg(c.share)
            FROM treated t JOIN control c ON c.month = t.m + INTERVAL {k} MONTH""").fetchone()[0]
    assert max(abs(naive[k] - att[k - 1]) for k in naive) > 0.05
    groups = truth["subgroups"]
    assert np.nanmean(
        np.array(groups["long_term_unemployed"]["att_employment"][12:], dtype=float)
    ) > np.nanmean(np.array(groups["not_long_term_unemployed"]["att_employment"][12:], dtype=float))


def test_kykyviisari_effect_visible_in_repeated_scores(register, db):
    truth = register.ground_truth["kykyviisari"]
    assert truth["effect_on_score_total"] == KYKYVIISARI_EFFECT
    assert abs(truth["realised_mean_effect_on_score_total"] - KYKYVIISARI_EFFECT) < 0.1
    # change between consecutive assessments: with a rehabilitative-work start in between vs without
    rows = db.execute("""
        WITH k AS (SELECT henkilotunnus, date, score_total,
                          lag(date) OVER w AS prev_date, lag(score_total) OVER w AS prev_score
                   FROM kykyviisari WINDOW w AS (PARTITION BY henkilotunnus ORDER BY date)),
        r AS (SELECT henkilotunnus, min(start) AS first_rehab FROM service_spells
              WHERE service = 'rehabilitative_work' GROUP BY henkilotunnus)
        SELECT k.score_total - k.prev_score,
               coalesce(r.first_rehab >= k.prev_date AND r.first_rehab < k.date, false)
        FROM k LEFT JOIN r USING (henkilotunnus) WHERE k.prev_date IS NOT NULL""").fetchall()
    change = np.array([r[0] for r in rows])
    started = np.array([r[1] for r in rows])
    estimate = change[started].mean() - change[~started].mean()
    assert started.sum() > 30
    assert abs(estimate - KYKYVIISARI_EFFECT) < 0.4
