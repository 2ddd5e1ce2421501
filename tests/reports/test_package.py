"""Packages built from a synthetic warehouse: files, PDF pages, workbook, suppression, rebuild.

The session fixture (``conftest.built``) builds the national public package (Finnish), the
public package of employment area 8 (English), its internal version (Swedish) and a rebuild of
that from its manifest.
"""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from tests.reports.conftest import AREA, PERIOD
from vaikutus.cli import app
from vaikutus.reports.package import TABLE_ORDER
from vaikutus.reports.workbook import HEADER_ROW

pytestmark = pytest.mark.slow
COUNTS = ("persons", "observed", "reached", "entrants", "recipients", "from_total")


def _pages(pdf, tmp_path) -> list[np.ndarray]:
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    return [np.asarray(Image.open(p), dtype=float) for p in sorted(tmp_path.glob("p-*.png"))]


def test_every_output_is_written(built):
    for w in (built.national, built.area):
        assert w.html.stat().st_size > 500_000  # the vendored Vega libraries are inlined
        assert w.pdf.exists() and w.xlsx.exists() and w.manifest.exists()
        assert sorted(w.parquet) == sorted(TABLE_ORDER)


@pytest.mark.parametrize("which, title, headings", [
    ("national", "Työnhakijoiden palvelupolut", ["1 Palvelupolut", "2 Tulot ja etuudet", "3 Alueelliset erot",
                                                 "4 Menetelmät ja määritelmät", "Koko maa"]),
    ("area", "Jobseekers' service paths", ["1 Service paths", "2 Income and benefits", "3 Regional differences",
                                           "4 Methods and definitions", "Helsinki", "Peer areas"]),
])
def test_pdf_pages_have_content_and_titles(built, tmp_path, which, title, headings):
    written = getattr(built, which)
    pages = _pages(written.pdf, tmp_path)
    assert len(pages) >= 10
    for i, page in enumerate(pages):
        assert page.std() > 8, f"page {i + 1} looks blank"
    text = "\n".join(page.extract_text() for page in PdfReader(written.pdf).pages)
    assert title in text
    for heading in headings:
        assert heading in text
    assert "/ " + str(len(pages)) in text  # page numbers "n / N" in the margin


def test_pdf_charts_are_vector_graphics(built):
    reader = PdfReader(built.national.pdf)
    images = sum(len(page.images) for page in reader.pages)
    assert images == 0  # charts are drawn as SVG paths, not embedded bitmaps


def test_workbook_reads_back_as_the_parquet_tables(built):
    sheets = pd.read_excel(built.area.xlsx, sheet_name=None, header=HEADER_ROW)
    manifest = json.loads(built.area.manifest.read_text())
    assert "Metadata" in pd.ExcelFile(built.area.xlsx).sheet_names
    for name, info in manifest["tables"].items():
        table = pd.read_parquet(built.area.folder / info["file"])
        sheet = sheets[info["sheet"]]
        assert sheet.shape == table.shape, name
        for j, col in enumerate(table.columns):
            got = sheet.iloc[:, j].replace({"...": np.nan, ".": np.nan})
            if pd.api.types.is_numeric_dtype(table[col]) and not pd.api.types.is_bool_dtype(table[col]):
                np.testing.assert_allclose(pd.to_numeric(got).to_numpy(float), table[col].to_numpy(float),
                                           rtol=1e-9, equal_nan=True, err_msg=f"{name}.{col}")
            elif pd.api.types.is_bool_dtype(table[col]):
                assert list(got.astype(bool)) == list(table[col]), f"{name}.{col}"
            else:
                expected = table[col].astype(object).where(table[col].notna(), np.nan)
                assert list(got.astype(object).where(got.notna(), np.nan).astype(str)) == list(expected.astype(str)), \
                    f"{name}.{col}"


