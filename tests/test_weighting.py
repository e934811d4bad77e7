"""Known places, coverage and non-response-adjusted totals (toy frames and the demo's truth)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tlresearch.core.errors import DataError
from tlresearch.stats.adjusted_totals import estimate_totals
from tlresearch.stats.known_places import coverage, known_places, match_directory
from tlresearch.stats.weighting import WeightingError, calibrate


def _responses(rows):
    columns = ["place_id", "wave", "place_name", "commune_code", "typology", "region_code",
               "departement_code", "epci_code", "territorial_class", "opening_year",
               "staff_total", "cdi", "cdd", "etp", "volunteers"]
    return pd.DataFrame(rows, columns=columns)


def _toy():
    rows = []
    for k in range(12):
        dep = "33" if k < 6 else "24"
        for wave in (2023, 2024):
            if wave == 2024 and k % 3 == 0:
                continue  # a third of the places do not answer in 2024
            rows.append([f"TL{k:02d}", wave, f"Lieu {k}", "33063" if dep == "33" else "24322",
                         "coworking" if k % 2 else "fablab", "75", dep, "200", "urbain",
                         2015 + k % 4, k % 4, k % 3, 0, float(k % 4), 5])
    return _responses(rows)


def test_known_places_directory_duplicates_never_answered_and_reopening():
    responses = _toy()
    # TL00 answers again in 2025 after closing in 2024: known again (it reopened)
    responses = pd.concat([responses, _responses([["TL00", 2025, "Lieu 0", "33063", "fablab",
                                                   "75", "33", "200", "urbain", 2015, 1, 1, 0,
                                                   1.0, 5]])], ignore_index=True)
    directory = pd.DataFrame({
        "nom_lieu": ["Lieu 0", "LIEU 0", "Lieu 3", "Jamais Vu"],
        "code_commune": ["33063", "33063", "33063", "24322"],
        "type_lieu": ["fablab", "fablab", "coworking", "fablab"],
        "annee_ouverture": ["2015", "2015", "2016", "2010"],
        "annee_fermeture": ["2024", "2024", "2024", ""]})
    linked = match_directory(directory, None, responses)
    with pytest.raises(DataError, match="'fermé' is not a year"):
        match_directory(directory.assign(annee_fermeture=["", "fermé", "", ""]), None, responses)
    assert linked["duplicates"].tolist() == [1, 0, 0]
    assert linked["place_id"].tolist()[:2] == ["TL00", "TL03"] and pd.isna(linked["place_id"][2])
    known = known_places(responses, linked)
    at = {w: set(known.loc[known["wave"] == w, "place_id"]) for w in (2023, 2024, 2025)}
    assert "TL03" in at[2023] and "TL03" not in at[2024]          # closed in 2024
    assert "TL00" in at[2025] and "TL00" not in at[2024]          # reopened after a gap
    assert "AN00001" in at[2023] and "TL05" in at[2025]           # never answered; no closure
    table = coverage(known, 2024)
    assert table[["respondents", "known_places"]].to_numpy().tolist() == [[8, 11]]
    by_dep = coverage(known, 2024, by="departement_code")
    assert by_dep["known_places"].sum() == 11


def test_weighting_names_the_margin_it_cannot_reach():
    # respondents of type a all employ, those of type b none: the weights cannot give
    # ten places of type a but only five employers
    known = pd.DataFrame({"typology": ["a"] * 10 + ["b"] * 5,
                          "past_state": ["employeur"] * 5 + ["jamais"] * 10})
    answered = np.array([True] * 5 + [False] * 5 + [True] * 5)
    with pytest.raises(WeightingError, match="ne converge pas : marge"):
        calibrate(known, answered, margins=("typology", "past_state"))
    answered[5:10] = True  # type a's other places answer: weights reach every margin
    weights = calibrate(known, answered, margins=("typology", "past_state")).weights
    assert weights.sum() == pytest.approx(15) and weights[answered].min() > 0


def test_a_departement_without_respondents_is_pooled_and_said():
    responses = _toy()
    responses = responses[~((responses["wave"] == 2024)
                            & (responses["place_id"].isin(["TL06", "TL07", "TL08"])))]
    rows = responses[responses["wave"] == 2023].assign(departement_code="19").head(2)
    rows = rows.assign(place_id=["TL90", "TL91"], wave=2023)
    known = known_places(pd.concat([responses, rows], ignore_index=True))
    table = estimate_totals(responses, known, 2024, ["cdi"], groups=4)
    assert "département : 19" in table["method"][0], table["note"][0]
    assert table["value"][0] > table["respondents_sum"][0]


@pytest.mark.slow
def test_adjusted_totals_cover_the_demo_truth(demo_panel):
    """Non-response depends on the period of opening (older places answer more and employ
    more): for CDI, ETP and jobs of the region, the adjusted total is closer to the truth
    than the respondents' sum, and its 95 % interval covers it."""
    import tlresearch
    from tlresearch.explore.coverage import known as known_of_folder

    paths = demo_panel[0]
    responses = tlresearch.load_responses(data_dir=paths.root)
    truth = pd.read_csv(paths.demo_truth)
    known = known_of_folder(paths.root)  # the directory matched, as the explorer reads it
    for wave in (2019, 2025):
        table = estimate_totals(responses, known, wave, ["cdi", "etp", "staff_total"])
        true = truth[truth["wave"] == wave]
        assert len(true) == pytest.approx(table["known_places"][0], rel=0.06)
        for row in table.itertuples():
            total = true[row.variable].sum()
            assert row.low <= total <= row.high, (wave, row.variable, total)
            assert abs(row.value - total) < abs(row.respondents_sum - total), row.variable
