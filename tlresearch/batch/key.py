"""The skip key of a report: what it is made of, and why a report must run again.

A report's key is a set of hashes: its notebook, its parameters, the package's own
source (every ``.py`` of ``tlresearch/`` and its vocabulary and schema YAML — not
``__version__``, which does not change when the code does), and only the inputs the
report declares, scoped to what its page can see (:mod:`tlresearch.batch.input_scope`):

* a panel table is hashed on its rows of waves up to the report's year and of the
  report's territory: for a **region's** page, the rows of the region (by
  ``region_code``, the folder's own region with the places of no known region, or
  through the places of the region for tables keyed by ``place_id``) — one region's
  new wave leaves the other regions' keys alone; for a **département's** page, the
  rows of the places that were ever in the département — one answer corrected in the
  Creuse leaves the Gironde's pages alone. A département's ``responses`` also holds
  what its page reads of the whole table: the waves up to the year (the « previous
  wave ») and whether the data are the demo's;
* ``secrecy`` (added to a département's page that reads ``responses``): the page's
  slice of each wave's protected grid up to the year
  (:func:`tlresearch.secrecy.grid_slice.departement_slice`: its row of hidden cells,
  its sums printed alone hidden or not, the grid's types, merged types and withheld
  sums). The grid is solved on the whole region, so a change in another département
  may move it: the page reruns when its own slice moves, and only then. The grids are
  solved here once and kept in ``processed/secrecy/`` (:mod:`tlresearch.secrecy.wave_cache`),
  where the pages read them. A region's page prints the whole grid, a function of the
  region's rows already in its key;
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

from tlresearch.batch import input_scope
from tlresearch.batch.plan import ReportSpec
from tlresearch.core.errors import TLResearchError
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
        self._grids: dict = {}

    def _table(self, name: str):
        if name not in self._tables:
            import pandas as pd

            path = self.paths.processed_table(name)
            try:
                self._tables[name] = pd.read_parquet(path) if path.is_file() else None
            except Exception:  # noqa: BLE001 - unreadable: hashed as bytes, the report says why
                self._tables[name] = path.read_bytes()
        return self._tables[name]

    def _frame(self, name: str):
        """The table as a DataFrame, or ``None`` (missing or unreadable)."""
        import pandas as pd

        frame = self._table(name)
        return frame if isinstance(frame, pd.DataFrame) else None

    def _mask(self, frame, region: str, home: bool, departement: str | None, year):
        """Which rows of ``frame`` a page of ``region`` (or ``departement``) reads."""
        import numpy as np
        import pandas as pd

        keep = np.ones(len(frame), dtype=bool)
        if year is not None and "wave" in frame:
            keep &= pd.to_numeric(frame["wave"], errors="coerce").le(year).fillna(False).to_numpy(bool)
        if departement is not None:
            ids = self._departement_places(departement, year)
            mask = input_scope.departement_mask(frame, departement, ids)
        else:
            mask = input_scope.region_mask(frame, region, home)
            if mask is None and "place_id" in frame and (places := self._frame("places")) is not None:
                ids = input_scope.region_places(places, region, home)
                mask = None if ids is None else frame["place_id"].isin(ids)
        return keep if mask is None else keep & mask.to_numpy(bool)

    def _row_hashes(self, name: str, frame):
        """One hash per row of the table, computed once for every report's rows."""
        key = ("row hashes", name)
        if key not in self._cache:
            import pandas as pd

            self._cache[key] = pd.util.hash_pandas_object(frame.astype(object),
                                                          index=False).to_numpy()
        return self._cache[key]

    def _departement_places(self, departement: str, year) -> set:
        key = ("places of", departement, year)
        if key not in self._cache:
            self._cache[key] = input_scope.departement_places(
                self._frame("responses"), self._frame("places"), departement, year)
        return self._cache[key]

    def table(self, name: str, region: str, year: int | None, *,
              departement: str | None = None, home: bool = False) -> str:
        """Hash of ``name``'s rows of waves up to ``year`` and of ``region`` (the places
        of no known region too when ``home``), or of ``departement``'s places."""
        key = (name, region, year, departement, home)
        if key in self._cache:
            return self._cache[key]
        import pandas as pd

        frame = self._table(name)
        if frame is None:
            digest = "missing"
        elif isinstance(frame, bytes):
            digest = _sha(frame)
        else:
            rows = self._mask(frame, region, home, departement, year)
            header = json.dumps([[c, str(t)] for c, t in frame.dtypes.items()]).encode()
            if departement is not None and name == "responses":
                # what a département's page reads of the whole table: the waves (its
                # « previous wave ») and whether the data are the demo's (its banner)
                waves = pd.to_numeric(frame["wave"], errors="coerce") if "wave" in frame else None
                header += json.dumps({
                    "waves": [] if waves is None else sorted(
                        {int(w) for w in waves.dropna() if year is None or w <= year}),
                    "demo": bool("demo" in frame and frame["demo"].fillna(False).astype(bool).any()),
                }).encode()
            digest = _sha(header + self._row_hashes(name, frame)[rows].tobytes())
        self._cache[key] = digest
        return digest

    def secrecy(self, region: str, year: int | None, departement: str, *,
                home: bool = False) -> str:
        """Hash of ``departement``'s slice of each wave's protected grid up to ``year``."""
        key = ("secrecy", region, year, departement, home)
        if key in self._cache:
            return self._cache[key]
        from tlresearch.secrecy.grid_slice import departement_slice

        waves = self._region_waves(region, home)
        try:
            slices = []
            for wave, own in waves.items():
                if year is None or wave <= year:
                    pattern, rows, facts = self._pattern(region, home, wave, own)
                    slices.append([wave, departement_slice(pattern, rows, departement, facts)])
            digest = _sha(json.dumps(slices, sort_keys=True).encode())
        except TLResearchError:  # no grid from these responses: keyed on the region's rows
            digest = self.table("responses", region, year, home=home)
        self._cache[key] = digest
        return digest

    def _located(self) -> bool:
        """Whether the responses say which département each place is in (a table built
        by ``ingest`` always does): without it a département's page is keyed on its region."""
        responses = self._frame("responses")
        return responses is not None and {"place_id", "wave", "departement_code"} <= set(responses)

    def _region_waves(self, region: str, home: bool) -> dict:
        """The region's responses for each wave they have, as its pages select them."""
        key = ("region waves", region, home)
        if key not in self._grids:
            import pandas as pd

            responses = self._frame("responses")  # read: _located() said so
            mask = input_scope.region_mask(responses, region, home)
            own = responses if mask is None else responses[mask.to_numpy(bool)]
            waves = pd.to_numeric(own["wave"], errors="coerce")
            self._grids[key] = {int(w): own for w in sorted(waves.dropna().unique())}
        return self._grids[key]

    def _pattern(self, region: str, home: bool, wave: int, own) -> tuple:
        """The wave's pattern of hidden cells (the pages' own cache), its rows and what
        every département's slice shares (:func:`~tlresearch.secrecy.grid_slice.wave_facts`)."""
        key = (region, home, wave)
        if key not in self._grids:
            import pandas as pd

            from tlresearch.secrecy.grid_slice import wave_facts
            from tlresearch.secrecy.wave_cache import wave_pattern

            rows = own[pd.to_numeric(own["wave"], errors="coerce").eq(wave).fillna(False)
                       .to_numpy(bool)]
            pattern = wave_pattern(own, wave, self.paths.processed / "secrecy")
            self._grids[key] = (pattern, rows, wave_facts(pattern, rows))
        return self._grids[key]

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
        home = spec.region == spec.home
        departement = _departement(spec) if self._located() else None
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
                key[f"input:{name}"] = self.table(name, spec.region, year,
                                                  departement=departement, home=home)
        if departement is not None and "responses" in spec.inputs:
            # the grid is solved from the responses: any page reading them may print it
            key["input:secrecy"] = self.secrecy(spec.region, year, departement, home=home)
        if "graduates_file" in spec.params and "input:graduates_file" not in key:
            key["input:graduates_file"] = self.file(str(spec.params["graduates_file"]))
        return key


def _departement(spec: ReportSpec) -> str | None:
    """The département a report is made for, or ``None`` (its region, no territory, or a
    code that is no département of the region: keyed on the whole region, never stale)."""
    if "territory" not in spec.params or str(spec.territory) == str(spec.region):
        return None
    from tlresearch.geo.datafrance import departement_names

    try:
        known = departement_names(str(spec.region))
    except Exception:  # noqa: BLE001 - an unknown region: its planning says why, not the key
        return None
    return str(spec.territory) if str(spec.territory) in known else None


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
