"""The person-month panel, built with Ibis expressions only so DuckDB and Spark run the same code.

``build_panel(con)`` reads the register tables of the connection and writes three tables:

* ``months``: month (first day), month_end, counting_day - one row per month of the window;
* ``person_month``: one row per person and month with a valid job search on at least one day of
  the month (columns and types in ``PERSON_MONTH_SCHEMA``);
* ``service_month``: person_id, month, service - one row per service active on the counting day.

Rules (DOMAIN A1 and A6; the [K] ones are parameters):

* Intervals are closed: a spell covers day ``d`` when ``start <= d <= coalesce(end, 2999-12-31)``;
  ``end`` is the spell's last day and an empty end means ongoing.
* Stocks (registered, status, unemployed, in_service, municipality, duration) are read on the
  month's counting day (default the last working day, ``counting_day_rule="month_end"`` for the
  calendar end). Flows (spell started, search ended) and days by status cover the whole month.
* Days in a status = days of the month covered by spells in that status, both ends included.
  ``days_in_service`` counts days covered by at least one service spell (overlapping services once).
* Continuous unemployment: a person's unemployed / laid_off_full jobseeker spells, in start order,
  form one continuous spell while ``next.start - previous.end <= min_break_days`` - that is, while
  fewer than ``min_break_days`` whole days without unemployment lie between them. With the default
  1, a spell starting the day after the previous one ended continues it and a single day outside
  unemployment breaks it. Any other status in between (a service, a job, short-week lay-off,
  study) is such a day, so a service interrupts the spell and the duration restarts after it.
  The jobseeker status is the authority here; service spells do not break a spell by themselves.
* ``unemployment_duration_days`` = counting_day - start of the continuous spell + 1: both days
  count, so a person unemployed from 1 January has 1 day on 1 January and 365 days on 31 December.
  ``long_term_unemployed`` = duration >= ``long_term_days`` (365): "continuously at least 12
  months" is reached on the 365th day (the day before the anniversary of the start, two days
  before it when a 29 February lies between).
* ``unemployment_spell_started``: a continuous unemployment spell began in the month (its first
  spell's start date is in the month). ``search_ended`` / ``search_end_destination``: a
  ``search_ends`` record dated in the month (the latest one if there are several).
* Areas: municipality codes are harmonised to the 2025 division (``areas.py``); ``trial`` = the
  recorded municipality is a 2021 trial municipality and the month's first day lies in its trial
  period.

* A ``search_ends`` record joins the panel only in a month with a registered day (the synthetic
  and real registers date it on the last day of the search).

How, at national scale (1M persons, 10M spells, 132 months): every spell is joined to the months
it overlaps (``start <= month_end and end >= month``; a range join, which DuckDB plans as a
piecewise merge join against the small months table and Spark as a broadcast nested-loop join)
and reduced per person and month. Most person-months hold a single spell and are taken as they
are; only the rest are grouped (a many-column group-by over every spell-month was the slowest
step). Continuous spells are gaps-and-islands over each person's spells in start order (running
maximum of earlier ends, cumulative flags). Service days, search ends, earnings and benefits are
stacked into one narrow table, kept to the panel's person-months, grouped and joined once. On
DuckDB the persons are built in buckets (a hash of person_id) so that memory stays near 2-3 GB
at any register size. No per-row Python and no engine-specific SQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from datetime import date

import ibis
import ibis.expr.types as ir
from ibis import _
from ibis.backends import BaseBackend

from vaikutus.registry.codes import UNEMPLOYED_STATUSES
from vaikutus.registry.schemas import TABLES
from vaikutus.warehouse.areas import municipality_areas
from vaikutus.warehouse.backends import arrow_table, is_spark, save_table
from vaikutus.warehouse.months import MonthLike, months_table

#: [K] Whole days outside unemployment that break a continuous spell (DOMAIN A1).
MIN_BREAK_DAYS = 1
#: Elapsed days of continuous unemployment that make a person long-term unemployed (>= 12 months).
LONG_TERM_DAYS = 365
#: Register rows (weighted, see ``default_buckets``) built at a time on DuckDB: ~2 GB at peak.
ROWS_PER_BUCKET = 20_000_000
#: Stand-in end date of ongoing spells.
FAR_FUTURE = date(2999, 12, 31)

#: Register columns the panel reads; jobseeker_spells is required, a missing other table is empty.
REGISTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "jobseeker_spells": ("person_id", "start", "end", "status", "municipality", "responsible", "service_line"),
    "service_spells": ("person_id", "service", "start", "end"),
    "search_ends": ("person_id", "date", "destination"),
    "persons": ("person_id", "birth_year", "sex", "native_language", "citizenship", "education",
                "partial_work_ability"),
    "earnings": ("person_id", "month", "earnings_eur"),
    "benefits": ("person_id", "month", "amount_eur"),
}
REQUIRED_TABLES = ("jobseeker_spells",)

PERSON_MONTH_SCHEMA = ibis.schema(
    {
        "person_id": "string",
        "month": "date",
        "counting_day": "date",
        "municipality": "string",  # 2025 division; spell covering the counting day, else last of month
        "region": "string",
        "employment_area": "int64",
        "trial_area": "string",
        "trial": "boolean",
        "registered": "boolean",
        "status": "string",
        "unemployed": "boolean",
        "days_registered": "int64",
        "days_unemployed": "int64",
        "days_in_service": "int64",
        "unemployment_duration_days": "int64",
        "long_term_unemployed": "boolean",
        "unemployment_spell_started": "boolean",
        "search_ended": "boolean",
        "search_end_destination": "string",
        "in_service": "boolean",
        "age": "int64",
        "sex": "string",
        "native_language": "string",
        "citizenship": "string",
        "education": "int64",
        "partial_work_ability": "boolean",
        "service_line": "int64",
        "earnings_eur": "float64",
        "benefits_eur": "float64",
        "responsible": "string",  # organisation responsible (TE office / trial / area), same spell as municipality
    }
)
SERVICE_MONTH_SCHEMA = ibis.schema({"person_id": "string", "month": "date", "service": "string"})


class PanelInputError(ValueError):
    """The warehouse lacks a table or column the panel needs."""


def build_panel(
    con: BaseBackend,
    start: MonthLike | None = None,
    end: MonthLike | None = None,
    counting_day_rule: str = "last_working_day",
    min_break_days: int = MIN_BREAK_DAYS,
    long_term_days: int = LONG_TERM_DAYS,
    buckets: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Create ``months``, ``person_month`` and ``service_month`` in the connection's warehouse.

    ``start`` / ``end`` ('YYYY-MM') default to the months of the first and last jobseeker-spell
    date. ``buckets``: person_month is built for this many groups of persons in turn (by a hash of
    person_id) to bound memory; default from the register's size on DuckDB, 1 on Spark (which
    partitions by itself). ``progress`` is called with a short message before each step.
    """
    if min_break_days < 0 or long_term_days < 1 or (buckets is not None and buckets < 1):
        raise ValueError("min_break_days must be >= 0, long_term_days and buckets >= 1")
    say = progress or (lambda _message: None)
    present = set(con.list_tables())
    register = {name: register_table(con, name, present) for name in REGISTER_COLUMNS}
    if start is None or end is None:
        say("finding the register window")
        first, last = data_window(register["jobseeker_spells"])
        start, end = start or first, end or last
    say("months and counting days")
    months = arrow_table(con, "_months", months_table(start, end, counting_day_rule))
    months = save_table(con, "months", months)
    areas = arrow_table(con, "_municipality_areas", municipality_areas())
    if buckets is None:
        buckets = 1 if is_spark(con) else default_buckets(register)
    for bucket in range(buckets):
        say("person_month" + (f", persons part {bucket + 1} of {buckets}" if buckets > 1 else ""))
        part = {name: _in_bucket(table, bucket, buckets) for name, table in register.items()}
        expr = person_month(part, months, areas, min_break_days, long_term_days)
        save_table(con, "person_month", expr, append=bucket > 0)
    say("service_month")
    save_table(con, "service_month", service_month(register["service_spells"], months))


