"""One site, one set of numbers: every figure printed twice, read back and compared.

A reader who finds « Espace de coworking (80) » in a map's legend and 93 in the table
under it stops trusting the page. This module reads a published site as a reader would —
the pages' HTML and the data package's CSV files — and compares, for every Panorama of
every wave and territory:

* the map legend of types, the map's own table, the table of places by département and
  type, and the « Lieux répondants » card;
* every number of « L'essentiel » with the figures published elsewhere on the page;
* the cards with the professionalisation page's table by wave, for the same wave.

:func:`check_site` returns each comparison made and each disagreement;
``tests/test_page_agreement.py`` asserts there is none on the demo site and
``benchmarks/bench_site.py`` prints how many were made.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

_LEGEND = re.compile(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");')
_LEGEND_ITEM = re.compile(r"<li>.*?</span>(.*?) \((\d+)\)</li>")
_CARD = re.compile(r'<p class="tl-card-label">([^<]+)</p><p class="tl-card-value">([^<]+)</p>')
_ESSENTIALS = re.compile(r'<section class="tl-essentials".*?</section>', re.DOTALL)
_HEADLINE = re.compile(r'<p class="tl-headline">(.*?)</p>', re.DOTALL)
_NUMBER = re.compile(r"[+-]?\d{1,3}(?:[\u202f\xa0 ]\d{3})*(?:,\d+)?")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[\u202f\xa0 ]")
RESPONDENTS = "Lieux répondants"


@dataclass
class Agreement:
    """What :func:`check_site` compared (``pairs``) and what disagreed (``differences``)."""

    pairs: int = 0
    differences: list[str] = field(default_factory=list)

    def same(self, where: str, what: str, left, right) -> None:
        self.pairs += 1
        if left != right:
            self.differences.append(f"{where}: {what}: {left!r} ≠ {right!r}")


def csv_rows(path: Path) -> list[dict[str, str]]:
    """A published CSV file (UTF-8 with BOM, « ; »), as dictionaries of text."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def french_count(text: str) -> int:
    """``"1 234"`` → 1234."""
    return int(_SPACES.sub("", text))


def map_legend(page: str) -> dict[str, int]:
    """The first map legend with counts (the places map comes first): ``{label: n}``."""
    for match in _LEGEND.finditer(page):
        items = {unescape(label): int(n)
                 for label, n in _LEGEND_ITEM.findall(json.loads(match.group(1)))}
        if items:
            return items
    return {}


def cards(page: str) -> dict[str, str]:
    """The key-figure cards of a page: ``{label: value as printed}``."""
    return {unescape(label): value for label, value in _CARD.findall(page)}


def numbers(text: str) -> set[str]:
    """The French numbers of a text, spaces inside them removed (« 1 234,5 » → « 1234,5 »)."""
    flat = unescape(_TAG.sub(" ", text))
    return {_SPACES.sub("", n) for n in _NUMBER.findall(flat)}


def essentials(page: str) -> tuple[str, str]:
    """(« L'essentiel » and the headline, the rest of the page); empty when absent."""
    section, headline = _ESSENTIALS.search(page), _HEADLINE.search(page)
    if section is None or headline is None:
        return "", page
    rest = page.replace(section.group(0), "").replace(headline.group(0), "")
    return section.group(0) + headline.group(0), rest


def _panorama(agreement: Agreement, site: Path, year: int, territory: str, page: str) -> None:
    where = f"{year}/{territory}/40-panorama"
    data = site / "donnees" / str(year) / territory / "40-panorama"
    by_type = csv_rows(data / f"lieux_par_departement_et_type_{year}_{territory}.csv")[-1]
    table = {label: french_count(n) for label, n in by_type.items()
             if label not in {"code_departement", "Département", "Ensemble"} and french_count(n)}
    agreement.same(where, "légende de la carte / tableau par type", map_legend(page), table)
    listed = Counter(row["Type de lieu"] for row in csv_rows(data / "carte_lieux.csv"))
    agreement.same(where, "liste de la carte / tableau par type", dict(listed), table)
    shown = cards(page)
    agreement.same(where, "carte « Lieux répondants » / total du tableau",
                   french_count(shown.get(RESPONDENTS, "0")), french_count(by_type["Ensemble"]))
    _essentials(agreement, where, page)


def _essentials(agreement: Agreement, where: str, page: str) -> None:
    said, rest = essentials(page)
    published = numbers(rest)
    for number in sorted(numbers(said)):
        agreement.same(where, f"« L'essentiel » : {number}", number in published, True)


def _cards_and_trends(agreement: Agreement, site: Path, year: int, territory: str,
                      panorama: str) -> None:
    trends = site / "donnees" / str(year) / territory / "30-professionalisation"
    table = trends / f"indicateurs_par_vague_{territory}.csv"
    if not table.is_file():
        return
    shown = cards(panorama)
    for row in csv_rows(table):
        if row.get("Indicateur") in shown and str(year) in row:
            agreement.same(f"{year}/{territory}", f"carte / professionnalisation : "
                           f"{row['Indicateur']}", numbers(shown[row["Indicateur"]]),
                           numbers(row[str(year)]))


def check_site(site: Path) -> Agreement:
    """Compare every figure a site prints twice (see the module's docstring)."""
    site = Path(site)
    agreement = Agreement()
    for path in sorted(site.glob("*/*/40-panorama.html")):
        year, territory = int(path.parent.parent.name), path.parent.name
        page = path.read_text(encoding="utf-8")
        _panorama(agreement, site, year, territory, page)
        _cards_and_trends(agreement, site, year, territory, page)
    for path in sorted(site.glob("*/*/30-professionalisation.html")):
        _essentials(agreement, f"{path.parent.parent.name}/{path.parent.name}/"
                    "30-professionalisation", path.read_text(encoding="utf-8"))
    return agreement


__all__ = ["check_site", "Agreement", "map_legend", "cards", "numbers", "essentials",
           "csv_rows", "french_count"]
