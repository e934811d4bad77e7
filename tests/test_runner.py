"""The batch runner on tiny notebooks: fan-out, incremental skips, failures, lock, timeout.

No test here measures time: speed is for ``benchmarks/bench_reports.py``.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.batch.runner import run_reports
from tlresearch.core.errors import LockBusyError
from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import exclusive_run

NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


def write_panel(paths: DataPaths, extra: list[tuple[str, int, str]] = (),
                staff: dict[tuple[str, int], int] | None = None) -> None:
    """Two tiny panel tables: places of regions 75 and 84, their responses."""
    rows = [("p1", 2024, "75"), ("p1", 2025, "75"), ("p2", 2025, "84"), *extra]
    responses = pd.DataFrame(rows, columns=["place_id", "wave", "region_code"])
    responses["staff"] = [(staff or {}).get((p, w), 1) for p, w, _ in rows]
    responses.to_parquet(paths.processed / "responses.parquet", index=False)
    places = responses.drop_duplicates("place_id")[["place_id", "region_code"]]
    places.to_parquet(paths.processed / "places.parquet", index=False)


@pytest.fixture
def paths(tmp_path) -> DataPaths:
    """A data folder with two small panel tables, a geometry and a codebook."""
    paths = DataPaths(tmp_path / "data")
    (paths.processed / "geo").mkdir(parents=True)
    paths.codebooks.mkdir()
    write_panel(paths)
    (paths.processed / "geo" / "commune_75.parquet").write_bytes(b"geo v1")
    (paths.processed / "geo" / ".geography_75.lock").write_text("")
    (paths.codebooks / "2024.yaml").write_text("wave: 2024\n")
    return paths


@pytest.fixture
def notebooks(tmp_path) -> dict[str, Path]:
    """Copies of the test notebooks, so a test may edit one."""
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder)
    return {p.stem: p for p in folder.glob("*.ipynb")}


def run(paths, nbs, out, **kwargs):
    options = dict(notebooks=[nbs["ok"], nbs["fail"]], years=[2024, 2025],
                   territories=["33", "87"], out_dir=out, workers=2, progress=False)
    return run_reports(paths, **{**options, **kwargs})


def statuses(summary) -> dict[str, str]:
    return {r.name: r.status for r in summary.reports}


def test_fan_out_publishes_every_report_and_the_index(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    summary = run(paths, notebooks, out)
    assert summary.exit_code == 0
    assert summary.totals == {"fresh": 8, "skipped": 0, "failed": 0, "total": 8}
    assert {r.reason for r in summary.reports} == {"new"}
    published = sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    assert published == sorted([f"{y}/{t}/{n}.html" for y in (2024, 2025)
                                for t in ("33", "87") for n in ("ok", "fail")]
                               + ["index.html", "methode.html"])
    page = (out / "2025" / "87" / "ok.html").read_text()
    assert "Rapport 87 2025" in page  # the parameters reached the notebook
    index = (out / "index.html").read_text()
    assert len(set(re.findall(r'href="(20[^"#]+)"', index))) == 8  # every page, once or twice
    assert not (out / ".failed").exists() or not any((out / ".failed").iterdir())


def test_second_run_skips_everything(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    run(paths, notebooks, out)
    before = {p: p.read_bytes() for p in out.rglob("*.html") if p.name != "index.html"}
    summary = run(paths, notebooks, out)
    assert all(r.seconds == 0 for r in summary.reports)  # nothing executed
    assert set(statuses(summary).values()) == {"skipped"}
    assert {r.reason for r in summary.reports} == {"unchanged"}
    assert all(p.read_bytes() == data for p, data in before.items())
    assert 'href="2024/33/ok.html"' in (out / "index.html").read_text()  # still listed
    log = Path(summary.log_path).read_text()
    assert "skip 2024-33-ok: unchanged" in log


def test_only_changed_inputs_rerun(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    run(paths, notebooks, out)
    notebooks["ok"].write_text(notebooks["ok"].read_text().replace("Rapport {", "Rapport v2 {"))
    summary = run(paths, notebooks, out)
    fresh = {r.name: r.reason for r in summary.reports if r.status == "fresh"}
    assert fresh == {f"{y}-{t}-ok": "notebook changed" for y in (2024, 2025) for t in ("33", "87")}
    assert "Rapport v2 33 2024" in (out / "2024" / "33" / "ok.html").read_text()

    summary = run(paths, notebooks, out, territories=["33", "87", "all"])  # a new parameter set
    assert {r.name for r in summary.reports if r.status == "fresh"} == {
        "2024-all-ok", "2025-all-ok", "2024-all-fail", "2025-all-fail"}
    assert {r.reason for r in summary.reports if r.status == "fresh"} == {"new"}

    write_panel(paths, staff={("p1", 2025): 4})  # a corrected 2025 answer in the region
    summary = run(paths, notebooks, out, years=[2024, 2025], territories=["33"])
    reasons = {r.name: r.reason for r in summary.reports}
    assert reasons["2025-33-ok"] == "input changed: responses"
    assert reasons["2024-33-ok"] == "unchanged"  # waves after the report's year are unseen
    log = Path(summary.log_path).read_text()
    assert "run 2025-33-ok: input changed: responses" in log

    write_panel(paths, staff={("p1", 2025): 4, ("p2", 2025): 7})  # another region's answer
    (paths.processed / "geo" / ".geography_75.lock").write_text("held")  # the lock is no input
    summary = run(paths, notebooks, out, years=[2024, 2025], territories=["33"])
    assert {r.status for r in summary.reports} == {"skipped"}

    summary = run(paths, notebooks, out, years=[2025], territories=["33"], force=True)
    assert {(r.status, r.reason) for r in summary.reports} == {("fresh", "forced")}


def test_a_failing_report_keeps_its_last_version_online(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    run(paths, notebooks, out)
    kept = (out / "2024" / "87" / "fail.html").read_bytes()
    write_panel(paths, extra=[("fail-87", 2024, "75")])  # data change; 87 now raises

    summary = run(paths, notebooks, out)
    assert summary.exit_code == 1
    failed = [r for r in summary.reports if r.status == "failed"]
    assert {r.name for r in failed} == {"2024-87-fail", "2025-87-fail"}
    assert statuses(summary)["2024-33-fail"] == "fresh"
    one = failed[0]
    assert one.reason == "execution error"
    assert one.error.startswith("ValueError: échec demandé pour 87") and "\n" not in one.error
    assert one.output == "2024/87/fail.html" and one.published_at
    assert (out / "2024" / "87" / "fail.html").read_bytes() == kept
    executed = (out / ".failed" / "2024-87-fail.ipynb").read_text()
    assert "échec demandé pour 87" in executed
    index = (out / "index.html").read_text()
    assert 'href="2024/87/fail.html"' in index  # the last good version stays listed

    # unchanged and not retried: still failed, not rerun; retry_failed reruns only those
    again = run(paths, notebooks, out)
    assert {r.name for r in again.reports if r.status == "failed"} == {r.name for r in failed}
    assert again.exit_code == 1
    assert all(r.seconds == 0 for r in again.reports)
    write_panel(paths)  # fixed: the data changed, all rerun
    fixed = run(paths, notebooks, out)
    assert fixed.exit_code == 0 and not (out / ".failed" / "2024-87-fail.ipynb").exists()
    assert not [r for r in fixed.reports if r.status == "failed"]


def test_retry_failed_reruns_only_the_failed_ones(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    # fails on territory "boom" by design, whatever the data
    first = run(paths, notebooks, out, territories=["33", "boom"], years=[2024])
    assert statuses(first)["2024-boom-fail"] == "failed"
    retried = run(paths, notebooks, out, territories=["33", "boom"], years=[2024],
                  retry_failed=True)
    assert {r.name for r in retried.reports if r.seconds > 0} == {"2024-boom-fail"}
    assert "run 2024-boom-fail: retry of a failed run" in Path(retried.log_path).read_text()


def test_index_keeps_reports_of_earlier_runs(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    run(paths, notebooks, out, notebooks=[notebooks["ok"]], years=[2024], territories=["33"])
    summary = run(paths, notebooks, out, notebooks=[notebooks["ok"]], years=[2025],
                  territories=["33"])
    assert [r.name for r in summary.others] == ["2024-33-ok"]
    index = (out / "index.html").read_text()
    assert 'href="2024/33/ok.html"' in index and 'href="2025/33/ok.html"' in index


def render_provenance(nb, *, title, provenance):
    """A render callable for the test: the page is the title and the provenance."""
    return json.dumps({"title": title, **provenance}, sort_keys=True)


def test_render_receives_title_and_provenance(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    run(paths, notebooks, out, notebooks=[notebooks["ok"]], years=[2025], territories=["33"],
        render=render_provenance)
    page = json.loads((out / "2025" / "33" / "ok.html").read_text())
    assert page["title"] == "Rapport de test — Gironde (33) — 2025"
    assert page["waves"] == [2024] and len(page["data_hash"]) == 64
    assert len(page["source_hash"]) == 64
    assert page["parameters"] == {"year": 2025, "territory": "33", "data_dir": str(paths.root)}
    assert page["version"] and page["run_date"].count("-") == 2


def test_lock_refuses_a_concurrent_run(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    with exclusive_run(out / ".state" / "run.lock"):
        with pytest.raises(LockBusyError):
            run(paths, notebooks, out)
    assert not (out / "index.html").exists()


def test_timeout_fails_the_report_and_not_the_run(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    summary = run(paths, notebooks, out, notebooks=[notebooks["sleep"], notebooks["ok"]],
                  years=[2024], territories=["33"], timeout=3)
    by_name = {r.name: r for r in summary.reports}
    assert by_name["2024-33-sleep"].status == "failed"
    assert by_name["2024-33-sleep"].reason == "timeout"
    assert by_name["2024-33-ok"].status == "fresh"
    assert summary.exit_code == 1
    assert (out / ".failed" / "2024-33-sleep.ipynb").exists()


def test_summary_json(paths, notebooks, tmp_path):
    out = tmp_path / "site"
    run(paths, notebooks, out, territories=["33", "boom"], years=[2025])
    data = json.loads((out / ".state" / "last_run.json").read_text())
    assert data["exit_code"] == 1
    assert data["totals"] == {"fresh": 3, "skipped": 0, "failed": 1, "total": 4}
    report = data["reports"]["2025-boom-fail"]
    assert {k: report[k] for k in ("notebook", "year", "territory", "status", "reason")} == {
        "notebook": "fail.ipynb", "year": 2025, "territory": "boom", "status": "failed",
        "reason": "execution error"}
    assert report["error"] == "ValueError: échec demandé pour boom"
    assert report["output"] is None and report["seconds"] > 0
    ok = data["reports"]["2025-33-ok"]
    assert ok["status"] == "fresh" and ok["output"] == "2025/33/ok.html" and ok["error"] is None
    manifest = json.loads((out / ".state" / "manifest.json").read_text())
    assert set(manifest["reports"]["2025-33-ok"]["inputs"]) == {
        "source", "notebook", "parameters", "settings", "input:responses", "input:places",
        "input:staff", "input:quality_log", "input:quarantine", "input:conservation",
        "input:geography", "input:codebooks"}


def test_cli_checks_parameters_before_any_kernel(demo_data_dir, tmp_path):
    """An unknown territory or year stops `tlresearch report` with exit code 2 and one
    line, and nothing is run or published."""
    import subprocess
    import sys

    for args in (["--territory", "99"], ["--year", "2031"]):
        done = subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir",
                               str(demo_data_dir), "report", "--out", str(tmp_path / "site"),
                               *args], capture_output=True, text=True)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1
        assert not (tmp_path / "site").exists()
