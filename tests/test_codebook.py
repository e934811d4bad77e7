"""Codebooks: parsing, checks against a header, and the errors that name the problem."""
import pytest

from tlresearch.core.errors import CodebookError, MissingColumnError
from tlresearch.spec.codebook import (
    ColumnMapping,
    JobSlots,
    MultiColumns,
    MultiDelimited,
    find_codebooks,
    load_codebook,
    parse_codebook,
)

MINIMAL = {
    "wave": 2026, "file": "2026/export.csv",
    "variables": {
        "place_name": "NOM",
        "commune_name": "COMMUNE",
        "cdi": {"column": "CDI", "blank": "zero"},
        "legal_status": {"column": "STATUT", "labels": {"Association loi 1901": "association"}},
        "place_types": {"columns": {"coworking": "TYPE[SQ001]", "fablab": "TYPE[SQ002]"}},
        "jobs": {"slots": [{"title": "P1", "contract": "P1C"}],
                 "contract_labels": {"CDI": "cdi", "CDD": "cdd"}},
    },
    "ignore": ["id"],
}


def test_parse_kinds_of_mapping():
    codebook = parse_codebook(MINIMAL)
    assert codebook.variables["place_name"] == ColumnMapping("NOM")
    assert codebook.variables["cdi"].blank == "zero"
    assert isinstance(codebook.variables["place_types"], MultiColumns)
    assert isinstance(codebook.variables["jobs"], JobSlots)
    assert codebook.raw_columns() == ["NOM", "COMMUNE", "CDI", "STATUT", "TYPE[SQ001]",
                                      "TYPE[SQ002]", "P1", "P1C"]


def test_delimited_multi_choice():
    raw = dict(MINIMAL, variables={**MINIMAL["variables"], "place_types": {
        "column": "Type", "separator": ", ", "labels": {"Fablab": "fablab"}}})
    mapping = parse_codebook(raw).variables["place_types"]
    assert mapping == MultiDelimited("Type", ", ", {"Fablab": "fablab"})


def test_header_report_lists_unmapped_and_missing_optional():
    header = ["id", "NOM", "COMMUNE", "STATUT", "TYPE[SQ001]", "TYPE[SQ002]", "P1", "P1C", "NEW"]
    report = parse_codebook(MINIMAL).check_header(header)
    assert report.unmapped == ["NEW"]
    assert report.missing_optional == ["CDI"]


def test_missing_required_column_names_wave_file_and_column():
    with pytest.raises(MissingColumnError) as caught:
        parse_codebook(MINIMAL).check_header(["COMMUNE", "Nom "])
    error = caught.value
    assert (error.wave, error.file, error.column) == (2026, "2026/export.csv", "NOM")
    assert "wave 2026" in str(error) and "2026/export.csv" in str(error) and "'NOM'" in str(error)


def test_missing_required_column_suggests_the_closest_header():
    with pytest.raises(MissingColumnError, match="closest header: 'NOM_'"):
        parse_codebook(MINIMAL).check_header(["COMMUNE", "NOM_"])


def test_required_variable_not_mapped():
    variables = {k: v for k, v in MINIMAL["variables"].items() if k != "commune_name"}
    with pytest.raises(MissingColumnError, match="required variable 'commune_name'"):
        parse_codebook(dict(MINIMAL, variables=variables)).check_header(["NOM"])


@pytest.mark.parametrize("variables, message", [
    ({"not_a_variable": "X"}, "unknown canonical variable 'not_a_variable'"),
    ({"legal_status": {"column": "S", "labels": {"Asso": "associatoin"}}}, "unknown codes"),
    ({"place_types": {"columns": {"spaceship": "T1"}}}, "unknown codes"),
    ({"jobs": {"slots": [{"title": "P1"}], "contract_labels": {"X": "freelance"}}},
     "unknown contract codes"),
    ({"cdi": {"column": "CDI", "blank": "maybe"}}, "blank must be one of"),
])
def test_bad_codebook_content(variables, message):
    with pytest.raises(CodebookError, match=message):
        parse_codebook(dict(MINIMAL, variables=variables))


def test_bad_yaml_is_a_codebook_error(tmp_path):
    path = tmp_path / "2026.yaml"
    path.write_text("wave: 2026\nvariables: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="cannot read codebook"):
        load_codebook(path)


def test_find_codebooks_by_wave(tmp_path):
    for name in ("2019.yaml", "2020.yaml", "notes.yaml"):
        (tmp_path / name).write_text("x: 1", encoding="utf-8")
    assert sorted(find_codebooks(tmp_path)) == [2019, 2020]
