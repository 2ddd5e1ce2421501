"""Code lists of the register tables (the values a coded column may take).

Kept apart from the schemas so that every stage can name a code without importing pyarrow. The
Finnish terms are TEM / URA concepts (see ``DESIGN.md`` and ``DOMAIN.md``).
"""

from __future__ import annotations

JOBSEEKER_STATUSES = {
    "unemployed": ("työtön työnhakija", "unemployed jobseeker"),
    "laid_off_full": ("kokoaikaisesti lomautettu", "fully laid off"),
    "laid_off_short_week": ("lyhennetyllä työviikolla", "on a shortened working week"),
    "in_service": ("palvelussa", "in an employment service"),
    "employed_jobseeker": ("työllinen työnhakija", "employed jobseeker"),
    "outside_labour_force": ("työvoiman ulkopuolella oleva työnhakija", "jobseeker outside the labour force"),
    "student": ("opiskelija", "full-time student"),
}
#: Statuses counted as unemployed on the counting day (fully laid-off included, DOMAIN A1).
UNEMPLOYED_STATUSES = ("unemployed", "laid_off_full")

SERVICES = {
    "wage_subsidy": ("palkkatuki", "wage subsidy"),
    "labour_market_training": ("työvoimakoulutus", "labour market training"),
    "self_motivated_study": ("omaehtoinen opiskelu", "self-motivated study"),
    "work_trial": ("työkokeilu", "work trial"),
    "coaching": ("valmennus", "coaching"),
    "rehabilitative_work": ("kuntouttava työtoiminta", "rehabilitative work activity"),
    "start_up_grant": ("starttiraha", "start-up grant"),
    "job_alternation_substitute": ("vuorotteluvapaasijaisuus", "job alternation substitute"),
    "integration_training": ("kotoutumiskoulutus", "integration training"),
    "other": ("muu palvelu", "other service"),
}
#: Services of the activation rate (aktivointiaste, DOMAIN A4). Start-up grant: default include [K].
ACTIVATION_SERVICES = (
    "wage_subsidy",
    "labour_market_training",
    "self_motivated_study",
    "work_trial",
    "coaching",
    "rehabilitative_work",
    "start_up_grant",
    "job_alternation_substitute",
    "integration_training",
)

SEARCH_END_DESTINATIONS = {
    "open_market_job": ("avoimille työmarkkinoille", "open-market job"),
    "subsidised_job": ("tuettuun työhön", "subsidised job"),
    "entrepreneur": ("yrittäjäksi", "entrepreneur"),
    "education": ("koulutukseen", "education"),
    "outside_labour_force": ("työvoiman ulkopuolelle", "outside the labour force"),
    "moved_abroad": ("muutti ulkomaille", "moved abroad"),
    "other_unknown": ("muu tai tuntematon", "other or unknown"),
}

BENEFITS = {
    "labour_market_subsidy": ("työmarkkinatuki", "labour market subsidy"),
    "basic_allowance": ("peruspäiväraha", "basic unemployment allowance"),
    "earnings_related": ("ansiopäiväraha", "earnings-related allowance"),
    "social_assistance": ("perustoimeentulotuki", "basic social assistance"),
    "housing_allowance": ("yleinen asumistuki", "general housing allowance"),
}

PLAN_KINDS = {
    "employment_plan": ("työllistymissuunnitelma", "employment plan"),
    "integration_plan": ("kotoutumissuunnitelma", "integration plan"),
    "activation_plan": ("aktivointisuunnitelma", "activation plan"),
}

OFFER_OUTCOMES = {
    "hired": ("työllistyi", "hired"),
    "not_hired": ("ei työllistynyt", "not hired"),
    "pending": ("kesken", "pending"),
}

RESPONSIBLE = {
    "te_office": ("TE-toimisto", "TE office"),
    "municipal_trial": ("kuntakokeilu", "municipal employment trial"),
    "employment_area": ("työllisyysalue", "employment area"),
}

SEXES = {"M": ("mies", "man"), "F": ("nainen", "woman")}
NATIVE_LANGUAGES = {"fi": ("suomi", "Finnish"), "sv": ("ruotsi", "Swedish"), "other": ("muu", "other")}
CITIZENSHIPS = {
    "FI": ("Suomi", "Finland"),
    "EU_EEA": ("muu EU/ETA", "other EU/EEA"),
    "other": ("muu", "other"),
}
LABOUR_FORCE_GROUPS = {
    "all": ("koko työvoima", "whole labour force"),
    "foreign": ("ulkomaan kansalaiset", "foreign citizens"),
    "under_25": ("alle 25-vuotiaat", "aged under 25"),
}
SATISFACTION_RESPONDENTS = {
    "jobseeker": ("työnhakija", "jobseeker"),
    "employer": ("työnantaja", "employer"),
}
