"""The result objects: frozen, serialisable, with figures; the study file and the CLI."""

from __future__ import annotations

import dataclasses
import json
import warnings

import pytest
from typer.testing import CliRunner

from tests.evaluation.did.did_testdata import MPDTA
from vaikutus.cli import app
from vaikutus.evaluation.did import AttGtResult, TwfeBiasWarning
from vaikutus.evaluation.outputs import to_jsonable


def test_result_is_frozen(mpdta_result):
    with pytest.raises(dataclasses.FrozenInstanceError):
        mpdta_result.critical_value = 1.0


def test_to_dict_is_json_and_holds_cells_aggregations_and_twfe(mpdta_result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwfeBiasWarning)
        payload = json.loads(json.dumps(to_jsonable(mpdta_result.to_dict())))
    assert len(payload["att_gt"]) == 12
    assert set(payload["aggregations"]) == {"simple", "dynamic", "group", "calendar"}
    dynamic = payload["aggregations"]["dynamic"]
    assert {"att", "se", "ci_low", "ci_high", "band_low", "band_high"} <= set(
        dynamic["estimates"][0]
    )
    assert payload["aggregations"]["simple"]["overall"]["att"] == pytest.approx(-0.0400, abs=6e-5)
    assert payload["twfe"]["estimate"] == pytest.approx(-0.0365, abs=1e-4)
    assert payload["twfe"]["negative_weight_share"] > 0 and payload["twfe"]["warnings"]


def test_summary_frame_and_figures(mpdta_result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwfeBiasWarning)
        text = mpdta_result.summary()
    assert (
        "Group-time ATTs" in text
        and "dynamic aggregation" in text
        and "Two-way fixed effects" in text
    )
    assert list(mpdta_result.to_frame()["att"]) == list(mpdta_result.att_gt["att"])
    figures = mpdta_result.figures()
    assert set(figures) == {"event_study", "group_time_att", "twfe_weights"}
    assert all(fig.axes for fig in figures.values())
    for kind in ("simple", "dynamic", "group", "calendar"):
        (figure,) = mpdta_result.aggregate(kind).figures().values()
        assert figure.axes[0].get_title()


def test_reporting_selects_aggregations(mpdta_result):
    reported = mpdta_result.reporting(["simple", "dynamic"], max_e=2)
    assert isinstance(reported, AttGtResult)
    assert list(reported.aggregations()) == ["simple", "dynamic"]
    assert reported.aggregations()["dynamic"].estimates["event_time"].max() == 2
    with pytest.raises(ValueError, match="unknown aggregation"):
        mpdta_result.reporting(["overall"])


STUDY = """
[study]
method = "did"
title = "Minimum wage and teen employment (mpdta)"

[data]
path = "{data}"

[did]
unit = "countyreal"
time = "year"
outcome = "lemp"
group = "first.treat"
control = "never"
method = "dr"
bootstrap = 199
seed = 42
aggregations = ["simple", "dynamic", "group"]
{extra}
"""


def _write_study(tmp_path, extra=""):
    study = tmp_path / "mpdta.toml"
    study.write_text(STUDY.format(data=MPDTA.as_posix(), extra=extra), encoding="utf-8")
    return study


def test_cli_evaluate_writes_result_report_and_figures(tmp_path):
    out = tmp_path / "out"
    with pytest.warns(TwfeBiasWarning, match="negative TWFE weights"):
        result = CliRunner().invoke(
            app, ["evaluate", str(_write_study(tmp_path)), "--out", str(out)]
        )
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "result.json").read_text(encoding="utf-8"))
    cells = {(c["group"], c["time"]): c for c in payload["att_gt"]}
    assert cells[(2004, 2006)]["att"] == pytest.approx(-0.1373, abs=6e-5)
    assert cells[(2004, 2006)]["se"] == pytest.approx(0.0364, abs=6e-5)
    assert set(payload["aggregations"]) == {"simple", "dynamic", "group"}
    assert payload["aggregations"]["simple"]["overall"]["att"] == pytest.approx(-0.0400, abs=6e-5)
    assert payload["aggregations"]["dynamic"]["overall"]["att"] == pytest.approx(-0.0772, abs=6e-5)
    assert payload["aggregations"]["group"]["overall"]["att"] == pytest.approx(-0.0310, abs=6e-5)
    assert payload["settings"]["seed"] == 42 and payload["study"]["did"]["bootstrap"] == 199
    assert "Callaway" in (out / "report.html").read_text(encoding="utf-8")
    for name in ("event_study", "group_time_att", "twfe_weights"):
        assert (out / f"{name}.png").stat().st_size > 1000
        assert (out / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "red"', "unknown key"),
        ('method = "ols"', "method must be one of"),
        ("balance_e = 9", "no event times left"),
    ],
)
def test_cli_reports_bad_did_tables(tmp_path, extra, message):
    study = _write_study(tmp_path, extra).read_text(encoding="utf-8").replace('method = "dr"\n', "")
    path = tmp_path / "bad.toml"
    path.write_text(study, encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert message in result.output and "bad.toml" in result.output