def default_buckets(register: dict[str, ir.Table]) -> int:
    """Person buckets that keep one build step near ``ROWS_PER_BUCKET`` register rows.

    A spell weighs 10 rows: it spans a few months and each spell-month carries ~20 columns.
    """
    spells, earnings, benefits = (
        register[name].count().execute() for name in ("jobseeker_spells", "earnings", "benefits")
    )
    return max(1, math.ceil((10 * spells + earnings + benefits) / ROWS_PER_BUCKET))


def _in_bucket(table: ir.Table, bucket: int, buckets: int) -> ir.Table:
    """The rows of persons in ``bucket`` (of ``buckets``, by a hash of person_id)."""
    if buckets == 1:
        return table
    # Spark's hash is a signed int: shift the remainder into 0..buckets-1 on every engine
    return table.filter((table.person_id.hash() % buckets + buckets) % buckets == bucket)


def register_table(con: BaseBackend, name: str, present: Collection[str]) -> ir.Table:
    """The columns of register table ``name`` the panel reads, cast to the schema's types.

    ``present`` names the connection's tables; an optional table not among them reads as empty.
    """
    spec = TABLES[name]
    columns = REGISTER_COLUMNS[name]
    schema = ibis.schema({c: ibis.dtype(spec.field(c).arrow_type) for c in columns})
    if name not in present:
        if name in REQUIRED_TABLES:
            raise PanelInputError(f"the warehouse has no table {name!r}; import the register first")
        return arrow_table(con, f"_empty_{name}", schema.to_pyarrow().empty_table())
    table = con.table(name)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise PanelInputError(f"table {name!r} lacks column(s) {', '.join(missing)}")
    return table.select(*[table[c].cast(schema[c]).name(c) for c in columns])


