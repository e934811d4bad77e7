"""HTML reports: hidden code, no network, no stray output, French TOC and footer, CSV links,
escaping, sizes.

Notebooks are small, built here and executed with nbclient on tiny data (never the
project's notebooks): one per scope, with a map, two matplotlib charts and a table.
"""
from __future__ import annotations

import html
import io
import re
from urllib.parse import unquote

import pandas as pd
import pytest

from tlresearch.report.renderer import (
    SIZE_LIMITS,
    ReportError,
    render_report,
    show_map,
    table_download,
    unsafe_markup,
    write_report,
)
from tlresearch.viz.standalone_html import network_references

from helpers.report_notebooks import (
    CODE_MARKER,
    HOSTILE,
    PROVENANCE,
    build_geo,
    code,
    execute,
    md,
    report_cells,
)

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("geopandas")
pytest.importorskip("folium")

@pytest.fixture(scope="module")
def geo(tmp_path_factory):
    """Boundaries built once in a data folder the kernels read too; places as Parquet."""
    return build_geo(tmp_path_factory)


@pytest.fixture(scope="module")
def notebooks(geo, tmp_path_factory):
    root, places_file = geo
    folder = tmp_path_factory.mktemp("nb")
    return {"region": execute(report_cells(root, places_file, None), folder),
            "departement": execute(report_cells(root, places_file, "87"), folder)}


@pytest.fixture(scope="module")
def pages(notebooks):
    return {scope: render_report(nb, title=f"Rapport {scope} <b>", provenance=PROVENANCE,
                                 scope=scope) for scope, nb in notebooks.items()}


def test_page_makes_no_network_reference_and_runs_no_script_of_its_own(pages):
    for page in pages.values():
        assert network_references(page) == []
        assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
        # Scripts exist only inside the map's srcdoc (escaped), never in the page.
        assert "<script" not in page.lower()
        assert "&lt;script" in page


def test_code_is_hidden_and_stderr_dropped(pages, notebooks):
    page = pages["departement"]
    assert CODE_MARKER not in page
    assert "load_boundaries" not in page and "plt.subplots" not in page
    assert "avertissement interne" not in page
    # The warning did reach the notebook: it was dropped by the report.
    assert any(o.get("name") == "stderr" for c in notebooks["departement"].cells
               for o in c.get("outputs", []))


def test_table_of_contents_lists_headings_with_stable_ids(pages):
    page = pages["region"]
    for anchor, text in [("les-tiers-lieux-en-2025", "Les tiers-lieux en 2025"),
                         ("carte-des-lieux", "Carte des lieux"), ("evolution", "Évolution"),
                         ("graphiques", "Graphiques"), ("tableaux", "Tableaux")]:
        assert f'href="#{anchor}">{html.escape(text)}</a>' in page
        assert re.search(rf'<h\d id="{anchor}">', page)
    assert 'aria-label="Sommaire"' in page
    assert "Rapport du 23/11/2026" in page


def test_provenance_footer_in_french(pages):
    footer = pages["region"].split('<footer class="tl-provenance">')[1]
    for expected in ("Empreinte des données (SHA-256)", "9f2c" * 16, "Vagues d&#x27;enquête",
                     "2017, 2019, 2025", "departement : 87",
                     "Version de tlresearch", "0.1.0", "Date d&#x27;exécution", "23/11/2026"):
        assert expected in footer, expected


def test_figures_map_and_tables_are_inside_the_file(pages):
    page = pages["departement"]
    assert page.count('src="data:image/png;base64,') == 2
    assert page.count('<iframe class="tl-map"') == 1
    assert "leaflet" in page.lower() and "Lieux pour 100" in page
    # The notebook's table, and the table of what the map shows (under the map).
    assert page.count('data-tl-block="table"') == 2 and 'class="dataframe' not in page
    assert page.index('<iframe class="tl-map"') < page.index('class="tl-map-data"')
    assert "1\u202f234" in page and "12,5" in page  # French numbers in the published table
    assert "Source : enquête annuelle des tiers-lieux" in page


def test_one_title_per_page(pages):
    page = pages["region"]
    assert page.count("<h1") == 1 and "Titre du carnet" not in page


