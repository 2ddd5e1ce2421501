"""Model card and the `vaikutus profile` commands, end to end on the synthetic warehouse."""

from __future__ import annotations

import dataclasses

import duckdb
import pandas as pd

from vaikutus.profiling.card import model_card_html
from vaikutus.profiling.fairness import audit
from vaikutus.profiling.features import FEATURES


def test_model_card_has_data_performance_fairness_use_and_limits(model, baseline):
    audited = dataclasses.replace(model, fairness=audit(model, baseline).table)
    html = model_card_html(audited, data_source="synthetic register")
    test = model.metrics.set_index(["model", "split"]).loc[("lightgbm", "test")]
    for text in (
        "Intended use",
        "supports, and never replaces, the caseworker",
        "Data and period",
        "2024-01 – 2024-12",
        "Fairness",
        "citizenship = other",
        "Limits",
        "Sensitive",
        f"{test['auc']:.3f}",
        model.model_id,
        "data:image/svg+xml;base64,",
    ):
        assert text in html, text
    assert "built-in method" not in html and "No fairness audit" not in html


def test_cli_train_score_audit_segments(cli, baseline, model_dir, warehouse_copy, tmp_path):
    help_text = cli("profile", "--help").output
    assert all(command in help_text for command in ("train", "score", "audit", "segments"))

    trained = cli(
        "profile",
        "train",
        "--warehouse",
        warehouse_copy,
        "--out",
        tmp_path / "m",
        "--target",
        "6",
        "--exclude",
        "sex",
        "--no-compare-exclusions",
        "--max-trees",
        "60",
    )
    assert trained.exit_code == 0, trained.output
    assert {"model.json", "model.txt", "model_card.html"} <= {
        p.name for p in (tmp_path / "m").iterdir()
    }
    assert "within 6 months" in trained.output

    columns = ["person_id"] + [f.name for f in FEATURES]
    baseline[columns].head(5).to_csv(tmp_path / "in.csv", index=False)
    scored = cli(
        "profile",
        "score",
        "--model",
        model_dir,
        "--input",
        tmp_path / "in.csv",
        "--out",
        tmp_path / "out.csv",
        "--language",
        "sv",
    )
    assert scored.exit_code == 0, scored.output
    out = pd.read_csv(tmp_path / "out.csv", dtype={"region": str})
    assert out["p_lightgbm"].between(0, 1).all() and out["segment_sv"].notna().all()
    assert out["region"].tolist() == baseline["region"].head(5).tolist()

    bad = baseline[columns].head(3).astype(str)
    bad.loc[1, "education"] = ""
    bad.to_csv(tmp_path / "bad.csv", index=False)
    refused = cli(
        "profile",
        "score",
        "--model",
        model_dir,
        "--input",
        tmp_path / "bad.csv",
        "--out",
        tmp_path / "x.csv",
    )
    assert refused.exit_code == 2
    assert "row 2" in refused.output and "column education: missing value" in refused.output
    assert not (tmp_path / "x.csv").exists()

    audited = cli(
        "profile",
        "audit",
        "--model",
        model_dir,
        "--warehouse",
        warehouse_copy,
        "--out",
        tmp_path / "a",
        "--no-compare-exclusions",
    )
    assert audited.exit_code == 0, audited.output
    assert {"fairness.csv", "report.html", "result.json"} <= {
        p.name for p in (tmp_path / "a").iterdir()
    }

    segmented = cli(
        "profile",
        "segments",
        "--model",
        model_dir,
        "--warehouse",
        warehouse_copy,
        "--out",
        tmp_path / "s",
    )
    assert segmented.exit_code == 0, segmented.output
    segments = pd.read_csv(tmp_path / "s" / "segments.csv")
    assert len(segments) == len(baseline) and segments["segment"].str.match(r"S[1-6]").all()
    con = duckdb.connect(str(warehouse_copy), read_only=True)
    assert con.execute("SELECT count(DISTINCT segment) FROM segment_profiles").fetchone()[0] == 6
    assert con.execute("SELECT count(*) FROM client_segments").fetchone()[0] == len(baseline)
    con.close()
