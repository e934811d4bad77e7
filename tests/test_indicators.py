"""Indicators of one wave: a hand-built panel where every figure is known in advance,
published Panorama tables rebuilt from matching microdata, and the demo survey."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tlresearch.core.errors import DataError, UsageError
from tlresearch.stats.indicator_catalogue import (
    AMONG_RESPONDENTS,
    RESULT_COLUMNS,
    catalogue,
    catalogue_table,
    split_label,
)
from tlresearch.stats.indicators import compute_indicators
from tlresearch.stats.open_places import open_places_from_directory

from helpers.panels import hand_panel


@pytest.fixture(scope="module")
def panel():
    return hand_panel()


def by_code(table: pd.DataFrame) -> pd.DataFrame:
    assert not table["indicator"].duplicated().any()
    return table.set_index("indicator")


# --- the catalogue ---------------------------------------------------------------

def test_catalogue_is_complete_and_french():
    from tlresearch.spec.variables import catalogue as variables

    known = set(variables()) | {"jobs"}
    for indicator in catalogue().values():
        assert indicator.label and indicator.unit and indicator.definition
        for need in indicator.needs:
            for name in (need if isinstance(need, tuple) else (need,)):
                assert name in known, (indicator.code, name)
    table = catalogue_table()
    assert {"facilitator_places", "facilitator_jobs", "share_employers"} <= set(table["indicator"])
    assert catalogue()["facilitator_places"].label.startswith("(a)")
    assert catalogue()["facilitator_jobs"].label.startswith("(b)")


def test_split_labels_are_french():
    assert split_label("typology", "atelier_partage") == "Atelier partagé"
    assert split_label("typology", "hybride") == "Lieu hybride (plusieurs types)"
    assert split_label("legal_status", "scic") == "SCIC"
    assert split_label("territorial_class", "périurbain") == "Périurbain"
    assert split_label("typology", "non_renseigne") == "Non renseigné"


# --- the hand-built panel: every figure known in advance ----------------------------

#: (value, n) of each indicator; the comments give the places behind each figure.
EXPECTED = {
    2021: {
        "respondents": (10, 10),
        "share_employers": (6 / 10, 10),        # P01 P02 P04 P07 P08 P10
        "share_volunteer_run": (3 / 10, 10),    # P03 P05 P09 (P06: neither)
        "share_with_cdi": (5 / 10, 10),         # P01 P02 P04 P08 P10
        "share_with_cdd": (3 / 10, 10),         # P01 P07 P08
        "share_with_cdi_employers": (5 / 6, 6),
        "share_with_cdd_employers": (3 / 6, 6),
        "facilitator_places": (5 / 6, 6),       # all listing places but P07
        "facilitator_jobs": (4 / 12, 6),        # P10's facilitator has an unknown contract
        "staff_total_sum": (13, 10), "cdi_sum": (9, 10), "cdd_sum": (3, 10),
        "other_contracts_sum": (1, 10), "interns_sum": (5, 10), "civic_service_sum": (3, 10),
        "volunteers_sum": (38, 10), "board_members_sum": (43, 10),
        "etp_sum": (11.1, 10), "etp_mean": (1.11, 10), "etp_median": (0.75, 10),
        "etp_mean_employers": (11.1 / 6, 6),
    },
    2022: {  # no CDD question; P09 left its staff questions blank
        "respondents": (11, 11),
        "share_employers": (6 / 10, 10),        # P01 P02 P03 P04 P08 P11
        "share_volunteer_run": (4 / 10, 10),    # P05 P06 P07 P12
        "share_with_cdi": (6 / 10, 10),
        "share_with_cdd": (None, 0),
        "share_with_cdi_employers": (6 / 6, 6),
        "share_with_cdd_employers": (None, 0),
        "facilitator_places": (5 / 6, 6),       # all but P02
        "facilitator_jobs": (5 / 13, 6),
        "staff_total_sum": (13, 10), "cdi_sum": (11, 10), "cdd_sum": (None, 0),
        "other_contracts_sum": (2, 10), "interns_sum": (3, 11), "civic_service_sum": (2, 11),
        "volunteers_sum": (50, 11), "board_members_sum": (47, 11),
        "etp_sum": (12.4, 10), "etp_mean": (1.24, 10), "etp_median": (0.9, 10),
        "etp_mean_employers": (12.4 / 6, 6),
    },
    2023: {  # P05 left ETP blank
        "respondents": (10, 10),
        "share_employers": (8 / 10, 10),
        "share_volunteer_run": (2 / 10, 10),    # P02 P12
        "share_with_cdi": (7 / 10, 10),
        "share_with_cdd": (3 / 10, 10),         # P01 P04 P05
        "share_with_cdi_employers": (7 / 8, 8),
        "share_with_cdd_employers": (3 / 8, 8),
        "facilitator_places": (6 / 8, 8),       # not P05, P11
        "facilitator_jobs": (6 / 18, 8),
        "staff_total_sum": (18, 10), "cdi_sum": (14, 10), "cdd_sum": (3, 10),
        "other_contracts_sum": (1, 10), "interns_sum": (4, 10), "civic_service_sum": (1, 10),
        "volunteers_sum": (36, 10), "board_members_sum": (37, 10),
        "etp_sum": (15.5, 9), "etp_mean": (15.5 / 9, 9), "etp_median": (2.0, 9),
        "etp_mean_employers": (15.5 / 7, 7),
    },
}

#: Wilson 95 % intervals (R: prop.test(x, n, correct = FALSE)).
WILSON = {(6, 10): (0.312674, 0.831820), (3, 10): (0.107791, 0.603222),
          (5, 10): (0.236593, 0.763407), (5, 6): (0.436497, 0.969947),
          (3, 6): (0.187616, 0.812384), (4, 10): (0.168180, 0.687326),
          (6, 6): (0.609666, 1.0), (8, 10): (0.490162, 0.943318),
          (2, 10): (0.056682, 0.509838), (7, 10): (0.396778, 0.892209),
          (7, 8): (0.529112, 0.977583), (3, 8): (0.136844, 0.694258),
          (6, 8): (0.409275, 0.928521)}


@pytest.mark.parametrize("wave", sorted(EXPECTED))
def test_hand_panel_every_indicator(panel, wave):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, wave))
    assert list(table.index) == list(catalogue())
    for code, (value, n) in EXPECTED[wave].items():
        row = table.loc[code]
        assert row["n"] == n, code
        if value is None:
            assert pd.isna(row["value"]), code
        else:
            assert row["value"] == pytest.approx(value, rel=1e-12), code


@pytest.mark.parametrize("wave", sorted(EXPECTED))
def test_hand_panel_wilson_intervals(panel, wave):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, wave))
    for code in ("share_employers", "share_volunteer_run", "share_with_cdi", "share_with_cdd",
                 "share_with_cdi_employers", "share_with_cdd_employers", "facilitator_places"):
        value, n = EXPECTED[wave][code]
        if value is None:
            assert pd.isna(table.loc[code, "low"]) and pd.isna(table.loc[code, "high"])
            continue
        low, high = WILSON[(round(value * n), n)]
        assert table.loc[code, "low"] == pytest.approx(low, abs=1e-6), code
        assert table.loc[code, "high"] == pytest.approx(high, abs=1e-6), code


def test_tidy_columns_and_types(panel):
    responses, staff, _ = panel
    table = compute_indicators(responses, staff, 2021)
    assert list(table.columns) == RESULT_COLUMNS
    assert str(table["wave"].dtype) == "Int64" and str(table["n"].dtype) == "Int64"
    assert str(table["value"].dtype) == "Float64"
    assert table["split"].isna().all() and table["split_value"].isna().all()
    assert (table["territory_level"] == "region").all() and (table["territory"] == "75").all()
    assert table["note"].str.startswith(AMONG_RESPONDENTS).all()
    assert (table.loc[table["unit"] == "part", "value"].dropna().between(0, 1)).all()


def test_sums_and_counts_have_no_interval(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, 2021))
    for code in ("respondents", "cdi_sum", "volunteers_sum", "etp_sum"):
        assert pd.isna(table.loc[code, "low"]) and pd.isna(table.loc[code, "high"])
    assert "sans extrapolation" in table.loc["cdi_sum", "note"]


def test_means_and_medians_have_seeded_bootstrap_intervals(panel):
    responses, staff, _ = panel
    first = by_code(compute_indicators(responses, staff, 2021, seed=11))
    again = by_code(compute_indicators(responses, staff, 2021, seed=11))
    other = by_code(compute_indicators(responses, staff, 2021, seed=12, resamples=500))
    pd.testing.assert_frame_equal(first, again)
    for code in ("etp_mean", "etp_median", "etp_mean_employers", "facilitator_jobs"):
        row = first.loc[code]
        assert row["low"] <= row["value"] <= row["high"], code
    assert first.loc["etp_mean", "low"] != other.loc["etp_mean", "low"]
    # Wilson intervals do not depend on the seed.
    assert first.loc["share_employers", "low"] == other.loc["share_employers", "low"]


def test_question_not_asked_is_missing_never_zero(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, 2022))
    for code in ("share_with_cdd", "cdd_sum", "share_with_cdd_employers"):
        assert pd.isna(table.loc[code, "value"]) and table.loc[code, "n"] == 0
        assert "question non posée en 2022 (cdd)" in table.loc[code, "note"]
        assert "pas zéro" in table.loc[code, "note"]


def test_a_variable_absent_from_the_table_is_not_asked(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses.drop(columns=["board_members"]), staff, 2021))
    assert pd.isna(table.loc["board_members_sum", "value"])
    assert "non posée" in table.loc["board_members_sum", "note"]


def test_item_non_response_leaves_the_base_and_is_counted(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, 2022))
    assert table.loc["share_employers", "n"] == 10      # P09 left it blank
    assert "1 sans réponse" in table.loc["share_employers", "note"]
    table = by_code(compute_indicators(responses, staff, 2023))
    assert table.loc["etp_mean", "n"] == 9 and "1 sans réponse" in table.loc["etp_mean", "note"]


def test_facilitator_shares_both_definitions_are_labelled(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, 2021))
    assert table.loc["facilitator_places", "label"].startswith("(a)")
    assert table.loc["facilitator_jobs", "label"].startswith("(b)")
    assert "au moins un poste" in table.loc["facilitator_places", "note"]
    assert ("12 postes salariés, dont 4 « Facilitateur·rice / coordinateur·rice »"
            in table.loc["facilitator_jobs", "note"])


def test_without_staff_table_facilitators_are_missing(panel):
    responses, _, _ = panel
    table = by_code(compute_indicators(responses, None, 2021))
    assert pd.isna(table.loc["facilitator_places", "value"])
    assert table.loc["share_employers", "value"] == pytest.approx(0.6)


def test_staff_joined_on_place_and_wave_when_no_response_id(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses.drop(columns=["response_id"]),
                                       staff.drop(columns=["response_id"]), 2021))
    assert table.loc["facilitator_jobs", "value"] == pytest.approx(4 / 12)


# --- territories and splits ----------------------------------------------------------

def test_departement_and_epci(panel):
    responses, staff, _ = panel
    dep = by_code(compute_indicators(responses, staff, 2021, ("departement", "64")))
    assert dep.loc["respondents", "value"] == 4                      # P05 P06 P08 P10
    assert dep.loc["share_employers", "value"] == pytest.approx(2 / 4)
    assert (dep["territory_level"] == "departement").all() and (dep["territory"] == "64").all()
    epci = by_code(compute_indicators(responses, staff, 2022, ("epci", "200069581")))
    assert epci.loc["respondents", "value"] == 3                     # P03 P04 P11
    assert epci.loc["share_employers", "value"] == 1.0
    assert epci.loc["share_employers", "low"] == pytest.approx(0.438503, abs=1e-6)
    empty = by_code(compute_indicators(responses, staff, 2021, ("departement", "87")))
    assert empty.loc["respondents", "value"] == 0
    assert pd.isna(empty.loc["share_employers", "value"]) and empty.loc["share_employers", "n"] == 0


def test_split_by_typology_with_blank_values(panel):
    responses, staff, _ = panel
    table = compute_indicators(responses, staff, 2022, split="typology",
                               indicators=["respondents", "share_employers"])
    assert (table["split"] == "typology").all()
    counts = table[table["indicator"] == "respondents"].set_index("split_value")["value"]
    assert counts.to_dict() == {"atelier_partage": 1, "coworking": 5, "fablab": 2, "hybride": 2,
                                "non_renseigne": 1}
    assert list(counts.index)[-1] == "non_renseigne"
    shares = table[table["indicator"] == "share_employers"].set_index("split_value")
    assert shares.loc["coworking", "value"] == pytest.approx(4 / 5)   # P01 P02 P08 P11
    assert shares.loc["fablab", "n"] == 1                             # P09 blank
    assert shares.loc["non_renseigne", "value"] == 0.0               # P12


def test_split_by_legal_status(panel):
    responses, staff, _ = panel
    table = compute_indicators(responses, staff, 2021, split="legal_status",
                               indicators=["respondents"])
    assert table.set_index("split_value")["value"].to_dict() == {
        "association": 7, "collectivite": 1, "sas": 1, "scic": 1}


def test_split_by_territorial_class_needs_the_column(panel):
    responses, staff, _ = panel
    with pytest.raises(UsageError, match="territorial_class"):
        compute_indicators(responses, staff, 2021, split="territorial_class")
    classes = {"33": "urbain", "64": "rural"}
    with_class = responses.assign(territorial_class=responses["departement_code"].map(classes))
    table = compute_indicators(with_class, staff, 2021, split="territorial_class",
                               indicators=["share_employers"]).set_index("split_value")
    assert table.loc["rural", "value"] == pytest.approx(2 / 4)
    assert table.loc["urbain", "value"] == pytest.approx(4 / 6)


def test_unknown_split_is_refused(panel):
    responses, staff, _ = panel
    with pytest.raises(UsageError, match="cannot split by 'commune_code'"):
        compute_indicators(responses, staff, 2021, split="commune_code")


# --- response rate and the directory --------------------------------------------------

def test_open_places_from_directory(panel):
    _, _, directory = panel
    table = open_places_from_directory(directory, waves=[2021, 2022, 2023])
    assert list(table.columns) == ["wave", "region_code", "departement_code", "epci_code",
                                   "n_open"]
    assert table.groupby("wave")["n_open"].sum().to_dict() == {2021: 11, 2022: 13, 2023: 12}
    in_33 = table[table["departement_code"] == "33"].groupby("wave")["n_open"].sum()
    assert in_33.to_dict() == {2021: 7, 2022: 8, 2023: 6}


def test_response_rate_against_directory(panel):
    responses, staff, directory = panel
    open_places = open_places_from_directory(directory)
    for wave, (answered, open_) in {2021: (10, 11), 2022: (11, 13), 2023: (10, 12)}.items():
        row = by_code(compute_indicators(responses, staff, wave,
                                         open_places=open_places)).loc["response_rate"]
        assert row["value"] == pytest.approx(answered / open_)
        assert row["n"] == open_
        assert f"{answered} répondants / {open_} lieux ouverts" in row["note"]
        assert pd.isna(row["low"])
    dep = by_code(compute_indicators(responses, staff, 2022, ("departement", "33"),
                                     open_places=open_places))
    assert dep.loc["response_rate", "value"] == pytest.approx(7 / 8)


def test_response_rate_from_a_count_or_missing(panel):
    responses, staff, _ = panel
    table = by_code(compute_indicators(responses, staff, 2021, open_places=20))
    assert table.loc["response_rate", "value"] == 0.5
    table = by_code(compute_indicators(responses, staff, 2021))
    assert pd.isna(table.loc["response_rate", "value"])
    assert "open_places" in table.loc["response_rate", "note"]
    split = compute_indicators(responses, staff, 2021, split="typology", open_places=20,
                               indicators=["response_rate"])
    assert split["value"].isna().all()


def test_response_rate_split_when_directory_has_the_column(panel):
    responses, staff, directory = panel
    typology = ["coworking", "coworking", "fablab", "hybride", "coworking", "atelier_partage",
                "hybride", "coworking", "fablab", "hybride", "coworking", "", "coworking",
                "coworking", "fablab"]
    open_places = open_places_from_directory(directory.assign(typology=typology))
    table = compute_indicators(responses, staff, 2021, split="typology",
                               open_places=open_places, indicators=["response_rate"])
    rates = table.set_index("split_value")["value"]
    assert rates["coworking"] == pytest.approx(4 / 5)     # P01 P02 P05 P08 / + "Le Local"
    assert rates["hybride"] == 1.0


def test_directory_commune_lookup():
    directory = pd.DataFrame({"code_commune": ["33063", "64102"],
                              "annee_ouverture": ["2019", "2020"], "annee_fermeture": ["", ""]})
    table = open_places_from_directory(directory, waves=[2020])
    assert table[["departement_code", "epci_code", "n_open"]].to_numpy().tolist() == [
        ["33", "243300316", 1], ["64", "200067106", 1]]
    assert (table["region_code"] == "75").all()


@pytest.mark.parametrize("column, value", [("annee_ouverture", "vers 2015"),
                                           ("annee_ouverture", ""),
                                           ("annee_fermeture", "fermé")])
def test_directory_bad_year_names_the_line(column, value):
    directory = pd.DataFrame({"departement_code": ["33", "33"], "annee_ouverture": ["2015", "2016"],
                              "annee_fermeture": ["", ""]})
    directory.loc[1, column] = value
    with pytest.raises(DataError) as caught:
        open_places_from_directory(directory)
    assert caught.value.row == 3


# --- errors ----------------------------------------------------------------------------

def test_bad_arguments(panel):
    responses, staff, _ = panel
    with pytest.raises(UsageError, match="no responses for wave 2019; waves present: 2021"):
        compute_indicators(responses, staff, 2019)
    with pytest.raises(UsageError, match="unknown indicator"):
        compute_indicators(responses, staff, 2021, indicators=["share_of_unicorns"])
    with pytest.raises(UsageError, match="unknown territory level"):
        compute_indicators(responses, staff, 2021, ("commune", "33063"))
    # a bare code names a territory as in tlresearch.indicator (issue 23); a wrong one is refused
    assert compute_indicators(responses, staff, 2021, "33")["value"].equals(
        compute_indicators(responses, staff, 2021, ("departement", "33"))["value"])
    with pytest.raises(UsageError, match="unknown territory '999'"):
        compute_indicators(responses, staff, 2021, "999")
    with pytest.raises(UsageError, match="open_places"):
        compute_indicators(responses, staff, 2021, open_places="311")


def test_missing_columns_raise_data_error(panel):
    responses, staff, _ = panel
    with pytest.raises(DataError) as caught:
        compute_indicators(responses.drop(columns=["epci_code"]), staff, 2021, ("epci", "1"))
    assert caught.value.column == "epci_code"
    with pytest.raises(DataError, match="staff table has no 'role'"):
        compute_indicators(responses, staff.drop(columns=["role"]), 2021)


# --- published tables rebuilt from matching microdata -------------------------------

def _spread(total: int, n: int, seed: int) -> np.ndarray:
    """``total`` persons over ``n`` places, uneven but deterministic."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(total, rng.dirichlet(np.full(n, 0.6)))


