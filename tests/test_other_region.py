"""Any network, any region (issue 22): a data folder of Occitanie, from init to its site.

A small LimeSurvey export of region 76 (the layout of tests/data/layouts, its places
moved to Occitanie's communes), a folder made by ``init --region 76 --publisher`` with
an awkward publisher name, no ``--region`` afterwards: the pages, the index, the data
package and the printed PDF are Occitanie's and credit its network only. And nothing
about the demo's region or network is written in the package or the notebooks.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.cli import main
from tlresearch.core.paths import DataPaths

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = ROOT / "tests" / "data" / "layouts" / "limesurvey_2026.csv"
#: Communes of Occitanie (and their postcodes) the export's places are moved to.
OCCITANIE = [("Toulouse", "31000"), ("Montpellier", "34000"), ("Albi", "81000"),
             ("Foix", "09000"), ("Rodez", "12000"), ("Tarbes", "65000"), ("Auch", "32000"),
             ("Cahors", "46000"), ("Nîmes", "30000"), ("Perpignan", "66000"),
             ("Colomiers", "31770"), ("Béziers", "34500")]
PUBLISHER = 'Réseau « Occitan » des <tiers-lieux> & "fabriques"'
#: What the demo's settings say, and nothing else may.
DEMO_WORDS = ("Nouvelle-Aquitaine", "Coopérative")


def _occitanie_export(target: Path) -> int:
    """The LimeSurvey layout with Occitanie's communes; returns its number of rows."""
    export = pd.read_csv(LAYOUT, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    name, commune, postcode = (export.columns[4], export.columns[5], export.columns[6])
    picks = [OCCITANIE[i % len(OCCITANIE)] for i in range(len(export))]
    export[commune] = [c for c, _ in picks]
    export[postcode] = [p for _, p in picks]
    export[name] = [f"Tiers-lieu {i + 1:02d} de {c}" for i, (c, _) in enumerate(picks)]
    target.parent.mkdir(parents=True, exist_ok=True)
    export.to_csv(target, index=False, encoding="utf-8-sig")
    return len(export)


def test_an_occitanie_folder_publishes_occitanie_s_site(tmp_path, capsys):
    paths = DataPaths(tmp_path / "occitanie")
    data = ["--data-dir", str(paths.root)]
    assert main(["init", str(paths.root), "--region", "76", "--publisher", PUBLISHER]) == 0
    rows = _occitanie_export(paths.raw / "2026" / "export.csv")
    assert main(data + ["codebook", "draft", str(paths.raw / "2026" / "export.csv"),
                        "--wave", "2026"]) == 0
    assert main(data + ["ingest"]) == 0  # no --region: the folder's
    responses = pd.read_parquet(paths.processed_table("responses"))
    assert len(responses) == rows and set(responses["region_code"]) == {"76"}
    # the explorer and compute_indicators take the folder's region by default
    import tlresearch
    from tlresearch.stats.indicators import compute_indicators

    share = tlresearch.indicator("share_employers", "76", 2026, data_dir=paths.root)
    assert share["Territoire"].tolist() == ["Occitanie"] and share["n"].tolist() == [rows]
    assert tlresearch.indicator("share_employers", data_dir=paths.root)["territory"][0] == "76"
    haute_garonne = tlresearch.places_table("31", data_dir=paths.root)
    assert haute_garonne.attrs["territory"] == "Haute-Garonne (31)" and len(haute_garonne) > 0
    assert "Occitanie (76)" in str(tlresearch.panel_status(paths.root))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TLRESEARCH_DATA_DIR", str(paths.root))
        table = compute_indicators(responses, None, 2026, indicators=["respondents"])
    assert table[["territory_level", "territory"]].values.tolist() == [["region", "76"]]
    site = tmp_path / "site"
    notebooks = [str(ROOT / "notebooks" / n) for n in ("40-panorama.ipynb",
                                                       "50-certification.ipynb")]
    capsys.readouterr()
    assert main(data + ["report", "--out", str(site), "--territory", "76", "--workers", "1",
                        "--no-progress", "--notebooks", *notebooks]) == 0
    out = capsys.readouterr().out
    page = (site / "2026" / "76" / "40-panorama.html").read_text(encoding="utf-8")
    assert "<h1>Panorama annuel des tiers-lieux — Occitanie — 2026</h1>" in page
    assert "Haute-Garonne (31)" in page  # names, never bare codes
    assert "depuis 2026" not in page and "première vague" in page  # no change from itself
    assert html.escape(PUBLISHER) in page and PUBLISHER not in page  # escaped everywhere
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>Rapports sur les tiers-lieux d&#x27;Occitanie</h1>" in index
    # No graduates' file: no certification page, and the index says nothing of it.
    assert not list(site.rglob("50-certification.html")) and "ertification" not in index
    package = json.loads((site / "donnees" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] == "tiers-lieux-occitanie"
    assert package["contributors"] == [{"title": PUBLISHER, "role": "publisher"}]
    assert package["title"] == "Enquête annuelle des tiers-lieux d'Occitanie : tableaux publiés"
    for path in site.rglob("*"):
        if path.suffix in (".html", ".csv", ".json"):
            text = path.read_text(encoding="utf-8-sig")
            assert not [w for w in DEMO_WORDS if w in text], path
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        assert "1 PDF printed" in out
        pdf = site / "2026" / "76" / "40-panorama.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Occitan" in text and not [w for w in DEMO_WORDS if w in text]


@pytest.mark.parametrize("folder, suffixes", [("tlresearch", (".py", ".yaml")),
                                               ("notebooks", (".ipynb",))])
def test_no_region_or_network_is_written_in_the_code(folder, suffixes):
    """Only the demo's own settings (tlresearch/demo/) name the demo's region or network."""
    found = []
    for path in sorted((ROOT / folder).rglob("*")):
        if path.suffix not in suffixes or "demo" in path.relative_to(ROOT).parts[:2]:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {w}" for w in DEMO_WORDS
                  if re.search(re.escape(w), text)]
    assert found == []
