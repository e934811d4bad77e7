"""Batch runner: every report notebook for every year and territory, incrementally.

A run is four plain parts, each in its own module:

1. **plan** (:mod:`tlresearch.batch.plan`): the reports — notebook × parameters ×
   territory — with their declared inputs, every parameter checked before any kernel
   starts;
2. **key** (:mod:`tlresearch.batch.key`): a hash of the notebook, the parameters, the
   package's source and vocabularies, and only that report's inputs; a report whose
   key did not change since its last publication is skipped, and the log says why
   each other one runs;
3. **execute one** (:mod:`tlresearch.batch.execute`): a picklable function that runs
   papermill, renders and writes the page into the work folder, and returns an
   :class:`~tlresearch.batch.outcome.Outcome` — run by an executor: the local pool of
   warm kernels (:mod:`tlresearch.batch.local_pool`) or Dask
   (:mod:`tlresearch.batch.dask_pool`); the key and the outcome do not depend on it;
4. **publish** (:mod:`tlresearch.batch.publish`): manifest, pages, failed folder,
   index — only in this process, under the lock of the output folder.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from tlresearch.api import pin_panel
from tlresearch.batch.execute import Render, ReportTask
from tlresearch.batch.key import InputHasher, data_hash, why_run
from tlresearch.batch.outcome import ReportResult, RunSummary
from tlresearch.batch.plan import ReportSpec, notebook_parameters, plan_reports
from tlresearch.batch.publish import (
    carried,
    finish,
    others,
    read_manifest,
    settle,
    write_manifest,
)
from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import Settings
from tlresearch.core.storage import exclusive_run

__all__ = ["ReportResult", "RunSummary", "notebook_parameters", "run_reports"]

logger = logging.getLogger("tlresearch.batch")

#: Most workers started by default: each holds a kernel, i.e. a few hundred MB.
MAX_DEFAULT_WORKERS = 8

EXECUTORS = ("local", "dask")


def _start_log(state: Path) -> tuple[logging.Handler, Path]:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    log_path = state / f"run-{stamp}.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler, log_path


def make_executor(kind: str, workers: int, scheduler: str | None = None):
    """The executor named ``kind`` ("local" or "dask"), not yet started."""
    if kind == "local" and not scheduler:
        from tlresearch.batch.local_pool import LocalExecutor

        return LocalExecutor(workers)
    if kind == "dask" or scheduler:
        from tlresearch.batch.dask_pool import DaskExecutor

        return DaskExecutor(workers, scheduler=scheduler)
    raise UsageError(f"--executor {kind}: expected one of {', '.join(EXECUTORS)}")


def run_reports(paths: DataPaths, *, notebooks: list[Path], years: list[int],
                territories: list[str] | dict[str, list[str]], out_dir: Path,
                workers: int | None = None, force: bool = False, retry_failed: bool = False,
                timeout: float = 600, render: Render | None = None, progress: bool = True,
                reuse_kernels: bool = True, executor: str = "local",
                scheduler: str | None = None, params: dict[str, str] | None = None,
                region: str | None = None, wait_seconds: float = 0) -> RunSummary:
    """Run notebooks × years × territories into HTML reports under ``out_dir``.

    Parameters
    ----------
    paths : DataPaths
        The data folder; its root is passed to each notebook as ``data_dir``.
    notebooks, years : lists
        Every combination with a territory is one report.
    territories : list or dict
        Codes of ``region`` (default: the data folder's, from its settings), or
        ``{region: [codes]}`` for several regions.
    out_dir : Path
        Published site: ``<year>/<territory>/<stem>.html`` (other regions than the
        default one under ``<year>/<region>/<territory>/``), ``index.html``, and the
        runner's state under ``.state/`` and ``.failed/``.
    workers : int, optional
        Parallel workers; default the number of CPUs, at most 8 and at most the
        number of reports to run.
    force, retry_failed : bool
        Rerun everything; rerun reports that failed last time even if unchanged.
    timeout : float
        Seconds allowed per report before it fails with reason "timeout".
    render : callable, optional
        ``render(nb, title=..., provenance=...) -> str``, picklable (module level).
    progress : bool
        Show a progress bar (only on a terminal).
    executor, scheduler : str
        ``"local"`` (process pool with warm kernels) or ``"dask"`` (a ``LocalCluster``,
        or the cluster at ``scheduler``, e.g. ``tcp://10.0.0.5:8786``).
    params : dict
        ``--param`` values as text, converted to each notebook's declared types.
    wait_seconds : float
        When an ingest is publishing, wait this long for its panel (``--wait``); else
        the last published panel is read. Either way the whole run reads one panel
        version (:func:`tlresearch.api.pin_panel`), whatever ingest does meanwhile.

    Returns
    -------
    RunSummary
        Per report status (fresh, skipped, failed), reason, timing; ``exit_code`` 1
        when any report failed.

    Raises
    ------
    UsageError
        A parameter of the wrong type or unknown; a scheduler that does not answer
        (nothing is published then).
    LockBusyError
        When another run holds ``out_dir/.state/run.lock``.
    """
    from tlresearch.geo.names import checked_settings

    settings = checked_settings(paths.root)
    home = settings.region
    if not isinstance(territories, dict):
        territories = {region or home: list(territories)}
    specs = plan_reports(paths, notebooks, years, territories, params,  # checks parameters
                         home=home)
    out_dir = Path(out_dir)
    state = out_dir / ".state"
    state.mkdir(parents=True, exist_ok=True)
    with exclusive_run(state / "run.lock"), pin_panel(paths, wait_seconds) as pinned:
        handler, log_path = _start_log(state)
        logger.info("panel version %s", pinned.version)
        # A panel written before versioned publishing has no version folder to pin.
        version = None if pinned.folder == paths.processed else pinned.version
        try:
            summary = _run_locked(paths.pinned(version), specs, out_dir, state, workers,
                                  force, retry_failed, timeout, render, progress,
                                  reuse_kernels, executor, scheduler, settings)
            summary.log_path = str(log_path)
            finish(summary, out_dir, state)
            logger.info("%s", summary.format())
        finally:
            logger.removeHandler(handler)
            handler.close()
    return summary


def _task(spec: ReportSpec, key: dict, work: Path, timeout: float, render, waves: list[int],
          run_date: str, reuse_kernels: bool, panel_version: str | None,
          settings: Settings) -> ReportTask:
    from tlresearch.core.version import __version__
    from tlresearch.geo.names import territory_label
    from tlresearch.report.site import report_title

    provenance = {"data_hash": data_hash(key), "source_hash": key["source"], "waves": waves,
                  "parameters": spec.params, "version": __version__, "run_date": run_date,
                  "credit": settings.source_text(None, spec.region).replace("Source : e", "E"),
                  "licence": settings.licence,
                  "page": spec.output}  # not shown: links tables to their data files
    where = territory_label(spec.territory, spec.region)
    title = f"{report_title(spec.notebook)} — {where} — {spec.year}"
    return ReportTask(spec, str(work / f"{spec.name}.ipynb"), str(work / f"{spec.name}.html"),
                      timeout, title, provenance, render, reuse_kernels, panel_version)


def _run_locked(paths, specs, out_dir, state, workers, force, retry_failed, timeout, render,
                progress, reuse_kernels, executor, scheduler, settings) -> RunSummary:
    from tqdm import tqdm

    summary = RunSummary(started=datetime.now().isoformat(timespec="seconds"),
                         executor="dask" if scheduler else executor, settings=settings)
    manifest_path = state / "manifest.json"
    manifest = read_manifest(manifest_path)
    entries: dict = manifest.setdefault("reports", {})
    hasher = InputHasher(paths)
    results: dict[str, ReportResult] = {}
    todo: list[tuple[ReportSpec, dict, str]] = []
    for spec in specs:
        key = hasher.key(spec)
        entry = entries.get(spec.name)
        why = why_run(entry, key, (out_dir / spec.output).exists(),
                      force=force, retry_failed=retry_failed)
        if why is None:
            results[spec.name] = carried(spec, entry)
        else:
            logger.info("run %s: %s", spec.name, why)
            todo.append((spec, key, why))

    # Longest first, so that no worker is left alone with a slow page at the end: a
    # region's page draws every commune and protects the widest tables.
    todo.sort(key=lambda item: item[0].territory != item[0].region)
    work = state / "work"
    shutil.rmtree(work, ignore_errors=True)  # leftovers of a killed run: we hold the lock
    work.mkdir()
    n_workers = workers or min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS)
    n_workers = max(1, min(n_workers, len(todo) or 1))
    waves = sorted(int(p.stem) for p in paths.codebooks.glob("*.yaml") if p.stem.isdigit())
    run_date = datetime.now().date().isoformat()
    show = progress and sys.stderr.isatty()
    pool = make_executor(executor, n_workers, scheduler)
    if todo or scheduler:
        with pool, tqdm(total=len(todo), desc="rapports", unit="rapport",
                        disable=not show) as bar:
            by_name = {spec.name: (spec, key, why) for spec, key, why in todo}
            tasks = [_task(spec, key, work, timeout, render, waves, run_date, reuse_kernels,
                           paths.panel_version, settings)
                     for spec, key, why in todo]
            for task, outcome in pool.run(tasks):
                spec, key, why = by_name[task.spec.name]
                results[spec.name] = settle(spec, key, why, outcome, entries, out_dir, work)
                write_manifest(manifest_path, manifest)
                bar.update(1)
    write_manifest(manifest_path, manifest)
    summary.reports = [results[spec.name] for spec in specs]
    summary.others = others(entries, results, out_dir)
    summary.finished = datetime.now().isoformat(timespec="seconds")
    return summary
