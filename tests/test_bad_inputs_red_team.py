"""The red team's everyday bad files (issue 9): each gives one clear error or a
quarantined row with its reason, never a traceback, never a silent drop.

Files are under ``tests/data/bad/`` (exports), ``tests/data/bad/codebooks/`` and
``tests/data/bad/overrides/``; the 10 MB cell is generated in a temporary folder.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import tlresearch
from tlresearch.core.errors import CodebookError, DataError, ReadError
from tlresearch.core.panel_versions import publish
from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import parquet_bytes
from tlresearch.ingest.linkage import load_link_overrides
from tlresearch.ingest.pipeline import build_panel
from tlresearch.ingest.roles import load_role_overrides
from tlresearch.spec.codebook import load_codebook

from helpers.bad_inputs import BAD, assert_conserved, logged, quarantined, run_wave

QUARANTINES = [
    ("repeated_header.csv", [("repeated_header", 3, None)]),
    ("footer.csv", [("footer_line", 4, None)]),
    ("ref_error.csv", [("missing_place_name", 2, "place_name"),
                       ("missing_place_name", 4, "place_name"),
                       ("missing_place_name", 5, "place_name")]),
    ("stray_cell_last_row.xlsx", [("after_blank_gap", 1048576, None)]),
]


@pytest.mark.parametrize("file_name, expected", QUARANTINES)
def test_rows_that_are_not_responses_are_quarantined(tmp_path, file_name, expected):
    result = run_wave(tmp_path, file_name)
    assert quarantined(result) == expected
    assert_conserved(result)
    assert "NOM" not in set(result.kept["place_name"])  # never a place named after a header


def test_rows_in_are_the_records_of_the_file(tmp_path):
    # 2 responses + the stray cell; the million empty rows above it are not "rows".
    assert run_wave(tmp_path / "x", "stray_cell_last_row.xlsx").rows_in == 3
    assert run_wave(tmp_path / "h", "repeated_header.csv").rows_in == 3
    assert run_wave(tmp_path / "f", "footer.csv").rows_in == 3


CELL_FIXES = [
    ("sep_line.csv", ("sep_line", "reported", 1, None)),
    ("trailing_delimiter.csv", ("trailing_delimiter", "corrected", None, None)),
    ("ref_error.csv", ("spreadsheet_error", "set_missing", 2, "NOM")),
    ("date_year_0001.csv", ("date_out_of_range", "set_missing", 3, "DATE")),
    ("stray_cell_last_row.xlsx", ("blank_rows_trimmed", "reported", 4, None)),
]


@pytest.mark.parametrize("file_name, expected", CELL_FIXES)
def test_everyday_quirks_are_read_and_logged(tmp_path, file_name, expected):
    result = run_wave(tmp_path, file_name)
    assert expected in logged(result)
    assert_conserved(result)


#: Values the red team found kept as data, with the exact line each now writes to the
#: quality log: (file, rule, action, row, column, raw value, message).
ETP = "Équivalents temps plein (ETP)"
LOGGED_VALUES = [
    ("etp_percent.csv", "percent_of_full_time", "corrected", 2, "ETP", "80 %",
     f"{ETP}: value reformatted (percent_of_full_time)"),
    ("etp_percent.csv", "percent_of_full_time", "corrected", 3, "ETP", "80%",
     f"{ETP}: value reformatted (percent_of_full_time)"),
    ("etp_percent.csv", "fraction", "corrected", 5, "ETP", "1/2",
     f"{ETP}: value reformatted (fraction)"),
    ("etp_percent.csv", "percent_above_full_time", "set_missing", 6, "ETP", "150 %",
     f"{ETP}: value not usable (percent_above_full_time)"),
    ("ref_error.csv", "spreadsheet_error", "set_missing", 4, "NOM", "#N/A",
     "a spreadsheet error value, not an answer: cell left empty"),
    ("ref_error.csv", "spreadsheet_error", "set_missing", 5, "NOM", "#VALEUR!",
     "a spreadsheet error value, not an answer: cell left empty"),
    ("date_year_0001.csv", "year_out_of_range", "set_missing", 2, "OUVERTURE", "0001",
     "Année d'ouverture: value not usable (year_out_of_range)"),
    ("date_year_0001.csv", "date_out_of_range", "set_missing", 3, "DATE", "01/01/0001",
     "Date de réponse: value not usable (date_out_of_range)"),
]


@pytest.mark.parametrize("file_name", sorted({case[0] for case in LOGGED_VALUES}))
def test_values_that_are_not_what_they_seem_are_logged_exactly(tmp_path, file_name):
    result = run_wave(tmp_path, file_name)
    found = {(i.rule, i.action, i.row, i.column, i.value, i.message)
             for i in result.harmonised.issues}
    for expected in [case[1:] for case in LOGGED_VALUES if case[0] == file_name]:
        assert expected in found
    assert_conserved(result)
    if file_name == "etp_percent.csv":  # 80 % of one post is 0,8 ETP, not 80
        assert result.kept["etp"].tolist() == [0.8, 0.8, 0.8, 0.5, pd.NA]


def test_a_stray_delimiter_on_every_row_keeps_every_row(tmp_path):
    result = run_wave(tmp_path, "trailing_delimiter.csv")
    assert result.quarantine == {} and len(result.kept) == 2


@pytest.mark.parametrize("file_name, rule, row", [
    ("password_protected.xlsx", "encrypted_file", None),
    ("huge_cell.csv", "cell_too_long", 2),
])
def test_unreadable_exports_are_named_for_what_they_are(tmp_path, file_name, rule, row):
    source = BAD / file_name
    if file_name == "huge_cell.csv":  # 10 MB: generated, not kept in git
        good = (BAD / "good.csv").read_text(encoding="utf-8").splitlines()
        source = tmp_path / file_name
        source.write_text("\n".join([good[0], good[1].replace("La Ruche", "x" * 10_000_000),
                                     good[2]]) + "\n", encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        run_wave(tmp_path / "w", file_name, source=source)
    assert (caught.value.rule, caught.value.row) == (rule, row)
    assert "password" in str(caught.value) or "1 000 000 characters" in str(caught.value)


def _survey(tmp_path, codebook: Path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    (paths.raw / "2024").mkdir(parents=True)
    shutil.copy(BAD / "good.csv", paths.raw / "2024" / "good.csv")
    paths.codebooks.mkdir(parents=True)
    shutil.copy(codebook, paths.codebook(2024))
    return paths


@pytest.mark.parametrize("name", ["cp1252.yaml", "utf16.yaml"])
def test_codebooks_in_any_encoding_the_readers_accept(tmp_path, name):
    paths = _survey(tmp_path, BAD / "codebooks" / name)
    assert load_codebook(paths.codebook(2024)).notes.startswith("Données")
    assert len(build_panel(paths).tables["responses"]) == 2


@pytest.mark.parametrize("name, rule, message", [
    ("billion_laughs.yaml", "codebook_limits", "once its aliases"),
    ("deeply_nested.yaml", "codebook_limits", "nested more than 40 levels"),
    ("file_outside_raw.yaml", "raw_file_outside", "inside raw/"),
    ("absolute_file.yaml", "raw_file_outside", "inside raw/"),
    ("empty_separator.yaml", "codebook_content", "must be a non-empty text"),
])
def test_hostile_or_broken_codebooks_are_one_clear_error(tmp_path, name, rule, message):
    paths = _survey(tmp_path, BAD / "codebooks" / name)
    with pytest.raises(CodebookError) as caught:
        build_panel(paths)
    assert caught.value.rule == rule and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_raw_file_linked_from_outside_raw_is_refused(tmp_path):
    paths = _survey(tmp_path, BAD / "codebooks" / "cp1252.yaml")
    outside = tmp_path / "elsewhere.csv"
    shutil.move(paths.raw / "2024" / "good.csv", outside)
    (paths.raw / "2024" / "good.csv").symlink_to(outside)
    with pytest.raises(CodebookError) as caught:
        build_panel(paths)
    assert caught.value.rule == "raw_file_outside" and "link" in str(caught.value)


def test_an_export_the_codebook_does_not_name_is_reported(tmp_path):
    paths = _survey(tmp_path, BAD / "codebooks" / "cp1252.yaml")
    shutil.copy(BAD / "footer.csv", paths.raw / "2024" / "second_export.csv")
    result = build_panel(paths)
    assert result.warnings == ["2024/second_export.csv: a file of the wave's folder that the "
                               "codebook does not name: not ingested"]
    log = result.tables["quality_log"]
    assert "unnamed_export" in set(log["rule"])


def test_overrides_saved_by_french_excel_are_read(tmp_path):
    roles = load_role_overrides(BAD / "overrides" / "roles_cp1252.csv")
    assert roles["title"].tolist() == ["Chargée d'accueil"]
    links = load_link_overrides(BAD / "overrides" / "place_links_cp1252.csv")
    assert links["new_place"].tolist() == [True]


def test_a_malformed_overrides_row_names_its_row(tmp_path):
    with pytest.raises(DataError) as caught:
        load_role_overrides(BAD / "overrides" / "roles_4_fields.csv")
    assert (caught.value.rule, caught.value.row) == ("field_count", 3)


def test_a_truncated_parquet_is_one_clear_error(tmp_path):
    frame = pd.DataFrame({"place_id": ["p1"], "wave": [2024]})
    version = publish(tmp_path / "processed", {"responses.parquet": parquet_bytes(frame)})
    table = tmp_path / "processed" / "versions" / version / "responses.parquet"
    table.write_bytes(table.read_bytes()[:40])
    with pytest.raises(DataError) as caught:
        tlresearch.load_responses(data_dir=tmp_path)
    assert caught.value.rule == "unreadable_table" and "tlresearch ingest" in str(caught.value)


def _cli(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    env.pop("TLRESEARCH_DATA_DIR", None)
    return subprocess.run([sys.executable, "-m", "tlresearch.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["ingest", "--waves", "2017-2000000000"], "wave 2000000000 is not a survey year"),
    (["report", "--year", "2017-99999999"], "wave 99999999 is not a survey year"),
    (["ingest", "--waves", "2019-2017"], "ends before it starts"),
    (["ingest", "--waves", "deux-mille"], "is not a wave"),
])
def test_ranges_of_waves_are_bounded(tmp_path, args, message):
    (tmp_path / "data").mkdir()
    run = _cli("--data-dir", str(tmp_path / "data"), *args)
    assert run.returncode == 2 and message in run.stderr
    assert run.stderr.count("\n") == 1, run.stderr


def test_unknown_waves_are_listed_in_one_short_line(tmp_path):
    paths = _survey(tmp_path, BAD / "codebooks" / "cp1252.yaml")
    run = _cli("--data-dir", str(paths.root), "ingest", "--waves", "1990-2023")
    assert run.returncode == 2, run.stderr
    assert "no codebook for wave(s) 1990-2023" in run.stderr and "waves there: 2024" in run.stderr
    assert run.stderr.count("\n") == 1 and len(run.stderr) < 300


@pytest.mark.parametrize("command", ["ingest", "dictionary", "register"])
def test_a_data_dir_that_is_a_file_or_missing_is_refused_before_anything(tmp_path, command):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    extra = [str(BAD / "good.csv")] if command == "register" else []
    for data_dir, message in ((afile, "is a file"), (tmp_path / "nonexistent" / "x",
                                                     "does not exist")):
        run = _cli("--data-dir", str(data_dir), command, *extra)
        assert run.returncode == 2 and message in run.stderr, run.stderr
        assert run.stderr.count("\n") == 1
    assert not (tmp_path / "nonexistent").exists()  # nothing created
    assert afile.read_text() == "not a folder"
