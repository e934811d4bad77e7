"""Plan a batch: which reports to make, with which parameters and which declared inputs.

A report is one notebook run with one parameter set. :func:`plan_reports` crosses
the notebooks with the years, regions and territories asked, fills every parameter a
notebook declares in its ``parameters`` cell (``year``, ``territory``, ``region``,
``data_dir``, ``graduates_file``, and any ``--param NAME=VALUE``), and checks each
value against the type the cell declares — all before any kernel starts, so a typo
in a cron line costs a second and one clear line.

What a report reads is declared in the notebook's metadata
(``"tlresearch": {"inputs": ["responses", "staff", "geography"]}``); a notebook that
declares nothing is taken to read every processed table, the geography and the
codebooks, so an undeclared notebook can be rerun too often but never stale.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION, DataPaths

#: Inputs assumed for a notebook that declares none: everything a report may read.
ALL_INPUTS = ("responses", "places", "staff", "quality_log", "quarantine", "conservation",
              "geography", "codebooks")

#: Folder of the graduates' survey files under ``raw/``; demo files start with ``DEMO_``.
GRADUATES_DIR = "certification"

#: Parameters the runner sets itself; ``--param`` may not override them.
RUNNER_PARAMETERS = ("year", "territory", "region", "data_dir")

_TYPES = {"int": int, "float": float, "str": str, "bool": bool}


@dataclass(frozen=True)
class Parameter:
    """One name of a ``parameters`` cell: its declared type and default value."""

    name: str
    type: str  # "int", "float", "str", "bool", or "" when not annotated
    default: object = None


@dataclass(frozen=True)
class ReportSpec:
    """One report to make. Plain data: it pickles to any worker, local or remote."""

    notebook: str  # absolute path
    year: int
    territory: str
    region: str = DEFAULT_REGION
    params: dict = field(default_factory=dict, hash=False, compare=False)
    inputs: tuple[str, ...] = ALL_INPUTS
    #: The data folder's own region (its settings): its reports keep the short layout.
    home: str = DEFAULT_REGION

    @property
    def stem(self) -> str:
        return Path(self.notebook).stem

    @property
    def _folder(self) -> str:
        # The folder's own region keeps the short layout; other regions get their own
        # folder, so that a département code never meets a region's code.
        own = _slug(self.territory)
        return own if self.region == self.home else f"{self.region}/{own}"

    @property
    def name(self) -> str:
        return f"{self.year}-{self._folder.replace('/', '-')}-{self.stem}"

    @property
    def output(self) -> str:
        return f"{self.year}/{self._folder}/{self.stem}.html"


def _slug(text: str) -> str:
    """A territory as a safe path component ("33", "all", "Pays basque" -> "Pays_basque")."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text)) or "_"


def notebook_signature(path: Path) -> dict[str, Parameter]:
    """Names declared in a notebook's ``parameters`` cell, with type and default.

    Read with :mod:`ast` because papermill's own inspection does not understand
    annotations such as ``str | None``.
    """
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    found: dict[str, Parameter] = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" not in cell.get(
                "metadata", {}).get("tags", []):
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for node in ast.parse(source).body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                kind = ast.unparse(node.annotation)
                found[node.target.id] = Parameter(node.target.id, kind if kind in _TYPES else "",
                                                  _literal(node.value))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = Parameter(target.id, "", _literal(node.value))
    return found


def notebook_parameters(path: Path) -> set[str]:
    """Names declared in a notebook's ``parameters`` cell."""
    return set(notebook_signature(path))


