"""Publish what a run executed: move pages into place, keep failures, record the manifest.

Only the process that owns the run (and its lock) publishes. A fresh page replaces
the online one with one ``os.replace`` (same file system: atomic); a failed report
keeps its executed notebook under ``.failed/`` and its last published page stays
online untouched. The manifest (``.state/manifest.json``) holds each report's key and
status, rewritten atomically after every report, so a run killed half way loses
nothing that was published.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

from tlresearch.batch.outcome import FAILED, FRESH, SKIPPED, Outcome, ReportResult, RunSummary
from tlresearch.batch.plan import ReportSpec
from tlresearch.core.storage import atomic_write_text

logger = logging.getLogger("tlresearch.batch")


def read_manifest(path: Path) -> dict:
    """The manifest of earlier runs (``{"reports": {}}`` when there is none)."""
    if not path.exists():
        return {"reports": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(path: Path, manifest: dict) -> None:
    atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True))


def describe(spec: ReportSpec) -> dict:
    return {"notebook": Path(spec.notebook).name, "year": spec.year,
            "territory": spec.territory, "region": spec.region}


def carried(spec: ReportSpec, entry: dict) -> ReportResult:
    """The result of a report that is not run this time (unchanged, or failed before)."""
    online = entry.get("published_at")
    base = dict(name=spec.name, notebook=Path(spec.notebook).name, year=spec.year,
                territory=spec.territory, region=spec.region, published_at=online,
                output=spec.output if online else None)
    if entry.get("status") == FAILED:
        logger.info("skip %s: unchanged since its failed run (not retried)", spec.name)
        return ReportResult(**base, status=FAILED, error=entry.get("error"),
                            reason="unchanged since failed run, not retried")
    logger.info("skip %s: unchanged", spec.name)
    return ReportResult(**base, status=SKIPPED, reason="unchanged")


def settle(spec: ReportSpec, key: dict, why: str, outcome: Outcome, entries: dict,
           out_dir: Path, work: Path) -> ReportResult:
    """Publish or quarantine one executed report and update its manifest entry."""
    entry = entries.get(spec.name, {})
    work_nb, html_tmp = work / f"{spec.name}.ipynb", work / f"{spec.name}.html"
    base = dict(name=spec.name, notebook=Path(spec.notebook).name, year=spec.year,
                territory=spec.territory, region=spec.region,
                seconds=round(outcome.seconds, 2))
    if outcome.status == FRESH and html_tmp.exists():
        target = out_dir / spec.output
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(html_tmp, target)  # same file system: atomic publication
        work_nb.unlink(missing_ok=True)
        (out_dir / ".failed" / f"{spec.name}.ipynb").unlink(missing_ok=True)
        published = datetime.now().isoformat(timespec="seconds")
        entries[spec.name] = {**describe(spec), "inputs": key, "status": FRESH,
                              "published_at": published, "output": spec.output, "error": None}
        logger.info("published %s (%s) in %.1f s on %s", spec.output, why, outcome.seconds,
                    outcome.worker or "?")
        return ReportResult(**base, status=FRESH, reason=why, output=spec.output,
                            published_at=published)
    if outcome.status == FRESH:  # the page vanished between worker and publisher
        outcome = Outcome(FAILED, "render error", "rendered page missing", outcome.seconds,
                          outcome.worker)
    failed_dir = out_dir / ".failed"
    failed_dir.mkdir(exist_ok=True)
    if work_nb.exists():
        os.replace(work_nb, failed_dir / f"{spec.name}.ipynb")
    html_tmp.unlink(missing_ok=True)
    online = entry.get("published_at") if (out_dir / spec.output).exists() else None
    entries[spec.name] = {**describe(spec), "inputs": key, "status": FAILED,
                          "published_at": online,
                          "output": spec.output if online else None, "error": outcome.error}
    logger.error("FAILED %s (%s): %s — %s", spec.name, why, outcome.reason, outcome.error)
    return ReportResult(**base, status=FAILED, reason=outcome.reason, error=outcome.error,
                        output=spec.output if online else None, published_at=online)


def others(entries: dict, results: dict, out_dir: Path) -> list[ReportResult]:
    """Reports published by earlier runs and not part of this one (kept in the index)."""
    return [ReportResult(name=name, notebook=e["notebook"], year=e["year"],
                         territory=e["territory"], region=e.get("region", "75"),
                         status=SKIPPED, reason="not in this run",
                         output=e["output"], published_at=e["published_at"])
            for name, e in sorted(entries.items())
            if name not in results and e.get("published_at") and "notebook" in e
            and (out_dir / e["output"]).exists()]


def finish(summary: RunSummary, out_dir: Path, state: Path) -> Path:
    """Write ``last_run.json`` and the index page; return the index's path."""
    from tlresearch.report.site import build_index

    atomic_write_text(state / "last_run.json",
                      json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    return build_index(out_dir, summary)
