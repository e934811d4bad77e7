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
    """Decode, find the delimiter, and stream the records (and the broken ones).

    Lines above ``header_row`` are skipped as physical lines (they are titles, not
    records); from the header on, row numbers count logical records, as a spreadsheet
    shows them when a quoted cell spans several lines.

    Memory: the records are not cut here but as :func:`~tlresearch.io.raw_tables.read_table`
    consumes ``Grid.stream``, one at a time from the bytes: beside the file's bytes, only
    the cleaned cells are held (see :data:`tlresearch.io.raw_tables.MEMORY_BUDGET`).
    """
    encoding = decode_text(data, name)[1]  # the whole text is only checked, then dropped
    issues = []
    if encoding not in ("utf-8", "utf-8-sig"):
        issues.append(Issue("encoding_detected", "reported",
                            f"the file is not UTF-8; read as {encoding}", file=name))
    source = _Lines(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""))
    first = header_row or 1 + source.skip_blank()
    source.skip_to(first)
    head = source.peek(SAMPLE_RECORDS * 4 + 1)
    if not head and header_row is None:
        raise ReadError("the file is empty", file=name, rule="empty_file")
    if not head:
        raise ReadError(f"header_row {first} is past the end of the file "
                        f"({source.consumed} lines)", file=name, rule="header_row")
    forced = _SEP_LINE.fullmatch(head[0].strip())
    if forced and header_row is None:
        # Excel's "sep=;" first line names the delimiter; the header is the next line.
        issues.append(Issue("sep_line", "reported", f"first line {forced.group(0)!r} names "
                            "the delimiter; the header is the next line", file=name,
                            row=first))
        first += 1
        source.skip_to(first)
        head = source.peek(SAMPLE_RECORDS * 4 + 1)
    delimiter = forced.group(1) if forced else _detect_delimiter(head, name, first)
    reader = csv.reader(source, delimiter=delimiter, quotechar='"', doublequote=True)
    raw_header = _next_record(reader, name, first)
    columns, header_issues = normalise_header(raw_header, name, first)
    grid = Grid(columns=columns, records=[], rows=[], header_row=first, encoding=encoding,
                delimiter=delimiter, issues=issues + header_issues)
    source.start_record()
    grid.stream = _records(grid, reader, source, [c.strip() for c in raw_header], name)
    return grid


def _records(grid: Grid, reader, source: _Lines, header: list[str], name: str):
    """Yield ``(row, cells)`` one record at a time; fill ``row_problems`` and ``records_in``.

    Two verdicts need the end of the file: whether the last record is truncated, and
    whether the last non-blank one is a footer; they are settled after the last record.
    """
    width, first, delimiter = len(grid.columns), grid.header_row, grid.delimiter
    trailing, row, last, last_filled, last_lines = 0, first, None, None, []
    while True:
        record = _next_record(reader, name, row + 1)
        if record is None:
            break
        row += 1
        last, last_lines = record, source.start_record()
        grid.records_in += 1
        if len(last_lines) > 1 and _quote_swallowed(record, last_lines, delimiter, width):
            record = _resynchronise(grid, source, last_lines, delimiter, name, row)
            last, last_lines = record, last_lines[:1]
            yield row, (record + [None] * width)[:width]
            continue
        if len(record) == 1 and width > 2 and delimiter in record[0]:
            record = _unwrapped(grid, record, delimiter, width, name, row)
        if len(record) > width and not any(cell.strip() for cell in record[width:]):
            trailing += 1
            del record[width:]  # a stray delimiter at the end of the line
        if any(cell.strip() for cell in record):
            last_filled = (row, len(record))
            problem = _row_problem(record, header, width)
            if problem:
                grid.row_problems[row] = Issue(problem[0], "quarantined", problem[1],
                                               file=name, row=row)
        yield row, record + [None] * (width - len(record)) if len(record) < width else record
    resynchronised = getattr(grid.row_problems.get(row), "rule", None) == "unbalanced_quote"
    if last is not None and not resynchronised:
        truncated = _truncation(last_lines, last, delimiter, width)
        if truncated and any(cell.strip() for cell in last):
            grid.row_problems[row] = Issue("truncated_row", "quarantined", truncated,
                                           file=name, row=row)
        elif last_filled and last_filled[1] == 1 and width > 2:
            grid.row_problems[last_filled[0]] = Issue(
                "footer_line", "quarantined",
                "a single-cell line after the data (a footer, not a response)",
                file=name, row=last_filled[0])
    if trailing:
        grid.issues.append(Issue("trailing_delimiter", "corrected",
                                 f"{trailing} rows end with an extra empty field "
                                 f"(a stray {delimiter!r}), removed", file=name))


