"""One page, one set of numbers: a figure printed twice on a Panorama is the same number.

Each Panorama counts the places that answered its wave four times: the « Lieux
répondants » key figure, the map legend (« Espace de coworking (93) »), the table under
the map (its CSV, ``carte_lieux.csv``) and the table of places by département and type.
They used to disagree for the early waves, because the map drew each place with the type
it had in its *latest* answer. These tests read every Panorama of every demo wave and
territory as published.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_LEGEND = re.compile(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");')
_LEGEND_ITEM = re.compile(r"<li>.*?</span>(.*?) \((\d+)\)</li>")
_RESPONDENTS_CARD = re.compile(r'<p class="tl-card-label">Lieux répondants</p>'
                               r'<p class="tl-card-value">([^<]+)</p>')


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _count(text: str) -> int:
    return int(text.replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def _map_legend(page: str) -> dict[str, int]:
    """The first map's legend of types, ``{label: count}`` (the places map comes first)."""
    for match in _LEGEND.finditer(page):
        items = dict((unescape(label), int(n))
                     for label, n in _LEGEND_ITEM.findall(json.loads(match.group(1))))
        if items:
            return items
    raise AssertionError("no map legend with counts on the page")


def _panoramas(site) -> list[tuple[int, str, Path]]:
    return [(year, territory, site.folder / str(year) / territory / "40-panorama.html")
            for year in site.waves for territory in site.territories]


def test_map_legend_map_table_count_table_and_key_figure_agree(demo_full_site):
    site = demo_full_site
    checked = 0
    for year, territory, page_path in _panoramas(site):
        page = page_path.read_text(encoding="utf-8")
        data = site.folder / "donnees" / str(year) / territory / "40-panorama"
        by_type = _rows(data / f"lieux_par_departement_et_type_{year}_{territory}.csv")[-1]
        table = {label: _count(n) for label, n in by_type.items()
                 if label not in {"code_departement", "Département", "Ensemble"} and _count(n)}
        mapped = Counter(row["Type de lieu"] for row in _rows(data / "carte_lieux.csv"))
        where = f"{year} {territory}"
        assert _map_legend(page) == table, where
        assert dict(mapped) == table, where
        respondents = _RESPONDENTS_CARD.search(page)
        assert respondents is not None, where
        assert _count(respondents.group(1)) == _count(by_type["Ensemble"]) == sum(table.values()), where
        checked += 4
    # every wave x territory was read: 9 waves x 13 territories on the demo
    assert checked == 4 * len(site.waves) * len(site.territories)


_ESSENTIALS = re.compile(r'<section class="tl-essentials".*?</section>', re.DOTALL)
_HEADLINE = re.compile(r'<p class="tl-headline">(.*?)</p>', re.DOTALL)
_NUMBER = re.compile(r"[+-]?\d{1,3}(?:[\u202f\xa0 ]\d{3})*(?:,\d+)?")
_TAG = re.compile(r"<[^>]+>")


def _numbers(text: str) -> set[str]:
    """French numbers of a text, spaces inside them removed (« 1 234,5 » → « 1234,5 »)."""
    flat = unescape(_TAG.sub(" ", text))
    return {re.sub(r"[\u202f\xa0 ]", "", n) for n in _NUMBER.findall(flat)}


def _essentials_and_rest(page: str) -> tuple[str, str]:
    section = _ESSENTIALS.search(page)
    assert section is not None, "no « L'essentiel » on the page"
    headline = _HEADLINE.search(page)
    assert headline is not None, "no headline under the title"
    rest = page.replace(section.group(0), "").replace(headline.group(0), "")
    return section.group(0) + headline.group(0), rest


def test_every_number_of_l_essentiel_is_a_figure_the_page_publishes(demo_full_site):
    site = demo_full_site
    pages = [p for _, _, p in _panoramas(site)]
    pages += sorted(site.folder.glob(f"{max(site.waves)}/*/30-professionalisation.html"))
    assert len(pages) == len(site.waves) * len(site.territories) + len(site.territories)
    numbers = 0
    for page_path in pages:
        said, rest = _essentials_and_rest(page_path.read_text(encoding="utf-8"))
        published = _numbers(rest)
        found = _numbers(said)
        assert found, page_path
        assert found <= published, (page_path, sorted(found - published))
        numbers += len(found)
    assert numbers > 5 * len(pages)


_NAV = re.compile(r'<nav class="tl-nav"[^>]*>(.*?)</nav>', re.DOTALL)
_HREF = re.compile(r'href="([^"]+)"')


def test_every_page_leads_to_the_index_its_territory_its_wave_and_the_method(demo_full_site):
    """Each link of a page's navigation reaches a file of the site, and an anchor of it."""
    site = demo_full_site.folder
    index = (site / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'id="([^"]+)"', index))
    pages = [p for p in site.rglob("*.html") if p.parent != site]
    assert len(pages) >= len(demo_full_site.waves) * len(demo_full_site.territories)
    for page in pages:
        nav = _NAV.search(page.read_text(encoding="utf-8"))
        assert nav is not None, page
        targets = _HREF.findall(nav.group(1))
        assert len(targets) == 4, (page, targets)  # index, territory, wave, method
        for target in targets:
            path, _, anchor = target.partition("#")
            assert (page.parent / path).resolve().is_file(), (page, target)
            assert not anchor or anchor in anchors, (page, target)


_CARD = re.compile(r'<p class="tl-card-label">([^<]+)</p><p class="tl-card-value">([^<]+)</p>')


def test_a_wave_s_cards_and_its_professionalisation_table_print_the_same_figures(
        demo_full_site):
    """The Panorama's cards and the professionalisation page's table by wave, same wave."""
    site = demo_full_site
    year = max(site.waves)
    compared = 0
    for territory in site.territories:
        page = (site.folder / str(year) / territory / "40-panorama.html").read_text(
            encoding="utf-8")
        cards = {unescape(label): value for label, value in _CARD.findall(page)}
        by_wave = site.folder / "donnees" / str(year) / territory / "30-professionalisation"
        for row in _rows(by_wave / f"indicateurs_par_vague_{territory}.csv"):
            label = row["Indicateur"]
            if label in cards:
                assert cards[label] == row[str(year)], (territory, label)
                compared += 1
    # employers, (a) and (b) at least, on every territory
    assert compared >= 3 * len(site.territories)
