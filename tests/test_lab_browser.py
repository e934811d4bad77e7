"""``make lab`` for real: JupyterLab on a loopback port, the explorer run in headless Chromium.

The server is started with the command ``make lab`` uses (:func:`lab_command`), on a
port found free while the first candidate is held by another socket (the "port
taken" case), with a token, the "tlresearch" kernel registered in a temporary prefix
and every Jupyter folder (runtime, config, data, settings, workspaces) in ``tmp_path``:
nothing lands in ``$HOME`` or in the repository. The notebook is a copy, so JupyterLab's
autosave cannot commit outputs. Through the interface only (menus, dialog buttons):
Run All, a kernel restart while cells are still running, Run All again; then every
cell has run, none shows an error or stderr, the itables tables are interactive (a
search filters rows), the chart is drawn, the map shows its markers, and no request
left 127.0.0.1. Without the browser this fails under CI and skips locally
(``tests/browser.py``).
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tlresearch.core.paths import NOTEBOOK_DIR
from tlresearch.explore.lab import (
    EXPLORER,
    free_port,
    lab_command,
    register_kernel,
    write_lab_settings,
)

from browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.slow

#: Seconds allowed for the server to answer and for one Run All (a busy 2-core machine).
SERVER_WAIT, RUN_WAIT = 90, 300


def _jupyter_env(tmp: Path, data_dir: Path) -> dict[str, str]:
    """Environment of the server: Jupyter's folders under ``tmp``, the kernel found there."""
    prefix = tmp / "prefix"
    register_kernel(prefix)
    folders = {"JUPYTER_RUNTIME_DIR": "runtime", "JUPYTER_CONFIG_DIR": "config",
               "JUPYTER_DATA_DIR": "data", "JUPYTERLAB_SETTINGS_DIR": "settings",
               "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython"}
    env = {**os.environ, **{k: str(tmp / v) for k, v in folders.items()}}
    env["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    env["TLRESEARCH_DATA_DIR"] = str(data_dir)
    env.pop("JUPYTER_TOKEN", None)
    # Every cell in the DOM (no virtual scrolling), so that the checks see all outputs.
    tracker = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    return env


def _wait_for_server(port: int, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_WAIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab stopped (exit {server.returncode}):\n"
                        f"{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                        timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer on port {port}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def chromium_ready():
    """Skip locally, fail under CI, before the demo panel is built for nothing."""
    require_chromium()


@pytest.fixture
def lab_server(chromium_ready, demo_data_dir, tmp_path):
    """A running JupyterLab on a copy of the explorer: (url, port, tmp_path); stopped after."""
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK_DIR / EXPLORER, root / EXPLORER)
    env = _jupyter_env(tmp_path, demo_data_dir)
    token = os.urandom(16).hex()
    with socket.socket() as taken:          # someone else already listens on the first port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        first = taken.getsockname()[1]
        port = free_port(first)
        assert port != first
    log = tmp_path / "jupyterlab.log"
    with open(log, "wb") as out:
        command = lab_command(port, token, root, open_browser=False,
                              settings_dir=write_lab_settings(tmp_path / "app-settings"))
        server = subprocess.Popen(command,
                                  env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        _wait_for_server(port, token, server, log)
        yield f"http://127.0.0.1:{port}/lab/tree/{EXPLORER}?token={token}", port, tmp_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _menu(page, menu: str, command: str) -> None:
    """Open a menu of the menu bar and click the item that runs ``command``."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').first.click()


def _prompts(page) -> list[str]:
    return page.eval_on_selector_all(".jp-CodeCell .jp-InputArea-prompt",
                                     "nodes => nodes.map(n => n.textContent.trim())")


def _wait_all_run(page, since: float) -> list[str]:
    """Wait until every code cell shows an execution count and the kernel is idle."""
    deadline = since + RUN_WAIT
    while time.monotonic() < deadline:
        prompts = _prompts(page)
        idle = page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count()
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) and idle:
            return prompts
        page.wait_for_timeout(500)
    pytest.fail(f"cells did not all run within {RUN_WAIT} s: {_prompts(page)}")


def test_explorer_runs_in_jupyterlab(lab_server):
    url, port, tmp_path = lab_server
    from playwright.sync_api import sync_playwright

    local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:",
             "about:")
    requests, outside, errors = [], [], []

    def route(route):
        if route.request.url.startswith(local):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url, wait_until="domcontentloaded")
            try:    # the notebook's kernelspec, found in the prefix registered above
                page.locator(".jp-Toolbar-kernelName", has_text="tlresearch").first.wait_for(
                    timeout=SERVER_WAIT * 1000)
                page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
                    timeout=SERVER_WAIT * 1000)
            except Exception:
                page.screenshot(path=str(tmp_path / "kernel-not-started.png"))
                raise

            # Run All, then restart the kernel while cells are still queued or running.
            _menu(page, "Run", "runmenu:run-all")
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                         .some(n => /\\[\\d+\\]/.test(n.textContent))""", timeout=RUN_WAIT * 1000)
            assert "[*]:" in _prompts(page), "the restart must hit a running notebook"
            _menu(page, "Kernel", "kernelmenu:restart")
            page.locator(".jp-Dialog .jp-mod-accept").click()
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
                timeout=SERVER_WAIT * 1000)

            started = time.monotonic()
            _menu(page, "Run", "runmenu:run-all")
            page.wait_for_timeout(1000)
            prompts = _wait_all_run(page, started)
            page.wait_for_timeout(2000)        # let itables and the map draw

            numbers = [int(p[1:-2]) for p in prompts]
            assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), prompts
            assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
            assert page.locator('[data-mime-type="application/vnd.jupyter.error"]').count() == 0, \
                page.locator('[data-mime-type="application/vnd.jupyter.error"]').first.inner_text()

            tables = page.locator("table.dataTable")
            assert tables.count() >= 3, "the dictionary, places and quality-log tables"
            places = page.locator(".jp-OutputArea-output", has=page.locator("table.dataTable"),
                                  has_text="Les tiers-lieux du panel").first
            info = places.locator(".dt-info").inner_text()
            assert re.match(r"Lignes 1 à 10 sur \d", info), info
            places.locator(".dt-search input").fill("coworking")
            page.wait_for_timeout(500)
            filtered = places.locator(".dt-info").inner_text()
            assert "filtrées parmi" in filtered and filtered != info, filtered

            assert page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea img')]
                                   .some(i => i.complete && i.naturalWidth > 300)"""), "chart"
            maps = [f for f in page.frames if f != page.main_frame
                    and f.evaluate("!!document.querySelector('.leaflet-container')")]
            assert maps, "the map iframe"
            drawn = maps[0].evaluate(
                "document.querySelectorAll('.leaflet-marker-icon, .leaflet-pane path').length")
            assert drawn > 0
            assert page.locator(".jp-toast-message", has_text="news").count() == 0
            page.screenshot(path=str(tmp_path / "jupyterlab-explorer.png"))
            maps[0].frame_element().scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "jupyterlab-explorer-map.png"))
        finally:
            browser.close()
    assert not outside, f"requests left 127.0.0.1: {sorted(set(outside))[:10]}"
    assert all(r.startswith(local) for r in requests)
    assert not errors, errors
