"""Building blocks of the package against known answers: intervals, Kaplan-Meier, disclosure
control, "what changed" sentences, number formats and input fingerprints."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from vaikutus.indicators.suppression import determined_cells
from vaikutus.reports import changes, stats
from vaikutus.reports.disclosure import Disclosure, Family, _deduplicate, _relations, cells_frame
from vaikutus.reports.i18n import NBSP, Numbers, text
from vaikutus.reports.manifest import fingerprint
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear

Z = 1.959963984540054


def test_half_year_parsing_and_previous():
    p = HalfYear.parse("2026h1")
    assert (p.first_month.month, p.last_month.month, p.quarters) == (1, 6, ("2026-Q1", "2026-Q2"))
    assert p.previous().label == "2025H2" and HalfYear.parse("2025H2").previous().label == "2025H1"
    with pytest.raises(ValueError, match="YYYYH1"):
        HalfYear.parse("2026-06")


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="event_window"):
        PackageParameters(event_window=(0, 24))
    with pytest.raises(ValueError, match="start with 0"):
        PackageParameters(earnings_thresholds_eur=(1000.0,))
    p = PackageParameters(horizons=(6, 12))
    assert PackageParameters.from_dict(p.to_dict()) == p


def test_wilson_matches_the_textbook_value():
    # Wilson 95 % interval of 3/10 is (0.1078, 0.6032) (Newcombe 1998, table I)
    lo, hi = stats.wilson([3], [10], Z)
    assert lo[0] == pytest.approx(0.1078, abs=1e-4) and hi[0] == pytest.approx(0.6032, abs=1e-4)


def test_wilson_interval_contains_the_share_at_zero_and_one():
    x, n = np.array([0.0, 7.0, 0.0, 9.0]), np.array([7.0, 7.0, 9.333, 9.0])
    lo, hi = stats.wilson(x, n, Z)
    assert (lo <= x / n).all() and (x / n <= hi).all()
    assert lo[0] == 0.0 and hi[1] == 1.0


def test_mean_interval_from_sums_matches_scipy():
    x = np.array([1200.0, 0.0, 350.5, 2200.0, 80.0])
    mean, lo, hi = stats.mean_interval(x.sum(), (x**2).sum(), len(x), Z)
    from scipy import stats as st
    ref = st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=st.sem(x))
    assert mean == pytest.approx(x.mean()) and lo == pytest.approx(ref[0]) and hi == pytest.approx(ref[1])


def test_median_ranks_bracket_the_median():
    mid, lo, hi = stats.median_ranks(np.array([100]), Z)
    assert (mid[0], lo[0], hi[0]) == (50, 40, 61)


def test_kaplan_meier_matches_statsmodels():
    rng = np.random.default_rng(3)
    n = 400
    t_event = rng.geometric(0.12, n) - 1
    t_censor = rng.integers(0, 25, n)
    t = np.minimum(t_event, t_censor)
    status = (t_event <= t_censor).astype(int)
    events = np.bincount(t[status == 1], minlength=25)[None, :]
    censored = np.bincount(t[status == 0], minlength=25)[None, :]
    km = stats.kaplan_meier(events, censored, Z)
    ref = SurvfuncRight(t, status)
    for k in (0, 3, 6, 12):
        below = ref.surv_times <= k
        s_ref = ref.surv_prob[below][-1] if below.any() else 1.0
        assert km["share"][0, k] == pytest.approx(1 - s_ref, abs=1e-12)
    assert km["reached"][0, -1] == status.sum()


def test_rank_intervals_cover_the_point_rank():
    x = np.array([10, 50, 100, 200])
    n = np.array([1000, 1000, 1000, 1000])
    rank, lo, hi = stats.rank_intervals(x, n, higher_is_first=True, draws=500, z=Z)
    assert list(rank) == [4, 3, 2, 1]
    assert (lo <= rank).all() and (rank <= hi).all()


def _small_table() -> tuple[pd.DataFrame, list[Family]]:
    """Two areas and the country; states a and b with their total; area 1 has 3 in state a."""
    rows = [("1", "a", 3), ("1", "b", 10), ("2", "a", 7), ("2", "b", 20), ("SSS", "a", 10), ("SSS", "b", 30)]
    f = pd.DataFrame(rows, columns=["area_code", "state", "persons"]).assign(cohort="c", group_dim="all",
                                                                              group_code="all", k=6)
    totals = f.groupby(["area_code", "cohort", "group_dim", "group_code", "k"], as_index=False).persons.sum()
    keys = dict(cohort="cohort", area_code="area_code", group_dim="group_dim", group_code="group_code", k="k")
    parts = [cells_frame(f, "in_state", "persons", **keys, state="state"), cells_frame(totals, "observed", "persons", **keys)]
    return parts, [Family("observed", "in_state", ("state",))]


def test_disclosure_hides_small_counts_and_what_gives_them_away():
    parts, families = _small_table()
    d = Disclosure.public(parts, families, threshold=5)
    cells = _deduplicate(pd.concat(parts, ignore_index=True))
    hidden = d.cells["hidden"].reindex(pd.MultiIndex.from_frame(cells.drop(columns="value"))).to_numpy()
    assert hidden.sum() >= 4  # 3 itself, its row and column partners, and their partner
    assert len(determined_cells(hidden, _relations(cells, families))) == 0
    rows = pd.DataFrame({"cohort": "c", "area_code": ["1", "2"], "group_dim": "all", "group_code": "all", "k": 6,
                         "state": "a"})
    assert list(d.hidden_for(rows, "in_state", cohort="cohort", area_code="area_code", group_dim="group_dim",
                             group_code="group_code", k="k", state="state")) == [True, True]
    again = Disclosure.public(parts, families, threshold=5)
    assert again.cells["hidden"].equals(d.cells["hidden"])
    assert Disclosure.internal(5).hidden_for(rows, "in_state", state="state").sum() == 0


def test_one_cell_with_two_counts_is_an_error():
    parts, families = _small_table()
    clash = parts[1].copy()
    clash.loc[0, "value"] += 1
    with pytest.raises(ValueError, match="two different counts"):
        Disclosure.public([*parts, clash], families, threshold=5)


def _figures(now: float, before: float, base: float) -> pd.DataFrame:
    rows = []
    for period, value in (("2025H1", now), ("2024H2", before)):
        se = np.sqrt(value * (100 - value) / base)
        rows.append(("unemployment_share", "percent", "8", value, base, se, period))
        rows.append(("entrants", "count", "8", 1000.0, 1000.0, np.sqrt(1000.0), period))
    return pd.DataFrame(rows, columns=["figure", "kind", "area_code", "value", "base", "se", "period"])


@pytest.mark.parametrize("lang, expected", [
    ("fi", f"Työttömien työnhakijoiden osuus työvoimasta nousi 0,4 prosenttiyksikköä 9,1{NBSP}%:iin."),
    ("sv", f"De arbetslösa arbetssökandenas andel av arbetskraften steg med 0,4 procentenheter till 9,1{NBSP}%."),
    ("en", "The share of unemployed jobseekers in the labour force rose by 0.4 percentage points to 9.1%."),
])
def test_change_sentences_beyond_noise(lang, expected):
    compared = changes.compare(_figures(9.1, 8.7, 400_000), "2025H1", "2024H2", "8", Z)
    out = changes.sentences(compared, lang, "Helsinki")
    assert out[0] == expected
    # the unchanged count is named in the closing "within noise" sentence
    assert text("figure.entrants.subject", lang) in out[-1]


def test_change_within_noise_is_not_claimed():
    compared = changes.compare(_figures(9.1, 8.7, 500), "2025H1", "2024H2", "8", Z)
    assert not compared.beyond_noise.any()
    assert all("0,4" not in s for s in changes.sentences(compared, "fi", "Helsinki"))


def test_number_formats():
    assert Numbers("fi").percent(0.0912) == f"9,1{NBSP}%"
    assert Numbers("fi").number(1234567.5, 1) == f"1{NBSP}234{NBSP}567,5"
    assert Numbers("en").euros(1234) == "€1,234"
    assert Numbers("sv").number(-0.04, 1) == "0,0"


def test_fingerprint_is_of_content_not_order(tmp_path):
    path = tmp_path / "f.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE a AS SELECT * FROM (VALUES (1, 'x', DATE '2024-01-01'), (2, NULL, NULL)) t(i, s, d)")
        con.execute("CREATE TABLE b AS SELECT * FROM a ORDER BY i DESC")
        con.execute("CREATE TABLE c AS SELECT * REPLACE (CASE WHEN i = 2 THEN 'y' ELSE s END AS s) FROM a")
        fa, fb, fc = (fingerprint(con, t) for t in "abc")
    assert fa["sha256"] == fb["sha256"] and fa["rows"] == 2
    assert fc["sha256"] != fa["sha256"]
