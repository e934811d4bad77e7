"""Tests of tlresearch.io.raw_tables: raw bytes in, a RawTable of strings and issues out.

Files are written as exact bytes (encodings matter) into ``tmp_path``; two small real
exports live in ``tests/data/readers/``. XLSX workbooks are built with openpyxl.
"""
from __future__ import annotations

import builtins
import datetime as dt
import io
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tlresearch.core.errors import ReadError
from tlresearch.core.quality_log import Issue
from tlresearch.io.cells import parse_date
from tlresearch.io.raw_tables import RawTable, read_table

DATA = Path(__file__).parent / "data" / "readers"


def write(tmp_path: Path, data: bytes | str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read(tmp_path: Path, data: bytes | str, **options) -> RawTable:
    return read_table(write(tmp_path, data), **options)


def rules(table: RawTable, rule: str) -> list[Issue]:
    return [issue for issue in table.issues if issue.rule == rule]


def cells(table: RawTable) -> dict[str, list]:
    """Frame as lists, pd.NA kept as the pd.NA object (to_dict would turn it into None)."""
    return {column: list(table.frame[column].array) for column in table.frame.columns}


def read_error(path: Path, **options) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_table(path, **options)
    return info.value


# --- encodings ---------------------------------------------------------------------------

def test_utf8_comma_file(tmp_path):
    table = read(tmp_path, "id,nom,commune\n1,Café,Pau\n2,,Tulle\n", name="2019/export.csv")
    assert table.name == "2019/export.csv"
    assert (table.encoding, table.delimiter, table.sheet) == ("utf-8", ",", None)
    assert list(table.frame.columns) == ["id", "nom", "commune"]
    assert cells(table) == {"id": ["1", "2"], "nom": ["Café", pd.NA], "commune": ["Pau", "Tulle"]}
    assert table.rows == [2, 3] and table.header_row == 1
    assert table.issues == [] and table.row_problems == {} and table.blank_rows == []
    assert list(table.frame.index) == [0, 1]
    assert all(table.frame[c].dtype == object for c in table.frame.columns)


def test_every_cell_is_str_or_na(tmp_path):
    table = read(tmp_path, "a;b;c\n1; ;\u00a0\n2,5;x;\n")
    for value in table.frame.to_numpy().ravel():
        assert isinstance(value, str) or value is pd.NA


def test_utf8_with_bom(tmp_path):
    table = read(tmp_path, b"\xef\xbb\xbfid,nom\n1,Caf\xc3\xa9\n")
    assert table.encoding == "utf-8-sig"
    assert list(table.frame.columns) == ["id", "nom"]      # no BOM left in the first name
    assert cells(table)["nom"] == ["Café"]
    assert rules(table, "encoding_detected") == []


def test_cp1252_file_is_detected_and_reported(tmp_path):
    data = b"id;nom;note\n1;Caf\xe9 de l\x92\xe9t\xe9;12\x80\n"     # é=E9, ’=92, €=80
    table = read(tmp_path, data)
    assert table.encoding == "cp1252"
    assert cells(table)["nom"] == ["Café de l’été"]
    assert cells(table)["note"] == ["12€"]
    [issue] = rules(table, "encoding_detected")
    assert issue.action == "reported" and issue.file == "export.csv" and "cp1252" in issue.message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    text = "id\tnom\n1\tCafé\n"
    data = text.encode("utf-16") if codec == "utf-16" else b"\xfe\xff" + text.encode(codec)
    table = read(tmp_path, data)
    assert table.encoding == "utf-16" and table.delimiter == "\t"
    assert cells(table) == {"id": ["1"], "nom": ["Café"]}
    assert len(rules(table, "encoding_detected")) == 1


@pytest.mark.parametrize("data", [
    b"id,nom\n1,\x00\x01\x02\n",                     # binary
    "id,nom\n1,x\n".encode("utf-16-le"),             # UTF-16 without BOM: NULs
    b"id,nom\n\x81\x8d\x8f,x\n",                      # bytes undefined in cp1252
])
def test_undecodable_bytes_are_an_encoding_error(tmp_path, data):
    error = read_error(write(tmp_path, data))
    assert error.rule == "encoding" and error.file == "export.csv"
    assert "UTF-8" in error.message


def test_old_binary_xls_is_refused_clearly(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    error = read_error(write(tmp_path, data, "export.xls"))
    assert error.rule == "encoding" and ".xls" in error.message


# --- delimiters --------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(tmp_path, delimiter):
    text = delimiter.join(["id", "nom", "ville"]) + "\n" + delimiter.join(["1", "x", "Pau"]) + "\n"
    table = read(tmp_path, text)
    assert table.delimiter == delimiter
    assert cells(table) == {"id": ["1"], "nom": ["x"], "ville": ["Pau"]}


def test_commas_in_text_do_not_fool_semicolon_detection(tmp_path):
    table = read(tmp_path, "nom;adresse;ville\nCafé;1, rue Neuve;Pau\nLab;2, place, bis;Dax\n")
    assert table.delimiter == ";"
    assert cells(table)["adresse"] == ["1, rue Neuve", "2, place, bis"]
    assert table.row_problems == {}


def test_tab_wins_a_tie_with_comma_in_prose(tmp_path):
    table = read(tmp_path, "Nom, prénom\tVille\nDupont, Jean\tPau\nMartin, Léa\tDax\n")
    assert table.delimiter == "\t"
    assert list(table.frame.columns) == ["Nom, prénom", "Ville"]


def test_delimiter_inside_quoted_header_is_not_counted(tmp_path):
    table = read(tmp_path, '"Nom; prénom",ville\n"Dupont; Jean",Pau\n')
    assert table.delimiter == ","
    assert list(table.frame.columns) == ["Nom; prénom", "ville"]


def test_pipe_delimited_file_is_refused(tmp_path):
    error = read_error(write(tmp_path, "id|nom|ville\n1|x|Pau\n2|y|Dax\n"))
    assert error.rule == "delimiter"
    assert "cannot find the column delimiter (, ; or tab)" in error.message
    assert "'|'" in error.message and error.row == 1


def test_single_column_file_is_refused(tmp_path):
    error = read_error(write(tmp_path, "nom\nCafé, Pau\nLab; Dax\n"))
    assert error.rule == "delimiter"
    assert "cannot find the column delimiter" in error.message


# --- CSV structure -----------------------------------------------------------------------

def test_quoted_multiline_cell_keeps_row_numbers(tmp_path):
    text = ('id,commentaire,ville\n1,"ligne 1\nligne 2\nligne 3",Pau\n'
            '2,"dit ""oui""",Dax\n3,x,Tulle\n')
    table = read(tmp_path, text)
    assert table.rows == [2, 3, 4]                   # logical records, as a spreadsheet shows
    assert cells(table)["commentaire"] == ["ligne 1\nligne 2\nligne 3", 'dit "oui"', "x"]
    assert table.row_problems == {}


def test_crlf_line_ends(tmp_path):
    table = read(tmp_path, b'id;texte\r\n1;"a\r\nb"\r\n2;c\r\n')
    assert table.rows == [2, 3]
    assert cells(table)["texte"] == ["a\r\nb", "c"]


def test_short_and_long_rows_are_kept_and_listed(tmp_path):
    text = "id,nom,ville\n1,a,Pau\n2,b\n3,c,Dax,en trop\n4,d,Tulle\n"
    table = read(tmp_path, text)
    assert table.rows == [2, 3, 4, 5]
    assert cells(table) == {"id": ["1", "2", "3", "4"], "nom": ["a", "b", "c", "d"],
                            "ville": ["Pau", pd.NA, "Dax", "Tulle"]}
    assert sorted(table.row_problems) == [3, 4]
    short, long_ = table.row_problems[3], table.row_problems[4]
    assert (short.rule, short.action, short.row, short.file) == ("field_count", "quarantined", 3,
                                                                   "export.csv")
    assert short.message == "expected 3 fields as in the header, found 2"
    assert long_.message == "expected 3 fields as in the header, found 4"


def test_truncated_last_line(tmp_path):
    table = read(tmp_path, "id,nom,ville\n1,a,Pau\n2,b")
    assert table.rows == [2, 3]
    assert cells(table)["ville"] == ["Pau", pd.NA]
    problem = table.row_problems[3]
    assert (problem.rule, problem.action, problem.row) == ("truncated_row", "quarantined", 3)
    assert list(table.row_problems) == [3]


def test_complete_last_line_without_newline_is_fine(tmp_path):
    table = read(tmp_path, "id,nom\n1,a\n2,b")
    assert table.rows == [2, 3] and table.row_problems == {}


def test_unterminated_quote_at_end_of_file(tmp_path):
    table = read(tmp_path, 'id,nom,ville\n1,a,Pau\n2,"jamais fermé,Dax\n3,c,Tulle\n')
    # The broken line is quarantined and the line it had swallowed is read again (issue 20).
    assert table.rows == [2, 3, 4] and table.records_in == 3
    assert table.row_problems[3].rule == "unbalanced_quote"
    assert "never closed" in table.row_problems[3].message
    assert cells(table)["ville"][2] == "Tulle" and list(table.row_problems) == [3]


def test_blank_rows_are_dropped_and_reported(tmp_path):
    table = read(tmp_path, "id,nom\n1,a\n\n , \u00a0\n2,b\n,\n")
    assert table.rows == [2, 5]
    assert table.blank_rows == [3, 4, 6]
    assert [i.row for i in rules(table, "blank_row")] == [3, 4, 6]
    assert {i.action for i in rules(table, "blank_row")} == {"reported"}
    assert table.row_problems == {}          # a blank line is not a broken row


def test_rows_in_equals_kept_plus_problems_plus_blank(tmp_path):
    table = read_table(DATA / "limesurvey_2019_cp1252.csv")
    assert table.rows == [2, 3, 5, 6]
    assert table.blank_rows == [4]
    assert list(table.row_problems) == [5]
    assert len(table.frame) == len(table.rows)


def test_empty_files(tmp_path):
    for data in (b"", b"  \n\t\r\n ", b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf \n"):
        assert read_error(write(tmp_path, data)).rule == "empty_file"


def test_header_without_data_rows(tmp_path):
    assert read_error(write(tmp_path, "id,nom\n")).rule == "no_data_rows"
    assert read_error(write(tmp_path, "id,nom\n\n,\n")).rule == "no_data_rows"


def test_header_row_skips_title_lines(tmp_path):
    table = read(tmp_path, "Enquête 2019\nexport du 01/02/2020\nid;nom\n1;a\n2;b\n", header_row=3)
    assert list(table.frame.columns) == ["id", "nom"]
    assert table.rows == [4, 5] and table.header_row == 3


def test_leading_blank_lines_before_the_header(tmp_path):
    table = read(tmp_path, "\n\nid,nom\n1,a\n")
    assert table.header_row == 3 and table.rows == [4]


def test_header_row_past_the_end(tmp_path):
    assert read_error(write(tmp_path, "id,nom\n1,a\n"), header_row=9).rule == "header_row"
    assert read_error(write(tmp_path, "id,nom\n1,a\n"), header_row=0).rule == "header_row"


# --- headers -----------------------------------------------------------------------------

def test_headers_are_normalised(tmp_path):
    table = read(tmp_path, 'id , Nom   du\u00a0lieu,"Code\npostal",Ville\n1,a,33000,Pau\n')
    assert list(table.frame.columns) == ["id", "Nom du lieu", "Code postal", "Ville"]
    changed = rules(table, "header_normalised")
    assert [(i.column, i.value, i.action, i.row) for i in changed] == [
        ("id", "id ", "corrected", 1),
        ("Nom du lieu", " Nom   du\u00a0lieu", "corrected", 1),
        ("Code postal", "Code\npostal", "corrected", 1),
    ]


def test_nfd_header_is_recomposed(tmp_path):
    table = read(tmp_path, "Te\u0301le\u0301phone,id\n1,2\n")
    assert list(table.frame.columns) == ["Téléphone", "id"]
    assert rules(table, "header_normalised")[0].column == "Téléphone"


def test_empty_header_gets_a_position_name(tmp_path):
    table = read(tmp_path, "id,,ville,\n1,x,Pau,y\n")
    assert list(table.frame.columns) == ["id", "column_2", "ville", "column_4"]
    assert [(i.column, i.rule) for i in rules(table, "empty_header")] == [
        ("column_2", "empty_header"), ("column_4", "empty_header")]


def test_duplicate_headers_after_normalisation(tmp_path):
    error = read_error(write(tmp_path, "id,Nom,Nom \n1,a,b\n"))
    assert (error.rule, error.column, error.file) == ("duplicate_header", "Nom", "export.csv")


# --- cells -------------------------------------------------------------------------------

def test_nfd_cells_are_recomposed_and_counted_once(tmp_path):
    table = read(tmp_path, "id,nom\n1,Cafe\u0301\n2,E\u0301cole\n3,Café\n")
    assert cells(table)["nom"] == ["Café", "École", "Café"]
    [issue] = rules(table, "unicode_normalised")
    assert issue.action == "corrected" and issue.message.startswith("2 cells")


def test_cells_are_trimmed_including_no_break_spaces(tmp_path):
    table = read(tmp_path, "id,nom\n1,\u00a0 Café \u202f\n2,\u202f\n3,\t\n")
    assert cells(table)["nom"] == ["Café", pd.NA, pd.NA]
    assert table.issues == []


@pytest.mark.parametrize("cell, repaired", [
    ("Ã©tÃ©", "été"),
    ("Ã‰cole", "École"),
    ("Ã¨re", "ère"),
    ("FranÃ§ais", "Français"),
    ("lâ€™atelier", "l’atelier"),
    ("Å“uvre", "œuvre"),
    ("voilÃ\u00a0", "voilà"),                      # à = C3 A0: its A0 must survive trimming
    ("ÃƒÂ©", "é"),                                  # encoded twice
    ("Ã‰cole du Numérique", "École du Numérique"),  # mixed with correct text
])
def test_mojibake_is_repaired(tmp_path, cell, repaired):
    table = read(tmp_path, f"id,nom\n1,{cell}\n")
    assert cells(table)["nom"] == [repaired]
    [issue] = rules(table, "mojibake")
    assert (issue.action, issue.row, issue.column, issue.value) == (
        "corrected", 2, "nom", cell.strip())


def test_unrepairable_mojibake_is_flagged_and_kept(tmp_path):
    # "â€" starts a 3-byte sequence (’ “ ” …) whose last byte was cut off.
    table = read(tmp_path, "id,nom\n1,Ã©tÃ© lâ€\n")
    assert cells(table)["nom"] == ["Ã©tÃ© lâ€"]
    [issue] = rules(table, "mojibake")
    assert (issue.action, issue.row, issue.column, issue.value) == (
        "flagged", 2, "nom", "Ã©tÃ© lâ€")


def test_mojibake_in_a_header_is_repaired(tmp_path):
    table = read(tmp_path, "id,Nombre de salariÃ©s\n1,2\n")
    assert list(table.frame.columns) == ["id", "Nombre de salariés"]
    [issue] = rules(table, "header_normalised")
    assert issue.value == "Nombre de salariÃ©s"


def test_plain_french_text_is_not_mojibake(tmp_path):
    text = "id,nom\n1,Â la une\n2,à l’été «Pau»\n3,ÇA\n"
    table = read(tmp_path, text)
    assert rules(table, "mojibake") == []
    assert cells(table)["nom"] == ["Â la une", "à l’été «Pau»", "ÇA"]


@pytest.mark.parametrize("cell", [
    '=HYPERLINK("http://x";"clic")',
    "@SUM(1)",
    "-cmd|' /C calc'!A0",
    "+SUM(A1)",
    "=1+1",
    "-2+3+cmd|' /C calc'!A0",
])
def test_formula_injection_is_flagged_and_kept_as_typed(tmp_path, cell):
    # Issue 20: neutralising belongs to the published CSV files, not to the data.
    path = write(tmp_path, b"id,texte\n1," + ('"' + cell.replace('"', '""') + '"').encode() + b"\n")
    table = read_table(path)
    assert cells(table)["texte"] == [cell]
    [issue] = rules(table, "formula_injection")
    assert (issue.action, issue.row, issue.column, issue.value) == ("flagged", 2, "texte", cell)


@pytest.mark.parametrize("cell", ["-1", "-2,5", "+33 5 56 00 00 00", "+33 (0)5 56 00 00 00",
                                  "-", "12", "a=b", "1E+2", "- Comptable"])
def test_numbers_and_phones_are_not_formulas(tmp_path, cell):
    table = read(tmp_path, f'id;texte\n1;{cell}\n')
    assert cells(table)["texte"] == [cell]
    assert rules(table, "formula_injection") == []


def test_real_limesurvey_export_in_cp1252(tmp_path):
    table = read_table(DATA / "limesurvey_2019_cp1252.csv", name="2019/lime.csv")
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert list(table.frame.columns) == ["id", "Nom du lieu", "Commune", "Nombre de salariés",
                                         "Commentaire"]
    assert cells(table)["Commentaire"] == ['Un lieu "vivant"', "Ligne 1\r\nLigne 2", pd.NA,
                                           "à côté"]
    assert cells(table)["Commune"] == ["Pau", "Bègles", "Tulle", "Périgueux"]
    assert table.row_problems[5].message == "expected 5 fields as in the header, found 4"
    assert {i.file for i in table.issues} == {"2019/lime.csv"}
    assert {i.wave for i in table.issues} == {None}


def test_real_google_forms_export_in_utf8_sig():
    table = read_table(DATA / "googleforms_2021_utf8sig.csv")
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert list(table.frame.columns)[:2] == ["Horodateur", "Nom du lieu"]
    assert cells(table)["Nom du lieu"] == ["Café des Possibles", "École du Numérique"]
    assert cells(table)["Adresse e-mail"][1] == '=HYPERLINK("http://x","clic")'
    assert cells(table)["Téléphone"] == ["+33 5 56 00 00 00", "-1"]
    assert cells(table)["Code commune"] == ["33063", "2A004"]
    stamp = parse_date(cells(table)["Horodateur"][0])
    assert stamp == (dt.datetime(2021, 3, 12, 22, 15, 32), None)
    assert sorted({i.rule for i in table.issues}) == [
        "formula_injection", "header_normalised", "mojibake", "unicode_normalised"]


def test_messages_never_carry_cell_contents(tmp_path):
    email = "jean.dupont@exemple.fr"
    table = read(tmp_path, f"id,email,tel\n1,{email}\n2,{email},0600000000,x\n3,{email},06")
    for problem in table.row_problems.values():
        assert email not in problem.message and "0600000000" not in problem.message
    error = read_error(write(tmp_path, f"id|email\n1|{email}\n"))
    assert email not in str(error)


# --- files -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_raw_file_is_only_opened_for_reading(tmp_path, monkeypatch, kind):
    if kind == "csv":
        path = write(tmp_path, "id,nom\n1,a\n")
    else:
        path = write(tmp_path, tricky_workbook(), "export.xlsx")
    path.chmod(0o444)
    modes = []
    real_open = builtins.open

    def spy(file, mode="r", *args, **kwargs):
        modes.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    read_table(path)
    assert modes == ["rb"]


def test_missing_file(tmp_path):
    error = read_error(tmp_path / "absent.csv")
    assert error.rule == "unreadable_file" and error.file == "absent.csv"


def test_format_is_decided_by_content_not_extension(tmp_path):
    csv_named_xlsx = write(tmp_path, "PK;nom\n1;a\n", "export.xlsx")   # starts with "PK" too
    assert read_table(csv_named_xlsx).delimiter == ";"
    xlsx_named_csv = tmp_path / "export_xlsx.csv"
    xlsx_named_csv.write_bytes(workbook_bytes([["id", "nom"], [1, "a"]]))
    table = read_table(xlsx_named_csv)
    assert table.encoding is None and table.delimiter is None and table.sheet == "Réponses"


def test_sheet_option_on_a_csv_is_reported(tmp_path):
    table = read(tmp_path, "id,nom\n1,a\n", sheet="Feuil1")
    assert [i.rule for i in table.issues] == ["sheet_ignored"]


# --- XLSX --------------------------------------------------------------------------------

def workbook_bytes(rows, *, title="Réponses", cover=False, merges=(), cached=None,
                   text_cells=()) -> bytes:
    """An XLSX made by openpyxl; ``cached`` maps a cell ref to the value Excel would save."""
    book = openpyxl.Workbook()
    if cover:
        book.active.title = "Lisez-moi"
        book.active["A1"] = "Export de l'enquête tiers-lieux"
        sheet = book.create_sheet(title)
    else:
        sheet = book.active
        sheet.title = title
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    for ref in text_cells:
        sheet[ref].data_type = "s"       # text that merely starts with "="
    buffer = io.BytesIO()
    book.save(buffer)
    return _with_cached_values(buffer.getvalue(), cached or {})


def _with_cached_values(data: bytes, cached: dict[str, str]) -> bytes:
    """openpyxl saves formulas without results; write them as Excel would."""
    if not cached:
        return data
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                for ref, value in cached.items():
                    start = content.index(f'<c r="{ref}"'.encode())
                    end = content.index(b"</c>", start)
                    cell = content[start:end].replace(b"<v />", f"<v>{value}</v>".encode())
                    content = content[:start] + cell + content[end:]
            target.writestr(item, content)
    return out.getvalue()


def test_xlsx_values_become_text(tmp_path):
    rows = [["Nom", "Date", "Horodateur", "CDI", "ETP", "Total", "Actif", "Vide"],
            ["Café", dt.date(2019, 3, 12), dt.datetime(2019, 3, 12, 10, 15, 32), 2, 2.5, 12.0,
             True, None],
            ["Lab", dt.datetime(2020, 1, 2), dt.datetime(2020, 1, 2, 8, 0), -1, 0.1, 1e20,
             False, "  "]]
    table = read_table(write(tmp_path, workbook_bytes(rows), "export.xlsx"))
    assert (table.encoding, table.delimiter, table.sheet) == (None, None, "Réponses")
    assert table.rows == [2, 3]
    assert cells(table) == {
        "Nom": ["Café", "Lab"],
        "Date": ["2019-03-12", "2020-01-02"],
        "Horodateur": ["2019-03-12T10:15:32", "2020-01-02T08:00:00"],
        "CDI": ["2", "-1"],
        "ETP": ["2.5", "0.1"],
        "Total": ["12", "100000000000000000000"],
        "Actif": ["True", "False"],
        "Vide": [pd.NA, pd.NA],
    }


def test_xlsx_excel_serial_number_reaches_parse_date(tmp_path):
    # A date typed in a cell formatted as a number arrives as its serial.
    table = read_table(write(tmp_path, workbook_bytes([["id", "date"], [1, 43536]]), "x.xlsx"))
    assert cells(table)["date"] == ["43536"]
    assert parse_date("43536") == (dt.datetime(2019, 3, 12), "excel_serial")


def test_xlsx_formula_cells(tmp_path):
    rows = [["id", "CDI", "CDD", "Total"], [1, 2, 3, "=B2+C2"], [2, 1, 1, "=B3+C3"]]
    data = workbook_bytes(rows, cached={"D2": "5"})
    table = read_table(write(tmp_path, data, "export.xlsx"))
    assert cells(table)["Total"] == ["5", pd.NA]
    found = rules(table, "formula_cell")
    assert [(i.row, i.column, i.value, i.action) for i in found] == [
        (2, "Total", "=B2+C2", "corrected"), (3, "Total", "=B3+C3", "set_missing")]


def test_xlsx_text_that_looks_like_a_formula_is_flagged(tmp_path):
    data = workbook_bytes([["id", "texte"], [1, "=1+1"]], text_cells=["B2"])
    table = read_table(write(tmp_path, data, "export.xlsx"))
    assert cells(table)["texte"] == ["=1+1"]
    assert rules(table, "formula_cell") == []
    assert len(rules(table, "formula_injection")) == 1


def test_xlsx_merged_group_header_needs_header_row(tmp_path):
    rows = [["Identité", None, "Emplois", None],
            ["Nom", "Commune", "CDI", "CDD"],
            ["Café", "Pau", 1, 0],
            ["Lab", "Dax", 2, 1]]
    path = write(tmp_path, workbook_bytes(rows, merges=["A1:B1", "C1:D1"]), "export.xlsx")
    error = read_error(path)
    assert error.rule == "merged_header" and error.row == 1
    assert "header_row: 2" in error.message
    table = read_table(path, header_row=2)
    assert list(table.frame.columns) == ["Nom", "Commune", "CDI", "CDD"]
    assert table.rows == [3, 4] and table.header_row == 2
    assert cells(table)["CDI"] == ["1", "2"]


def test_xlsx_name_merged_down_into_the_header_row(tmp_path):
    rows = [["Nom", "Emplois", None], [None, "CDI", "CDD"], ["Café", 1, 0]]
    path = write(tmp_path, workbook_bytes(rows, merges=["A1:A2", "B1:C1"]), "export.xlsx")
    table = read_table(path, header_row=2)
    assert list(table.frame.columns) == ["Nom", "CDI", "CDD"]


def test_xlsx_title_row_needs_header_row(tmp_path):
    rows = [["Enquête 2019"], ["id", "nom"], [1, "a"]]
    path = write(tmp_path, workbook_bytes(rows), "export.xlsx")
    error = read_error(path)
    assert error.rule == "header_row" and "header_row: 2" in error.message
    assert read_table(path, header_row=2).rows == [3]


def test_xlsx_sheets(tmp_path):
    path = write(tmp_path, workbook_bytes([["id", "nom"], [1, "a"]], cover=True), "export.xlsx")
    assert read_table(path).sheet == "Réponses"               # cover sheet skipped
    assert read_table(path, sheet="Réponses").rows == [2]
    error = read_error(path, sheet="Feuil1")
    assert error.rule == "sheet"
    assert "'Lisez-moi'" in error.message and "'Réponses'" in error.message
    assert read_error(path, sheet="Lisez-moi").rule == "no_data_rows"


def test_xlsx_blank_rows_and_trailing_formatting(tmp_path):
    rows = [["id", "nom"], [1, "a"], [None, None], [2, "b"]]
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(rows)))
    book.active["B40"].number_format = "0.00"      # formatted, empty: not a table row
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(write(tmp_path, buffer.getvalue(), "export.xlsx"))
    assert table.rows == [2, 4] and table.blank_rows == [3]


def test_xlsx_values_beyond_the_header_get_a_column(tmp_path):
    rows = [["id", "nom"], [1, "a", "note perdue"]]
    table = read_table(write(tmp_path, workbook_bytes(rows), "export.xlsx"))
    assert cells(table)["column_3"] == ["note perdue"]
    assert len(rules(table, "empty_header")) == 1


def test_xlsx_empty_and_broken(tmp_path):
    empty = io.BytesIO()
    openpyxl.Workbook().save(empty)
    assert read_error(write(tmp_path, empty.getvalue(), "e.xlsx")).rule == "empty_file"
    broken = write(tmp_path, b"PK\x03\x04" + b"not really a zip", "b.xlsx")
    assert read_error(broken).rule == "xlsx"


# --- XLSX: one streaming pass gives what two full openpyxl loads gave -------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

#: Styles 1, 2, 3: built-in formats date (14), time (21) and duration [h]:mm:ss (46).
_STYLES = (f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/></fonts>'
           '<fills count="1"><fill><patternFill/></fill></fills>'
           '<borders count="1"><border/></borders><cellXfs count="4">'
           '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
           '<xf numFmtId="21" applyNumberFormat="1"/><xf numFmtId="46" applyNumberFormat="1"/>'
           "</cellXfs></styleSheet>")


def raw_workbook(sheet_body: str, *, shared: str = "", links: dict[str, str] | None = None,
                 title: str = "Réponses") -> bytes:
    """An XLSX written by hand, as other tools write them (shared strings, no ``r``...)."""
    overrides = {"/xl/workbook.xml": "sheet.main", "/xl/styles.xml": "styles",
                 "/xl/sharedStrings.xml": "sharedStrings",
                 "/xl/worksheets/sheet1.xml": "worksheet"}
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{part}" ContentType="{_TYPE}.{kind}+xml"/>'
                      for part, kind in overrides.items()) + "</Types>",
        "_rels/.rels": _relationships(("rId1", "officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
                           f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _relationships(
            ("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "styles", "styles.xml"),
            ("rId3", "sharedStrings", "sharedStrings.xml")),
        "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}">{shared}</sst>',
        "xl/worksheets/sheet1.xml":
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">{sheet_body}</worksheet>',
    }
    if links:
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = _relationships(
            *((rid, "hyperlink", url) for rid, url in links.items()), external=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    return out.getvalue()


def _relationships(*items: tuple[str, str, str], external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return (f'<Relationships xmlns="{_PACKAGE}">'
            + "".join(f'<Relationship Id="{rid}" Type="{_RELS}/{kind}" Target="{target}"{mode}/>'
                      for rid, kind, target in items) + "</Relationships>")


#: Every kind of cell the streaming reader handles itself or hands to openpyxl.
TRICKY_SHEET = (
    '<dimension ref="A1:A1"/><sheetData>'       # wrong: the data goes to E7
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="inlineStr"><is><t>Total</t></is></c><c r="D1" t="s"><v>2</v></c>'
    '<c r="E1" t="str"><f>"Du"&amp;"rée"</f><v>Durée</v></c></row>'
    '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>3</v></c>'
    '<c r="C2"><f t="shared" ref="C2:C4" si="0">A2*2</f><v>2</v></c>'
    '<c r="D2" s="1"><v>43536</v></c><c r="E2" s="3"><v>1.5</v></c></row>'
    '<row r="3"><c r="A3"><v>2.5</v></c><c r="B3" t="s"><v>4</v></c>'
    '<c r="C3"><f t="shared" si="0"/><v>5</v></c><c r="D3" s="2"><v>0.4375</v></c>'
    '<c r="E3" t="b"><v>1</v></c></row>'
    '<row><c><v>3</v></c>'
    '<c t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr><t>che</t></r></is></c>'
    '<c><f t="shared" si="0"/></c><c t="d"><v>2019-03-12T10:15:00</v></c>'
    '<c t="e"><v>#N/A</v></c></row>'
    '<row r="5"><c r="A5"><f t="array" ref="A5">SUM(A2:A4)</f><v>6.5</v></c>'
    '<c r="B5" t="s"><v>5</v></c><c r="C5" t="inlineStr"><is><t>caché</t></is></c>'
    '<c r="D5" s="1"><v>99999999</v></c></row>'
    '<row r="7"><c r="a7"><v>7</v></c>'
    '<c r="E7" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c>'
    '</row></sheetData>'
    '<mergeCells count="1"><mergeCell ref="B5:C5"/></mergeCells>'
    '<hyperlinks><hyperlink ref="B6" r:id="rId1"/><hyperlink ref="C5" r:id="rId1"/>'
    '<hyperlink ref="D6" location="\'Réponses\'!A1"/></hyperlinks>')
TRICKY_STRINGS = ('<si><t>id</t></si><si><t>Nom</t></si>'
                  '<si><t xml:space="preserve">Date </t></si><si><t>Café</t></si>'
                  '<si><r><t>La </t></r><r><rPr><i/></rPr><t>Ruche</t></r></si>'
                  '<si><t>a_x005F_x000D_b</t><rPh sb="0" eb="1"><t>ア</t></rPh></si>')


def full_load_cells(data: bytes) -> dict[tuple[int, int], tuple]:
    """Cells as the reader used to see them: two full openpyxl loads (formulas, values)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # date out of range, default style
        sheets = [openpyxl.load_workbook(io.BytesIO(data), data_only=flag).worksheets[0]
                  for flag in (False, True)]
    out = {}
    for row_f, row_v in zip(*(ws.iter_rows() for ws in sheets)):
        for f, v in zip(row_f, row_v):
            formula = str(getattr(f.value, "text", f.value)) if f.data_type == "f" else None
            cell = (v.value, formula) if formula else (f.value, None)
            if cell != (None, None):
                out[f.row, f.column] = cell
    return out


def streamed_cells(data: bytes) -> dict[tuple[int, int], tuple]:
    from tlresearch.io.xlsx_reader import _read_workbook

    sheet = _read_workbook(data, "x.xlsx", None)[0]
    return {(row, column): cell for row, cells in sheet.cells.items()
            for column, cell in enumerate(cells, start=1) if cell != (None, None)}


def tricky_workbook() -> bytes:
    return raw_workbook(TRICKY_SHEET, shared=TRICKY_STRINGS,
                        links={"rId1": "https://tiers.example"})


def test_xlsx_streamed_cells_equal_a_full_openpyxl_load():
    # The guard for the openpyxl internals readers_xlsx relies on (see its docstring).
    data = tricky_workbook()
    expected = full_load_cells(data)
    assert streamed_cells(data) == expected
    assert expected[2, 3] == (2, "=A2*2") and expected[3, 3] == (5, "=A3*2")
    assert expected[4, 3][0] is None          # a formula without a saved result
    assert expected[5, 1] == (6.5, "=SUM(A2:A4)")


def test_xlsx_openpyxl_workbook_equal_a_full_load():
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.worksheet.formula import ArrayFormula

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "Quand", "Durée", "Lien", "Texte", "Calcul"])
    sheet.append([1, dt.datetime(2019, 3, 12, 10, 15, 32, 600_000), dt.timedelta(hours=30),
                  None, CellRichText("La ", TextBlock(InlineFont(b=True), "Ruche")), None])
    sheet.append([2, dt.time(8, 30), dt.date(2020, 1, 2), "texte", None, None])
    sheet["D2"].hyperlink = "https://tiers.example"
    sheet["D2"].value = None                        # a link left on an emptied cell
    sheet["F2"] = ArrayFormula("F2", "=SUM(A2:A3)")
    sheet.merge_cells("E3:F3")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert streamed_cells(data) == full_load_cells(data)


def test_xlsx_tricky_workbook_reads_as_before(tmp_path):
    table = read_table(write(tmp_path, tricky_workbook(), "export.xlsx"))
    assert list(table.frame.columns) == ["id", "Nom", "Total", "Date", "Durée"]
    assert table.rows == [2, 3, 4, 5, 6, 7]        # the wrong <dimension> cut nothing
    assert cells(table) == {
        "id": ["1", "2.5", "3", "6.5", pd.NA, "7"],
        "Nom": ["Café", "La Ruche", "riche", "a_x000D_b", "https://tiers.example", pd.NA],
        "Total": ["2", "5", pd.NA, pd.NA, pd.NA, pd.NA],   # C5 is hidden by B5:C5
        "Date": ["2019-03-12", "10:30:00", "2019-03-12T10:15:00", pd.NA,  # #VALUE!
                 "'Réponses'!A1", pd.NA],
        "Durée": ["1 day, 12:00:00", "True", pd.NA, pd.NA, pd.NA, "x"],    # #N/A
    }
    assert [(i.row, i.column, i.value) for i in rules(table, "spreadsheet_error")] == [
        (4, "Durée", "#N/A"), (5, "Date", "#VALUE!")]
    assert [(i.row, i.column, i.action) for i in rules(table, "formula_cell")] == [
        (1, None, "corrected"), (2, "Total", "corrected"), (3, "Total", "corrected"),
        (4, "Total", "set_missing"), (5, "id", "corrected")]


def test_xlsx_merged_group_header_in_hand_written_xml(tmp_path):
    body = ('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Emplois</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>CDI</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>CDD</t></is></c></row>'
            '<row r="3"><c r="A3"><v>1</v></c><c r="B3"><v>0</v></c></row></sheetData>'
            '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>')
    path = write(tmp_path, raw_workbook(body), "export.xlsx")
    assert read_error(path).rule == "merged_header"
    assert cells(read_table(path, header_row=2)) == {"CDI": ["1"], "CDD": ["0"]}


def test_xlsx_broken_sheet_xml_is_an_xlsx_error(tmp_path):
    body = '<sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData>'  # no </c>
    error = read_error(write(tmp_path, raw_workbook(body), "export.xlsx"))
    assert error.rule == "xlsx" and "ParseError" in error.message


def test_xlsx_is_not_loaded_in_full(tmp_path, monkeypatch):
    # Full loads made XLSX the bottleneck of ingestion; the reader streams each sheet once.
    import openpyxl.reader.excel

    def refuse(*args, **kwargs):
        raise AssertionError("full openpyxl load")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", refuse)
    monkeypatch.setattr(openpyxl.reader.excel.WorksheetReader, "bind_all", refuse)
    table = read_table(write(tmp_path, tricky_workbook(), "export.xlsx"))
    assert len(table.frame) == 6


