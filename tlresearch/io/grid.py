"""The shape both readers hand back: a header and records of raw cells, before cleaning.

:mod:`tlresearch.io.csv_reader` and :mod:`tlresearch.io.xlsx_reader` cut a file into a
:class:`Grid`; :mod:`tlresearch.io.raw_tables` cleans its cells. Living here, apart from
both, it lets the readers and the public API import each other in one direction only.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tlresearch.core.errors import ReadError
from tlresearch.core.quality_log import Issue
from tlresearch.io.cells import normalise_text
from tlresearch.io.mojibake import repair_mojibake


@dataclass
class Grid:
    """A file cut into header and records, before cells are cleaned.

    What :mod:`~tlresearch.io.csv_reader` and :mod:`~tlresearch.io.xlsx_reader` hand back to
    :func:`read_table`; cells are raw text (``None`` for an empty one).
    """

    columns: list[str]
    records: list[list[str | None]]
    rows: list[int]
    header_row: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    issues: list[Issue] = field(default_factory=list)
    row_problems: dict[int, Issue] = field(default_factory=dict)
    #: Data records of the file below the header, counted by the reader as it cuts the
    #: file, before any row is kept, dropped or quarantined ("rows in").
    records_in: int = 0
    #: ``(row, cells)`` records cut lazily, when a reader streams (CSV): then
    #: ``records``/``rows`` stay empty and ``row_problems``/``records_in`` are complete
    #: only once the stream is consumed.
    stream: Iterator[tuple[int, list[str | None]]] | None = None

    def iter_records(self) -> Iterator[tuple[int, list[str | None]]]:
        """Every record with its row number, streamed or not."""
        return self.stream if self.stream is not None else zip(self.rows, self.records)


def normalise_header(raw: list[str | None], name: str, row: int) -> tuple[list[str], list[Issue]]:
    """Clean column names; empty ones get a position name; duplicates are refused."""
    columns, issues, seen = [], [], set()
    for position, original in enumerate(raw, start=1):
        text = normalise_text((original or "").replace("\ufeff", ""))
        if text is None:
            text = f"column_{position}"
            issues.append(Issue("empty_header", "reported", f"column {position} has no name",
                                file=name, row=row, column=text))
        else:
            repaired, fixed = repair_mojibake(text)
            if fixed:
                text = repaired
            if text != original:
                issues.append(Issue("header_normalised", "corrected",
                                    "column name cleaned (spaces, accents, encoding)",
                                    file=name, row=row, column=text, value=original))
        if text in seen:  # a set: a header of 200 000 columns is checked in linear time
            raise ReadError("two columns have this name (after trimming spaces)",
                            file=name, row=row, column=text, rule="duplicate_header")
        seen.add(text)
        columns.append(text)
    return columns, issues
