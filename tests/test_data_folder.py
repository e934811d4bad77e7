"""tlresearch init, and demo and real waves kept apart (issue 14)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from tlresearch.cli import main
from tlresearch.core.paths import DataPaths
from tlresearch.ingest.linkage import link_places

ROOT = Path(__file__).resolve().parents[1]


def test_init_creates_the_folders_and_keeps_edited_files(tmp_path, capsys):
    folder = tmp_path / "labo"
    assert main(["init", str(folder)]) == 0
    for name in ("raw", "codebooks", "overrides", "processed", "restricted"):
        assert (folder / name).is_dir()
    assert "Ajouter une vague" in (folder / "README.md").read_text(encoding="utf-8")
    communes = folder / "overrides" / "communes.csv"
    assert communes.read_text().startswith("response_id,place_id,commune_code")
    communes.write_text("response_id,place_id,commune_code,comment\n2026-000002,,33063,\n")
    assert main(["init", str(folder)]) == 0
    assert "33063" in communes.read_text()
    assert "0 file(s) written" in capsys.readouterr().out


def test_ingest_refuses_a_folder_mixing_demo_and_real_waves(tmp_path, capsys):
    paths = DataPaths(tmp_path / "data")
    assert main(["init", str(paths.root)]) == 0
    shutil.copy(ROOT / "tlresearch/demo/codebooks/2025.yaml", paths.codebook(2025))
    paths.codebook(2026).write_text(
        'wave: 2026\nfile: "2026/export.csv"\nvariables: {place_name: Nom, commune_name: C}\n',
        encoding="utf-8")
    capsys.readouterr()
    assert main(["--data-dir", str(paths.root), "ingest"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "demo waves (2025, fictitious) and real waves (2026)" in err


def test_linkage_never_links_demo_and_real_places():
    responses = pd.DataFrame({
        "response_id": ["2025-000002", "2026-000002", "2026-000003"],
        "wave": [2025, 2026, 2026],
        "place_name": ["La Ruche", "La Ruche", "Le Hangar"],
        "commune_key": ["47157", "47157", "33063"],
        "siret": ["12345678901234", "12345678901234", pd.NA],
        "demo": [True, False, False],
    })
    links, _ = link_places(responses)
    assert links["link_method"].tolist() == ["new", "new", "new"]
    same = responses.assign(demo=[True, True, False])
    links, _ = link_places(same)
    assert links["link_method"].tolist()[:2] == ["new", "siret"]


def test_commune_corrections_by_response_or_place(tmp_path):
    import pytest

    from tlresearch.core.errors import DataError
    from tlresearch.ingest.commune_overrides import apply_commune_overrides, load_commune_overrides

    path = tmp_path / "communes.csv"
    path.write_text("response_id,place_id,commune_code,comment\n"
                    "2026-000002,,33063,vu au téléphone\n,P-7,1053,\n", encoding="utf-8")
    overrides = load_commune_overrides(path)
    assert overrides["commune_code"].tolist() == ["33063", "01053"]  # leading zero restored
    responses = pd.DataFrame({
        "response_id": ["2026-000002", "2026-000003", "2025-000009"],
        "place_id": ["P-1", "P-7", "P-7"], "wave": [2026, 2026, 2025],
        "source_file": ["f"] * 3, "source_row": [2, 3, 9],
        "commune_code": [pd.NA, "64445", "64445"], "commune_name": [pd.NA, "Pau", "Pau"],
        "resolution_method": ["unresolved", "code", "code"],
        "resolution_score": [None, 100.0, 100.0], "resolution_note": [pd.NA] * 3,
    })
    issues = apply_commune_overrides(responses, overrides, "75")
    assert responses["commune_code"].tolist() == ["33063", "01053", "01053"]
    assert responses["resolution_method"].tolist() == ["override"] * 3
    assert responses.loc[0, "resolution_note"] == "vu au téléphone"
    assert [(i.row, i.rule) for i in issues] == [(2, "commune_override"), (3, "commune_override"),
                                                 (9, "commune_override")]
    path.write_text("response_id,place_id,commune_code\n2026-000002,,99999\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 2.*'99999' is not the INSEE code"):
        load_commune_overrides(path)


def test_cli_codebook_and_resolve_exit_codes(tmp_path, capsys):
    layouts = Path(__file__).parent / "data" / "layouts"
    data = tmp_path / "data"
    assert main(["init", str(data)]) == 0
    (data / "raw" / "2026").mkdir()
    shutil.copy(layouts / "limesurvey_2026.csv", data / "raw" / "2026")
    base = ["--data-dir", str(data), "codebook"]
    raw = str(data / "raw" / "2026" / "limesurvey_2026.csv")
    assert main(base + ["check", "2026"]) == 2  # no codebook yet: usage
    assert main(base + ["draft", "raw/2026/nope.csv", "--wave", "2026"]) == 2
    assert main(base + ["draft", "raw/2026/limesurvey_2026.csv", "--wave", "2026"]) == 0
    assert main(base + ["draft", raw, "--wave", "2026"]) == 2  # never overwritten
    assert main(base + ["check", "2026"]) == 0
    book = data / "codebooks" / "2026.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace('"SCIC": scic', '"Scop": scop'),
                    encoding="utf-8")
    assert main(base + ["check", "2026"]) == 1
    assert "problem: " in capsys.readouterr().out
    (data / "raw" / "2026" / "sans_entete.csv").write_text("12;2026-03-01;33000\n" * 3)
    assert main(base + ["draft", "raw/2026/sans_entete.csv", "--wave", "2027"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "needs a header row" in err
    out = tmp_path / "resolved.csv"
    assert main(["resolve", str(layouts / "national_register.xlsx"), "--out", str(out),
                 "--sheet", "Lieux", "--region", "all"]) == 0
    assert main(["resolve", str(layouts / "national_register.xlsx"), "--out", str(out),
                 "--sheet", "Métadonnées"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no INSEE code" in err
