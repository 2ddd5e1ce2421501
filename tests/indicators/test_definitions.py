"""The catalogue and the parameters: complete, trilingual, validated."""

from __future__ import annotations

import dataclasses

import pytest

from vaikutus.indicators import IndicatorParameters, catalog, metadata_frame, parameters_frame
from vaikutus.indicators.aggregate import labour_force_year
from vaikutus.indicators.quantities import FAMILIES, QUANTITIES


def test_catalogue_covers_the_21_seed_indicators_once():
    defs = catalog()
    assert sorted({d.seed_number for d in defs}) == list(range(1, 22))
    ids = [d.id for d in defs]
    assert len(ids) == len(set(ids)) == 78
    assert all(i.isidentifier() and i == i.lower() for i in ids)


def test_every_text_in_three_languages():
    for d in catalog():
        for text in (d.name, d.definition, d.aggregation, d.suppression_rule):
            assert all(text.get(lang).strip() for lang in ("fi", "sv", "en")), d.id
        assert "{" not in d.name.fi + d.definition.sv + d.concept, d.id


def test_metadata_frame():
    sv = metadata_frame("sv").set_index("indicator")
    assert sv.loc["unemployed", "name"] == "Arbetslösa arbetssökande vid månadens slut"
    assert sv.loc["flow_over_12m", "periods"] == "month, quarter, year"
    assert sv.loc["flow_over_3m", "periods"] == "month, quarter"
    assert sv.loc["caseload_median", "levels"] == "employment_area, country"
    every = metadata_frame()
    assert {"name_fi", "name_sv", "name_en", "official_concept", "aggregation_en"} <= set(every.columns)
    with pytest.raises(ValueError, match="language"):
        metadata_frame("de")


def test_families_and_ties_refer_to_declared_counts():
    for total, parts in FAMILIES:
        assert all(QUANTITIES[q].role == "count" for q in (total, *parts))
    for q in QUANTITIES.values():
        if q.role == "tied":
            assert QUANTITIES[q.tied_to].role == "count"


def test_parameters_validate_and_describe_themselves(tmp_path):
    p = IndicatorParameters()
    assert "start_up_grant" in p.activation_services and p.extended_services == p.activation_services
    no_grant = dataclasses.replace(p, start_up_grant_in_activation=False)
    assert "start_up_grant" not in no_grant.activation_services
    with pytest.raises(ValueError, match="flow_rule"):
        IndicatorParameters(flow_rule="sometimes")
    with pytest.raises(ValueError, match="unknown code"):
        IndicatorParameters(structural_services=("wage_subsidy", "yoga"))
    with pytest.raises(ValueError, match="unknown indicator parameter"):
        IndicatorParameters.from_mapping({"threshold": 3})
    path = tmp_path / "p.toml"
    path.write_text('[indicators]\nsuppression_threshold = 3\nplan_kinds = ["employment_plan"]\n')
    loaded = IndicatorParameters.from_toml(path)
    assert loaded.suppression_threshold == 3 and loaded.plan_kinds == ("employment_plan",)
    frame = parameters_frame(loaded).set_index("parameter")
    assert frame.loc["suppression_threshold", "value"] == "3"
    assert frame.loc["suppression_threshold", "default"] == "5"
    assert frame.description_sv.str.len().min() > 10


@pytest.mark.parametrize(
    ("year", "available", "lag", "expected"),
    [(2022, [2019, 2020, 2021], 2, 2020), (2022, [2019], 2, 2019), (2016, [2016, 2017], 2, 2016),
     (2015, [2016], 2, None), (2022, [2020, 2022], 0, 2022)],
)
def test_labour_force_year(year, available, lag, expected):
    assert labour_force_year(year, available, lag) == expected
