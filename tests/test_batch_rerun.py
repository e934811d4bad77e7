"""Only what changed reruns: one answer corrected in a raw file, then `ingest`, then the
plan of `report` (its keys) and one real `report` run.

Everything goes through the commands a lab runs: a copy of the demo's data folder, its
2025 export edited as a correction would be, ``tlresearch ingest``, then the keys the
runner compares (:mod:`tlresearch.batch.key`) and ``tlresearch report``.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tlresearch.batch.key import InputHasher, why_run
from tlresearch.batch.plan import plan_reports
from tlresearch.core.paths import NOTEBOOK_DIR, DataPaths
from tlresearch.geo.datafrance import departement_names

YEAR = 2025
REGION = "75"
CREUSE, DORDOGNE, GIRONDE = "23", "24", "33"
#: Creuse places whose 2025 answers are corrected (the demo's own export).
CELLETTE = "La Cellette Coworking"
FABLAB = "Guéret Fablab"
EXPORT = Path("raw") / "2025" / "DEMO_framaforms_2025.tsv"
MAP = NOTEBOOK_DIR / "20-map.ipynb"


def tlresearch(data: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir", str(data),
                           *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def correct(data: Path, place: str, column: str, change) -> tuple[str, str]:
    """Change ``column`` of ``place``'s row in the 2025 export; (old, new) values."""
    path = data / EXPORT
    path.chmod(0o644)  # the copy of a read-only raw file: the lab corrects its own copy
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    name, postcode, target = (header.index(c) for c in
                              ("Nom du tiers-lieu", "Code postal", column))
    rows = [i for i, line in enumerate(lines[1:], 1)
            if (f := line.split("\t"))[name:name + 1] == [place] and f[postcode].startswith(CREUSE)]
    assert len(rows) == 1, rows
    fields = lines[rows[0]].split("\t")
    old, fields[target] = fields[target], change(fields[target])
    lines[rows[0]] = "\t".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    return old, fields[target]


def keys(paths: DataPaths, specs) -> dict[str, dict[str, str]]:
    hasher = InputHasher(paths)
    return {spec.name: hasher.key(spec) for spec in specs}


def reruns(before: dict, after: dict) -> dict[str, str]:
    """What the runner says of each report whose last run had the ``before`` key."""
    why = {name: why_run({"inputs": before[name], "status": "fresh"}, key, True,
                         force=False, retry_failed=False) for name, key in after.items()}
    return {name: reason for name, reason in why.items() if reason}


def grid_slice(paths: DataPaths, departement: str) -> dict:
    """The département's slice of the 2025 grid, as the pages' cache holds it."""
    import pandas as pd

    from tlresearch.secrecy.grid_slice import departement_slice
    from tlresearch.secrecy.wave_cache import wave_pattern

    responses = pd.read_parquet(paths.processed_table("responses"))
    own = responses[responses["region_code"].astype("string").eq(REGION).fillna(True)
                    .to_numpy(bool)]
    pattern = wave_pattern(own, YEAR, paths.processed / "secrecy")
    return departement_slice(pattern, own[own["wave"] == YEAR], departement)


@pytest.fixture(scope="module")
def corrections(demo_data_dir, tmp_path_factory):
    """A copy of the demo folder, keyed and published (the Creuse and Dordogne maps),
    then corrected twice through ``ingest``: the keys and ``report`` outputs of each step.

    1. La Cellette Coworking's volunteers + 1: nothing of any grid's pattern moves;
    2. the ETP of a Creuse fablab set to 0: the pattern of « s » the wave's
       grid needs moves, and a cell of the Dordogne's row becomes secret.
    """
    folder = tmp_path_factory.mktemp("rerun")
    data, site = folder / "data", folder / "site"
    shutil.copytree(demo_data_dir, data, symlinks=True)
    paths = DataPaths(data)
    notebooks = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if not p.name.startswith("00-"))
    specs = plan_reports(paths, notebooks, [YEAR],
                         {REGION: [REGION, *sorted(departement_names(REGION))]})
    published = ("report", "--notebooks", str(MAP), "--territory", f"{CREUSE},{DORDOGNE}",
                 "--workers", "1", "--out", str(site), "--no-progress")
    steps = {"first": {"keys": keys(paths, specs), "dordogne": grid_slice(paths, DORDOGNE),
                       "report": tlresearch(data, *published).stdout}}
    hasher = InputHasher(paths)
    region_rows = hasher.table("responses", REGION, YEAR)
    steps["volunteers"] = {"answer": correct(data, CELLETTE, "Nombre de bénévoles",
                                             lambda v: str(int(v) + 1))}
    tlresearch(data, "ingest")
    steps["volunteers"].update(keys=keys(paths, specs),
                               region_rows_moved=InputHasher(paths).table(
                                   "responses", REGION, YEAR) != region_rows,
                               report=tlresearch(data, *published).stdout)
    steps["etp"] = {"answer": correct(data, FABLAB, "Équivalents temps plein",
                                      lambda v: "0")}
    tlresearch(data, "ingest")
    steps["etp"].update(keys=keys(paths, specs), dordogne=grid_slice(paths, DORDOGNE))
    return specs, steps


def test_one_answer_in_creuse_reruns_the_creuse_and_region_pages_only(corrections):
    specs, steps = corrections
    assert steps["volunteers"]["answer"] == ("10", "11")
    # the region's rows did change: keyed on them, every page of the wave would rerun
    assert steps["volunteers"]["region_rows_moved"]
    rerun = reruns(steps["first"]["keys"], steps["volunteers"]["keys"])
    reads_answers = {s.name for s in specs if "responses" in s.inputs}
    expected = {s.name for s in specs
                if s.territory in (REGION, CREUSE) and s.name in reads_answers}
    assert set(rerun) == expected, sorted(rerun)
    assert len(rerun) == 7 and len(specs) == 42  # 3 Creuse pages, 4 of the region
    assert all(reason == "input changed: responses" for reason in rerun.values()), rerun
    # the Creuse's slice of the grid did not move: its pages rerun for their own answers
    creuse = f"{YEAR}-{CREUSE}-40-panorama"
    assert (steps["first"]["keys"][creuse]["input:secrecy"]
            == steps["volunteers"]["keys"][creuse]["input:secrecy"])


def test_a_cell_made_secret_elsewhere_reruns_the_pages_that_print_it(corrections):
    specs, steps = corrections
    assert steps["etp"]["answer"] == ("7,1 ETP", "0")
    before, after = steps["first"]["dordogne"], steps["etp"]["dordogne"]
    # the Dordogne's own row of the grid moved: a cell it printed is now « s »
    newly = set(after["hidden"]) - set(before["hidden"])
    assert newly, (before, after)
    rerun = reruns(steps["volunteers"]["keys"], steps["etp"]["keys"])
    dordogne = {s.name for s in specs if s.territory == DORDOGNE and "responses" in s.inputs}
    assert dordogne <= set(rerun)
    # for the grid only: not one of the Dordogne's answers changed
    assert {rerun[name] for name in dordogne} == {"input changed: secrecy"}
    untouched = {name for name in steps["etp"]["keys"] if f"-{GIRONDE}-" in name}
    assert untouched and not untouched & set(rerun)


def test_report_skips_the_pages_whose_inputs_did_not_move(corrections):
    _, steps = corrections
    assert "2 reports: 2 fresh, 0 skipped, 0 failed" in steps["first"]["report"]
    # after the volunteers' correction: the Creuse map reruns, the Dordogne's is kept
    assert "2 reports: 1 fresh, 1 skipped, 0 failed" in steps["volunteers"]["report"]
