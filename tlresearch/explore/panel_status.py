"""Is there a panel to explore? One answer in French, and the command that builds it.

The explorer notebook starts here: when ``data/processed`` holds no panel (a fresh
clone, or ``TLRESEARCH_DATA_DIR`` pointing at a lab folder where ``ingest`` was never
run), the researcher must read which command to run, not a Python traceback. Hence
:class:`PanelNotBuilt`, a :class:`~tlresearch.core.errors.UsageError` that IPython shows
as its message only (``_render_traceback_``), and that stops "Run All" at that cell.

The tables are read by :mod:`tlresearch.core.panel_tables`, as :mod:`tlresearch.api`
reads them: the two modules are independent siblings of one layer.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_count
from tlresearch.core.panel_tables import read_panel_tables
from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import read_parquet_metadata
from tlresearch.geo.names import checked_settings, region_name

#: Tables the explorer needs; the panel is "built" when all of them exist.
PANEL_TABLES = ("responses", "places", "staff", "quality_log")


class ExplorerError(UsageError):
    """A question the explorer cannot answer (unknown territory, wave...), said in one line.

    In a notebook IPython calls ``_render_traceback_`` instead of printing the
    traceback: the researcher reads the message, not the library's internals.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class PanelNotBuilt(ExplorerError):
    """No panel in the data folder: the message says which command builds it."""


@dataclass(frozen=True)
class PanelStatus:
    """What the data folder holds: enough for one French sentence and the next step."""

    data_dir: Path
    missing: tuple[str, ...]
    waves: tuple[int, ...] = ()
    responses: int = 0
    places: int = 0
    demo: bool = False
    #: Whose survey the folder holds (its reseau.yaml): « Occitanie (76) ».
    region: str = ""

    @property
    def built(self) -> bool:
        return not self.missing

    @property
    def last_wave(self) -> int:
        if not self.waves:
            raise PanelNotBuilt(self.message())
        return self.waves[-1]

    def message(self) -> str:
        """The status in French: what is there, or which command to run."""
        if not self.built:
            return (f"Le panel n'est pas encore construit dans {self.data_dir} "
                    f"(absent : {', '.join(self.missing)}). Construisez-le avec "
                    "`make reports` (enquête de démonstration) ou `.venv/bin/tlresearch "
                    "ingest` (vos exports dans data/raw), puis relancez le carnet.")
        span = (f"{self.waves[0]}–{self.waves[-1]}" if len(self.waves) > 1
                else str(self.waves[0]) if self.waves else "aucune vague")
        kind = "enquête de DÉMONSTRATION (fictive)" if self.demo else "données du labo"
        whose = f" ({self.region})" if self.region else ""
        return (f"Panel de {self.data_dir}{whose} : {format_count(len(self.waves))} vague(s) "
                f"({span}), {format_count(self.responses)} réponses, "
                f"{format_count(self.places)} lieux — {kind}.")

    def require(self) -> PanelStatus:
        """Raise :class:`PanelNotBuilt` when the panel is absent; else return itself."""
        if not self.built:
            raise PanelNotBuilt(self.message())
        return self

    def _repr_markdown_(self) -> str:
        return ("**" + self.message() + "**") if self.built else ("⚠️ " + self.message())

    def __str__(self) -> str:
        return self.message()


def panel_status(data_dir: str | os.PathLike | None = None) -> PanelStatus:
    """Check the data folder without loading any table (Parquet metadata only).

    Examples
    --------
    >>> status = panel_status("/nonexistent/folder")
    >>> status.built, status.missing[0]
    (False, 'responses')
    >>> "make reports" in status.message()
    True
    """
    paths = DataPaths.resolve(data_dir)
    missing = tuple(name for name in PANEL_TABLES
                    if not paths.processed_table(name).is_file())
    if missing:
        return PanelStatus(paths.root, missing)
    metadata = read_parquet_metadata(paths.processed_table("responses"))
    waves = tuple(sorted(int(w) for w in metadata.get("waves", "").split(",") if w))
    settings = checked_settings(paths.root)
    region = f"{region_name(settings.region)} ({settings.region})"
    return PanelStatus(paths.root, (), waves, _rows(paths.processed_table("responses")),
                       _rows(paths.processed_table("places")), metadata.get("demo") == "true",
                       region)


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def read_tables(data_dir: str | os.PathLike | None, *names: str) -> tuple[pd.DataFrame, ...]:
    """Processed tables (``responses``, ``places``, ``staff``...) of one panel version.

    Read together, so that an ingest publishing meanwhile cannot give the explorer
    responses of one version and places of another; :class:`PanelNotBuilt` when there
    is no panel. ``attrs["demo"]`` says whether they come from the demo survey.
    """
    paths = DataPaths.resolve(data_dir)
    status = panel_status(data_dir)
    if not status.built:
        raise PanelNotBuilt(status.message())
    tables = read_panel_tables(paths, names)
    return tuple(tables[name] for name in names)
