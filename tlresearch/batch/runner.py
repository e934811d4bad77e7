"""Batch runner: execute every report notebook for every year and territory, incrementally.

One report is one notebook run with one parameter set (``year``, ``territory``,
``data_dir``) through papermill, rendered to HTML and published under
``out_dir/<year>/<territory>/<notebook-stem>.html``. The runner

* skips a report whose inputs (processed data, codebooks, notebook, parameters,
  library version) hash the same as at its last successful publication;
* isolates failures: a failed report keeps its executed notebook under
  ``out_dir/.failed/`` and its last published HTML stays online untouched;
* guards each report with a wall-clock timeout, and the output folder with a lock;
* leaves a manifest, a log and a machine-readable summary under ``out_dir/.state/``.

Workers are processes that import papermill and nbconvert once (see
:func:`_warm_worker`) and keep one warm kernel each (:func:`_warm_kernel`): the
kernel starts once and imports pandas, geopandas, folium and seaborn once, and every
report runs in a fresh namespace of it (``%reset -f``, figures closed, working folder
set), which is where plain papermill loses most of its time (a kernel start and the
heavy imports for every report). A kernel killed by the timeout, or dead, is replaced
before the next report. ``reuse_kernels=False`` gives each report a kernel of its own.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import atomic_write_bytes, atomic_write_text, exclusive_run

logger = logging.getLogger(__name__)

#: Most workers started by default: each holds a kernel, i.e. a few hundred MB.
MAX_DEFAULT_WORKERS = 8

#: Seconds a kernel is given to obey an interrupt before it is killed.
KILL_GRACE = 5.0

FRESH, SKIPPED, FAILED = "fresh", "skipped", "failed"

Render = Callable[..., str]


@dataclass
class ReportResult:
    """What happened to one report in one run (one line of ``last_run.json``)."""

    name: str
    notebook: str
    year: int
    territory: str
    status: str  # fresh | skipped | failed
    reason: str
    seconds: float = 0.0
    output: str | None = None  # relative to out_dir, when a version is online
    error: str | None = None  # one line, no traceback
    published_at: str | None = None  # ISO date-time of the version online


@dataclass
class RunSummary:
    """The outcome of :func:`run_reports`; ``exit_code`` is 0 when nothing failed."""

    reports: list[ReportResult] = field(default_factory=list)
    #: Reports published by earlier runs and not part of this one (shown in the index).
    others: list[ReportResult] = field(default_factory=list)
    started: str = ""
    finished: str = ""
    log_path: str | None = None

    @property
    def totals(self) -> dict[str, int]:
        counts = {FRESH: 0, SKIPPED: 0, FAILED: 0}
        for report in self.reports:
            counts[report.status] += 1
        return {**counts, "total": len(self.reports)}

    @property
    def exit_code(self) -> int:
        return 1 if self.totals[FAILED] else 0

    def to_dict(self) -> dict:
        return {"started": self.started, "finished": self.finished, "log": self.log_path,
                "exit_code": self.exit_code, "totals": self.totals,
                "reports": {r.name: asdict(r) for r in self.reports}}

    def format(self) -> str:
        t = self.totals
        lines = [f"{t['total']} reports: {t[FRESH]} fresh, {t[SKIPPED]} skipped, "
                 f"{t[FAILED]} failed"]
        lines += [f"  FAILED {r.name}: {r.reason}" + (f" — {r.error}" if r.error else "")
                  for r in self.reports if r.status == FAILED]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Job:
    notebook: Path
    year: int
    territory: str

    @property
    def name(self) -> str:
        return f"{self.year}-{_slug(self.territory)}-{self.notebook.stem}"

    @property
    def output(self) -> str:
        return f"{self.year}/{_slug(self.territory)}/{self.notebook.stem}.html"


def notebook_parameters(path: Path) -> set[str]:
    """Names declared in a notebook's ``parameters`` cell (typed assignments).

    Read with :mod:`ast` because papermill's own inspection does not understand
    annotations such as ``str | None``.
    """
    import ast

    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    names: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
                elif isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def fan_out(notebooks: list[Path], years: list[int], territories: list[str]) -> list["_Job"]:
    """Reports to make: each notebook × the years and territories it takes.

    A notebook without a ``territory`` parameter (the quality of a wave, the
    certification) is made once per year for the first territory given (the
    region); one without ``year`` once, for the latest year.
    """
    jobs = []
    for notebook in notebooks:
        path = Path(notebook).resolve()
        declared = notebook_parameters(path)
        its_years = years if "year" in declared else [max(years)]
        its_territories = territories if "territory" in declared else territories[:1]
        jobs += [_Job(path, int(y), str(t)) for y in its_years for t in its_territories]
    return jobs


def _slug(text: str) -> str:
    """A territory as a safe path component ("33", "all", "Pays basque" -> "Pays_basque")."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text)) or "_"


