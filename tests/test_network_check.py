"""The page's own network check (issue 9, item 6): only what loads counts, respondent
text never does, and a refused page names the table cell or map feature at fault."""
import html

import nbformat
import pytest

from tlresearch.report.renderer import ReportError, render_report
from tlresearch.viz.escaping import escape_text, script_json
from tlresearch.viz.network_check import network_loads
from tlresearch.viz.offline_assets import OfflineError

#: What respondents typed, as the red team planted it in place names.
NAMES = ["La Forge, voir https://www.exemple.fr", "<script src=//evil.example/x.js></script>",
         "Le Quai src=//evil.example", "url(http://evil.example/a.png)", "@import 'x.css'",
         "https://www.exemple.fr", "//cdn.example/lib.js"]


@pytest.mark.parametrize("name", NAMES)
def test_respondent_text_is_never_a_load(name):
    shown = escape_text(name)
    tooltip = script_json([[44.8, -0.5, f"<strong>{shown}</strong><br>Bègles"]])
    page = (f"<table><tbody><tr><td>{shown}</td></tr></tbody></table>"
            f'<img alt="{shown}" src="data:image/png;base64,AAAA">'
            f"<script>var rows = {tooltip};</script>")
    framed = f'<iframe title="Carte" srcdoc="{html.escape(page)}"></iframe>'
    assert network_loads(page) == [] and network_loads(framed) == []


@pytest.mark.parametrize("page, url, where", [
    ('<script src="//cdn.example/x.js"></script>', "//cdn.example/x.js", "<script src>"),
    ('<img srcset="a.png 1x, https://x.fr/b.png 2x">', "https://x.fr/b.png", "<img srcset>"),
    ('<video poster="https://x.fr/p.jpg"></video>', "https://x.fr/p.jpg", "<video poster>"),
    ('<form action="https://x.fr/f"></form>', "https://x.fr/f", "<form action>"),
    ('<link rel="stylesheet" href="https:x.fr/s.css">', "https:x.fr/s.css", "<link href>"),
    ("<style>p { background: url('//x.fr/a.png') }</style>", "//x.fr/a.png", "<style>"),
    ("<style>@import url(https://x.fr/s.css);</style>", "https://x.fr/s.css", "<style>"),
    ('<p style="background:url(http://x.fr/a.png)">t</p>', "http://x.fr/a.png", "<p style>"),
    ('<script>L.tileLayer("https:\\/\\/t.x.fr/{z}.png");</script>', "https://t.x.fr/{z}.png",
     "script 1, variable -, code"),
    ("<script>var a = 1;\n//# sourceMappingURL=https://x.fr/a.map</script>",
     "https://x.fr/a.map", "script 1, source map"),
    ('<meta http-equiv="refresh" content="0; url=https://x.fr">', "https://x.fr",
     "<meta refresh>"),
])
def test_what_loads_is_found_and_placed(page, url, where):
    assert [(load.url, load.where) for load in network_loads(page)] == [(url, where)]


def test_a_refused_report_names_the_table_column_and_row():
    table = ('<div data-tl-block="table"><table><caption>Lieux par commune</caption>'
             "<thead><tr><th>Lieu</th><th>Logo</th></tr></thead><tbody>"
             "<tr><td>Le Bocal</td><td>–</td></tr>"
             '<tr><td>La Ruche</td><td><img alt="" src="https://x.fr/l.png"></td></tr>'
             "</tbody></table></div>")
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": table})])
    with pytest.raises(ReportError) as caught:
        render_report(nbformat.v4.new_notebook(cells=[cell]), title="Bilan",
                      provenance={"run_date": "2026-11-30"})
    assert ("https://x.fr/l.png (table « Lieux par commune », column « Logo », "
            "row 2 « La Ruche », <img src>)") in str(caught.value)


def test_a_refused_map_names_its_layer_and_feature():
    import folium

    from tlresearch.viz.standalone_html import render_html

    m = folium.Map(location=[44.8, -0.5], zoom_start=8, tiles=None)
    folium.Marker([44.8, -0.5], popup=folium.Popup(
        'Le Bocal <img src="https://x.fr/logo.png">', parse_html=False)).add_to(m)
    with pytest.raises(OfflineError) as caught:
        render_html(m, key="lieux")
    message = str(caught.value)
    assert "https://x.fr/logo.png (map « lieux », script " in message
    assert "« Le Bocal », <img src>)" in message
