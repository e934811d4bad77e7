"""Interactive maps: escaping, offline HTML, stable ids, French legends, public fields, sizes."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NNBSP
from tlresearch.viz import coordinate_packing, map_classes, map_data, maps
from tlresearch.viz.escaping import escape_text, script_json
from tlresearch.viz.offline_assets import OfflineError, inline_assets
from tlresearch.viz.standalone_html import OSM_TILES_URL, network_references, render_html, save_map

from helpers.places import PAYLOADS, SECRETS, make_places

geopandas = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")
folium = pytest.importorskip("folium")

@pytest.fixture(scope="session")
def region_pages(region):
    """The four maps of the region, rendered once: {name: html}."""
    places = make_places(region["commune"])
    built = {
        "lieux": maps.places_map(places, region),
        "departement": maps.area_map(places, "departement", boundaries=region),
        "epci": maps.area_map(places, "epci", boundaries=region),
        "commune": maps.area_map(places, "commune", boundaries=region),
    }
    return {name: render_html(m) for name, m in built.items()}


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_text_leaves_nothing_that_a_browser_or_jinja_would_run(payload):
    escaped = escape_text(payload)
    for dangerous in ("<", ">", "`", "${", "{{", "{%", '"', "'"):
        assert dangerous not in escaped
    assert "</script" not in escaped.lower()
    import html
    assert html.unescape(escaped) == payload  # the reader sees the name unchanged


def test_escape_text_of_missing_values_is_empty():
    assert escape_text(None) == escape_text(float("nan")) == escape_text(pd.NA) == ""
    assert escape_text(12) == "12"


def test_script_json_keeps_the_value_and_cannot_close_the_script():
    value = {"a": PAYLOADS, "b": "\u2028 & <!-- -->"}
    text = script_json(value)
    assert "</script" not in text.lower() and "<!--" not in text
    assert not re.search(r"\{[{%#]", text)
    assert json.loads(text) == value


# --------------------------------------------------------------------------- formats, classes


def test_classes_have_french_labels_with_narrow_no_break_spaces():
    values = [0, 0, 1.5, 2.25, 12.5, 1123.6, 2272.7, float("nan")]
    classes = map_classes.classify(values, map_classes.MEASURES["places_per_100k"], k=3)
    assert classes.title == f"Lieux pour 100{NNBSP}000 habitants"
    assert classes.labels[0].startswith("de 1,5 à ")
    assert classes.labels[-1] == f"plus de 1{NNBSP}123,6 à 2{NNBSP}272,7"
    labels = [label for _, label in classes.legend_items()]
    assert labels[0] == "Aucun lieu" and labels[-1] == "Non disponible"
    assert classes.note == "Classes : seuils naturels (Fisher-Jenks), 3 classes"
    assert classes.colour_of(0) == map_classes.ZERO_COLOUR
    assert classes.colour_of(float("nan")) == map_classes.MISSING_COLOUR
    assert classes.colour_of(2272.7) == classes.colours[-1]


def test_counts_get_integer_ranges_and_k_shrinks_to_the_distinct_values():
    classes = map_classes.classify([1, 1, 2, 2], "Nombre de lieux", k=5)
    assert classes.k == 2 and classes.labels == ("1", "2")
    quantiles = map_classes.classify(list(range(1, 101)), "Nombre de lieux", scheme="quantiles", k=4)
    assert quantiles.labels == ("1 à 25", "26 à 50", "51 à 75", "76 à 100")
    with pytest.raises(UsageError):
        map_classes.classify([1, 2], "x", scheme="natural_breaks")
    with pytest.raises(UsageError):
        map_classes.classify([1, 2], "x", k=9)


def test_waves_are_summarised_in_french():
    assert map_classes.format_waves("2017,2018,2019,2022") == "4 vagues : 2017 à 2019, 2022"
    assert map_classes.format_waves("2025") == "1 vague : 2025"
    assert map_classes.typology_label("atelier_partage") == "Atelier partagé"
    assert map_classes.typology_label(pd.NA) == "Type non renseigné"


def test_packed_coordinates_decode_to_the_rounded_originals():
    ring = [[0.12344, 45.0], [0.5, 45.00004], [0.5, 45.00004], [0.12344, 45.0]]
    packed = coordinate_packing.pack_coordinates([[ring]])
    flat, x, y, decoded = packed[0][0], 0, 0, []
    for i in range(0, len(flat), 2):
        x, y = x + flat[i], y + flat[i + 1]
        decoded.append([x / coordinate_packing.PACK_SCALE, y / coordinate_packing.PACK_SCALE])
    assert decoded == [[0.1234, 45.0], [0.5, 45.0], [0.1234, 45.0]]


# --------------------------------------------------------------------------- data


def test_place_points_are_deterministic_near_their_commune_and_public_only(toy):
    places = make_places(toy["commune"], n=8)
    points = map_data.place_points(places, toy["commune"], jitter_m=400)
    again = map_data.place_points(places, toy["commune"], jitter_m=400)
    assert points.geometry.equals(again.geometry)
    assert set(points.columns) == {*map_data.PUBLIC_PLACE_FIELDS, "geometry"}
    anchors = toy["commune"].set_index("code").geometry.representative_point()
    metric = points.to_crs(2154).geometry.to_numpy()
    anchor = geopandas.GeoSeries(anchors.loc[points["commune_code"]].to_numpy(),
                                 crs=4326).to_crs(2154).to_numpy()
    distances = shapely.distance(metric, anchor)
    assert (distances <= 401).all() and (distances > 0).any()
    assert len(points.drop_duplicates("geometry")) == len(points)


def test_places_outside_the_map_are_counted_not_lost(toy):
    places = make_places(toy["commune"], n=4)
    places.loc[0, ["commune_code", "departement_code"]] = ["99999", "99"]
    assert map_data.place_points(places, toy["commune"]).attrs["unplaced"] == 1
    stats = map_data.places_per_area(places, toy["departement"], "departement")
    assert stats.attrs["unmatched"] == 1
    assert stats.set_index("code")["n_places"].to_dict() == {"16": 1, "17": 2}


def test_rates_per_100k_and_unknown_population(toy):
    places = make_places(toy["commune"], n=4)
    stats = map_data.places_per_area(places, toy["commune"], "commune").set_index("code")
    assert stats.loc["16001", "places_per_100k"] == pytest.approx(100_000 / 1200)
    assert np.isnan(stats.loc["17002", "places_per_100k"])
    with pytest.raises(UsageError):
        map_data.places_per_area(places, toy["commune"], "canton")


# --------------------------------------------------------------------------- pages


def _toy_pages(toy, **options):
    places = make_places(toy["commune"], n=12)
    return (render_html(maps.places_map(places, toy, **options)),
            render_html(maps.area_map(places, "commune", boundaries=toy, **options)))


def _geojson_layers(page: str) -> list[dict]:
    """Every FeatureCollection embedded by folium.GeoJson, in page order."""
    decoder, out = json.JSONDecoder(), []
    for match in re.finditer(r"_add\((?=\{)", page):
        out.append(decoder.raw_decode(page[match.end():])[0])
    return out


def _marker_rows(page: str) -> list[list]:
    """The rows (lat, lon, type, tooltip, popup) embedded by the places layer."""
    start = page.index("var rows = ") + len("var rows = ")
    return json.JSONDecoder().raw_decode(page[start:])[0]


def test_pages_show_only_public_fields_and_escaped_names(toy):
    import html

    places_page, area_page = _toy_pages(toy)
    for page in (places_page, area_page):
        for secret in SECRETS.values():
            assert secret not in page
    for payload in PAYLOADS:
        assert payload not in places_page
    assert "<img src=x" not in places_page and "${alert" not in places_page
    rows = _marker_rows(places_page)
    tooltips = [row[3] for row in rows]
    for payload in PAYLOADS:
        # Shown as text: the escaped tooltip decodes back to the exact name, so in
        # particular Jinja did not evaluate "{{ 7*7 }}" while folium rendered the page.
        assert any(f"<strong>{escape_text(payload)}</strong>" in t for t in tooltips)
        assert any(payload in html.unescape(t) for t in tooltips)
    for row in rows:
        assert "<img" not in row[3] + row[4] and "${" not in row[3] + row[4]
    popup = next(row[4] for row in rows if "2017 à 2019" in row[4])
    assert "Vagues d'enquête renseignées" in popup and "4 vagues : 2017 à 2019, 2022" in popup
    assert re.findall(r"<dt>([^<]+)</dt>", popup) == [
        "Commune", "Type de lieu", "Vagues d'enquête renseignées"]
    names = [f["properties"]["n"] for f in _geojson_layers(area_page)[0]["features"]]
    assert "Béta &lt;img src=x onerror=alert(1)&gt; (16002)" in names


def test_pages_hold_no_network_reference_and_inline_their_libraries(toy):
    for page in _toy_pages(toy):
        assert network_references(page) == []
        for needle in ("http://", "https://", "//cdn", "sourceMappingURL", "jquery", "bootstrap"):
            assert needle not in page.lower()
        assert page.startswith("<!DOCTYPE html>\n<html lang=\"fr\">")
        assert "Leaflet 1.9.3" in page
    places_page, area_page = _toy_pages(toy)
    assert "MarkerClusterGroup" in places_page and "MarkerClusterGroup" not in area_page


def test_count_maps_have_integer_classes(toy):
    places = make_places(toy["commune"], n=6)  # 2, 2, 1 and 1 places
    page = render_html(maps.area_map(places, "commune", measure="n_places", boundaries=toy))
    legend = json.loads(re.search(r"div\.innerHTML = (\"[^\n]*\");", page).group(1))
    assert "Nombre de lieux, par commune" in legend
    assert re.findall(r"</span>([^<]*)</li>", legend) == ["1 (2 communes)", "2 (2 communes)"]


def test_tiles_are_an_optional_layer_off_by_default(toy):
    for page in _toy_pages(toy, with_tiles=True):
        assert network_references(page.replace(OSM_TILES_URL, "")) == []
        assert page.count(OSM_TILES_URL) == 1
        assert "Fond OpenStreetMap" in page


def test_same_data_give_byte_identical_html_and_rendering_is_repeatable(toy):
    first, second = _toy_pages(toy), _toy_pages(toy)
    assert first == second
    m = maps.places_map(make_places(toy["commune"], n=12), toy)
    assert render_html(m) == render_html(m) == first[0]
    assert not re.search(r"map_[0-9a-f]{32}", first[0])  # no random folium id left


def test_a_plugin_without_offline_files_is_refused(toy):
    from folium.plugins import Fullscreen

    m = maps.places_map(make_places(toy["commune"], n=3), toy)
    Fullscreen().add_to(m)
    with pytest.raises(OfflineError, match="no offline copy"):
        render_html(m)
    bare = folium.Map()  # OpenStreetMap tiles by default: refused unless allowed
    with pytest.raises(OfflineError, match="network"):
        render_html(bare)


def test_assets_come_from_the_installed_packages():
    assets = inline_assets()
    assert set(assets) == {"leaflet", "leaflet_css", "markerclusterjs", "markerclustercss",
                           "markerclusterdefaultcss"}
    assert assets["leaflet"].source.startswith("django-leaflet: ")
    assert assets["markerclusterjs"].source.startswith("xstatic-leaflet-markercluster: ")
    assert "data:image/png;base64," in assets["leaflet_css"].text


def test_a_choropleth_does_not_need_the_marker_cluster_package(toy, monkeypatch):
    from tlresearch.viz import offline_assets as offline

    def missing():
        return offline._package_dir("no_such_module_here", "xstatic-leaflet-markercluster")

    for name in ("markerclusterjs", "markerclustercss", "markerclusterdefaultcss"):
        monkeypatch.setitem(offline.PROVIDERS, name, missing)
    places = make_places(toy["commune"], n=5)
    assert "Leaflet 1.9.3" in render_html(maps.area_map(places, "epci", boundaries=toy))
    with pytest.raises(OfflineError, match="pip install xstatic-leaflet-markercluster"):
        render_html(maps.places_map(places, toy))


def test_save_map_writes_the_rendered_page_atomically(toy, tmp_path):
    m = maps.area_map(make_places(toy["commune"], n=5), "departement", boundaries=toy)
    path = save_map(m, tmp_path / "cartes" / "densite.html")
    assert path.read_text(encoding="utf-8") == render_html(m)
    assert [p.name for p in path.parent.iterdir()] == ["densite.html"]


# --------------------------------------------------------------------------- the region


def test_region_maps_are_small_offline_and_french(region_pages):
    sizes = {name: len(page.encode("utf-8")) for name, page in region_pages.items()}
    assert sizes["commune"] < 2_000_000, sizes
    assert sizes["departement"] < 500_000, sizes
    for name, page in region_pages.items():
        assert network_references(page) == [], name
        if name != "lieux":  # the places map has a legend of types, not of rates
            assert f"Lieux pour 100{NNBSP}000 habitants" in page, name
    assert f"Lieux pour 100{NNBSP}000 habitants" not in region_pages["lieux"]
    # Layer names pass through folium's JSON (ASCII escapes); legends through ours.
    assert "Limites des d\\u00e9partements" in region_pages["commune"]
    assert "Espace de coworking" in region_pages["lieux"]


def test_commune_map_keeps_every_commune(region, region_pages):
    data = _geojson_layers(region_pages["commune"])[0]
    assert len(data["features"]) == len(region["commune"]) == 4293
    assert {f["geometry"]["type"] for f in data["features"]} == {"MultiPolygon"}


def test_base64_that_spells_cdn_is_not_a_network_reference():
    from tlresearch.viz.standalone_html import network_references

    page = ('<img src="data:image/png;base64,iVBOR//cdNw0KGgo+/==">'
            '<a href="data:text/csv;charset=utf-8,%EF%BB%BF">x</a>')
    assert network_references(page) == []
    assert network_references('<script src="//cdn.example/x.js"></script>') != []


def test_legends_give_counts_markers_names_and_the_map_its_table(toy):
    """Never colour alone: each legend entry says how many; each marker has a name;
    each map carries the table of what it shows (published under it by show_map)."""
    from tlresearch.report.map_block import show_map

    places = make_places(toy["commune"], n=12)
    area = maps.area_map(places, "commune", boundaries=toy)
    legend = re.search(r"div\.innerHTML = (\"[^\n]*\");", render_html(area))
    items = re.findall(r"<li>.*?</span>(.*?)</li>", json.loads(legend.group(1)))
    counts = [int(re.search(r"\((\d+) communes?\)$", item).group(1)) for item in items]
    assert sum(counts) == len(toy["commune"])
    page = render_html(maps.places_map(places, toy))
    assert all(row[5] and "<" not in row[5] for row in _marker_rows(page))  # escaped text
    assert page.count("<h1") == 1 and "user-scalable=no" not in page and "<main" in page
    block = str(show_map(area, year=2025))
    assert block.index("<iframe") < block.index("<caption")
    assert 'title="Carte : ' in block and "Source : enquête annuelle des tiers-lieux 2025" in block
    shown = area.tl_table["frame"]
    assert shown["Lieux"].sum() == 12 and (shown["Lieux"] > 0).all()
