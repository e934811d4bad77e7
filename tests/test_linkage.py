"""Linkage of places across waves: methods, accumulated keys, overrides, determinism."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from tlresearch.core.errors import DataError
from tlresearch.ingest.linkage import LINK_COLUMNS, link_places, load_link_overrides
from tlresearch.ingest.place_matching import normalise_place_name, place_id_for


def _luhn_siret(prefix: str) -> str:
    """A 14-digit SIRET passing the Luhn check, from a 13-digit prefix."""
    for last in "0123456789":
        digits = [int(d) for d in prefix + last]
        total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2)
                    for i, d in enumerate(digits))
        if total % 10 == 0:
            return prefix + last
    raise AssertionError("unreachable")


S1, S2, S3 = (_luhn_siret(p) for p in ("1234567890001", "9876543210001", "5555555550001"))
NA = pd.NA

# response_id, wave, place_name, commune_key, siret
ROWS = [
    ("r01", 2019, "La Boussole", "33063", S1),
    ("r02", 2019, "Le Bocal", "47157", NA),
    ("r03", 2019, "La Ruche Numérique", "24322", NA),
    ("r04", 2019, "Atelier Commun", "86194", NA),
    ("r05", 2019, "Atelier Commun", "87085", NA),
    ("r06", 2019, "Le Relais", "16015", S2),
    ("r11", 2020, "La Boussole", "33063", NA),
    ("r12", 2020, "Bocal (Le)", "47157", NA),
    ("r13", 2020, "la ruche numerique", "24322", NA),
    ("r14", 2020, "Atelier Commun", "87085", NA),
    ("r15", 2020, "Le Relais", "16015", S3),
    ("r16", 2020, "Fablab des Chartrons", "33063", NA),
    ("r17", 2020, "Cowork Marmande", "47157", NA),
    ("r21", 2021, "Le Phare", "33063", S1),
    ("r22", 2021, "Le Bocal - Tiers-Lieu", "47157", NA),
    ("r23", 2021, "La Ruche Numerque", "24322", NA),
    ("r24", 2021, "Le Hangar", "33063", NA),
    ("r25", 2021, "Le Relais", "16015", NA),
    ("r26", 2021, "Atelier Commun", "86194", NA),
    ("r27", 2021, "Cowork Marmande", "47157", NA),
    ("r28", 2021, "Annexe", "47157", NA),
]

# response_id -> (anchor of its place, method, linked_to)
EXPECTED = {
    "r01": ("r01", "new", None),
    "r02": ("r02", "new", None),
    "r03": ("r03", "new", None),
    "r04": ("r04", "new", None),
    "r05": ("r05", "new", None),
    "r06": ("r06", "new", None),
    "r11": ("r01", "name_commune", "r01"),
    "r12": ("r02", "name_commune", "r02"),          # "Bocal (Le)" == "Le Bocal"
    "r13": ("r03", "name_commune", "r03"),          # accents and case
    "r14": ("r05", "name_commune", "r05"),          # same name, the right commune
    "r15": ("r15", "new", None),                    # same name, another SIRET
    "r16": ("r16", "new", None),
    "r17": ("r17", "new", None),
    "r21": ("r01", "siret", "r01"),                 # renamed, same SIRET
    "r22": ("r02", "name_commune", "r12"),
    "r23": ("r03", "fuzzy_name_commune", "r13"),    # typo
    "r24": ("r16", "override", "r16"),              # forced link
    "r25": ("r15", "name_commune", "r15"),          # tie: the most recent place
    "r26": ("r26", "override", None),               # forced new
    "r27": ("r17", "name_commune", "r17"),
    "r28": ("r02", "override", "r22"),              # forced link within one wave
}


def _responses(rows=ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["response_id", "wave", "place_name",
                                        "commune_key", "siret"])
    return frame.astype({"response_id": "string", "wave": "int64", "place_name": "string",
                         "commune_key": "string", "siret": "string"})


def _overrides() -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": ["r24", "r26", "r28", "r99"],
        "same_place_as": ["r16", None, "r22", "r01"],
        "new_place": [False, True, False, False],
    })


def test_hand_built_panel_links_as_expected():
    links, issues = link_places(_responses(), _overrides())

    assert list(links.columns) == LINK_COLUMNS
    assert links["response_id"].tolist() == [r[0] for r in ROWS]
    got = {
        row.response_id: (row.place_id, row.link_method,
                          None if pd.isna(row.linked_to) else row.linked_to)
        for row in links.itertuples()
    }
    want = {rid: (place_id_for(anchor), method, linked_to)
            for rid, (anchor, method, linked_to) in EXPECTED.items()}
    assert got == want
    assert links["place_id"].nunique() == 10


def test_scores_and_issues():
    links, issues = link_places(_responses(), _overrides())
    score = links.set_index("response_id")["link_score"]
    assert score["r21"] == 100 and score["r11"] == 100 and score["r24"] == 100
    assert pd.isna(score["r01"]) and pd.isna(score["r26"])
    assert 88 <= score["r23"] < 100

    fuzzy = [i for i in issues if i.rule == "fuzzy_link"]
    assert len(fuzzy) == 1
    assert fuzzy[0].action == "flagged"
    assert fuzzy[0].value == "ruche numerque ~ ruche numerique"
    assert fuzzy[0].column == "place_name" and fuzzy[0].file is None and fuzzy[0].row is None
    assert f"{score['r23']:.1f}" in fuzzy[0].message

    unknown = [i for i in issues if i.rule == "override_unknown_response"]
    assert [(i.action, i.column, i.value) for i in unknown] == [
        ("reported", "response_id", "r99")]


def test_place_id_is_a_hash_of_the_anchor_and_hides_the_name():
    links, _ = link_places(_responses())
    boussole = links.set_index("response_id").loc["r21", "place_id"]
    assert boussole == "TL" + hashlib.sha256(b"r01").hexdigest()[:10]
    assert len(boussole) == 12
    assert all("boussole" not in pid.lower() for pid in links["place_id"])


def test_shuffled_input_gives_the_same_links():
    overrides = _overrides()
    expected, _ = link_places(_responses(), overrides)
    shuffled = _responses().sample(frac=1, random_state=7)
    got, _ = link_places(shuffled, overrides)
    assert got.index.tolist() == shuffled.index.tolist()  # input order and index kept
    sort = ["response_id"]
    pd.testing.assert_frame_equal(
        got.sort_values(sort).reset_index(drop=True),
        expected.sort_values(sort).reset_index(drop=True),
    )


def test_same_wave_same_name_are_two_places():
    rows = [("a", 2020, "La Ruche", "47157", NA), ("b", 2020, "La Ruche", "47157", NA),
            ("c", 2021, "La Ruche", "47157", NA), ("d", 2021, "La Ruche", "47157", NA)]
    links, _ = link_places(_responses(rows))
    by_id = links.set_index("response_id")
    assert by_id.loc["a", "place_id"] != by_id.loc["b", "place_id"]
    # Each place gets one response of 2021: c takes the smallest place_id, d the other.
    assert {by_id.loc["c", "place_id"], by_id.loc["d", "place_id"]} == {
        by_id.loc["a", "place_id"], by_id.loc["b", "place_id"]}
    assert by_id.loc["c", "place_id"] == min(place_id_for("a"), place_id_for("b"))


def test_siret_match_wins_within_a_wave_over_a_fuzzy_guess():
    rows = [("a", 2020, "La Ruche Numérique", "24322", S1),
            ("b", 2021, "La Ruche Numerqe", "24322", NA),   # fuzzy, processed first
            ("c", 2021, "Tout Autre Nom", "24322", S1)]     # SIRET
    links, _ = link_places(_responses(rows))
    by_id = links.set_index("response_id")
    assert by_id.loc["c", "link_method"] == "siret"
    assert by_id.loc["b", "link_method"] == "new"


def test_a_siret_never_links_by_name_to_another_siret():
    rows = [("a", 2020, "La Ruche", "24322", S1),
            ("b", 2021, "La Ruche", "24322", S2),
            ("c", 2021, "La Ruche Numérique", "24322", S3)]
    links, _ = link_places(_responses(rows))
    assert links["link_method"].tolist() == ["new", "new", "new"]


def test_missing_name_or_commune_only_links_by_siret():
    rows = [("a", 2020, "La Ruche", NA, S1), ("b", 2021, NA, "24322", S1),
            ("c", 2022, "La Ruche", NA, NA)]
    links, _ = link_places(_responses(rows))
    assert links["link_method"].tolist() == ["new", "siret", "new"]


def test_fuzzy_threshold_is_respected():
    rows = [("a", 2020, "Atelier Velo", "24322", NA), ("b", 2021, "Atelier Bois", "24322", NA)]
    assert link_places(_responses(rows))[0]["link_method"].tolist() == ["new", "new"]
    links, _ = link_places(_responses(rows), threshold=70)
    assert links["link_method"].tolist() == ["new", "fuzzy_name_commune"]


def test_forced_new_and_forced_link_on_one_response_is_an_error():
    overrides = pd.DataFrame({"response_id": ["r11", "r11"], "same_place_as": [None, "r01"],
                              "new_place": [True, False]})
    with pytest.raises(DataError) as error:
        link_places(_responses(), overrides)
    assert error.value.rule == "conflicting_override"


def test_duplicate_response_ids_are_refused():
    rows = [("a", 2020, "X", "1", NA), ("a", 2021, "X", "1", NA)]
    with pytest.raises(DataError) as error:
        link_places(_responses(rows))
    assert error.value.rule == "duplicate_response_id"


@pytest.mark.parametrize("name, key", [
    ("Bocal (Le)", "bocal"),
    ("Le Bocal - Tiers-Lieu", "bocal"),
    ("Association La Ruche Numérique", "ruche numerique"),
    ("Espace Coworking St-Jean", "coworking saint jean"),
    ("L'Espace", "l espace"),
    ("Tiers-lieu", "tiers lieu"),
    (None, ""),
])
def test_place_names_are_normalised(name, key):
    assert normalise_place_name(name) == key


def test_load_link_overrides(tmp_path):
    assert load_link_overrides(tmp_path / "absent.csv").empty

    path = tmp_path / "place_links.csv"
    path.write_text("response_id;same_place_as;new_place;note\n"
                    "r24;r16;;même lieu\n\nr26;;oui;scission\n", encoding="utf-8-sig")
    table = load_link_overrides(path)
    assert table["response_id"].tolist() == ["r24", "r26"]
    assert table["same_place_as"].isna().tolist() == [False, True]
    assert table["new_place"].tolist() == [False, True]
    assert table["row"].tolist() == [2, 4]
    links, issues = link_places(_responses(), table)
    assert links.set_index("response_id").loc["r26", "link_method"] == "override"
    assert not [i for i in issues if i.rule.startswith("override")]


def test_unknown_override_issue_names_the_file_row(tmp_path):
    path = tmp_path / "place_links.csv"
    path.write_text("response_id,same_place_as,new_place\nr01,zz9,\n", encoding="utf-8")
    _, issues = link_places(_responses(), load_link_overrides(path))
    [issue] = [i for i in issues if i.rule == "override_unknown_response"]
    assert (issue.file, issue.row, issue.column, issue.value) == (
        str(path), 2, "same_place_as", "zz9")


@pytest.mark.parametrize("body", [
    "response_id,same_place_as,new_place\nr01,,\n",          # says nothing
    "response_id,same_place_as,new_place\nr01,r02,yes\n",    # says both
    "response_id,same_place_as,new_place\nr01,r01,\n",       # itself
    "response_id,same_place_as,new_place\nr01,,peut-être\n",  # not yes/no
])
def test_invalid_override_rows(tmp_path, body):
    path = tmp_path / "place_links.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_link_overrides(path)
    assert (error.value.rule, error.value.row) == ("invalid_override", 2)


def test_override_file_without_its_columns(tmp_path):
    path = tmp_path / "place_links.csv"
    path.write_text("id,other\nr01,r02\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_link_overrides(path)
    assert error.value.rule == "missing_column"
