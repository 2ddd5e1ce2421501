"""Pre-analysis plan: hash that reveals changes, seed kept concealed, valid PDF with the hash."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pypdf
import pytest

from vaikutus.evaluation.rct.plan import pre_analysis_plan, seed_commitment
from vaikutus.evaluation.rct.poweranalysis import mde

STUDY = {
    "study": {"method": "rct", "title": "Intensive coaching, Pirkanmaa"},
    "population": {
        "description": "Unemployed 12+ months.",
        "areas": [91],
        "min_unemployment_days": 365,
    },
    "design": {
        "kind": "blocked",
        "strata": ["employment_area", "age_group"],
        "block_sizes": [2, 4],
        "seed": 3_456_789_012_345_678_901,
    },
    "power": {"n": 800, "baseline_rate": 0.15, "r2": 0.1, "attrition": 0.05, "take_up": 0.8},
    "rct": {
        "outcomes": ["employed_followup", "earnings_followup"],
        "take_up": "received",
        "covariates": ["age", "education"],
        "strata": ["employment_area", "age_group"],
        "multiple_testing": "holm",
        "subgroups": ["sex"],
        "hypotheses": ["Coaching raises open-market employment after 12 months."],
    },
}


def test_plan_contains_every_required_part_and_its_hash() -> None:
    plan = pre_analysis_plan(STUDY)
    text = plan.markdown
    for part in (
        "## Population",
        "## Hypotheses",
        "## Outcomes",
        "## Estimator",
        "covariates: age, education",
        "multiple testing across outcomes: holm",
        "pre-registered subgroups: sex",
        "## Power calculation",
        "Coaching raises open-market employment",
        plan.sha256,
    ):
        assert part in text
    expected = mde(n=800, baseline_rate=0.15, r2=0.1, attrition=0.05, take_up=0.8)
    assert f"{expected:.4g}" in text


def test_seed_is_committed_not_revealed() -> None:
    plan = pre_analysis_plan(STUDY)
    assert str(STUDY["design"]["seed"]) not in plan.markdown
    assert seed_commitment(STUDY["design"]["seed"]) in plan.markdown


def test_any_change_to_the_plan_changes_the_hash_but_formatting_does_not() -> None:
    original = pre_analysis_plan(STUDY).sha256
    reordered = {key: STUDY[key] for key in reversed(list(STUDY))}
    assert pre_analysis_plan(reordered).sha256 == original
    for table, key, value in [
        ("rct", "multiple_testing", "bh"),
        ("rct", "covariates", ["age"]),
        ("design", "seed", 1),
        ("power", "n", 900),
        ("population", "areas", [92]),
    ]:
        changed = copy.deepcopy(STUDY)
        changed[table][key] = value
        assert pre_analysis_plan(changed).sha256 != original, (table, key)


def test_pdf_is_valid_and_carries_the_hash(tmp_path: Path) -> None:
    plan = pre_analysis_plan(STUDY)
    md_path, pdf_path = plan.write(tmp_path)
    assert md_path.read_text() == plan.markdown
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert plan.sha256 in text.replace("\n", "").replace(" ", "")
    assert "Pre-analysis plan" in text


def test_missing_tables_and_bad_power_inputs_are_named() -> None:
    with pytest.raises(ValueError, match=r"needs the table\(s\) \[design\]"):
        pre_analysis_plan({k: v for k, v in STUDY.items() if k != "design"})
    bad = copy.deepcopy(STUDY)
    bad["power"]["mde"] = 0.05
    with pytest.raises(ValueError, match=r"\[power\]: give exactly one of n"):
        pre_analysis_plan(bad)
