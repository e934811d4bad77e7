"""A report that changes its kernel's state does not change the next report's output.

With warm kernels, one kernel runs many reports. A report that sets pandas options,
matplotlib rcParams, a module attribute of the library, its working folder or a
global, runs first on the only worker; the probe that follows must print exactly what
it prints in a kernel of its own.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from tlresearch.batch.runner import run_reports
from tlresearch.core.paths import DataPaths

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


def outputs_only(nb, *, title, provenance):
    """Render a report as the text its cells printed (a picklable module function)."""
    return json.dumps([o.get("text", "") for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", [])])


def test_a_meddling_report_does_not_reach_the_next(tmp_path):
    paths = DataPaths(tmp_path / "data")
    paths.processed.mkdir(parents=True)
    paths.codebooks.mkdir()
    pd.DataFrame({"place_id": ["p"], "wave": [2024]}).to_parquet(
        paths.processed / "responses.parquet")
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder)
    common = dict(years=[2024], territories=["33"], progress=False, render=outputs_only)

    shared = run_reports(paths, notebooks=[folder / "meddle.ipynb", folder / "probe.ipynb"],
                         out_dir=tmp_path / "shared", workers=1, **common)
    alone = run_reports(paths, notebooks=[folder / "probe.ipynb"], out_dir=tmp_path / "alone",
                        workers=1, reuse_kernels=False, **common)
    assert shared.exit_code == alone.exit_code == 0
    printed = json.loads((tmp_path / "shared" / "2024" / "33" / "probe.html").read_text())
    assert printed == json.loads((tmp_path / "alone" / "2024" / "33" / "probe.html").read_text())
    assert printed == ["6 1.5 '\\u202f' False False notebooks\n"]
