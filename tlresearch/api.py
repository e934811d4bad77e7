"""The researcher's entry points: each panel table in one documented call.

Examples
--------
>>> import tlresearch
>>> responses = tlresearch.load_responses()          # doctest: +SKIP
>>> panel = tlresearch.load_panel(waves=[2023, 2024])  # doctest: +SKIP

The data folder is found as described in :mod:`tlresearch.core.paths`; pass
``data_dir=`` to read another one. Tables built from the demo survey carry
``frame.attrs["demo"] == True`` (and a ``demo`` column), so a figure from fictitious
data cannot be mistaken for a real one.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths

if TYPE_CHECKING:
    import pandas as pd

#: Tables of data/processed that :func:`load_table` knows.
TABLES = ("responses", "places", "staff", "place_links", "quality_log", "quarantine",
          "conservation", "data_dictionary")


def load_table(name: str, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read one processed table by name (see :data:`TABLES`).

    Raises
    ------
    UsageError
        When the name is unknown or the panel has not been built yet.
    """
    import pandas as pd

    from tlresearch.core.storage import read_parquet_metadata

    if name not in TABLES:
        raise UsageError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}")
    paths = DataPaths.resolve(data_dir)
    path = paths.processed_table(name)
    if not path.is_file():
        raise UsageError(f"{path} does not exist: build the panel with `tlresearch ingest` "
                         "(or `make reports` for the demo survey)")
    frame = pd.read_parquet(path)
    metadata = read_parquet_metadata(path)
    frame.attrs["demo"] = metadata.get("demo") == "true"
    frame.attrs["source"] = str(path)
    return frame


def _of_waves(frame: pd.DataFrame, waves: list[int] | None) -> pd.DataFrame:
    """Rows of the given waves (all when ``waves`` is None); ``attrs`` kept."""
    if waves is None:
        return frame
    return frame[frame["wave"].isin(waves)].reset_index(drop=True)


def load_responses(waves: list[int] | None = None, data_dir=None) -> pd.DataFrame:
    """Responses: one row per place and wave, canonical variables, current commune.

    Parameters
    ----------
    waves
        Keep only these survey waves (default: all).
    """
    return _of_waves(load_table("responses", data_dir), waves)


def load_places(data_dir=None) -> pd.DataFrame:
    """Places: one row per place followed across waves, with commune, EPCI, department."""
    return load_table("places", data_dir)


def load_staff(waves: list[int] | None = None, data_dir=None) -> pd.DataFrame:
    """Staff: one row per job slot (place × wave × job) with raw title, contract and role."""
    return _of_waves(load_table("staff", data_dir), waves)


def load_quality_log(data_dir=None) -> pd.DataFrame:
    """Every value corrected, set missing or flagged, and every row quarantined."""
    return load_table("quality_log", data_dir)


def load_quarantine(data_dir=None) -> pd.DataFrame:
    """Rows set aside, one per row, with file, row, rule and (masked) value."""
    return load_table("quarantine", data_dir)


def load_panel(waves: list[int] | None = None, data_dir=None) -> pd.DataFrame:
    """Responses joined with their place's history (first/last wave, former names).

    The convenient table for analysis: one row per place and wave.
    """
    responses = load_responses(waves, data_dir)
    places = load_places(data_dir)[["place_id", "former_names", "first_wave", "last_wave",
                                    "n_waves"]]
    panel = responses.merge(places, on="place_id", how="left", validate="many_to_one")
    panel.attrs.update(responses.attrs)
    return panel


def data_dictionary(data_dir=None) -> pd.DataFrame:
    """The data dictionary (variables, types, allowed values, waves that have them)."""
    from tlresearch.spec.dictionary import data_dictionary as build

    return build(DataPaths.resolve(data_dir))
