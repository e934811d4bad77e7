"""Which rows of a panel table a report reads: its region's, or its département's.

A report's key (:mod:`tlresearch.batch.key`) hashes only the rows its page can see,
so that a change elsewhere leaves it alone:

* a **region's** page reads the rows of the region (``region_code``, and for the data
  folder's own region the rows of no known region too: a place whose commune was not
  found answered its survey and counts in its figures, as
  :func:`tlresearch.report.territory.select_territory` keeps it); a table keyed by
  ``place_id`` only (staff) through the places of the region;
* a **département's** page reads the rows of the places that were ever in it: the
  places with a response there (any wave up to the report's year) or whose current
  commune is there, with every row of theirs. That is more than the page prints (a
  place that moved keeps its rows from elsewhere), never less: the counts of known
  places (coverage) follow a place to its current commune, the tables follow its
  response of the wave.

The rows of waves after the report's year are left out by the caller (``wave``).
"""
from __future__ import annotations

import pandas as pd


def _codes(column: pd.Series) -> pd.Series:
    return column.astype("string")


def region_mask(frame: pd.DataFrame, region: str, home: bool) -> pd.Series | None:
    """Rows of ``frame`` in ``region`` (unknown region too when ``home``), by its
    ``region_code``; ``None`` when the table has no such column."""
    if "region_code" not in frame:
        return None
    return _codes(frame["region_code"]).eq(region).fillna(home).astype(bool)


def region_places(places: pd.DataFrame, region: str, home: bool) -> set | None:
    """``place_id`` of the places of ``region`` (see :func:`region_mask`)."""
    mask = region_mask(places, region, home)
    return None if mask is None else set(places.loc[mask, "place_id"])


def departement_places(responses: pd.DataFrame | None, places: pd.DataFrame | None,
                       departement: str, year: int | None) -> set:
    """``place_id`` of the places ever in ``departement``: a response there (waves up
    to ``year``) or their current commune there."""
    ids: set = set()
    for frame, by_wave in ((responses, True), (places, False)):
        if not isinstance(frame, pd.DataFrame) or not {"place_id", "departement_code"} <= set(frame):
            continue
        mask = _codes(frame["departement_code"]).eq(departement).fillna(False).astype(bool)
        if by_wave and year is not None and "wave" in frame:
            mask &= pd.to_numeric(frame["wave"], errors="coerce").le(year).fillna(False)
        ids |= set(frame.loc[mask, "place_id"])
    return ids


def departement_mask(frame: pd.DataFrame, departement: str, ids: set) -> pd.Series | None:
    """Rows of the places ``ids`` (and any row located in ``departement``); ``None``
    when the table has neither ``place_id`` nor ``departement_code``."""
    mask = None
    if "place_id" in frame:
        mask = frame["place_id"].isin(ids)
    if "departement_code" in frame:
        located = _codes(frame["departement_code"]).eq(departement).fillna(False).astype(bool)
        mask = located if mask is None else mask | located
    return mask


__all__ = ["region_mask", "region_places", "departement_places", "departement_mask"]
