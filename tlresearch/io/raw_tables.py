"""Read one raw export (CSV or XLSX) into a table of strings, noting every change made.

Survey tools and the people who re-save their exports produce every flavour of file:
Windows-1252 or UTF-16 text, ``;`` or tab delimiters, group headings merged above the
column names, rows broken by a stray quote, accents decomposed by a Mac, text that went
through the wrong encoding twice. The reader turns all of them into a
:class:`RawTable` of plain strings (parsing values is :mod:`tlresearch.io.cells`' job)
and says what it noticed as :class:`~tlresearch.core.quality_log.Issue` records.

Rows the reader knows are broken stay in the frame and are listed in
``RawTable.row_problems``: the caller quarantines them, so that every data row of the
file is accounted for (rows in = rows kept + rows quarantined). Raw files are only ever
opened with ``"rb"``; the library never writes under ``data/raw``.

This module holds the public API and what both formats share (header names, cell
cleaning); :mod:`tlresearch.io.csv_reader` and :mod:`tlresearch.io.xlsx_reader` cut each
format into a :class:`Grid` of raw cells.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tlresearch.core.errors import ReadError
from tlresearch.core.quality_log import Issue
from tlresearch.io.archive_limits import is_ods
from tlresearch.io.csv_reader import csv_grid
from tlresearch.io.grid import Grid
from tlresearch.io.mojibake import MOJIBAKE, repair_mojibake

#: Invisible characters str.strip() keeps (it already strips no-break spaces).
_INVISIBLE = "\ufeff\u200b"

#: Magic numbers of binary formats: XLSX (a zip archive) and the old OLE2 .xls.
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: A password-protected .xlsx is an OLE2 container whose stream is named EncryptedPackage.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

#: Memory of reading one export, as measured by benchmarks/bench_ingest_memory.py: the
#: file's bytes (and, briefly, their decoded text), the distinct cell values, and two
#: pointers per cell while the columns are built, besides the libraries. Measured: a
#: 2 000 000-row, 229 MB CSV export reads in 1 168 MB; 20 000 rows in 133 MB.
MEMORY_BUDGET = "3 x file size + 16 bytes per cell + 150 MB of libraries"

#: Error values a spreadsheet shows in a cell whose formula broke: never an answer.
SPREADSHEET_ERRORS = frozenset({"#REF!", "#N/A", "#NA", "#VALUE!", "#DIV/0!", "#NAME?",
                                "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA",
                                "#VALEUR!", "#NOM?", "#NOMBRE!", "#NUL!"})

#: Text a spreadsheet would run as a formula (CWE-1236): ``=``, ``@``, or a sign glued to
#: what follows (``-cmd|...``, ``+SUM(A1)``); « - Comptable », a bulleted list, is text...
_FORMULA_START = re.compile(r"[=@]|[+-](?!\s+[^\W\d_])")
#: ...unless it is a signed number or a phone number: -1, -2,5, +33 5 56 00 00 00, -1E+2.
_SIGNED_NUMBER = re.compile(
    r"[+-][\d\s\u00a0\u202f.,()/+-]*%?|[+-]\d+(?:[.,]\d+)?[eE][+-]?\d+")


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
    records_in : int
        Data records in the file below the header, counted as the file is cut, before
        anything is kept or dropped: "rows in" = kept + blank + quarantined rows.
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
    records_in: int = 0


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
    Not run as a test (it reads a data folder, a built panel or a file)::

        table = read_table("data/raw/2019/export.csv", name="2019/export.csv")
        table.frame.columns.tolist()[:2], table.rows[:2]
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
    if data.startswith(_OLE2_MAGIC) and _ENCRYPTED_PACKAGE in data:
        raise ReadError("a password-protected Excel file: remove the password (Fichier > "
                        "Informations > Protéger le classeur) and save it again as .xlsx",
                        file=name, rule="encrypted_file")
    if data.startswith(_OLE2_MAGIC):
        raise ReadError("an old Excel .xls file (binary): save it as .xlsx or CSV (UTF-8)",
                        file=name, rule="encoding")
    if data.startswith(_ZIP_MAGIC) and is_ods(data):
        # Imported here only because pandas' odf engine is heavy and rarely needed.
        from tlresearch.io.ods_reader import ods_grid
        grid = ods_grid(data, name, sheet, header_row)
    elif data.startswith(_ZIP_MAGIC):
        # Imported here only because openpyxl is heavy and CSV exports do not need it.
        from tlresearch.io.xlsx_reader import xlsx_grid
        grid = xlsx_grid(data, name, sheet, header_row)
    else:
        grid = csv_grid(data, name, header_row)
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


# --- cells, both formats ---------------------------------------------------------------

def _finish(grid: Grid, name: str) -> RawTable:
    """Clean every cell, drop blank rows and build the table, one record at a time.

    Cells are gathered column by column, and a value repeated down a column (a commune,
    an answer label, a number) is kept once: what a large export costs is then its
    distinct values plus one pointer per cell (see :data:`MEMORY_BUDGET`).
    """
    issues, rows, blank_rows = grid.issues, [], []
    width = len(grid.columns)
    data: list[list[object]] = [[] for _ in range(width)]
    seen: list[dict[str, str]] = [{} for _ in range(width)]
    decomposed = 0
    for row, record in grid.iter_records():
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
        for position, cell in enumerate(cells):
            if cell is not pd.NA:
                cell = seen[position].setdefault(cell, cell)
            data[position].append(cell)
        rows.append(row)
    grid.records, grid.rows = [], []
    if not rows:
        raise ReadError(f"the file has a header (row {grid.header_row}) but no data row",
                        file=name, rule="no_data_rows")
    if decomposed:
        issues.append(Issue("unicode_normalised", "corrected",
                            f"{decomposed} cells had decomposed accents (NFD), recomposed (NFC)",
                            file=name))
    frame = pd.DataFrame(_columns(grid.columns, data), dtype=object, copy=False)
    return RawTable(name=name, frame=frame, rows=rows, encoding=grid.encoding,
                    delimiter=grid.delimiter, sheet=grid.sheet, issues=issues,
                    row_problems=grid.row_problems, blank_rows=blank_rows,
                    header_row=grid.header_row, records_in=grid.records_in)


def _columns(names: list[str], data: list[list[object]]) -> dict[str, object]:
    """Column name -> object array, each list freed as soon as it is converted."""
    import numpy as np

    out = {}
    for position, name in enumerate(names):
        array = np.empty(len(data[position]), dtype=object)
        array[:] = data[position]
        data[position] = []
        out[name] = array
    return out


def _clean_cell(value: str | None, name: str, row: int, column: str,
                issues: list[Issue]) -> tuple[object, bool]:
    """One cell: NFC, trimmed, mojibake repaired, formula flagged. Returns (cell, was NFD)."""
    if value is None:
        return pd.NA, False
    composed = unicodedata.normalize("NFC", value)
    text = _trim(composed)
    if not text:
        return pd.NA, False
    if MOJIBAKE.search(composed):
        # Repaired before trimming: "à" read as cp1252 is "Ã" + no-break space.
        repaired, fixed = repair_mojibake(composed)
        where = dict(file=name, row=row, column=column, value=text)
        if fixed:
            issues.append(Issue("mojibake", "corrected",
                                "UTF-8 text that had been read as Windows-1252, repaired", **where))
            text = _trim(repaired)
        else:
            issues.append(Issue("mojibake", "flagged",
                                "looks like UTF-8 read as Windows-1252 but cannot be "
                                "repaired safely", **where))
    if text.upper() in SPREADSHEET_ERRORS:
        issues.append(Issue("spreadsheet_error", "set_missing",
                            "a spreadsheet error value, not an answer: cell left empty",
                            file=name, row=row, column=column, value=text))
        return pd.NA, composed != value
    if _FORMULA_START.match(text) and not _SIGNED_NUMBER.fullmatch(text):
        # Kept as typed: the data say what the respondent wrote. Neutralising belongs to
        # what a spreadsheet opens (report.table_schema.spreadsheet_safe, CSV files).
        issues.append(Issue("formula_injection", "flagged",
                            "text a spreadsheet would run as a formula: kept as typed, "
                            "neutralised in the published CSV files",
                            file=name, row=row, column=column, value=text))
    return text, composed != value


def _trim(text: str) -> str:
    """Strip any Unicode space (no-break and narrow no-break included), BOM and ZWSP."""
    text = text.strip()
    while text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = text.strip(_INVISIBLE).strip()
    return text