def _unwrapped(grid: Grid, record: list[str], delimiter: str, width: int, name: str,
               row: int) -> list[str]:
    """A whole record quoted as one cell (a line re-saved by a text editor), cut again.

    Such a line is a complete response, not a footer: cut at its delimiters it has the
    header's fields. Anything else stays one cell (a footer, a comment).
    """
    cells = next(csv.reader([record[0]], delimiter=delimiter, quotechar='"', doublequote=True))
    if len(cells) != width:
        return record
    grid.issues.append(Issue("record_quoted_whole", "corrected",
                             "the whole line was quoted as one cell; cut at its delimiters",
                             file=name, row=row))
    return cells


def _quote_swallowed(record: list[str], lines: list[str], delimiter: str, width: int) -> bool:
    """Whether a record spanning several lines is really a quote never closed.

    A quoted cell may hold line breaks (a comment over two lines), but then the record
    still has the header's fields. A stray ``"`` opening a cell makes the csv module read
    the next lines into that cell, up to another quote or the end of the file: the
    record then has the wrong number of fields, or ends inside the quote.
    """
    return len(record) != width or _ends_inside_quotes("".join(lines), delimiter)


def _resynchronise(grid: Grid, source: _Lines, lines: list[str], delimiter: str, name: str,
                   row: int) -> list[str]:
    """Quarantine the line with the stray quote and read the lines it swallowed again.

    The broken line becomes one quarantined record (its cells cut without quoting, so its
    row is accounted for); every line after it is handed back to the reader, so the
    records it had swallowed are read, counted and kept as the file's other records.
    """
    source.give_back(lines[1:])
    grid.row_problems[row] = Issue(
        "unbalanced_quote", "quarantined",
        f"a quote (\") opened in this line is never closed; the {len(lines) - 1} lines it "
        "had swallowed are read again as records", file=name, row=row)
    return next(csv.reader([lines[0]], delimiter=delimiter, quoting=csv.QUOTE_NONE))


class _Lines:
    """The text's lines, read lazily, remembering those of the record being cut."""

    def __init__(self, handle) -> None:
        self._handle, self._ahead, self._current = handle, [], []
        self.consumed = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._ahead.pop(0) if self._ahead else self._handle.readline()
        if not line:
            raise StopIteration
        self.consumed += 1
        self._current.append(line)
        return line

    def give_back(self, lines: list[str]) -> None:
        """Lines read too far, to be read again next (they were not one record)."""
        self._ahead[:0] = lines
        self.consumed -= len(lines)

    def peek(self, count: int) -> list[str]:
        while len(self._ahead) < count:
            line = self._handle.readline()
            if not line:
                break
            self._ahead.append(line)
        return self._ahead[:count]

    def skip_blank(self) -> int:
        """Skip blank lines; return how many (the header is the next line)."""
        skipped = 0
        while True:
            ahead = self.peek(1)
            if not ahead or ahead[0].strip():
                return skipped
            next(self)
            skipped += 1

    def skip_to(self, line_number: int) -> None:
        while self.consumed < line_number - 1 and (self._ahead or self.peek(1)):
            next(self)

    def start_record(self) -> list[str]:
        """The lines of the record just cut (and start collecting the next one's)."""
        lines, self._current = self._current, []
        return lines


def _next_record(reader, name: str, row: int) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ReadError(f"a cell holds more than {_LIMIT_TEXT} characters: not survey "
                            "text (a quote never closed?)", file=name, row=row,
                            rule="cell_too_long") from None
        raise ReadError(f"the CSV cannot be parsed ({exc})", file=name, row=row,
                        rule="csv_syntax") from None


def _row_problem(record: list[str], header: list[str], width: int) -> tuple[str, str] | None:
    """Why a non-blank record is not a response: (rule, reason), or None."""
    if len(record) == width and [cell.strip() for cell in record] == header:
        return "repeated_header", ("the header line repeated inside the data "
                                   "(exports pasted together)")
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


def _truncation(last_lines: list[str], last: list[str], delimiter: str,
                width: int) -> str | None:
    """Why the last record looks cut off (an export interrupted mid-write), or None."""
    text = "".join(last_lines)
    if _ends_inside_quotes(text, delimiter):
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
