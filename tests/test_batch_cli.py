"""``tlresearch report`` from the command line: bad options stop it in one line before
any kernel starts; on a terminal it shows its progress and says where the index is."""
from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


def report(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir", str(data),
                           "report", *args], capture_output=True, text=True)


def test_bad_options_give_one_line_exit_2_and_publish_nothing(demo_data_dir, tmp_path):
    site = tmp_path / "site"
    cases = {
        ("--notebooks", str(TEST_NOTEBOOKS / "typed.ipynb"), "--param", "threshold=deux"):
            "typed.ipynb expects int, got 'deux'",
        ("--param", "colour=rouge"): "no notebook of this run has such a parameter",
        ("--param", "year=2024"): "set it with --year",
        # the demo folder's reseau.yaml says region 75 (issue 22)
        ("--region", "84", "--territory", "33"): "--region 84 contradicts",
        ("--region", "all", "--territory", "33,999"): "unknown territory: 999",
        ("--scheduler", "tcp://127.0.0.1:9", "--territory", "33",
         "--notebooks", str(TEST_NOTEBOOKS / "ok.ipynb")): "no Dask scheduler answers there",
    }
    for args, message in cases.items():
        done = report(demo_data_dir, "--out", str(site), *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
        assert not list(site.rglob("*.html")), args


def test_a_missing_geography_is_one_line(demo_data_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_data_dir, data, ignore=shutil.ignore_patterns("geo"))
    done = report(data, "--out", str(tmp_path / "site"), "--territory", "33",
                  "--notebooks", str(ROOT / "notebooks" / "20-map.ipynb"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "run `tlresearch geography --region 75`" in done.stderr
    assert not (data / "processed" / "geo").exists()  # a report never builds it


def test_on_a_terminal_a_progress_bar_then_the_index(demo_data_dir, tmp_path):
    """Run in a pseudo-terminal: the bar is drawn, the last line names the index, and
    the kernel's "running over TCP without encryption" warning does not show."""
    site = tmp_path / "site"
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 cols
    process = subprocess.Popen(
        [sys.executable, "-m", "tlresearch.cli", "--data-dir", str(demo_data_dir), "report",
         "--out", str(site), "--territory", "33,40", "--workers", "2",
         "--notebooks", str(ROOT / "notebooks" / "30-professionalisation.ipynb")],
        stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait() == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "rapports:" in screen and "2/2" in screen  # the progress bar
    assert screen.rstrip().splitlines()[-1] == f"index: {site / 'index.html'}"
    assert "without encryption" not in screen and "Traceback" not in screen
    assert (site / "2025" / "40" / "30-professionalisation.html").exists()


def test_data_dir_may_follow_the_command(tmp_path):
    """``tlresearch ingest --data-dir d`` as a user types it: the same one-line refusal
    as with the option before the command, not an argparse error about the option."""
    missing = tmp_path / "nowhere"
    for argv in (["--data-dir", str(missing), "ingest"], ["ingest", "--data-dir", str(missing)],
                 ["codebook", "check", "2024", "--data-dir", str(missing)]):
        run = subprocess.run([sys.executable, "-m", "tlresearch.cli", *argv],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, argv
        assert f"the data folder {missing} does not exist" in run.stderr, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert not missing.exists()


def test_a_notebook_is_named_by_its_path_or_by_its_name(tmp_path):
    """« --notebooks 40-panorama » is the published notebook; a path stays a path, and a
    name that is neither gives the one-line « not found » (its path as typed)."""
    from tlresearch.cli import _notebook
    from tlresearch.core.paths import NOTEBOOK_DIR

    assert _notebook("40-panorama") == NOTEBOOK_DIR / "40-panorama.ipynb"
    assert _notebook("40-panorama.ipynb") == NOTEBOOK_DIR / "40-panorama.ipynb"
    mine = tmp_path / "40-panorama.ipynb"
    mine.write_text("{}", encoding="utf-8")
    assert _notebook(str(mine)) == mine
    assert _notebook("99-absent") == Path("99-absent") and not _notebook("99-absent").is_file()