@pytest.fixture(scope="module")
def panorama():
    """2018 typology (192 respondents) and 2019 staff totals (206 respondents)."""
    typology = (["coworking"] * 118 + ["atelier_partage"] * 15 + ["fablab"] * 14
                + ["hybride"] * 45)
    wave_2018 = pd.DataFrame({"wave": 2018, "place_id": [f"A{i:03d}" for i in range(192)],
                              "region_code": "75", "typology": typology})
    n = 206
    sums = {"cdi": 195, "cdd": 74, "interns": 94, "civic_service": 51, "volunteers": 2415,
            "board_members": 869}
    wave_2019 = pd.DataFrame({"wave": 2019, "place_id": [f"B{i:03d}" for i in range(n)],
                              "region_code": "75"})
    for seed, (column, total) in enumerate(sums.items()):
        wave_2019[column] = _spread(total, n, seed)
    wave_2019["other_contracts"] = 0
    wave_2019["staff_total"] = wave_2019["cdi"] + wave_2019["cdd"]
    responses = pd.concat([wave_2018, wave_2019], ignore_index=True)
    return responses.astype({c: "Int64" for c in ["wave", *sums, "other_contracts",
                                                  "staff_total"]})


def test_panorama_2018_typology(panorama):
    table = compute_indicators(panorama, None, 2018, split="typology",
                               indicators=["respondents"])
    assert table.set_index("split_value")["value"].to_dict() == {
        "atelier_partage": 15, "coworking": 118, "fablab": 14, "hybride": 45}
    total = compute_indicators(panorama, None, 2018, indicators=["respondents"])
    assert total["value"].tolist() == [192]


