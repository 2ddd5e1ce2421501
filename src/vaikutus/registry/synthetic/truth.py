"""``ground_truth.json``: the injected effects and what they did, from the counterfactual runs.

Realised effects compare the factual world with a world that differs only in the effect, simulated
with the same random numbers (``simulate.py``), so they are the effects on *these* persons, free of
sampling noise in the comparison of the two worlds:

* trial areas: counting-day unemployed of each area in both worlds and the difference as
  percentage points of the area's synthetic labour force (year-end count of the month's year, the
  ``labour_force`` table); means over the trial months in the window;
* wage subsidy (Sianesi's "entering now versus not now"): for the persons whose first
  wage-subsidy spell in the window starts in month ``e``, the average over them of the factual
  outcome in month e + k minus the person's *expected* outcome without that entry - in month
  ``e`` the transition of someone who did not enter, then the process as usual, a later entry
  included - averaged over the continuations of ``nosubsidy.py`` (k = 1..36; ATT by months since
  entry), with its Monte Carlo error, overall and for subgroups: the covariates the effect
  depends on, and the entrants an evaluation design from the register sees (from open
  unemployment, with a year of register history).
"""

from __future__ import annotations

import numpy as np

from vaikutus.registry import codes
from vaikutus.registry.synthetic import states as S
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
from vaikutus.registry.synthetic.nosubsidy import HORIZON_MONTHS, Moments, NoSubsidyWorld
from vaikutus.registry.synthetic.simulate import Simulation
from vaikutus.registry.synthetic.timeline import TRIAL_END, TRIAL_START, Timeline

#: Register months before an entry that an evaluation needs for the entrant's history.
HISTORY_MONTHS = 12


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
    factual: np.ndarray, world: NoSubsidyWorld, cf: Moments, people: np.ndarray, last: int
) -> dict[str, list]:
    """Mean over ``people`` of factual outcome(e + k) - mean over the continuations, k = 1..36.

    ``mc_se`` is the Monte Carlo error of that mean from the finite number of continuations
    (persons' continuations are independent, so the variances add).
    """
    att, mc_se, n = [], [], []
    entry = world.entry[people]
    for k in range(1, HORIZON_MONTHS + 1):
        ok = entry + k <= last
        if not ok.any():
            att.append(None)
            mc_se.append(None)
            n.append(0)
            continue
        who, c = people[ok], int(world.continuations[k - 1])
        total, squares = cf.total[k - 1, who], cf.squares[k - 1, who]
        diff = factual[entry[ok] + k, who].astype(np.float64) - total / c
        spread = np.maximum(squares - total * total / c, 0.0) / (c - 1)
        att.append(round(float(diff.mean()), 6))
        mc_se.append(round(float(np.sqrt(spread.sum() / c) / len(who)), 6))
        n.append(int(ok.sum()))
    return {"att": att, "mc_se": mc_se, "n": n}


def wage_subsidy_truth(
    factual: Process, world: NoSubsidyWorld, pop: Population, tl: Timeline
) -> dict:
    blocked = world.blocked
    treated, entry = blocked.person, world.entry
    rows = np.arange(len(treated))
    before = np.arange(tl.n)[:, None] < entry[None, :]
    same_before = bool((factual.rec.state[:, treated] == blocked.rec.state)[before].all())
    if not same_before:
        raise AssertionError("the no-subsidy world diverged before the blocked entry")
    if (blocked.rec.state[entry, rows] == S.S_WS).any():
        raise AssertionError("the no-subsidy world entered a wage subsidy in a blocked month")
    last = tl.n - 1
    earnings = factual.rec.earnings[:, treated]
    employed = earnings > 0
    age = tl.year[entry] - pop.birth_year[treated]
    ltu = factual.first_ws_ltu[treated]
    groups = {
        "from_unemployment_with_12_months_history": (
            (factual.rec.state[entry - 1, treated] == S.UNEMP)
            & (entry >= tl.window_start + HISTORY_MONTHS)
        ),
        "long_term_unemployed": ltu,
        "not_long_term_unemployed": ~ltu,
        "education_isced_0_2": pop.education[treated] <= 2,
        "education_isced_3_plus": pop.education[treated] > 2,
        "age_55_plus": age >= 55,
        "age_under_55": age < 55,
    }

    def effects(people: np.ndarray) -> dict:
        emp = _att(employed, world, world.employed, people, last)
        earn = _att(earnings, world, world.earnings, people, last)
        return {
            "treated": int(len(people)),
            "att_employment": emp["att"],
            "att_earnings_eur": earn["att"],
            "mc_se_employment": emp["mc_se"],
            "mc_se_earnings_eur": earn["mc_se"],
            "n_by_k": emp["n"],
        }

    overall = effects(rows)
    subgroups = {name: effects(np.flatnonzero(mask)) for name, mask in groups.items()}
    entries_per_month = np.bincount(entry - tl.window_start, minlength=tl.n - tl.window_start)
    return {
        "definition": (
            "Treated: persons whose first wage_subsidy spell starting in the window starts in month e "
            "(treated_entries_by_month). Counterfactual (entering in e versus not entering in e, "
            "possibly later; Sianesi 2004): the same persons re-simulated without that entry - "
            "with the same random numbers up to e, so their histories are identical; in month e "
            "they make the transition of a jobseeker who did not enter (another service, a job, "
            "leaving the labour force or staying unemployed, with the probabilities the process "
            "gives once the entry is ruled out) and then carry on, a later wage subsidy included. "
            "Each person's counterfactual outcome is the mean over continuations_by_k[k-1] "
            "continuations from the condition at the end of month e - 1 (the first with the "
            "factual world's random numbers), i.e. the expected outcome without the entry. "
            "att_employment[k-1] = share with earnings > 0 in calendar month e + k minus the mean "
            "counterfactual share, att_earnings_eur[k-1] = the same for mean monthly earnings "
            "(zeros included), k = 1..36, over the treated observed in month e + k (n_by_k); "
            "mc_se_* = their Monte Carlo standard errors from the finite continuations. "
            "Subsidised wages count as earnings. "
            "Subgroup from_unemployment_with_12_months_history: entrants from open unemployment "
            "(not from a work trial) whose entry month lies at least 12 months after the first "
            "register month - the entrants an evaluation design with a 12-month pre-entry "
            "history sees."
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
        "continuations_by_k": [int(c) for c in world.continuations],
        **{key: value for key, value in overall.items() if key != "treated"},
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
