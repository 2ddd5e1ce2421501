"""Ibis expressions that compute the quantities from the warehouse.

Everything heavy - joins of the person-month panel with services, spells, plans and events - is an
Ibis expression, so the same code runs on DuckDB (default) and on Spark (national scale). Each
function returns small results: one row per municipality (or employment area) and month, or one row
per area and period for the statistics that do not add up (medians, distinct counts). Areas above
the municipality and periods above the month are formed afterwards in ``aggregate.py``.

Dates that depend on the counting day (look-back windows, the day a spell passes k months) come
from a small calendar table computed in Python, so no backend-specific date arithmetic is needed.
"""

from __future__ import annotations

import datetime as dt
import logging

import ibis
import ibis.expr.types as ir
import pandas as pd

from vaikutus.indicators.areas import MERGED_INTO_2025
from vaikutus.indicators.parameters import IndicatorParameters
from vaikutus.indicators.quantities import EVENTS, FLOW_MONTHS, SERVICE_LINES, WORK_OR_STUDY
from vaikutus.registry import codes

log = logging.getLogger(__name__)

#: Stands in for an open end ("ongoing") inside comparisons; never returned.
FAR_FUTURE = dt.date(2999, 12, 31)
KEYS = ["municipality", "month"]

CALENDAR_SCHEMA = {
    "month": "date", "month_end": "date", "counting_day": "date", "mi": "int64", "year": "int64",
    "month_no": "int64", "days_in_month": "int64", "quarter": "string", "year_label": "string",
    "g3_start": "date", "g4_start": "date", "plan_made_after": "date",
}


class MissingTable(LookupError):
    """The warehouse lacks a table an indicator needs."""


class Warehouse:
    """The tables of one warehouse connection, with errors that say what to run."""

    def __init__(self, con: ibis.BaseBackend, where: str = "warehouse") -> None:
        self.con = con
        self.where = where
        self._names = set(con.list_tables())

    def has(self, name: str) -> bool:
        return name in self._names

    def table(self, name: str) -> ir.Table:
        if name not in self._names:
            hint = " (run `vaikutus build-panel` first)" if name in ("person_month", "service_month", "months") else ""
            raise MissingTable(f"{self.where} has no table {name!r}{hint}")
        return self.con.table(name)


def calendar(months: pd.DataFrame, params: IndicatorParameters) -> pd.DataFrame:
    """Per month of the register window: counting day and the dates derived from it."""
    missing = {"month", "month_end", "counting_day"} - set(months.columns)
    if missing:
        raise ValueError(f"table months lacks column(s) {sorted(missing)}")
    cal = pd.DataFrame({c: pd.to_datetime(months[c]) for c in ("month", "month_end", "counting_day")})
    cal = cal.sort_values("month", ignore_index=True)
    cd = cal.counting_day
    out = pd.DataFrame(
        {
            "month": cal.month.dt.date,
            "month_end": cal.month_end.dt.date,
            "counting_day": cd.dt.date,
            "mi": cal.month.dt.year * 12 + cal.month.dt.month - 1,
            "year": cal.month.dt.year,
            "month_no": cal.month.dt.month,
            "days_in_month": cal.month_end.dt.day,
            "quarter": cal.month.dt.year.astype(str) + "-Q" + cal.month.dt.quarter.astype(str),
            "year_label": cal.month.dt.year.astype(str),
            # DateOffset clamps to the month's last day (31 May - 3 months = 28/29 Feb).
            "g3_start": (cd - pd.DateOffset(months=params.structural_g3_lookback_months)).dt.date,
            "g4_start": (cd - pd.DateOffset(months=params.structural_g4_lookback_months)).dt.date,
            "plan_made_after": (
                (cd - pd.Timedelta(days=params.max_plan_age_days)).dt.date
                if params.max_plan_age_days is not None else dt.date(1900, 1, 1)
            ),
        }
    )
    return out


