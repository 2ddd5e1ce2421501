"""Indicators stage: the 21 monitoring indicators of the municipal employment trials (seed list),
monthly, for every level of area, with disclosure control for public outputs.

Python API::

    from vaikutus import indicators
    indicators.catalog()                      # definitions (id, names, concept, ...)
    indicators.metadata_frame("sv")           # one row per indicator, texts in one language
    indicators.compute("warehouse.duckdb")    # public long table (pandas)
    indicators.compute(wh, public=False)      # internal, unsuppressed - only when asked for
    indicators.compute_statfin("var/statfin/12r5")  # aggregate mode: from public StatFin 12r5

The stage reads the warehouse (``person_month``, ``service_month``, ``months`` and the register
tables) and writes ``indicator_values`` / ``indicator_values_public`` / ``indicator_metadata``.
"""

from vaikutus.indicators.compute import compute, compute_result
from vaikutus.indicators.definitions import catalog, definition, metadata_frame
from vaikutus.indicators.parameters import IndicatorParameters, parameters_frame
from vaikutus.indicators.statfin import compute_statfin, store_statfin

__all__ = [
    "IndicatorParameters",
    "catalog",
    "compute",
    "compute_result",
    "compute_statfin",
    "definition",
    "metadata_frame",
    "parameters_frame",
    "store_statfin",
]
