"""CSV exports: decode the bytes, find the delimiter, cut into records, list the broken ones.

Part of :mod:`tlresearch.io.raw_tables`, which decides the format and cleans the cells; this
module only turns text into a :class:`~tlresearch.io.raw_tables.Grid` of raw strings.
"""
from __future__ import annotations

import csv
import io
import re
from itertools import islice

from tlresearch.core.errors import ReadError
from tlresearch.core.quality_log import Issue
from tlresearch.core.text_decoding import decode_text
from tlresearch.io.grid import Grid, normalise_header

#: Column delimiters a survey export may use. On a tie the rarer one in free text wins:
#: a tab or a semicolon in a header is a delimiter, a comma may be prose ("Nom, prénom").
DELIMITERS = ("\t", ";", ",")

#: Records read to choose the delimiter (after the header).
SAMPLE_RECORDS = 20

#: Excel's first line naming the delimiter (``sep=;``), written by some exports.
_SEP_LINE = re.compile(r'"?sep=([;,\t|])"?')

#: Longest cell read (characters): a survey answer is never a megabyte; a longer "cell"
#: is a binary file or a quote never closed.
MAX_CELL = 1_000_000
csv.field_size_limit(MAX_CELL)
_LIMIT_TEXT = f"{MAX_CELL:,}".replace(",", " ")

#: Characters that make a single-column header look like a file with an unusual delimiter.
OTHER_DELIMITERS = ("|", ":", "^", "~")



def csv_grid(data: bytes, name: str, header_row: int | None) -> Grid:
    """Decode, find the delimiter, cut into records and list the broken ones.

    Lines above ``header_row`` are skipped as physical lines (they are titles, not
    records); from the header on, row numbers count logical records, as a spreadsheet
    shows them when a quoted cell spans several lines.
    """
    text, encoding = decode_text(data, name)
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
    forced = _SEP_LINE.fullmatch(lines[first - 1].strip())
    if forced and header_row is None:
        # Excel's "sep=;" first line names the delimiter; the header is the next line.
        issues.append(Issue("sep_line", "reported", f"first line {forced.group(0)!r} names "
                            "the delimiter; the header is the next line", file=name,
                            row=first))
        first += 1
    lines = lines[first - 1:]
    delimiter = forced.group(1) if forced else _detect_delimiter(lines, name, first)
    records, last_start = _parse_csv(lines, delimiter, name, first)
    del lines[:last_start]  # only the last record's lines are needed from here on
    columns, header_issues = normalise_header(records[0], name, first)
    grid = Grid(columns=columns, records=[], rows=[], header_row=first, encoding=encoding,
                delimiter=delimiter, issues=issues + header_issues,
                records_in=len(records) - 1)
    width = len(columns)
    truncated = _truncation(text, records[-1], lines, delimiter, width)
    header = [cell.strip() for cell in records[0]]
    last_filled = max((i for i, r in enumerate(records) if any(c.strip() for c in r)), default=0)
    trailing = 0
    for index in range(1, len(records)):
        record, row = records[index], first + index
        records[index] = None  # released as we go: the grid holds the only copy
        if len(record) > width and not any(cell.strip() for cell in record[width:]):
            trailing += 1
            del record[width:]  # a stray delimiter at the end of the line
        grid.rows.append(row)
        grid.records.append(record + [None] * (width - len(record)) if len(record) < width
                            else record)
        problem = _row_problem(record, index, len(records) - 1, last_filled, header, width,
                               truncated)
        if problem:
            grid.row_problems[row] = Issue(problem[0], "quarantined", problem[1],
                                           file=name, row=row)
    if trailing:
        grid.issues.append(Issue("trailing_delimiter", "corrected",
                                 f"{trailing} rows end with an extra empty field "
                                 f"(a stray {delimiter!r}), removed", file=name))
    return grid


def _row_problem(record: list[str], index: int, last: int, last_filled: int,
                 header: list[str], width: int, truncated: str | None) -> tuple[str, str] | None:
    """Why a record is not a response: (rule, reason), or None (blank rows are counted later)."""
    if not any(cell.strip() for cell in record):
        return None  # a blank row: dropped and counted later, not quarantined
    if truncated and index == last:
        return "truncated_row", truncated
    if [cell.strip() for cell in record] == header:
        return "repeated_header", ("the header line repeated inside the data "
                                   "(exports pasted together)")
    if len(record) == 1 and width > 2 and index == last_filled:
        return "footer_line", "a single-cell line after the data (a footer, not a response)"
    if len(record) != width:
        return "field_count", f"expected {width} fields as in the header, found {len(record)}"
    return None


def _detect_delimiter(lines: list[str], name: str, first: int) -> str:
    """Pick the delimiter giving a multi-column header and the steadiest field count."""
    best, best_score, too_long = None, None, None
    for delimiter in DELIMITERS:
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            sample = list(islice(reader, SAMPLE_RECORDS + 1))
        except csv.Error as exc:  # e.g. a cell over the field size limit: not this delimiter
            if "field larger than field limit" in str(exc):
                too_long = first + reader.line_num - 1
            continue
        width = len(sample[0])
        if width < 2:
            continue
        body = [record for record in sample[1:] if any(cell.strip() for cell in record)]
        steady = sum(len(record) == width for record in body) / len(body) if body else 1.0
        if best_score is None or (steady, width) > best_score:
            best, best_score = delimiter, (steady, width)
    if best is None and too_long is not None:
        raise ReadError(f"a cell holds more than {_LIMIT_TEXT} characters: not survey text "
                        "(a quote never closed, or a file pasted into a cell)",
                        file=name, row=too_long, rule="cell_too_long")
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
        if "field larger than field limit" in str(exc):
            raise ReadError(f"a cell holds more than {_LIMIT_TEXT} characters: not survey "
                            "text (a quote never closed?)", file=name,
                            row=first + len(records), rule="cell_too_long") from None
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
