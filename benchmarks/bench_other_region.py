"""Issue 22's benchmark: a drafted 2026 wave of another region, from ``init`` to its site.

Run: ``.venv/bin/python benchmarks/bench_other_region.py [--all]``

The LimeSurvey export of ``tests/data/layouts`` with its places moved to Occitanie
(region 76; the same file as ``tests/test_other_region.py``), through the README's
steps only: ``init --region 76 --publisher``, ``codebook draft``, ``ingest`` and
``report`` without ``--region``. Prints the seconds from ``init`` to the first published
region page (the region's Panorama and its PDF), then (``--all``) the time of a report
of every notebook for the region and each of its départements, and how many pages and
PDFs were published, and whether any of them names another region's network.
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_other_region import DEMO_WORDS, PUBLISHER, _occitanie_export  # noqa: E402

from tlresearch.cli import main  # noqa: E402
from tlresearch.core.paths import DataPaths  # noqa: E402


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def main_bench() -> None:
    work = Path(tempfile.mkdtemp())
    paths, site = DataPaths(work / "occitanie"), work / "site"
    data = ["--data-dir", str(paths.root)]
    steps = []
    started = time.perf_counter()

    def timed(label: str, argv: list[str]) -> str:
        begin = time.perf_counter()
        code, out = run(argv)
        steps.append((label, time.perf_counter() - begin, code))
        return out

    timed("init --region 76", ["init", str(paths.root), "--region", "76", "--publisher",
                               PUBLISHER])
    rows = _occitanie_export(paths.raw / "2026" / "export.csv")
    timed("codebook draft", data + ["codebook", "draft", str(paths.raw / "2026" / "export.csv"),
                                    "--wave", "2026"])
    timed("ingest", data + ["ingest"])
    timed("report (region's Panorama + PDF)",
          data + ["report", "--out", str(site), "--territory", "76", "--no-progress",
                  "--notebooks", str(ROOT / "notebooks" / "40-panorama.ipynb")])
    first_page = time.perf_counter() - started
    if "--all" in sys.argv:
        timed("report (every notebook, region and départements)",
              data + ["report", "--out", str(site), "--no-progress"])
    print(f"{rows} responses of region 76 (Occitanie), 2026, LimeSurvey CSV")
    for label, seconds, code in steps:
        print(f"  {label:<52}{seconds:>8.1f} s   exit {code}")
    print(f"init -> first published region page: {first_page:.1f} s")
    pages = [p for p in site.rglob("*.html") if ".state" not in p.parts
             and ".failed" not in p.parts and p.name != "index.html"]
    pdfs = list(site.rglob("*.pdf"))
    named = sorted({str(p.relative_to(site)) for p in [*pages, *site.rglob("*.csv"),
                                                        *site.rglob("*.json")]
                    if ".state" not in p.parts and any(
                        w in p.read_text(encoding="utf-8-sig") for w in DEMO_WORDS)})
    print(f"published: {len(pages)} pages, {len(pdfs)} PDF, "
          f"{len(named)} file(s) naming the demo's region or network")


if __name__ == "__main__":
    main_bench()
