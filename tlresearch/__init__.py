"""tlresearch: the annual survey of a regional network of tiers-lieux as one clean panel.

Importing the package is cheap; heavy libraries load when a function needs them.

Not run as a test (it reads a data folder, a built panel or a file)::

    import tlresearch
    panel = tlresearch.load_panel()
"""
from tlresearch.api import (
    data_dictionary,
    load_panel,
    load_places,
    load_quality_log,
    load_quarantine,
    load_responses,
    load_staff,
    load_table,
)
from tlresearch.core.errors import DataError, TLResearchError, UsageError
from tlresearch.core.version import __version__

#: Analysis functions, imported on first use so that ``import tlresearch`` stays light.
_LAZY = {
    "compute_indicators": "stats.indicators", "indicator_series": "stats.trends",
    "open_places_from_directory": "stats.open_places", "compare_waves": "stats.trends",
    "transitions": "stats.trends", "protect_table": "secrecy.protection",
    "audit_table": "secrecy.protection", "outcome_tables": "stats.certification",
    "read_graduates": "stats.certification", "resolve_table": "geo.resolve",
    "load_boundaries": "geo.reference", "places_in_wave": "ingest.panel",
    # the researcher's helpers (JupyterLab, notebooks/00-explorer.ipynb)
    "indicator": "explore.indicator", "indicator_codes": "explore.indicator",
    "place_history": "explore.places", "places_table": "explore.places",
    "places_map_frame": "explore.places", "panel_status": "explore.panel_status",
    "coverage": "explore.coverage", "estimate_total": "explore.coverage",
    "load_directory": "explore.coverage", "survival": "explore.survival",
    "to_xlsx": "explore.xlsx", "known_places": "stats.known_places",
    "estimate_totals": "stats.adjusted_totals", "paired_changes": "stats.paired_changes",
    "departement_tests": "stats.paired_changes", "transition_table": "stats.paired_changes",
    "place_statuses": "stats.paired_changes", "place_states": "stats.trends",
    "volunteer_to_employer": "stats.survival", "compare_departements": "explore.departements",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'tlresearch' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy helpers too, so that ``dir(tlresearch)`` and tab completion show them."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "load_panel", "load_responses", "load_places", "load_staff", "load_quality_log",
    "load_quarantine", "load_table", "data_dictionary", "TLResearchError", "DataError",
    "UsageError", "__version__", *_LAZY,
]
