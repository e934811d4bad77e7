"""One protected grid per wave, solved once and shared by every page that reads it.

Protecting a wave's grid (:func:`tlresearch.secrecy.wave_secrecy.protect_wave`) takes
linear programs; a report run prints the wave on the region's page and on twelve
département pages, run by two kernels at once. The grid is therefore solved once per
wave and kept in ``processed/secrecy/`` of the data folder: a small JSON file of the
hidden cells and the merged types (no figure), named by a hash of **what the grid is
computed from** — the wave's départements, types and summed values, the rules and the
sums — so a new panel version, or other rules, gives another file and a stale grid is
never read. The first kernel to ask solves it under a file lock while the other waits,
then reads it; the file is written atomically (:mod:`tlresearch.core.storage`).

A data folder that cannot be written (a read-only copy) still gets its grid, solved
in memory.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.storage import atomic_write_text
from tlresearch.secrecy.rules import SecrecyRule
from tlresearch.secrecy.wave_secrecy import (
    MAX_HIDDEN_SHARE,
    WaveSecrecy,
    protect_wave,
    rebuild_wave,
)

#: Sums the pages print by territory and type (the ETP table, mean ETP by type).
PAGE_SUMS = ("etp",)
#: Sums the pages print by territory only: the key figures (jobs, CDI, volunteers) and
#: the changes since the first wave (every sum of the catalogue). Each is protected
#: across the départements, so that the region's figure minus the others' does not
#: give a hidden one back.
MARGIN_SUMS = ("staff_total", "cdi", "cdd", "other_contracts", "interns", "civic_service",
               "volunteers", "board_members")
#: Bumped when the way a grid is solved changes: older files are then not read.
SCHEME = 7  # 4: counts in clear; 5: 3 contributors; 6: withheld; 7: ±10 %, fine types


def _wave_rows(responses: pd.DataFrame, wave: int) -> pd.DataFrame:
    rows = responses[pd.to_numeric(responses["wave"]).eq(int(wave)).to_numpy()]
    return rows.sort_values("place_id", kind="stable") if "place_id" in rows else rows


def _pattern_path(folder, wave: int, rows: pd.DataFrame, sums, margin_sums,
                  rule: SecrecyRule) -> Path:
    key = grid_key(rows, (*sums, "|", *margin_sums), rule)
    return Path(folder) / f"vague_{int(wave)}_{key}.json"


def wave_secrecy(responses: pd.DataFrame, wave: int, folder: Path | None = None, *,
                 sums=PAGE_SUMS, margin_sums=MARGIN_SUMS,
                 rule: SecrecyRule | None = None) -> WaveSecrecy:
    """The protected grid of ``wave``, from ``folder`` when already solved.

    Parameters
    ----------
    responses
        Responses of every wave (or of this one); the wave's rows are used.
    wave
        The survey wave.
    folder
        Where the solved grids are kept (``DataPaths.secrecy``); ``None`` solves in memory.
    sums, margin_sums, rule
        As in :func:`~tlresearch.secrecy.wave_secrecy.protect_wave`.
    """
    rows = _wave_rows(responses, wave)
    rule = rule or SecrecyRule()
    def solve() -> WaveSecrecy:
        return protect_wave(rows, sums=sums, margin_sums=margin_sums, rule=rule)
    if folder is None:
        return solve()
    path = _pattern_path(folder, wave, rows, sums, margin_sums, rule)
    try:
        from filelock import FileLock

        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path.with_suffix(".lock"))):
            if path.is_file():
                try:
                    return _read(path, rows, sums, margin_sums, rule)
                except (UsageError, ValueError, KeyError):
                    pass  # a file of an older solver (or damaged): solved again, replaced
            grid = solve()
            atomic_write_text(path, _pattern_json(grid))
            return grid
    except OSError:  # a read-only data folder (or file system): solve, keep nothing
        return solve()


def wave_pattern(responses: pd.DataFrame, wave: int, folder: Path | None = None, *,
                 sums=PAGE_SUMS, margin_sums=MARGIN_SUMS,
                 rule: SecrecyRule | None = None) -> dict:
    """The pattern of ``wave``'s grid as kept in ``folder`` (:func:`pattern_of`), without
    tabulating the grid again when it is kept there; solved (and kept) otherwise.

    What a report's key reads (:mod:`tlresearch.batch.key`): which cells are hidden,
    not the figures — a few milliseconds per wave instead of rebuilding every table.
    """
    rule = rule or SecrecyRule()
    if folder is not None:
        path = _pattern_path(folder, wave, _wave_rows(responses, wave), sums, margin_sums, rule)
        try:
            pattern = json.loads(path.read_text(encoding="utf-8"))
            if set(pattern) == _PATTERN_KEYS:
                return pattern
        except (OSError, ValueError):
            pass  # not solved yet (or damaged): solved and kept below
    return pattern_of(wave_secrecy(responses, wave, folder, sums=sums,
                                   margin_sums=margin_sums, rule=rule))


def grid_key(rows: pd.DataFrame, sums, rule: SecrecyRule) -> str:
    """A short hash of everything the grid depends on (16 hex digits)."""
    columns = [c for c in ("departement_code", "typology", *sums) if c in rows.columns]
    columns = list(dict.fromkeys(columns))
    digest = hashlib.sha256()
    digest.update(json.dumps({"scheme": SCHEME, "sums": list(sums), "columns": columns,
                              "rule": dataclasses.asdict(rule),
                              "max_hidden_share": MAX_HIDDEN_SHARE}, sort_keys=True).encode())
    digest.update(rows[columns].astype("string").fillna("\x00").to_csv(index=False).encode())
    return digest.hexdigest()[:16]


_PATTERN_KEYS = {"merged_types", "hidden", "margins", "withheld"}


def pattern_of(grid: WaveSecrecy) -> dict:
    """What a grid decided, as plain data: hidden cells ``[row, column]`` (the same in
    every sum), the hidden rows of each sum printed alone (``margins``), the merged
    types and the withheld sums. No figure: the tables are tabulated from the answers."""
    hidden = grid.hidden
    cells = [[str(r), str(c)] for r in hidden.index for c in hidden.columns
             if bool(hidden.loc[r, c])]
    margins = {v: [str(r) for r in t.suppressed.index if bool(t.suppressed.loc[r].iloc[0])]
               for v, t in grid.margins.items()}
    return {"merged_types": list(grid.merged_types), "hidden": cells,
            "margins": margins, "withheld": list(grid.withheld)}


def _pattern_json(grid: WaveSecrecy) -> str:
    return json.dumps(pattern_of(grid), ensure_ascii=False, indent=1) + "\n"


def _read(path: Path, rows: pd.DataFrame, sums, margin_sums,
          rule: SecrecyRule) -> WaveSecrecy:
    pattern = json.loads(path.read_text(encoding="utf-8"))
    cells = pattern["hidden"]
    hidden = pd.DataFrame(False, index=pd.Index(sorted({r for r, _ in cells}), dtype=object),
                          columns=pd.Index(sorted({c for _, c in cells}), dtype=object))
    for row, col in cells:
        hidden.loc[row, col] = True
    margins = {v: pd.DataFrame({v: True}, index=pd.Index(hidden_rows, dtype=object))
               for v, hidden_rows in pattern["margins"].items()}
    return rebuild_wave(rows, hidden, tuple(pattern["merged_types"]), sums=sums,
                        margin_sums=margin_sums, margins_hidden=margins, rule=rule,
                        withheld=tuple(pattern["withheld"]))


__all__ = ["wave_secrecy", "wave_pattern", "pattern_of", "grid_key", "PAGE_SUMS",
           "MARGIN_SUMS"]
