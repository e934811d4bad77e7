"""The bad-input corpus: each file of tests/data/bad breaks one thing, and the exact
error or quarantine reason is asserted. Every file goes through the real path of a
wave (reader → codebook → harmonisation → validation → de-duplication → communes).

The shared codebook is ``tests/data/bad/codebook.yaml``; the good baseline is
``good.csv`` (two places: La Ruche in Bègles, Le Bocal in Limoges).
"""
import shutil

import pytest

from tlresearch.core.errors import CodebookError, MissingColumnError, ReadError
from tlresearch.core.paths import DataPaths
from tlresearch.ingest.pipeline import build_panel
from tlresearch.spec.codebook import parse_codebook

from helpers.bad_inputs import BAD, assert_conserved, kept_value, logged, quarantined, run_wave

ERRORS = [
    ("empty.csv", ReadError, "empty_file", None),
    ("header_only.csv", ReadError, "no_data_rows", None),
    ("binary.csv", ReadError, "encoding", None),
    ("wrong_delimiter.csv", ReadError, "delimiter", None),
    ("duplicated_header.csv", ReadError, "duplicate_header", "CDI"),
    ("renamed_header.csv", MissingColumnError, "required_column", "NOM"),
    ("missing_required_column.csv", MissingColumnError, "required_column", "COMMUNE"),
    ("merged_header.xlsx", ReadError, "merged_header", None),
]


@pytest.mark.parametrize("file_name, error, rule, column", ERRORS)
def test_file_level_errors(tmp_path, file_name, error, rule, column):
    with pytest.raises(error) as caught:
        run_wave(tmp_path, file_name)
    assert caught.value.rule == rule
    assert caught.value.file == f"2024/{file_name}"
    assert caught.value.column == column
    assert "@" not in str(caught.value)  # never a contact value in a message


def test_renamed_header_error_points_to_the_new_name(tmp_path):
    with pytest.raises(MissingColumnError, match="closest header: 'NOM_DU_LIEU'") as caught:
        run_wave(tmp_path, "renamed_header.csv")
    assert caught.value.wave == 2024


QUARANTINES = [
    ("truncated_last_line.csv", [("truncated_row", 3, None)]),
    ("short_row.csv", [("field_count", 3, None)]),
    ("total_row.csv", [("total_row", 4, "place_name")]),
    ("blank_row.csv", [("blank_row", 3, None)]),
    ("negative_count.csv", [("range_cdi", 3, "CDI")]),
    ("cdi_cdd_above_staff.csv", [("cdi_cdd_above_staff", 2, "CDI")]),
    ("etp_above_headcount.csv", [("etp_above_headcount", 2, "ETP")]),
    ("future_opening_year.csv", [("opening_after_wave", 3, "OUVERTURE")]),
    ("duplicate_submission.csv", [("duplicate_submission", 2, "place_name")]),
    ("missing_place_name.csv", [("missing_place_name", 3, "place_name")]),
]


@pytest.mark.parametrize("file_name, expected", QUARANTINES)
def test_row_quarantines(tmp_path, file_name, expected):
    result = run_wave(tmp_path, file_name)
    assert quarantined(result) == expected
    assert_conserved(result)


def test_duplicate_submission_keeps_the_latest(tmp_path):
    result = run_wave(tmp_path, "duplicate_submission.csv")
    assert kept_value(result, 4, "etp") == 1.8
    assert "2024-000004 kept" in result.quarantine["2024-000002"].message


CELL_ISSUES = [
    ("text_in_numeric.csv", [("not_a_number", "set_missing", 2, "CDI")]),
    ("siret_luhn.csv", [("siret_luhn", "set_missing", 2, "SIRET")]),
    ("siret_scientific.csv", [("siret_scientific_notation", "set_missing", 2, "SIRET")]),
    ("siret_spaces.csv", [("siret_reformatted", "corrected", 2, "SIRET")]),
    ("unknown_label.csv", [("unknown_label", "set_missing", 3, "STATUT")]),
    ("formula_injection.csv", [("formula_injection", "flagged", 3, "NOM")]),
    ("formula_cell.xlsx", [("formula_cell", "set_missing", 3, "SALARIES")]),
    ("mojibake.csv", [("mojibake", "corrected", 2, "COMMUNE")]),
    ("drifting_header.csv", [("header_normalised", "corrected", 1, "CDI"),
                             ("header_normalised", "corrected", 1, "NOM")]),
    ("messy_numbers.csv", [("not_known", "set_missing", 3, "SALARIES"),
                           ("unit_stripped", "corrected", 3, "ETP"),
                           ("word_number", "corrected", 2, "ETP")]),
]


@pytest.mark.parametrize("file_name, expected", CELL_ISSUES)
def test_cell_issues_keep_the_row(tmp_path, file_name, expected):
    result = run_wave(tmp_path, file_name)
    assert logged(result) == expected
    assert result.quarantine == {}
    assert len(result.kept) == 2


def test_values_after_cell_fixes(tmp_path):
    result = run_wave(tmp_path / "b", "text_in_numeric.csv")
    assert result.kept["cdi"].isna().tolist() == [True, False]
    result = run_wave(tmp_path / "c", "messy_numbers.csv")
    assert result.kept["etp"].tolist() == [0.5, 2.0]
    result = run_wave(tmp_path / "d", "siret_spaces.csv")
    assert kept_value(result, 2, "siret") == "41234567800012"
    result = run_wave(tmp_path / "e", "formula_injection.csv")
    assert kept_value(result, 3, "place_name").startswith("=HYPERLINK(")  # as typed
    result = run_wave(tmp_path / "f", "mojibake.csv")
    assert kept_value(result, 2, "declared_commune_name") == "Bègles"


