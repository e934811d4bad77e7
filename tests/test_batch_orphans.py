"""SIGKILL of a report run: no worker or kernel survives it, the pages online stay intact.

The run is a real ``run_reports`` in a child process, with real pool workers and
Jupyter kernels; it is killed with SIGKILL while its kernels run (issue 9, item 3).
The waits below bound how long a condition may take to become true; nothing here
asserts a duration.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="parent-death signal is Linux's")

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"

RUN = """
import sys
from pathlib import Path
import pandas as pd
from tlresearch.batch.runner import run_reports
from tlresearch.core.paths import DataPaths
paths = DataPaths(Path(sys.argv[1]))
(paths.processed / "geo").mkdir(parents=True, exist_ok=True)
paths.codebooks.mkdir(exist_ok=True)
pd.DataFrame({"place_id": ["p"], "wave": [2024], "region_code": ["75"]}).to_parquet(
    paths.processed / "responses.parquet")
notebooks = [Path(n) for n in sys.argv[3].split(",")]
run_reports(paths, notebooks=notebooks, years=[2024], territories=["33", "87"],
            out_dir=Path(sys.argv[2]), workers=2, progress=False, executor=sys.argv[4],
            force=True)
"""


def wait_for(condition, limit: float = 120.0, step: float = 0.2):
    """Poll ``condition`` until it returns something true, at most ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def kernels_of(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [p for p in process.children(recursive=True)
                if "ipykernel" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_sigkill_of_report_leaves_no_child_and_old_pages_intact(tmp_path, executor):
    data, site = tmp_path / "data", tmp_path / "site"
    ok = str(NOTEBOOKS / "ok.ipynb")
    first = subprocess.run([sys.executable, "-c", RUN, str(data), str(site), ok, "local"],
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    pages = {p: p.read_bytes() for p in site.rglob("*.html")}
    assert len(pages) == 4  # two reports, the index and the method page

    # Now a run that sleeps in its kernels, then dies without a chance to clean up.
    parent = subprocess.Popen(
        [sys.executable, "-c", RUN, str(data), str(site),
         f"{ok},{NOTEBOOKS / 'sleep.ipynb'}", executor], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    me = psutil.Process(parent.pid)
    kernels = wait_for(lambda: len(kernels_of(me)) >= 2 and kernels_of(me))
    assert kernels, "the run never started its kernels"
    family = me.children(recursive=True)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    survivors = wait_for(lambda: not alive(family), limit=30) or alive(family)
    assert survivors is True, [p.cmdline()[:3] for p in survivors]
    assert {p: p.read_bytes() for p in site.rglob("*.html")} == pages
