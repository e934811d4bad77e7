"""Accessibility of the published site: axe-core violations per page, for the latest wave.

Run: ``.venv/bin/python benchmarks/bench_a11y.py [--site site] [--territories 75 33]``.
Without ``--site`` it writes the demo survey into a temporary folder, ingests it and
publishes every notebook for the demo's latest wave and the given territories (default:
the region and every département) into a temporary site; with ``--site`` it reads a
site already built (``make reports`` writes ``site/``). Nothing of ``data/`` or
``site/`` is written.

For each page (index, every report, the Panorama's print view — what its PDF is
printed from — and every map frame inside them): the number of axe-core violations
(rules tagged WCAG 2.0 / 2.1 A and AA and best-practice; target 0), the RGAA checks
axe does not make (tests/helpers/accessibility.py), the seconds the audit took,
and the tables the page publishes in the data package. Prints, asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the browser and the checks the tests use

NOTEBOOKS = ["10-quality", "20-map", "30-professionalisation", "40-panorama",
             "50-certification"]


def build_site(work: Path, territories: list[str] | None) -> Path:
    """The demo's latest wave published into ``work/site``."""
    from tlresearch.batch.runner import run_reports
    from tlresearch.core.paths import NOTEBOOK_DIR, DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.geo.datafrance import departement_names
    from tlresearch.ingest.pipeline import run_ingest
    from tlresearch.report.territory import panel_waves

    paths = DataPaths(work / "data")
    write_demo(paths)
    run_ingest(paths)
    territories = territories or ["75", *sorted(departement_names("75"))]
    started = time.perf_counter()
    summary = run_reports(paths, notebooks=[NOTEBOOK_DIR / f"{n}.ipynb" for n in NOTEBOOKS],
                          years=[max(panel_waves(work / "data"))], territories=territories,
                          out_dir=work / "site", workers=2, progress=False, timeout=900)
    print(f"built {len(summary.reports)} reports in {time.perf_counter() - started:.0f} s "
          f"({summary.totals['failed']} failed)")
    return work / "site"


def audit(site: Path) -> None:
    from tlresearch.report.data_package import page_tables

    from browser import chromium, open_offline
    from helpers.accessibility import axe_version, facts_problems, page_facts, page_violations

    pages = sorted(p for p in site.rglob("*.html")
                   if not {".state", ".failed"} & set(p.relative_to(site).parts))
    print(f"axe-core {axe_version()}: {len(pages)} pages\n")
    print(f"{'page':44} {'frames':>6} {'axe':>4} {'print':>5} {'rgaa':>4} {'tables':>6} "
          f"{'s':>5}")
    totals = {"axe": 0, "rgaa": 0, "frames": 0}
    with chromium() as browser:
        for path in pages:
            started = time.perf_counter()
            page, _ = open_offline(browser, path)
            found = page_violations(page)
            axe = sum(v["count"] for vs in found.values() for v in vs)
            problems = facts_problems(page_facts(page))
            printed = "–"
            if path.stem == "40-panorama":
                page.emulate_media(media="print")
                printed = sum(v["count"] for vs in page_violations(page).values() for v in vs)
                axe += printed
            page.close()
            tables = len(page_tables(path.read_text(encoding="utf-8")))
            totals["axe"] += axe
            totals["rgaa"] += len(problems)
            totals["frames"] += len(found) - 1
            print(f"{path.relative_to(site).as_posix():44} {len(found) - 1:>6} {axe:>4} "
                  f"{printed:>5} {len(problems):>4} {tables:>6} "
                  f"{time.perf_counter() - started:>5.1f}")
            for where, violations in found.items():
                for v in violations:
                    print(f"    {where}: {v['id']} ×{v['count']} {v['nodes']}")
            for problem in problems:
                print(f"    rgaa: {problem}")
    package = site / "donnees" / "datapackage.json"
    if package.is_file():
        from frictionless import validate

        started = time.perf_counter()
        report = validate(package)
        print(f"\ndata package: {'valid' if report.valid else 'INVALID'}, "
              f"{len(report.tasks)} tables checked in {time.perf_counter() - started:.1f} s")
    print(f"\ntotal: {totals['axe']} axe violations, {totals['rgaa']} RGAA problems, "
          f"{totals['frames']} map frames read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="audit this site instead of building one")
    parser.add_argument("--territories", nargs="*", help="territories to build (default all)")
    args = parser.parse_args()
    if args.site:
        audit(args.site)
        return
    with tempfile.TemporaryDirectory(prefix="bench-a11y-") as work:
        audit(build_site(Path(work), args.territories))


if __name__ == "__main__":
    main()
