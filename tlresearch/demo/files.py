"""Putting demo files on disk: atomically, read-only, never silently over raw data.

Raw data are immutable in this project. The demo writes its raw files like a lab
receiving them: each appears whole (temporary file then :func:`os.replace`) and is
made read-only. Writing again with the same bytes is a no-op; different bytes are
refused unless the caller explicitly asks to overwrite the demo.
"""
from __future__ import annotations

from pathlib import Path

from tlresearch.core.errors import UsageError
from tlresearch.core.storage import atomic_write_bytes

#: Permissions of a raw file once written: nobody writes to raw data.
READ_ONLY = 0o444


def write_raw_file(path: Path, data: bytes, *, overwrite: bool = False,
                   read_only: bool = True, shown: str | Path | None = None) -> bool:
    """Put a file under ``data/raw`` the way a lab receives one (the demo's path).

    The file appears whole and read-only. The same bytes again are a no-op (False);
    different bytes are refused unless ``overwrite`` — raw data are never replaced
    silently.

    Raises
    ------
    UsageError
        When ``path`` exists with different bytes and ``overwrite`` is false.
    """
    if path.exists():
        if path.read_bytes() == data:
            return False
        if not overwrite:
            raise UsageError(f"{shown or path} exists and differs; raw data are never "
                             "overwritten; use --overwrite for the demo")
    atomic_write_bytes(path, data, READ_ONLY if read_only else 0o644)
    return True


def write_file(path: Path, data: bytes, *, root: Path, overwrite: bool,
               read_only: bool = True) -> bool:
    """Write ``data`` to ``path`` atomically; return False when it was already there.

    Raises
    ------
    UsageError
        When ``path`` exists with different bytes and ``overwrite`` is false.
    """
    shown = path.relative_to(root.parent) if path.is_relative_to(root.parent) else path
    return write_raw_file(path, data, overwrite=overwrite, read_only=read_only, shown=shown)


def write_if_absent(path: Path, data: bytes) -> bool:
    """Write a template only when the file does not exist (the lab edits it)."""
    if path.exists():
        return False
    atomic_write_bytes(path, data)
    return True
