"""The published site, end to end: the demo survey's reports opened in headless Chromium
with the network blocked, and the restricted contacts searched everywhere under site/."""
import os
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.core.paths import DataPaths

from browser import chromium, open_offline, require_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(demo_site):
    """The demo's small site (tests/conftest.py), shared with the accessibility tests."""
    return demo_site


def test_index_and_region_reports_render_offline(site):
    require_chromium()
    with chromium() as browser:
        page, log = open_offline(browser, site / "index.html")
        assert "Rapports sur les tiers-lieux" in page.inner_text("body")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert "2025/75/40-panorama.html" in links
        for report in ("2025/75/40-panorama.html", "2025/75/20-map.html"):
            page, log = open_offline(browser, site / report)
            page.wait_for_timeout(1500)
            assert page.evaluate(
                "[...document.images].every(i => i.complete && i.naturalWidth > 0)")
            frames = [f for f in page.frames if f != page.main_frame]
            assert frames, "the map is in an iframe"
            for frame in frames:
                assert frame.evaluate("document.querySelectorAll("
                                      "'.leaflet-pane path, .leaflet-marker-icon').length") > 0
                assert frame.evaluate("document.querySelectorAll('[onerror]').length") == 0
                assert not frame.evaluate("window.__pwned === true")
            assert log.remote_requests == [] and log.errors == [] and log.dialogs == []
            page.close()


def test_injection_payloads_are_shown_as_text(site):
    """The demo plants two place names with payloads; in the map they read as text."""
    require_chromium()
    with chromium() as browser:
        page, log = open_offline(browser, site / "2025" / "75" / "20-map.html")
        frame = next(f for f in page.frames if f != page.main_frame)
        found = frame.evaluate("""() => {
            const texts = [];
            let images = 0;
            for (const key of Object.keys(window)) {
              const map = window[key];
              if (!map || !map.eachLayer || !map.getContainer)
                continue;
              const layers = [];
              map.eachLayer(l => { layers.push(l); if (l.getLayers) layers.push(...l.getLayers()); });
              for (const layer of layers) {
                const popup = layer.getPopup && layer.getPopup();
                if (!popup || typeof popup.getContent() !== 'string') continue;
                const box = document.createElement('div');
                box.innerHTML = popup.getContent();   // as Leaflet does when it opens
                images += box.querySelectorAll('img').length;
                texts.push(box.textContent);
              }
            }
            return {texts, images}; }""")
        page.wait_for_timeout(300)
        joined = " ".join(found["texts"])
        assert "La Fabrique <img src=x onerror=alert(1)>" in joined
        assert "Le Hangar ${alert(1)}" in joined
        assert found["images"] == 0
        assert log.dialogs == [] and log.errors == []
        assert not frame.evaluate("window.__pwned === true")


def test_no_contact_value_anywhere_under_site(site, demo_data_dir):
    contacts = pd.read_parquet(DataPaths(demo_data_dir).restricted_table("contacts"))
    planted = set()
    for column in ("contact_name", "contact_email", "contact_phone", "comments"):
        planted |= {v for v in contacts[column].dropna() if len(v) >= 6}
    assert len(planted) > 500
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in Path(site).rglob("*") if p.is_file())
    assert [v for v in planted if v in text] == []


def test_panorama_prints_to_an_a4_pdf_with_page_numbers_banner_and_source(site, tmp_path):
    """Headless Chromium's own print of a department's Panorama (Debian's chromium)."""
    import re
    import shutil
    import subprocess

    from tlresearch.report.pdf import chromium_path, print_pdf

    if chromium_path() is None:
        require_chromium()  # skips locally, fails under CI
    pdf = print_pdf(site / "2025" / "33" / "40-panorama.html", tmp_path / "panorama.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    sizes = {tuple(round(float(v)) for v in box)
             for box in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)}
    assert sizes == {(595, 842)}  # A4 in points
    assert [p.name for p in tmp_path.iterdir()] == ["panorama.pdf"]  # no temporary left
    if shutil.which("pdftotext") or os.environ.get("CI"):  # CI installs it: never skipped there
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        sheets = text.count("\f")
        assert sheets >= 2 and f"Page 1 / {sheets}" in text
        assert "Données fictives (démonstration)" in text
        # the demo mark tops every sheet, not the first one only
        assert all("Données fictives (démonstration)" in sheet
                   for sheet in text.split("\f") if sheet.strip())
        assert "traitement tlresearch" in text and "Gironde (33)" in text
        assert "Télécharger" not in text  # no download links on paper
    page = (site / "2025" / "33" / "40-panorama.html").read_text(encoding="utf-8")
    assert 'href="40-panorama.pdf"' in page
