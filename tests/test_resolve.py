"""Resolution of lists of places to current communes, on the real CGET 2019 register."""
import pandas as pd
import pytest

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
