"""Where every file of the project lives: the one place that builds data paths.

The data folder holds ``raw/`` (exports as received, never written by the library),
``codebooks/`` (one YAML file per wave), ``overrides/`` (small tables the lab edits),
``processed/`` (everything the library builds, safe to delete) and ``restricted/``
(contact details; no report reads it). It defaults to ``data/`` beside the package in
a source checkout, else ``./data``; ``TLRESEARCH_DATA_DIR`` or ``--data-dir`` moves it,
which is how the lab points the library at its private survey.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VOCAB_DIR = PACKAGE_DIR / "vocab"
SCHEMA_DIR = PACKAGE_DIR / "schema"

#: The notebooks of the project and the folder where the published site is built.
NOTEBOOK_DIR = PACKAGE_DIR.parent / "notebooks"
SITE_DIR = PACKAGE_DIR.parent / "site"

#: Environment variable that points the library at another data folder.
DATA_DIR_ENV = "TLRESEARCH_DATA_DIR"

#: Region of a library call that names none and of a data folder without settings
#: (:data:`tlresearch.core.settings.LEGACY_REGION`); commands read the folder's settings.
DEFAULT_REGION = "75"

#: Tables one ingest publishes together as one version of the panel
#: (see :mod:`tlresearch.core.panel_versions`).
PANEL_TABLES = ("responses", "places", "staff", "place_links", "quality_log", "quarantine",
                "conservation", "data_dictionary")

#: Environment variable that pins readers to one panel version (set by a report run).
PANEL_VERSION_ENV = "TLRESEARCH_PANEL_VERSION"


def default_data_dir() -> Path:
    """Return the data folder: the environment variable, the checkout's, or ./data."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser().resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").exists():
        return checkout / "data"
    return Path.cwd() / "data"


@dataclass(frozen=True)
class DataPaths:
    """Paths of one data folder.

    Examples
    --------
    >>> paths = DataPaths(Path("/tmp/survey"))
    >>> paths.processed_table("responses").name
    'responses.parquet'
    """

    root: Path
    #: Panel version every table path points into (None: the current one, at each open).
    panel_version: str | None = None

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike | None = None) -> "DataPaths":
        """The data folder asked for; pinned to ``TLRESEARCH_PANEL_VERSION`` when set."""
        root = Path(data_dir).expanduser().resolve() if data_dir else default_data_dir()
        return cls(root, os.environ.get(PANEL_VERSION_ENV) or None)

    def pinned(self, version: str | None) -> "DataPaths":
        """The same folder with every panel table read from ``version``."""
        return DataPaths(self.root, version)

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def codebooks(self) -> Path:
        return self.root / "codebooks"

    @property
    def overrides(self) -> Path:
        return self.root / "overrides"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def restricted(self) -> Path:
        return self.root / "restricted"

    def codebook(self, wave: int) -> Path:
        return self.codebooks / f"{wave}.yaml"

    def processed_table(self, name: str) -> Path:
        """A table of ``processed/``; a panel table of the pinned version when pinned.

        Unpinned, ``processed/<name>.parquet`` is a fixed link into ``current/``: each
        open sees a whole file of the latest version, but two opens may see two
        versions. Readers of several tables pin a version first.
        """
        if self.panel_version and name in PANEL_TABLES:
            return self.panel_folder / f"{name}.parquet"
        return self.processed / f"{name}.parquet"

    @property
    def panel_folder(self) -> Path:
        """Folder of the pinned panel version, or the ``current`` link when unpinned."""
        if self.panel_version:
            return self.processed / "versions" / self.panel_version
        return self.processed / "current"

    def restricted_table(self, name: str) -> Path:
        return self.restricted / f"{name}.parquet"

    @property
    def place_link_overrides(self) -> Path:
        return self.overrides / "place_links.csv"

    @property
    def role_overrides(self) -> Path:
        return self.overrides / "roles.csv"

    def check_folder(self, create: bool) -> None:
        """Refuse a data folder that is a file, or (for commands that only read it) is
        missing, before anything is created in it."""
        from tlresearch.core.errors import UsageError

        root = self.root
        if root.exists() and not root.is_dir():
            raise UsageError(f"the data folder {root} is a file, not a folder (--data-dir or "
                             "TLRESEARCH_DATA_DIR)")
        for parent in root.parents:
            if parent.exists() and not parent.is_dir():
                raise UsageError(f"the data folder {root} is inside {parent}, which is a file")
        if not create and not root.is_dir():
            raise UsageError(f"the data folder {root} does not exist (--data-dir or "
                             "TLRESEARCH_DATA_DIR); `tlresearch demo` writes the demo survey")

    @property
    def directory_folder(self) -> Path:
        """The network's directory of known places (``raw/annuaire/*.csv|xlsx``), optional."""
        return self.raw / "annuaire"

    @property
    def demo_truth(self) -> Path:
        """The demo population's true answers, respondents or not (tests only; never published)."""
        return self.root / "demo_truth" / "DEMO_verite_population.csv"

    @property
    def lock_file(self) -> Path:
        return self.processed / ".ingest.lock"
