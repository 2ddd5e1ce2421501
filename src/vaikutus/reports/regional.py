"""Regional differences: every indicator by employment area against the country and peer areas.

Half-year values come from the indicator stage's quarterly rows (``indicator_values`` or, for a
public package, ``indicator_values_public``, already suppressed): a rate or mean is recomputed
from the summed numerators and denominators of the two quarters, a stock count is their average,
a flow count their sum; a figure of distinct units or a statistic (median, percentile), which do
not add up over time, is the value of the period's last month. A half-year figure is hidden when
a quarter it is built from is hidden, so nothing is shown that the quarters did not already show.

The package adds its own cohort rates (share in work or in a service k months after entry).

* Intervals: Wilson for rates (numerator persons of denominator persons); counts, means and
  statistics have none and are therefore not ranked ("no league table without intervals").
* Rankings: rank 1 = the highest value, with the 95 % interval of the rank (``stats.rank_intervals``).
* Funnel: each area's rate against the national rate with 95 % and 99.8 % binomial limits.
* Peers: the ``peer_count`` employment areas nearest to the area in (log labour force,
  unemployment share of the period), both standardised over the areas; a peer figure is the
  pooled rate (sum of numerators over sum of denominators) or, for counts and means, the mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vaikutus.indicators.definitions import IndicatorDefinition, catalog
from vaikutus.indicators.quantities import QUANTITIES
from vaikutus.reports import stats
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear
from vaikutus.reports.states import COUNTRY

LEVELS = ("employment_area", "country")
PEER_FEATURES = ("unemployment_share",)
HIDDEN_FLAGS = ("suppressed", "secondary_suppressed")


def half_year_values(indicators: pd.DataFrame, period: HalfYear) -> pd.DataFrame:
    """One row per indicator and area (employment areas and the country) for the half-year."""
    t = indicators[indicators.area_type.astype(str).isin(LEVELS)].copy()
    t["indicator"] = t["indicator"].astype(str)
    present = set(t.indicator.unique())
    defs = [d for d in catalog() if d.id in present]
    basis = pd.Series({d.id: _basis(d) for d in defs}, name="basis")
    scale = pd.Series({d.id: d.scale for d in defs}, name="scale")
    t = t[t.indicator.isin(basis.index)]
    t = t.join(basis, on="indicator")
    last = t[(t.basis == "last_month") & (t.period == period.last_month_label)]
    last = last[["indicator", "area_code", "value", "numerator", "denominator", "flag", "basis"]]
    q = t[(t.basis != "last_month") & t.period.isin(period.quarters)].assign(hidden=lambda x: x.flag.isin(HIDDEN_FLAGS))
    g = q.groupby(["indicator", "area_code"], sort=False)
    agg = g.agg(basis=("basis", "first"), n=("period", "size"), num=("numerator", "sum"),
                den=("denominator", "sum"), n_num=("numerator", "count"), n_den=("denominator", "count"),
                hidden=("hidden", "any")).reset_index()
    ratio = agg.basis == "ratio_of_sums"
    mean = agg.basis == "mean_of_quarters"
    complete = (agg.n == 2) & (agg.n_num == 2) & (~ratio | (agg.n_den == 2))
    num = np.where(mean, agg.num / 2, agg.num)
    den = np.where(ratio, agg.den, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(ratio, np.where(agg.den > 0, agg.indicator.map(scale) * agg.num / agg.den, np.nan), num)
    combined = pd.DataFrame({
        "indicator": agg.indicator, "area_code": agg.area_code, "value": np.where(complete, value, np.nan),
        "numerator": np.where(complete, num, np.nan), "denominator": np.where(complete, den, np.nan),
        "flag": np.where(agg.hidden, "suppressed", None), "basis": agg.basis})
    combined.loc[combined.flag.isna() & combined.value.isna(), "flag"] = "not_available"
    out = pd.concat([combined, last], ignore_index=True)
    out["period"] = period.label
    return out


def _basis(d: IndicatorDefinition) -> str:
    if d.kind == "statistic" or "quarter" not in d.periods:
        return "last_month"
    if d.kind in ("rate", "mean"):
        return "ratio_of_sums"
    time = QUANTITIES[d.numerator].time
    return {"mean": "mean_of_quarters", "sum": "sum_of_quarters"}.get(time, "last_month")


def peer_areas(values: pd.DataFrame, k: int) -> pd.DataFrame:
    """The k nearest employment areas of each area in standardised (log labour force,
    unemployment share)."""
    u = values[(values.indicator == "unemployment_share") & (values.area_code != COUNTRY)]
    u = u.dropna(subset=["value", "denominator"])
    if len(u) < 2:
        return pd.DataFrame(columns=["area_code", "peer_code", "distance", "peer_rank"])
    x = np.column_stack([np.log(u.denominator.to_numpy(float)), u.value.to_numpy(float)])
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    codes = u.area_code.to_numpy()
    rows = []
    for i, code in enumerate(codes):
        order = np.lexsort((codes, dist[i]))[: min(k, len(codes) - 1)]
        rows += [(code, codes[j], float(dist[i, j]), r + 1) for r, j in enumerate(order)]
    return pd.DataFrame(rows, columns=["area_code", "peer_code", "distance", "peer_rank"])


def with_intervals(values: pd.DataFrame, kinds: dict[str, str], params: PackageParameters) -> pd.DataFrame:
    """Wilson intervals, national value, rank and rank interval, funnel position - for rates."""
    v = values.copy()
    v["kind"] = v.indicator.map(kinds).fillna("count")
    is_rate = (v.kind == "rate") & v.value.notna() & (v.denominator > 0)
    scale = np.where(v.kind == "rate", v.value / (v.numerator / v.denominator), 1.0)
    scale = pd.Series(scale).where(is_rate).groupby(v.indicator.to_numpy()).transform("max").fillna(1.0).to_numpy()
    v["scale"] = scale
    lo, hi = stats.wilson(v.numerator.where(is_rate), v.denominator.where(is_rate), params.z)
    v["ci_low"], v["ci_high"] = lo * scale, hi * scale
    country = v[v.area_code == COUNTRY].set_index("indicator")
    v["country_value"] = v.indicator.map(country.value)
    for col in ("rank", "rank_low", "rank_high"):
        v[col] = np.nan
    v["funnel"] = None
    areas = is_rate & (v.area_code != COUNTRY)
    for ind, idx in v[areas].groupby("indicator").groups.items():
        part = v.loc[idx]
        if len(part) < 2:
            continue
        rank, rlo, rhi = stats.rank_intervals(part.numerator.round(), part.denominator.round(),
                                              higher_is_first=True, draws=params.rank_draws, z=params.z)
        v.loc[idx, "rank"], v.loc[idx, "rank_low"], v.loc[idx, "rank_high"] = rank, rlo, rhi
        p0 = country.loc[ind, "numerator"] / country.loc[ind, "denominator"] if ind in country.index else np.nan
        if np.isfinite(p0):
            v.loc[idx, "funnel"] = _funnel_position(part.numerator / part.denominator, part.denominator, p0,
                                                    params.funnel_levels)
    return v


def _funnel_position(p: pd.Series, n: pd.Series, p0: float, levels: tuple[float, ...]) -> np.ndarray:
    inner, outer = sorted(levels)
    lo_i, hi_i = stats.funnel_limits(p0, n.to_numpy(), inner)
    lo_o, hi_o = stats.funnel_limits(p0, n.to_numpy(), outer)
    p = p.to_numpy()
    return np.select([p > hi_o, p > hi_i, p < lo_o, p < lo_i],
                     ["above_outer", "above_inner", "below_outer", "below_inner"], "within")


def peer_values(v: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame:
    """Each area's peer figure for every indicator: the pooled rate (sum of numerators over sum of
    denominators) for rates, the mean of the peers' values otherwise; missing if a peer's is."""
    if peers.empty:
        return pd.DataFrame(columns=["indicator", "area_code", "peer_value"])
    joined = peers[["area_code", "peer_code"]].merge(
        v[["indicator", "area_code", "kind", "scale", "value", "numerator", "denominator"]]
        .rename(columns={"area_code": "peer_code"}), on="peer_code")
    joined["missing"] = joined.value.isna()
    g = joined.groupby(["indicator", "area_code"])
    agg = g.agg(kind=("kind", "first"), scale=("scale", "first"), mean=("value", "mean"), num=("numerator", "sum"),
                den=("denominator", "sum"), missing=("missing", "any"))
    pooled = agg.scale * agg.num / agg.den
    value = np.where((agg.kind == "rate") & (agg.den > 0), pooled, agg["mean"])
    out = pd.DataFrame({"peer_value": np.where(agg.missing, np.nan, value)}, index=agg.index)
    return out.reset_index()
