"""Execute one report: papermill in a kernel, render, write the page — nothing published.

:func:`execute_report` is a plain, picklable function of a :class:`ReportTask`; every
executor (the local pool, a Dask worker) calls it and gets an
:class:`~tlresearch.batch.outcome.Outcome` back. It writes only into the run's work
folder: the executed notebook and the rendered page, the latter atomically; publishing
is :mod:`tlresearch.batch.publish`'s job, in the process that owns the run.

The one thing a worker process keeps between reports is its warm kernel
(:func:`_warm_kernel`): started once, with pandas, geopandas, folium, seaborn and the
library imported once, then set back before each report by
:func:`tlresearch.batch.kernel_state.restore`. A kernel killed by the timeout, or
dead, is replaced before the next report. Kernels are started by us (not papermill)
so that they die with their worker (:mod:`tlresearch.batch.lifeline`) and their
stderr goes to a log file in the work folder, not to the user's terminal (where
ipykernel would print "Kernel is running over TCP without encryption").
"""
from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tlresearch.batch.outcome import FAILED, FRESH, Outcome, one_line
from tlresearch.batch.plan import ReportSpec
from tlresearch.core.paths import PANEL_VERSION_ENV
from tlresearch.core.storage import atomic_write_bytes

#: Seconds a kernel is given to obey an interrupt before it is killed.
KILL_GRACE = 5.0

#: Seconds a kernel may take to start, and the preload to import (a loaded machine is slow).
START_TIMEOUT = 600

#: What every report of the project imports: paid once per warm kernel.
PRELOAD = ("import pandas, geopandas, folium, seaborn, matplotlib.pyplot\n"
           "import tlresearch, tlresearch.viz.maps, tlresearch.stats.indicators, "
           "tlresearch.stats.trends, tlresearch.viz.charts, tlresearch.report.renderer, "
           "tlresearch.report.notebook_helpers")

#: After the preload: remember the state each report starts from, and move the preloaded
#: objects out of the garbage collector's sight (:func:`gc.freeze`): ``%reset`` runs two
#: full collections, which otherwise walk every object of pandas, geopandas and
#: matplotlib — about a second per report, for objects that live as long as the kernel.
SNAPSHOT = ("get_ipython().run_line_magic('matplotlib', 'inline')\n"
            "import tlresearch.batch.kernel_state as _ks; _ks.snapshot(); del _ks\n"
            "import gc; gc.collect(); gc.freeze(); del gc")

#: Before each report: nothing of the previous one remains (see kernel_state).
RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
         "import tlresearch.batch.kernel_state as _ks; _ks.restore({folder!r}, {version!r}); "
         "del _ks")

Render = Callable[..., str]


@dataclass(frozen=True)
class ReportTask:
    """Everything a worker needs to execute one report (plain data, picklable)."""

    spec: ReportSpec
    work_nb: str  # executed notebook, in the run's work folder
    html: str  # rendered page, in the run's work folder
    timeout: float
    title: str
    provenance: dict = field(hash=False, compare=False, default_factory=dict)
    render: Render | None = None
    reuse_kernels: bool = True
    panel_version: str | None = None  # the run's pinned panel (tlresearch.api.pin_panel)


#: This worker process's warm kernel, started on first use.
_KERNEL = None


def _start_kernel(folder: Path, log_dir: Path, panel_version: str | None = None):
    from jupyter_client.manager import KernelManager

    from tlresearch.batch.lifeline import preexec_die_with_parent

    km = KernelManager(kernel_name="python3")
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"kernel-{os.getpid()}.log", "ab") as stderr:
        km.start_kernel(cwd=str(folder), stderr=stderr, preexec_fn=preexec_die_with_parent,
                        env=_kernel_env(panel_version))
    return km


def _kernel_env(panel_version: str | None) -> dict[str, str]:
    """The worker's environment, pinned to the run's panel version when there is one."""
    env = {k: v for k, v in os.environ.items() if k != PANEL_VERSION_ENV}
    if panel_version:
        env[PANEL_VERSION_ENV] = panel_version
    return env


