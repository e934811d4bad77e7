"""CSV exports: decode the bytes, find the delimiter, cut into records, list the broken ones.

Part of :mod:`tlresearch.io.raw_tables`, which decides the format and cleans the cells; this
module only turns text into a :class:`~tlresearch.io.raw_tables.Grid` of raw strings.
"""
from __future__ import annotations

import csv
import io
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
    lines = lines[first - 1:]
    delimiter = _detect_delimiter(lines, name, first)
    records, last_start = _parse_csv(lines, delimiter, name, first)
    columns, header_issues = normalise_header(records[0], name, first)
    grid = Grid(columns=columns, records=[], rows=[], header_row=first, encoding=encoding,
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
