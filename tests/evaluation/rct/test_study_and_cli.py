"""A trial from plan to result through the ``vaikutus trial`` commands and the study file."""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from vaikutus.evaluation import rct
from vaikutus.evaluation.rct import study as trial_study
from vaikutus.evaluation.rct.commands import register
from vaikutus.evaluation.study import StudyError, load_data, load_study, run_study

runner = CliRunner()
app = typer.Typer()
register(app)

STUDY = """
[study]
method = "rct"
title = "Coaching trial"

[population]
assessed = 500

[design]
kind = "blocked"
strata = ["area"]
block_sizes = [4]
seed = 987654321987654321

[rct]
outcomes = ["employed", "earnings"]
take_up = "received"
covariates = ["age"]
strata = ["area"]
blocks = "block"
multiple_testing = "bh"
subgroups = ["sex"]
ri_draws = 200

[data]
path = "outcomes.csv"
"""


def invoke(*args: str) -> str:
    result = runner.invoke(app, ["trial", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture()
def trial_dir(memory_dir: Path) -> Path:
    """An on-arrival trial with 300 enrolled persons and their register outcomes."""
    (memory_dir / "study.toml").write_text(STUDY)
    rng = np.random.default_rng(8)
    invoke("enrol", "--trial", str(memory_dir), "--person", "P000", "--stratum", "area=north")
    store = rct.open_trial(memory_dir)
    for i in range(1, 300):
        store.enrol(f"P{i:03d}", {"area": ["north", "south"][i % 2]})
    enrolled = store.frame()
    register = enrolled[["person_id", "treatment"]].iloc[:285].copy()  # 15 never reach the register
    n = len(register)
    register["age"] = rng.integers(20, 64, n)
    register["sex"] = rng.choice(["F", "M"], n)
    register["received"] = register["treatment"] * (rng.random(n) < 0.8)
    register["employed"] = (rng.random(n) < 0.2 + 0.25 * register["received"]).astype(float)
    register["earnings"] = (
        2000 + 20 * register["age"] + 900 * register["received"] + rng.normal(0, 500, n)
    )
    register.loc[register.index[:10], "employed"] = np.nan  # outcome missing
    register.drop(columns="treatment").to_csv(memory_dir / "outcomes.csv", index=False)
    return memory_dir


def test_analyse_a_completed_on_arrival_trial(trial_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "result"
    invoke("analyse", str(trial_dir), "--out", str(out))
    result = json.loads((out / "result.json").read_text())
    effects = {(e["outcome"], e["estimand"]): e for e in result["effects"]}
    assert set(effects) == {
        (o, e) for o in ("employed", "earnings") for e in ("ITT", "complier effect (2SLS)")
    }
    late = effects[("earnings", "complier effect (2SLS)")]
    assert late["ci_low"] < 900 < late["ci_high"]
    assert effects[("earnings", "ITT")]["p_value_ri"] == pytest.approx(1 / 201)
    consort = result["consort"]
    assert (
        consort["assessed"] == 500 and consort["excluded"] == 200 and consort["randomised"] == 300
    )
    assert sum(consort["lost"].values()) == 25 and sum(consort["analysed"].values()) == 275
    assert result["plan_sha256"] == rct.pre_analysis_plan(tomllib.loads(STUDY)).sha256
    assert {p.name for p in out.glob("*.png")} == {
        "effects.png",
        "balance.png",
        "consort.png",
        "randomisation_inference.png",
    }
    assert "Coaching trial" in (out / "report.html").read_text()


def test_a_plan_change_after_registration_is_reported(trial_dir: Path, tmp_path: Path) -> None:
    study_file = trial_dir / "study.toml"
    study_file.write_text(
        study_file.read_text().replace("ri_draws = 200", "ri_draws = 0")
    )  # speed only
    output = invoke("plan", str(trial_dir), "--out", str(tmp_path))
    registered = re.search(r"plan hash \(sha256\): (\w+)", output).group(1)
    study = load_study(study_file)
    study["study"]["registered_plan_sha256"] = registered
    data = load_data(study)
    assert "plan matches the registered plan" in "".join(trial_study.run(study, data).notes)
    study["rct"]["multiple_testing"] = "none"
    assert any(note.startswith("DEVIATION") for note in trial_study.run(study, data).notes)


def test_register_rows_must_match_the_log(trial_dir: Path, tmp_path: Path) -> None:
    data = pd.read_csv(trial_dir / "outcomes.csv")
    pd.concat([data, data.iloc[[0]].assign(person_id="STRANGER")]).to_csv(
        trial_dir / "outcomes.csv", index=False
    )
    with pytest.raises(StudyError, match="not in the enrolment log"):
        run_study(trial_dir / "study.toml", tmp_path)


def test_consort_export_and_verify_commands(trial_dir: Path, tmp_path: Path) -> None:
    output = invoke("consort", str(trial_dir), "--out", str(tmp_path))
    assert "assessed" in output and (tmp_path / "consort.png").exists()
    assert json.loads((tmp_path / "consort.json").read_text())["randomised"] == 300
    invoke("export", "--trial", str(trial_dir), "--out", str(tmp_path / "enrolled.csv"))
    assert len(pd.read_csv(tmp_path / "enrolled.csv")) == 300
    assert "log verified: 300 entries" in invoke("verify-log", str(trial_dir))
    again = invoke(
        "enrol", "--trial", str(trial_dir), "--person", "P000", "--stratum", "area=north"
    )
    assert "already enrolled earlier" in again

    with sqlite3.connect(trial_dir / "enrolment.sqlite") as con:
        con.execute("DROP TRIGGER log_no_update")
        con.execute(
            'UPDATE log SET entry = replace(entry, \'"area":"south"\', \'"area":"north"\') '
            "WHERE seq = 42"
        )
    failed = runner.invoke(app, ["trial", "verify-log", str(trial_dir)])
    assert failed.exit_code == 1 and "entry 42: content was changed" in failed.output


def test_batch_assignment_command(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    persons = pd.DataFrame(
        {
            "person_id": [f"B{i:03d}" for i in range(120)],
            "area": rng.choice(["91", "92"], 120),
            "age": rng.integers(20, 64, 120),
        }
    )
    persons.to_csv(tmp_path / "persons.csv", index=False)
    (tmp_path / "study.toml").write_text(
        '[study]\nmethod = "rct"\n[design]\nkind = "stratified"\nstrata = ["area"]\nseed = 77\n'
    )
    out = tmp_path / "out"
    output = invoke(
        "assign",
        str(tmp_path / "persons.csv"),
        "--study",
        str(tmp_path),
        "--out",
        str(out),
        "--balance",
        "age,area",
    )
    assigned = pd.read_csv(out / "assignment.csv", dtype={"person_id": str})
    assert (
        assigned.groupby("area")["treatment"].apply(lambda t: abs(2 * t.sum() - len(t)) <= 1).all()
    )
    assert "joint p" in output and (out / "balance.png").exists()
    assert "log verified: 121 entries" in invoke("verify-log", str(out / "assignment_log.jsonl"))
    invoke(
        "assign",
        str(tmp_path / "persons.csv"),
        "--study",
        str(tmp_path),
        "--out",
        str(tmp_path / "again"),
    )
    assert (out / "assignment.csv").read_bytes() == (
        tmp_path / "again" / "assignment.csv"
    ).read_bytes()


def test_power_commands_print_the_api_numbers() -> None:
    output = invoke("mde", "--n", "800", "--baseline-rate", "0.15", "--take-up", "0.8")
    assert (
        f"{rct.mde(n=800, baseline_rate=0.15, take_up=0.8):.4g}" in output
        and "receive the service" in output
    )
    output = invoke(
        "sample-size", "--mde", "300", "--sd", "2000", "--icc", "0.05", "--cluster-size", "20"
    )
    assert (
        f"{rct.sample_size(mde=300, sd=2000, icc=0.05, cluster_size=20):.1f}" in output
        and "clusters of 20" in output
    )
    assert f"{rct.power(n=500, mde=0.2, sd=1):.4f}" in invoke(
        "power", "--n", "500", "--mde", "0.2", "--sd", "1"
    )
    failed = runner.invoke(app, ["trial", "power", "--n", "500", "--mde", "0.2"])
    assert failed.exit_code == 2 and "exactly one of sd" in failed.output


def test_init_writes_a_study_file_that_plans(tmp_path: Path) -> None:
    invoke("init", str(tmp_path / "new"))
    study = tomllib.loads((tmp_path / "new" / "study.toml").read_text())
    assert study["design"]["kind"] == "blocked" and study["design"]["seed"] > 2**40
    output = invoke("plan", str(tmp_path / "new"), "--out", str(tmp_path / "plan"))
    assert (tmp_path / "plan" / "pre_analysis_plan.pdf").exists() and "plan hash" in output
    assert runner.invoke(app, ["trial", "init", str(tmp_path / "new")]).exit_code == 2


def test_simulate_command_on_the_warehouse(warehouse: Path, tmp_path: Path) -> None:
    (tmp_path / "study.toml").write_text(
        '[study]\nmethod = "rct"\ntitle = "Sim"\n'
        '[population]\nmonth = "2025-01-01"\nareas = [91, 92, 93]\n'
        '[design]\nkind = "blocked"\nstrata = ["employment_area"]\nblock_sizes = [2, 4]\nseed = 1\n'
        '[simulation]\noutcome = "employed_followup"\neffect = 0.1\nsample = 400\nreps = 200\n'
        'covariates = ["education"]\n'
    )
    output = invoke(
        "simulate", str(tmp_path), "--warehouse", str(warehouse), "--out", str(tmp_path / "sim")
    )
    assert "coverage_95" in output
    result = json.loads((tmp_path / "sim" / "result.json").read_text())
    assert {d["diagnosand"] for d in result["diagnosands"]} >= {"power", "bias", "coverage_95"}
