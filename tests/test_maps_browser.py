"""Maps checked in headless Chromium with the network blocked.

Each page is saved to disk and opened as a partner would (file://). We check that it
draws its features, logs no error, sends no request outside the file itself, shows
hostile place names as text, and never runs them (no dialog, no ``window.__pwned``).
"""
from __future__ import annotations

import html

import pytest

from tlresearch.core.formats import NNBSP
from tlresearch.viz import maps
from tlresearch.viz.standalone_html import save_map

from browser import chromium, open_offline
from helpers.places import PAYLOADS, make_places

#: A department name planted with payloads, to see the choropleth tooltip show it as text.
HOSTILE_NAME = "Pyrénées <img src=x onerror=alert(1)> ${alert(1)} {{ 7*7 }}"

_MAP = "window[document.querySelector('.folium-map').id]"


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def places(region):
    return make_places(region["commune"])


def _assert_clean(page, log) -> None:
    page.wait_for_timeout(150)  # an <img onerror> would fire asynchronously
    assert log.remote_requests == []
    assert log.errors == []
    assert log.dialogs == []
    assert page.evaluate("window.__pwned === undefined")


def test_places_map_clusters_every_place_offline(browser, region, places, tmp_path):
    path = save_map(maps.places_map(places, region), tmp_path / "lieux.html")
    page, log = open_offline(browser, path)
    page.wait_for_selector(".marker-cluster")
    clustered = sum(int(t) for t in page.locator(".marker-cluster span").all_inner_texts())
    singles = page.locator(".tl-place").count()
    assert clustered + singles == len(places)
    legend = page.locator(".tl-legend").inner_text()
    assert "Espace de coworking (" in legend and "Type non renseigné (" in legend
    assert page.locator("path").count() > 100  # EPCI and department outlines
    _assert_clean(page, log)
    page.close()


def test_popups_and_tooltips_show_hostile_names_as_text(browser, region, places, tmp_path):
    path = save_map(maps.places_map(places, region, cluster=False), tmp_path / "lieux.html")
    page, log = open_offline(browser, path)
    assert page.locator(".tl-place").count() == len(places)
    page.locator(".tl-place").first.click()
    page.wait_for_selector(".leaflet-popup-content")
    shown = page.evaluate(f"""() => {{
        const map = {_MAP};
        const out = [];
        map.eachLayer(layer => {{
            if (!(layer instanceof L.Marker)) return;
            // Each overlay's own element: closed ones fade out for 200 ms, still in the DOM.
            layer.openPopup();
            const popup = layer.getPopup().getElement().querySelector(".leaflet-popup-content");
            layer.openTooltip();
            const tooltip = layer.getTooltip().getElement();
            out.push({{popup: popup.innerText, tooltip: tooltip.innerText,
                       tags: Array.from(popup.querySelectorAll("*"), e => e.tagName)
                             .concat(Array.from(tooltip.querySelectorAll("*"), e => e.tagName))}});
            layer.closeTooltip();
            layer.closePopup();
        }});
        return out;
    }}""")
    assert len(shown) == len(places)
    for payload in PAYLOADS:
        hits = [s for s in shown if payload in s["popup"]]
        assert len(hits) == 1, payload
        assert payload in hits[0]["tooltip"]
    assert {tag for s in shown for tag in s["tags"]} <= {"DIV", "STRONG", "BR", "DL", "DT", "DD"}
    popup = next(s["popup"] for s in shown if "2017 à 2019" in s["popup"])
    assert "Vagues d'enquête renseignées" in popup and "Type de lieu" in popup
    for secret in ("73282932000074", "secret.contact@example.org"):
        assert all(secret not in s["popup"] + s["tooltip"] for s in shown)
    _assert_clean(page, log)
    page.close()


def _hover(page, lat: float, lon: float) -> str:
    """Move the mouse over a point of the map and return the tooltip's text."""
    x, y = page.evaluate(f"""([lat, lon]) => {{
        const map = {_MAP};
        const point = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + point.x, box.top + point.y];
    }}""", [lat, lon])
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip")
    return page.locator(".leaflet-tooltip").inner_text()


@pytest.mark.parametrize("level, expected", [("departement", 12), ("epci", None),
                                             ("commune", 4293)])
def test_choropleths_draw_every_area_with_a_french_legend(browser, region, places, tmp_path,
                                                           level, expected):
    boundaries = dict(region)
    departements = boundaries["departement"].copy()
    departements.loc[departements["code"] == "64", "name"] = HOSTILE_NAME
    boundaries["departement"] = departements
    path = save_map(maps.area_map(places, level, boundaries=boundaries), tmp_path / "c.html")
    page, log = open_offline(browser, path)
    page.wait_for_selector("path.leaflet-interactive")
    assert page.locator("path.leaflet-interactive").count() == (expected or len(region[level]))
    legend = page.locator(".tl-legend").inner_text()
    assert f"Lieux pour 100{NNBSP}000 habitants" in legend
    assert "seuils naturels (Fisher-Jenks)" in legend and "de " in legend
    if level == "departement":
        inside = departements.loc[departements["code"] == "64", "geometry"].iloc[0]
        point = inside.representative_point()
        tooltip = _hover(page, point.y, point.x)
        assert HOSTILE_NAME in tooltip and "(64)" in tooltip
        assert f"pour 100{NNBSP}000 hab." in tooltip
        assert page.locator(".leaflet-tooltip img").count() == 0
        assert html.escape("<img") not in tooltip  # shown once, not double-escaped
    _assert_clean(page, log)
    page.close()


def test_tiles_layer_asks_the_network_only_once_ticked(browser, region, places, tmp_path):
    from tlresearch.viz.standalone_html import OSM_TILES_URL

    m = maps.area_map(places, "departement", boundaries=region, with_tiles=True)
    page, log = open_offline(browser, save_map(m, tmp_path / "tuiles.html"))
    page.wait_for_selector("path.leaflet-interactive")
    page.wait_for_timeout(200)
    assert log.remote_requests == [] and log.errors == []
    page.evaluate("""() => {
        const label = Array.from(document.querySelectorAll(".leaflet-control-layers label"))
            .find(l => l.innerText.includes("Fond OpenStreetMap"));
        label.querySelector("input").click();
    }""")
    page.wait_for_timeout(300)
    host = OSM_TILES_URL.split("{")[0]
    assert log.remote_requests and all(u.startswith(host) for u in log.remote_requests)
    page.close()
