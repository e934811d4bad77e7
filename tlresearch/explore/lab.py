"""``make lab``: JupyterLab on the project's notebooks, the project's kernel, loopback only.

What a researcher gets from one command, and why:

* the kernel "tlresearch" (this environment) registered inside the environment itself
  (``sys.prefix``), so a JupyterLab started from elsewhere (conda base) still finds it
  and nothing is written to ``$HOME``;
* a free port on 127.0.0.1, from 8888 up (a second ``make lab``, or another program on
  8888, gets the next one), and a fresh token: the address printed with its token is
  the only way in;
* the data folder said up front: ``TLRESEARCH_DATA_DIR`` made absolute (kernels run in
  ``notebooks/``, where a relative path would point elsewhere), refused in one line
  when it does not exist, and one line when the panel is not built yet;
* no request to the Internet from JupyterLab itself (news feed and update check off).

Exit codes: 0 (JupyterLab stopped), 2 (usage: no free port, data folder missing).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import sys
from pathlib import Path

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DATA_DIR_ENV, NOTEBOOK_DIR
from tlresearch.explore.panel_status import panel_status

KERNEL_NAME = "tlresearch"
KERNEL_DISPLAY_NAME = "Python (tlresearch)"
FIRST_PORT = 8888
#: How many ports after the first one are tried.
PORT_TRIES = 50
EXPLORER = "00-explorer.ipynb"


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` (a bind succeeds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(first: int = FIRST_PORT, tries: int = PORT_TRIES, host: str = "127.0.0.1") -> int:
    """The first free port from ``first`` on.

    Raises
    ------
    UsageError
        When the ``tries`` ports from ``first`` are all taken.
    """
    for port in range(first, first + tries):
        if port_is_free(port, host):
            return port
    raise UsageError(f"no free port on {host} between {first} and {first + tries - 1}: "
                     "stop another JupyterLab or pass --port")


def register_kernel(prefix: str | os.PathLike = sys.prefix) -> Path:
    """Install the "tlresearch" kernel spec for this Python under ``prefix``; its folder."""
    from ipykernel.kernelspec import install

    return Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME,
                        prefix=str(prefix)))


def data_dir_from_environment() -> Path | None:
    """``TLRESEARCH_DATA_DIR`` as an absolute folder (None when unset).

    Raises
    ------
    UsageError
        When it names a folder that does not exist.
    """
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser().resolve()
    if not folder.is_dir():
        raise UsageError(f"{DATA_DIR_ENV}={value} is not a folder: point it at the lab's "
                         "data folder (with raw/, codebooks/, processed/)")
    return folder


#: Settings every JupyterLab of the project starts with: no news feed, no update check
#: (both would ask the Internet, and the explorer works offline).
LAB_SETTINGS = {"@jupyterlab/apputils-extension:notification":
                {"fetchNews": "false", "checkForUpdates": False}}


def write_lab_settings(folder: str | os.PathLike) -> Path:
    """Write :data:`LAB_SETTINGS` as JupyterLab's ``overrides.json`` in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "overrides.json"
    path.write_text(json.dumps(LAB_SETTINGS, indent=2) + "\n", encoding="utf-8")
    return folder


def lab_command(port: int, token: str, root: Path = NOTEBOOK_DIR, open_browser: bool = True,
                settings_dir: Path | None = None) -> list[str]:
    """The ``jupyter lab`` command line: loopback, token, no news or update check.

    ``settings_dir`` holds the ``overrides.json`` of :func:`write_lab_settings`
    (default: ``share/jupyter/lab/tlresearch-settings`` inside this environment).
    """
    settings_dir = settings_dir or write_lab_settings(
        Path(sys.prefix) / "share" / "jupyter" / "lab" / "tlresearch-settings")
    return [sys.executable, "-m", "jupyterlab", f"--LabApp.app_settings_dir={settings_dir}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--ServerApp.open_browser={open_browser}",
            f"--LabApp.default_url=/lab/tree/{EXPLORER}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # root is how containers run; jupyter refuses it unless told
            *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [])]


def address(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/lab/tree/{EXPLORER}?token={token}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make lab", description="Open JupyterLab on the project's notebooks.",
        epilog="exit codes: 0 stopped, 2 usage error (no free port, data folder missing)")
    parser.add_argument("--port", type=int, default=FIRST_PORT,
                        help=f"first port to try (default {FIRST_PORT}; the next free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    args = parser.parse_args(argv)
    try:
        folder = data_dir_from_environment()
        port = free_port(args.port)
    except UsageError as error:
        print(f"make lab: {error}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    if folder is not None:
        env[DATA_DIR_ENV] = str(folder)
    print(f"Noyau « {KERNEL_DISPLAY_NAME} » : {register_kernel()}")
    print(panel_status(folder).message())
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    if port != args.port:
        print(f"Le port {args.port} est pris : JupyterLab écoute sur le port {port}.")
    print(f"JupyterLab : {address(port, token)}", flush=True)
    command = lab_command(port, token, open_browser=not args.no_browser)
    os.execve(command[0], command, env)
    return 0  # pragma: no cover (execve does not return)


if __name__ == "__main__":
    sys.exit(main())
