"""``ground_truth.json``: the injected effects and what they did, from the counterfactual runs.

Realised effects compare the factual world with a world that differs only in the effect, simulated
with the same random numbers (``simulate.py``), so they are the effects on *these* persons, free of
sampling noise in the comparison:

* trial areas: counting-day unemployed of each area in both worlds and the difference as
  percentage points of the area's synthetic labour force (year-end count of the month's year, the
  ``labour_force`` table); means over the trial months in the window;
* wage subsidy: for the persons whose first wage-subsidy spell in the window starts in month
  ``e``, the average over treated persons of outcome(e + k) in the factual world minus in the
  world where that entry did not happen, k = 1..36 months (ATT by months since entry), overall
  and by the covariates the effect depends on.
"""

from __future__ import annotations

import numpy as np

from vaikutus.registry import codes
from vaikutus.registry.synthetic.effects import (
    KYKYVIISARI_EFFECT,
    KYKYVIISARI_SERVICE,
    NO_EFFECT_SHARE,
    WAGE_SUBSIDY_ASSIGNMENT,
    WAGE_SUBSIDY_EFFECT,
    TrialEffects,
)
from vaikutus.registry.synthetic.geography import Geography
from vaikutus.registry.synthetic.population import Population
from vaikutus.registry.synthetic.process import Process
from vaikutus.registry.synthetic.simulate import Simulation
from vaikutus.registry.synthetic.timeline import TRIAL_END, TRIAL_START, Timeline

HORIZON_MONTHS = 36


def _month_label(tl: Timeline, t: int) -> str:
    return str(tl.months[t])


def trial_truth(
    sim: Simulation,
    trial: TrialEffects,
    geo: Geography,
    tl: Timeline,
    labour_force: dict[int, np.ndarray],
) -> dict:
    cf = sim.trial
    n_areas = len(geo.trial_area_codes)
    members = np.bincount(geo.trial_area[geo.trial_area >= 0], minlength=n_areas)
    area_lf = {
        year: np.bincount(
            geo.trial_area[geo.trial_area >= 0],
            weights=table[0][geo.trial_area >= 0],
            minlength=n_areas,
        )
        for year, table in labour_force.items()
    }
    last_trial = tl.index_of(TRIAL_END)
    monthly, effects = [], [[] for _ in range(n_areas)]
    for row, t in enumerate(cf.months):
        if t < tl.window_start:
            continue
        year = int(tl.year[t])
        lf = area_lf.get(year)
        for a in range(n_areas):
            diff = int(cf.factual[row, a] - cf.counterfactual[row, a])
            pp = 100.0 * diff / lf[a] if lf is not None and lf[a] > 0 else None
            monthly.append(
                {
                    "trial_area": geo.trial_area_codes[a],
                    "month": _month_label(tl, t),
                    "unemployed_factual": int(cf.factual[row, a]),
                    "unemployed_counterfactual": int(cf.counterfactual[row, a]),
                    "labour_force": int(lf[a]) if lf is not None else None,
                    "effect_pp": None if pp is None else round(pp, 5),
                }
            )
            if t <= last_trial and pp is not None:
                effects[a].append(pp)
    areas = [
        {
            "trial_area": code,
            "name": geo.trial_area_names[a],
            "municipalities": int(members[a]),
            "job_finding_multiplier": round(float(trial.multiplier[a]), 3),
            "no_effect": bool(trial.multiplier[a] == 1.0),
            "realised_effect_pp_mean": round(float(np.mean(effects[a])), 5) if effects[a] else None,
            "months_in_mean": len(effects[a]),
        }
        for a, code in enumerate(geo.trial_area_codes)
    ]
    return {
        "definition": (
            "From the trial start to its end each trial area multiplies the monthly exit rate from "
            "unemployment to employment of its target group (under 30, foreign citizen or "
            "foreign-language, or not an unemployment-fund member) living in the area by "
            "job_finding_multiplier. effect_pp = (unemployed on the counting day with the effect - "
            "without it) / year-end synthetic labour force of the area x 100, from a re-simulation "
            "with the same random numbers; negative = fewer unemployed. realised_effect_pp_mean "
            "averages effect_pp over the trial months inside the window."
        ),
        "start": TRIAL_START.isoformat(),
        "end": TRIAL_END.isoformat(),
        "no_effect_share": NO_EFFECT_SHARE,
        "counting_day": "last_working_day",
        "areas": areas,
        "monthly": monthly,
    }


def _att(
    factual: np.ndarray, counterfactual: np.ndarray, entry: np.ndarray, horizon: int, last: int
) -> tuple[list, list]:
    """Mean over treated of factual - counterfactual outcome in month entry + k, k = 1..horizon."""
    att, n = [], []
    rows = np.arange(factual.shape[1])
    for k in range(1, horizon + 1):
        ok = entry + k <= last
        if not ok.any():
            att.append(None)
            n.append(0)
            continue
        t = entry[ok] + k
        diff = factual[t, rows[ok]].astype(np.float64) - counterfactual[t, rows[ok]]
        att.append(round(float(diff.mean()), 6))
        n.append(int(ok.sum()))
    return att, n


