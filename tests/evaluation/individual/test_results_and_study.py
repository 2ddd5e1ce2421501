"""The result objects through the evaluation seam: summary, JSON, figures, report, study files."""

from __future__ import annotations

import json

import pytest

from tests.evaluation.individual.conftest import LALONDE_COVARIATES, simulate
from vaikutus.evaluation.individual import estimate
from vaikutus.evaluation.outputs import EvaluationResult, to_jsonable
from vaikutus.evaluation.study import StudyError, run_study


def test_result_serialises_and_draws_its_figures():
    import matplotlib.pyplot as plt

    data = simulate(1500, seed=31)
    data["old"] = data["x1"] > 0.5
    result = estimate(
        data,
        treatment="d",
        outcome=["y", "y_binary"],
        covariates=["x1", "x2"],
        method="match",
        subgroups=["old"],
    )
    assert isinstance(result, EvaluationResult)
    payload = json.loads(json.dumps(to_jsonable(result.to_dict())))
    assert payload["effects"][0]["outcome"] == "y"
    assert {"estimate", "se", "ci_low", "ci_high"} <= set(payload["effects"][0])
    assert payload["diagnostics"]["rosenbaum_bounds"]
    figures = result.figures()
    assert set(figures) == {"effects", "overlap", "love_plot", "subgroups", "rosenbaum_bounds"}
    for figure in figures.values():
        plt.close(figure)
    assert "Effects (95% confidence intervals)" in result.summary()


def test_study_file_runs_lalonde_matching(tmp_path, nsw_cps):
    nsw_cps.to_csv(tmp_path / "nsw_cps.csv", index=False)
    (tmp_path / "study.toml").write_text(f"""
[study]
method = "individual"
title = "NSW training, CPS comparisons"

[data]
path = "nsw_cps.csv"

[individual]
treatment = "treat"
outcome = ["re78"]
covariates = {json.dumps(LALONDE_COVARIATES)}
method = "match"
neighbours = 5
""")
    written = run_study(tmp_path / "study.toml", tmp_path / "out")
    assert written.report_html.exists() and "love_plot" in written.figures
    payload = json.loads(written.result_json.read_text())
    effect = payload["effects"][0]
    assert effect["ci_low"] < 1794.34 < effect["ci_high"]
    assert payload["study"]["individual"]["method"] == "match"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('treatment = "treat"\noutcome = "re78"', "needs covariates"),
        (
            'treatment = "treat"\noutcome = "re78"\ncovariates = ["age"]\nmethod = "psm"',
            "method must be",
        ),
        (
            'treatment = "treat"\noutcome = "re78"\ncovariates = ["age"]\nneighbors = 3',
            "unknown key",
        ),
    ],
)
def test_study_errors_name_the_file_and_key(tmp_path, nsw_experiment, table, message):
    nsw_experiment.to_csv(tmp_path / "nsw.csv", index=False)
    (tmp_path / "study.toml").write_text(
        f'[study]\nmethod = "individual"\n[data]\npath = "nsw.csv"\n[individual]\n{table}\n'
    )
    with pytest.raises(StudyError, match=message) as error:
        run_study(tmp_path / "study.toml", tmp_path / "out")
    assert "study.toml" in str(error.value)