def test_rebuild_from_manifest_gives_identical_tables(built):
    manifest = json.loads(built.internal.manifest.read_text())
    assert set(manifest["inputs"]) >= {"person_month", "earnings", "benefits", "indicator_values"}
    assert manifest["parameters"]["period"] == PERIOD and manifest["parameters"]["area"] == AREA
    assert manifest["software"]["vaikutus"] and manifest["created"]
    for name in TABLE_ORDER:
        a = pd.read_parquet(built.internal.parquet[name])
        b = pd.read_parquet(built.rebuilt.parquet[name])
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
    rebuilt = json.loads(built.rebuilt.manifest.read_text())
    assert {n: t["sha256"] for n, t in rebuilt["tables"].items()} == {n: t["sha256"] for n, t in manifest["tables"].items()}


def test_public_tables_show_no_small_counts(built):
    small_public = small_internal = 0
    for name in TABLE_ORDER:
        public = pd.read_parquet(built.area.parquet[name])
        internal = pd.read_parquet(built.internal.parquet[name])
        for col in COUNTS:
            if col in public:
                small_public += int(public[col].between(1, 4).sum())
                small_internal += int(internal[col].between(1, 4).sum())
        _check_person_shares(name, public, internal)
    assert small_public == 0
    assert small_internal > 0  # the internal version is the unsuppressed one


def _check_person_shares(name: str, public: pd.DataFrame, internal: pd.DataFrame) -> None:
    """Shares of persons are hidden cell by cell: a share whose count of persons is 1..4 is hidden,
    every published one equals the unsuppressed figure, and a row with any hidden cell is flagged."""
    shares = [c for c in public.columns if re.fullmatch(r"share_(earn_gt_\d+|recipients)", c)]
    if not shares:
        return
    assert len(public) == len(internal), name
    for col in shares:
        count = (internal[col] * internal["persons"]).round()
        small = count.between(1, 4).to_numpy()
        assert public.loc[small, col].isna().all(), (name, col)
        published = public[col].notna().to_numpy()
        np.testing.assert_allclose(public.loc[published, col], internal.loc[published, col], err_msg=name)
        assert public.loc[public[col].isna() & internal[col].notna(), "suppressed"].all(), (name, col)


def test_internal_version_is_marked_everywhere(built):
    w = built.internal
    assert "INTERN – FÅR INTE PUBLICERAS" in w.html.read_text(encoding="utf-8")
    first_cells = pd.read_excel(w.xlsx, sheet_name=None, header=None, nrows=3)
    assert all(sheet.iloc[2, 0].startswith("INTERN") for sheet in first_cells.values())
    assert pq.read_schema(w.parquet["regional"]).metadata[b"vaikutus.classification"] == b"internal"
    assert json.loads(w.manifest.read_text())["classification"] == "internal"


def test_html_works_offline(built):
    html = built.national.html.read_text(encoding="utf-8")
    assert "<script src=" not in html and "cdn." not in html
    assert "vegaEmbed(" in html and '"$schema": "https://vega.github.io/schema/vega-lite/v6.json"' in html


def test_regional_rankings_come_with_intervals(built):
    r = pd.read_parquet(built.national.parquet["regional"])
    rates = r[(r.kind == "rate") & (r.area_code != "SSS") & r.value.notna()]
    assert len(rates) > 40
    assert rates[["ci_low", "ci_high", "rank_low", "rank_high"]].notna().all().all()
    assert ((rates.ci_low <= rates.value) & (rates.value <= rates.ci_high)).all()
    assert ((rates.rank_low <= rates["rank"]) & (rates["rank"] <= rates.rank_high)).all()
    ranked = r[r.kind != "rate"]
    assert ranked["rank"].isna().all()  # no league table without intervals
    peers = pd.read_parquet(built.area.parquet["peers"])
    assert len(peers) == 5 and set(peers.area_code) == {str(AREA)}


def test_states_shares_add_up(built):
    s = pd.read_parquet(built.internal.parquet["states_monthly"])
    total = s.groupby(["cohort", "area_code", "k"]).share.sum()
    assert np.allclose(total, 1.0)


def test_cli_refuses_a_period_after_the_data(built, tmp_path):
    result = CliRunner().invoke(app, ["package", "--warehouse", str(built.warehouse), "--period", "2026H1",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "after the last month of the data (2025-12)" in result.output


def test_cli_names_a_bad_area(built, tmp_path):
    result = CliRunner().invoke(app, ["package", "--warehouse", str(built.warehouse), "--period", PERIOD,
                                      "--area", "99", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--area 99" in result.output
