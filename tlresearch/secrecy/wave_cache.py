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
    rows = responses[pd.to_numeric(responses["wave"]).eq(int(wave)).to_numpy()]
    rows = rows.sort_values("place_id", kind="stable") if "place_id" in rows else rows
    rule = rule or SecrecyRule()
    def solve() -> WaveSecrecy:
        return protect_wave(rows, sums=sums, margin_sums=margin_sums, rule=rule)
    if folder is None:
        return solve()
    key = grid_key(rows, (*sums, "|", *margin_sums), rule)
    path = Path(folder) / f"vague_{int(wave)}_{key}.json"
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


def _pattern_json(grid: WaveSecrecy) -> str:
    hidden = grid.hidden
    cells = [[str(r), str(c)] for r in hidden.index for c in hidden.columns
             if bool(hidden.loc[r, c])]
    margins = {v: [str(r) for r in t.suppressed.index if bool(t.suppressed.loc[r].iloc[0])]
               for v, t in grid.margins.items()}
    return json.dumps({"merged_types": list(grid.merged_types), "hidden": cells,
                       "margins": margins, "withheld": list(grid.withheld)},
                      ensure_ascii=False, indent=1) + "\n"


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


__all__ = ["wave_secrecy", "grid_key", "PAGE_SUMS", "MARGIN_SUMS"]
