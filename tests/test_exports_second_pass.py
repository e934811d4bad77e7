"""Issue 20, the last silent losses: each case a file as a real tool or person writes it.

Files are under ``tests/data/bad/`` (exports and codebooks) and ``tests/data/layouts/``;
the large hostile files are generated in a temporary folder (their memory and time are
measured by benchmarks/bench_real_exports.py, never here).
"""
import os

import pandas as pd
import pytest

from tlresearch.core.errors import CodebookError
from tlresearch.core.panel_versions import current_version, publish_with_restricted
from tlresearch.core.storage import parquet_bytes
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
