"""Issue 20, the last silent losses: each case a file as a real tool or person writes it.

Files are under ``tests/data/bad/`` (exports and codebooks) and ``tests/data/layouts/``;
the large hostile files are generated in a temporary folder (their memory and time are
measured by benchmarks/bench_real_exports.py, never here).
"""
import io
import os
import struct
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from tlresearch.core.errors import CodebookError, ReadError
from tlresearch.core.panel_versions import current_version, publish_with_restricted
from tlresearch.core.storage import parquet_bytes
from tlresearch.ingest.title_normalise import normalise_title
from tlresearch.io.raw_tables import read_table
from tlresearch.report.notebook_helpers import unknown_titles_table
from tlresearch.spec.codebook_file import read_codebook_yaml

from helpers.bad_inputs import BAD, assert_conserved, quarantined, run_wave

# --- CSV: a quote never closed --------------------------------------------------------

@pytest.mark.parametrize("file_name, broken_row", [
    ("unbalanced_quote.csv", 4),      # a quote opens the 3rd of 5 records, never closed
    ("unbalanced_quote_mid.csv", 3),  # a quote opened in a cell, closed two lines further
])
def test_a_stray_quote_loses_no_record(tmp_path, file_name, broken_row):
    result = run_wave(tmp_path, file_name)
    assert_conserved(result)
    assert result.rows_in == 5 and len(result.kept) == 4
    assert quarantined(result) == [("unbalanced_quote", broken_row, None)]
    assert {"La Forge (atelier)", "La Forge"} & set(result.kept["place_name"])
    assert "L'Atelier" in set(result.kept["place_name"])


def test_a_complete_last_record_is_not_taken_for_a_footer(tmp_path):
    # The last line quoted whole (re-saved by a text editor): a response, not a footer.
    result = run_wave(tmp_path / "q", "last_record_quoted_whole.csv")
    assert result.quarantine == {} and list(result.kept["place_name"]) == ["La Ruche", "Le Bocal"]
    assert result.kept["cdi"].tolist() == [1, 0]
    assert quarantined(run_wave(tmp_path / "f", "footer.csv")) == [("footer_line", 4, None)]


# --- the codebook: a key written twice -------------------------------------------------

def test_a_label_written_twice_is_refused_naming_key_and_lines():
    with pytest.raises(CodebookError) as caught:
        read_codebook_yaml(BAD / "codebooks" / "duplicate_label.yaml")
    error = caught.value
    assert (error.rule, error.row) == ("duplicate_key", 16)
    assert "'Association'" in str(error) and "lines 14 and 16" in str(error)
    assert "\n" not in str(error)


def test_the_same_key_in_two_blocks_is_not_a_duplicate(tmp_path):
    codebook = tmp_path / "ok.yaml"
    codebook.write_text("variables:\n  a: {column: X, labels: {Oui: 1}}\n"
                        "  b: {column: Y, labels: {Oui: 1}}\n", encoding="utf-8")
    assert read_codebook_yaml(codebook)["variables"]["b"]["labels"] == {"Oui": 1}


# --- panel and restricted tables: one switch ---------------------------------------------

def _tables(tag):
    frame = pd.DataFrame({"place_id": ["p1"], "tag": [tag]})
    return {"responses.parquet": parquet_bytes(frame)}, {"contacts.parquet": parquet_bytes(frame)}


def test_panel_and_contacts_switch_together(tmp_path):
    processed, restricted = tmp_path / "processed", tmp_path / "restricted"
    for tag in ("a", "b"):
        panel, contacts = _tables(tag)
        version = publish_with_restricted(processed, panel, restricted, contacts)
        assert current_version(processed) == version
        assert pd.read_parquet(restricted / "contacts.parquet")["tag"].tolist() == [tag]
    # The contacts are reached through the panel's pointer: no second switch to miss.
    assert os.readlink(restricted / "current") == "../processed/current/.restricted"
    # A third version staged but not switched (a kill before the switch) changes nothing.
    panel, contacts = _tables("c")
    os.replace(processed / "current", tmp_path / "saved")
    publish_with_restricted(processed, panel, restricted, contacts)
    os.replace(tmp_path / "saved", processed / "current")
    assert pd.read_parquet(restricted / "contacts.parquet")["tag"].tolist() == ["b"]
    assert pd.read_parquet(processed / "responses.parquet")["tag"].tolist() == ["b"]


# --- spreadsheets: .ods, hidden sheets, decompression bombs ---------------------------------

READERS = BAD.parent / "readers"


