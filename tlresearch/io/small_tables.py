"""The small CSV tables the lab edits by hand: ``overrides/roles.csv``, ``place_links.csv``.

A French Excel saves them in Windows-1252 with ``;``, Notepad may add a BOM or write
UTF-16, and a hand edit may leave a row with a stray extra cell. One reader for all of
them: the encodings of the exports (:func:`~tlresearch.core.text_decoding.decode_text`),
``,`` or ``;``, row numbers as a spreadsheet shows them, and a malformed row refused
with its file, row and rule instead of a parser's traceback.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from tlresearch.core.errors import DataError, ReadError
from tlresearch.core.text_decoding import decode_text

#: An overrides file is a few hundred rows; more is not an overrides file.
MAX_BYTES = 5_000_000


def read_small_table(path: Path) -> pd.DataFrame:
    """Every row of a small CSV as strings (``""`` for empty), header as column names.

    Blank lines stay (as rows of empty strings) so that row ``i`` of the frame is row
    ``i + 2`` of the file; a file with no header gives an empty frame without columns.

    Raises
    ------
    DataError
        The file cannot be decoded or parsed, is too large, or a row has more cells
        than the header (rule ``field_count``, with the row number).
    """
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(f"cannot open the file ({exc.strerror or exc})", file=name,
                        rule="unreadable_file") from None
    if len(data) > MAX_BYTES:
        raise DataError(f"larger than {MAX_BYTES // 1_000_000} MB: not an overrides table",
                        file=name, rule="file_too_large")
    try:
        text, _ = decode_text(data, name)
    except ReadError as error:
        raise DataError(error.message, file=name, rule=error.rule) from None
    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        return pd.DataFrame()
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        records = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
    except csv.Error as exc:
        raise DataError(f"the CSV cannot be parsed ({exc})", file=name,
                        rule="csv_syntax") from None
    header = [cell.strip() for cell in records[0]]
    width = len(header)
    rows = []
    for row, record in enumerate(records[1:], start=2):
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            raise DataError(f"{len(record)} cells where the header has {width} "
                            f"({', '.join(header)}); a '{sep}' inside a value needs quotes",
                            file=name, row=row, rule="field_count")
        rows.append((record + [""] * width)[:width])
    return pd.DataFrame(rows, columns=header, dtype=object)
