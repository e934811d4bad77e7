"""Resolution of lists of places to current communes, on the real CGET 2019 register."""
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.geo.resolve import ColumnChoice, detect_columns, read_places, resolve_table

CGET = "cget_tiers_lieux_2019_nouvelle_aquitaine.csv"


@pytest.fixture(scope="module")
def register(reference_dir):
    return read_places(reference_dir / CGET)


@pytest.fixture(scope="module")
def resolved(register):
    return resolve_table(register)


def test_columns_detected_from_common_spellings():
    assert detect_columns(["numcom", "code_postal", "commune", "y_wgs84", "x_wgs84"]) == \
        ColumnChoice(code="numcom", postcode="code_postal", name="commune",
                     lat="y_wgs84", lon="x_wgs84")
    assert detect_columns(["Code INSEE", "CP", "Ville"]).code == "Code INSEE"


def test_explicit_column_must_exist():
    from tlresearch.core.errors import UsageError

    with pytest.raises(UsageError, match="'CODE' .* not in the table"):
        detect_columns(["a", "b"], code="CODE")
    with pytest.raises(UsageError, match="no INSEE code"):
        detect_columns(["nom", "adresse"])


def test_every_row_and_column_kept_in_order(register, resolved):
    assert len(resolved) == len(register) == 225
    assert list(resolved.columns[: len(register.columns)]) == list(register.columns)
    pd.testing.assert_frame_equal(resolved[register.columns], register)


def test_every_place_gets_a_commune_or_a_reason(resolved):
    unresolved = resolved["resolution_method"] == "unresolved"
    assert resolved.loc[~unresolved, "commune_code"].notna().all()
    assert resolved.loc[unresolved, "resolution_note"].notna().all()
    assert unresolved.sum() == 0  # the three rows with no code, postcode nor name have points


def test_commune_deleguee_16226_resolves_to_its_commune_nouvelle(resolved):
    row = resolved[resolved["INSEECOM"] == "16226"].iloc[0]
    assert row["resolution_method"] == "former_code"
    assert row["commune_code"] == "16393"
    assert "16226 is a former commune" in row["resolution_note"]


def test_zero_codes_resolve_from_other_evidence(resolved):
    zero = resolved[resolved["INSEECOM"] == "0"]
    assert len(zero) > 0
    assert (zero["resolution_method"] != "unresolved").all()
    assert set(zero["resolution_method"]) <= {"postcode_name", "postcode_name_fuzzy",
                                               "postcode_only", "name_unique", "name_fuzzy",
                                               "point", "code"}


def test_postcode_and_name_alone_agree_with_the_code(register, resolved):
    valid = resolved["resolution_method"].isin(["code", "former_code"])
    by_name = resolve_table(register, ColumnChoice(postcode="CP", name="NOMCOM",
                                                   fallbacks=(("name", "COMINIT"),)))
    agreement = (by_name["commune_code"] == resolved["commune_code"])[valid].mean()
    assert agreement >= 0.97


def test_disagreements_between_code_and_coordinates_are_counted(resolved):
    disagree = resolved["resolution_disagreement"]
    assert resolved.attrs["disagreements"] == int(disagree.sum()) > 0
    notes = resolved.loc[disagree.fillna(False), "resolution_note"]
    assert notes.str.contains("coordinates fall in").all()


def test_every_commune_is_in_the_region(resolved):
    inside = resolved["region_code"] == "75"
    outside_notes = resolved.loc[~inside.fillna(False), "resolution_note"].fillna("")
    assert outside_notes.str.contains("outside region").all()
    assert inside.mean() > 0.98


# --- layouts of issue 14: metadata sheet first, codes as numbers, names and coordinates ---

LAYOUTS = Path(__file__).parent / "data" / "layouts"