@pytest.mark.parametrize("file_name", ["libreoffice_2026.ods", "hidden_sheet_first.xlsx"])
def test_the_sheet_read_is_named_and_hidden_sheets_skipped(file_name):
    table = read_table(READERS / file_name)
    assert table.sheet == "Réponses" and table.rows == [2, 3]
    assert table.frame["NOM"].tolist() == ["La Ruche", "Le Bocal"]
    assert table.frame["CP"].tolist() == ["33130", "87000"]
    assert table.frame["SALARIES"].tolist() == ["2", "0"]
    note = next(issue for issue in table.issues if issue.rule == "sheet_read")
    assert "'Réponses' read" in note.message and "hidden sheets skipped: ['Calculs']" in note.message


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content, compress_type=zipfile.ZIP_STORED
                             if member == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


_ODS_HEAD = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
             'office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
             '<office:body><office:spreadsheet><table:table table:name="Feuille1">')


def test_an_ods_expanding_to_millions_of_cells_is_refused_in_one_line(tmp_path):
    # 20 000 rows of 1 000 repeated cells: 20 million cells written in 200 bytes.
    row = ('<table:table-row table:number-rows-repeated="20000"><table:table-cell '
           'table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
           '</table:table-row>')
    path = tmp_path / "bomb.ods"
    path.write_bytes(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                           "content.xml": (_ODS_HEAD + row + "</table:table></office:spreadsheet>"
                                           "</office:body></office:document-content>").encode()}))
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert caught.value.rule == "too_many_cells" and "enregistrez-le en XLSX" in str(caught.value)


def test_an_ods_that_cannot_be_read_says_to_save_it_as_xlsx(tmp_path):
    path = tmp_path / "broken.ods"
    path.write_bytes(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                           "content.xml": b"<office:document-content"}))
    with pytest.raises(ReadError) as caught:
        read_table(path)
    assert caught.value.rule == "ods" and "enregistrez-le en XLSX" in str(caught.value)
    assert "\n" not in str(caught.value)


def _declared_bomb(path):
    """A real workbook whose answers sheet declares 4,3 GB once inflated."""
    data = bytearray((READERS / "hidden_sheet_first.xlsx").read_bytes())
    member = b"xl/worksheets/sheet2.xml"
    at = 0
    while (at := data.find(b"PK\x01\x02", at + 1)) > 0:  # central directory entries
        length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + length] == member:
            data[at + 24:at + 28] = struct.pack("<I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    return path


def test_an_xlsx_declaring_gigabytes_is_refused_before_it_is_inflated(tmp_path):
    with pytest.raises(ReadError) as caught:
        read_table(_declared_bomb(tmp_path / "bomb.xlsx"))
    assert caught.value.rule == "archive_too_large" and "4 295 MB" in str(caught.value)


def test_the_command_line_refuses_a_bomb_in_one_line_with_exit_1(tmp_path):
    (tmp_path / "data" / "raw" / "2026").mkdir(parents=True)
    _declared_bomb(tmp_path / "data" / "raw" / "2026" / "reponses.xlsx")
    run = subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir",
                          str(tmp_path / "data"), "codebook", "draft",
                          str(tmp_path / "data" / "raw" / "2026" / "reponses.xlsx"),
                          "--wave", "2026"], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=300)
    assert run.returncode == 1 and "inflates to 4 295 MB" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


# --- free text on public pages ------------------------------------------------------------

def test_a_phone_or_email_typed_as_a_job_title_never_reaches_the_quality_page():
    typed = ["+33 6 00 00 00 00", "Écrire à marie.dupont@exemple.fr", "06 12 34 56 78",
             "Responsable 2010-2015"]
    staff = pd.DataFrame({"role": ["unknown"] * 4, "title_raw": typed,
                          "title_normalised": [normalise_title(t) for t in typed]})
    html = unknown_titles_table(staff, year=2026).html
    assert "33 6" not in html and "dupont" not in html and "12 34" not in html
    assert "[coordonnées masquées]" in html and "responsable 2010 2015" in html


# --- values typed by people -----------------------------------------------------------------

@pytest.mark.parametrize("typed", ["-1", "- 1", "\u22121", "-50 %", "\u221250 %"])
def test_a_negative_etp_is_quarantined_as_out_of_range(tmp_path, typed):
    source = tmp_path / "etp.csv"
    source.write_text((BAD / "good.csv").read_text(encoding="utf-8").replace(
        ";0;0;0;0;2019", f";2;1;1;{typed};2019"), encoding="utf-8")
    result = run_wave(tmp_path / "w", "etp.csv", source=source)
    assert quarantined(result) == [("range_etp", 3, "ETP")]
    assert not [i for i in result.harmonised.issues if i.rule == "formula_injection"]


# --- duplicates and identity ------------------------------------------------------------------

