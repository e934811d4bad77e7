"""tlresearch: the survey of tiers-lieux in Nouvelle-Aquitaine as one clean panel.

Importing the package is cheap; heavy libraries load when a function needs them.

>>> import tlresearch
>>> panel = tlresearch.load_panel()   # doctest: +SKIP
"""
from .api import (data_dictionary, load_panel, load_places, load_quality_log,
                  load_quarantine, load_responses, load_staff, load_table)
from .errors import DataError, TLResearchError, UsageError

__version__ = "0.1.0"

#: Analysis functions, imported on first use so that ``import tlresearch`` stays light.
_LAZY = {
    "compute_indicators": "indicators", "indicator_series": "trends",
    "open_places_from_directory": "indicators", "compare_waves": "trends",
    "transitions": "trends", "protect_table": "disclosure", "audit_table": "disclosure",
    "outcome_tables": "certification", "read_graduates": "certification",
    "resolve_table": "resolve", "load_boundaries": "geography",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'tlresearch' has no attribute {name!r}")


__all__ = [
    "load_panel", "load_responses", "load_places", "load_staff", "load_quality_log",
    "load_quarantine", "load_table", "data_dictionary", "TLResearchError", "DataError",
    "UsageError", "__version__", *_LAZY,
]
