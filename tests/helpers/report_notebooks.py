"""Small report notebooks built and executed for the renderer's tests (HTML and browser).

Cells of a report on tiny data (a map, two matplotlib charts, a published table, a
hostile string), executed with nbclient in a fresh kernel.
"""
from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat

from tlresearch.core.paths import DataPaths

HOSTILE = "<img src=x onerror=alert(1)> ${alert(1)}"
#: A code cell's text that must not reach the page.
CODE_MARKER = "hidden_code_marker_4815"
PROVENANCE = {"data_hash": "9f2c" * 16, "waves": [2017, 2019, 2025],
              "parameters": {"departement": "87", "year": 2025},
              "version": "0.1.0", "run_date": "2026-11-23"}

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def execute(cells, folder: Path):
    """Run a notebook made of ``cells`` in a fresh kernel; return the executed notebook."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    return client.execute()


def build_geo(tmp_path_factory):
    """Boundaries built once in a data folder the kernels read too; places as Parquet."""
    from tlresearch.geo.reference import load_boundaries

    from helpers.places import make_places

    root = tmp_path_factory.mktemp("report") / "data"
    paths = DataPaths(root)
    communes = load_boundaries("commune", paths=paths, build=True)
    for level in ("epci", "departement"):
        load_boundaries(level, paths=paths)
    places_file = root.parent / "places.parquet"
    make_places(communes, n=200, payloads=False).to_parquet(places_file)
    return root, places_file


def report_cells(root: Path, places_file: Path, departement: str | None):
    """Cells of a report on the region (``departement=None``) or one department."""
    keep = f"[lambda f: f['departement_code'] == {departement!r}]" if departement else ""
    outline = "" if not departement else \
        ("boundaries['departement'] = boundaries['departement']"
         f"[boundaries['departement']['code'] == {departement!r}]")
    return [
        md(f"# Titre du carnet\n\n## Les tiers-lieux en 2025\n\nNarration en français. {HOSTILE}"),
        code(f"{CODE_MARKER} = 41 + 1  # paramètres\nimport warnings\n"
             "warnings.warn('avertissement interne')"),
        md("## Carte des lieux"),
        code("from pathlib import Path\nimport pandas as pd\n"
             "from tlresearch.viz import maps\nfrom tlresearch.core.paths import DataPaths\n"
             "from tlresearch.geo.reference import load_boundaries\n"
             "from tlresearch.report.renderer import show_map, table_download\n"
             f"paths = DataPaths(Path({str(root)!r}))\n"
             "boundaries = {l: load_boundaries(l, paths=paths) for l in "
             "('commune', 'departement')}\n"
             f"boundaries['commune'] = boundaries['commune']{keep}\n{outline}\n"
             f"places = pd.read_parquet({str(places_file)!r})\n"
             "show_map(maps.area_map(places, 'commune', boundaries=boundaries))"),
        md("## Graphiques\n\n### Évolution"),
        code("import matplotlib.pyplot as plt\n"
             "for k in (1, 2):\n"
             "    fig, ax = plt.subplots(figsize=(6, 4))\n"
             "    ax.bar(['2017', '2019', '2025'], [k, 2 * k, 3 * k])\n"
             "    ax.set_title(f'Graphique {k}')\n    plt.show()"),
        md("## Tableaux"),
        code("table = pd.DataFrame({'Lieu': [" + repr(HOSTILE) + ", 'Café « Le Quai »'],"
             " 'Lieux': [1234, 5], 'Part': [0.25, 12.5]})\n"
             "table_download(table, 'lieux 2025.csv', 'Lieux par type')"),
    ]


