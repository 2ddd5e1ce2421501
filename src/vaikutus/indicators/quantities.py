"""The quantities indicators are built from, and how each one adds up.

An indicator is a count, a ratio of two quantities or a statistic of unit data; the quantities are
the counts and sums underneath (unemployed persons, days of unemployment, euros paid...). Declaring
them once lets three things agree: the queries that compute them, the aggregation to higher areas
and periods, and disclosure control, which protects *quantities* (a number shown in two indicators
is one cell, suppressed the same way wherever it appears).

Attributes of a quantity:

* ``time`` - how quarters and years are formed from months: ``mean`` (stocks: TEM publishes annual
  averages of month-end stocks), ``sum`` (flows), ``distinct`` (distinct units over the period,
  computed from unit data) or ``none`` (month only).
* ``area`` - ``sum`` (municipalities add up to every higher area) or ``unit`` (computed per area from
  unit data: distinct counts, medians; not additive).
* ``base`` - the smallest area the quantity is known for: ``municipality``, or ``employment_area``
  for caseloads (experts belong to an employment area, not to a municipality).
* ``role`` - ``count`` (a number of persons or events: primary and secondary suppression apply),
  ``public`` (published elsewhere, e.g. the labour force: only the rate rule applies), ``tied``
  (a sum or statistic that reveals as much as its count: suppressed exactly where ``tied_to`` is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vaikutus.registry import codes

TimeKind = Literal["mean", "sum", "distinct", "none"]
AreaKind = Literal["sum", "unit"]
Role = Literal["count", "public", "tied"]

#: Flow horizons of indicators 9-11 in months.
FLOW_MONTHS = (3, 6, 12)
SERVICE_LINES = ("1", "2", "3")
#: Destinations of seed indicator 4 ("employment / entrepreneurship / study").
WORK_OR_STUDY = ("open_market_job", "subsidised_job", "entrepreneur", "education")
EVENTS = ("job_offers", "introductions")
RESPONDENTS = tuple(codes.SATISFACTION_RESPONDENTS)
LABOUR_FORCE_GROUPS = {"all": "labour_force_all", "foreign": "labour_force_foreign", "under_25": "labour_force_under25"}


@dataclass(frozen=True)
class Quantity:
    name: str
    time: TimeKind
    area: AreaKind = "sum"
    role: Role = "count"
    tied_to: str | None = None
    base: Literal["municipality", "employment_area"] = "municipality"


def _stock(name: str, **kw) -> Quantity:
    return Quantity(name, "mean", **kw)


def _flow(name: str, **kw) -> Quantity:
    return Quantity(name, "sum", **kw)


def _declare() -> tuple[Quantity, ...]:
    q: list[Quantity] = [
        _stock("unemployed"),
        _stock("unemployed_foreign"),
        _stock("unemployed_under25"),
        _stock("long_term_unemployed"),
        _stock("unemployment_days", role="tied", tied_to="unemployed"),
        Quantity("unemployment_duration_median", "none", area="unit", role="tied", tied_to="unemployed"),
        _stock("structural_comparable"),
        _stock("structural_after_services"),
        _stock("structural_service_to_service"),
        _stock("structural_unemployment"),
        _stock("in_activation"),
        _stock("activation_denominator"),
        _stock("in_extended_service"),
        _stock("extended_unemployment"),
        _stock("in_activation_ltu"),
        _stock("ltu_or_activated_ltu"),
        _stock("in_service_total"),
        *(_stock(f"in_service_{s}") for s in codes.SERVICES),
        _stock("plans_up_to_date"),
        _stock("plan_debt"),
        _stock("caseload_clients", base="employment_area"),
        _stock("caseload_experts", base="employment_area"),
        Quantity("caseload_median", "none", area="unit", role="tied", tied_to="caseload_experts",
                 base="employment_area"),
        Quantity("caseload_p90", "none", area="unit", role="tied", tied_to="caseload_experts",
                 base="employment_area"),
        *(_stock(name, role="public") for name in LABOUR_FORCE_GROUPS.values()),
        _flow("ended_searches"),
        *(_flow(f"ended_searches_{d}") for d in codes.SEARCH_END_DESTINATIONS),
        _flow("ended_searches_work_or_study"),
        _flow("spells_started"),
        *(_flow(f"spells_started_line_{line}") for line in SERVICE_LINES),
    ]
    for k in FLOW_MONTHS:
        q.append(_flow(f"crossed_{k}m"))
        q.extend(_flow(f"crossed_{k}m_line_{line}") for line in SERVICE_LINES)
    for event in EVENTS:
        q += [
            _flow(event),
            _flow(f"{event}_hired"),
            Quantity(f"{event}_persons", "distinct", area="unit"),
            Quantity(f"{event}_vacancies", "distinct", area="unit"),
        ]
    q.append(_stock("benefit_recipients_total"))
    q.append(_flow("benefits_paid_total", role="tied", tied_to="benefit_recipients_total"))
    for b in codes.BENEFITS:
        q.append(_stock(f"benefit_recipients_{b}"))
        q.append(_flow(f"benefits_paid_{b}", role="tied", tied_to=f"benefit_recipients_{b}"))
    for r in RESPONDENTS:
        q.append(_flow(f"satisfaction_answers_{r}"))
        q.append(_flow(f"satisfaction_score_{r}", role="tied", tied_to=f"satisfaction_answers_{r}"))
    q += [
        _flow("kykyviisari_pairs"),
        _flow("kykyviisari_improved"),
        _flow("kykyviisari_change", role="tied", tied_to="kykyviisari_pairs"),
    ]
    return tuple(q)


QUANTITIES: dict[str, Quantity] = {q.name: q for q in _declare()}


def _families() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Totals and the parts they are the sum of: (total, parts).

    Disclosure control treats every family as an exact sum, also where the register makes the total
    smaller than the sum of its parts (a person in two services counts once in the total): that
    protects more, never less.
    """
    fam = [
        ("ended_searches", tuple(f"ended_searches_{d}" for d in codes.SEARCH_END_DESTINATIONS)),
        ("ended_searches_work_or_study", tuple(f"ended_searches_{d}" for d in WORK_OR_STUDY)),
        ("structural_unemployment", ("long_term_unemployed", "structural_comparable",
                                     "structural_after_services", "structural_service_to_service")),
        ("activation_denominator", ("unemployed", "in_activation")),
        ("extended_unemployment", ("unemployed", "in_extended_service")),
        ("ltu_or_activated_ltu", ("long_term_unemployed", "in_activation_ltu")),
        ("unemployed", ("plans_up_to_date", "plan_debt")),
        ("in_service_total", tuple(f"in_service_{s}" for s in codes.SERVICES)),
        ("spells_started", tuple(f"spells_started_line_{line}" for line in SERVICE_LINES)),
        ("benefit_recipients_total", tuple(f"benefit_recipients_{b}" for b in codes.BENEFITS)),
    ]
    fam += [(f"crossed_{k}m", tuple(f"crossed_{k}m_line_{line}" for line in SERVICE_LINES)) for k in FLOW_MONTHS]
    return tuple(fam)


FAMILIES = _families()


def aliases(activation_services: tuple[str, ...], extended_services: tuple[str, ...]) -> dict[str, str]:
    """Quantities that are the same number under the given parameters, mapped to one name.

    With the default parameters extended unemployment uses the activation-rate services (DOMAIN
    A5), so its count and the activation-rate denominator are one cell: declaring them one keeps
    disclosure control from hiding a number in one place and showing it in the other.
    """
    if set(activation_services) == set(extended_services):
        return {"activation_denominator": "extended_unemployment", "in_extended_service": "in_activation"}
    return {}


def quantity(name: str) -> Quantity:
    try:
        return QUANTITIES[name]
    except KeyError:
        raise KeyError(f"unknown quantity {name!r}") from None