def data_window(spells: ir.Table) -> tuple[date, date]:
    """Months of the first and the last date in the jobseeker spells."""
    row = spells.aggregate(
        first=spells.start.min(), last_start=spells.start.max(), last_end=spells.end.max()
    ).to_pyarrow().to_pylist()[0]
    if row["first"] is None:
        raise PanelInputError("table 'jobseeker_spells' is empty: no window to build a panel for")
    last = max(d for d in (row["last_start"], row["last_end"]) if d is not None)
    return row["first"].replace(day=1), last.replace(day=1)


def person_month(
    register: dict[str, ir.Table],
    months: ir.Table,
    areas: ir.Table,
    min_break_days: int,
    long_term_days: int,
) -> ir.Table:
    """The person_month expression (see the module docstring for the rules)."""
    spells = _with_end(register["jobseeker_spells"]).mutate(
        is_unemployed=_.status.isin(UNEMPLOYED_STATUSES)
    )
    spells = _mark_islands(spells, "is_unemployed", min_break_days)
    # Most person-months hold a single spell; they need no aggregation (a many-column group-by
    # is the most expensive step), so only months with several spells are grouped. The split is
    # part of each join so that the engine shares the spells, not the far larger spell-months.
    alone = (spells.previous_end.isnull() | (spells.previous_end < months.month)) & (
        spells.next_start.isnull() | (spells.next_start > months.month_end)
    )
    single = _overlap_months(spells, months, alone)
    several = _overlap_months(spells, months, ~alone)
    core = single.select("person_id", "month", **_spell_measures(single)).union(
        several.group_by(["person_id", "month"]).aggregate(
            **{name: getattr(value, _COMBINE[name])() for name, value in _spell_measures(several).items()}
        )
    )
    on_counting_day = {
        column: core.registered.ifelse(core[f"{column}_cd"], core[f"{column}_last"])
        for column in ("municipality", "responsible", "service_line")
    }
    duration = core.unemployed.ifelse(core.counting_day.delta(core.unemployment_start, unit="day") + 1, None)
    core = core.select(
        "person_id", "month", "counting_day", "registered", "status", "unemployed",
        "days_registered", "days_unemployed", "unemployment_spell_started",
        unemployment_duration_days=duration,
        long_term_unemployed=(duration >= long_term_days).fill_null(False),
        recorded_municipality=on_counting_day["municipality"],
        responsible=on_counting_day["responsible"],
        service_line=on_counting_day["service_line"],
    )
    return _assemble(core, register, months, areas)


#: How the spell-month values of one person-month combine (``_spell_measures``).
_COMBINE = {
    "counting_day": "max", "registered": "any", "status": "max", "unemployed": "any",
    "days_registered": "sum", "days_unemployed": "sum", "unemployment_start": "max",
    "unemployment_spell_started": "any",
    **{f"{c}_{w}": "max" for c in ("municipality", "responsible", "service_line") for w in ("cd", "last")},
}