# --------------------------------------------------------------------- hashing
def _hash_files(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _data_inputs(paths: DataPaths) -> dict[str, str]:
    """Hashes of what every report reads: processed tables and geometries, codebooks."""
    processed = [*paths.processed.glob("*.parquet"),
                 *(p for p in (paths.processed / "geo").rglob("*") if p.is_file())]
    codebooks = list(paths.codebooks.glob("*.yaml"))
    return {"data": _hash_files(processed, paths.root),
            "codebooks": _hash_files(codebooks, paths.root)}


def _waves(paths: DataPaths) -> list[int]:
    return sorted(int(p.stem) for p in paths.codebooks.glob("*.yaml") if p.stem.isdigit())


def _job_inputs(job: _Job, params: dict, data: dict[str, str]) -> dict[str, str]:
    from tlresearch.core.version import __version__

    return {**data,
            "notebook": hashlib.sha256(job.notebook.read_bytes()).hexdigest(),
            "parameters": hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest(),
            "version": __version__}


_CHANGE_LABELS = {"data": "inputs changed: data", "codebooks": "inputs changed: codebooks",
                  "notebook": "notebook changed", "parameters": "parameters changed",
                  "version": "library version changed"}


def _decide(entry: dict | None, inputs: dict, output_exists: bool, *,
            force: bool, retry_failed: bool) -> str | None:
    """Why a report must run, or None when it can be skipped (or its failure carried)."""
    if force:
        return "forced"
    if entry is None:
        return "new"
    changed = [_CHANGE_LABELS.get(k, f"inputs changed: {k}")
               for k in inputs if entry.get("inputs", {}).get(k) != inputs[k]]
    if changed:
        return "; ".join(changed)
    if entry.get("status") == FAILED:
        return "retry of a failed run" if retry_failed else None
    if not output_exists:
        return "published file missing"
    return None


# --------------------------------------------------------------------- worker
def _warm_worker() -> None:
    """Pay the heavy imports once per worker process rather than once per report."""
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


#: This worker's warm kernel (one per worker process), started on first use.
_KERNEL = None

#: What every report of the project imports: paid once per warm kernel.
PRELOAD = ("import pandas, geopandas, folium, seaborn, matplotlib.pyplot\n"
           "import tlresearch, tlresearch.viz.maps, tlresearch.stats.indicators, tlresearch.stats.trends, "
           "tlresearch.viz.charts, tlresearch.report.renderer, tlresearch.report.notebook_helpers")

#: Run in the warm kernel before each report: nothing of the previous one remains
#: in the namespace, no figure stays open, the working folder is the notebook's.
RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
         "import matplotlib.pyplot as _plt, os as _os\n"
         "_plt.close('all'); _os.chdir({folder!r}); del _plt, _os")


def _warm_kernel(folder: Path):
    """This worker's kernel, started and preloaded if needed, reset for a new report."""
    global _KERNEL
    from jupyter_client.manager import KernelManager

    if _KERNEL is None or not _KERNEL.is_alive():
        if _KERNEL is not None:
            _KERNEL.cleanup_resources()
        from multiprocessing.util import Finalize

        _KERNEL = KernelManager(kernel_name="python3")
        _KERNEL.start_kernel(cwd=str(folder))
        # Shut it down with the worker process (multiprocessing runs finalizers on exit).
        Finalize(_KERNEL, _KERNEL.shutdown_kernel, kwargs={"now": True}, exitpriority=10)
        _run_in_kernel(_KERNEL, PRELOAD, allow_errors=True)  # a missing extra is no reason to fail
    _run_in_kernel(_KERNEL, RESET.format(folder=str(folder)))
    return _KERNEL


