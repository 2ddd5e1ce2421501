"""Write a package folder and rebuild one from its manifest.

    OUT/
      <stem>.html          interactive report (charts work offline)
      <stem>.pdf           print-ready report (vector charts)
      <stem>.xlsx          every table + metadata sheet
      tables/<name>.parquet
      manifest.json        inputs (fingerprints), parameters, software, created, outputs

``<stem>`` = ``vaikutus_<period>_<area>_<lang>`` (+ ``_internal``), e.g. ``vaikutus_2025H1_ea8_fi``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from vaikutus.reports import document
from vaikutus.reports.i18n import text
from vaikutus.reports.manifest import Manifest, ManifestError, build_manifest, check_inputs
from vaikutus.reports.package import Package, PackageBuilder, PackageRequest
from vaikutus.reports.parameters import PackageParameters
from vaikutus.reports.period import HalfYear
from vaikutus.reports.states import COUNTRY
from vaikutus.reports.workbook import write_parquet, write_workbook


@dataclass(frozen=True)
class Written:
    folder: Path
    html: Path
    pdf: Path
    xlsx: Path
    parquet: dict[str, Path]
    manifest: Path


def stem(pkg: Package) -> str:
    area = "country" if pkg.focus == COUNTRY else f"ea{pkg.focus}"
    suffix = "_internal" if pkg.request.internal else ""
    return f"vaikutus_{pkg.request.period.label}_{area}_{pkg.lang}{suffix}"


def write_package(pkg: Package, out: Path, *, pdf: bool = True) -> Written:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = stem(pkg)
    files = {"html": f"{name}.html", "pdf": f"{name}.pdf", "xlsx": f"{name}.xlsx", "parquet": "tables"}
    parquet = write_parquet(pkg, out / "tables")
    sheets = write_workbook(pkg, out / files["xlsx"], _metadata_rows(pkg))
    document.write_html(pkg, out / files["html"], files)
    if pdf:
        document.write_pdf(pkg, out / files["pdf"], files)
    tables = {n: {"file": f"tables/{f}", "sheet": sheets[n], "rows": int(len(pkg.tables[n])),
                  "sha256": _sha256(out / "tables" / f)} for n, f in parquet.items()}
    manifest = build_manifest(
        warehouse=pkg.request.warehouse, parameters=pkg.request.to_dict(), inputs=pkg.inputs,
        outputs={k: v for k, v in files.items() if pdf or k != "pdf"}, tables=tables, created=pkg.created,
        classification=pkg.classification)
    manifest.write(out / "manifest.json")
    return Written(out, out / files["html"], out / files["pdf"], out / files["xlsx"],
                   {n: out / "tables" / f for n, f in parquet.items()}, out / "manifest.json")


def _metadata_rows(pkg: Package) -> list[tuple[str, str]]:
    lang = pkg.lang
    area = text("doc.country", lang) if pkg.focus == COUNTRY else text("doc.area", lang, name=pkg.area_name)
    disclosure = (text("meta.suppression_counts", lang, **pkg.disclosure) if not pkg.request.internal
                  else text("meta.no_suppression", lang))
    rows = [
        (text("meta.title", lang), f"{text('doc.title', lang)} \u2013 {text('doc.subtitle', lang, period=pkg.request.period.label)}"),
        (text("meta.area", lang), area),
        (text("meta.period", lang), pkg.request.period.label),
        (text("meta.classification", lang), text("doc.internal" if pkg.request.internal else "doc.public", lang)),
        (text("meta.created", lang), pkg.created.isoformat(timespec="seconds")),
        (text("meta.software", lang), f"vaikutus {pkg.version}"),
        (text("meta.data_window", lang), f"{pkg.data_first}\u2013{pkg.data_last}"),
        (text("meta.language", lang), lang),
        (text("meta.suppression", lang), disclosure),
        (text("meta.parameters", lang), ", ".join(f"{k} = {v}" for k, v in pkg.request.params.to_dict().items())),
    ]
    rows += [(f"{text('meta.fingerprints', lang)}: {t}", f"{fp['sha256']} ({fp['rows']} rows)") for t, fp in pkg.inputs.items()]
    rows.append((text("meta.rebuild", lang), text("meta.rebuild_text", lang)))
    return rows


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_package(warehouse: Path | str, period: str | HalfYear, out: Path | str, *, area: int | None = None,
                  lang: str = "fi", internal: bool = False, previous: Path | str | None = None,
                  params: PackageParameters | None = None, pdf: bool = True,
                  builder: PackageBuilder | None = None) -> Written:
    """Build and write one package (the API of ``vaikutus package``). Pass a ``builder`` to
    reuse one open warehouse and its computed half-years for several packages."""
    request = PackageRequest(
        warehouse=Path(warehouse), period=period if isinstance(period, HalfYear) else HalfYear.parse(period),
        area=area, lang=lang, internal=internal, previous=Path(previous) if previous else None,
        params=params or PackageParameters())
    own = builder is None
    builder = builder or PackageBuilder(request.warehouse)
    try:
        return write_package(builder.build(request), Path(out), pdf=pdf)
    finally:
        if own:
            builder.close()


def rebuild(manifest_path: Path | str, out: Path | str, *, warehouse: Path | str | None = None,
            pdf: bool = True) -> Written:
    """Build the package a manifest describes again, refusing if the inputs have changed."""
    manifest = Manifest.read(manifest_path)
    p = manifest.parameters
    source = Path(warehouse) if warehouse else manifest.warehouse
    with PackageBuilder(source) as builder:
        check_inputs(manifest.inputs, builder.fingerprints(bool(p["internal"])))
        try:
            params = PackageParameters.from_dict(p["package"])
        except (TypeError, ValueError) as exc:
            raise ManifestError(f"manifest {manifest_path}: bad package parameters: {exc}") from exc
        return build_package(source, p["period"], out, area=p["area"], lang=p["lang"], internal=bool(p["internal"]),
                             previous=p.get("previous"), params=params, pdf=pdf, builder=builder)
