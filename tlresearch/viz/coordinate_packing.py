"""Compact coordinates for web maps: integer deltas in the page, decoded in the browser."""
from __future__ import annotations

from tlresearch.core.errors import UsageError

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
