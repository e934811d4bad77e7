"""A quick offline map of places in JupyterLab, as wide as the notebook.

folium's own notebook display loads Leaflet from CDNs; the map here is the
self-contained page of :mod:`tlresearch.viz.standalone_html` (Leaflet inlined) inside an
``<iframe srcdoc>``, so it draws with no network. The frame takes the notebook's full
width (a bare iframe is 300 pixels wide).
"""
from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING

import pandas as pd

from tlresearch.explore.geography import map_boundaries
from tlresearch.viz.maps import places_map
from tlresearch.viz.standalone_html import render_html

if TYPE_CHECKING:
    import folium


class MapView:
    """A folium map shown offline in a notebook (``_repr_html_``)."""

    def __init__(self, m: folium.Map, height: int = 560) -> None:
        self.map, self.height = m, int(height)

    def _repr_html_(self) -> str:
        # html.escape quotes both kinds of quotes: the page reaches the frame unchanged.
        page = html.escape(render_html(self.map), quote=True)
        return (f'<iframe class="tl-map" title="Carte des lieux" srcdoc="{page}" '
                f'style="width: 100%; height: {self.height}px; border: 0"></iframe>')


def quick_map(points: pd.DataFrame, territory: str | int | None = None, *,
              data_dir: str | os.PathLike | None = None, height: int = 560) -> MapView:
    """Markers of ``points`` by typology over the outlines of ``territory``.

    Parameters
    ----------
    points
        :func:`tlresearch.places_map_frame` (or any places table with the public fields).
    territory
        Whose outlines are drawn (see :func:`tlresearch.explore.map_boundaries`).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        import tlresearch
        from tlresearch import explore
        explore.quick_map(tlresearch.places_map_frame("33"), "33")
    """
    boundaries = map_boundaries(territory, data_dir=data_dir)
    return MapView(places_map(points, boundaries=boundaries), height)