def test_panorama_2019_staff_totals(panorama):
    table = by_code(compute_indicators(panorama, None, 2019))
    published = {"cdi_sum": 195, "cdd_sum": 74, "interns_sum": 94, "civic_service_sum": 51,
                 "volunteers_sum": 2415, "board_members_sum": 869}
    for code, value in published.items():
        assert table.loc[code, "value"] == value, code
        assert table.loc[code, "n"] == 206
    assert sum(published.values()) == 3698           # "3 700 personnes mobilisées"


def test_panorama_2022_response_rate(panorama):
    wave = pd.DataFrame({"wave": 2022, "place_id": [f"C{i:03d}" for i in range(226)],
                         "region_code": "75"})
    table = by_code(compute_indicators(wave, None, 2022, open_places=311,
                                       indicators=["respondents", "response_rate"]))
    assert table.loc["response_rate", "value"] == pytest.approx(226 / 311)
    assert round(table.loc["response_rate", "value"] * 100, 1) == 72.7


# --- the demo survey (slow) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(demo_panel):
    import tlresearch
    from tlresearch.demo import DIRECTORY_FILE

    paths = demo_panel[0]
    responses = tlresearch.load_responses(data_dir=paths.root)
    staff = tlresearch.load_staff(data_dir=paths.root)
    directory = pd.read_csv(paths.raw / DIRECTORY_FILE, sep=";", dtype="string")
    return responses, staff, open_places_from_directory(directory)


