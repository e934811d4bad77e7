"""The local executor: a pool of worker processes, each with one warm kernel.

Workers are spawned (they inherit no thread, lock or log handler of the run), import
papermill and nbconvert once, and arm :func:`~tlresearch.batch.lifeline.die_with_parent`
so that a ``kill -9`` of ``tlresearch report`` takes them — and, through the same
mechanism, their kernels — with it.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from tlresearch.batch.execute import ReportTask, execute_report
from tlresearch.batch.outcome import FAILED, Outcome, one_line


def _init_worker(parent: int) -> None:
    """Die with the run; pay the heavy imports once per worker rather than per report."""
    from tlresearch.batch.lifeline import die_with_parent

    die_with_parent(parent)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


class LocalExecutor:
    """``with LocalExecutor(4) as ex: for task, outcome in ex.run(tasks): ...``"""

    name = "local"

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "LocalExecutor":
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker,
                                         initargs=(os.getpid(),), mp_context=context)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, tasks: list[ReportTask]) -> Iterator[tuple[ReportTask, Outcome]]:
        """Each task with its outcome, in the order they finish."""
        futures = {self._pool.submit(execute_report, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker fails its report only
                outcome = Outcome(FAILED, "worker error", one_line(exc))
            yield futures[future], outcome
