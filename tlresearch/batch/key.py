"""The skip key of a report: what it is made of, and why a report must run again.

A report's key is a set of hashes: its notebook, its parameters, the package's own
source (every ``.py`` of ``tlresearch/`` and its vocabulary and schema YAML — not
``__version__``, which does not change when the code does), and only the inputs the
report declares, scoped to what it can see:

* a panel table is hashed on its rows of the report's region (by ``region_code``, or
  through the places of the region for tables keyed by ``place_id``) and of waves up
  to the report's year — one region's new wave leaves the other regions' keys alone;
* ``geography`` is the region's files under ``processed/geo/`` (not the lock);
* ``codebooks`` are the codebooks of waves up to the year;
* ``graduates_file`` is the file the report's parameter names;
* ``directory`` is the network's directory of places (``raw/annuaire/``), which the
  coverage and the adjusted totals read.

The same key is computed wherever the report later runs; only the planning process
reads the tables (each table once per run, see :class:`InputHasher`).
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from tlresearch.batch.plan import ReportSpec
from tlresearch.core.paths import PACKAGE_DIR, DataPaths
from tlresearch.core.settings import SETTINGS_FILE

FAILED = "failed"

_LABELS = {"source": "library source changed", "notebook": "notebook changed",
           "parameters": "parameters changed", "settings": "reseau.yaml changed"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def source_hash(root: Path = PACKAGE_DIR) -> str:
    """Hash of the package's code and vocabularies: any edit changes it."""
    digest = hashlib.sha256()
    files = [p for pattern in ("*.py", "*.yaml", "*.yml") for p in root.rglob(pattern)
             if "__pycache__" not in p.parts]
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _hash_files(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class InputHasher:
    """Hashes of the declared inputs of many reports, reading each table once."""

    def __init__(self, paths: DataPaths):
        self.paths = paths
        self._tables: dict = {}
        self._cache: dict = {}

    def _table(self, name: str):
        if name not in self._tables:
            import pandas as pd

            path = self.paths.processed_table(name)
            try:
                self._tables[name] = pd.read_parquet(path) if path.is_file() else None
            except Exception:  # noqa: BLE001 - unreadable: hashed as bytes, the report says why
                self._tables[name] = path.read_bytes()
        return self._tables[name]

    def _region_places(self, region: str):
        places = self._table("places")
        if places is None or isinstance(places, bytes) or "region_code" not in places:
            return None
        return set(places.loc[places["region_code"].astype("string") == region, "place_id"])

    def table(self, name: str, region: str, year: int | None) -> str:
        """Hash of ``name``'s rows of ``region`` and of waves up to ``year``."""
        key = (name, region, year)
        if key in self._cache:
            return self._cache[key]
        import pandas as pd

        frame = self._table(name)
        if frame is None:
            digest = "missing"
        elif isinstance(frame, bytes):
            digest = _sha(frame)
        else:
            if "region_code" in frame:
                frame = frame[frame["region_code"].astype("string").eq(region).fillna(False)
                              .astype(bool)]
            elif "place_id" in frame and (ids := self._region_places(region)) is not None:
                frame = frame[frame["place_id"].isin(ids)]
            if year is not None and "wave" in frame:
                frame = frame[pd.to_numeric(frame["wave"], errors="coerce") <= year]
            header = json.dumps([[c, str(t)] for c, t in frame.dtypes.items()]).encode()
            values = pd.util.hash_pandas_object(frame.astype(object), index=False)
            digest = _sha(header + values.to_numpy().tobytes())
        self._cache[key] = digest
        return digest

    def geography(self, region: str) -> str:
        files = sorted((self.paths.processed / "geo").glob(f"*_{region}*.parquet"))
        return _hash_files(files, self.paths.root) if files else "missing"

    def codebooks(self, year: int | None) -> str:
        files = [p for p in self.paths.codebooks.glob("*.yaml")
                 if not p.stem.isdigit() or year is None or int(p.stem) <= year]
        return _hash_files(files, self.paths.root)

    def file(self, relative: str) -> str:
        path = self.paths.root / relative if relative else None
        return _sha(path.read_bytes()) if path and path.is_file() else "missing"

    def key(self, spec: ReportSpec) -> dict[str, str]:
        """The full key of one report: ``{"source": ..., "input:responses": ...}``."""
        year = spec.year if "year" in spec.params else None
        key = {"source": source_hash(),
               "notebook": _sha(Path(spec.notebook).read_bytes()),
               "parameters": _sha(json.dumps(spec.params, sort_keys=True).encode()),
               # whose survey it is: a new publisher or licence changes every page's credit
               "settings": self.file(SETTINGS_FILE)}
        for name in spec.inputs:
            if name == "geography":
                key["input:geography"] = self.geography(spec.region)
            elif name == "codebooks":
                key["input:codebooks"] = self.codebooks(year)
            elif name == "graduates_file":
                key["input:graduates_file"] = self.file(str(spec.params.get(name, "")))
            elif name == "directory":
                files = sorted(p for p in self.paths.directory_folder.glob("*") if p.is_file())
                key["input:directory"] = _hash_files(files, self.paths.root) if files else "missing"
            else:
                key[f"input:{name}"] = self.table(name, spec.region, year)
        if "graduates_file" in spec.params and "input:graduates_file" not in key:
            key["input:graduates_file"] = self.file(str(spec.params["graduates_file"]))
        return key


def data_hash(key: dict[str, str]) -> str:
    """One hash of a report's inputs, for its provenance footer."""
    inputs = {k: v for k, v in key.items() if k.startswith("input:")}
    return _sha(json.dumps(inputs, sort_keys=True).encode())


def why_run(entry: dict | None, key: dict[str, str], output_exists: bool, *,
            force: bool, retry_failed: bool) -> str | None:
    """Why a report must run, or ``None`` when it can be skipped (or its failure carried).

    Examples
    --------
    >>> why_run(None, {"source": "a"}, False, force=False, retry_failed=False)
    'new'
    >>> why_run({"inputs": {"source": "a"}, "status": "fresh"}, {"source": "b"}, True,
    ...         force=False, retry_failed=False)
    'library source changed'
    """
    if force:
        return "forced"
    if entry is None:
        return "new"
    old = entry.get("inputs", {})
    changed = [_LABELS.get(name, f"input changed: {name.removeprefix('input:')}")
               for name in key if old.get(name) != key[name]]
    changed += [f"input no longer read: {name.removeprefix('input:')}"
                for name in old if name not in key]
    if changed:
        return "; ".join(changed)
    if entry.get("status") == FAILED:
        return "retry of a failed run" if retry_failed else None
    if not output_exists:
        return "published file missing"
    return None