def _warm_kernel(folder: Path, log_dir: Path, panel_version: str | None = None):
    """This worker's kernel, started and preloaded if needed, set back for a new report."""
    global _KERNEL
    if _KERNEL is None or not _KERNEL.is_alive():
        if _KERNEL is not None:
            _KERNEL.cleanup_resources()
        from multiprocessing.util import Finalize

        _KERNEL = _start_kernel(folder, log_dir)
        # Shut it down with the worker process (multiprocessing runs finalizers on exit).
        Finalize(_KERNEL, _KERNEL.shutdown_kernel, kwargs={"now": True}, exitpriority=10)
        _run_in_kernel(_KERNEL, PRELOAD, allow_errors=True)  # a missing extra is no failure
        _run_in_kernel(_KERNEL, SNAPSHOT)
    _run_in_kernel(_KERNEL, RESET.format(folder=str(folder), version=panel_version))
    return _KERNEL


def _run_in_kernel(km, code: str, allow_errors: bool = False,
                   timeout: float = START_TIMEOUT) -> None:
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok" and not allow_errors:
            raise RuntimeError(f"warm kernel: {reply['content'].get('ename')}: "
                               f"{reply['content'].get('evalue')}")
    finally:
        client.stop_channels()


def _default_render(nb, *, title: str, provenance: dict) -> str:
    from tlresearch.report.renderer import render_report

    return render_report(nb, title=title, provenance=provenance)


def _child_pids() -> list[int]:
    """Processes started by this one (its kernel), read from the process table."""
    try:
        import psutil

        return [p.pid for p in psutil.Process().children(recursive=True)]
    except ImportError:
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
    """Interrupt, then kill, the kernel of a report that runs past its time.

    The clock starts when the kernel is ready, so that a busy machine (slow kernel
    starts) does not fail reports that run within their time.
    """
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


def execute_report(task: ReportTask) -> Outcome:
    """Run one report into ``task.html``; return how it went (never raises)."""
    import papermill

    started = time.monotonic()
    worker = f"pid {os.getpid()}"
    spec = task.spec
    folder = Path(spec.notebook).parent
    log_dir = Path(task.work_nb).parent
    own_kernel = None
    try:
        km = (_warm_kernel(folder, log_dir, task.panel_version) if task.reuse_kernels
              else _start_kernel(folder, log_dir, task.panel_version))
        own_kernel = None if task.reuse_kernels else km
    except Exception as exc:  # noqa: BLE001 - a kernel that cannot start fails this report
        return Outcome(FAILED, "kernel error", one_line(exc), time.monotonic() - started, worker)
    ready, done, fired = threading.Event(), threading.Event(), threading.Event()
    guard = threading.Thread(target=_watchdog, args=(task.timeout, ready, done, fired),
                             daemon=True)
    guard.start()
    try:
        # Saved once at the end (or on error), not after every cell: the outputs of a
        # page (maps, figures) are megabytes of JSON, serialised ~40 times otherwise.
        nb = papermill.execute_notebook(
            spec.notebook, task.work_nb, parameters=spec.params, kernel_name="python3",
            request_save_on_cell_execute=False,
            execution_timeout=task.timeout, start_timeout=START_TIMEOUT,
            progress_bar=False, log_output=False,
            cwd=str(folder), km=km,
            on_notebook_start=lambda **_: ready.set())  # nbclient hook: kernel is up
    except BaseException as exc:  # noqa: BLE001 - every failure is the report's, not the run's
        done.set()
        timed_out = fired.is_set() or type(exc).__name__ == "CellTimeoutError"
        return Outcome(FAILED, "timeout" if timed_out else "execution error",
                       f"exceeded {task.timeout:g} s" if timed_out else one_line(exc),
                       time.monotonic() - started, worker)
    finally:
        done.set()
        if own_kernel is not None:
            own_kernel.shutdown_kernel(now=True)
    try:
        html = (task.render or _default_render)(nb, title=task.title,
                                                provenance=task.provenance)
        atomic_write_bytes(Path(task.html), html.encode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - a page that cannot be rendered fails its report
        return Outcome(FAILED, "render error", one_line(exc), time.monotonic() - started,
                       worker)
    return Outcome(FRESH, "", None, time.monotonic() - started, worker)
