"""No orphans: every process a run starts dies with the process that started it.

On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` asks the kernel to kill a process when
its parent dies — even when the parent is killed with SIGKILL and has no chance to
clean up. The runner sets it in its pool workers (local executor), in the Jupyter
kernels they start (through ``preexec_fn``, i.e. in the child before it runs the
kernel), and in Dask's nannies and workers of a ``LocalCluster``
(:mod:`tlresearch.batch.dask_preload`). Elsewhere it is a no-op, and the executors'
own shutdown (finalizers, ``Client.close``) is what remains.
"""
from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1

_prctl = None
if sys.platform.startswith("linux"):
    try:
        import ctypes

        _prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        _prctl = None


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Ask to be killed when the parent process dies; ``True`` when armed.

    ``expected_parent`` closes the race where the parent died before the call: the
    process then exits at once instead of living on as an orphan.
    """
    if _prctl is None:
        return False
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)
    return True


def preexec_die_with_parent() -> None:
    """``preexec_fn`` for ``subprocess.Popen``: the child dies with the one who forked it.

    Runs between fork and exec; it only calls the already loaded libc function.
    """
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
