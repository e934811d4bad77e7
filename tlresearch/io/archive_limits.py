"""Limits on what a spreadsheet archive may inflate to, checked before it is parsed.

An XLSX or ODS file is a zip archive of XML. A 5 MB file can declare a sheet of 5 GB
(text that compresses a thousandfold), and a small sheet can declare a million rows of
cells; either way the reader would hold gigabytes before finding out it is no survey.
The sizes the archive declares are checked first (the zip module never inflates a
member past its declared size: a larger one fails its checksum), and the cells are
counted as the sheet is parsed. Past either limit the file is refused in one line.
"""
from __future__ import annotations

import io
import zipfile

from tlresearch.core.errors import ReadError

#: Total decompressed size of an archive's members. A 100 000-row survey export of 100
#: columns is some 500 MB of sheet XML; beyond 1 GB it is no survey.
MAX_INFLATED_BYTES = 1_000_000_000

#: Cells of one sheet (a survey of 100 000 responses x 100 columns).
MAX_CELLS = 10_000_000


#: The first member of every ODF archive names its type, stored uncompressed.
ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def is_ods(data: bytes) -> bool:
    """Whether the bytes are an OpenDocument spreadsheet (its mimetype member comes first)."""
    return ODS_MIMETYPE in data[:100]


def check_inflated_size(data: bytes, name: str, kind: str) -> None:
    """Refuse an archive whose members declare more than :data:`MAX_INFLATED_BYTES`.

    Raises
    ------
    ReadError
        ``rule="archive_too_large"``; or ``rule="xlsx"`` when it is not a zip archive.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ReadError(f"cannot read the file as an {kind} workbook ({type(exc).__name__})",
                        file=name, rule="xlsx") from None
    if inflated > MAX_INFLATED_BYTES:
        raise ReadError(
            f"the {kind} file inflates to {_megabytes(inflated)} once decompressed (limit "
            f"{_megabytes(MAX_INFLATED_BYTES)}): not a survey export", file=name,
            rule="archive_too_large")


def too_many_cells(name: str, sheet: str) -> ReadError:
    """The error for a sheet holding more than :data:`MAX_CELLS` cells."""
    limit = f"{MAX_CELLS:,}".replace(",", " ")
    return ReadError(f"sheet {sheet!r} holds more than {limit} cells: not a survey export",
                     file=name, rule="too_many_cells")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB".replace(",", " ")
