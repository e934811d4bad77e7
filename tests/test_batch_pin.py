"""A report run reads one panel version from start to end, whatever ingest publishes."""
from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pandas as pd

from tlresearch.batch.runner import run_reports
from tlresearch.core.panel_versions import publish
from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import parquet_bytes

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


def outputs_only(nb, *, title, provenance):
    """Render a report as the text its cells printed (a picklable module function)."""
    return json.dumps([o.get("text", "") for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", [])])


def panel(tag: str) -> dict[str, bytes]:
    frame = pd.DataFrame({"place_id": ["p1"], "wave": [2024], "tag": [tag]})
    return {"responses.parquet": parquet_bytes(frame)}


def test_a_report_keeps_reading_the_panel_it_started_with(tmp_path):
    paths = DataPaths(tmp_path / "data")
    paths.codebooks.mkdir(parents=True)
    publish(paths.processed, panel("avant"))
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOKS / "pinread.ipynb", folder)
    common = dict(notebooks=[folder / "pinread.ipynb"], years=[2024], territories=["33"],
                  progress=False, render=outputs_only, workers=1)
    done = {}
    runner = threading.Thread(target=lambda: done.update(
        summary=run_reports(paths, out_dir=tmp_path / "site", **common)))
    runner.start()
    for _ in range(6000):  # the report has read the panel once (bounded: no clock asserted)
        if (paths.root / "started").exists() or not runner.is_alive():
            break
        time.sleep(0.1)
    publish(paths.processed, panel("après"))  # an ingest publishes meanwhile
    (paths.root / "go").write_text("1")
    runner.join()
    assert done["summary"].exit_code == 0
    page = json.loads((tmp_path / "site" / "2024" / "33" / "pinread.html").read_text())
    assert page == ["avant avant\n"]

    (paths.root / "started").unlink()
    again = run_reports(paths, out_dir=tmp_path / "site", **common)
    assert {r.reason for r in again.reports} == {"input changed: responses"}
    page = json.loads((tmp_path / "site" / "2024" / "33" / "pinread.html").read_text())
    assert page == ["après après\n"]
