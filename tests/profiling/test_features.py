"""The scoring gate: every invalid baseline value is an error naming row, person and column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vaikutus.profiling.features import (
    FEATURE_BY_NAME,
    FEATURES,
    SENSITIVE,
    BaselineError,
    encode,
    resolve_features,
    validate_baseline,
)

VALID = {
    "person_id": "p1",
    "age": "34",
    "sex": "F",
    "native_language": "fi",
    "citizenship": "FI",
    "education": "3",
    "partial_work_ability": "false",
    "region": "01",
    "start_kind": "unemployment",
    "elapsed_unemployment_days": "0",
    "earnings_12m": "12000",
    "earnings_24m": "30000",
    "months_employed_12m": "8",
    "months_employed_24m": "20",
    "months_unemployed_24m": "2",
    "months_in_service_24m": "0",
    "services_24m": "0",
    "benefit_type": "earnings_related",
    "social_assistance_12m": "0",
}


def frame(*changes: dict) -> pd.DataFrame:
    return pd.DataFrame([{**VALID, "person_id": f"p{i + 1}", **c} for i, c in enumerate(changes)])


def problems(data: pd.DataFrame) -> pd.DataFrame:
    with pytest.raises(BaselineError) as caught:
        validate_baseline(data, FEATURES)
    return caught.value.problems


def test_valid_rows_pass_and_encode_to_positions():
    data = frame({}, {"sex": "M", "partial_work_ability": "True", "region": "21"})
    validate_baseline(data, FEATURES)
    x = encode(data, FEATURES)
    names = [f.name for f in FEATURES]
    assert x[:, names.index("sex")].tolist() == [0.0, 1.0]
    assert x[:, names.index("partial_work_ability")].tolist() == [0.0, 1.0]
    assert x[1, names.index("region")] == FEATURE_BY_NAME["region"].categories.index("21")
    assert x[0, names.index("earnings_24m")] == 30000.0


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("age", None, "missing value"),
        ("age", "", "missing value"),
        ("age", "12", "outside 15..75"),
        ("education", "x", "not a number"),
        ("region", "99", "unknown code '99'"),
        ("region", "1", "unknown code '1'"),  # a region code read as a number loses its zero
        ("benefit_type", "unemployment", "unknown code"),
        ("partial_work_ability", "maybe", "not a yes/no value"),
        ("earnings_12m", "-5", "outside 0..2000000"),
        ("months_employed_12m", "13", "outside 0..12"),
    ],
)
def test_each_invalid_value_is_named(column, value, reason):
    found = problems(frame({}, {column: value}))
    assert len(found) == 1
    first = found.iloc[0]
    assert (first.row, first.person_id, first.column) == (2, "p2", column)
    assert reason in first.reason


def test_message_names_row_person_and_column_and_counts_the_rest():
    data = frame(*[{"sex": "X"} for _ in range(13)])
    with pytest.raises(BaselineError) as caught:
        validate_baseline(data, FEATURES)
    message = str(caught.value)
    assert "row 1 (person p1), column sex: unknown code 'X'" in message
    assert "... and 3 more" in message


def test_missing_column_and_inconsistent_windows():
    found = problems(frame({}).drop(columns=["region"]))
    assert found.iloc[0].column == "region" and "missing" in found.iloc[0].reason
    found = problems(frame({"earnings_12m": "40000"}))
    assert (
        found.iloc[0].column == "earnings_12m"
        and "larger than earnings_24m" in found.iloc[0].reason
    )


def test_nothing_is_silently_defaulted_in_a_numeric_nan():
    data = frame({}).astype(object)
    data.loc[0, "months_in_service_24m"] = np.nan
    assert problems(data).iloc[0].column == "months_in_service_24m"


def test_exclusions_and_sensitive_list():
    assert set(SENSITIVE) == {
        "age",
        "sex",
        "native_language",
        "citizenship",
        "partial_work_ability",
    }
    assert "sex" not in {f.name for f in resolve_features(("sex",))}
    with pytest.raises(ValueError, match="unknown feature"):
        resolve_features(("shoe_size",))