def _spell_measures(joined: ir.Table) -> dict[str, ir.Value]:
    """What one spell-month row contributes to its person-month (combined by ``_COMBINE``)."""
    covers = (joined.start <= joined.counting_day) & (joined.end_ >= joined.counting_day)
    # the spell read when no spell covers the counting day: no later spell starts this month
    last_of_month = joined.next_start.isnull() | (joined.next_start > joined.month_end)
    days = _days_in_month(joined)
    unemployed_now = covers & joined.is_unemployed
    return {
        "counting_day": joined.counting_day,
        "registered": covers,
        "status": covers.ifelse(joined.status, None),
        "unemployed": unemployed_now,
        "days_registered": days,
        "days_unemployed": joined.is_unemployed.ifelse(days, 0),
        "unemployment_start": unemployed_now.ifelse(joined.island_start, None),
        "unemployment_spell_started": joined.new_island & (joined.start >= joined.month),
        **{
            f"{column}_{which}": flag.ifelse(joined[column], None)
            for column in ("municipality", "responsible", "service_line")
            for which, flag in (("cd", covers), ("last", last_of_month))
        },
    }


def service_month(services: ir.Table, months: ir.Table) -> ir.Table:
    """One row per person, month and service active on the month's counting day."""
    services = _with_end(services)
    active = services.join(
        months, [services.start <= months.counting_day, services.end_ >= months.counting_day]
    )
    return active.select("person_id", "month", "service").distinct().cast(SERVICE_MONTH_SCHEMA)


def _assemble(
    core: ir.Table, register: dict[str, ir.Table], months: ir.Table, areas: ir.Table
) -> ir.Table:
    """Attach services, search ends, money, traits and areas to the spell aggregate."""
    side = _month_facts(register, months, core.select("person_id", "month"))
    persons = register["persons"]
    joined = (
        core.left_join(side, ["person_id", "month"])
        .left_join(persons, "person_id")
        .left_join(areas, core.recorded_municipality == areas.code)
    )
    in_trial = areas.trial_area.notnull() & (core.month >= areas.trial_start) & (core.month <= areas.trial_end)
    columns = {
        "municipality": areas.municipality.fill_null(core.recorded_municipality),
        "region": areas.region,
        "employment_area": areas.employment_area,
        "trial_area": areas.trial_area,
        "trial": in_trial.fill_null(False),
        "age": core.counting_day.year().cast("int64") - persons.birth_year,
        "search_end_destination": side.search_end_destination,
        **{c: side[c].fill_null(value) for c, value in _FACT_DEFAULTS.items()},
        **{c: persons[c] for c in REGISTER_COLUMNS["persons"] if c not in ("person_id", "birth_year")},
    }
    selected = joined.select(
        *[columns[c].name(c) if c in columns else core[c] for c in PERSON_MONTH_SCHEMA.names]
    )
    return selected.cast(PERSON_MONTH_SCHEMA)


#: Month facts from tables other than the jobseeker spells, and their value when absent.
_FACT_DEFAULTS = {
    "days_in_service": 0, "in_service": False, "search_ended": False, "earnings_eur": 0.0, "benefits_eur": 0.0,
}


def _month_facts(register: dict[str, ir.Table], months: ir.Table, panel_keys: ir.Table) -> ir.Table:
    """person, month -> service days, search end, earnings and benefits, as one narrow table.

    The sources are stacked, kept to the panel's person-months (earnings and benefits also cover
    months off the register) and grouped once, so the wide spell aggregate is joined only once
    (joining it to each source in turn copied its rows four times).
    """
    columns = {c: PERSON_MONTH_SCHEMA[c] for c in (*_FACT_DEFAULTS, "search_end_destination")}

    def stack(table: ir.Table, **values: ir.Value) -> ir.Table:
        return table.select(
            "person_id", "month",
            **{c: values.get(c, ibis.null(t)).cast(t) for c, t in columns.items()},
        )

    services = _service_days(register["service_spells"], months)
    ends = _search_ends(register["search_ends"])
    earnings = _to_month(register["earnings"])
    benefits = _to_month(register["benefits"])
    stacked = ibis.union(
        stack(services, days_in_service=services.days_in_service, in_service=services.in_service),
        stack(ends, search_ended=ibis.literal(True), search_end_destination=ends.search_end_destination),
        stack(earnings, earnings_eur=earnings.earnings_eur),
        stack(benefits, benefits_eur=benefits.amount_eur),
    )
    stacked = stacked.semi_join(panel_keys, ["person_id", "month"])
    return stacked.group_by(["person_id", "month"]).aggregate(
        days_in_service=_.days_in_service.sum(),
        in_service=_.in_service.any(),
        search_ended=_.search_ended.any(),
        search_end_destination=_.search_end_destination.max(),  # one per person-month already
        earnings_eur=_.earnings_eur.sum(),
        benefits_eur=_.benefits_eur.sum(),
    )