def test_register_with_metadata_sheet_and_codes_stored_as_numbers(tmp_path):
    table = read_places(LAYOUTS / "national_register.xlsx")
    assert table.columns[0] == "Nom"  # the data sheet, not "Métadonnées"
    resolved = resolve_table(table, detect_columns(list(table.columns)), region="all")
    assert resolved.loc[0, "Code INSEE"] == "1053"  # the input is kept as it was
    assert resolved["commune_code"].tolist() == ["01053", "01283", "33063", "02408", "97103",
                                                 "64445"]
    assert resolved["resolution_note"].isna().all()  # nothing is "outside" all of France
    same = read_places(LAYOUTS / "national_register.xlsx", sheet="Lieux")
    assert same.equals(table)


def test_workbook_of_metadata_only_is_one_line(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Producteur", "Exemple"])
    book.active.append(["Licence", "Ouverte"])
    book.save(tmp_path / "meta.xlsx")
    with pytest.raises(UsageError, match="no sheet of the workbook"):
        read_places(tmp_path / "meta.xlsx")


def test_fuzzy_name_never_beats_coordinates_and_overseas_resolve():
    table = read_places(LAYOUTS / "national_places.csv")
    resolved = resolve_table(table, detect_columns(list(table.columns)), region="75")
    by_name = dict(zip(resolved["Ville"], zip(resolved["commune_code"],
                                              resolved["resolution_note"].fillna(""))))
    # Narbonne is not Arbonne, Chartres not Châtres...: flagged outside, not matched inside.
    for name, code in [("Narbonne", "11262"), ("Chartres", "28085"), ("Blois", "41018"),
                       ("Redon", "35236"), ("Saint-Omer", "62765")]:
        assert by_name[name][0] == code
        assert "outside region 75" in by_name[name][1]
    assert by_name["Arbonne"] == ("64035", "")
    overseas = {"Baie Mahault Guadeloupe": "97103", "Le Lamentin Martinique": "97213",
                "Saint-Denis La Réunion": "97411", "Mamoudzou": "97611", "Cayenne": "97302"}
    for name, code in overseas.items():
        assert by_name[name][0] == code
    # A commune name wins over a postcode that contradicts it, and says so.
    assert by_name["Pessac"][0] == "33318"
    assert "postcode 33000 is not that of 'Pessac'" in by_name["Pessac"][1]
    # In the same test: the 120-row list reuses the outlines of France read above.
    _national_list_of_120_places()


def test_trailing_region_word_and_name_without_coordinates():
    from tlresearch.geo.communes import resolve_communes

    frame = pd.DataFrame({"commune_name": ["Baie Mahault Guadeloupe", "Narbonne", "Bordeau"]})
    out = resolve_communes(frame, region="75")
    assert out["commune_code"].tolist() == ["97103", "11262", "33063"]
    assert out["resolution_note"].tolist()[:2] == ["outside region 75", "outside region 75"]


def _national_list_of_120_places():
    """scripts/make_national_places.py: 30 places of the region, 90 outside, among them
    traps whose name looks like a commune of the region and 17 overseas places."""
    from tlresearch.geo.communes import resolve_communes

    table = read_places(LAYOUTS / "national_places_120.csv")
    expected = table.pop("expected_code")
    outside = ~expected.str[:2].isin(["16", "17", "19", "23", "24", "33", "40", "47", "64",
                                      "79", "86", "87"])
    overseas = expected.str.startswith("97")
    assert len(table) == 120 and outside.sum() == 90 and overseas.sum() >= 16
    # The file does hold traps: by name alone, some places outside land inside.
    by_name = resolve_communes(pd.DataFrame({"commune_name": table["Ville"]}), region="75")
    assert (outside & (by_name["region_code"] == "75")).sum() >= 8
    resolved = resolve_table(table, detect_columns(list(table.columns)), region="75")
    assert resolved["commune_code"].tolist() == expected.tolist()
    notes = resolved["resolution_note"].fillna("")
    assert notes[outside].str.contains("outside region 75").all()
    assert not notes[~outside].str.contains("outside").any()
    assert (resolved.loc[outside, "region_code"] != "75").all()
    assert resolved.loc[overseas, "departement_code"].str.startswith("97").all()
