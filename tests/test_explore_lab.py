"""``make lab`` without a browser: port, kernel, data folder, and the explorer via papermill.

The browser run is tests/test_lab_browser.py; here are the parts that need no browser,
including the explorer notebook executed by papermill: no error, no output that would
fetch anything from the network, no contact value, and one clear line when the panel
has not been built.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import pytest

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import NOTEBOOK_DIR
from tlresearch.explore import lab

EXPLORER = NOTEBOOK_DIR / lab.EXPLORER


def test_free_port_skips_a_taken_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not lab.port_is_free(port)
        assert lab.free_port(port) > port


def test_no_free_port_is_a_usage_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match="no free port"):
            lab.free_port(port, tries=1)


def test_command_listens_on_loopback_with_a_token(tmp_path):
    command = lab.lab_command(8899, "s3cret", tmp_path, open_browser=False,
                              settings_dir=tmp_path)
    assert "--ServerApp.ip=127.0.0.1" in command and "--ServerApp.port=8899" in command
    assert "--IdentityProvider.token=s3cret" in command
    assert "--LabApp.news_url=None" in command and "--ServerApp.open_browser=False" in command
    assert not any("0.0.0.0" in part for part in command)


def test_settings_turn_news_and_update_checks_off(tmp_path):
    folder = lab.write_lab_settings(tmp_path / "settings")
    written = json.loads((folder / "overrides.json").read_text())
    notification = written["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}


def test_kernel_is_registered_in_a_prefix(tmp_path):
    folder = lab.register_kernel(tmp_path)
    spec = json.loads((folder / "kernel.json").read_text())
    assert folder.name == "tlresearch" and folder.is_relative_to(tmp_path)
    assert spec["display_name"] == "Python (tlresearch)" and spec["argv"][0] == sys.executable


def test_data_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "enquete").mkdir()
    monkeypatch.setenv("TLRESEARCH_DATA_DIR", "enquete")
    assert lab.data_dir_from_environment() == tmp_path / "enquete"     # made absolute
    monkeypatch.setenv("TLRESEARCH_DATA_DIR", "absent")
    with pytest.raises(UsageError, match="is not a folder"):
        lab.data_dir_from_environment()
    monkeypatch.delenv("TLRESEARCH_DATA_DIR")
    assert lab.data_dir_from_environment() is None


def test_make_lab_with_a_missing_data_folder_says_so_in_one_line(tmp_path):
    env = {**os.environ, "TLRESEARCH_DATA_DIR": str(tmp_path / "absent")}
    done = subprocess.run([sys.executable, "-m", "tlresearch.explore.lab", "--no-browser"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is not a folder" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def jupyter_dirs(tmp_path, monkeypatch):
    """Kernel connection files and IPython's profile in tmp, not in $HOME."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def _run_explorer(data_dir, tmp_path, **parameters):
    import papermill

    out = tmp_path / "explorer.ipynb"
    papermill.execute_notebook(str(EXPLORER), str(out), kernel_name="python3",
                               progress_bar=False, cwd=str(NOTEBOOK_DIR),
                               parameters={"data_dir": str(data_dir), **parameters})
    return out


@pytest.mark.slow
def test_explorer_outputs_are_offline_and_contact_free(demo_data_dir, tmp_path, jupyter_dirs):
    import nbformat
    import pandas as pd

    book = nbformat.read(_run_explorer(demo_data_dir, tmp_path, territory="64"), as_version=4)
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    # Anything the browser would fetch: scripts, images, styles, frames (links are not).
    fetched = re.findall(r"""(?:src|@import|url\()\s*=?\s*["']?(https?:|//)""", html)
    assert not fetched
    init = [o for o in outputs if "itables" in str(o.get("data", {}).get("text/html", ""))]
    assert "injectModule" in init[0]["data"]["text/html"], "bundle before its first user"
    everything = json.dumps([o for o in outputs])
    contacts = pd.read_parquet(demo_data_dir / "restricted" / "contacts.parquet")
    for column in ("contact_name", "contact_email", "contact_phone"):
        for value in contacts[column].dropna().astype(str).head(200):
            assert value not in everything, column


@pytest.mark.slow
def test_explorer_without_a_panel_says_which_command_to_run(tmp_path, jupyter_dirs):
    from papermill.exceptions import PapermillExecutionError

    (tmp_path / "empty").mkdir()
    with pytest.raises(PapermillExecutionError) as caught:
        _run_explorer(tmp_path / "empty", tmp_path)
    assert caught.value.ename == "PanelNotBuilt"
    assert caught.value.traceback == [f"PanelNotBuilt: {caught.value.evalue}"]
    assert "make reports" in caught.value.evalue


def test_browser_test_fails_under_ci_when_chromium_is_missing(monkeypatch, tmp_path):
    """tests/test_lab_browser.py starts with require_chromium: fail under CI, skip locally."""
    import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI"):
        browser.require_chromium()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        browser.require_chromium()
