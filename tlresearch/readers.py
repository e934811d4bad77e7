"""Read one raw export (CSV or XLSX) into a table of strings, noting every change made.

Survey tools and the people who re-save their exports produce every flavour of file:
Windows-1252 or UTF-16 text, ``;`` or tab delimiters, group headings merged above the
column names, rows broken by a stray quote, accents decomposed by a Mac, text that went
through the wrong encoding twice. The reader turns all of them into a
:class:`RawTable` of plain strings (parsing values is :mod:`tlresearch.values`' job)
and says what it noticed as :class:`~tlresearch.quality.Issue` records.

Rows the reader knows are broken stay in the frame and are listed in
``RawTable.row_problems``: the caller quarantines them, so that every data row of the
file is accounted for (rows in = rows kept + rows quarantined). Raw files are only ever
opened with ``"rb"``; the library never writes under ``data/raw``.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path

import pandas as pd

from .errors import ReadError
from .quality import Issue
from .values import normalise_text

#: Column delimiters a survey export may use. On a tie the rarer one in free text wins:
#: a tab or a semicolon in a header is a delimiter, a comma may be prose ("Nom, prénom").
DELIMITERS = ("\t", ";", ",")

#: Records read to choose the delimiter (after the header).
SAMPLE_RECORDS = 20

#: Characters that make a single-column header look like a file with an unusual delimiter.
OTHER_DELIMITERS = ("|", ":", "^", "~")

#: Invisible characters str.strip() keeps (it already strips no-break spaces).
_INVISIBLE = "\ufeff\u200b"

#: Magic numbers of binary formats: XLSX (a zip archive) and the old OLE2 .xls.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Control characters never found in survey text: their presence means a wrong decoding.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

#: Characters a UTF-8 continuation byte (0x80-0xBF) becomes when read as cp1252/latin-1.
_CONTINUATION = "".join(sorted({
    bytes([b]).decode(enc, errors="ignore") for b in range(0x80, 0xC0)
    for enc in ("cp1252", "latin-1")} - {""}))
_CONT = f"[{re.escape(_CONTINUATION)}]"

#: Telltale mojibake of French text: é→Ã©, nbsp→Â\xa0, œ→Å“, ’→â€™.
_MOJIBAKE = re.compile(f"[ÃÂÅ]{_CONT}|â€")

#: One UTF-8 multi-byte sequence rendered as cp1252/latin-1 characters.
_UTF8_SEQUENCE = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}")

#: Text a spreadsheet would run as a formula (CWE-1236)...
_FORMULA_START = re.compile(r"[=+@-]")
#: ...unless it is a signed number or a phone number: -1, -2,5, +33 5 56 00 00 00, -1E+2.
_SIGNED_NUMBER = re.compile(
    r"[+-][\d\s\u00a0\u202f.,()/+-]*|[+-]\d+(?:[.,]\d+)?[eE][+-]?\d+")


@dataclass
class RawTable:
    """One raw export as strings, with where each row came from and what was changed.

    Attributes
    ----------
    name : str
        Display name used in messages, e.g. ``"2019/export.csv"``.
    frame : pandas.DataFrame
        One column per header, ``object`` dtype; every cell is a ``str`` or ``pd.NA``.
        Blank and whitespace-only cells are ``pd.NA``. Index is 0..n-1.
    rows : list of int
        For each frame row, the row number a person sees opening the file (header
        row = ``header_row``; CSV counts logical records, XLSX uses sheet rows).
    encoding, delimiter, sheet : str or None
        How the file was read (``None`` where it does not apply).
    issues : list of Issue
        What the reader noticed or changed (``wave`` left ``None``, ``file=name``).
    row_problems : dict of int to Issue
        Source row -> reason, for broken rows still present in ``frame``.
    blank_rows : list of int
        Source rows that were completely empty and were dropped from ``frame``.
    header_row : int
        Row number of the column names.
    """

    name: str
    frame: pd.DataFrame
    rows: list[int]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    issues: list[Issue] = field(default_factory=list)
    row_problems: dict[int, Issue] = field(default_factory=dict)
    blank_rows: list[int] = field(default_factory=list)
    header_row: int = 1


@dataclass
class _Grid:
    """A file cut into header and records, before cells are cleaned."""

    columns: list[str]
    records: list[list[str | None]]
    rows: list[int]
    header_row: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)
    row_problems: dict[int, Issue] = field(default_factory=dict)


def read_table(path: str | Path, *, name: str | None = None, sheet: str | None = None,
               header_row: int | None = None) -> RawTable:
    """Read a CSV or XLSX export into a :class:`RawTable` of strings.

    The format is decided by the content (an XLSX file is a zip archive), never by the
    extension: exports are often renamed by hand.

    Parameters
    ----------
    path : str or Path
        The raw file; it is opened read-only.
    name : str, optional
        Name used in messages and issues (default: the file name).
    sheet : str, optional
        XLSX sheet to read (default: the first sheet holding a table). Ignored for CSV.
    header_row : int, optional
        Row of the column names; rows above it are skipped (default: the first
        non-empty row). Needed when group headings sit above the column names.

    Returns
    -------
    RawTable

    Raises
    ------
    ReadError
        When the file cannot be read as a table; ``rule`` says why (``empty_file``,
        ``encoding``, ``delimiter``, ``duplicate_header``, ``merged_header``, ``sheet``,
        ``no_data_rows``...).

    Examples
    --------
    >>> table = read_table("data/raw/2019/export.csv", name="2019/export.csv")  # doctest: +SKIP
    >>> table.frame.columns.tolist()[:2], table.rows[:2]  # doctest: +SKIP
    (['id', 'Nom du lieu'], [2, 3])
    """
    path = Path(path)
    name = name or path.name
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise ReadError(f"header_row must be a row number >= 1, not {header_row!r}",
                        file=name, rule="header_row")
    data = _read_bytes(path, name)
    if not data.strip():
        raise ReadError("the file is empty", file=name, rule="empty_file")
    if data.startswith(_OLE2_MAGIC):
        raise ReadError("an old Excel .xls file (binary): save it as .xlsx or CSV (UTF-8)",
                        file=name, rule="encoding")
    if data.startswith(_ZIP_MAGIC):
        grid = _xlsx_grid(data, name, sheet, header_row)
    else:
        grid = _csv_grid(data, name, header_row)
        if sheet is not None:
            grid.issues.append(Issue("sheet_ignored", "reported",
                                     f"sheet {sheet!r} ignored: the file is CSV text", file=name))
    return _finish(grid, name)


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ReadError(f"cannot open the file ({exc.strerror or exc})", file=name,
                        rule="unreadable_file") from None


# --- CSV ---------------------------------------------------------------------------------

def _csv_grid(data: bytes, name: str, header_row: int | None) -> _Grid:
    """Decode, find the delimiter, cut into records and list the broken ones.

    Lines above ``header_row`` are skipped as physical lines (they are titles, not
    records); from the header on, row numbers count logical records, as a spreadsheet
    shows them when a quoted cell spans several lines.
    """
    text, encoding = _decode(data, name)
    issues = []
    if encoding not in ("utf-8", "utf-8-sig"):
        issues.append(Issue("encoding_detected", "reported",
                            f"the file is not UTF-8; read as {encoding}", file=name))
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ReadError("the file is empty", file=name, rule="empty_file")
    lines = io.StringIO(text, newline="").readlines()
    first = header_row or 1 + next(i for i, line in enumerate(lines) if line.strip())
    if first > len(lines):
        raise ReadError(f"header_row {first} is past the end of the file ({len(lines)} lines)",
                        file=name, rule="header_row")
    lines = lines[first - 1:]
    delimiter = _detect_delimiter(lines, name, first)
    records, last_start = _parse_csv(lines, delimiter, name, first)
    columns, header_issues = _normalise_header(records[0], name, first)
    grid = _Grid(columns=columns, records=[], rows=[], header_row=first, encoding=encoding,
                 delimiter=delimiter, issues=issues + header_issues)
    width = len(columns)
    truncated = _truncation(text, records[-1], lines[last_start:], delimiter, width)
    for index, record in enumerate(records[1:], start=1):
        row = first + index
        grid.rows.append(row)
        grid.records.append((record + [None] * width)[:width])
        if not any(cell.strip() for cell in record):
            continue  # a blank row: dropped and counted later, not quarantined
        if truncated and index == len(records) - 1:
            grid.row_problems[row] = Issue("truncated_row", "quarantined", truncated,
                                           file=name, row=row)
        elif len(record) != width:
            grid.row_problems[row] = Issue(
                "field_count", "quarantined",
                f"expected {width} fields as in the header, found {len(record)}",
                file=name, row=row)
    return grid


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode text bytes, trying UTF-8 first, then Windows-1252/Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise ReadError("the file holds NUL bytes: it is binary, or UTF-16 without a "
                        "byte-order mark; export it again as CSV (UTF-8)",
                        file=name, rule="encoding")
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            candidates = _legacy_encodings(data)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding.startswith("utf") or not _CONTROL.search(text):
            return text, encoding
    raise ReadError("the bytes are neither UTF-8, UTF-16 nor Windows-1252/Latin-1 text; "
                    "export the file again as CSV (UTF-8)", file=name, rule="encoding")


def _legacy_encodings(data: bytes) -> list[str]:
    """Single-byte encodings to try: charset-normalizer's pick (if any), then cp1252."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1"]).best()
    guess = [best.encoding.replace("_", "-")] if best is not None else []
    return list(dict.fromkeys(guess + ["cp1252"]))


