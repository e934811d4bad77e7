"""Shared fixtures: where the reference data are, and a demo survey built once per session."""
from __future__ import annotations

import os
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


def session_folder(tmp_path_factory) -> Path:
    """A folder of this test session that all its xdist workers share.

    Under xdist the workers' base folders have a parent of this session only; a single
    process keeps its own base folder, since its parent is shared by every pytest
    session of the machine (and would hand this checkout a demo built by another's code).
    """
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> Path:
    """The demo survey written and ingested once for all xdist workers of the session."""
    from filelock import FileLock

    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest

    shared = session_folder(tmp_path_factory)
    folder = shared / "notebooks-demo"
    with FileLock(str(shared / "notebooks-demo.lock")):
        if not (folder / "ready").is_file():
            paths = DataPaths(folder / "data")
            write_demo(paths)
            run_ingest(paths)
            (folder / "ready").write_text("ok\n")
    return folder / "data"


@pytest.fixture(scope="session")
def demo_site(demo_data_dir, tmp_path_factory) -> Path:
    """A small published site of the demo's latest wave, built once for all xdist workers:
    the region and Gironde for the quality page, the maps and the Panorama; the region
    only for professionalisation and certification (every kind of page, fewest runs)."""
    from filelock import FileLock

    from tlresearch.batch.runner import run_reports
    from tlresearch.core.paths import NOTEBOOK_DIR, DataPaths

    shared = session_folder(tmp_path_factory)
    out = shared / "demo-site"
    with FileLock(str(shared / "demo-site.lock")):
        if not (out / "ready").is_file():
            for notebooks, territories in (
                    (["20-map", "40-panorama", "10-quality"], ["75", "33"]),
                    (["30-professionalisation", "50-certification"], ["75"])):
                summary = run_reports(DataPaths(demo_data_dir),
                                      notebooks=[NOTEBOOK_DIR / f"{n}.ipynb" for n in notebooks],
                                      years=[2025], territories=territories, out_dir=out,
                                      workers=2, progress=False)
                assert summary.exit_code == 0, summary.format()
            (out / "ready").write_text("ok\n")
    return out


@pytest.fixture(scope="session")
def demo_full_site(demo_data_dir, tmp_path_factory):
    """The demo site as ``make reports`` publishes it (every wave x territory, the
    latest wave's other notebooks and PDFs, the index), built once for all xdist
    workers of the session; a :class:`helpers.demo_site.DemoSite`. Read it, never
    change it: copy what a test must modify."""
    from filelock import FileLock

    from helpers.demo_site import build_demo_site, read_demo_site

    shared = session_folder(tmp_path_factory)
    folder = shared / "demo-full-site"
    with FileLock(str(shared / "demo-full-site.lock")):
        if not (folder / "site.json").is_file():
            build_demo_site(demo_data_dir, folder)
    return read_demo_site(folder)


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