def wage_subsidy_truth(factual: Process, blocked: Process, pop: Population, tl: Timeline) -> dict:
    treated = blocked.person
    entry = factual.first_ws[treated].astype(np.int64)
    factual_earnings = factual.rec.earnings[:, treated]
    cf_earnings = blocked.rec.earnings
    before = np.arange(tl.n)[:, None] < entry[None, :]
    same_before = bool((factual.rec.state[:, treated] == blocked.rec.state)[before].all())
    if not same_before:
        raise AssertionError("the no-subsidy world diverged before the blocked entry")
    last = tl.n - 1
    employment = _att(factual_earnings > 0, cf_earnings > 0, entry, HORIZON_MONTHS, last)
    earnings = _att(factual_earnings, cf_earnings, entry, HORIZON_MONTHS, last)
    age = tl.year[entry] - pop.birth_year[treated]
    ltu = factual.first_ws_ltu[treated]
    groups = {
        "long_term_unemployed": ltu,
        "not_long_term_unemployed": ~ltu,
        "education_isced_0_2": pop.education[treated] <= 2,
        "education_isced_3_plus": pop.education[treated] > 2,
        "age_55_plus": age >= 55,
        "age_under_55": age < 55,
    }
    subgroups = {}
    for name, mask in groups.items():
        idx = np.flatnonzero(mask)
        emp = _att(
            factual_earnings[:, idx] > 0, cf_earnings[:, idx] > 0, entry[idx], HORIZON_MONTHS, last
        )
        earn = _att(factual_earnings[:, idx], cf_earnings[:, idx], entry[idx], HORIZON_MONTHS, last)
        subgroups[name] = {
            "treated": int(len(idx)),
            "att_employment": emp[0],
            "att_earnings_eur": earn[0],
        }
    entries_per_month = np.bincount(entry - tl.window_start, minlength=tl.n - tl.window_start)
    return {
        "definition": (
            "Treated: persons whose first wage_subsidy spell starting in the window starts in month e "
            "(treated_entries_by_month). Counterfactual: the same persons re-simulated with the same "
            "random numbers but without that entry (they stay unemployed that month and may enter a "
            "wage subsidy later: treatment now versus not now). att_employment[k-1] = share with "
            "earnings > 0 in calendar month e + k minus the same share in the counterfactual, "
            "att_earnings_eur[k-1] = difference in mean monthly earnings (zeros included), k = 1..36, "
            "over the treated observed in month e + k (n_by_k). Subsidised wages count as earnings."
        ),
        "service": "wage_subsidy",
        "treated": int(len(treated)),
        "treated_entries_by_month": {
            _month_label(tl, tl.window_start + i): int(c)
            for i, c in enumerate(entries_per_month)
            if c
        },
        "assignment_model": {
            "description": (
                "Monthly probability that an unemployed person enters a wage subsidy = "
                "base_probability x the factor of each listed covariate (no unobserved variable). "
                "elapsed_unemployment_months = full calendar months between the month the continuing "
                "unemployment began and the current month; earnings and services are counted by "
                "month. Wage subsidies also follow some work trials (15 % of completed trials)."
            ),
            **WAGE_SUBSIDY_ASSIGNMENT,
        },
        "cate_rule": {
            "description": (
                "Effect terms are linear in indicators measured at entry (long_term_unemployed: "
                "at least 12 elapsed months of unemployment; education_isced_0_2; age_55_plus). "
                "retention_probability_at_end: chance of staying employed when the subsidy ends "
                "(the search then ends as subsidised_job); job_finding_rate_multiplier_after_end "
                "multiplies the exit rate to jobs for job_finding_effect_months after the end; "
                "earnings_multiplier_after_end multiplies earnings for earnings_effect_months."
            ),
            **WAGE_SUBSIDY_EFFECT,
        },
        "pre_entry_paths_identical": same_before,
        "att_employment": employment[0],
        "att_earnings_eur": earnings[0],
        "n_by_k": employment[1],
        "subgroups": subgroups,
    }


def kykyviisari_truth(realised: dict) -> dict:
    return {
        "definition": (
            f"An assessment dated after the start of the person's first {KYKYVIISARI_SERVICE} spell "
            f"has score_total raised by {KYKYVIISARI_EFFECT} points (each dimension likewise, before "
            "clipping to 0-10); assessments of other services' clients are unaffected. The first "
            "assessment of a spell is at most 14 days before its start, so it is a baseline."
        ),
        "service": KYKYVIISARI_SERVICE,
        "effect_on_score_total": KYKYVIISARI_EFFECT,
        "effect_of_other_services": {s: 0.0 for s in codes.SERVICES if s != KYKYVIISARI_SERVICE},
        **realised,
    }
