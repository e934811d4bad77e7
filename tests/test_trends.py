"""Series, changes between waves and transitions of places, on the hand-built panel
(every figure known in advance) and on the demo survey."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.stats.indicator_catalogue import COLUMNS, RESULT_COLUMNS
from tlresearch.stats.open_places import open_places_from_directory
from tlresearch.stats.trends import (
    CHANGE_COLUMNS,
    SHARE_CHANGE_UNIT,
    TRANSITION_COLUMNS,
    compare_waves,
    indicator_series,
    place_states,
    transitions,
)

from helpers.panels import hand_panel


@pytest.fixture(scope="module")
def panel():
    return hand_panel()


# --- series ----------------------------------------------------------------------------

def test_series_has_every_wave_where_defined(panel):
    responses, staff, _ = panel
    series = indicator_series(responses, staff)
    assert list(series.columns) == RESULT_COLUMNS
    employers = series[series["indicator"] == "share_employers"]
    assert employers["wave"].tolist() == [2021, 2022, 2023]
    assert employers["value"].tolist() == pytest.approx([0.6, 0.6, 0.8])
    # 2022 did not ask about CDD: no row, rather than a zero.
    for code in ("share_with_cdd", "cdd_sum"):
        assert series.loc[series["indicator"] == code, "wave"].tolist() == [2021, 2023]
    assert series.loc[series["indicator"] == "cdd_sum", "value"].tolist() == [3, 3]
    # Without a directory there is no response rate at all.
    assert "response_rate" not in set(series["indicator"])
    # Catalogue order, then wave.
    assert series["indicator"].iloc[0] == "respondents"


def test_series_with_directory_and_selection(panel):
    responses, staff, directory = panel
    series = indicator_series(responses, staff, ["response_rate", "volunteers_sum"],
                              open_places=open_places_from_directory(directory))
    assert series["indicator"].unique().tolist() == ["response_rate", "volunteers_sum"]
    rates = series[series["indicator"] == "response_rate"]
    assert rates["value"].tolist() == pytest.approx([10 / 11, 11 / 13, 10 / 12])
    assert series.loc[series["indicator"] == "volunteers_sum", "value"].tolist() == [38, 50, 36]


def test_series_and_change_refuse_a_single_open_count(panel):
    responses, staff, _ = panel
    with pytest.raises(UsageError, match="single count"):
        indicator_series(responses, staff, ["response_rate"], open_places=13)
    with pytest.raises(UsageError, match="single count"):
        compare_waves(responses, staff, 2021, 2022, ["response_rate"], open_places=13)
    change = compare_waves(responses, staff, 2021, 2022, ["response_rate"],
                           open_places={2021: 11, 2022: 13}).iloc[0]
    assert change["value"] == pytest.approx(11 / 13 - 10 / 11)
    assert pd.isna(change["low"]) and change["n"] == 11


def test_series_split_and_waves(panel):
    responses, staff, _ = panel
    series = indicator_series(responses, staff, "respondents", split="typology",
                              waves=[2022, 2023])
    blank = series[series["split_value"] == "non_renseigne"]
    assert blank["wave"].tolist() == [2022, 2023] and blank["value"].tolist() == [1, 1]
    fablab = series[series["split_value"] == "fablab"]
    assert fablab["value"].tolist() == [2, 1]


def test_series_of_one_departement(panel):
    responses, staff, _ = panel
    series = indicator_series(responses, staff, ["respondents"], ("departement", "64"))
    assert series["value"].tolist() == [4, 4, 5]        # P12 in 2022, P10 back in 2023


# --- change between two waves -----------------------------------------------------------

def test_compare_shares_with_newcombe(panel):
    responses, staff, _ = panel
    change = compare_waves(responses, staff, 2021, 2023).set_index("indicator")
    assert list(change.reset_index().columns) == COLUMNS + CHANGE_COLUMNS
    row = change.loc["share_employers"]
    assert row["value"] == pytest.approx(0.2)
    assert row["low"] == pytest.approx(-0.186962, abs=1e-6)
    assert row["high"] == pytest.approx(0.521086, abs=1e-6)
    assert row["unit"] == SHARE_CHANGE_UNIT and row["wave"] == 2023 and row["from_wave"] == 2021
    assert (row["value_from"], row["value_to"]) == (pytest.approx(0.6), pytest.approx(0.8))
    assert (row["n_from"], row["n_to"], row["n"]) == (10, 10, 10)
    assert "Newcombe" in row["note"] and row["note"].startswith("parmi les répondants")
    assert row["label"].endswith("évolution 2021 → 2023")
    facilitators = change.loc["facilitator_places"]
    assert facilitators["value"] == pytest.approx(6 / 8 - 5 / 6)
    assert facilitators["low"] == pytest.approx(-0.450425, abs=1e-6)
    assert facilitators["high"] == pytest.approx(0.351809, abs=1e-6)
    assert facilitators["n"] == 6


def test_compare_means_with_bootstrap(panel):
    responses, staff, _ = panel
    first = compare_waves(responses, staff, 2021, 2023, ["etp_mean", "facilitator_jobs"],
                          seed=3).set_index("indicator")
    again = compare_waves(responses, staff, 2021, 2023, ["etp_mean", "facilitator_jobs"],
                          seed=3).set_index("indicator")
    pd.testing.assert_frame_equal(first, again)
    mean = first.loc["etp_mean"]
    assert mean["value"] == pytest.approx(15.5 / 9 - 1.11)
    assert mean["low"] < mean["value"] < mean["high"]
    assert mean["unit"] == "ETP par lieu" and "bootstrap" in mean["note"]
    jobs = first.loc["facilitator_jobs"]
    assert jobs["value"] == pytest.approx(6 / 18 - 4 / 12, abs=1e-12)
    assert jobs["low"] < 0 < jobs["high"]


def test_compare_sums_without_interval(panel):
    responses, staff, _ = panel
    change = compare_waves(responses, staff, 2021, 2023, ["cdi_sum", "respondents"])
    change = change.set_index("indicator")
    assert change.loc["cdi_sum", "value"] == 5
    assert pd.isna(change.loc["cdi_sum", "low"])
    assert "pas les mêmes lieux" in change.loc["cdi_sum", "note"]
    assert change.loc["respondents", "value"] == 0 and change.loc["respondents", "unit"] == "lieux"


def test_compare_with_a_wave_that_did_not_ask(panel):
    responses, staff, _ = panel
    change = compare_waves(responses, staff, 2021, 2022, ["share_with_cdd", "cdd_sum"])
    assert change["value"].isna().all() and change["low"].isna().all()
    assert change["note"].str.contains("non défini en 2022").all()
    assert change["n"].tolist() == [0, 0]


def test_compare_split_keeps_groups_of_either_wave(panel):
    responses, staff, _ = panel
    change = compare_waves(responses, staff, 2021, 2023, ["respondents"], split="typology")
    values = change.set_index("split_value")
    assert values.loc["coworking", "value"] == 5 - 4
    assert pd.isna(values.loc["non_renseigne", "value"])     # P12: no typology, new in 2022
    assert "non défini en 2021" in values.loc["non_renseigne", "note"]
    by_status = compare_waves(responses, staff, 2021, 2023, ["respondents"],
                              split="legal_status").set_index("split_value")
    assert by_status.loc["scic", "note"].endswith("non défini en 2023")   # P07 gone
    assert by_status.loc["scic", "value_from"] == 1 and by_status.loc["scic", "n_to"] == 0


# --- transitions --------------------------------------------------------------------------

TRANSITIONS_2021_2022 = {
    "transition_employeur_to_employeur": 4,      # P01 P02 P04 P08
    "transition_employeur_to_benevole": 1,       # P07
    "transition_employeur_to_absent": 1,         # P10 stopped answering
    "transition_benevole_to_employeur": 1,       # P03, renamed meanwhile
    "transition_benevole_to_benevole": 1,        # P05
    "transition_benevole_to_inconnu": 1,         # P09 left its staff questions blank
    "transition_sans_personnel_to_benevole": 1,  # P06
    "transition_absent_to_employeur": 1,         # P11
    "transition_absent_to_benevole": 1,          # P12
    "linked_places": 9, "stopped_answering": 1, "new_respondents": 2,
    "first_cdi": 1,                              # P03: 0 CDI then 1
    "lost_cdi": 0,
}
TRANSITIONS_2022_2023 = {
    "transition_employeur_to_employeur": 5,      # P01 P03 P04 P08 P11
    "transition_employeur_to_benevole": 1,       # P02
    "transition_benevole_to_employeur": 2,       # P05 (a CDD) and P06 (a CDI)
    "transition_benevole_to_benevole": 1,        # P12
    "transition_benevole_to_absent": 1,          # P07
    "transition_inconnu_to_absent": 1,           # P09
    "transition_absent_to_employeur": 1,         # P10 is back
    "linked_places": 9, "stopped_answering": 2, "new_respondents": 1,
    "first_cdi": 1,                              # P06
    "lost_cdi": 1,                               # P02
}


@pytest.mark.parametrize("waves, expected", [((2021, 2022), TRANSITIONS_2021_2022),
                                             ((2022, 2023), TRANSITIONS_2022_2023)])
def test_transitions_of_linked_places(panel, waves, expected):
    responses, _, _ = panel
    table = transitions(responses, *waves)
    assert list(table.columns) == COLUMNS + TRANSITION_COLUMNS
    counts = table.set_index("indicator")["value"]
    for code, value in counts.items():
        assert value == expected.get(code, 0), code
    assert (table["value"] == table["n"]).all()
    assert (table["wave"] == waves[1]).all() and (table["from_wave"] == waves[0]).all()
    # The state-to-state rows partition every place seen at either wave.
    pairs = table[table["indicator"].str.startswith("transition_")]
    assert len(pairs) == 24
    seen = responses.loc[responses["wave"].isin(waves), "place_id"].nunique()
    assert pairs["value"].sum() == seen
    assert table["note"].str.startswith("parmi les répondants").all()


def test_transition_labels_are_french(panel):
    responses, _, _ = panel
    table = transitions(responses, 2021, 2022).set_index("indicator")
    assert table.loc["transition_benevole_to_employeur", "label"] == (
        "Bénévoles uniquement (2021) → Employeur (2022)")
    assert table.loc["transition_benevole_to_employeur", "from_state"] == "benevole"
    assert table.loc["first_cdi", "label"].startswith("Premier CDI")


def test_transitions_in_a_departement(panel):
    responses, _, _ = panel
    counts = transitions(responses, 2021, 2022, ("departement", "64")).set_index("indicator")
    nonzero = counts.loc[counts["value"] > 0, "value"].to_dict()
    assert nonzero == {"transition_employeur_to_employeur": 1, "transition_employeur_to_absent": 1,
                       "transition_benevole_to_benevole": 1,
                       "transition_sans_personnel_to_benevole": 1,
                       "transition_absent_to_benevole": 1, "linked_places": 3,
                       "stopped_answering": 1, "new_respondents": 1}


def test_first_cdi_undefined_when_a_wave_did_not_ask(panel):
    responses, _, _ = panel
    no_cdi = responses.copy()
    no_cdi.loc[no_cdi["wave"] == 2022, "cdi"] = pd.NA
    table = transitions(no_cdi, 2021, 2022).set_index("indicator")
    assert pd.isna(table.loc["first_cdi", "value"]) and table.loc["first_cdi", "n"] == 0
    assert "non posée" in table.loc["first_cdi", "note"]


def test_place_states_and_errors(panel):
    responses, _, _ = panel
    states = place_states(responses, 2022).set_index("place_id")["state"]
    assert states["P09"] == "inconnu" and states["P06"] == "benevole"
    with pytest.raises(UsageError, match="no responses for wave 2030"):
        transitions(responses, 2021, 2030)
    twice = pd.concat([responses, responses[responses["place_id"] == "P01"]])
    from tlresearch.core.errors import DataError
    with pytest.raises(DataError, match="P01 answers twice"):
        transitions(twice, 2021, 2022)


# --- the demo survey (slow) -----------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(demo_panel):
    import tlresearch

    paths = demo_panel[0]
    return (tlresearch.load_responses(data_dir=paths.root),
            tlresearch.load_staff(data_dir=paths.root))


@pytest.mark.slow
def test_demo_series_and_change(demo):
    responses, staff = demo
    series = indicator_series(responses, staff, ["share_employers", "cdd_sum", "etp_mean"])
    waves = series.loc[series["indicator"] == "share_employers", "wave"].tolist()
    assert waves == list(range(2017, 2026))
    assert 2018 not in series.loc[series["indicator"] == "cdd_sum", "wave"].tolist()
    change = compare_waves(responses, staff, 2019, 2024, ["share_employers", "etp_mean"])
    employers = change.set_index("indicator").loc["share_employers"]
    assert employers["low"] > 0          # the rise from 44 % to 73 % is not noise
    assert employers["value"] == pytest.approx(0.73 - 0.44, abs=0.03)


@pytest.mark.slow
def test_demo_transitions_add_up(demo):
    responses, _ = demo
    table = transitions(responses, 2023, 2024).set_index("indicator")["value"]
    pairs = table[table.index.str.startswith("transition_")]
    assert pairs.sum() == (table["linked_places"] + table["stopped_answering"]
                           + table["new_respondents"])
    assert table["linked_places"] + table["new_respondents"] == 222
    assert table["linked_places"] + table["stopped_answering"] == 232
    assert table["transition_benevole_to_employeur"] > 0