def _run_in_kernel(km, code: str, allow_errors: bool = False, timeout: float = 120) -> None:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok" and not allow_errors:
            raise RuntimeError(f"warm kernel: {reply['content'].get('ename')}")
    finally:
        client.stop_channels()


def _default_render(nb, *, title: str, provenance: dict) -> str:
    try:
        from tlresearch.report.renderer import render_report
    except ImportError:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(exclude_input=True)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        return body
    return render_report(nb, title=title, provenance=provenance)


def _child_pids() -> list[int]:
    try:
        import psutil

        return [p.pid for p in psutil.Process().children(recursive=True)]
    except ImportError:  # Linux without psutil: read the process table
        me, found = str(os.getpid()), []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if stat.read_text().rsplit(")", 1)[1].split()[1] == me:
                    found.append(int(stat.parent.name))
            except (OSError, IndexError):
                continue
        return found


def _watchdog(timeout: float, ready: threading.Event, done: threading.Event,
              fired: threading.Event) -> None:
    """Interrupt, then kill, the kernel of a report that runs past its wall clock.

    The clock starts when the kernel is ready, so that a busy machine (slow kernel
    starts) does not fail reports that run within their time; papermill bounds the
    start itself (``start_timeout``).
    """
    import signal

    while not ready.wait(0.1):
        if done.is_set():
            return
    if done.wait(timeout):
        return
    fired.set()
    for sig, grace in ((signal.SIGINT, KILL_GRACE), (signal.SIGKILL, 0)):
        for pid in _child_pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if done.wait(grace):
            return


def _one_line(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None) or str(exc)
    return f"{ename}: {evalue}".strip().splitlines()[0][:300] if evalue else ename


def _execute(job: _Job, params: dict, work_nb: Path, html_tmp: Path, timeout: float,
             render: Render | None, title: str, provenance: dict,
             reuse_kernels: bool = True) -> dict:
    """Run one report in a worker; return status, reason, error and seconds."""
    import nbformat
    import papermill

    started = time.monotonic()
    kernel = {}
    if reuse_kernels:
        try:
            kernel = {"km": _warm_kernel(job.notebook.parent)}
        except Exception:  # noqa: BLE001 - fall back to a kernel of the report's own
            kernel = {}
    ready, done, fired = threading.Event(), threading.Event(), threading.Event()
    guard = threading.Thread(target=_watchdog, args=(timeout, ready, done, fired), daemon=True)
    guard.start()
    try:
        papermill.execute_notebook(
            str(job.notebook), str(work_nb), parameters=params, kernel_name="python3",
            execution_timeout=timeout, progress_bar=False, log_output=False,
            cwd=str(job.notebook.parent), **kernel,
            on_notebook_start=lambda **_: ready.set())  # nbclient hook: kernel is up
    except BaseException as exc:  # noqa: BLE001 - every failure is the report's, not the run's
        done.set()
        timed_out = fired.is_set() or type(exc).__name__ == "CellTimeoutError"
        return {"status": FAILED, "reason": "timeout" if timed_out else "execution error",
                "error": f"exceeded {timeout:g} s" if timed_out else _one_line(exc),
                "seconds": time.monotonic() - started}
    finally:
        done.set()
    try:
        nb = nbformat.read(str(work_nb), as_version=4)
        html = (render or _default_render)(nb, title=title, provenance=provenance)
        atomic_write_bytes(html_tmp, html.encode("utf-8"))
    except Exception as exc:  # noqa: BLE001
        return {"status": FAILED, "reason": "render error", "error": _one_line(exc),
                "seconds": time.monotonic() - started}
    return {"status": FRESH, "reason": "", "error": None, "seconds": time.monotonic() - started}


