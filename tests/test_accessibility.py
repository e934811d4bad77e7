"""Every page of the demo site read by axe-core and by a keyboard, in headless Chromium.

One browser for all pages of the shared demo site (``demo_site`` in tests/conftest.py):
the index, each kind of report, their print view (the HTML the PDF is printed from)
and the map frames inside them pass every axe-core rule tagged WCAG 2.0 / 2.1 A and
AA or best-practice, with 0 violations; and what RGAA asks beyond axe
(tests/helpers/accessibility.py) holds. The map can be crossed with the Tab key.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium, open_offline, require_chromium
from helpers.accessibility import facts_problems, page_facts, page_violations, tab_through

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for every page of this module."""
    require_chromium()
    with chromium() as opened:
        yield opened


def site_pages(site: Path) -> list[Path]:
    """Every page a reader can open (not the run's state or failed notebooks)."""
    return sorted(p for p in site.rglob("*.html")
                  if not {".state", ".failed"} & set(p.relative_to(site).parts))


def _violations(page, name: str) -> list[str]:
    return [f"{name} {where}: {v['id']} ×{v['count']} {v['nodes']}"
            for where, found in page_violations(page).items() for v in found]


#: Width of an A4 page's text at 96 px per inch: 210 mm less the 2 × 14 mm margins.
A4_TEXT_PX = round((210 - 2 * 14) / 25.4 * 96)


def _wider_than_a4(page) -> list[str]:
    """Tables cut on the printed page: wider than an A4 page's text in the print view
    (the département × type table has nine columns)."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_TEXT_PX, "height": 1000})
    widths = page.evaluate("""() => [...document.querySelectorAll('table')].map(t =>
        [t.querySelector('caption')?.textContent.trim() ?? '', t.scrollWidth])""")
    return [f"table « {caption} » {width} px wide, A4 text {A4_TEXT_PX} px"
            for caption, width in widths if width > A4_TEXT_PX + 1]


def test_every_page_and_map_frame_has_no_axe_violation_and_keeps_rgaa_rules(demo_site,
                                                                           browser):
    pages = site_pages(demo_site)
    stems = {p.stem for p in pages}
    assert {"index", "10-quality", "20-map", "30-professionalisation", "40-panorama",
            "50-certification"} <= stems
    problems, frames = [], 0
    for path in pages:
        name = path.relative_to(demo_site).as_posix()
        page, log = open_offline(browser, path)
        frames += len(page.frames) - 1
        problems += _violations(page, name)
        problems += [f"{name}: {p}" for p in facts_problems(page_facts(page))]
        if name == "2025/33/40-panorama.html":  # one print view: every PDF's layout
            page.emulate_media(media="print")  # what the PDF is printed from
            problems += _violations(page, f"{name} (print)")
        if name.endswith("40-panorama.html") and name.startswith("2025/"):
            problems += [f"{name} (print): {p}" for p in _wider_than_a4(page)]
        assert log.remote_requests == [] and log.errors == []
        page.close()
    assert problems == []
    assert frames >= 6  # the map frames were read too (3 maps × 2 map pages at least)


def test_the_keyboard_goes_into_each_map_and_out_of_it(demo_site, browser):
    """Tab from the top of the map page: focus enters every map frame and always comes
    back to the page after it (no keyboard trap, RGAA 12.9)."""
    page, _ = open_offline(browser, demo_site / "2025" / "33" / "20-map.html")
    maps = page.locator("iframe.tl-map").count()
    trail = tab_through(page)
    page.close()
    runs, previous = [], None
    for step, where in enumerate(trail):
        if where == "map" and previous != "map":
            runs.append(step)
        previous = where
    assert maps >= 2 and len(runs) == maps, trail
    assert trail[-1] != "map" and trail.count("page") > maps, trail
