"""Putting demo files on disk: atomically, read-only, never silently over raw data.

Raw data are immutable in this project. The demo writes its raw files like a lab
receiving them: each appears whole (temporary file then :func:`os.replace`) and is
made read-only. Writing again with the same bytes is a no-op; different bytes are
refused unless the caller explicitly asks to overwrite the demo.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import UsageError

READ_ONLY = 0o444


def write_file(path: Path, data: bytes, *, root: Path, overwrite: bool,
               read_only: bool = True) -> bool:
    """Write ``data`` to ``path`` atomically; return False when it was already there.

    Raises
    ------
    UsageError
        When ``path`` exists with different bytes and ``overwrite`` is false.
    """
    if path.exists():
        if path.read_bytes() == data:
            return False
        if not overwrite:
            shown = path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
            raise UsageError(f"{shown} exists and differs; raw data are never overwritten; "
                             "use --overwrite for the demo")
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, READ_ONLY if read_only else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_if_absent(path: Path, data: bytes) -> bool:
    """Write a template only when the file does not exist (the lab edits it)."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True
