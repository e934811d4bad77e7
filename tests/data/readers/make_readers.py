"""Write the spreadsheet files of tests/data/readers/ as LibreOffice saves them.

Run once (``python tests/data/readers/make_readers.py``); the files are committed, this
script says how they were made. Places are fictitious, communes are real.

* ``libreoffice_2026.ods``: an export re-saved by LibreOffice Calc as .ods: a hidden
  working sheet first (« Calculs »), a cover sheet, then the answers; postcodes as
  text, counts as numbers, dates as dates.
* ``hidden_sheet_first.xlsx``: a workbook whose first sheet, hidden by its author,
  holds a working table (« Calculs »); the answers are on the second sheet.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent

_HIDDEN_STYLE = ('<style:style style:name="taHidden" style:family="table">'
                 '<style:table-properties table:display="false"/></style:style>')


def libreoffice_ods() -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        pd.DataFrame({"Total salariés": [3]}).to_excel(writer, sheet_name="Calculs",
                                                        index=False)
        pd.DataFrame({"NOM": ["La Ruche", "Le Bocal"], "CP": ["33130", "87000"],
                      "SALARIES": [2, 0], "DATE": pd.to_datetime(["2024-03-12", "2024-03-13"])}
                     ).to_excel(writer, sheet_name="Réponses", index=False)
    return _hide_first_sheet(buffer.getvalue())


def _hide_first_sheet(data: bytes) -> bytes:
    """LibreOffice hides a sheet with a table style whose ``table:display`` is false."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "content.xml":
                text = content.decode("utf-8")
                if "xmlns:style=" not in text:  # LibreOffice always declares it
                    text = text.replace("<office:document-content ", '<office:document-content '
                                        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:'
                                        'style:1.0" ', 1)
                if "<office:automatic-styles/>" in text:
                    text = text.replace("<office:automatic-styles/>", "<office:automatic-styles>"
                                        + _HIDDEN_STYLE + "</office:automatic-styles>")
                else:
                    text = text.replace("<office:automatic-styles>",
                                        "<office:automatic-styles>" + _HIDDEN_STYLE, 1)
                text = re.sub(r'(<table:table table:name="Calculs")',
                              r'\1 table:style-name="taHidden"', text, count=1)
                content = text.encode("utf-8")
            compress = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, content, compress_type=compress)
    return out.getvalue()


def hidden_sheet_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    work = book.active
    work.title = "Calculs"
    for row in (["Commune", "Total salariés"], ["Bègles", 2], ["Limoges", 0]):
        work.append(row)
    work.sheet_state = "hidden"
    answers = book.create_sheet("Réponses")
    for row in (["NOM", "CP", "SALARIES"], ["La Ruche", "33130", 2], ["Le Bocal", "87000", 0]):
        answers.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    (HERE / "hidden_sheet_first.xlsx").write_bytes(hidden_sheet_xlsx())
    (HERE / "libreoffice_2026.ods").write_bytes(libreoffice_ods())