def declared_inputs(path: Path) -> tuple[str, ...]:
    """The inputs a notebook declares in its metadata, else :data:`ALL_INPUTS`."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    inputs = notebook.get("metadata", {}).get("tlresearch", {}).get("inputs")
    return tuple(inputs) if inputs else ALL_INPUTS


def _literal(node):
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def convert(value: str, parameter: Parameter, notebook: str) -> object:
    """``value`` (text from the command line) as the type the notebook declares.

    Raises
    ------
    UsageError
        When the text is not of that type, e.g. ``--param year=deux``.
    """
    if parameter.type in ("", "str"):
        return value
    if parameter.type == "bool":
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes", "oui"):
            return True
        if lowered in ("false", "0", "no", "non"):
            return False
    else:
        try:
            return _TYPES[parameter.type](value)
        except ValueError:
            pass
    raise UsageError(f"--param {parameter.name}={value}: {notebook} expects "
                     f"{parameter.type}, got {value!r}")


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``["name=value", ...]`` as a dict; one clear error for a malformed pair."""
    params: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise UsageError(f"--param {pair!r}: expected NAME=VALUE")
        name = name.strip()
        if name in RUNNER_PARAMETERS:
            option = "--data-dir" if name == "data_dir" else f"--{name}"
            raise UsageError(f"--param {name}: set it with {option} "
                             "(the runner sets it for every report)")
        params[name] = value
    return params


def find_graduates_file(data_dir: str | Path | None = None) -> str:
    """The graduates' survey to publish, relative to the data folder.

    The lab's own file (any CSV or XLSX of ``raw/certification/`` whose name does not
    start with ``DEMO_``; the last by name when there are several) wins over the demo
    one; ``""`` when there is neither.
    """
    paths = DataPaths.resolve(data_dir)
    folder = paths.raw / GRADUATES_DIR
    files = sorted(p for p in folder.glob("*") if p.is_file()
                   and p.suffix.lower() in (".csv", ".xlsx")) if folder.is_dir() else []
    own = [p for p in files if not p.name.startswith("DEMO_")]
    chosen = (own or files or [None])[-1]
    return str(chosen.relative_to(paths.root)) if chosen else ""


def plan_reports(paths: DataPaths, notebooks: list[Path], years: list[int],
                 territories: dict[str, list[str]], extra: dict[str, str] | None = None,
                 home: str = DEFAULT_REGION) -> list[ReportSpec]:
    """Every report to make: each notebook × the years and territories it takes.

    Parameters
    ----------
    territories : dict
        ``{region: [territory, ...]}``; the region's own code comes first in its list.
    extra : dict
        ``--param`` values (text), converted to each notebook's declared type.

    A notebook without a ``territory`` parameter (the quality of a wave, the
    certification) is made once per year and region, for the region; one without
    ``year`` once, for the latest year. ``--param`` names that no notebook declares,
    and values of the wrong type, raise :class:`UsageError` here.

    A page belongs to a folder only when its input is there: a notebook that reads the
    graduates' file (``graduates_file``) is planned for the folder's own region
    (``home``) only, and not at all while the folder has no such file.
    """
    extra = extra or {}
    specs: list[ReportSpec] = []
    known: set[str] = set()
    graduates = None
    for notebook in notebooks:
        path = Path(notebook).resolve()
        signature = notebook_signature(path)
        known.update(signature)
        inputs = declared_inputs(path)
        fixed = {name: convert(value, signature[name], path.name)
                 for name, value in extra.items() if name in signature}
        if "graduates_file" in signature and "graduates_file" not in fixed:
            graduates = find_graduates_file(paths.root) if graduates is None else graduates
            fixed["graduates_file"] = graduates
        its_years = years if "year" in signature else [max(years)]
        its_regions = territories
        if "graduates_file" in signature:  # the folder's own graduates, when it has them
            its_regions = ({home: territories[home]} if fixed["graduates_file"]
                           and home in territories else {})
        for region, codes in its_regions.items():
            its_codes = codes if "territory" in signature else codes[:1]
            for year in its_years:
                for code in its_codes:
                    params = {"year": int(year), "territory": str(code), "region": region,
                              "data_dir": str(paths.root)}
                    params = {k: v for k, v in params.items() if k in signature}
                    specs.append(ReportSpec(str(path), int(year), str(code), region,
                                            {**params, **fixed}, inputs, home))
    unknown = sorted(set(extra) - known)
    if unknown:
        raise UsageError(f"--param {unknown[0]}: no notebook of this run has such a "
                         f"parameter (they have: {', '.join(sorted(known))})")
    return specs
