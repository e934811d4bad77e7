"""The Dask executor on a LocalCluster bound to 127.0.0.1: same keys, same outcomes,
a worker killed mid-run, a scheduler that does not answer."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.batch.runner import run_reports
from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


@pytest.fixture
def setup(tmp_path):
    paths = DataPaths(tmp_path / "data")
    paths.processed.mkdir(parents=True)
    paths.codebooks.mkdir()
    pd.DataFrame({"place_id": ["p"], "wave": [2024], "region_code": ["75"]}).to_parquet(
        paths.processed / "responses.parquet")
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder)
    return paths, {p.stem: p for p in folder.glob("*.ipynb")}


def manifest(out: Path) -> dict:
    return json.loads((out / ".state" / "manifest.json").read_text())["reports"]


def test_dask_gives_the_same_keys_and_outcomes_as_the_local_pool(setup, tmp_path):
    paths, nbs = setup
    options = dict(notebooks=[nbs["ok"], nbs["fail"]], years=[2024],
                   territories=["33", "boom"], workers=2, progress=False)
    local = run_reports(paths, out_dir=tmp_path / "local", **options)
    dask = run_reports(paths, out_dir=tmp_path / "dask", executor="dask", **options)
    assert dask.executor == "dask"
    status = {r.name: (r.status, r.reason, r.error) for r in local.reports}
    assert {r.name: (r.status, r.reason, r.error) for r in dask.reports} == status
    assert status["2024-boom-fail"][:2] == ("failed", "execution error")
    assert {n: e["inputs"] for n, e in manifest(tmp_path / "local").items()} == {
        n: e["inputs"] for n, e in manifest(tmp_path / "dask").items()}
    assert (tmp_path / "dask" / "2024/33/ok.html").exists()
    assert "Rapport boom 2024" in (tmp_path / "dask" / "2024/boom/ok.html").read_text()
    assert (tmp_path / "dask" / ".failed" / "2024-boom-fail.ipynb").exists()
    again = run_reports(paths, out_dir=tmp_path / "dask", executor="dask", **options)
    assert {r.status for r in again.reports} == {"skipped", "failed"}  # nothing reran


def test_a_worker_killed_mid_report_costs_only_that_report(setup, tmp_path):
    """``killer`` kills its Dask worker on its first attempt; the scheduler gives it to
    another worker, and every other report of the run publishes."""
    paths, nbs = setup
    out = tmp_path / "site"
    summary = run_reports(paths, notebooks=[nbs["killer"], nbs["ok"]], years=[2024],
                          territories=["33", "87"], workers=2, progress=False,
                          executor="dask", out_dir=out)
    by_name = {r.name: r for r in summary.reports}
    assert {n: r.status for n, r in by_name.items()} == {
        "2024-33-killer": "fresh", "2024-87-killer": "fresh",
        "2024-33-ok": "fresh", "2024-87-ok": "fresh"}
    killed = sorted((paths.root / "killed").iterdir())
    assert [p.name for p in killed] == ["33", "87"]  # each killed one worker first
    assert "second attempt" in (out / "2024" / "33" / "killer.html").read_text()


def test_a_report_that_always_kills_its_worker_fails_alone(setup, tmp_path):
    paths, nbs = setup
    out = tmp_path / "site"
    summary = run_reports(paths, notebooks=[nbs["killer"], nbs["ok"]], years=[2024],
                          territories=["always"], workers=2, progress=False,
                          executor="dask", out_dir=out)
    by_name = {r.name: r for r in summary.reports}
    assert by_name["2024-always-killer"].status == "failed"
    assert by_name["2024-always-killer"].reason == "worker lost"
    assert by_name["2024-always-ok"].status == "fresh"
    assert summary.exit_code == 1


def test_a_scheduler_that_does_not_answer_publishes_nothing(setup, tmp_path):
    paths, nbs = setup
    out = tmp_path / "site"
    with pytest.raises(UsageError, match="no Dask scheduler answers there") as error:
        run_reports(paths, notebooks=[nbs["ok"]], years=[2024], territories=["33"],
                    progress=False, scheduler="tcp://127.0.0.1:9", out_dir=out)
    assert "\n" not in str(error.value) and error.value.exit_code == 2
    assert not (out / "index.html").exists() and not list(out.rglob("*.html"))
    assert not (out / ".state" / "manifest.json").exists()
