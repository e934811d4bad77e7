"""XLSX exports: pick the sheet and the header row, and turn every cell into text.

Part of :mod:`tlresearch.io.raw_tables`, which cleans the cells; row numbers are the sheet's.

Speed. ``openpyxl.load_workbook`` builds a Python object per cell, and the values Excel
saved for formulas needed a second full load (``data_only=True``): some 20 s for a
20 000-row export. Here a read-only openpyxl workbook gives the sheet list, shared
strings and date styles, and each sheet is parsed once, streaming, by openpyxl's own
sheet parser extended to keep a formula *and* its saved value; plain cells (a string,
a number not styled as a date) skip openpyxl's generic cell and rich-text code. What a
full load did on top of that parser is redone on the cells: a merged range blanks the
cells it covers, a hyperlink gives an empty cell its target as value. The cells are
those the two full loads gave (tests/test_readers.py checks it against a full load).
Only the sheets examined are parsed: a broken sheet the table is not on no longer makes
the whole file unreadable.

openpyxl is pinned (pyproject.toml): ``ExcelReader``, ``ReadOnlyWorksheet`` and
``WorkSheetParser`` are internals, used here as openpyxl's read-only mode uses them; the
comparison with a full load in tests/test_readers.py fails if a new version moves them.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.packaging.relationship import RelationshipList, get_dependents, get_rels_path
from openpyxl.utils import coordinate_to_tuple
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from tlresearch.core.errors import ReadError
from tlresearch.core.quality_log import Issue
from tlresearch.io.archive_limits import MAX_CELLS, check_inflated_size, too_many_cells
from tlresearch.io.grid import Grid, normalise_header
from tlresearch.io.xlsx_parser import EMPTY as _EMPTY
from tlresearch.io.xlsx_parser import BookReader, Cell, SheetParser


@dataclass
class _Sheet:
    """One parsed worksheet."""

    title: str
    cells: dict[int, list[Cell]]   # sheet row -> cells from column A, rows in order
    merged: set[CellRange]         # as openpyxl's ``ws.merged_cells.ranges``
    widths: dict[int, int]         # sheet row -> last column holding data, 0 if none

    def row(self, number: int) -> list[Cell]:
        return self.cells.get(number, [])  # a row absent from the XML is empty

    def width(self, number: int) -> int:
        return self.widths.get(number, 0)


#: Empty rows that end a table: what lies below is stray cells, not responses.
MAX_BLANK_RUN = 1000


def xlsx_grid(data: bytes, name: str, sheet: str | None, header_row: int | None) -> Grid:
    """Pick the sheet and header row, and turn every cell into text (row numbers = sheet's)."""
    check_inflated_size(data, name, "XLSX")
    found, note = _read_workbook(data, name, sheet)
    grid = sheet_grid(found, name, header_row)
    if note is not None:
        grid.issues.insert(0, note)
    return grid


def sheet_grid(found: _Sheet, name: str, header_row: int | None) -> Grid:
    """The table of one parsed sheet (XLSX or ODS): header row, records, stray rows."""
    filled = [row for row, width in found.widths.items() if width]
    if not filled:
        raise ReadError(f"sheet {found.title!r} is empty", file=name, rule="empty_file")
    first, last = header_row or filled[0], filled[-1]  # rows below `last` are formatting
    if header_row is None:
        _check_header_row(found, filled, name)
    if first > last or not found.width(first):
        raise ReadError(f"header_row {first} is an empty row of sheet {found.title!r}",
                        file=name, row=first, rule="header_row")
    body = [row for row in filled if row > first]
    end, stray = _table_end(first, body)
    width = max(found.width(row) for row in [first, *body])
    issues: list[Issue] = []
    header = _header_cells(found, first, width, name, issues)
    columns, header_issues = normalise_header(header, name, first)
    grid = Grid(columns=columns, records=[], rows=[], header_row=first, sheet=found.title,
                issues=header_issues + issues, records_in=end - first + len(stray))
    padding = [_EMPTY] * width
    for row in [*range(first + 1, end + 1), *stray]:
        values = (found.row(row) + padding)[:width]
        grid.rows.append(row)
        grid.records.append([
            _cell_text(value) if formula is None
            else _xlsx_text(value, formula, name, row, column, grid.issues)
            for (value, formula), column in zip(values, columns)])
    if stray:
        gap = stray[0] - end - 1
        grid.issues.append(Issue("blank_rows_trimmed", "reported",
                                 f"{gap} empty rows after row {end} end the table; they are "
                                 "not counted as rows", file=name, row=end + 1))
        for row in stray:
            grid.row_problems[row] = Issue(
                "after_blank_gap", "quarantined",
                f"a row after {gap} empty rows: stray cells below the table, not a response",
                file=name, row=row)
    return grid


def _table_end(first: int, body: list[int]) -> tuple[int, list[int]]:
    """Last row of the table, and the filled rows below a run of blank rows that ends it.

    A stray cell at row 1 048 576 must not make a million empty rows into responses:
    more than :data:`MAX_BLANK_RUN` empty rows end the table.
    """
    previous = first
    for position, row in enumerate(body):
        if row - previous - 1 > MAX_BLANK_RUN:
            return previous, body[position:]
        previous = row
    return previous, []


# --- workbook and sheets -----------------------------------------------------------------

def _read_workbook(data: bytes, name: str, sheet: str | None) -> tuple[_Sheet, Issue | None]:
    """Open the workbook read-only and parse the sheet holding the table."""
    try:
        with warnings.catch_warnings():
            # Exports made by PhpSpreadsheet & co. trigger style warnings with no effect
            # on values; they would only be noise in every run.
            warnings.simplefilter("ignore", UserWarning)
            reader = BookReader(io.BytesIO(data), read_only=True)  # = load_workbook(...)
            reader.read()
            book = reader.wb
    except Exception as exc:  # noqa: BLE001 -- openpyxl raises many types for a bad archive
        raise _not_a_workbook(type(exc).__name__, name) from None
    try:
        return _pick_sheet(book, name, sheet)
    finally:
        book.close()  # a read-only workbook keeps its archive open


def _not_a_workbook(kind: str, name: str) -> ReadError:
    return ReadError(f"cannot read the file as an XLSX workbook ({kind})", file=name,
                     rule="xlsx")


def _pick_sheet(book, name: str, sheet: str | None) -> tuple[_Sheet, Issue | None]:
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise ReadError(f"no sheet named {sheet!r}; sheets: {book.sheetnames}",
                            file=name, rule="sheet")
        return _read_sheet(book, book[sheet], name), None
    filled = {}
    hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
    for ws in book.worksheets:  # skip cover sheets such as "Lisez-moi", and hidden ones
        if ws.title in hidden:
            continue
        found = _read_sheet(book, ws, name)
        filled[ws.title] = sum(1 for width in found.widths.values() if width)
        if filled[ws.title] >= 2:
            return found, sheet_read_note(name, ws.title, list(book.sheetnames), hidden)
    if any(filled.values()):
        raise ReadError(f"no sheet holds a header and data rows; sheets: {book.sheetnames}"
                        + (f" (hidden, not read: {hidden})" if hidden else ""),
                        file=name, rule="no_data_rows")
    raise ReadError("every sheet of the workbook is empty"
                    + (f" (hidden, not read: {hidden})" if hidden else ""),
                    file=name, rule="empty_file")


def sheet_read_note(name: str, title: str, sheets: list[str], hidden: list[str]) -> Issue | None:
    """Which sheet was read, when the workbook has several (a cover sheet, a hidden one)."""
    if len(sheets) < 2:
        return None
    skipped = f"; hidden sheets skipped: {hidden}" if hidden else ""
    return Issue("sheet_read", "reported",
                 f"sheet {title!r} read, the first visible one holding a table "
                 f"(sheets: {sheets}{skipped}); set sheet in the codebook to read another",
                 file=name)


def _read_sheet(book, ws, name: str) -> _Sheet:
    """Every cell of a sheet, with merged ranges and hyperlinks applied as openpyxl does."""
    rows: dict[int, dict[int, Cell]] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # as when loading, see above
            with ws._get_source() as source:
                parser = SheetParser(source, ws._shared_strings, epoch=book.epoch,
                                      date_formats=book._date_formats,
                                      timedelta_formats=book._timedelta_formats)
                count = 0
                for _, cells in parser.parse():
                    count += len(cells)
                    if count > MAX_CELLS:
                        raise too_many_cells(name, ws.title)
                    for row, column, cell in cells:
                        rows.setdefault(row, {})[column] = cell
            merged = set()
            if parser.merged_cells:
                merged = MultiCellRange(
                    [CellRange(item.ref) for item in parser.merged_cells.mergeCell]).ranges
            _blank_merged(rows, merged)
            _apply_hyperlinks(rows, merged, parser.hyperlinks.hyperlink, book, ws)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 -- any failure of a sheet is "not a workbook"
        # A full load reported any ValueError met in a sheet as a plain ValueError.
        kind = "ValueError" if isinstance(exc, ValueError) else type(exc).__name__
        raise _not_a_workbook(kind, name) from None
    cells = {row: _as_list(rows[row]) for row in sorted(rows) if row >= 1}
    widths = {row: _last_filled(values) for row, values in cells.items()}
    return _Sheet(title=ws.title, cells=cells, merged=merged, widths=widths)


def _as_list(columns: dict[int, Cell]) -> list[Cell]:
    out = [_EMPTY] * max(columns, default=0)
    for column, cell in columns.items():
        if column >= 1:
            out[column - 1] = cell
    return out


def _span(present, low: int, high: int):
    """Keys of ``present`` within [low, high], without walking a huge range cell by cell."""
    if high - low < len(present):
        return [key for key in range(low, high + 1) if key in present]
    return [key for key in present if low <= key <= high]


def _blank_merged(rows: dict[int, dict[int, Cell]], merged: set[CellRange]) -> None:
    """Only the top-left cell of a merged range keeps its value (a full load does this)."""
    for cells_range in merged:
        anchor = (cells_range.min_row, cells_range.min_col)
        for row in _span(rows, cells_range.min_row, cells_range.max_row):
            columns = rows[row]
            for column in _span(columns, cells_range.min_col, cells_range.max_col):
                if (row, column) != anchor:
                    columns[column] = _EMPTY


def _within(cells_range: CellRange, row: int, column: int) -> bool:
    return (cells_range.min_row <= row <= cells_range.max_row
            and cells_range.min_col <= column <= cells_range.max_col)


def _hidden(merged: set[CellRange], row: int, column: int) -> bool:
    """Whether a merged range hides this cell (it is not that range's top-left cell)."""
    return any(_within(cells_range, row, column)
               and (cells_range.min_row, cells_range.min_col) != (row, column)
               for cells_range in merged)


def _apply_hyperlinks(rows: dict[int, dict[int, Cell]], merged: set[CellRange], links,
                      book, ws) -> None:
    """A hyperlink on an empty cell makes its target the cell's value, as a full load did.

    A link on a cell hidden by a merged range goes to the range's top-left cell; a link
    over a range skips hidden cells.
    """
    rels = None
    for link in links:
        target = link.target
        if link.id:
            if rels is None:
                path = get_rels_path(ws._worksheet_path)
                rels = (get_dependents(book._archive, path)
                        if path in book._archive.namelist() else RelationshipList())
            target = rels.get(link.id).Target
        text = target or link.location
        if ":" in link.ref:
            places = [(row, column) for row, column in CellRange(link.ref).cells
                      if not _hidden(merged, row, column)]
        else:
            row, column = coordinate_to_tuple(link.ref)
            if _hidden(merged, row, column):
                first = next(r for r in merged if _within(r, row, column))
                row, column = first.min_row, first.min_col
                if _hidden(merged, row, column):  # overlapping ranges: openpyxl gave up
                    raise AttributeError("hyperlink on a cell hidden by merged ranges")
            places = [(row, column)]
        for row, column in places:
            value, formula = rows.get(row, {}).get(column, _EMPTY)
            if value is None and text is not None:
                if formula is None and len(text) > 1 and text.startswith("="):
                    formula = text  # openpyxl takes such a text for a formula
                rows.setdefault(row, {})[column] = (text, formula)


# --- header and cells --------------------------------------------------------------------

def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _last_filled(values: list[Cell]) -> int:
    """Position (from 1) of the last cell holding a value or a formula; 0 for none."""
    for position in range(len(values), 0, -1):
        value, formula = values[position - 1]
        if formula or _has_value(value):
            return position
    return 0


def _check_header_row(found: _Sheet, filled: list[int], name: str) -> None:
    """Refuse a guessed header that is really a title or group headings above it."""
    first = filled[0]
    for merged in sorted(found.merged, key=lambda r: (r.min_row, r.min_col)):
        if merged.min_row <= first <= merged.max_row and merged.max_col > merged.min_col:
            raise ReadError(
                f"row {first} has cells merged across columns ({merged.coord}): group "
                "headings above the column names; set header_row in the codebook "
                f"(e.g. \"header_row: {merged.max_row + 1}\")",
                file=name, row=first, rule="merged_header")
    widest = max(found.width(row) for row in filled)
    header_cells = sum(_has_value(value) or bool(formula) for value, formula in found.row(first))
    if len(filled) > 1 and widest > 1 and header_cells == 1:
        raise ReadError(
            f"row {first} holds a single cell (a title?) above a wider table; set "
            f"header_row in the codebook (e.g. \"header_row: {filled[1]}\")",
            file=name, row=first, rule="header_row")


def _header_cells(found: _Sheet, first: int, width: int, name: str,
                  issues: list[Issue]) -> list[str | None]:
    """Header texts; a name merged down from above (A1:A2) counts for the header row."""
    values = (found.row(first) + [_EMPTY] * width)[:width]
    header = [_xlsx_text(v, f, name, first, None, issues) for v, f in values]
    for merged in found.merged:
        column = merged.min_col
        if (merged.min_row < first <= merged.max_row and merged.min_col == merged.max_col
                and column <= width and header[column - 1] is None):
            above = found.row(merged.min_row)
            value, formula = above[column - 1] if column <= len(above) else _EMPTY
            header[column - 1] = _xlsx_text(value, formula, name, merged.min_row, None, issues)
    return header


def _xlsx_text(value: object, formula: str | None, name: str, row: int,
               column: str | None, issues: list[Issue]) -> str | None:
    """A cell as text; formulas give Excel's cached result, never the formula itself."""
    if formula is not None:
        if value is None:
            issues.append(Issue("formula_cell", "set_missing",
                                "formula without a saved result: cell left empty",
                                file=name, row=row, column=column, value=formula))
            return None
        issues.append(Issue("formula_cell", "corrected",
                            "formula replaced by its saved result",
                            file=name, row=row, column=column, value=formula))
    return _cell_text(value)


def _cell_text(value: object) -> str | None:
    """Excel value -> text the way a person reads it (12, 2.5, 2019-03-12)."""
    if type(value) is str:  # most cells: first and cheapest test
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.microsecond:  # Excel stores times as fractions of a day
            value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def sheet_names(path) -> list[str]:
    """Sheet names of an XLSX workbook, ``[]`` for a text export (not a zip)."""
    data = Path(path).read_bytes()
    if data[:2] != b"PK":
        return []
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()