@pytest.mark.slow
def test_demo_2024_matches_the_panorama(demo):
    responses, staff, open_places = demo
    table = by_code(compute_indicators(responses, staff, 2024, open_places=open_places))
    assert table.loc["share_employers", "value"] == pytest.approx(0.73, abs=0.03)
    assert table.loc["etp_mean", "value"] == pytest.approx(2.2, abs=0.15)
    assert table.loc["share_with_cdi", "value"] == pytest.approx(0.58, abs=0.03)
    assert table.loc["share_with_cdd", "value"] == pytest.approx(0.28, abs=0.03)


@pytest.mark.slow
def test_demo_2022_response_rate_from_directory(demo):
    responses, staff, open_places = demo
    row = by_code(compute_indicators(responses, staff, 2022, open_places=open_places,
                                     indicators=["respondents", "response_rate"]))
    assert row.loc["respondents", "value"] == 226
    assert row.loc["response_rate", "n"] == 311
    assert row.loc["response_rate", "value"] == pytest.approx(226 / 311)


@pytest.mark.slow
def test_demo_2019_published_sums_and_facilitators(demo):
    responses, staff, _ = demo
    table = by_code(compute_indicators(responses, staff, 2019))
    assert table.loc["respondents", "value"] == 206
    for code, value in {"cdi_sum": 195, "cdd_sum": 74, "interns_sum": 94,
                        "civic_service_sum": 51, "volunteers_sum": 2415,
                        "board_members_sum": 869}.items():
        assert table.loc[code, "value"] == value, code
    # The 2019 "56 % facilitateurs ou coordinateurs", read as a share of employing places.
    assert table.loc["facilitator_places", "value"] == pytest.approx(0.56, abs=0.03)


@pytest.mark.slow
def test_demo_2018_did_not_ask_cdd(demo):
    responses, staff, _ = demo
    table = compute_indicators(responses, staff, 2018, ("departement", "33"),
                               split="legal_status")
    rows = table[table["indicator"] == "cdd_sum"]
    assert len(rows) == table["split_value"].nunique() > 1
    assert rows["value"].isna().all() and rows["note"].str.contains("non posée").all()
    assert table.loc[table["indicator"] == "cdi_sum", "value"].notna().all()
