"""Outlines of a territory for a quick map: its communes, intercommunalities, departments.

:func:`tlresearch.viz.maps.places_map` places markers with the communes and draws the
other levels as outlines; for a department or an EPCI only the outlines around it are
wanted, read from the data folder being explored (built there on first use).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import home_region
from tlresearch.explore.panel_status import read_tables
from tlresearch.explore.territory import territory as read_territory
from tlresearch.geo.boundaries import load_boundaries

if TYPE_CHECKING:
    import geopandas as gpd


def map_boundaries(territory: str | int | None = None, *,
                   data_dir: str | os.PathLike | None = None,
                   region: str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """``{"commune", "epci", "departement"}`` outlines around a territory (web-simplified).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        from tlresearch.viz.maps import places_map
        places_map(points, boundaries=map_boundaries("33"))
    """
    paths = DataPaths.resolve(data_dir)
    region = region or home_region(data_dir)  # the data folder's, from its settings
    layers = {level: load_boundaries(level, region=region, web=True, paths=paths)
              for level in ("commune", "epci", "departement")}
    places = read_tables(data_dir, "places")[0] if len(str(territory).strip()) == 9 else None
    where = read_territory(territory, places, region)
    if where.level == "region":
        return layers
    communes = layers["commune"]
    communes = communes[communes[where.column].astype("string").eq(where.code).fillna(False)
                        .to_numpy(dtype=bool)]
    keep = {"epci": communes["epci_code"].dropna().unique(),
            "departement": communes["departement_code"].dropna().unique()}
    out = {"commune": communes.reset_index(drop=True)}
    for level, codes in keep.items():
        frame = layers[level]
        out[level] = frame[frame["code"].isin(codes)].reset_index(drop=True)
    return out
