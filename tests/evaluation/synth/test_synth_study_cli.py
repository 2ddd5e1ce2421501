"""``vaikutus evaluate`` on a Proposition 99 study file: result.json, figures and report.html.

This is also the Prop 99 placebo test: ADH (2010) find California's post/pre RMSPE ratio the
largest of all 39 states, p = 1/39 = 0.026. They prune placebos with a pre-period MSPE above 5
times California's for their gap figures (and report 1/30 there); the pruned rank p is reported
too and must again put California first.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.evaluation.synth.synth_testdata import PROP99, PUBLISHED_WEIGHTS
from vaikutus.cli import app
from vaikutus.evaluation.study import StudyError, load_study
from vaikutus.evaluation.synth import study as synth_study

STUDY = f"""
[study]
method = "synth"
title = "California Proposition 99 (ADH 2010)"

[data]
path = "{PROP99.as_posix()}"

[synth]
unit = "state"
time = "year"
outcome = "cigsale"
treated = "California"
start = 1989
method = "classic"
v = "optimize"
predictors = [
  {{column = "lnincome", periods = [1980, 1988], aggregation = "mean"}},
  {{column = "age15to24", periods = [1980, 1988]}},
  {{column = "retprice", periods = [1980, 1988]}},
  {{column = "beer", periods = [1984, 1988]}},
  {{column = "cigsale", periods = 1975}},
  {{column = "cigsale", periods = 1980}},
  {{column = "cigsale", periods = 1988}},
]

[inference]
placebo = true
prune = 5.0
"""


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prop99")
    study = folder / "prop99.toml"
    study.write_text(STUDY, encoding="utf-8")
    out = folder / "out"
    result = CliRunner().invoke(app, ["evaluate", str(study), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "result.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_result_json_holds_the_published_weights_and_fit(evaluated):
    _, payload = evaluated
    for state, published in PUBLISHED_WEIGHTS.items():
        assert payload["weights"][state] == pytest.approx(published, abs=0.015)
    assert 1.74 < payload["pre_rmspe"] < 1.78
    assert payload["post_rmspe"] > 10 * payload["pre_rmspe"]
    gap_2000 = next(row["gap"] for row in payload["path"] if row["time"] == 2000)
    assert -30 < gap_2000 < -22
    assert payload["study"]["synth"]["treated"] == "California"


@pytest.mark.slow
def test_placebo_p_values_match_adh_2010(evaluated):
    _, payload = evaluated
    assert payload["p_value"] == pytest.approx(1 / 39)
    units = payload["placebo"]["units"]
    assert len(units) == 39
    assert units[0]["unit"] == "California" and units[0]["rank"] == 1
    kept = sum(u["kept_after_pruning"] for u in units)
    assert 20 <= kept < 39
    assert payload["p_value_pruned"] == pytest.approx(1 / kept)


@pytest.mark.slow
def test_figures_and_report_are_written(evaluated):
    out, payload = evaluated
    for name in ("trajectory", "gap", "weights", "placebo_ratios"):
        assert (out / f"{name}.png").stat().st_size > 1000
        assert (out / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "California Proposition 99" in report
    assert "gap.svg" in report
    assert f"{payload['p_value']:.4f}" in report  # the summary shows the placebo p-value


def test_study_errors_name_the_file_and_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        STUDY.replace('method = "classic"', 'method = "classic"\nbogus = 1'), encoding="utf-8"
    )
    study = load_study(path)
    with pytest.raises(StudyError, match=r"bad.toml: \[synth\] has unknown key\(s\) bogus"):
        synth_study.run(study, None)
    path.write_text(STUDY.replace("start = 1989", "start = 1960"), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "start" in result.output and "bad.toml" in result.output
