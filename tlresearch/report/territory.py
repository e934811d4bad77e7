"""Which territory a report covers: its code, its French name, its rows and outlines.

A territory is a code: the region's (the data folder's, from its settings; e.g.
``"76"``) or one of its departments (``"31"``, ``"33"``...). ``region`` defaults to the
page's (:func:`tlresearch.report.page_settings.page_region`). Functions return data;
none writes a file.

Examples
--------
>>> territory_level("76", "76"), territory_level("31", "76")
('region', 'departement')
>>> territory_label("31", "76"), of_territory("31", "76")
('Haute-Garonne (31)', 'de la Haute-Garonne (31)')
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.geo import names
from tlresearch.report.page_settings import page_region

if TYPE_CHECKING:
    import pandas as pd


def _departements(region: str) -> dict[str, str]:
    from tlresearch.geo.datafrance import departement_names

    return departement_names(region)


def territory_level(code: str, region: str | None = None) -> str:
    """``"region"`` for the region's code, else ``"departement"``."""
    return "region" if str(code) == page_region(region) else "departement"


def territory_label(code: str, region: str | None = None) -> str:
    """French name of a territory: « Occitanie » or « Haute-Garonne (31) »."""
    return names.territory_label(str(code), page_region(region))


def of_territory(code: str, region: str | None = None) -> str:
    """« de » + the territory's name, elided: « d'Occitanie », « de la Haute-Garonne (31) »."""
    return names.of_territory(str(code), page_region(region))


def panel_waves(data_dir: str | os.PathLike | None = None) -> list[int]:
    """Waves of the built panel, from the metadata ingest writes (no table is read).

    Raises
    ------
    UsageError
        When the panel has not been built.
    """
    from tlresearch.core.storage import read_parquet_metadata

    path = DataPaths.resolve(data_dir).processed_table("responses")
    if not path.is_file():
        raise UsageError(f"{path} does not exist: build the panel with `tlresearch ingest`")
    return sorted(int(w) for w in read_parquet_metadata(path)["waves"].split(",") if w)


def validate_parameters(year: int, territory: str, data_dir: str | os.PathLike | None = None,
                        region: str | None = None) -> tuple[str, str]:
    """Check a report's parameters and return the territory as ``(level, code)``.

    Parameters
    ----------
    year
        Survey wave; it must be in the panel of ``data_dir``.
    territory
        The region's code or the code of one of its departments.
    data_dir
        Data folder (see :mod:`tlresearch.core.paths`).

    Raises
    ------
    UsageError
        Unknown territory, a year with no wave in the panel, or no panel built yet.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        validate_parameters(2025, "33", "/tmp/demo")
        # ('departement', '33')
    """
    region = page_region(region)
    code = str(territory or region)
    departements = _departements(region)
    if code != region and code not in departements:
        raise UsageError(
            f"territoire inconnu {code!r} / unknown territory: give the region's code "
            f"{region!r} or one of its departments ({', '.join(sorted(departements))})")
    waves = panel_waves(data_dir)
    if int(year) not in waves:
        raise UsageError(
            f"aucune vague {year} dans le panel / no wave {year} in the panel; "
            f"waves: {', '.join(map(str, waves))}")
    return territory_level(code, region), code


def select_territory(frame: pd.DataFrame, territory: str,
                     region: str | None = None) -> pd.DataFrame:
    """Rows of ``frame`` (responses or places) in the territory, by their department.

    The region keeps rows whose ``region_code`` is the region's, and, for the data
    folder's own region only, those of unknown region (the survey is regional: a place
    whose commune was not found still answered it; in a folder holding several regions
    it belongs to none of the others; all rows when the column is absent); a department
    keeps rows whose ``departement_code`` is its code.
    """
    code = str(territory)
    region = page_region(region)
    if territory_level(code, region) == "region":
        if "region_code" not in frame.columns:
            return frame.reset_index(drop=True)
        from tlresearch.report.page_settings import page_settings

        own = code == page_settings().region
        mask = frame["region_code"].astype("string").eq(code).fillna(own)
    else:
        mask = frame["departement_code"].astype("string").eq(code).fillna(False)
    return frame[mask.astype(bool)].reset_index(drop=True)


#: Boundary levels a report's maps draw.
_LEVELS = ("commune", "epci", "departement")


@lru_cache(maxsize=4)
def _read_layers(files: tuple[tuple[str, int, int], ...]) -> tuple:
    """The boundary files, read once per process and per file version.

    A warm kernel runs a Panorama for every wave and territory: reading and parsing
    the region's communes each time was a fixed cost of every page. The key holds each
    file's size and modification time, so a rebuilt geography is read again.
    """
    import geopandas

    return tuple(geopandas.read_parquet(path) for path, _, _ in files)


def territory_boundaries(territory: str, data_dir: str | os.PathLike | None = None,
                         region: str | None = None, web: bool = True) -> dict:
    """Communes, EPCI and departments of a territory, for :mod:`tlresearch.viz.maps`.

    For a department, the communes and the department are its own and the EPCI are
    those with at least one commune in it (drawn whole, as far as the region goes).
    Each call returns frames of its own (the parsed files are shared, see
    :func:`_read_layers`), so a report that changes them changes nothing for the next.
    """
    from tlresearch.geo.boundaries import boundaries_path, load_boundaries

    paths = DataPaths.resolve(data_dir)
    region = page_region(region)
    files = [boundaries_path(paths, level, region, web) for level in _LEVELS]
    if all(path.is_file() for path in files):
        stamps = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size)
                       for path in files)
        layers = {level: frame.copy() for level, frame in zip(_LEVELS, _read_layers(stamps))}
    else:  # load_boundaries says which file is missing and how to build it
        layers = {level: load_boundaries(level, region=region, web=web, paths=paths)
                  for level in _LEVELS}
    code = str(territory)
    if territory_level(code, region) == "region":
        return layers
    communes = layers["commune"][layers["commune"]["departement_code"] == code]
    epci = layers["epci"][layers["epci"]["code"].isin(communes["epci_code"].dropna())]
    departement = layers["departement"][layers["departement"]["code"] == code]
    return {"commune": communes.reset_index(drop=True), "epci": epci.reset_index(drop=True),
            "departement": departement.reset_index(drop=True)}


def previous_wave(responses: pd.DataFrame, year: int) -> int:
    """The last wave of ``responses`` before ``year`` (``year`` itself when there is none).

    Examples
    --------
    >>> import pandas as pd
    >>> previous_wave(pd.DataFrame({"wave": [2017, 2019, 2020]}), 2020)
    2019
    """
    earlier = responses.loc[responses["wave"] < int(year), "wave"]
    return int(earlier.max()) if len(earlier) else int(year)


__all__ = ["territory_level", "territory_label", "of_territory", "panel_waves", "validate_parameters",
           "select_territory", "territory_boundaries", "previous_wave"]
