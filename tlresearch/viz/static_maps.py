"""Static maps for print and PDF (matplotlib + geopandas), twins of the interactive ones.

The classes, colours and French labels come from :mod:`tlresearch.viz.maps`
(:func:`~tlresearch.viz.map_classes.classify`, :data:`~tlresearch.viz.map_classes.TYPOLOGY_COLOURS`), so a
printed map and the HTML map of the same data show the same breaks with the same
words. Maps are drawn in Lambert-93 (EPSG:2154), the legal projection of metropolitan
France, where distances and shapes read true on paper.

Functions return a :class:`matplotlib.figure.Figure` built without pyplot (no global
state, no window); nothing is written except by :func:`save_figure`.

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    from tlresearch.viz.maps import load_map_boundaries
    from tlresearch.viz.map_data import places_per_area
    boundaries = load_map_boundaries()
    stats = places_per_area(places, boundaries["departement"], "departement")
    save_figure(static_choropleth(stats), "densite.pdf")
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_count
from tlresearch.viz.figures import figure_bytes, save_figure
from tlresearch.viz.map_classes import (
    LEVEL_WORDS,
    MEASURES,
    TYPOLOGY_COLOURS,
    UNKNOWN_COLOUR,
    UNKNOWN_TYPOLOGY,
    classify,
    typology_label,
)
from tlresearch.viz.map_data import place_points, plural

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure

#: Lambert-93: the projection of printed maps of metropolitan France.
PRINT_CRS = "EPSG:2154"

#: One marker shape per typology as well as one colour, so that a map printed in grey
#: still tells the types apart (the legend pairs shape, colour and words).
TYPOLOGY_MARKERS = {
    "coworking": "o", "fablab": "s", "atelier_partage": "^", "cafe_associatif": "D",
    "mediation_numerique": "v", "tiers_lieu_nourricier": "P", "culturel": "X",
    "hybride": "h", "autre": "p", UNKNOWN_TYPOLOGY: "o",
}



def _new_figure(figsize: tuple[float, float]) -> tuple["Figure", object]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    return figure, ax


def _scale_bar(ax, length_m: float = 50_000) -> None:
    """A plain scale bar in the lower left corner (axes are metres in Lambert-93)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left, bottom = x0 + 0.03 * (x1 - x0), y0 + 0.03 * (y1 - y0)
    ax.plot([left, left + length_m], [bottom, bottom], color="#222222", linewidth=2.5,
            solid_capstyle="butt")
    ax.text(left + length_m / 2, bottom + 0.012 * (y1 - y0), f"{format_count(length_m / 1000)} km",
            ha="center", va="bottom", fontsize=8, color="#222222")


def _outlines(ax, boundaries: Mapping[str, "gpd.GeoDataFrame"] | None, skip: str) -> None:
    styles = {"epci": (0.3, "#8a8a8a"), "departement": (0.9, "#222222")}
    for level, (width, colour) in styles.items():
        frame = (boundaries or {}).get(level)
        if level != skip and frame is not None:
            frame.to_crs(PRINT_CRS).boundary.plot(ax=ax, linewidth=width, color=colour)


def static_choropleth(stats: "gpd.GeoDataFrame", measure: str = "places_per_100k",
                      scheme: str = "fisher_jenks", k: int = 5,
                      boundaries: Mapping[str, "gpd.GeoDataFrame"] | None = None,
                      title: str | None = None, source: str | None = None,
                      figsize: tuple[float, float] = (7.5, 8.0)) -> "Figure":
    """A printed choropleth with the same classes and legend as the HTML map.

    Parameters
    ----------
    stats
        :func:`tlresearch.viz.map_data.places_per_area` output.
    measure, scheme, k
        As in :func:`tlresearch.viz.maps.choropleth_map` (Fisher-Jenks, 5 classes).
    boundaries
        Levels to outline on top (``departement``, ``epci``).
    source
        Footnote (source of the data), in French.
    """
    from matplotlib.patches import Patch

    if measure not in MEASURES:
        raise UsageError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    level = stats.attrs.get("level", "zone")
    classes = classify(stats[measure], MEASURES[measure], scheme=scheme, k=k)
    title = title or f"{MEASURES[measure]}, par {LEVEL_WORDS.get(level, level)}"

    figure, ax = _new_figure(figsize)
    projected = stats.to_crs(PRINT_CRS)
    colours = [classes.colour_of(v) for v in stats[measure]]
    projected.plot(ax=ax, color=colours, edgecolor="#777777",
                   linewidth=0.15 if level == "commune" else 0.4)
    _outlines(ax, boundaries, skip=level)
    _scale_bar(ax)
    # Each class says how many areas it colours, as on the HTML map: not colour alone.
    one = LEVEL_WORDS.get(level, "zone")
    handles = [Patch(facecolor=colour, edgecolor="#555555",
                     label=f"{label} ({format_count(n)} {one if n == 1 else plural(level)})")
               for (colour, label), n in zip(classes.legend_items(),
                                             classes.legend_counts(stats[measure]))]
    ax.legend(handles=handles, title=classes.title, loc="lower right", fontsize=8,
              title_fontsize=9, frameon=True, framealpha=0.95, alignment="left")
    ax.set_title(title, fontsize=12, loc="left")
    _source_note(figure, classes.note + (f" · {source}" if source else ""))
    return figure