def _detect_delimiter(lines: list[str], name: str, first: int) -> str:
    """Pick the delimiter giving a multi-column header and the steadiest field count."""
    best, best_score = None, None
    for delimiter in DELIMITERS:
        try:
            sample = list(islice(csv.reader(lines, delimiter=delimiter), SAMPLE_RECORDS + 1))
        except csv.Error:  # e.g. a cell over the field size limit: not this delimiter
            continue
        width = len(sample[0])
        if width < 2:
            continue
        body = [record for record in sample[1:] if any(cell.strip() for cell in record)]
        steady = sum(len(record) == width for record in body) / len(body) if body else 1.0
        if best_score is None or (steady, width) > best_score:
            best, best_score = delimiter, (steady, width)
    if best is None:
        header = lines[0]
        hint = next((f"; the header seems to use {c!r}" for c in OTHER_DELIMITERS if c in header),
                    "; the header holds a single column")
        raise ReadError("cannot find the column delimiter (, ; or tab) in the header" + hint,
                        file=name, row=first, rule="delimiter")
    return best


def _parse_csv(lines: list[str], delimiter: str, name: str,
               first: int) -> tuple[list[list[str]], int]:
    """All records, and the index in ``lines`` where the last record starts."""
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)
    records, last_start, consumed = [], 0, 0
    try:
        for record in reader:
            records.append(record)
            last_start, consumed = consumed, reader.line_num
    except csv.Error as exc:
        raise ReadError(f"the CSV cannot be parsed ({exc})", file=name,
                        row=first + len(records), rule="csv_syntax") from None
    return records, last_start