def test_two_places_of_one_name_in_two_postcodes_are_two_places(tmp_path):
    result = run_wave(tmp_path, "homonym_places.csv")
    assert result.quarantine == {} and result.kept["source_row"].tolist() == [2, 3, 4]


def test_a_place_without_commune_submitting_twice_is_found(tmp_path):
    result = run_wave(tmp_path, "resubmitted_without_commune.csv")
    # Same name, same e-mail (case aside): the earlier one set aside; another e-mail is
    # another submitter, kept.
    assert quarantined(result) == [("duplicate_submission", 2, "place_name")]
    assert result.kept["source_row"].tolist() == [3, 4, 5]
    assert_conserved(result)


def test_check_lists_every_response_left_without_a_commune(tmp_path):
    import shutil

    import yaml

    from tlresearch.core.paths import DataPaths
    from tlresearch.ingest.codebook_check import check_codebook

    paths = DataPaths(tmp_path / "data")
    (paths.raw / "2024").mkdir(parents=True)
    shutil.copy(BAD / "resubmitted_without_commune.csv", paths.raw / "2024" / "export.csv")
    codebook = yaml.safe_load((BAD / "codebook.yaml").read_text(encoding="utf-8"))
    codebook["file"] = "2024/export.csv"
    paths.codebooks.mkdir(parents=True)
    paths.codebook(2024).write_text(yaml.safe_dump(codebook, allow_unicode=True),
                                    encoding="utf-8")
    notes = [n for n in check_codebook(paths, 2024).notes if "will have no commune" in n]
    assert notes == ["3 response(s) will have no commune: row 2 (2024-000002), row 4 "
                     "(2024-000004), row 5 (2024-000005); give their commune in "
                     "overrides/communes.csv by response_id"]


# --- resolution ----------------------------------------------------------------------------

def test_a_name_with_a_homonym_in_the_region_never_beats_coordinates_elsewhere():
    from tlresearch.geo.resolve import ColumnChoice, resolve_table

    places = pd.DataFrame({  # the four places of the issue, and one inside the region
        "commune": ["Moncontour", "Vernon", "Saint-Georges-du-Bois", "Saint-Benoît", "Poitiers"],
        "lat": ["48.3589", "49.0928", "47.9686", "-21.0339", "46.58"],
        "lon": ["-2.6336", "1.4853", "0.2397", "55.7128", "0.34"]})
    resolved = resolve_table(places, ColumnChoice(name="commune", lat="lat", lon="lon"))
    assert resolved["departement_code"].tolist() == ["22", "27", "72", "974", "86"]
    assert resolved["commune_code"].tolist()[-1] == "86194"


@pytest.mark.parametrize("name, postcode, code", [
    ("Vannes (56)", None, "56260"),
    ("Brest (29)", "29237", "29019"),   # a CEDEX number that is another commune's code
    ("Bordeaux", "33077", "33063"),     # Bordeaux CEDEX
    ("Saint-Benoît (974)", None, "97410"),
])
def test_the_name_beats_a_cedex_or_contradicting_postcode(name, postcode, code):
    from tlresearch.geo.communes import resolve_communes

    frame = pd.DataFrame({"commune_name": [name], "postcode": [postcode], "commune_code": [None]})
    assert resolve_communes(frame)["commune_code"].tolist() == [code]


def test_a_year_typed_with_words_is_the_year():
    from tlresearch.io.cells import parse_year

    assert parse_year("en 2010") == (2010, "year_in_words")
    assert parse_year("depuis 2015")[0] == 2015 and parse_year("15")[0] is None


# --- job titles --------------------------------------------------------------------------------

def test_split_takes_one_separator_or_a_list():
    from tlresearch.spec.codebook import parse_codebook

    def codebook(split):
        return parse_codebook({"wave": 2026, "file": "2026/x.csv", "variables": {
            "place_name": "N", "commune_name": "C",
            "jobs": {"slots": [{"title": "T", "split": split}]}}})

    assert codebook(["\n", " / ", " et "]).variables["jobs"].splits == {"T": ("\n", " / ", " et ")}
    assert codebook("; ").variables["jobs"].splits == {"T": ("; ",)}
    for bad in ([], [""], ["\n", 3]):
        with pytest.raises(CodebookError, match="split must be a non-empty text"):
            codebook(bad)


def test_titles_are_cut_on_lines_bullets_and_et_between_titles_only():
    from tlresearch.ingest.cell_lists import split_titles
    from tlresearch.ingest.title_split import separates_titles

    cell = ("Coordinatrice et animatrice\r\n- Comptable / Responsable administratif et "
            "financier\n•  Chargée   de communication")
    assert split_titles(cell, ("\n", " / ", " et "), separates_titles) == [
        "Coordinatrice", "animatrice", "Comptable", "Responsable administratif et financier",
        "Chargée de communication"]
