"""Outputs: atomic replacement, deterministic Parquet bytes, one run at a time."""
import multiprocessing
import os
import time

import pandas as pd
import pytest

from tlresearch.core.errors import LockBusyError
from tlresearch.core.storage import (
    atomic_write_bytes,
    exclusive_run,
    parquet_bytes,
    read_parquet_metadata,
    write_parquet,
)


def sample():
    return pd.DataFrame({"a": pd.array([1, None], dtype="Int64"),
                         "b": pd.array(["é", None], dtype="string")})


def test_parquet_bytes_depend_only_on_content():
    assert parquet_bytes(sample(), {"demo": "true"}) == parquet_bytes(sample(), {"demo": "true"})
    assert parquet_bytes(sample()) != parquet_bytes(sample().iloc[:1])


def test_metadata_round_trip(tmp_path):
    path = tmp_path / "t.parquet"
    write_parquet(path, sample(), {"demo": "true"})
    assert read_parquet_metadata(path) == {"demo": "true"}
    pd.testing.assert_frame_equal(pd.read_parquet(path), sample())


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "out.bin"
    atomic_write_bytes(path, b"old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def _hold_lock(lock_path, ready, release):
    with exclusive_run(lock_path):
        ready.set()
        release.wait(10)


def test_second_run_stops_with_a_clear_message(tmp_path):
    lock_path = tmp_path / ".ingest.lock"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(lock_path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(LockBusyError, match="another run is writing"):
            with exclusive_run(lock_path, wait_seconds=0.2):
                pass
        assert time.monotonic() - started >= 0.2
    finally:
        release.set()
        holder.join(10)
    with exclusive_run(lock_path):
        pass
