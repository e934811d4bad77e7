"""Running one file of the bad-input corpus (tests/data/bad) through a real wave."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tlresearch.core.paths import DataPaths
from tlresearch.ingest.wave import ingest_wave
from tlresearch.spec.codebook import parse_codebook

BAD = Path(__file__).parents[1] / "data" / "bad"


def run_wave(tmp_path, file_name, source=None, **codebook_changes):
    """Ingest one file of the corpus (or ``source``) as wave 2024 with the shared codebook;
    ``codebook_changes`` replace top-level keys or, for ``variables``, add variables."""
    source = Path(source) if source else BAD / file_name
    paths = DataPaths(tmp_path / "data")
    (paths.raw / "2024").mkdir(parents=True)
    shutil.copy(source, paths.raw / "2024" / file_name)
    raw = yaml.safe_load((BAD / "codebook.yaml").read_text(encoding="utf-8"))
    raw["file"] = f"2024/{file_name}"
    raw["variables"].update(codebook_changes.pop("variables", {}))
    raw.update(codebook_changes)
    return ingest_wave(paths, parse_codebook(raw))


def quarantined(result):
    return sorted((i.rule, i.row, i.column) for i in result.quarantine.values())


def logged(result, action=None):
    return sorted({(i.rule, i.action, i.row, i.column) for i in result.harmonised.issues
                   if i.action != "quarantined" and (action is None or i.action == action)})


def kept_value(result, row, column):
    kept = result.kept
    return kept.loc[kept["source_row"] == row, column].iloc[0]


def assert_conserved(result):
    assert result.rows_in == len(result.kept) + len(result.quarantine)
