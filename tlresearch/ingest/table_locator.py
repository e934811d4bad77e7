"""Find where the table of an export starts: which sheet, which header row.

Exports put things above and beside the answers: a cover or metadata sheet first
(open-data workbooks), a title row and a group row above the column names
(Framaforms). :func:`locate_table` tries each sheet and the first rows as header
and keeps the reading whose header looks most like column names: many named,
distinct, non-numeric cells over rows of data. Used by ``tlresearch codebook draft``,
which writes what it found (``sheet``, ``header_row``) into the draft.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tlresearch.core.errors import DataError, ReadError
from tlresearch.io.raw_tables import RawTable, read_table
from tlresearch.io.xlsx_reader import sheet_names

#: Rows tried as the header, counted as a spreadsheet shows them.
MAX_HEADER_ROW = 10

#: Sheet names that announce something other than the answers.
NOT_DATA_SHEETS = re.compile(r"m[ée]ta|lisez|read ?me|notice|licen|source|sommaire|"
                             r"couverture|cover|about|propos|documentation", re.IGNORECASE)

_VALUE_LIKE = re.compile(r"[\d\s.,:/+-]+|[\w.+-]+@[\w.-]+|oui|non|x", re.IGNORECASE)


@dataclass(frozen=True)
class Located:
    """The reading chosen, and why."""

    table: RawTable
    sheet: str | None
    header_row: int
    groups: dict[str, str]  # column -> heading of the row above it (merged headings)
    evidence: str



def header_score(columns: list[str], table: RawTable) -> float:
    """How much a row looks like column names (0: not at all)."""
    named = [c for c in columns if not c.startswith("column_")]
    if len(named) < 2:
        return 0.0
    value_like = sum(bool(_VALUE_LIKE.fullmatch(c)) for c in named)
    if value_like > len(named) / 3:
        return 0.0
    filled = table.frame.notna().to_numpy().mean() if len(table.frame) else 0.0
    return len(named) * (1 - value_like / len(named)) * (0.5 + filled) * min(len(table.rows), 3)


def locate_table(path: str | Path, name: str | None = None,
                 sheet: str | None = None) -> Located:
    """Read ``path`` at the sheet and header row that look like the answers' table.

    Raises
    ------
    ReadError
        No sheet and no row among the first :data:`MAX_HEADER_ROW` looks like a header
        over data (a file without column names, a workbook of metadata only).
    """
    path = Path(path)
    name = name or path.name
    sheets = [sheet] if sheet else (sheet_names(path) or [None])
    best, best_score, seen, read_any, first_error = None, 0.0, [], False, None
    for candidate in sheets:
        if candidate is not None and sheet is None and NOT_DATA_SHEETS.search(candidate):
            seen.append(f"{candidate} (skipped: metadata)")
            continue
        for row in range(1, MAX_HEADER_ROW + 1):
            try:
                table = read_table(path, name=name, sheet=candidate, header_row=row)
            except DataError as error:
                first_error = first_error or error
                continue
            read_any = True
            score = header_score(list(table.frame.columns), table)
            if score > best_score:
                best, best_score = (table, candidate, row), score
        seen.append(str(candidate))
    if best is None and not read_any and first_error is not None:
        raise first_error  # not a table at all (an old binary .xls, an empty file...)
    if best is None:
        where = f" (sheets: {', '.join(seen)})" if seen != ["None"] else ""
        raise ReadError(f"no row among the first {MAX_HEADER_ROW} looks like column names "
                        f"over data{where}: the file needs a header row naming its columns",
                        file=name, rule="no_header")
    table, found_sheet, row = best
    groups = _groups_above(path, name, found_sheet, row, list(table.frame.columns))
    evidence = f"header found at row {row}" + (f" of sheet {found_sheet!r}" if found_sheet else "")
    if row > 1:
        evidence += f" ({row - 1} title/group row(s) above)"
    return Located(table, found_sheet, row, groups, evidence)


def _groups_above(path: Path, name: str, sheet: str | None, row: int,
                  columns: list[str]) -> dict[str, str]:
    """Headings of the row just above the header, carried right over merged cells."""
    if row < 2:
        return {}
    try:
        above = read_table(path, name=name, sheet=sheet, header_row=row - 1)
    except DataError:
        return {}
    headings = list(above.frame.columns)
    out, current = {}, None
    for position, column in enumerate(columns):
        heading = headings[position] if position < len(headings) else None
        if heading and not heading.startswith("column_"):
            current = heading
        if current:
            out[column] = current
    return out
