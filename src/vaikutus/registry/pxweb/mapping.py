"""A parsed table keyed in our terms: ``area_type``, ``area_code`` and ``period`` beside the codes.

The indicator stage joins public figures on (area_type, area_code, period), the same keys as its
own aggregates; this is where StatFin's ``KU091``/``2026M06`` become ``('municipality', '091')`` and
``'2026-06'``. Only the dimensions whose roles were resolved get keys.
"""

from __future__ import annotations

import pandas as pd

from vaikutus.registry.pxweb.codes import area_of, period_label
from vaikutus.registry.pxweb.model import PxTable


def keyed(table: PxTable) -> pd.DataFrame:
    """``table.data`` plus ``period`` (from the time dimension) and, when the table has an area
    dimension, ``area_type`` and ``area_code`` (:func:`~vaikutus.registry.pxweb.codes.area_of`)."""
    data = table.data.copy()
    time = table.meta.time_dim
    periods = {code: period_label(code) for code in table.meta.dimension(time).values}
    data["period"] = data[time].map(periods)
    geo = table.meta.geo_dim
    if geo is not None:
        areas = {code: area_of(code) for code in table.meta.dimension(geo).values}
        data["area_type"] = data[geo].map(lambda code: areas[code][0])
        data["area_code"] = data[geo].map(lambda code: areas[code][1])
    return data
