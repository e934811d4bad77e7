"""A department report opened in headless Chromium with the network blocked.

The report is written to disk and opened as a partner would (file://): the map in its
frame draws every commune, the charts load from their data: URIs, nothing leaves the
page, no error is logged and no payload runs (no dialog, no ``window.__pwned``).
"""
from __future__ import annotations

import pytest

from tlresearch.report.renderer import render_report, write_report

from browser import chromium, open_offline
from helpers.report_notebooks import PROVENANCE, build_geo, execute, report_cells


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    root, places_file = build_geo(tmp_path_factory)
    folder = tmp_path_factory.mktemp("browser")
    notebook = execute(report_cells(root, places_file, "87"), folder)
    page = render_report(notebook, title="Haute-Vienne", provenance=PROVENANCE,
                         scope="departement")
    return write_report(page, folder / "rapport.html")


def test_report_renders_map_and_charts_offline(browser, report_file):
    page, log = open_offline(browser, report_file)
    frame = page.frame_locator("iframe.tl-map")
    frame.locator("path.leaflet-interactive").first.wait_for()
    assert frame.locator("path.leaflet-interactive").count() > 100  # the department's communes
    assert "Lieux pour 100" in frame.locator(".tl-legend").inner_text()
    images = page.evaluate("""() => Array.from(document.images,
        img => [img.complete, img.naturalWidth])""")
    assert len(images) == 2 and all(done and width > 0 for done, width in images)
    assert page.locator(".tl-toc a").count() >= 5
    assert page.locator("h1").first.inner_text() == "Haute-Vienne"
    href = page.locator(".tl-download a").last.get_attribute("href")  # first: the map's table
    assert href.startswith("data:text/csv;charset=utf-8,%EF%BB%BF")
    # The hostile markdown and table cells are text on the page.
    assert "<img src=x onerror=alert(1)> ${alert(1)}" in page.locator("main").inner_text()
    page.wait_for_timeout(200)  # an <img onerror> would fire asynchronously
    assert log.remote_requests == []
    assert log.errors == []
    assert log.dialogs == []
    assert page.evaluate("window.__pwned === undefined")
    page.close()
