"""codebook draft / check and ingest on layouts the project had never seen (issue 14).

The files of tests/data/layouts/ are written as Framaforms, LimeSurvey and an
open-data workbook write them (see make_layouts.py there).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tlresearch.cli import main
from tlresearch.core.errors import ReadError, UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.ingest.codebook_check import check_codebook
from tlresearch.ingest.codebook_draft import draft_codebook, write_draft
from tlresearch.ingest.data_folder import init_data_folder
from tlresearch.spec.codebook import load_codebook

LAYOUTS = Path(__file__).parent / "data" / "layouts"


def _folder(tmp_path: Path, *files: str) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    init_data_folder(paths.root)
    (paths.raw / "2026").mkdir()
    for name in files:
        shutil.copy(LAYOUTS / name, paths.raw / "2026" / name)
    return paths


def _drafted(tmp_path: Path, name: str):
    paths = _folder(tmp_path, name)
    draft = draft_codebook(paths.raw / "2026" / name, 2026, paths)
    write_draft(draft, paths.codebook(2026))
    return paths, draft, load_codebook(paths.codebook(2026))


def test_framaforms_draft_finds_header_split_dates_and_ticks(tmp_path):
    paths, draft, codebook = _drafted(tmp_path, "framaforms_2026.xls")
    assert codebook.header_row == 3  # title row and group row above
    assert codebook.variables["place_name"].column == "Nom du tiers-lieu"
    assert codebook.variables["submitted_at"].formats == ("%d/%m/%Y - %H:%M",)
    assert codebook.variables["cdi"].column == "dont CDI"
    assert codebook.variables["place_types"].options["coworking"] == "Coworking"
    assert codebook.variables["jobs"].splits == {"Intitulés des postes salariés": (";",)}
    assert codebook.completeness.complete_values == ("Non",)
    assert "Adresse IP" in draft.unmapped and "Adresse IP" in codebook.ignore
    assert "confidence" in draft.text  # every mapping says how sure it is
    confidences = [int(c) for c in re.findall(r"confidence (\d+)", draft.text)]
    assert len(confidences) > 20 and max(confidences) == 100  # read 0-100, never 101


def test_limesurvey_full_question_headers_are_mapped(tmp_path):
    _, _, codebook = _drafted(tmp_path, "limesurvey_2026.csv")
    variables = codebook.variables
    assert variables["cdi"].column == "Combien de personnes salariées en CDI ?"
    assert variables["postcode"].column == "Quel est le code postal de cette commune ?"
    assert variables["legal_status"].labels["Association loi 1901"] == "association"
    assert variables["jobs"].slots[0] == ("Poste 1 : intitulé", "Poste 1 : type de contrat")
    assert codebook.completeness.column == "Dernière page"


def test_workbook_with_metadata_first_gives_the_data_sheet(tmp_path):
    _, _, codebook = _drafted(tmp_path, "enquete_metadata_first.xlsx")
    assert codebook.sheet == "Données"
    assert codebook.variables["legal_status"].column == "Statut"  # answers beat the header


def test_draft_never_overwrites_and_refuses_files_outside_raw(tmp_path):
    paths, draft, _ = _drafted(tmp_path, "limesurvey_2026.csv")
    before = paths.codebook(2026).read_bytes()
    with pytest.raises(UsageError, match="never overwritten"):
        write_draft(draft, paths.codebook(2026))
    assert paths.codebook(2026).read_bytes() == before
    with pytest.raises(UsageError, match="not under"):
        draft_codebook(LAYOUTS / "limesurvey_2026.csv", 2026, paths)


def test_a_file_without_header_and_a_workbook_of_metadata_are_one_line(tmp_path):
    paths = _folder(tmp_path)
    headless = paths.raw / "2026" / "sans_entete.csv"
    headless.write_text("12;2026-03-01;33000\n14;2026-03-02;86000\n15;2026-03-03;87000\n")
    with pytest.raises(ReadError, match="needs a header row"):
        draft_codebook(headless, 2026, paths)
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Métadonnées"
    book.active.append(["Producteur", "Exemple"])
    book.create_sheet("Licence").append(["Licence", "Ouverte"])
    book.save(paths.raw / "2026" / "meta.xlsx")
    with pytest.raises(ReadError, match="skipped: metadata"):
        draft_codebook(paths.raw / "2026" / "meta.xlsx", 2026, paths)
    old = paths.raw / "2026" / "ancien.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ReadError, match="old Excel .xls file"):
        draft_codebook(old, 2026, paths)


def test_check_reports_unknown_labels_and_changes(tmp_path):
    paths, _, _ = _drafted(tmp_path, "framaforms_2026.xls")
    text = paths.codebook(2026).read_text(encoding="utf-8")
    paths.codebook(2026).write_text(text.replace('"SAS": sas', '"SASU": sas'), encoding="utf-8")
    shutil.copy(Path(__file__).parents[1] / "tlresearch/demo/codebooks/2025.yaml",
                paths.codebook(2025))
    report = check_codebook(paths, 2026)
    assert not report.ok
    assert any("unknown_label" in p and "'SAS'" in p for p in report.problems)
    assert any(c.startswith("added: staff_total") or "renamed: place_types" in c
               for c in report.changes)


def test_delimited_multi_choice_and_a_date_column_with_three_formats(tmp_path):
    paths = _folder(tmp_path)
    export = paths.raw / "2026" / "formulaire.csv"
    export.write_text(
        "Horodateur,Nom du lieu,Commune,Quel(s) type(s) d'espace proposez-vous ?,Date\n"
        '2026/03/01 10:15:32,A,Pau,"Coworking, Fablab / makerspace",01/02/2015\n'
        '2026/03/02 10:15:32,B,Pau,Fablab / makerspace,2016-03-04\n'
        '2026/03/03 10:15:32,C,Pau,"Café associatif, Coworking",05.06.2017\n'
        '2026/03/04 10:15:32,D,Pau,Coworking,07/08/2018\n', encoding="utf-8")
    draft = draft_codebook(export, 2026, paths)
    write_draft(draft, paths.codebook(2026))
    codebook = load_codebook(paths.codebook(2026))
    types = codebook.variables["place_types"]
    assert types.separator == ", "
    assert types.labels == {"Coworking": "coworking", "Fablab / makerspace": "fablab",
                            "Café associatif": "cafe_associatif"}
    assert codebook.variables["submitted_at"].formats == ("%Y/%m/%d %H:%M:%S",)
    date_line = next(line for line in draft.text.splitlines() if '"Date"' in line)
    assert "4/4 dates read with" in date_line and date_line.count(" or ") == 2
    assert check_codebook(paths, 2026).ok


def test_a_title_row_that_looks_like_data_is_skipped(tmp_path):
    paths = _folder(tmp_path)
    export = paths.raw / "2026" / "export.csv"
    export.write_text("Export du;27/03/2026;12\n"
                      "Nom du lieu;Commune;Salariés en CDI\n"
                      "A;Pau;1\nB;Dax;2\nC;Agen;0\n", encoding="utf-8")
    draft = draft_codebook(export, 2026, paths)
    write_draft(draft, paths.codebook(2026))
    codebook = load_codebook(paths.codebook(2026))
    assert codebook.header_row == 2
    assert codebook.variables["cdi"].column == "Salariés en CDI"
    assert check_codebook(paths, 2026).ok


def test_cli_prints_a_short_demo_summary(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "demo"), "demo"]) == 0
    out = capsys.readouterr().out
    assert "DemoSummary(" not in out and len(out) < 600
    assert "FICTITIOUS" in out and "waves 2017-2025" in out


def test_draft_maps_the_demo_layouts_from_earlier_waves_only(tmp_path):
    """Each demo wave drafted knowing only the waves before it: columns mapped as the
    demo's own codebook maps them, for at least 85 % of the variables overall."""
    from tlresearch.demo import write_demo

    paths = DataPaths(tmp_path / "demo")
    write_demo(paths)
    right = total = 0
    for wave in range(2017, 2026):
        truth = load_codebook(paths.codebook(wave))
        draft = draft_codebook(paths.raw / truth.file, wave, paths)
        target = tmp_path / f"draft_{wave}.yaml"
        write_draft(draft, target)
        drafted = load_codebook(target)  # every draft is a valid codebook
        assert drafted.header_row == (truth.header_row or 1)
        for name, mapping in truth.variables.items():
            total += 1
            found = drafted.variables.get(name)
            right += found is not None and set(found.raw_columns()) == set(mapping.raw_columns())
    assert right / total >= 0.85, f"{right}/{total}"


def test_a_header_row_that_appears_twice(tmp_path):
    paths = _folder(tmp_path)
    export = paths.raw / "2026" / "x.csv"
    header = "Nom du lieu;Commune;Salariés en CDI\n"
    export.write_text(header * 2 + "A;Pau;1\nB;Dax;2\n" + header + "C;Agen;0\n", encoding="utf-8")
    draft = draft_codebook(export, 2026, paths)
    write_draft(draft, paths.codebook(2026))
    assert load_codebook(paths.codebook(2026)).variables["cdi"].column == "Salariés en CDI"
    report = check_codebook(paths, 2026)
    assert report.ok and "rows set aside: repeated_header 2" in report.notes
