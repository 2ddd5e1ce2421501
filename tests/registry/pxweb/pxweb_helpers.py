"""Paths and helpers of the PxWeb tests (the saved real responses under tests/data/statfin)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vaikutus.registry.pxweb import PxTable
from vaikutus.registry.pxweb.model import Cells, build_table

DATA = Path(__file__).resolve().parents[2] / "data"
STATFIN = DATA / "statfin"
REAL_12R5 = STATFIN / "tyonv_12r5_2026M06_pxweb-json.json"
REAL_12TI = STATFIN / "tyonv_12ti_2026M06_occ2513-2514-2519_pxweb-json.json"
REAL_135Z = STATFIN / "tyti_135z_2026M06_pxweb-json.json"
JSONSTAT_EN = STATFIN / "jsonstat2_sample_velk_13kt_en.json"
JSONSTAT_FI = STATFIN / "jsonstat2_sample_velk_13kt_fi.json"
METADATA_VELK = STATFIN / "pxweb_metadata_sample_velk_13kt_fi.json"
MULTIMONTH = STATFIN / "tyonv_12r5_multimonth_fixture_pxweb-json.json"
FIXTURE_SCRIPT = STATFIN / "make_multimonth_fixture.py"


def cell(
    table: PxTable, area: str, content: str, month: str = "2026M06"
) -> tuple[float, str | None]:
    """(value, status) of one area/month/content cell of a 12r5-shaped table."""
    time = {table.meta.time_dim: month}
    return table.value(content, Alue=area, **time), table.status(content, Alue=area, **time)


def small_12r5(
    table: PxTable, areas: tuple[str, ...] = ("SSS", "KU035", "KU091", "KU199")
) -> PxTable:
    """A few areas of the real table, rebuilt through the package's own constructor."""
    data = table.data[table.data["Alue"].isin(areas)]
    dims = []
    for dim in table.meta.dimensions:
        if dim.code == "Alue":
            kept = [(v, label) for v, label in zip(dim.values, dim.value_labels) if v in areas]
            dim = replace(
                dim,
                values=tuple(v for v, _ in kept),
                value_labels=tuple(label for _, label in kept),
            )
        dims.append(dim)
    cells = Cells(
        codes={d.code: data[d.code].tolist() for d in dims},
        content=data["content"].tolist(),
        tokens=data["value"].tolist(),
        status=data["status"].tolist(),
    )
    return build_table(replace(table.meta, dimensions=tuple(dims)), cells)
