"""The site's data package: every published table as a CSV file, valid for Frictionless.

Read on the shared demo site (``demo_site``) for what a run publishes, and on a
one-page site built here from hostile names for what must never leak into a file.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from tlresearch.report.data_package import LICENCE, page_tables, table_file

PAYLOADS = ["<b>gras</b> {{ 7*7 }}", "Le Hangar ${alert(1)}", "javascript:alert(1)",
            '"><svg onload=alert(1)>', "=HYPERLINK(\"x\")", "@SUM(1)", "+cmd|' /C calc'!A0", "-x"]


def _validate(package: Path):
    from frictionless import validate

    report = validate(package)
    return report.valid, report.flatten(["type", "note"])[:5]


@pytest.mark.slow
def test_the_demo_site_publishes_every_table_as_a_valid_package(demo_site):
    package = demo_site / "donnees" / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert _validate(package) == (True, [])
    assert descriptor["licenses"] == [LICENCE] and "secrecy" in descriptor
    resources = descriptor["resources"]
    pages = [p for p in demo_site.rglob("*.html") if p.parent != demo_site
             and ".failed" not in p.parts]
    published = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        tables = page_tables(text)
        published += len(tables)
        name = page.relative_to(demo_site).as_posix()
        for description, csv_text in tables:
            path = table_file(name, description["name"])
            # The page links to its file, and the file is the page's own CSV.
            assert f'href="../../{path}"' in text
            assert (demo_site / path).read_bytes().decode("utf-8") == csv_text
    assert published == len(resources) and published >= 20
    assert {r["territory"]["code"] for r in resources} == {"75", "33"}
    assert {r["wave"] for r in resources} == {"2025"}
    indicator = [r for r in resources if {"Valeur", "Intervalle : borne basse",
                                          "Intervalle : borne haute", "Base (lieux)"}
                 <= {f["name"] for f in r["schema"]["fields"]}]
    assert indicator, "the indicator tables carry value, interval (low, high) and base"
    bounds = [f for r in indicator for f in r["schema"]["fields"] if "borne" in f["name"]]
    assert bounds and all(f["type"] == "number" for f in bounds)  # numbers, not text
    # a type's name in brackets is no unit: « Lieu hybride (plusieurs types) »
    assert not [f for r in resources for f in r["schema"]["fields"]
                if f.get("unit") == "plusieurs types"]
    assert any(f.get("unit") for r in resources for f in r["schema"]["fields"])
    # Numbers in numeric columns: no cell keeps its unit (« 71,8 % »), the schema says it.
    assert not [f["name"] for r in resources for f in r["schema"]["fields"]
                if f.get("bareNumber") is False]
    shares = [f for r in indicator for f in r["schema"]["fields"] if f["name"] == "Valeur"]
    assert shares and all(f["type"] == "number" for f in shares)
    index = (demo_site / "index.html").read_text(encoding="utf-8")
    assert 'href="donnees/datapackage.json"' in index
    # Built from the demo: the package, every file's description and the README say so.
    assert "données fictives (démonstration)" in descriptor["title"]
    assert all(r["description"].startswith("Données fictives (démonstration)")
               for r in resources)
    readme = (demo_site / "donnees" / "README.md").read_text(encoding="utf-8")
    assert "Données fictives (démonstration)" in readme
    assert "`s` : secret statistique" in readme and "`–` : sans objet" in readme


def test_hostile_names_reach_the_files_as_inert_text(tmp_path):
    """A one-page site: payloads are plain text in the CSV (formulas neutralised),
    escaped in the page, and the package stays valid."""
    import nbformat

    from tlresearch.report.renderer import render_report
    from tlresearch.report.site import build_index
    from tlresearch.report.tables import publish_table

    frame = pd.DataFrame({"Lieu": PAYLOADS, "Lieux": [1234, "s", 3, 4, 5, 6, 7, 8]})
    block = publish_table(frame, caption="Lieux <i>", filename="lieux", year=2025,
                          codes=pd.DataFrame({"code": [f"c{i}" for i in range(8)]}))
    again = publish_table(frame.head(1), caption="Le même nom de fichier", filename="lieux")
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": b.html}) for b in (block, again)])
    output = "2025/33/40-panorama.html"
    page = render_report(nbformat.v4.new_notebook(cells=[cell]), title="T",
                         provenance={"run_date": "2026-11-23", "page": output})
    (tmp_path / output).parent.mkdir(parents=True)
    (tmp_path / output).write_text(page, encoding="utf-8")
    (tmp_path / "donnees" / "old").mkdir(parents=True)
    (tmp_path / "donnees" / "old" / "stale.csv").write_text("x\n")  # no page publishes it
    report = SimpleNamespace(output=output, year=2025, territory="33", status="fresh",
                             notebook="40-panorama.ipynb", published_at=None)
    build_index(tmp_path, SimpleNamespace(reports=[report], totals={
        "total": 1, "fresh": 1, "skipped": 0, "failed": 0}))
    assert _validate(tmp_path / "donnees" / "datapackage.json") == (True, [])
    assert not (tmp_path / "donnees" / "old" / "stale.csv").exists()
    files = sorted((tmp_path / "donnees").rglob("*.csv"))
    # Two tables offered under one name: two files, each linked from its table.
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "donnees/2025/33/40-panorama/lieux-2.csv", "donnees/2025/33/40-panorama/lieux.csv"]
    assert page.index('href="../../donnees/2025/33/40-panorama/lieux.csv"') < page.index(
        'href="../../donnees/2025/33/40-panorama/lieux-2.csv"')
    files = files[1:]
    raw = files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcode;Lieu;Lieux\r\n")
    back = pd.read_csv(files[0], sep=";", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    expected = [("'" + p if p[0] in "=+-@" else p) for p in PAYLOADS]
    assert back["Lieu"].tolist() == expected and back["code"].tolist()[0] == "c0"
    assert "<svg" not in page and "<b>" not in page
    shown = [html.unescape(c) for c in re.findall(r'class="gt_row gt_left">(.*?)</td>', page)]
    assert shown[:len(PAYLOADS)] == PAYLOADS


def test_a_code_column_has_one_name_across_every_file(demo_site):
    """« code_departement » everywhere: never « departement_code » in one file and
    « code_departement » in another (a partner joins the files on it)."""
    import csv

    headers = set()
    for path in (demo_site / "donnees").rglob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            headers |= set(next(csv.reader(handle, delimiter=";")))
    codes = {h for h in headers if "code" in h.lower()}
    assert "code_departement" in codes
    assert not {h for h in codes if h.endswith("_code") or h == "code"}, codes
