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
