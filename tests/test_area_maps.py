"""The map page's area maps: a rate per 100 000 inhabitants, never a one-zone choropleth."""
from __future__ import annotations

import pandas as pd

from tlresearch.report.area_maps import area_map_block


def _places():
    return pd.DataFrame({"place_id": ["TL1", "TL2", "TL3"], "place_name": ["A", "B", "C"],
                         "commune_code": ["16001", "16002", "17001"],
                         "epci_code": ["200000001", "200000001", "200000002"],
                         "departement_code": ["16", "16", "17"], "typology": ["coworking"] * 3})


def test_two_areas_give_a_map_of_places_per_100_000_inhabitants(toy):
    block = area_map_block(_places(), "departement", toy, year=2025).html
    assert 'data-tl-block="map"' in block
    assert "Lieux pour 100" in block and "Nombre de lieux" not in block


def test_one_area_gives_a_sentence_not_a_one_class_map(toy):
    one = {level: frame[frame["code"].isin(["16", "200000001"]) | (level == "commune")]
           for level, frame in toy.items()}
    block = area_map_block(_places(), "departement", one).html
    assert 'data-tl-block="notice"' in block and "<iframe" not in block
    assert "qu&#x27;une zone (1)" in block
