"""Shared fixtures: where the reference data are, and a demo survey built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference, or skip: the project must also work without it."""
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is not beside the checkout")
    return REFERENCE


@pytest.fixture(scope="session")
def demo_panel(tmp_path_factory):
    """The demo survey written and ingested once: (paths, IngestResult, raw hashes before)."""
    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest

    paths = DataPaths(tmp_path_factory.mktemp("demo") / "data")
    write_demo(paths)
    before = tree_hashes(paths.raw)
    result = run_ingest(paths)
    return paths, result, before


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> Path:
    """The demo survey written and ingested once for all xdist workers of the session."""
    from filelock import FileLock

    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest

    shared = tmp_path_factory.getbasetemp().parent
    folder = shared / "notebooks-demo"
    with FileLock(str(shared / "notebooks-demo.lock")):
        if not (folder / "ready").is_file():
            paths = DataPaths(folder / "data")
            write_demo(paths)
            run_ingest(paths)
            (folder / "ready").write_text("ok\n")
    return folder / "data"


@pytest.fixture(scope="module")
def toy():
    """Four square communes in two départements and two EPCI (EPSG:4326)."""
    from helpers.geography import toy_boundaries

    return toy_boundaries()


@pytest.fixture(scope="session")
def region(tmp_path_factory):
    """The real boundaries of Nouvelle-Aquitaine (web versions), built once."""
    from tlresearch.core.paths import DataPaths
    from tlresearch.geo.reference import load_boundaries

    paths = DataPaths(tmp_path_factory.mktemp("mapgeo") / "data")
    return {level: load_boundaries(level, paths=paths, build=True)
            for level in ("commune", "epci", "departement")}
