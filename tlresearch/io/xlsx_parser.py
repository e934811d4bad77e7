"""openpyxl's read-only workbook and sheet parsers, trimmed to what a table needs.

Split from :mod:`tlresearch.io.xlsx_reader` (which explains the speed reasons). Each
cell comes out as ``(value, formula)``: for a formula, the value is the result Excel
saved. openpyxl is pinned: ``ExcelReader``, ``ReadOnlyWorksheet`` and
``WorkSheetParser`` are internals, used here as openpyxl's read-only mode uses them.
"""
from __future__ import annotations

from openpyxl.cell.text import Text
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import INLINE_STRING, VALUE_TAG, WorkSheetParser, _cast_number
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

#: A cell: (value, formula text or None); for a formula, the value is Excel's saved result.
Cell = tuple[object, "str | None"]
EMPTY: Cell = (None, None)

_TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
_DIGITS = "0123456789"

#: Column letters -> number, filled from openpyxl's own answers ("AQ" -> 43).
_COLUMNS: dict[str, int] = {}


class BookReader(ExcelReader):
    """openpyxl's read-only workbook reader, minus two costs that do not change a value.

    The shared-string table skips openpyxl's rich-text model for plain strings, and the
    sheets are not sized: openpyxl parses a whole sheet without ``<dimension>`` (as
    openpyxl's write-only mode saves them) just to size it.
    """

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = _string_table(source)

    def read_worksheets(self):
        # ExcelReader.read_worksheets with read_only=True, creating _UnsizedSheet.
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            rels_path = get_rels_path(rel.target)
            if rels_path in self.valid_files:
                get_dependents(self.archive, rels_path)  # a broken part fails, as in openpyxl
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


class _UnsizedSheet(ReadOnlyWorksheet):
    def _get_size(self):
        pass  # never used: a table ends where its data ends


def _string_table(source) -> list[str]:
    """``openpyxl.reader.strings.read_string_table``, skipping openpyxl's rich-text model
    for the plain ``<si><t>text</t></si>`` that most shared strings are."""
    strings = []
    for _, node in iterparse(source):
        if node.tag == _STRING_TAG:
            text = _plain_text(node)
            if text is None:
                text = Text.from_tree(node).content
            strings.append(text.replace("x005F_", ""))
            node.clear()
    return strings


def _plain_text(node) -> str | None:
    """Text of an ``<is>`` or ``<si>`` holding one plain ``<t>``, as openpyxl's
    ``Text.content`` gives it; None for anything else (runs, phonetics, attributes)."""
    if node.attrib or len(node) != 1 or node[0].tag != _TEXT_TAG:
        return None
    return node[0].text or ""


class SheetParser(WorkSheetParser):
    """openpyxl's sheet parser, giving each cell as ``(row, column, (value, formula))``.

    Plain cells (a shared or inline string, a number not styled as a date) are read here
    as ``WorkSheetParser.parse_cell`` reads them, without its generic machinery, which
    is most of the parsing time; every other cell goes through openpyxl.
    """

    def parse_cell(self, element):
        if len(element) == 1:  # a single child: a value or an inline string, no formula
            value = self._plain_value(element, element[0])
            if value is not None:
                return self._place(element) + ((value, None),)
        column_before = self.col_counter
        cell = super().parse_cell(element)
        value, formula = cell["value"], None
        if cell["data_type"] == "f":
            formula = _formula_text(value)
            # The same element read as data_only=True: the value Excel saved.
            self.data_only, self.col_counter = True, column_before
            try:
                value = super().parse_cell(element)["value"]
            finally:
                self.data_only = False
        return cell["row"], cell["column"], (value, formula)

    def _plain_value(self, element, child) -> object:
        """The value of a plain cell, or None to let openpyxl read it."""
        kind = element.get("t", "n")
        if child.tag == VALUE_TAG:
            text = child.text
            if not text:
                return None
            if kind == "s":
                return self.shared_strings[int(text)]
            if kind == "n":
                style = element.get("s", 0)
                if style:
                    style = int(style)
                if style not in self.date_formats:
                    return _cast_number(text)
            return None
        if kind == "inlineStr" and child.tag == INLINE_STRING:
            return _plain_text(child)
        return None

    def _place(self, element) -> tuple[int, int]:
        """Row and column of a cell, as ``WorkSheetParser.parse_cell`` finds them."""
        coordinate = element.get("r")
        if not coordinate:
            self.col_counter += 1
            return self.row_counter, self.col_counter
        letters = coordinate.rstrip(_DIGITS)
        column = _COLUMNS.get(letters)
        if column is None or len(letters) == len(coordinate):
            row, column = coordinate_to_tuple(coordinate)  # openpyxl's answer, or its error
            if letters and not any(char in _DIGITS for char in letters):
                _COLUMNS[letters] = column
        else:
            row = int(coordinate[len(letters):])
        self.col_counter = column
        return row, column


def _formula_text(value: object) -> str:
    return str(getattr(value, "text", value))  # ArrayFormula keeps its text in .text
