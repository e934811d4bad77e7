"""The index page: French states and dates, relative links, escaping, no network."""
from __future__ import annotations

from html import escape

from tlresearch.batch.runner import ReportResult, RunSummary
from tlresearch.report.site import build_index, french_date


def report(**kw) -> ReportResult:
    base = dict(name="2025-33-ok", notebook="ok.ipynb", year=2025, territory="33",
                status="fresh", reason="new", output="2025/33/ok.html",
                published_at="2025-03-07T10:00:00")
    return ReportResult(**{**base, **kw})


def test_index_lists_what_is_online_by_territory_and_wave_without_build_jargon(tmp_path):
    summary = RunSummary(reports=[
        report(),
        report(name="2024-33-ok", year=2024, status="skipped", reason="unchanged",
               output="2024/33/ok.html"),
        report(name="2025-87-fail", notebook="fail.ipynb", territory="87", status="failed",
               reason="execution error", output="2025/87/fail.html",
               published_at="2025-01-02T08:00:00"),
        report(name="2025-64-fail", notebook="fail.ipynb", territory="64", status="failed",
               output=None, published_at=None)])
    page = build_index(tmp_path, summary).read_text(encoding="utf-8")
    # the latest wave first, then every wave of every territory, latest first
    assert page.index('id="vague-2025-rapports"') < page.index('id="par-territoire"')
    assert page.index('id="vague-2025"') < page.index('id="vague-2024"')
    assert 'id="territoire-75-33"' in page and 'id="territoire-75-87"' in page
    # a failed report whose last version is online stays listed; one never published is not
    assert 'href="2025/87/fail.html"' in page and 'href="2025/64/fail.html"' not in page
    assert "Pyrénées-Atlantiques" not in page
    assert 'href="2025/33/ok.html"' in page and 'href="2024/33/ok.html"' in page
    for jargon in ('class="fresh"', "inchangé", "échec", "Dernière exécution"):
        assert jargon not in page
    assert "Dernière mise à jour : 07/03/2025" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert '<html lang="fr">' in page
    method = (tmp_path / "methode.html").read_text(encoding="utf-8")
    assert 'href="methode.html"' in page and "<h1>Méthode</h1>" in method
    assert "Part des lieux employeurs" in method and "moins de 3 lieux" in method


def test_every_string_is_escaped(tmp_path):
    evil = report(territory="<script>alert(1)</script>", notebook="<b>x</b>.ipynb",
                  output='a"b.html')
    page = build_index(tmp_path, RunSummary(reports=[evil])).read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;" in page and 'href="a&quot;b.html"' in page


def test_labels_and_dates():
    assert french_date("2026-11-23T19:00:00") == "23/11/2026"
    assert french_date(None) == ""


def test_index_gives_french_titles_pdf_links_and_the_demo_banner(tmp_path):
    page_dir = tmp_path / "2025" / "33"
    page_dir.mkdir(parents=True)
    (page_dir / "40-panorama.html").write_text(
        '<html><header><p class="tl-banner" data-tl-block="banner">x</p></header></html>',
        encoding="utf-8")
    (page_dir / "40-panorama.pdf").write_bytes(b"%PDF-1.4")
    summary = RunSummary(reports=[report(notebook="40-panorama.ipynb",
                                         output="2025/33/40-panorama.html")])
    page = build_index(tmp_path, summary).read_text(encoding="utf-8")
    assert ">Panorama<" in page and ">40-panorama<" not in page
    assert 'href="2025/33/40-panorama.pdf"' in page
    assert "Données fictives (démonstration)" in page
    assert "Gironde (33)" in page
    (page_dir / "40-panorama.html").write_text("<html></html>", encoding="utf-8")
    assert "Données fictives" not in build_index(tmp_path, summary).read_text(encoding="utf-8")


def test_titles_with_apostrophes_rtl_text_and_emoji_reach_the_index_intact(tmp_path):
    import json

    notebook = tmp_path / "nb" / "70-l-ete.ipynb"
    notebook.parent.mkdir()
    title = "L'été des tiers-lieux — Saint-Martin-de-Ré-et-d'Oléron — مختبر 🚀"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {},
                                               "source": [f"# {title}"]}]}), encoding="utf-8")
    summary = RunSummary(reports=[report(notebook=str(notebook), output="2025/33/x.html")])
    page = build_index(tmp_path, summary).read_text(encoding="utf-8")
    assert escape(title) in page  # whole, escaped, in the latest wave's table and the grid
    assert page.count(escape(title)) == 2
