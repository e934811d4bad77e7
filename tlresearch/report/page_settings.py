"""The data folder a page is made for: its region and its credit, set once per report.

A notebook's first cell calls :func:`use_folder` (``region = helpers.use_folder(data_dir,
region)``): from then on every source line of the page (:func:`source_line`, under each
table, chart and printed map) credits that folder's network for that region, read from
its ``reseau.yaml`` (:mod:`tlresearch.core.settings`). The choice lives in two module
attributes that the warm kernel sets back before the next report
(:mod:`tlresearch.batch.kernel_state`), so one report's folder never leaks into another.
Without a call, the default data folder is used.

Examples
--------
>>> "tiers-lieux 2025" in source_line(2025)
True
"""
from __future__ import annotations

import os

from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import Settings
from tlresearch.geo.names import checked_settings

#: Settings and region of the page being made (None: the default data folder's).
_SETTINGS: Settings | None = None
_REGION: str | None = None


def use_folder(data_dir: str | os.PathLike | None = None, region: str | None = None) -> str:
    """Make the page for ``data_dir`` and ``region`` (default: the folder's own region);
    return the region."""
    global _SETTINGS, _REGION
    _SETTINGS = checked_settings(DataPaths.resolve(data_dir or None).root)
    _REGION = str(region) if region else _SETTINGS.region
    return _REGION


def page_settings() -> Settings:
    """The settings of the page's folder (:func:`use_folder`), else the default folder's."""
    return _SETTINGS if _SETTINGS is not None else checked_settings(DataPaths.resolve().root)


def page_region(region: str | None = None) -> str:
    """``region`` when given, else the page's region, else the default folder's."""
    if region:
        return str(region)
    return _REGION or page_settings().region


def source_line(year: int | str | None = None, region: str | None = None) -> str:
    """The source line of a table of wave ``year`` (no year: all waves), crediting the
    network of the page's region."""
    return page_settings().source_text(year, page_region(region))


def graduates_source() -> str:
    """The source line of the certification's tables: the graduates' survey, credited
    to the page's network."""
    credit = page_settings().credit(page_region())
    return ("Source : enquête auprès des diplômé·es de la certification"
            f"{', ' + credit if credit else ''} ; traitement tlresearch")


__all__ = ["use_folder", "page_settings", "page_region", "source_line", "graduates_source"]
