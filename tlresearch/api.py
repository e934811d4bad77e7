"""The researcher's entry points: each panel table in one documented call.

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    import tlresearch
    responses = tlresearch.load_responses()
    panel = tlresearch.load_panel(waves=[2023, 2024])

The data folder is found as described in :mod:`tlresearch.core.paths`; pass
``data_dir=`` to read another one. Tables built from the demo survey carry
``frame.attrs["demo"] == True`` (and a ``demo`` column), so a figure from fictitious
data cannot be mistaken for a real one.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tlresearch.core.paths import PANEL_TABLES, DataPaths

if TYPE_CHECKING:
    import pandas as pd

    from tlresearch.core.panel_versions import PinnedPanel

#: Tables of data/processed that :func:`load_table` knows.
TABLES = PANEL_TABLES


def pin_panel(data_dir: str | os.PathLike | DataPaths | None = None,
              wait_seconds: float = 0) -> PinnedPanel:
    """The panel version a whole run should read, held until released.

    A report run calls it once, reads every table from ``pinned.table(name)`` (or gives
    its kernels ``pinned.env()``, which pins every ``load_*`` call in them), and
    releases it at the end. Meanwhile an ingest may publish a newer version: the run
    keeps reading its own, which no ingest deletes while it is held.

    Parameters
    ----------
    data_dir
        Data folder (default: as for every ``load_*`` function).
    wait_seconds
        When an ingest is running, wait this long for it to finish so that the run
        reads the panel it is building (the ``--wait`` of ``ingest`` and ``report``).
        If it is still running after that, the last published version is pinned; if
        there is none yet, :class:`~tlresearch.core.errors.LockBusyError` (exit 3).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        from tlresearch.api import pin_panel
        with pin_panel(wait_seconds=600) as pinned:
            responses = pd.read_parquet(pinned.table("responses"))
            run_notebooks(env=pinned.env())
    """
    from tlresearch.core.panel_versions import (
        current_version,
        hold_version,
        lock_busy,
        wait_for_lock,
    )

    paths = data_dir if isinstance(data_dir, DataPaths) else DataPaths.resolve(data_dir)
    free = wait_for_lock(paths.lock_file, wait_seconds) if wait_seconds else None
    if not free and current_version(paths.processed) is None and paths.panel_version is None:
        if free is None:
            free = wait_for_lock(paths.lock_file, 0)
        if not free:
            raise lock_busy("an ingest building the first panel", paths.lock_file)
    return hold_version(paths.processed, paths.panel_version)


def load_table(name: str, data_dir: str | os.PathLike | DataPaths | None = None) -> pd.DataFrame:
    """Read one processed table by name (see :data:`TABLES`).

    The table comes from one published version of the panel, named in
    ``frame.attrs["panel_version"]``.

    Raises
    ------
    UsageError
        When the name is unknown or the panel has not been built yet.
    """
    from tlresearch.core.panel_tables import read_panel_tables

    paths = data_dir if isinstance(data_dir, DataPaths) else DataPaths.resolve(data_dir)
    return read_panel_tables(paths, [name])[name]


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


def load_places(data_dir=None, wave: int | None = None) -> pd.DataFrame:
    """Places: one row per place followed across waves, with commune, EPCI, department.

    Parameters
    ----------
    wave
        Keep the places that answered this wave, with the name, commune and type they
        had then (default: every place, as it answered last). A map or a table of one
        wave must use these, so that both count a place under the same type.
    """
    if wave is None:
        return load_table("places", data_dir)
    from tlresearch.core.panel_tables import read_panel_tables
    from tlresearch.ingest.panel import places_in_wave

    paths = data_dir if isinstance(data_dir, DataPaths) else DataPaths.resolve(data_dir)
    tables = read_panel_tables(paths, ["responses", "places"])
    responses = tables["responses"]
    return places_in_wave(tables["places"], responses[responses["wave"] == int(wave)])


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
    from tlresearch.core.panel_tables import read_panel_tables

    paths = data_dir if isinstance(data_dir, DataPaths) else DataPaths.resolve(data_dir)
    # Both tables from one version, even if an ingest publishes between the two reads.
    tables = read_panel_tables(paths, ["responses", "places"])
    responses = _of_waves(tables["responses"], waves)
    places = tables["places"][["place_id", "former_names", "first_wave", "last_wave", "n_waves"]]
    panel = responses.merge(places, on="place_id", how="left", validate="many_to_one")
    panel.attrs.update(responses.attrs)
    return panel


def data_dictionary(data_dir=None) -> pd.DataFrame:
    """The data dictionary (variables, types, allowed values, waves that have them)."""
    from tlresearch.spec.dictionary import data_dictionary as build

    return build(DataPaths.resolve(data_dir))
