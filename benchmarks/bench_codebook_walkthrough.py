"""The acceptance walk-through of issue 14, timed: init -> draft -> check -> ingest.

Run: ``.venv/bin/python benchmarks/bench_codebook_walkthrough.py [--report]``
(``--report``: also ``tlresearch report`` of every notebook, region and departements,
on the real-only folder: minutes, not seconds).

On the Framaforms "Excel" export of ``tests/data/layouts`` (UTF-16 TSV named .xls,
title and group rows, X columns, job titles in one cell, French date-times), prints
the seconds each step takes, and the share of employing places with a facilitator
before ``split`` (one job per cell, as the codebook format allowed before) and after
(one job per title), beside the share read from the file itself.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from tlresearch.cli import main
from tlresearch.core.paths import DataPaths

EXPORT = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts" / "framaforms_2026.xls"
FACILITATOR_TITLES = ("Facilitatrice", "Coordinateur·rice", "Couteau suisse",
                      "Coordinatrice du tiers-lieu")


def share(paths: DataPaths) -> tuple[float, int]:
    staff = pd.read_parquet(paths.processed_table("staff"))
    places = staff.groupby("response_id")["role"].apply(lambda r: (r == "facilitator").any())
    return float(places.mean()), len(staff)


def main_bench() -> None:
    root = Path(tempfile.mkdtemp()) / "data"
    paths = DataPaths(root)
    steps = []

    def timed(label, argv):
        started = time.perf_counter()
        code = main(argv)
        steps.append((label, time.perf_counter() - started, code))

    timed("init", ["init", str(root)])
    (paths.raw / "2026").mkdir()
    shutil.copy(EXPORT, paths.raw / "2026" / EXPORT.name)
    data = ["--data-dir", str(root)]
    timed("codebook draft", data + ["codebook", "draft", str(paths.raw / "2026" / EXPORT.name),
                                    "--wave", "2026"])
    timed("codebook check", data + ["codebook", "check", "2026"])
    timed("ingest", data + ["ingest"])
    after, jobs_after = share(paths)
    if "--report" in sys.argv:  # every notebook, the region and each departement
        timed("report", data + ["report", "--out", str(root.parent / "site"), "--no-progress"])
    codebook = paths.codebook(2026)
    codebook.write_text(codebook.read_text(encoding="utf-8").replace(', split: "; "', ""),
                        encoding="utf-8")
    main(data + ["ingest"])
    before, jobs_before = share(paths)
    raw = pd.read_csv(paths.raw / "2026" / EXPORT.name, sep="\t", skiprows=2,
                      encoding="utf-16", dtype=str)
    titles = raw.loc[raw["Brouillon"] == "Non", "Intitulés des postes salariés"].dropna()
    truth = titles.map(lambda cell: any(t in cell for t in FACILITATOR_TITLES)).mean()
    print("\nstep             seconds  exit")
    for label, seconds, code in steps:
        print(f"{label:<16}{seconds:>8.2f}  {code}")
    print(f"{'total':<16}{sum(s for _, s, _ in steps):>8.2f}")
    print(f"\nfacilitator share of employing places: before split {before:.1%} "
          f"({jobs_before} jobs), after split {after:.1%} ({jobs_after} jobs), "
          f"file says {truth:.1%}")
    shutil.rmtree(root.parent)


if __name__ == "__main__":
    main_bench()