# --------------------------------------------------------------------- runner
def _read_manifest(path: Path) -> dict:
    if not path.exists():
        return {"reports": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _start_log(state: Path) -> tuple[logging.Handler, Path]:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    log_path = state / f"run-{stamp}.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler, log_path


def run_reports(paths: DataPaths, *, notebooks: list[Path], years: list[int],
                territories: list[str], out_dir: Path, workers: int | None = None,
                force: bool = False, retry_failed: bool = False, timeout: float = 600,
                render: Render | None = None, progress: bool = True,
                reuse_kernels: bool = True) -> RunSummary:
    """Run notebooks x years x territories into HTML reports under ``out_dir``.

    Parameters
    ----------
    paths : DataPaths
        The data folder; its root is passed to each notebook as ``data_dir``.
    notebooks, years, territories : lists
        Every combination is one report.
    out_dir : Path
        Published site: ``<year>/<territory>/<stem>.html``, ``index.html``, and the
        runner's state under ``.state/`` and ``.failed/``.
    workers : int, optional
        Parallel processes; default the number of CPUs, at most 8 and at most the
        number of reports to run.
    force, retry_failed : bool
        Rerun everything; rerun reports that failed last time even if unchanged.
    timeout : float
        Seconds allowed per report (and per cell) before it fails with reason "timeout".
    render : callable, optional
        ``render(nb, title=..., provenance=...) -> str``; must be picklable (a module
        level function). Default: :func:`tlresearch.report.renderer.render_report`, or
        nbconvert's HTML exporter without inputs while that module is absent.
    progress : bool
        Show a progress bar (only on a terminal).

    Returns
    -------
    RunSummary
        Per report status (fresh, skipped, failed), reason, timing; ``exit_code`` 1
        when any report failed.

    Raises
    ------
    LockBusyError
        When another run holds ``out_dir/.state/run.lock``.
    """
    from tlresearch.core.version import __version__
    from tlresearch.report.site import build_index

    out_dir = Path(out_dir)
    state = out_dir / ".state"
    state.mkdir(parents=True, exist_ok=True)
    with exclusive_run(state / "run.lock"):
        handler, log_path = _start_log(state)
        try:
            summary = _run_locked(paths, notebooks, years, territories, out_dir, state,
                                  workers, force, retry_failed, timeout, render, progress,
                                  __version__, reuse_kernels)
            summary.log_path = str(log_path)
            atomic_write_text(state / "last_run.json",
                              json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
            build_index(out_dir, summary)
            logger.info("%s", summary.format())
        finally:
            logger.removeHandler(handler)
            handler.close()
    print(summary.format())
    return summary


def _run_locked(paths, notebooks, years, territories, out_dir, state, workers, force,
                retry_failed, timeout, render, progress, version,
                reuse_kernels=True) -> RunSummary:
    from tqdm import tqdm

    from tlresearch.report.site import report_title, territory_name

    summary = RunSummary(started=datetime.now().isoformat(timespec="seconds"))
    manifest_path = state / "manifest.json"
    manifest = _read_manifest(manifest_path)
    entries: dict = manifest.setdefault("reports", {})
    data = _data_inputs(paths)
    run_date = datetime.now()
    jobs = fan_out(notebooks, years, territories)
    results: dict[str, ReportResult] = {}
    todo: list[tuple[_Job, dict, dict, str]] = []
    for job in jobs:
        declared = notebook_parameters(job.notebook)
        params = {key: value for key, value in (("year", job.year), ("territory", job.territory),
                                                ("data_dir", str(paths.root)))
                  if key in declared}
        inputs = _job_inputs(job, params, data)
        entry = entries.get(job.name)
        why = _decide(entry, inputs, (out_dir / job.output).exists(),
                      force=force, retry_failed=retry_failed)
        online = entry.get("published_at") if entry else None
        base = dict(name=job.name, notebook=job.notebook.name, year=job.year,
                    territory=job.territory, published_at=online,
                    output=job.output if online else None)
        if why is not None:
            logger.info("run %s: %s", job.name, why)
            todo.append((job, params, inputs, why))
        elif entry.get("status") == FAILED:
            logger.info("skip %s: unchanged since its failed run (not retried)", job.name)
            results[job.name] = ReportResult(**base, status=FAILED, error=entry.get("error"),
                                             reason="unchanged since failed run, not retried")
        else:
            logger.info("skip %s: unchanged", job.name)
            results[job.name] = ReportResult(**base, status=SKIPPED, reason="unchanged")

    work = state / "work"
    work.mkdir(exist_ok=True)
    n_workers = workers or min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS)
    n_workers = max(1, min(n_workers, len(todo) or 1))
    show = progress and sys.stderr.isatty()
    if todo:
        import multiprocessing

        # spawn: workers inherit no threads, locks or log handlers of this process
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_workers, initializer=_warm_worker,
                                 mp_context=context) as pool, \
                tqdm(total=len(todo), desc="reports", unit="report", disable=not show) as bar:
            futures, waves = {}, _waves(paths)
            for job, params, inputs, why in todo:
                provenance = {"data_hash": inputs["data"], "waves": waves,
                              "parameters": params, "version": version,
                              "run_date": run_date.date().isoformat()}
                title = (f"{report_title(str(job.notebook))} — "
                         f"{territory_name(job.territory)} — {job.year}")
                fut = pool.submit(_execute, job, params, work / f"{job.name}.ipynb",
                                  work / f"{job.name}.html", timeout, render, title, provenance,
                                  reuse_kernels)
                futures[fut] = (job, inputs, why)
            for fut in as_completed(futures):
                job, inputs, why = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker fails its report only
                    outcome = {"status": FAILED, "reason": "worker error",
                               "error": _one_line(exc), "seconds": 0.0}
                results[job.name] = _settle(job, inputs, why, outcome, entries, out_dir, work)
                atomic_write_text(manifest_path, json.dumps(manifest, indent=2, sort_keys=True))
                bar.update(1)
    atomic_write_text(manifest_path, json.dumps(manifest, indent=2, sort_keys=True))
    summary.reports = [results[job.name] for job in jobs]
    summary.others = [
        ReportResult(name=name, notebook=e["notebook"], year=e["year"],
                     territory=e["territory"], status=SKIPPED, reason="not in this run",
                     output=e["output"], published_at=e["published_at"])
        for name, e in sorted(entries.items())
        if name not in results and e.get("published_at") and "notebook" in e
        and (out_dir / e["output"]).exists()]
    summary.finished = datetime.now().isoformat(timespec="seconds")
    return summary


