"""Reading the reference geography: where its files are, and reading them — never writing.

The files are built by :func:`tlresearch.geo.reference.build_geography` (``tlresearch
geography``, or ``tlresearch ingest``, which needs the territorial classes). Reports
and researchers only read them here: a missing file is one clear error that says
which command builds it, never a build hidden inside a read (a report run must not
write into ``processed/geo`` while another process reads it).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION, DataPaths
from tlresearch.geo import datafrance as georef

if TYPE_CHECKING:
    import geopandas

#: Levels of boundaries, from the finest.
LEVELS = ("commune", "epci", "departement", "region")


def region_codes() -> list[str]:
    """Codes of every region of France, overseas included, sorted ("01" ... "94")."""
    return georef.regions()["code"].astype(str).tolist()


def boundaries_path(paths: DataPaths, level: str, region: str = DEFAULT_REGION,
                    web: bool = False) -> Path:
    """Where the boundaries of ``level`` for ``region`` live (full or web version)."""
    _check_level(level)
    suffix = "_web" if web else ""
    return paths.processed / "geo" / f"{level}_{region}{suffix}.parquet"


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


def _key(level: str, web: bool) -> str:
    return f"{level}_web" if web else level


def load_boundaries(level: str, region: str = DEFAULT_REGION, web: bool = True,
                    paths: DataPaths | None = None) -> "geopandas.GeoDataFrame":
    """Boundaries of one level, as built by ``tlresearch geography`` (read only).

    This module only reads; building the files is :mod:`tlresearch.geo.reference`'s job
    (its :func:`~tlresearch.geo.reference.load_boundaries` builds first when asked), so
    the two modules import in one direction only.

    Parameters
    ----------
    level : {"commune", "epci", "departement", "region"}
    region : str
        INSEE region code.
    web : bool
        The simplified version (default), light enough for web maps of the region; the
        full one for zoomed maps and geometry work.
    paths : DataPaths, optional
        Data folder; the default one (see :mod:`tlresearch.core.paths`) when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per unit, sorted by code (columns: see
        :func:`region_boundaries`).

    Raises
    ------
    UsageError
        For an unknown level or region, or when the files have not been built.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        departements = load_boundaries("departement")
        departements["code"].tolist()[:3]
        # ['16', '17', '19']
    """
    import geopandas

    _check_level(level)
    paths = paths or DataPaths.resolve()
    path = boundaries_path(paths, level, region, web)
    if not path.is_file():
        raise UsageError(f"géographie absente / geography not built: {path} is missing; "
                         f"run `tlresearch geography --region {region}`")
    return geopandas.read_parquet(path)


def commune_at(lat, lon, region: str | None = None) -> pd.Series:
    """INSEE code of the current commune that contains each point.

    Parameters
    ----------
    lat, lon : array-like of float
        WGS84 latitude and longitude, same length; ``NaN`` allowed.
    region : str, optional
        Look only in this region's communes; ``None`` (default) looks in all of France
        (about 35 000 outlines, read once per process in 2-3 s).

    Returns
    -------
    pandas.Series
        ``string`` dtype named ``commune_code``, on the index of ``lat`` when it is a
        Series; ``NA`` for a point outside every commune (at sea, abroad) or without
        coordinates. A point on a border, or in one of the few m² where two raw outlines
        overlap, goes to the smallest code, so the answer is stable.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        commune_at([44.8378], [-0.5792]).tolist()
        # ['33063']
    """
    import shapely

    index = lat.index if isinstance(lat, pd.Series) else None
    lat = np.asarray(lat, dtype=float).ravel()
    lon = np.asarray(lon, dtype=float).ravel()
    if lat.shape != lon.shape:
        raise UsageError(f"commune_at: {lat.size} latitudes but {lon.size} longitudes")
    codes, tree = _commune_index(region)
    points = shapely.points(lon, lat)
    points[np.isnan(lat) | np.isnan(lon)] = None
    # ``intersects`` rather than ``within`` so that a point exactly on a border is found.
    point_index, commune_index = tree.query(points, predicate="intersects")
    found = pd.DataFrame({"point": point_index, "code": codes[commune_index]})
    first = found.sort_values(["point", "code"]).drop_duplicates("point")
    result = np.full(lat.size, None, dtype=object)
    result[first["point"].to_numpy()] = first["code"].to_numpy()
    return pd.Series(result, index=index, dtype="string", name="commune_code")


@lru_cache(maxsize=4)
def _commune_index(region: str | None):
    """Codes and spatial index of the raw outlines, for ``commune_at`` (cached)."""
    import shapely

    outlines = georef.commune_geometries()
    if region is not None:
        georef.departements(region)  # raises UsageError for an unknown region
        keep = outlines["code"].isin(georef.communes(region)["code"])
        outlines = outlines[keep]
    outlines = outlines[outlines["geometry"].notna()]
    return outlines["code"].to_numpy(dtype=object), shapely.STRtree(outlines["geometry"].to_numpy())
