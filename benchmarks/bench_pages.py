"""Published pages: size and time of the Panorama page and of its printed PDF, and the
time of the whole site (``make reports``' report steps) with its unchanged rerun.

Run: ``.venv/bin/python benchmarks/bench_pages.py [--full]`` after ``make reports`` (it
reads the demo panel of ``data/``; nothing of ``site/`` is touched: everything is
written in a temporary folder). Prints, asserts nothing (timings are not tests).

Measured, for the latest wave, for the region and for its largest department (most
respondents), in one run, side by side:

1. **page**: executing ``notebooks/40-panorama.ipynb`` with papermill (a kernel of
   its own), then :func:`tlresearch.report.renderer.render_report`; its size in bytes;
2. **PDF**: :func:`tlresearch.report.pdf.print_pdf` of that page (one headless Chromium
   process for the page, as a lone page is printed); its size and its number of A4
   sheets; the ratio PDF time / page time;
3. **PDF, one browser**: both pages printed by :func:`tlresearch.report.pdf.print_site`,
   as ``tlresearch report`` prints a site (one Chromium for every page, two at a time):
   the time per page, browser start included.

With ``--full``: the two ``tlresearch report`` commands of ``make reports`` (every wave ×
territory for the quality page and the Panorama with its PDF; maps, trends and
certification for the latest wave) into a temporary site, then the same commands
again with nothing changed; the rerun as a share of the full run (target < 5 %) and
the full run against the 10-minute budget of ``make reports``.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PANORAMA = ROOT / "notebooks" / "40-panorama.ipynb"
CLI = [sys.executable, "-m", "tlresearch.cli"]
GRID = [["--year", "all", "--notebooks", "notebooks/10-quality.ipynb",
         "notebooks/40-panorama.ipynb"],
        ["--notebooks", "notebooks/20-map.ipynb", "notebooks/30-professionalisation.ipynb",
         "notebooks/50-certification.ipynb"]]


def one_page(territory: str, year: int, data_dir: Path, out: Path) -> dict:
    import nbformat
    import papermill

    from tlresearch.report.pdf import print_pdf
    from tlresearch.report.renderer import render_report

    folder = out / territory
    folder.mkdir()
    executed = folder / "40-panorama.ipynb"
    started = time.perf_counter()
    papermill.execute_notebook(str(PANORAMA), str(executed), progress_bar=False, cwd=str(ROOT),
                               parameters={"year": year, "territory": territory,
                                           "data_dir": str(data_dir)})
    page = render_report(nbformat.read(executed, as_version=4), title=f"Panorama {territory}",
                         provenance={"run_date": "2026-11-30", "parameters": {}})
    page_path = folder / "40-panorama.html"
    page_path.write_text(page, encoding="utf-8")
    page_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pdf = print_pdf(page_path, folder / "one-process.pdf")
    pdf_seconds = time.perf_counter() - started
    sheets = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    return {"page_bytes": len(page.encode()), "page_s": page_seconds,
            "pdf_bytes": pdf.stat().st_size, "pdf_s": pdf_seconds, "sheets": sheets}


def site_run(data_dir: Path, site: Path) -> float:
    started = time.perf_counter()
    for options in GRID:
        subprocess.run([*CLI, "--data-dir", str(data_dir), "report", "--territory", "all",
                        "--out", str(site), "--no-progress", *options], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    import tlresearch
    from tlresearch.core.paths import DataPaths
    from tlresearch.report.pdf import print_site
    from tlresearch.report.territory import panel_waves

    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--full", action="store_true", help="also time the whole site and its rerun")
    options = args.parse_args(argv)
    data_dir = DataPaths.resolve(None).root
    year = max(panel_waves(data_dir))
    wave = tlresearch.load_responses([year], data_dir=data_dir)
    largest = str(wave["departement_code"].value_counts().idxmax())
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        out = Path(tmp)
        print(f"Panorama {year}: page (papermill + render) and PDF (headless Chromium)")
        print(f"{'territory':<12}{'page bytes':>12}{'page s':>9}{'PDF bytes':>12}{'PDF s':>8}"
              f"{'sheets':>8}{'PDF/page time':>15}")
        pages = 0.0
        for territory in ("75", largest):
            m = one_page(territory, year, data_dir, out)
            pages += m["page_s"]
            print(f"{territory:<12}{m['page_bytes']:>12,}{m['page_s']:>9.1f}{m['pdf_bytes']:>12,}"
                  f"{m['pdf_s']:>8.1f}{m['sheets']:>8}{m['pdf_s'] / m['page_s']:>15.2f}")
        started = time.perf_counter()
        printed = print_site(out, pattern="*/40-panorama.html")
        batch = time.perf_counter() - started
        print(f"one Chromium for both pages (print_site): {batch:.1f} s, "
              f"{batch / max(1, len(printed['printed'])):.1f} s per page "
              f"({batch / pages:.2f} of the pages' time), failed: {printed['failed']}")
        if options.full:
            site = out / "site"
            full = site_run(data_dir, site)
            rerun = site_run(data_dir, site)
            pages = len(list(site.rglob("*.html"))) - 1
            pdfs = len(list(site.rglob("*.pdf")))
            print(f"whole site: {pages} pages, {pdfs} PDF in {full:.0f} s "
                  f"({full / 600:.0%} of the 10-minute budget); unchanged rerun {rerun:.1f} s "
                  f"= {rerun / full:.1%} of the full run (target < 5 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