def test_csv_link_decodes_back_to_the_table(pages):
    hrefs = re.findall(r'<a download="([^"]+)" data-tl-resource="[^"]*" '
                       r'href="data:text/csv;charset=utf-8,([^"]+)"', pages["departement"])
    assert [name for name, _ in hrefs] == ["carte_commune_places_per_100k.csv",
                                           "lieux_2025.csv"]  # the map's table first
    name, encoded = hrefs[1]
    text = unquote(html.unescape(encoded))
    assert text.startswith("\ufeffLieu;Lieux;Part\r\n")
    back = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=";", dtype=str)
    # The same cells as the table on the page: the French text a reader sees.
    expected = pd.DataFrame({"Lieu": [HOSTILE, "Café « Le Quai »"], "Lieux": ["1\u202f234", "5"],
                             "Part": ["0,25", "12,5"]})
    pd.testing.assert_frame_equal(back, expected)
    table = pages["departement"].split("lieux_2025.csv")[0].rsplit("<table", 1)[1]
    shown = re.findall(r'<td headers="[^"]*" class="gt_row[^"]*">(.*?)</td>', table)
    assert [html.unescape(c) for c in shown] == [HOSTILE, "1\u202f234", "0,25",
                                                 "Café « Le Quai »", "5", "12,5"]


def test_payloads_render_as_text(pages):
    page = pages["region"]
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; ${alert(1)}" in page  # markdown cell
    # Markdown cell and published table; the CSV is percent-encoded.
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 2
    assert "<title>Rapport region &lt;b&gt;</title>" in page


def test_same_input_gives_the_same_page(notebooks, pages):
    again = render_report(notebooks["region"], title="Rapport region <b>",
                          provenance=PROVENANCE, scope="region")
    assert again == pages["region"]


def test_sizes_within_limits(pages):
    sizes = {scope: len(page.encode("utf-8")) for scope, page in pages.items()}
    assert sizes["region"] < SIZE_LIMITS["region"] == 3_000_000, sizes
    assert sizes["departement"] < SIZE_LIMITS["departement"] == 1_000_000, sizes
    assert sizes["region"] > 1_000_000  # the 4 293 communes really are in it


def test_too_large_for_its_scope_is_refused(notebooks):
    with pytest.raises(ReportError, match="above 1000000"):
        render_report(notebooks["region"], title="x", provenance=PROVENANCE,
                      scope="departement")


# --------------------------------------------------------------------------- hand-made outputs

def _notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def _with_outputs(*outputs):
    cell = code("x")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def test_failed_notebook_is_not_published():
    cell = _with_outputs({"output_type": "error", "ename": "KeyError", "evalue": "'x'",
                          "traceback": ["Traceback secret"]})
    with pytest.raises(ReportError, match="cell 0: the notebook failed"):
        render_report(_notebook(cell), title="t", provenance=PROVENANCE)


def test_folium_display_is_refused_with_advice():
    folium = pytest.importorskip("folium")
    m = folium.Map(location=[45.8, 1.2], zoom_start=8, tiles=None)
    cell = _with_outputs({"output_type": "display_data", "metadata": {},
                          "data": {"text/html": m._repr_html_(), "text/plain": "<Map>"}})
    with pytest.raises(ReportError, match="show_map"):
        render_report(_notebook(cell), title="t", provenance=PROVENANCE)


@pytest.mark.parametrize("fragment", ["<script>alert(1)</script>",
                                      '<img src="a.png" onerror="x()">',
                                      '<a href="javascript:alert(1)">x</a>'])
def test_html_outputs_that_would_run_code_are_refused(fragment):
    cell = _with_outputs({"output_type": "display_data", "metadata": {},
                          "data": {"text/html": fragment}})
    with pytest.raises(ReportError, match="run code"):
        render_report(_notebook(cell), title="t", provenance=PROVENANCE)


