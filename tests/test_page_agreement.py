"""One page, one set of numbers: a figure printed twice on the demo site is the same number.

The comparisons are :func:`tlresearch.report.agreement.check_site`'s, made on the demo
site as published (every wave × territory). The map used to draw each place with the
type of its *latest* answer, so that the 2017 map said « Espace de coworking (80) » above
a table that said 93: the first test would have failed on it.
"""
from __future__ import annotations

import re

import pytest

from tlresearch.report.agreement import check_site, essentials, map_legend, numbers

pytestmark = pytest.mark.slow


def test_every_figure_printed_twice_on_the_demo_site_agrees(demo_full_site):
    site = demo_full_site
    agreement = check_site(site.folder)
    assert agreement.differences == []
    panoramas = len(site.waves) * len(site.territories)
    # per Panorama: legend, map list and card against the table, and « L'essentiel »
    assert agreement.pairs >= panoramas * (3 + 5)


def test_the_checks_see_a_disagreement():
    """The reader's parsing finds what it compares (else the test above proves nothing)."""
    legend = ('div.innerHTML = "\\u003cli\\u003e\\u003cspan\\u003e\\u003c/span\\u003e'
              'Espace de coworking (80)\\u003c/li\\u003e";')
    assert map_legend(legend) == {"Espace de coworking": 80}
    page = ('<header><h1>T</h1><p class="tl-headline">74,0 % emploient</p></header>'
            '<section class="tl-essentials"><ul><li>1 955 bénévoles</li></ul></section>'
            '<p class="tl-card-value">1\u202f955</p>')
    said, rest = essentials(page)
    assert numbers(said) == {"74,0", "1955"} and numbers(rest) == {"1955"}


_NAV = re.compile(r'<nav class="tl-nav"[^>]*>(.*?)</nav>', re.DOTALL)
_HREF = re.compile(r'href="([^"]+)"')


def test_every_page_leads_to_the_index_its_territory_its_wave_and_the_method(demo_full_site):
    """Each link of a page's navigation reaches a file of the site, and an anchor of it."""
    site = demo_full_site.folder
    index = (site / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'id="([^"]+)"', index))
    pages = [p for p in site.rglob("*.html") if p.parent != site and ".failed" not in p.parts]
    assert len(pages) >= len(demo_full_site.waves) * len(demo_full_site.territories)
    for page in pages:
        nav = _NAV.search(page.read_text(encoding="utf-8"))
        assert nav is not None, page
        targets = _HREF.findall(nav.group(1))
        # index, territory, wave, method; the certification page (all graduates, no wave
        # or territory of the survey) has the index and the method only
        assert len(targets) == (2 if page.name == "50-certification.html" else 4), (page, targets)
        for target in targets:
            path, _, anchor = target.partition("#")
            assert (page.parent / path).resolve().is_file(), (page, target)
            assert not anchor or anchor in anchors, (page, target)