def static_places(places: pd.DataFrame, boundaries: Mapping[str, "gpd.GeoDataFrame"],
                  title: str = "Les tiers-lieux par type", source: str | None = None,
                  jitter_m: float = 400, figsize: tuple[float, float] = (7.5, 8.0)) -> "Figure":
    """Places as dots, by typology: same palette and words as the HTML map, plus a
    shape per type for grey printing.

    Parameters
    ----------
    places
        ``tlresearch.load_places()``; only public fields are read.
    boundaries
        ``{"commune": ..., "departement": ..., "epci": ...}``: communes place the dots,
        the other levels are outlined.
    """
    from matplotlib.lines import Line2D

    if boundaries.get("commune") is None:
        raise UsageError("static_places needs the commune boundaries to place the dots")
    points = place_points(places, boundaries["commune"], jitter_m=jitter_m).to_crs(PRINT_CRS)
    codes = points["typology"].astype("string").fillna(UNKNOWN_TYPOLOGY)
    codes = codes.where(codes.isin([*TYPOLOGY_COLOURS, UNKNOWN_TYPOLOGY]), "autre")
    palette = {**TYPOLOGY_COLOURS, UNKNOWN_TYPOLOGY: UNKNOWN_COLOUR}

    figure, ax = _new_figure(figsize)
    region = boundaries.get("departement")
    if region is not None:
        region.to_crs(PRINT_CRS).plot(ax=ax, color="#f7f7f7", edgecolor="none")
    _outlines(ax, boundaries, skip="")
    counts = codes.value_counts()
    handles = []
    for code in [*TYPOLOGY_COLOURS, UNKNOWN_TYPOLOGY]:
        if code not in counts:
            continue
        chosen = points[codes.to_numpy() == code]
        ax.scatter(chosen.geometry.x, chosen.geometry.y, s=16, color=palette[code],
                   marker=TYPOLOGY_MARKERS[code], edgecolors="#222222", linewidths=0.4,
                   zorder=3)
        label = typology_label(None if code == UNKNOWN_TYPOLOGY else code)
        handles.append(Line2D([], [], linestyle="none", marker=TYPOLOGY_MARKERS[code],
                              markersize=6,
                              markerfacecolor=palette[code], markeredgecolor="#222222",
                              label=f"{label} ({format_count(counts[code])})"))
    _scale_bar(ax)
    ax.legend(handles=handles, title="Type de lieu", loc="lower right", fontsize=8,
              title_fontsize=9, frameon=True, framealpha=0.95, alignment="left")
    ax.set_title(title, fontsize=12, loc="left")
    note = "Position : centre de la commune (légèrement décalé)"
    if points.attrs.get("unplaced"):
        note += f" · {format_count(points.attrs['unplaced'])} lieu(x) sans commune connue"
    _source_note(figure, note + (f" · {source}" if source else ""))
    return figure


def _source_note(figure: "Figure", note: str) -> None:
    """The note and source line under the map, wrapped, in space of its own.

    As a ``supxlabel`` the constrained layout leaves room for it, so the legend in the
    lower right corner never hides it (a ``figure.text`` was drawn under the legend).
    """
    import textwrap

    figure.supxlabel(textwrap.fill(note, width=125), x=0.01, ha="left", fontsize=7,
                     color="#444444")


__all__ = ["static_choropleth", "static_places", "figure_bytes", "save_figure", "PRINT_CRS"]
