"""The codebook format for real exports: split, date formats, header_row, one column per
variable, and the bad codebooks of issue 14 (one clear line each)."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.core.errors import CodebookError, MissingColumnError
from tlresearch.ingest.cell_lists import parse_date_formats, split_quoted
from tlresearch.ingest.harmonise import harmonise
from tlresearch.io.raw_tables import read_table
from tlresearch.spec.codebook import parse_codebook

BASE = {"wave": 2026, "file": "2026/x.csv"}


def _codebook(variables, **extra):
    return parse_codebook({**BASE, "variables": variables, **extra})


def test_split_a_cell_into_one_job_per_title(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('Nom;Commune;Postes;Contrats\n'
                    'A;Pau;"Facilitatrice; Comptable";"CDI; CDD"\n'
                    'B;Pau;"Cuisinier; ""Chargé·e d\'accueil; d\'animation""";\n'
                    'C;Pau;"Fabmanager; Comptable";CDI\n', encoding="utf-8")
    codebook = _codebook({"place_name": "Nom", "commune_name": "Commune", "jobs": {
        "slots": [{"title": "Postes", "contract": "Contrats", "split": "; "}],
        "contract_labels": {"CDI": "cdi", "CDD": "cdd"}}})
    wave = harmonise(read_table(path, name="2026/x.csv"), codebook)
    jobs = wave.jobs
    assert jobs["title_raw"].tolist() == ["Facilitatrice", "Comptable", "Cuisinier",
                                          "Chargé·e d'accueil; d'animation", "Fabmanager",
                                          "Comptable"]
    assert jobs["contract"].tolist() == ["cdi", "cdd", "unknown", "unknown", "unknown", "unknown"]
    assert jobs.groupby("response_id")["job_index"].apply(list).tolist() == [[1, 2]] * 3
    unpaired = [i for i in wave.issues if i.rule == "contract_not_paired"]
    assert [(i.row, i.value) for i in unpaired] == [(4, "CDI")]  # nothing lost silently


def test_date_column_with_three_formats(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Nom;Commune;Date\nA;Pau;27/03/2026 - 15:48\nB;Pau;2026-03-28 09:00:00\n"
                    "C;Pau;29.03.2026\nD;Pau;hier\n", encoding="utf-8")
    codebook = _codebook({"place_name": "Nom", "commune_name": "Commune", "submitted_at": {
        "column": "Date", "format": ["%d/%m/%Y - %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y"]}})
    wave = harmonise(read_table(path, name="2026/x.csv"), codebook)
    dates = wave.responses["submitted_at"]
    assert dates.iloc[:3].tolist() == [pd.Timestamp("2026-03-27 15:48"),
                                       pd.Timestamp("2026-03-28 09:00"),
                                       pd.Timestamp("2026-03-29")]
    assert pd.isna(dates.iloc[3])
    bad = [i for i in wave.issues if i.column == "Date"]
    assert [(i.row, i.rule, i.action) for i in bad] == [(5, "not_a_date", "set_missing")]


def test_cell_helpers():
    assert split_quoted('a; "b; c"; ; d', "; ") == ["a", "b; c", "d"]
    assert parse_date_formats("27/03/2026 - 15:48", ("%d/%m/%Y - %H:%M",))[1] is None
    assert parse_date_formats("nonsense", ("%d/%m/%Y",)) == (None, "not_a_date")


@pytest.mark.parametrize("variables, extra, message", [
    ({"place_name": "A", "commune_name": "A"}, {}, "mapped to both 'place_name' and"),
    ({"place_name": "A", "commune_name": "B", "cdi": {"column": "C", "split": "; "}}, {},
     "cdi' is a count variable"),
    ({"place_name": "A", "commune_name": "B", "cdi": {"column": "C", "format": "%Y"}}, {},
     "format applies to dates"),
    ({"place_name": "A", "commune_name": "B", "submitted_at": {"column": "C", "format": "dmY"}},
     {}, "has no %-code"),
    ({"place_name": "A", "commune_name": "B"}, {"header_row": 0}, "the first row is 1"),
    ({"place_name": "A", "commune_name": "B"}, {"sheet": 2}, "sheet name in quotes"),
])
def test_bad_codebooks_are_one_clear_line(variables, extra, message):
    with pytest.raises(CodebookError, match=message) as caught:
        _codebook(variables, **extra)
    assert "\n" not in str(caught.value)


def test_missing_column_says_the_header_seems_lower(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Enquête 2026;\nNom;Commune\nA;Pau\n", encoding="utf-8")
    codebook = _codebook({"place_name": "Nom", "commune_name": "Commune"})
    with pytest.raises(MissingColumnError, match="header seems to be lower: row 2"):
        harmonise(read_table(path, name="2026/x.csv"), codebook)


def test_repeated_header_row_is_quarantined_not_lost(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Nom;Commune;CDI\nA;Pau;1\nNom;Commune;CDI\nB;Pau;2\n", encoding="utf-8")
    codebook = _codebook({"place_name": "Nom", "commune_name": "Commune", "cdi": "CDI"})
    wave = harmonise(read_table(path, name="2026/x.csv"), codebook)
    assert [i.rule for i in wave.quarantine.values()] == ["repeated_header"]
    assert len(wave.responses) == 3


def test_a_split_on_a_column_of_numbers_is_one_clear_line(tmp_path):
    from tlresearch.core.errors import DataError

    path = tmp_path / "x.csv"
    path.write_text("Numéro;Nom;Commune;Postes\n1;A;Pau;Facilitatrice\n2;B;Dax;\n",
                    encoding="utf-8")
    jobs = {"slots": [{"title": "Numéro", "split": "; "}]}
    codebook = _codebook({"place_name": "Nom", "commune_name": "Commune", "jobs": jobs})
    with pytest.raises(DataError, match="column 'Numéro': split on a column of numbers") as caught:
        harmonise(read_table(path, name="2026/x.csv"), codebook)
    assert "\n" not in str(caught.value) and caught.value.rule == "split_on_numbers"
    jobs["slots"] = [{"title": "Postes", "split": "; "}]  # the right column: read
    wave = harmonise(read_table(path, name="2026/x.csv"), _codebook(
        {"place_name": "Nom", "commune_name": "Commune", "jobs": jobs}))
    assert wave.jobs["title_raw"].tolist() == ["Facilitatrice"]
