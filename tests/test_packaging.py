"""The two ways to install (pip and conda) must name the same packages and versions."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = {}
    for spec in specs:
        name, version = spec.split("==")
        pins[_canonical(name)] = version
    return pins


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            for spec in item["pip"]:
                if "==" in spec:
                    name, version = spec.split("==")
                    pins[_canonical(name)] = version
        elif "=" in item:
            name, version = item.split("=", 1)
            name = CONDA_TO_PYPI.get(name, name)
            if name != "python":
                pins[_canonical(name)] = version
    return pins


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", spec), spec


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins()


def test_constraints_cover_every_direct_dependency():
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    constraints = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, version = line.split("==")
            constraints[_canonical(name)] = version
    for name, version in pyproject_pins().items():
        assert constraints.get(name) == version, name


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in pyproject_pins().items():
        assert version(name) == pinned, name


def test_cli_help_on_every_subcommand():
    for args in ([], ["demo"], ["ingest"], ["dictionary"], ["register"], ["resolve"],
                 ["geography"], ["report"]):
        done = subprocess.run([sys.executable, "-m", "tlresearch.cli", *args, "--help"],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "exit codes" in done.stdout


def test_import_is_light():
    done = subprocess.run([sys.executable, "-c",
                           "import sys, tlresearch; print('pandas' in sys.modules)"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_lazy_exports_resolve():
    import tlresearch

    for name in tlresearch._LAZY:
        assert callable(getattr(tlresearch, name)), name
