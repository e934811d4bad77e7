"""Area maps that say what they show: a rate where a rate is promised, never one zone.

A choropleth compares areas. A département's page drawn « par département » has one
area, one class and nothing to compare: it is replaced by a sentence. Every area map
of the map page shows places per 100 000 inhabitants, as its title and legend say,
with the number of places of each area in its table and tooltip.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from tlresearch.core.formats import format_count
from tlresearch.report.blocks import HTMLBlock, notice
from tlresearch.report.map_block import show_map
from tlresearch.viz.map_classes import LEVEL_WORDS

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: The fewest areas a choropleth needs to compare anything.
MIN_AREAS = 2


def area_map_block(places: "pd.DataFrame", level: str,
                   boundaries: Mapping[str, "gpd.GeoDataFrame"], *,
                   year: int | None = None) -> HTMLBlock:
    """The map of places per 100 000 inhabitants by ``level``, or why there is none."""
    from tlresearch.viz.maps import area_map

    areas = boundaries.get(level)
    n_areas = 0 if areas is None else len(areas)
    if n_areas < MIN_AREAS:
        word = LEVEL_WORDS.get(level, level)
        return notice(f"Une carte par {word} n'aurait ici qu'une zone ({format_count(n_areas)}) : "
                      "elle ne compare rien et n'est pas tracée. La carte des lieux et la carte "
                      "par intercommunalité ci-dessus montrent la répartition des lieux.")
    return show_map(area_map(places, level, measure="places_per_100k", boundaries=boundaries),
                    year=year)


__all__ = ["area_map_block", "MIN_AREAS"]