def _truncation(text: str, last: list[str], last_lines: list[str], delimiter: str,
                width: int) -> str | None:
    """Why the last record looks cut off (an export interrupted mid-write), or None."""
    if _ends_inside_quotes("".join(last_lines), delimiter):
        return ("the file ends inside a quoted cell that is never closed: the export looks "
                "truncated and the rest of the file was read as one cell")
    if not text.endswith(("\n", "\r")) and 0 < len(last) < width:
        return (f"the last line has {len(last)} of {width} fields and no line end: "
                "the export looks truncated")
    return None


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Whether ``text`` (one record) ends inside a quoted field, as csv would read it."""
    in_quotes, field_start, i = False, True, 0
    while i < len(text):
        char = text[i]
        if in_quotes and char == '"':
            if text[i + 1:i + 2] == '"':
                i += 1
            else:
                in_quotes = False
        elif not in_quotes and char == '"' and field_start:
            in_quotes = True
        field_start = not in_quotes and char in (delimiter, "\n", "\r")
        i += 1
    return in_quotes


# --- XLSX --------------------------------------------------------------------------------

def _xlsx_grid(data: bytes, name: str, sheet: str | None, header_row: int | None) -> _Grid:
    """Pick the sheet and header row, and turn every cell into text (row numbers = sheet's)."""
    formulas_book, values_book = _load_workbooks(data, name)
    ws = _pick_sheet(formulas_book, name, sheet)
    cells = _sheet_cells(ws, values_book[ws.title])
    filled = [row for row, values in cells.items() if _row_has_data(values)]
    if not filled:
        raise ReadError(f"sheet {ws.title!r} is empty", file=name, rule="empty_file")
    first, last = header_row or filled[0], filled[-1]  # rows below `last` are formatting
    if header_row is None:
        _check_header_row(ws, cells, filled, name)
    if first > last or not _row_has_data(cells[first]):
        raise ReadError(f"header_row {first} is an empty row of sheet {ws.title!r}",
                        file=name, row=first, rule="header_row")
    width = max(_last_filled(cells[row]) for row in range(first, last + 1))
    issues: list[Issue] = []
    header = _header_cells(ws, cells, first, width, name, issues)
    columns, header_issues = _normalise_header(header, name, first)
    grid = _Grid(columns=columns, records=[], rows=[], header_row=first, sheet=ws.title,
                 issues=header_issues + issues)
    for row in range(first + 1, last + 1):
        values = (cells[row] + [(None, None)] * width)[:width]
        grid.rows.append(row)
        grid.records.append([_xlsx_text(value, formula, name, row, column, grid.issues)
                             for (value, formula), column in zip(values, columns)])
    return grid


def _load_workbooks(data: bytes, name: str):
    """The workbook twice: with formulas, and with the values Excel last computed."""
    import openpyxl  # heavy: imported only when an XLSX is read

    try:
        with warnings.catch_warnings():
            # Exports made by PhpSpreadsheet & co. trigger style warnings with no effect
            # on values; they would only be noise in every run.
            warnings.simplefilter("ignore", UserWarning)
            return (openpyxl.load_workbook(io.BytesIO(data), data_only=False),
                    openpyxl.load_workbook(io.BytesIO(data), data_only=True))
    except Exception as exc:  # openpyxl raises many types for a bad archive
        raise ReadError(f"cannot read the file as an XLSX workbook ({type(exc).__name__})",
                        file=name, rule="xlsx") from None


def _pick_sheet(book, name: str, sheet: str | None):
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise ReadError(f"no sheet named {sheet!r}; sheets: {book.sheetnames}",
                            file=name, rule="sheet")
        return book[sheet]
    filled = {}
    for ws in book.worksheets:  # skip cover sheets such as "Lisez-moi"
        filled[ws.title] = sum(1 for values in ws.iter_rows(values_only=True)
                               if any(_has_value(v) for v in values))
        if filled[ws.title] >= 2:
            return ws
    if any(filled.values()):
        raise ReadError(f"no sheet holds a header and data rows; sheets: {book.sheetnames}",
                        file=name, rule="no_data_rows")
    raise ReadError("every sheet of the workbook is empty", file=name, rule="empty_file")


def _sheet_cells(ws_formulas, ws_values) -> dict[int, list[tuple[object, str | None]]]:
    """Sheet row -> [(value, formula or None)], the value being Excel's cached one."""
    out = {}
    for row_f, row_v in zip(ws_formulas.iter_rows(), ws_values.iter_rows()):
        out[row_f[0].row] = [
            (cv.value, _formula_text(cf.value)) if cf.data_type == "f" else (cf.value, None)
            for cf, cv in zip(row_f, row_v)]
    return out


def _formula_text(value: object) -> str:
    return str(getattr(value, "text", value))  # ArrayFormula keeps its text in .text


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _row_has_data(values: list[tuple[object, str | None]]) -> bool:
    return any(_has_value(value) or formula for value, formula in values)


def _last_filled(values: list[tuple[object, str | None]]) -> int:
    return max((i + 1 for i, (v, f) in enumerate(values) if _has_value(v) or f), default=0)


def _check_header_row(ws, cells, filled: list[int], name: str) -> None:
    """Refuse a guessed header that is really a title or group headings above it."""
    first = filled[0]
    for merged in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.min_row <= first <= merged.max_row and merged.max_col > merged.min_col:
            raise ReadError(
                f"row {first} has cells merged across columns ({merged.coord}): group "
                "headings above the column names; set header_row in the codebook "
                f"(e.g. \"header_row: {merged.max_row + 1}\")",
                file=name, row=first, rule="merged_header")
    widest = max(_last_filled(cells[row]) for row in filled)
    header_cells = sum(_has_value(value) or bool(formula) for value, formula in cells[first])
    if len(filled) > 1 and widest > 1 and header_cells == 1:
        raise ReadError(
            f"row {first} holds a single cell (a title?) above a wider table; set "
            f"header_row in the codebook (e.g. \"header_row: {filled[1]}\")",
            file=name, row=first, rule="header_row")


def _header_cells(ws, cells, first: int, width: int, name: str,
                  issues: list[Issue]) -> list[str | None]:
    """Header texts; a name merged down from above (A1:A2) counts for the header row."""
    values = (cells[first] + [(None, None)] * width)[:width]
    header = [_xlsx_text(v, f, name, first, None, issues) for v, f in values]
    for merged in ws.merged_cells.ranges:
        column = merged.min_col
        if (merged.min_row < first <= merged.max_row and merged.min_col == merged.max_col
                and column <= width and header[column - 1] is None):
            value, formula = cells[merged.min_row][column - 1]
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


# --- header and cells, both formats -------------------------------------------------------

def _normalise_header(raw: list[str | None], name: str, row: int) -> tuple[list[str], list[Issue]]:
    """Clean column names; empty ones get a position name; duplicates are refused."""
    columns, issues = [], []
    for position, original in enumerate(raw, start=1):
        text = normalise_text((original or "").replace("\ufeff", ""))
        if text is None:
            text = f"column_{position}"
            issues.append(Issue("empty_header", "reported", f"column {position} has no name",
                                file=name, row=row, column=text))
        else:
            repaired, fixed = _repair_mojibake(text)
            if fixed:
                text = repaired
            if text != original:
                issues.append(Issue("header_normalised", "corrected",
                                    "column name cleaned (spaces, accents, encoding)",
                                    file=name, row=row, column=text, value=original))
        if text in columns:
            raise ReadError("two columns have this name (after trimming spaces)",
                            file=name, row=row, column=text, rule="duplicate_header")
        columns.append(text)
    return columns, issues


def _finish(grid: _Grid, name: str) -> RawTable:
    """Clean every cell, drop blank rows and build the table."""
    issues, kept, rows, blank_rows = grid.issues, [], [], []
    decomposed = 0
    for row, record in zip(grid.rows, grid.records):
        cells = []
        for column, value in zip(grid.columns, record):
            cell, was_nfd = _clean_cell(value, name, row, column, issues)
            cells.append(cell)
            decomposed += was_nfd
        if all(cell is pd.NA for cell in cells):
            blank_rows.append(row)
            issues.append(Issue("blank_row", "reported", "empty row dropped: not a response",
                                file=name, row=row))
            continue
        kept.append(cells)
        rows.append(row)
    if not kept:
        raise ReadError(f"the file has a header (row {grid.header_row}) but no data row",
                        file=name, rule="no_data_rows")
    if decomposed:
        issues.append(Issue("unicode_normalised", "corrected",
                            f"{decomposed} cells had decomposed accents (NFD), recomposed (NFC)",
                            file=name))
    frame = pd.DataFrame(kept, columns=grid.columns, dtype=object)
    return RawTable(name=name, frame=frame, rows=rows, encoding=grid.encoding,
                    delimiter=grid.delimiter, sheet=grid.sheet, issues=issues,
                    row_problems=grid.row_problems, blank_rows=blank_rows,
                    header_row=grid.header_row)


def _clean_cell(value: str | None, name: str, row: int, column: str,
                issues: list[Issue]) -> tuple[object, bool]:
    """One cell: NFC, trimmed, mojibake repaired, formula neutralised. Returns (cell, was NFD)."""
    if value is None:
        return pd.NA, False
    composed = unicodedata.normalize("NFC", value)
    text = _trim(composed)
    if not text:
        return pd.NA, False
    if _MOJIBAKE.search(composed):
        # Repaired before trimming: "à" read as cp1252 is "Ã" + no-break space.
        repaired, fixed = _repair_mojibake(composed)
        where = dict(file=name, row=row, column=column, value=text)
        if fixed:
            issues.append(Issue("mojibake", "corrected",
                                "UTF-8 text that had been read as Windows-1252, repaired", **where))
            text = _trim(repaired)
        else:
            issues.append(Issue("mojibake", "flagged",
                                "looks like UTF-8 read as Windows-1252 but cannot be "
                                "repaired safely", **where))
    if _FORMULA_START.match(text) and not _SIGNED_NUMBER.fullmatch(text):
        issues.append(Issue("formula_injection", "neutralised",
                            "text a spreadsheet would run as a formula, prefixed with '",
                            file=name, row=row, column=column, value=text))
        text = "'" + text
    return text, composed != value


def _trim(text: str) -> str:
    """Strip any Unicode space (no-break and narrow no-break included), BOM and ZWSP."""
    text = text.strip()
    while text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = text.strip(_INVISIBLE).strip()
    return text


def _repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8 read as cp1252 (twice at most); True only if nothing suspect remains."""
    repaired = text
    for _ in range(2):
        repaired = _UTF8_SEQUENCE.sub(_decode_sequence, repaired)
        if not _MOJIBAKE.search(repaired):
            break
    repaired = unicodedata.normalize("NFC", repaired)
    return repaired, repaired != text and not _MOJIBAKE.search(repaired)


def _decode_sequence(match: re.Match) -> str:
    chars = match.group()
    for encoding in ("cp1252", "latin-1"):
        try:
            return chars.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return chars
