"""Writing outputs safely: atomic replacement, deterministic Parquet, one run at a time.

Readers of ``data/processed`` (a notebook, a scheduled report) must never see a
half-written file, and the same inputs must give byte-identical files so that a
rerun that changed nothing can be detected by hashing. Single files the library writes
go through :func:`atomic_write_bytes` or :func:`write_parquet`; the panel, a set of
tables that must change together, goes through :func:`tlresearch.core.panel_versions.publish`.
"""
from __future__ import annotations

import io
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import pandas as pd

from tlresearch.core.errors import LockBusyError


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    The rename is atomic on POSIX, so a reader sees the old file or the new one,
    never a mixture; a crash leaves at worst a stray ``.tmp`` file, never a truncated
    output.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise




def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def parquet_bytes(frame: pd.DataFrame, metadata: dict[str, str] | None = None) -> bytes:
    """Serialise a DataFrame to Parquet bytes that depend only on its content.

    The index is dropped (tables carry their keys as columns), compression and
    statistics are fixed, and the only metadata is what the caller passes, so two
    runs on the same inputs give the same bytes.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_metadata = dict(table.schema.metadata or {})
    for key, value in (metadata or {}).items():
        schema_metadata[f"tlresearch.{key}".encode()] = str(value).encode()
    table = table.replace_schema_metadata(schema_metadata)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", compression_level=3,
                   write_statistics=True, use_dictionary=True)
    return buffer.getvalue()


def write_parquet(path: Path, frame: pd.DataFrame, metadata: dict[str, str] | None = None) -> None:
    """Write ``frame`` to ``path`` atomically and deterministically."""
    atomic_write_bytes(path, parquet_bytes(frame, metadata))


def read_parquet_metadata(path: Path) -> dict[str, str]:
    """The ``tlresearch.*`` metadata keys of a Parquet file written by this module."""
    import pyarrow.parquet as pq

    raw = pq.read_schema(path).metadata or {}
    prefix = b"tlresearch."
    return {k[len(prefix):].decode(): v.decode() for k, v in raw.items() if k.startswith(prefix)}


@contextmanager
def exclusive_run(lock_path: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the lock of an output folder for the duration of a run.

    A second run started meanwhile waits ``wait_seconds`` (0: not at all) and then
    stops with :class:`LockBusyError`, instead of interleaving its writes.
    """
    from filelock import FileLock, Timeout

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise LockBusyError(
            f"another run is writing to {lock_path.parent} (lock {lock_path.name}); "
            "wait for it to finish or pass --wait SECONDS"
        ) from None
    try:
        yield
    finally:
        lock.release()
