"""DuckDB and Spark give identical indicator tables (the same Ibis code on both engines)."""

from __future__ import annotations

import pandas as pd
import pytest

from vaikutus.indicators.compute import compute_result
from vaikutus.warehouse import connect, export_parquet

pytestmark = pytest.mark.spark
KEY = ["indicator", "area_type", "area_code", "period"]


@pytest.fixture(scope="module")
def spark_result(warehouse, areas, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet_warehouse")
    export_parquet(warehouse, folder)
    return compute_result(connect(folder, backend="spark"), public=True, areas=areas)


@pytest.mark.parametrize("variant", ["internal", "public"])
def test_identical_tables(hand_result, spark_result, variant):
    duck = getattr(hand_result, variant).sort_values(KEY, ignore_index=True)
    spark = getattr(spark_result, variant).sort_values(KEY, ignore_index=True)
    assert len(duck) > 30_000
    pd.testing.assert_frame_equal(duck, spark, check_exact=False, rtol=1e-12, atol=1e-9)