def _with_end(spells: ir.Table) -> ir.Table:
    """Adds ``end_``: the end date with ongoing spells ending in the far future."""
    return spells.mutate(end_=spells.end.fill_null(ibis.date(FAR_FUTURE)))


def _mark_islands(spells: ir.Table, member: str, max_gap_days: int) -> ir.Table:
    """Gaps and islands over each person's spells where column ``member`` is true.

    Adds ``next_start`` / ``previous_end`` (start of the person's next and end of the previous
    spell of any kind), ``new_island`` (this member spell starts a new island: no earlier member
    spell ends within ``max_gap_days`` days before its start) and ``island_start`` (first day of
    the member spell's island, null for other spells). The running maximum of earlier ends also
    handles overlapping spells (services).
    """
    order = ["start", "end_"]
    every = ibis.window(group_by="person_id", order_by=order)
    before = ibis.window(group_by="person_id", order_by=order, rows=(None, -1))
    upto = ibis.window(group_by="person_id", order_by=order, rows=(None, 0))
    is_member = spells[member]
    spells = spells.mutate(
        next_start=spells.start.lead().over(every),
        previous_end=spells.end_.lag().over(every),
        previous_member_end=ibis.cases((is_member, spells.end_)).max().over(before),
    )
    gap = spells.start.delta(spells.previous_member_end, unit="day")
    spells = spells.mutate(
        new_island=spells[member] & (spells.previous_member_end.isnull() | (gap > max_gap_days))
    )
    island_start = ibis.cases((spells.new_island, spells.start)).max().over(upto)
    spells = spells.mutate(island_start=island_start)
    return spells.mutate(island_start=ibis.cases((spells[member], spells.island_start))).drop(
        "previous_member_end"
    )


def _overlap_months(spells: ir.Table, months: ir.Table, *also: ir.BooleanValue) -> ir.Table:
    """Each spell joined to every month it overlaps (a range join), where ``also`` holds."""
    return spells.join(months, [spells.start <= months.month_end, spells.end_ >= months.month, *also])


def _days_in_month(joined: ir.Table) -> ir.IntegerValue:
    """Days of the month a spell covers, both ends included."""
    first = ibis.greatest(joined.start, joined.month)
    last = ibis.least(joined.end_, joined.month_end)
    return last.delta(first, unit="day") + 1


def _service_days(services: ir.Table, months: ir.Table) -> ir.Table:
    """person, month -> days covered by any service, and whether one covers the counting day."""
    services = _with_end(services).mutate(member=True)
    islands = (
        _mark_islands(services, "member", 1)
        .group_by(["person_id", "island_start"])
        .aggregate(start=_.start.min(), end_=_.end_.max())
    )
    joined = _overlap_months(islands, months)
    return joined.group_by(["person_id", "month"]).aggregate(
        days_in_service=_days_in_month(joined).sum(),
        in_service=((joined.start <= joined.counting_day) & (joined.end_ >= joined.counting_day)).any(),
    )


def _search_ends(ends: ir.Table) -> ir.Table:
    """person, month -> destination of the month's (last) ended job search."""
    ends = _to_month(ends.mutate(month=ends.date))
    return ends.group_by(["person_id", "month"]).aggregate(
        search_end_destination=_.destination.argmax(_.date)
    )


def _to_month(table: ir.Table) -> ir.Table:
    """``month`` as the first day of its month (registers should already store it so)."""
    return table.mutate(month=ibis.date(table.month.year(), table.month.month(), 1))
