"""tlresearch: the survey of tiers-lieux in Nouvelle-Aquitaine as one clean panel.

Importing the package is cheap; heavy libraries load when a function needs them.

>>> import tlresearch
>>> panel = tlresearch.load_panel()   # doctest: +SKIP
"""
from .api import (data_dictionary, load_panel, load_places, load_quality_log,
                  load_quarantine, load_responses, load_staff, load_table)
from .errors import DataError, TLResearchError, UsageError

__version__ = "0.1.0"

__all__ = [
    "load_panel", "load_responses", "load_places", "load_staff", "load_quality_log",
    "load_quarantine", "load_table", "data_dictionary", "TLResearchError", "DataError",
    "UsageError", "__version__",
]
