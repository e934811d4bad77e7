"""Reading the panel's tables: all of one published version, or one clear line.

Every reader of the panel — the researcher's ``load_*`` calls, the explorer, the
reports — goes through :func:`read_panel_tables`, so that the tables read together come
from one version of the panel even when an ingest publishes a new one meanwhile
(:mod:`tlresearch.core.panel_versions` holds the version while the files are read).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tlresearch.core.errors import DataError, UsageError
from tlresearch.core.panel_versions import hold_version
from tlresearch.core.paths import PANEL_TABLES, DataPaths
from tlresearch.core.storage import read_parquet_metadata

if TYPE_CHECKING:
    import pandas as pd


def read_panel_tables(paths: DataPaths, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The tables ``names`` of one panel version (the pinned one, else the current one).

    Each frame carries ``attrs["demo"]`` (built from the demo survey?), ``attrs["source"]``
    and ``attrs["panel_version"]``.

    Raises
    ------
    UsageError
        When a name is unknown or no panel has been built.
    DataError
        When a table cannot be read (a truncated file): rebuild the panel.
    """
    names = list(names)
    unknown = [name for name in names if name not in PANEL_TABLES]
    if unknown:
        raise UsageError(f"unknown table {unknown[0]!r}; known tables: {', '.join(PANEL_TABLES)}")
    with hold_version(paths.processed, paths.panel_version) as pinned:
        return {name: _read(pinned.table(name), pinned.version) for name in names}


def _read(path: Path, version: str) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise UsageError(f"{path} does not exist: build the panel with `tlresearch ingest` "
                         "(or `make reports` for the demo survey)")
    try:
        frame = pd.read_parquet(path)
        metadata = read_parquet_metadata(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DataError(f"the table cannot be read ({type(exc).__name__}); rebuild the panel "
                        "with `tlresearch ingest`", file=str(path),
                        rule="unreadable_table") from None
    frame.attrs["demo"] = metadata.get("demo") == "true"
    frame.attrs["source"] = str(path)
    frame.attrs["panel_version"] = version
    return frame
