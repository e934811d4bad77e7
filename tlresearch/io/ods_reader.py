"""LibreOffice and OpenOffice spreadsheets (.ods): read with pandas and odfpy, bounded.

A lab member who opens an export in LibreOffice saves it as ``.ods`` by default. pandas
reads it (``engine="odf"``, odfpy pinned in pyproject.toml) into a grid of the sheet's
cells, which then goes through exactly what an XLSX sheet goes through
(:func:`tlresearch.io.xlsx_reader.sheet_grid`): header row, stray rows, cell text.

odfpy builds the whole document in memory, and ODS compresses repeated cells into one
element (``number-columns-repeated="16384"``). So before pandas sees the file, one
streaming pass over ``content.xml`` lists the sheets (hidden ones are skipped), and
counts the cells they expand to; past :data:`~tlresearch.io.archive_limits.MAX_CELLS`
or the archive's size limit, the file is refused in one line that says to save it as
XLSX.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError, iterparse

from tlresearch.core.errors import ReadError
from tlresearch.io.archive_limits import MAX_CELLS, check_inflated_size
from tlresearch.io.grid import Grid
from tlresearch.io.xlsx_parser import EMPTY
from tlresearch.io.xlsx_reader import _Sheet, sheet_grid, sheet_read_note

#: The advice every refusal of an .ods file ends with.
SAVE_AS_XLSX = "enregistrez-le en XLSX (Fichier > Enregistrer sous > Excel 2007-365)"

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


@dataclass
class _SheetFacts:
    name: str
    hidden: bool
    filled_rows: int = 0


def ods_grid(data: bytes, name: str, sheet: str | None, header_row: int | None) -> Grid:
    """Pick the sheet (the named one, or the first visible one holding a table) and cut it."""
    check_inflated_size(data, name, "ODS")
    facts = survey_sheets(data, name)
    names = [fact.name for fact in facts]
    hidden = [fact.name for fact in facts if fact.hidden]
    note = None
    if sheet is not None:
        if sheet not in names:
            raise ReadError(f"no sheet named {sheet!r}; sheets: {names}", file=name, rule="sheet")
        chosen = sheet
    else:
        visible = [fact for fact in facts if not fact.hidden and fact.filled_rows >= 2]
        if not visible:
            raise ReadError(f"no visible sheet holds a header and data rows; sheets: {names}",
                            file=name, rule="no_data_rows")
        chosen = visible[0].name
        note = sheet_read_note(name, chosen, names, hidden)
    grid = sheet_grid(_read_sheet(data, name, chosen), name, header_row)
    if note is not None:
        grid.issues.insert(0, note)
    return grid


def ods_sheet_names(data: bytes, name: str) -> list[str]:
    """Visible sheets of an .ods file, in order."""
    return [fact.name for fact in survey_sheets(data, name) if not fact.hidden]


def survey_sheets(data: bytes, name: str) -> list[_SheetFacts]:
    """One streaming pass over ``content.xml``: sheets, hidden or not, and their cells.

    A cell repeated ``n`` times counts ``n``; trailing empty cells and rows, which
    LibreOffice writes to the sheet's last column and row, count nothing (pandas does
    not expand them either).

    Raises
    ------
    ReadError
        ``too_many_cells`` past :data:`MAX_CELLS`, ``xlsx`` for a broken file.
    """
    hidden_styles: set[str] = set()
    sheets: list[_SheetFacts] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as xml:
            for event, element in iterparse(xml, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{_TABLE}table":
                        sheets.append(_SheetFacts(
                            element.get(f"{_TABLE}name", f"Feuille{len(sheets) + 1}"),
                            element.get(f"{_TABLE}style-name") in hidden_styles))
                    continue
                if tag == f"{_STYLE}style" and element.get(f"{_STYLE}family") == "table":
                    if any(child.get(f"{_TABLE}display") == "false" for child in element):
                        hidden_styles.add(element.get(f"{_STYLE}name"))
                elif tag == f"{_TABLE}table-row" and sheets:
                    width = _row_width(element)
                    if width:
                        repeat = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                        sheets[-1].filled_rows += repeat
                        total += repeat * width
                        if total > MAX_CELLS:
                            limit = f"{MAX_CELLS:,}".replace(",", " ")
                            raise ReadError(f"the .ods file holds more than {limit} cells: "
                                            f"not a survey export; {SAVE_AS_XLSX}",
                                            file=name, rule="too_many_cells")
                    element.clear()
    except (KeyError, zipfile.BadZipFile, ParseError, ValueError) as exc:
        raise ReadError(f"cannot read the .ods file ({type(exc).__name__}); {SAVE_AS_XLSX}",
                        file=name, rule="ods") from None
    return sheets


def _row_width(row) -> int:
    """Columns up to the row's last cell holding a value, repeats expanded."""
    width = filled = 0
    for cell in row:
        repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
        width += repeat
        if cell.get(f"{_OFFICE}value-type") is not None or len(cell):
            filled = width
    return filled


def _read_sheet(data: bytes, name: str, title: str) -> _Sheet:
    """The sheet's cells through pandas (odfpy), as an XLSX sheet's would be."""
    import pandas as pd

    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=title, header=None, engine="odf",
                              dtype=object, na_filter=False)
    except ImportError:
        raise ReadError(f"reading .ods files needs odfpy (pip install odfpy); {SAVE_AS_XLSX}",
                        file=name, rule="ods") from None
    except Exception as exc:  # noqa: BLE001 -- odfpy raises many types for a broken file
        raise ReadError(f"cannot read the .ods file ({type(exc).__name__}); {SAVE_AS_XLSX}",
                        file=name, rule="ods") from None
    cells, widths = {}, {}
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        row = [EMPTY if value == "" else (value, None) for value in values]
        while row and row[-1] is EMPTY:
            row.pop()
        if row:
            cells[number], widths[number] = row, len(row)
    return _Sheet(title=title, cells=cells, merged=set(), widths=widths)