def _describe(job: _Job) -> dict:
    return {"notebook": job.notebook.name, "year": job.year, "territory": job.territory}


def _settle(job: _Job, inputs: dict, why: str, outcome: dict, entries: dict,
            out_dir: Path, work: Path) -> ReportResult:
    """Publish or quarantine one executed report and update its manifest entry."""
    entry = entries.get(job.name, {})
    work_nb, html_tmp = work / f"{job.name}.ipynb", work / f"{job.name}.html"
    base = dict(name=job.name, notebook=job.notebook.name, year=job.year,
                territory=job.territory, seconds=round(outcome["seconds"], 2))
    if outcome["status"] == FRESH:
        target = out_dir / job.output
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(html_tmp, target)  # same file system: atomic publication
        work_nb.unlink(missing_ok=True)
        (out_dir / ".failed" / f"{job.name}.ipynb").unlink(missing_ok=True)
        published = datetime.now().isoformat(timespec="seconds")
        entries[job.name] = {**_describe(job), "inputs": inputs, "status": FRESH,
                             "published_at": published, "output": job.output, "error": None}
        logger.info("published %s (%s) in %.1f s", job.output, why, outcome["seconds"])
        return ReportResult(**base, status=FRESH, reason=why, output=job.output,
                            published_at=published)
    failed_dir = out_dir / ".failed"
    failed_dir.mkdir(exist_ok=True)
    if work_nb.exists():
        os.replace(work_nb, failed_dir / f"{job.name}.ipynb")
    html_tmp.unlink(missing_ok=True)
    online = entry.get("published_at") if (out_dir / job.output).exists() else None
    entries[job.name] = {**_describe(job), "inputs": inputs, "status": FAILED,
                         "published_at": online,
                         "output": job.output if online else None, "error": outcome["error"]}
    reason = outcome["reason"]
    logger.error("FAILED %s (%s): %s — %s", job.name, why, reason, outcome["error"])
    return ReportResult(**base, status=FAILED, reason=reason, error=outcome["error"],
                        output=job.output if online else None, published_at=online)
