"""Rebuild the map layers shipped in ``src/vaikutus/reference/geo/`` (run by a maintainer, not at run time).

Input: the 2025 municipality and region polygons in EPSG:3067 (MML open data, CC BY 4.0, simplified
by OskarWestmeijer/maps) from ``../shared/data/geo``. Output: WGS84 GeoJSON for Leaflet, with
employment areas and 2021 trial areas dissolved from their member municipalities. Needs pyproj
(a maintainer-only dependency: ``pip install pyproj``); the package itself reads the output only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import mapping, shape
import shapely
from shapely.ops import unary_union

from vaikutus.reference import area_hierarchy

SOURCE = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/geo")
OUT = Path(__file__).resolve().parents[1] / "src/vaikutus/reference/geo"
_TRANSFORMER = Transformer.from_crs(3067, 4326, always_xy=True)


def _to_wgs84(x, y):
    return _TRANSFORMER.transform(x, y)


def _round(geom, digits: int = 4):
    return json.loads(json.dumps(mapping(geom)), parse_float=lambda v: round(float(v), digits))


def _write(name: str, features: list[dict]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    (OUT / name).write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"{name}: {len(features)} features, {(OUT / name).stat().st_size // 1024} kB")


def main() -> None:
    raw = json.loads((SOURCE / "kunnat_2025_2km_epsg3067.geojson").read_text(encoding="utf-8"))
    municipalities = {
        f["properties"]["natcode"].zfill(3): shapely.transform(shape(f["geometry"]).buffer(0), _to_wgs84, interleaved=False)
        for f in raw["features"]
    }
    _write("municipalities_2025.geojson", [
        {"type": "Feature", "properties": {"code": code}, "geometry": _round(geom)}
        for code, geom in sorted(municipalities.items())
    ])
    hierarchy = area_hierarchy(2025)
    for column, name in (
        ("region", "regions_2025.geojson"),
        ("employment_area", "employment_areas_2025.geojson"),
        ("trial_area", "trial_areas_2021.geojson"),
    ):
        groups = hierarchy[hierarchy[column].astype(str) != ""].groupby(column)["municipality"]
        _write(name, [
            {
                "type": "Feature",
                "properties": {"code": str(code)},
                "geometry": _round(unary_union([municipalities[m] for m in members]).simplify(0.005)),
            }
            for code, members in groups
        ])


if __name__ == "__main__":
    main()
