"""The Dask executor: the same reports on a Dask ``distributed`` cluster.

``tlresearch report --executor dask`` starts a ``LocalCluster`` on the loopback
interface (one single-threaded worker process per ``--workers``, each with its warm
kernel, all dying with the run, see :mod:`tlresearch.batch.dask_preload`);
``--scheduler tcp://HOST:8786`` uses a cluster the lab already runs (SSH, SLURM via
dask-jobqueue, Kubernetes via dask-kubernetes — see the README). Each report is one
task calling :func:`~tlresearch.batch.execute.execute_report`; results come back to
this process, which alone publishes.

What keeps its meaning: the per-report timeout (the watchdog runs in the task);
failure isolation (a failing report returns a failed outcome); a worker lost
mid-report makes the scheduler run that report again on another worker, and after
:data:`ALLOWED_FAILURES` lost workers the report alone fails with reason
``worker lost``. Workers must see the data folder, the notebooks and the site folder
at the same paths as this process (a shared file system).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator

from tlresearch.batch.execute import ReportTask, execute_report
from tlresearch.batch.outcome import FAILED, Outcome, one_line
from tlresearch.core.errors import UsageError

#: Workers a report may take down (killed, out of memory) before it is failed.
ALLOWED_FAILURES = 2

#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT = 10

PRELOAD = "tlresearch.batch.dask_preload"


def _import_distributed():
    try:
        import distributed
    except ImportError:  # pragma: no cover - pinned in the package's dependencies
        raise UsageError("--executor dask needs the 'distributed' package "
                         "(pip install distributed)") from None
    return distributed


class DaskExecutor:
    """``with DaskExecutor(4, scheduler=None) as ex: for task, outcome in ex.run(tasks)``"""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT):
        self.workers = max(1, workers)
        self.scheduler = scheduler
        self.connect_timeout = connect_timeout
        self.client = None
        self.cluster = None

    def __enter__(self) -> "DaskExecutor":
        import dask

        distributed = _import_distributed()
        dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                         "distributed.admin.tick.limit": "1h"})
        if self.scheduler:
            try:
                self.client = distributed.Client(self.scheduler,
                                                 timeout=f"{self.connect_timeout}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(f"--scheduler {self.scheduler}: no Dask scheduler answers "
                                 f"there ({one_line(exc)})") from None
            return self
        self.cluster = distributed.LocalCluster(
            n_workers=self.workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR,
            preload=[PRELOAD], preload_nanny=[PRELOAD])
        self.client = distributed.Client(self.cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, tasks: list[ReportTask]) -> Iterator[tuple[ReportTask, Outcome]]:
        """Each task with its outcome, in the order they finish."""
        distributed = _import_distributed()
        futures = {}
        for task in tasks:
            # pure=False: a rerun is a new task, never a cached result of an old one.
            future = self.client.submit(execute_report, task, pure=False,
                                        key=f"report-{task.spec.name}-{id(task):x}")
            futures[future] = task
        for future in distributed.as_completed(list(futures)):
            task = futures[future]
            try:
                outcome = future.result()
            except distributed.KilledWorker:
                outcome = Outcome(FAILED, "worker lost",
                                  f"{ALLOWED_FAILURES + 1} workers died running it")
            except Exception as exc:  # noqa: BLE001 - one report's failure, not the run's
                outcome = Outcome(FAILED, "worker error", one_line(exc))
            future.release()
            yield task, outcome