@pytest.mark.parametrize("file_name", ["cp1252.csv", "utf16.csv", "crlf_tab_bom.csv",
                                       "nfd_accents.csv", "good.csv"])
def test_encodings_and_delimiters_read_the_same_values(tmp_path, file_name):
    result = run_wave(tmp_path, file_name)
    assert result.quarantine == {}
    assert kept_value(result, 2, "declared_commune_name") == "Bègles"
    assert kept_value(result, 2, "commune_code") == "33039"
    assert kept_value(result, 2, "etp") == 1.5
    assert str(kept_value(result, 2, "submitted_at")) == "2024-03-12 00:00:00"


def test_encoding_is_reported(tmp_path):
    assert ("encoding_detected", "reported", None, None) in logged(run_wave(tmp_path, "cp1252.csv"))
    assert ("unicode_normalised", "corrected", None, None) in logged(
        run_wave(tmp_path / "nfd", "nfd_accents.csv"))


def test_postcode_with_lost_leading_zero(tmp_path):
    result = run_wave(tmp_path, "postcode_lost_zero.csv")
    assert ("leading_zero_restored", "corrected", 3, "CP") in logged(result)
    assert kept_value(result, 3, "declared_postcode") == "01000"
    assert kept_value(result, 3, "commune_code") == "01053"  # Bourg-en-Bresse
    assert "outside region 75" in kept_value(result, 3, "resolution_note")


def test_corsican_code_is_never_a_number(tmp_path):
    result = run_wave(tmp_path, "corsican_codes.csv")
    assert kept_value(result, 3, "declared_commune_code") == "2A004"
    assert kept_value(result, 3, "commune_code") == "2A004"
    assert kept_value(result, 3, "departement_code") == "2A"
    assert "outside region 75" in kept_value(result, 3, "resolution_note")


def test_postcode_typed_as_insee_code(tmp_path):
    result = run_wave(tmp_path, "postcode_as_insee.csv")
    assert kept_value(result, 2, "commune_code") == "33039"
    assert "33130 is a postcode" in kept_value(result, 2, "resolution_note")


def test_wave_with_no_codebook(tmp_path):
    paths = DataPaths(tmp_path / "data")
    (paths.raw / "2030").mkdir(parents=True)
    shutil.copy(BAD / "good.csv", paths.raw / "2030" / "good.csv")
    paths.codebooks.mkdir(parents=True)
    with pytest.raises(CodebookError) as caught:
        build_panel(paths)
    assert (caught.value.rule, caught.value.wave) == ("no_codebook", 2030)


def test_corpus_has_at_least_25_files():
    files = [p for p in BAD.iterdir() if p.suffix in {".csv", ".xlsx"}]
    assert len(files) >= 25


def test_oversized_count_is_set_missing_not_a_crash(tmp_path):
    result = run_wave(tmp_path, "oversized_count.csv")
    assert logged(result) == [("out_of_range", "set_missing", 2, "CDI")]
    assert result.kept["cdi"].isna().tolist() == [True, False]


def test_values_of_unmapped_columns_are_masked_in_the_log(tmp_path):
    result = run_wave(tmp_path, "unmapped_contact_column.csv")
    tel = sorted((i.rule, i.value) for i in result.harmonised.issues if i.column == "TEL")
    assert tel == [("formula_injection", "[masqué]"), ("mojibake", "[masqué]"),
                   ("unmapped_column", None)]


def test_values_of_restricted_columns_are_masked_in_the_log(tmp_path):
    result = run_wave(tmp_path, "formula_injection.csv")
    public = [i for i in result.harmonised.issues if i.column == "NOM"]
    assert public[0].value.startswith("=HYPERLINK")  # a place name is public: kept for review
    path = tmp_path / "mail_formula.csv"
    path.write_bytes((BAD / "good.csv").read_bytes().replace(b"bocal@example.org",
                                                             b"=bocal@example.org"))
    result = run_wave(tmp_path / "mail", path.name, source=path)
    email = [i for i in result.harmonised.issues if i.column == "EMAIL"]
    assert [(i.rule, i.value) for i in email] == [("formula_injection", "[masqué]")]


def test_zero_width_row_counts_as_blank(tmp_path):
    result = run_wave(tmp_path, "zero_width_row.csv")
    assert len(result.kept) == 2
    assert_conserved(result)


def test_a_place_named_ensemble_is_not_a_total_row(tmp_path):
    result = run_wave(tmp_path, "place_named_ensemble.csv")
    assert result.quarantine == {}
    assert kept_value(result, 3, "place_name") == "Ensemble Coworking"


def test_blank_zero_does_not_invent_zeros_for_a_missing_column(tmp_path):
    result = run_wave(tmp_path, "good.csv",
                      variables={"volunteers": {"column": "BENEVOLES", "blank": "zero"}})
    assert result.kept["volunteers"].isna().all()


def test_missing_completeness_column_is_an_error(tmp_path):
    with pytest.raises(MissingColumnError, match="completeness column"):
        run_wave(tmp_path, "good.csv",
                 completeness={"column": "lastpage", "complete_values": ["6"]})


@pytest.mark.parametrize("variables", [
    {"place_name": "NOM", "commune_name": {"labels": {}}},
    {"place_name": "NOM", "commune_name": "COMMUNE", "jobs": {"slots": [{"contract": "C"}]}},
])
def test_malformed_codebook_is_a_codebook_error(variables):
    with pytest.raises(CodebookError, match="malformed codebook entry"):
        parse_codebook({"wave": 2024, "file": "x.csv", "variables": variables})
