"""The printed version of a page: an A4 PDF from headless Chromium's own print.

The page's print stylesheet (:mod:`tlresearch.report.page_style`) does the layout:
Leaflet maps give way to their static Lambert-93 twins, download links and the
table of contents disappear, and every sheet carries its number and the source
line in its margin; the demo banner, when there is one, is in the page header.
Chromium is Debian's (``/usr/bin/chromium``), run without network and without its
own header and footer (which would print the file's path).

The interactive maps are taken out of the copy that is printed (:func:`print_copy`):
they are hidden on paper anyway, and loading Leaflet with every commune of the region
only to hide it was most of the printing time.

PDFs are made after the pages are published, beside them (``40-panorama.html`` →
``40-panorama.pdf``), only when the page is newer than its PDF: an unchanged rerun
prints nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tlresearch.core.errors import TLResearchError

#: Debian's browser (``scripts/ensure-chromium`` installs it).
CHROMIUM = Path("/usr/bin/chromium")
#: Pages that have a printed version, relative to the site folder: every region's
#: Panoramas (``<year>/<territory>/`` for the folder's own region,
#: ``<year>/<region>/<territory>/`` for the others).
PRINTED = "**/40-panorama.html"
#: No network, no first-run chores, no sandbox (it needs privileges a CI box lacks).
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--no-pdf-header-footer", "--hide-scrollbars",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


_IFRAME = re.compile(r"<iframe\b.*?</iframe>", re.DOTALL | re.IGNORECASE)  # srcdoc escapes "<"


#: A map's data table, folded under the map on screen: nothing of it is printed.
_MAP_DATA = re.compile(r'<details class="tl-map-data">.*?</details>', re.DOTALL)
#: An output left empty once its map is gone: it would hold a heading away from what follows.
_EMPTY_OUTPUT = re.compile(r'<div class="tl-output">\s*</div>')


def print_copy(page_html: str) -> str:
    """The page as printed: without its interactive maps (their static twins stay).

    What only the screen shows goes, so that a heading is followed by what it
    introduces (``break-after: avoid`` keeps them on one sheet); a demo page gets its
    warning on top of every sheet.
    """
    from tlresearch.report.page_style import DEMO_PRINT_CSS

    copy = _EMPTY_OUTPUT.sub("", _MAP_DATA.sub("", _IFRAME.sub("", page_html)))
    if 'class="tl-banner"' in copy:
        copy = copy.replace("</head>", f"<style>{DEMO_PRINT_CSS}</style>\n</head>", 1)
    return copy


class PrintError(TLResearchError):
    """Chromium could not print a page."""


def chromium_path() -> Path | None:
    """Chromium's executable (``TLRESEARCH_CHROMIUM`` or Debian's), None when absent."""
    candidate = os.environ.get("TLRESEARCH_CHROMIUM") or str(CHROMIUM)
    found = shutil.which(candidate)
    return Path(found) if found else None


def print_pdf(page: str | Path, pdf: str | Path | None = None, *, timeout: float = 180) -> Path:
    """Print one HTML page to an A4 PDF, atomically; return the PDF's path.

    Raises
    ------
    PrintError
        Chromium is absent, fails or times out (no partial PDF is left).
    """
    page = Path(page).resolve()
    pdf = Path(pdf) if pdf is not None else page.with_suffix(".pdf")
    browser = chromium_path()
    if browser is None:
        raise PrintError(f"cannot print {page.name}: no Chromium at {CHROMIUM} "
                         "(run scripts/ensure-chromium, or set TLRESEARCH_CHROMIUM)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tl-chromium-") as profile:
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        printed = Path(profile) / page.name
        printed.write_text(print_copy(page.read_text(encoding="utf-8")), encoding="utf-8")
        command = [str(browser), *_ARGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={tmp}", printed.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            tmp.unlink(missing_ok=True)
            raise PrintError(f"printing {page.name} took more than {timeout:g} s") from None
        if not tmp.is_file() or tmp.stat().st_size == 0 or not tmp.read_bytes()[:5] == b"%PDF-":
            tmp.unlink(missing_ok=True)
            raise PrintError(f"Chromium printed no PDF for {page.name}")
        os.replace(tmp, pdf)
    return pdf


def pages_to_print(site: str | Path, pattern: str = PRINTED) -> list[Path]:
    """Pages of ``site`` whose PDF is missing or older than the page."""
    todo = []
    for page in sorted(Path(site).glob(pattern)):
        if any(part.startswith(".") for part in page.relative_to(site).parts):
            continue  # the runner's state and failed reports are not published
        pdf = page.with_suffix(".pdf")
        if not pdf.is_file() or pdf.stat().st_mtime < page.stat().st_mtime:
            todo.append(page)
    return todo


def print_site(site: str | Path, pattern: str = PRINTED, workers: int | None = None,
               timeout: float = 180) -> dict[str, list[str]]:
    """Print every page of ``site`` that needs it; return ``{"printed": [...], "failed": [...]}``.

    A page that cannot be printed is reported, not fatal: its HTML stays online.
    """
    todo = pages_to_print(site, pattern)
    outcome: dict[str, list[str]] = {"printed": [], "failed": []}
    if not todo:
        return outcome
    if chromium_path() is None:
        outcome["failed"] = [str(p.relative_to(site)) for p in todo]
        return outcome

    try:
        done = _print_with_playwright(todo, timeout, workers or min(2, os.cpu_count() or 1))
    except ImportError:  # no Playwright: one Chromium process per page
        done = None
    if done is None:
        def one(page: Path) -> bool:
            try:
                print_pdf(page, timeout=timeout)
                return True
            except PrintError:
                return False

        with ThreadPoolExecutor(max_workers=workers or min(2, os.cpu_count() or 1)) as pool:
            done = list(pool.map(one, todo))
    for page, ok in zip(todo, done):
        outcome["printed" if ok else "failed"].append(str(page.relative_to(site)))
    return outcome


def _print_with_playwright(pages: list[Path], timeout: float, workers: int = 2) -> list[bool]:
    """Print many pages with one Chromium (the same print as :func:`print_pdf`).

    Starting Chromium costs seconds; a site has a Panorama per wave and territory, so
    one browser prints them all through Playwright when it is installed (it drives
    Debian's Chromium: nothing is downloaded), ``workers`` pages at a time (Chromium
    lays out each page in its own renderer process: two pages keep two cores busy).
    Raises ImportError without Playwright.
    """
    import asyncio

    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    async def print_one(context, page_path: Path, gate: asyncio.Semaphore) -> bool:
        pdf = page_path.with_suffix(".pdf")
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        async with gate:
            page = await context.new_page()
            try:
                await page.set_content(print_copy(page_path.read_text(encoding="utf-8")),
                                       timeout=timeout * 1000, wait_until="load")
                data = await page.pdf(prefer_css_page_size=True, print_background=True)
                tmp.write_bytes(data)
                os.replace(tmp, pdf)
                return True
            except PlaywrightError:
                tmp.unlink(missing_ok=True)
                return False
            finally:
                await page.close()

    async def print_all() -> list[bool]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium_path()),
                args=[a for a in _ARGS if a != "--headless"])
            try:
                context = await browser.new_context(offline=True)
                gate = asyncio.Semaphore(max(1, workers))
                return list(await asyncio.gather(*(print_one(context, p, gate)
                                                   for p in pages)))
            finally:
                await browser.close()

    return asyncio.run(print_all())


__all__ = ["print_pdf", "print_site", "pages_to_print", "chromium_path", "PrintError", "PRINTED"]
