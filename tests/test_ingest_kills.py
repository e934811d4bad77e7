"""SIGKILL of a real ``tlresearch ingest`` at chosen points of its write phase.

The kill points are exact, without any test hook in the library: the ingest runs in a
subprocess whose Python audit hook (``sys.addaudithook``) sends SIGKILL to its own
process when it is about to open, rename or link a given file of the publish. After
each kill the data folder must hold one consistent panel (the old one or the new one,
every table of it readable), and a rerun must give the same bytes as a clean run.
"""
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pandas as pd
import pytest
from conftest import tree_hashes

import tlresearch
from tlresearch.api import pin_panel
from tlresearch.core.panel_versions import current_version
from tlresearch.core.paths import PANEL_TABLES, DataPaths

pytestmark = pytest.mark.slow

#: Runs the command line, killing itself at the n-th audit event matching (event, text).
_KILLER = textwrap.dedent("""
    import os, signal, sys
    event, needle, nth, action = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    seen = [0]
    def hook(name, args):
        if name != event or not args or needle not in str(args[0]):
            return
        if name == "open" and not (isinstance(args[1], str) and "w" in args[1]):
            return
        seen[0] += 1
        if seen[0] == nth:
            os.kill(os.getpid(), getattr(signal, action))
    sys.addaudithook(hook)
    from tlresearch.cli import main
    sys.exit(main(sys.argv[5:]))
""")

#: (audit event, text in its path, n-th match): from the first restricted file to the
#: processed switch; the hook runs *before* the operation it audits.
KILL_POINTS = [
    ("open", "restricted/versions/.staging-", 1),      # restricted being written
    ("os.rename", "restricted/versions/.staging-", 1),  # before restricted is renamed
    ("open", "processed/versions/.staging-", 4),      # processed half written
    ("os.rename", "processed/versions/.staging-", 1),  # written, not yet a version
    ("os.rename", "processed/.current.", 1),           # version ready, switch not done
]


def _ingest(root, *options, kill=None, action="SIGKILL"):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    if kill is None:
        command = [sys.executable, "-m", "tlresearch.cli"]
    else:
        event, needle, nth = kill
        command = [sys.executable, "-c", _KILLER, event, needle, str(nth), action]
    args = [*command, "--data-dir", str(root), "ingest", *options]
    if action == "SIGSTOP":
        return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


def _copy_inputs(source: DataPaths, target: DataPaths) -> None:
    for folder in ("raw", "codebooks", "overrides"):
        shutil.copytree(source.root / folder, target.root / folder)
    if (source.processed / "geo").is_dir():
        shutil.copytree(source.processed / "geo", target.processed / "geo")


def _version_hashes(folder, version):
    return tree_hashes(folder / "versions" / version)


@pytest.fixture(scope="module")
def small_survey(tmp_path_factory):
    """A small demo survey, its clean full panel, and an older panel of two waves."""
    from tlresearch.demo import write_demo

    base = tmp_path_factory.mktemp("kills")
    source = DataPaths(base / "source")
    write_demo(source, scale=0.2)
    reference = DataPaths(base / "reference")
    _copy_inputs(source, reference)
    assert _ingest(reference.root).returncode == 0
    return source, reference


def test_sigkill_during_publish_leaves_one_consistent_panel(small_survey, tmp_path):
    source, reference = small_survey
    paths = DataPaths(tmp_path / "data")
    _copy_inputs(source, paths)
    assert _ingest(paths.root, "--waves", "2024-2025").returncode == 0
    old = current_version(paths.processed)
    new = current_version(reference.processed)
    assert old != new
    old_contacts = tree_hashes(paths.restricted / "current")
    expected = {old: _version_hashes(paths.processed, old),
                new: _version_hashes(reference.processed, new)}
    for point in KILL_POINTS:
        run = _ingest(paths.root, kill=point)
        assert run.returncode == -signal.SIGKILL, (point, run.stderr[-500:])
        version = current_version(paths.processed)
        assert version == old, point  # every kill point is before the switch
        # The panel a reader finds is whole: every table of one version, as published.
        assert tree_hashes(paths.processed / "current") == expected[version], point
        # The contacts beside it are those of the same run (one switch for both).
        assert tree_hashes(paths.restricted / "current") == old_contacts, point
        panel = tlresearch.load_panel(data_dir=paths.root)
        assert panel.attrs["panel_version"] == old
        assert sorted(panel["wave"].unique()) == [2024, 2025]
        if point == KILL_POINTS[2]:
            assert [p for p in (paths.processed / "versions").iterdir()
                    if p.name.startswith(".staging-")], "a half-written staging folder"
    # The rerun cleans up and publishes exactly what a clean run publishes.
    assert _ingest(paths.root).returncode == 0
    assert current_version(paths.processed) == new
    assert tree_hashes(paths.processed / "current") == expected[new]
    restricted = tree_hashes(reference.restricted / "current")
    assert tree_hashes(paths.restricted / "current") == restricted
    for folder in (paths.processed, paths.restricted):
        names = [p.name for p in [*folder.iterdir(), *(folder / "versions").iterdir()]]
        assert not [n for n in names if n.startswith(".staging") or n.endswith(".tmp")], names
    for name in PANEL_TABLES:
        assert paths.processed_table(name).resolve().parent.name == new


def test_first_ingest_killed_leaves_no_panel_and_a_clear_error(small_survey, tmp_path):
    source, reference = small_survey
    paths = DataPaths(tmp_path / "data")
    _copy_inputs(source, paths)
    run = _ingest(paths.root, kill=("os.rename", "processed/.current.", 1))
    assert run.returncode == -signal.SIGKILL
    assert current_version(paths.processed) is None
    with pytest.raises(tlresearch.UsageError, match="build it with `tlresearch ingest`"):
        tlresearch.load_panel(data_dir=paths.root)
    assert _ingest(paths.root).returncode == 0
    new = current_version(reference.processed)
    assert current_version(paths.processed) == new
    assert tree_hashes(paths.processed / "current") == _version_hashes(reference.processed, new)


def test_a_reader_during_a_stopped_publish_sees_the_old_panel(small_survey, tmp_path):
    """Ingest frozen (SIGSTOP) just before its switch: readers and a pinned run read the
    old panel; once it goes on, a new pin waits for it (``--wait``) and gets the new one."""
    source, reference = small_survey
    paths = DataPaths(tmp_path / "data")
    _copy_inputs(source, paths)
    assert _ingest(paths.root, "--waves", "2025").returncode == 0
    old = current_version(paths.processed)
    proc = _ingest(paths.root, kill=("os.rename", "processed/.current.", 1), action="SIGSTOP")
    try:
        for _ in range(6000):  # bounded wait for the stop (no duration is asserted)
            if _stopped(proc.pid):
                break
            assert proc.poll() is None, proc.stderr
            time.sleep(0.05)
        assert _stopped(proc.pid), "the ingest never reached its publish"
        assert [p for p in (paths.processed / "versions").iterdir()
                if p.is_dir() and p.name != old], "the new version is written"
        assert set(tlresearch.load_responses(data_dir=paths.root)["wave"]) == {2025}
        with pin_panel(paths.root) as pinned:  # no --wait: the last published panel
            assert pinned.version == old
            threading.Timer(0.5, os.kill, (proc.pid, signal.SIGCONT)).start()
            with pin_panel(paths.root, wait_seconds=300) as fresh:
                assert fresh.version == current_version(reference.processed)
            # The first run still reads its own version, whole.
            frame = pd.read_parquet(pinned.table("responses"))
            assert set(frame["wave"]) == {2025}
        assert proc.wait(timeout=300) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] == "T"