def test_markdown_raw_html_is_shown_as_text():
    source = ("## Titre <script>alert(1)</script>\n\n<b onclick='x()'>gras</b> "
              "[lien](javascript:alert(1)) <iframe src=x></iframe> <!-- commentaire --> "
              + HOSTILE)
    page = render_report(_notebook(md(source)), title="t", provenance=PROVENANCE)
    body = page.split("<main>")[1]
    assert "<script" not in body and "<iframe" not in body and "onclick='x()'>" not in body
    assert "javascript:" not in body.replace("(javascript:alert(1))", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt; ${alert(1)}" in body
    assert "commentaire" not in body
    assert 'href="#titre-script-alert-1-script"' in page or 'id="titre' in page


def test_duplicate_headings_get_distinct_ids():
    page = render_report(_notebook(md("## Bilan\n\n## Bilan\n\n### Détail é")),
                         title="t", provenance=PROVENANCE)
    assert 'id="bilan"' in page and 'id="bilan-2"' in page and 'id="detail-e"' in page


def test_table_download_is_escaped_and_french():
    block = table_download(pd.DataFrame({'a"b': ['x" onmouseover="y'], "n": [1.5]}),
                           '../../"evil name".csv', "Légende <i>")
    text = str(block)
    assert block._repr_html_() == text
    assert re.search(r'download="evil_name_?\.csv"', text)
    # A quote in a cell is text (not inside a tag): harmless; the caption is escaped.
    assert 'x&quot; onmouseover=&quot;y</td>' in text
    assert "Légende &lt;i&gt;" in text
    assert unsafe_markup(text) == []
    assert ">1,5</td>" in text


def test_write_report_is_atomic_and_utf8(tmp_path):
    page = render_report(_notebook(md("# Été")), title="Été", provenance=PROVENANCE)
    path = write_report(page, tmp_path / "rapport.html")
    assert path.read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


def test_show_map_keeps_the_page_unchanged_in_srcdoc():
    folium = pytest.importorskip("folium")
    from tlresearch.viz.standalone_html import render_html

    m = folium.Map(location=[45.8, 1.2], zoom_start=8, tiles=None)
    folium.Marker([45.8, 1.2], tooltip="L'Atelier & \"Quai\"").add_to(m)
    block = show_map(m)
    match = re.search(r"srcdoc=(['\"])(.*)\1></iframe>", block.html, re.DOTALL)
    assert html.unescape(match.group(2)) == render_html(m)


@pytest.mark.parametrize("output", [
    {"output_type": "execute_result", "execution_count": 1, "metadata": {},
     "data": {"text/plain": "'Nouvelle-Aquitaine'"}},
    {"output_type": "execute_result", "execution_count": 1, "metadata": {},
     "data": {"text/plain": "(200, 3)"}},
    {"output_type": "stream", "name": "stdout", "text": "Bonjour"},
    {"output_type": "execute_result", "execution_count": 1, "metadata": {},
     "data": {"text/html": "<table class=\"dataframe\"><tr><td>0</td></tr></table>",
              "text/plain": "   a\n0  1"}},
])
def test_stray_outputs_are_refused(output):
    with pytest.raises(ReportError, match="stray output"):
        render_report(_notebook(_with_outputs(output)), title="t", provenance=PROVENANCE)


def test_empty_block_renders_to_nothing():
    cell = _with_outputs({"output_type": "execute_result", "execution_count": 1,
                          "metadata": {}, "data": {"text/html": "", "text/plain": "x"}})
    page = render_report(_notebook(cell), title="t", provenance=PROVENANCE)
    assert '<div class="tl-output">' not in page


def test_demo_banner_goes_under_the_title():
    from tlresearch.report.notebook_helpers import demo_banner

    banner = demo_banner(pd.DataFrame({"demo": [True]}))
    assert demo_banner(pd.DataFrame({"demo": [False]})).html == ""
    cell = _with_outputs({"output_type": "display_data", "metadata": {},
                          "data": {"text/html": banner.html}})
    page = render_report(_notebook(md("## Début"), cell), title="t", provenance=PROVENANCE)
    header = page.split("</header>")[0]
    assert "Données fictives (démonstration)" in header
    assert page.count("Données fictives (démonstration)") == 1


def test_provenance_holds_no_machine_path():
    provenance = {**PROVENANCE, "parameters": {"year": 2025, "data_dir": "/home/lab/secret/data",
                                               "graduates_file": "/home/lab/secret/data/raw/g.csv"}}
    page = render_report(_notebook(md("## x")), title="t", provenance=provenance)
    assert "/home/lab" not in page
    assert "raw/g.csv" in page and "data_dir" not in page  # the folder is not a parameter
    assert "Vague d&#x27;enquête : 2025" in page or "Vague d'enquête : 2025" in page
    assert "Version du code (commit git)" in page
