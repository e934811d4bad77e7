"""Constant-sample changes, département tests, the transition cross-table, territory codes."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.stats.paired_changes import (
    ALL_RESPONDENTS,
    SAME_PLACES,
    departement_tests,
    holm,
    paired_changes,
    place_statuses,
    transition_table,
)
from tlresearch.stats.territory_codes import territory_pair
from tlresearch.stats.trends import compare_waves


def _panel():
    rows = []
    # four places answer both waves and each gains one CDI; two answer only in 2024
    for k, (dep, cdi0) in enumerate([("33", 0), ("33", 1), ("24", 2), ("24", 0)]):
        for wave, cdi in ((2023, cdi0), (2024, cdi0 + 1)):
            rows.append([f"TL{k}", wave, dep, cdi, cdi, 0, 5, float(cdi)])
    rows += [["TL8", 2024, "33", 5, 5, 0, 2, 5.0], ["TL9", 2024, "24", 7, 7, 0, 2, 7.0]]
    frame = pd.DataFrame(rows, columns=["place_id", "wave", "departement_code", "cdi",
                                        "staff_total", "cdd", "volunteers", "etp"])
    return frame.assign(region_code="75", other_contracts=0)


def test_same_places_and_all_respondents_side_by_side():
    # every sum the two rows give (the same places', the new places') rests on 3 places
    # or more with a value above 0, none dominant: nothing is secret
    panel = _panel()
    panel.loc[panel["place_id"].isin(["TL0", "TL3"]), "cdi"] += 1
    panel = pd.concat([panel, panel[panel["place_id"] == "TL8"].assign(place_id="TL7", cdi=6)])
    table = paired_changes(panel, 2023, 2024, ["cdi"]).set_index("sample")
    same, every = table.loc[SAME_PLACES], table.loc[ALL_RESPONDENTS]
    assert same["secret"] is None
    assert same["change"] == pytest.approx(1.0) and same["sum_to"] - same["sum_from"] == 4
    assert same["low"] == pytest.approx(1.0) and same["high"] == pytest.approx(1.0)  # no spread
    assert every["n_from"] == 4 and every["n_to"] == 7
    assert every["change"] == pytest.approx((2 + 2 + 3 + 2 + 6 + 5 + 7) / 7 - (1 + 1 + 2 + 1) / 4)
    assert every["low"] < every["change"] < every["high"]
    # as they were, the new places were two: their sum is the difference of the rows' sums
    table = paired_changes(_panel(), 2023, 2024, ["cdi"]).set_index("sample")
    assert table.loc[SAME_PLACES, "secret"] == "primary_count"


def test_departements_against_the_rest_with_holm():
    table = departement_tests(_panel(), 2024, "cdi")
    assert table["departement_code"].tolist() == ["24", "33"]
    assert (table["p_adjusted"] >= table["p_value"]).all()
    assert table.loc[0, "difference"] == pytest.approx((3 + 1 + 7) / 3 - (1 + 2 + 5) / 3)
    assert holm([0.01, None, 0.02]).tolist()[::2] == [0.02, 0.02]


def test_transition_cross_table_adds_up_and_statuses_are_public():
    table = transition_table(_panel(), 2023, 2024)
    assert int(table.to_numpy().sum()) == 6
    assert "Employeur (2023)" in table.index and "Pas de réponse (2024)" in table.columns
    assert place_statuses()["employeur"] == "Employeur"


def test_a_territory_is_named_the_same_way_everywhere():
    assert territory_pair("33") == ("departement", "33")
    assert territory_pair(75) == ("region", "75")
    assert territory_pair("200067106") == ("epci", "200067106")
    with pytest.raises(UsageError, match="unknown territory"):
        territory_pair("999")
    frame = _panel().assign(typology="coworking")
    by_code = compare_waves(frame, None, 2023, 2024, ["share_employers"], "33")
    by_pair = compare_waves(frame, None, 2023, 2024, ["share_employers"], ("departement", "33"))
    assert by_code["value"].tolist() == by_pair["value"].tolist()


def test_same_places_are_secret_when_the_difference_would_give_a_sum_away():
    """All respondents' sum minus the same places' sum is the new places' sum: here one
    new place with 5 CDI, which the two rows side by side would otherwise publish."""
    rows = [{"place_id": f"TL{i}", "wave": w, "cdi": c, "region_code": "75"}
            for i, c in enumerate([1, 2, 3, 1, 2]) for w in (2024, 2025)]
    rows.append({"place_id": "TLnew", "wave": 2025, "cdi": 5, "region_code": "75"})
    table = paired_changes(pd.DataFrame(rows), 2024, 2025, ["cdi"], territory=("region", "75"))
    same = table[table["sample"] == SAME_PLACES].iloc[0]
    assert same["secret"] == "primary_count" and pd.isna(same["change"])
    assert pd.isna(same["sum_to"])
    many = rows + [{"place_id": f"TLn{i}", "wave": 2025, "cdi": 2, "region_code": "75"}
                   for i in range(3)]
    table = paired_changes(pd.DataFrame(many), 2024, 2025, ["cdi"], territory=("region", "75"))
    assert table[table["sample"] == SAME_PLACES].iloc[0]["secret"] is None
