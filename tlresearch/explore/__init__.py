"""The researcher's helpers for JupyterLab: one documented call per question.

``tlresearch.indicator``, ``tlresearch.place_history``, ``tlresearch.places_table``
and ``tlresearch.places_map_frame`` answer the questions asked interactively (an
indicator for any territory, wave and split; one place over the years; the places of a
territory, as a table or as points for a map), with French labels to read and codes
kept as columns to compute. ``panel_status`` says whether there is a panel at all and
which command builds it. ``notebooks/00-explorer.ipynb`` shows them all; ``make lab``
opens it (:mod:`tlresearch.explore.lab`).

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    import tlresearch
    tlresearch.indicator("share_employers", territory="33", wave=2024)
"""
from tlresearch.explore.contacts import restricted_overview
from tlresearch.explore.geography import map_boundaries
from tlresearch.explore.indicator import indicator, indicator_codes
from tlresearch.explore.interactive import enable as enable_interactive_tables
from tlresearch.explore.interactive import interactive_table
from tlresearch.explore.map_view import MapView, quick_map
from tlresearch.explore.panel_status import (
    ExplorerError,
    PanelNotBuilt,
    PanelStatus,
    panel_status,
)
from tlresearch.explore.places import place_history, places_map_frame, places_table
from tlresearch.explore.territory import Territory, territory

__all__ = ["indicator", "indicator_codes", "place_history", "places_table",
           "places_map_frame", "panel_status", "PanelStatus", "PanelNotBuilt", "ExplorerError",
           "restricted_overview", "interactive_table", "enable_interactive_tables",
           "territory", "Territory", "map_boundaries", "quick_map",
           "MapView"]
