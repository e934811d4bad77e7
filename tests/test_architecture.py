"""The package's shape, as docs/architecture.md writes it: layers, module sizes, test hygiene."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tlresearch"

#: "About 400 lines": a module past this has grown a second job and should be split.
MAX_MODULE_LINES = 450


def test_layers_hold(tmp_path):
    """import-linter's contract (pyproject.toml): stages import downwards only."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_core_imports_nothing_of_the_package():
    for path in (PACKAGE / "core").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not (node.module.startswith("tlresearch.")
                            and not node.module.startswith("tlresearch.core")), (path, node.module)
                assert node.level == 0, f"{path.name}: relative import"


def test_every_module_has_one_job_and_a_docstring():
    too_long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long[str(path.relative_to(ROOT))] = lines
        assert ast.get_docstring(ast.parse(source)), f"{path.relative_to(ROOT)} has no docstring"
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_no_relative_imports_in_the_package():
    """Absolute imports only: a module's dependencies read the same wherever it moves."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.relative_to(ROOT)}: from {'.' * node.level}{node.module}"


def test_tests_share_helpers_through_conftest_or_helpers_not_other_test_modules():
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                assert not name.startswith("test_"), f"{path.name} imports {name}"


def test_the_architecture_document_names_every_subpackage():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for folder in sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")):
        assert f"`{folder}`" in text, folder