def _muni(col: ir.StringValue) -> ir.StringValue:
    """Municipality harmonised to the 2025 division."""
    return col.substitute(MERGED_INTO_2025)


def _n(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return cond.ifelse(1, 0).sum()


def _end(col: ir.DateValue) -> ir.DateValue:
    return col.fill_null(FAR_FUTURE)


def _flag(base: ir.Table, keys: ir.Table, name: str) -> ir.Table:
    """Left-join a set of (person_id, month) keys to ``base`` as a boolean column."""
    k = keys.select("person_id", "month").distinct().mutate(**{name: ibis.literal(True)})
    joined = base.left_join(k, ["person_id", "month"])
    return joined.drop("person_id_right", "month_right").mutate(**{name: joined[name].fill_null(False)})


# ------------------------------------------------------------------ stocks on the counting day


def registered_base(w: Warehouse, cal: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Registered person-months with the columns the stocks need (materialise it: every flag of
    ``stock_counts`` joins against it)."""
    pm = w.table("person_month")
    pm = pm.mutate(mi=pm.month.year() * 12 + pm.month.month() - 1)
    window = ibis.window(group_by="person_id", order_by="mi", range=(-(p.structural_g2_window_months - 1), 0))
    pm = pm.mutate(days_window=pm.days_unemployed.sum().over(window))
    reg = pm.filter(pm.registered).join(cal.select("month", "g3_start", "g4_start", "plan_made_after"), "month")
    return reg.select(
        "person_id", "month", "counting_day", "g3_start", "g4_start", "plan_made_after", "unemployed",
        "long_term_unemployed", "unemployment_duration_days", "days_window", "citizenship", "age",
        municipality=_muni(reg.municipality),
    )


def stock_counts(w: Warehouse, reg: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Month-end stocks per municipality and month (indicators 1-3, 5-8, 12-13, 18) from the
    registered base of ``registered_base``."""
    sm = w.table("service_month")
    svc = sm.group_by(["person_id", "month"]).aggregate(
        act=sm.service.isin(p.activation_services).any(),
        ext=sm.service.isin(p.extended_services).any(),
        struct=sm.service.isin(p.structural_services).any(),
    )
    flags = ["act", "ext", "struct"]
    ss = w.table("service_spells")
    ss = ss.mutate(end_f=_end(ss.end))
    base = reg
    reg = reg.left_join(svc, ["person_id", "month"]).drop("person_id_right", "month_right")
    reg = reg.mutate(**{f: reg[f].fill_null(False) for f in flags})
    in_struct = base.semi_join(svc.filter(svc.struct), ["person_id", "month"])
    reg = _flag(reg, _activated_long_term(w, base, ss, p), "act_ltu")
    reg = _flag(reg, _after_service(base, ss, p), "after_service")
    reg = _flag(reg, _service_to_service(w, in_struct, ss, p), "svc_to_svc")
    reg = _flag(reg, _with_plan(w, base, p), "has_plan")

    u = reg.unemployed
    ltu = u & reg.long_term_unemployed
    g2 = u & ~ltu & (reg.days_window >= p.structural_g2_min_days)
    g3 = u & ~ltu & ~g2 & reg.after_service
    g4 = ~u & reg.struct & reg.svc_to_svc
    foreign = reg.citizenship != "FI"
    return reg.group_by(KEYS).aggregate(
        unemployed=_n(u),
        unemployed_foreign=_n(u & foreign),
        unemployed_under25=_n(u & (reg.age < 25)),
        long_term_unemployed=_n(ltu),
        unemployment_days=u.ifelse(reg.unemployment_duration_days, 0).sum(),
        structural_comparable=_n(g2),
        structural_after_services=_n(g3),
        structural_service_to_service=_n(g4),
        structural_unemployment=_n(ltu | g2 | g3 | g4),
        in_activation=_n(reg.act),
        activation_denominator=_n(u | reg.act),
        in_extended_service=_n(reg.ext),
        extended_unemployment=_n(u | reg.ext),
        in_activation_ltu=_n(reg.act_ltu),
        ltu_or_activated_ltu=_n(ltu | reg.act_ltu),
        plans_up_to_date=_n(u & reg.has_plan),
        plan_debt=_n(u & ~reg.has_plan),
    )


def service_counts(w: Warehouse, reg: ir.Table) -> ir.Table:
    """Registered jobseekers in each service on the counting day, and in any (14), long form."""
    sm = w.table("service_month")
    x = sm.join(reg.select("person_id", "month", "municipality"), ["person_id", "month"])
    by_service = x.group_by([*KEYS, "service"]).aggregate(value=x.count())
    by_service = by_service.mutate(quantity=ibis.literal("in_service_") + by_service.service)
    total = x.group_by(KEYS).aggregate(value=x.person_id.nunique()).mutate(quantity=ibis.literal("in_service_total"))
    cols = [*KEYS, "quantity", "value"]
    return ibis.union(by_service.select(cols), total.select(cols))


def _activated_long_term(w: Warehouse, reg: ir.Table, ss: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Person-months in an activation service entered after >= long_term_days of unemployment (13)."""
    spells = unemployment_spells(w, p)
    act = ss.filter(ss.service.isin(p.activation_services))
    entered_ltu = act.semi_join(
        spells,
        [
            act.person_id == spells.person_id,
            spells.start <= act.start - ibis.interval(days=p.long_term_days),
            spells.end_f >= act.start - ibis.interval(days=p.min_break_days),
        ],
    )
    return reg.semi_join(
        entered_ltu,
        [
            reg.person_id == entered_ltu.person_id,
            entered_ltu.start <= reg.counting_day,
            entered_ltu.end_f >= reg.counting_day,
        ],
    )


def _after_service(reg: ir.Table, ss: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Unemployed person-months whose structural service ended within the look-back (group 3)."""
    ended = ss.filter(ss.service.isin(p.structural_services) & ss.end.notnull())
    unemployed = reg.filter(reg.unemployed)
    return unemployed.semi_join(
        ended,
        [
            unemployed.person_id == ended.person_id,
            ended.end >= unemployed.g3_start,
            ended.end <= unemployed.counting_day,
        ],
    )


def _service_to_service(w: Warehouse, in_struct: ir.Table, ss: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Person-months in a structural service (not unemployed) after another one that ended within
    the look-back, with no open-market job (search end or employed status) in between (group 4)."""
    ended = ss.filter(ss.service.isin(p.structural_services) & ss.end.notnull()).select(
        "person_id", prev_end="end"
    )
    in_service = in_struct.filter(~in_struct.unemployed).select("person_id", "month", "counting_day", "g4_start")
    pairs = in_service.join(
        ended,
        [
            in_service.person_id == ended.person_id,
            ended.prev_end >= in_service.g4_start,
            ended.prev_end < in_service.counting_day,
        ],
    ).select("person_id", "month", "counting_day", "prev_end")
    se = w.table("search_ends")
    jobs = se.filter(se.destination == "open_market_job").select("person_id", "date")
    by_job = pairs.join(jobs, "person_id")
    by_job = by_job.filter((by_job.date > by_job.prev_end) & (by_job.date <= by_job.counting_day))
    js = w.table("jobseeker_spells")
    employed = js.filter(js.status == "employed_jobseeker").select("person_id", "start", end_f=_end(js.end))
    by_status = pairs.join(employed, "person_id")
    by_status = by_status.filter((by_status.start <= by_status.counting_day) & (by_status.end_f > by_status.prev_end))
    keys = ["person_id", "month", "prev_end"]
    blocked = ibis.union(by_job.select(keys), by_status.select(keys))
    return pairs.anti_join(blocked, keys)


def _with_plan(w: Warehouse, reg: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Unemployed person-months with an up-to-date plan on the counting day (18)."""
    plans = w.table("plans")
    plans = plans.filter(plans.kind.isin(p.plan_kinds))
    unemployed = reg.filter(reg.unemployed)
    return unemployed.semi_join(
        plans,
        [
            unemployed.person_id == plans.person_id,
            plans.made <= unemployed.counting_day,
            plans.review_due >= unemployed.counting_day,
            plans.made >= unemployed.plan_made_after,
        ],
    )


def duration_medians(w: Warehouse, membership: ir.Table) -> ir.Table:
    """Median elapsed unemployment duration per area and month (not additive: per area)."""
    pm = w.table("person_month")
    u = pm.filter(pm.registered & pm.unemployed).select(
        "month", "unemployment_duration_days", municipality=_muni(pm.municipality)
    )
    x = u.join(membership, "municipality")
    return x.group_by(["area_type", "area_code", "month"]).aggregate(
        value=x.unemployment_duration_days.median()
    )


# ------------------------------------------------------------------ unemployment spells and flows


def unemployment_spells(w: Warehouse, p: IndicatorParameters) -> ir.Table:
    """Continuous unemployment spells: unemployed / fully laid-off records of a person joined when
    they overlap or the gap between them is shorter than ``min_break_days`` (gaps and islands).

    Columns: person_id, start, end_f (FAR_FUTURE if ongoing), municipality and service_line of the
    record the spell began with (joined back on person and start, which the schema keys: faster
    than an ordered aggregate). Overlapping records of one person (bad data) merge into one spell.
    """
    js = w.table("jobseeker_spells")
    js = js.filter(js.status.isin(codes.UNEMPLOYED_STATUSES)).mutate(end_f=_end(js.end))
    before = ibis.window(group_by="person_id", order_by=["start", "end_f"], rows=(None, -1))
    js = js.mutate(prev_end=js.end_f.max().over(before))
    new = js.prev_end.isnull() | (js.start > js.prev_end + ibis.interval(days=p.min_break_days))
    js = js.mutate(new_spell=new.ifelse(1, 0))
    upto = ibis.window(group_by="person_id", order_by=["start", "end_f"], rows=(None, 0))
    js = js.mutate(spell_no=js.new_spell.sum().over(upto))
    spells = js.group_by(["person_id", "spell_no"]).aggregate(start=js.start.min(), end_f=js.end_f.max())
    first = js.select("person_id", "start", "municipality", "service_line")
    return spells.join(first, ["person_id", "start"]).select(
        "person_id", "start", "end_f", "municipality", "service_line"
    )


def flow_counts(w: Warehouse, cal: ir.Table, p: IndicatorParameters) -> ir.Table:
    """Spells begun per month and spells passing 3/6/12 months (indicators 9-11), in long form:
    municipality, month, quantity, value."""
    s = unemployment_spells(w, p)
    s = s.mutate(
        municipality=_muni(s.municipality),
        smi=s.start.year() * 12 + s.start.month() - 1,
        sday=s.start.day(),
        line=s.service_line.cast("string"),
    )
    started = s.join(cal.select("month", "mi"), s.smi == cal.mi)
    parts = [_by_line(started, "spells_started", ibis.literal(True))]
    for k in FLOW_MONTHS:
        c = s.mutate(tmi=s.smi + k)
        c = c.join(cal.select("month", "mi", "year", "month_no", "days_in_month", "counting_day"), c.tmi == cal.mi)
        if p.flow_rule == "at_k_months":
            passes = ibis.date(c.year, c.month_no, ibis.least(c.sday, c.days_in_month))
        else:
            passes = c.counting_day
        parts.append(_by_line(c, f"crossed_{k}m", c.end_f >= passes))
    return ibis.union(*parts)


def _by_line(t: ir.Table, name: str, cond: ir.BooleanValue) -> ir.Table:
    t = t.mutate(hit=cond)
    total = t.group_by(KEYS).aggregate(value=_n(t.hit)).mutate(quantity=ibis.literal(name))
    lined = t.filter(t.line.isin(SERVICE_LINES))
    by_line = lined.group_by([*KEYS, "line"]).aggregate(value=_n(lined.hit))
    by_line = by_line.mutate(quantity=ibis.literal(f"{name}_line_") + by_line.line).drop("line")
    cols = [*KEYS, "quantity", "value"]
    return ibis.union(total.select(cols), by_line.select(cols))


# ------------------------------------------------------------------ events of the month


def _person_month_area(w: Warehouse) -> ir.Table:
    pm = w.table("person_month")
    return pm.select("person_id", "month", municipality=_muni(pm.municipality))


def search_end_counts(w: Warehouse) -> ir.Table:
    """Ended job searches by destination (4); area = the jobseeker's municipality that month."""
    se = w.table("search_ends")
    se = se.mutate(month=se.date.truncate("M"))
    x = se.join(_person_month_area(w), ["person_id", "month"])
    dests = list(codes.SEARCH_END_DESTINATIONS)
    return x.group_by(KEYS).aggregate(
        ended_searches=x.count(),
        ended_searches_work_or_study=_n(x.destination.isin(WORK_OR_STUDY)),
        **{f"ended_searches_{d}": _n(x.destination == d) for d in dests},
    )


def event_units(w: Warehouse, event: str) -> ir.Table:
    """Job offers or introductions with the jobseeker's municipality that month (15-16)."""
    ev = w.table(event)
    ev = ev.mutate(month=ev.date.truncate("M"))
    return ev.join(_person_month_area(w), ["person_id", "month"])


def event_counts(units: dict[str, ir.Table]) -> ir.Table:
    """Offers and introductions per municipality and month, and those that led to work (long).
    ``units``: ``event_units`` of each event (materialise them: ``distinct_counts`` reads them too)."""
    parts = []
    for event in EVENTS:
        x = units[event]
        g = x.group_by(KEYS).aggregate(n=x.count(), hired=_n(x.outcome == "hired"))
        parts.append(g.select(*KEYS, quantity=ibis.literal(event), value=g.n))
        parts.append(g.select(*KEYS, quantity=ibis.literal(f"{event}_hired"), value=g.hired))
    return ibis.union(*parts)


def distinct_counts(units: dict[str, ir.Table], membership: ir.Table, cal: ir.Table) -> ir.Table:
    """Distinct jobseekers and vacancies reached by offers and introductions, per area and period
    (month, quarter, year): not additive, so counted per area. Long form, one query."""
    parts = []
    periods = cal.select("month", "quarter", "year_label")
    for event in EVENTS:
        for key, suffix in (("person_id", "persons"), ("vacancy_id", "vacancies")):
            # one row per unit, municipality and month before the six-fold join to the areas
            base = units[event].select("municipality", "month", unit=units[event][key]).distinct().join(periods, "month")
            base = base.mutate(month_label=base.month.cast("string"))
            for period_col in ("month_label", "quarter", "year_label"):
                x = base.select("municipality", "unit", period=base[period_col]).distinct().join(membership, "municipality")
                g = x.group_by(["area_type", "area_code", "period"]).aggregate(value=x.unit.nunique())
                parts.append(g.select("area_type", "area_code", "period",
                                      quantity=ibis.literal(f"{event}_{suffix}"), value=g.value))
    return ibis.union(*parts)


# ------------------------------------------------------------------ residence-based measures


def _month_end(month: ir.DateValue) -> ir.DateValue:
    """Last day of the month (first day of the next month minus one day), from the row itself:
    joining the calendar here would let the engine pair every residence with every month first."""
    y, m = month.year(), month.month()
    return ibis.date(y + (m == 12).ifelse(1, 0), m % 12 + 1, 1) - ibis.interval(days=1)


def _residence_area(w: Warehouse, keys: ir.Table) -> ir.Table:
    """Home municipality of (person_id, month) keys on the month's last day (Kelasto's rule);
    keys without a residence record that day are left out."""
    res = w.table("residence")
    res = res.mutate(end_f=_end(res.end))
    k = keys.mutate(month_end=_month_end(keys.month))
    x = k.join(res, [k.person_id == res.person_id, res.start <= k.month_end, res.end_f >= k.month_end])
    # residence records do not overlap (schema rule); max() only makes a bad record deterministic
    return x.group_by(["person_id", "month"]).aggregate(municipality=_muni(x.municipality.max()))


def benefit_counts(w: Warehouse) -> ir.Table:
    """Kela benefits: recipients and euros per benefit by home municipality (19)."""
    b = w.table("benefits")
    b = b.filter(b.amount_eur > 0)
    area = _residence_area(w, b.select("person_id", "month").distinct())
    x = b.join(area, ["person_id", "month"])
    bens = list(codes.BENEFITS)
    return x.group_by(KEYS).aggregate(
        benefit_recipients_total=x.person_id.nunique(),
        benefits_paid_total=x.amount_eur.sum(),
        **{f"benefit_recipients_{b_}": _n(x.benefit == b_) for b_ in bens},
        **{f"benefits_paid_{b_}": (x.benefit == b_).ifelse(x.amount_eur, 0.0).sum() for b_ in bens},
    )


def kykyviisari_counts(w: Warehouse, p: IndicatorParameters) -> ir.Table:
    """Repeated Kykyviisari assessments: pairs, summed change and improved (21)."""
    k = w.table("kykyviisari")
    order = ibis.window(group_by="person_id", order_by="date")
    if p.kykyviisari_baseline == "previous":
        base = k.score_total.lag().over(order)
    else:
        base = k.score_total.first().over(ibis.window(group_by="person_id", order_by="date", rows=(None, 0)))
    k = k.mutate(month=k.date.truncate("M"), rank=ibis.row_number().over(order), base=base)
    pairs = k.filter(k.rank > 0).mutate(change=k.score_total - k.base)
    area = _residence_area(w, pairs.select("person_id", "month").distinct())
    x = pairs.join(area, ["person_id", "month"])
    return x.group_by(KEYS).aggregate(
        kykyviisari_pairs=x.count(),
        kykyviisari_change=x.change.sum(),
        kykyviisari_improved=_n(x.change > 0),
    )


def satisfaction_counts(w: Warehouse) -> ir.Table:
    s = w.table("satisfaction")
    s = s.mutate(month=s.date.truncate("M"), municipality=_muni(s.municipality))
    resp = list(codes.SATISFACTION_RESPONDENTS)
    return s.group_by(KEYS).aggregate(
        **{f"satisfaction_answers_{r}": _n(s.respondent == r) for r in resp},
        **{f"satisfaction_score_{r}": (s.respondent == r).ifelse(s.score, 0).sum() for r in resp},
    )


# ------------------------------------------------------------------ caseloads and labour force


def caseload_units(w: Warehouse, cal: ir.Table) -> ir.Table:
    """Clients per (employment area, expert) on each counting day (17)."""
    c = w.table("caseloads")
    c = c.mutate(end_f=_end(c.end))
    days = cal.select("month", "counting_day")
    x = c.join(days, [c.start <= days.counting_day, c.end_f >= days.counting_day])
    return x.group_by(["area", "expert_id", "month"]).aggregate(clients=x.person_id.nunique())


def labour_force(w: Warehouse) -> pd.DataFrame:
    lf = w.table("labour_force").execute()
    lf["municipality"] = lf["municipality"].astype(str).replace(MERGED_INTO_2025)
    return lf.groupby(["municipality", "year", "group"], as_index=False)["persons"].sum()
