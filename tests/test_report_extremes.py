"""Every notebook on every wave and territory, and on synthetic extremes, through the runner.

The extremes are made from the demo panel (a copy, the demo itself is untouched):
in 2025 Creuse has 0 respondents, Corrèze 1, Haute-Vienne 2 and Vienne 3; one place of
Gironde has an unknown commune; place names and job titles carry HTML, ``{{ }}``,
``${}``, 800 characters, emoji and right-to-left text; the 2024 wave did not ask the
staff questions; the 2017 wave has one respondent in the whole region. Each page must
render, escape, say what it cannot show, and never crash.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.core.formats import format_count
from tlresearch.viz.standalone_html import network_references

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: The last one is the red team's (issue 9): a URL, a script and CSS loads in a place name
#: are text, and must not stop the map or the tables that show it.
URL_NAME = ("La Forge, voir https://www.exemple.fr <script src=//evil.example/x.js></script> "
            "url(http://evil.example/a.png) @import 'x.css'")
HOSTILE = ["<b>gras</b> {{ x }} ${y}", "Café 🌱 du coin", "مقهى الحي",
           "Lieu " + "très long " * 80, URL_NAME]
STAFF_COLUMNS = ["staff_total", "cdi", "cdd", "other_contracts", "etp"]


def _rewrite(path: Path, frame: pd.DataFrame) -> None:
    from tlresearch.core.storage import read_parquet_metadata, write_parquet

    write_parquet(path, frame.reset_index(drop=True), read_parquet_metadata(path))


@pytest.fixture(scope="module")
def extreme_dir(demo_data_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("extremes") / "data"
    shutil.copytree(demo_data_dir, root, ignore=shutil.ignore_patterns("raw"))
    processed = root / "processed"
    responses = pd.read_parquet(processed / "responses.parquet")
    staff = pd.read_parquet(processed / "staff.parquet")
    places = pd.read_parquet(processed / "places.parquet")
    w25 = responses["wave"] == 2025
    keep = pd.Series(True, index=responses.index)
    for code, n in (("23", 0), ("19", 1), ("87", 2), ("86", 3)):
        rows = responses.index[w25 & (responses["departement_code"] == code)]
        keep[rows[n:]] = False
    responses = responses[keep]
    w25 = responses["wave"] == 2025
    gironde = responses.index[w25 & (responses["departement_code"] == "33")]
    lost = gironde[0]
    for column in ("commune_code", "epci_code", "departement_code", "region_code"):
        responses.loc[lost, column] = pd.NA
    responses.loc[lost, "resolution_note"] = "commune introuvable"
    named = gironde[1:1 + len(HOSTILE)]
    responses.loc[named, "place_name"] = HOSTILE
    ids = dict(zip(responses.loc[named, "place_id"], HOSTILE))
    places["place_name"] = [ids.get(p, n) for p, n in zip(places["place_id"], places["place_name"])]
    responses.loc[responses["wave"] == 2024, STAFF_COLUMNS] = pd.NA
    first = responses.index[responses["wave"] == 2017]
    responses = responses.drop(first[1:])
    staff = staff[staff["wave"] != 2024]
    hostile_job = staff.index[(staff["wave"] == 2025)
                              & staff["place_id"].isin(responses.loc[named, "place_id"])][:1]
    staff.loc[hostile_job, ["title_raw", "title_normalised", "role"]] = [
        HOSTILE[0], HOSTILE[0], "unknown"]
    _rewrite(processed / "responses.parquet", responses)
    _rewrite(processed / "staff.parquet", staff)
    _rewrite(processed / "places.parquet", places)
    return root


@pytest.fixture(scope="module")
def extreme_site(extreme_dir, tmp_path_factory):
    from tlresearch.batch.runner import run_reports
    from tlresearch.core.paths import DataPaths

    out = tmp_path_factory.mktemp("extreme-site")
    summary = run_reports(DataPaths(extreme_dir), notebooks=[NOTEBOOKS / "40-panorama.ipynb",
                                                              NOTEBOOKS / "10-quality.ipynb"],
                          years=[2017, 2024, 2025], territories=["75", "33", "23", "19", "87",
                                                                  "86"],
                          out_dir=out, workers=2, progress=False, timeout=900)
    return out, summary


def _page(site: Path, year: int, territory: str, stem: str = "40-panorama") -> str:
    return (site / str(year) / territory / f"{stem}.html").read_text(encoding="utf-8")


def _card(page: str, label: str) -> str:
    match = re.search(rf"{re.escape(html.escape(label))}</p><p class=\"tl-card-value\">([^<]*)<",
                      page)
    return html.unescape(match.group(1)) if match else ""


@pytest.mark.slow
def test_every_extreme_page_is_published(extreme_site):
    site, summary = extreme_site
    failed = [f"{r.name}: {r.error}" for r in summary.reports if r.status == "failed"]
    assert failed == []
    for report in summary.reports:
        page = (site / report.output).read_text(encoding="utf-8")
        assert page.count("<h1") == 1 and network_references(page) == []
        assert "Données fictives (démonstration)" in page.split("</header>")[0]


@pytest.mark.slow
@pytest.mark.parametrize("territory, n, words", [
    ("23", 0, "Aucun lieu de la Creuse (23) n'a répondu"),  # elided: « de la » (issue 22)
    ("19", 1, "Un seul lieu de la Corrèze (19) a répondu"),
    ("87", 2, "Deux lieux seulement de la Haute-Vienne (87) ont répondu"),
    ("86", 3, None)])
def test_tiny_territories_say_what_they_cannot_show(extreme_site, territory, n, words):
    page = _page(extreme_site[0], 2025, territory)
    assert _card(page, "Lieux répondants") == format_count(n)  # public: the map shows them
    if words:
        assert words in html.unescape(page)
    else:
        assert 'class="tl-notice"' not in page.split('id="chiffres-cles"')[1][:200]


@pytest.mark.slow
def test_a_place_with_an_unknown_commune_counts_in_the_region_only(extreme_site, extreme_dir):
    responses = pd.read_parquet(extreme_dir / "processed" / "responses.parquet")
    wave = responses[responses["wave"] == 2025]
    region = _page(extreme_site[0], 2025, "75")
    assert _card(region, "Lieux répondants") == format_count(len(wave))
    gironde = _page(extreme_site[0], 2025, "33")
    in_33 = int((wave["departement_code"] == "33").sum())
    assert _card(gironde, "Lieux répondants") == format_count(in_33)
    quality = _page(extreme_site[0], 2025, "75", "10-quality")
    assert "Lieux répondants dont la commune n&#x27;a pas été retrouvée" in quality or \
        "dont la commune n'a pas été retrouvée" in html.unescape(quality)
    assert "commune introuvable" in quality


@pytest.mark.slow
def test_hostile_names_and_titles_are_escaped_wrapped_and_whole(extreme_site):
    site = extreme_site[0]
    quality = _page(site, 2025, "75", "10-quality")
    assert "<b>gras</b>" not in quality and "&lt;b&gt;gras&lt;/b&gt;" in quality
    for territory in ("75", "33"):
        page = _page(site, 2025, territory)
        # In the map frame the names are escaped twice (once for the srcdoc attribute).
        assert "<b>gras</b>" not in page
    text = html.unescape(quality)
    assert "{{ x }} ${y}" in text
    # The URL name is shown in the Panorama's map as text (escaped for HTML, then for the
    # script's JSON, then for the frame's srcdoc), and its page was published.
    from tlresearch.viz.escaping import escape_text, script_json

    shown = script_json(escape_text(URL_NAME))[1:-1]
    assert shown in html.unescape(_page(site, 2025, "33"))


@pytest.mark.slow
def test_a_wave_without_staff_questions_and_a_wave_of_one(extreme_site):
    site = extreme_site[0]
    page = _page(site, 2024, "75")
    assert _card(page, "Salariés en CDI") in {"–", "s"}
    lonely = _page(site, 2017, "75")
    assert _card(lonely, "Lieux répondants") == "1"
    assert "Un seul lieu" in html.unescape(lonely)


@pytest.mark.slow
def test_every_demo_wave_and_territory_is_published(demo_full_site):
    """What ``make reports`` publishes: every wave × territory (quality page, Panorama),
    the other notebooks for the latest wave; no failure, one title, the banner, the PDF."""
    from tlresearch.report.pdf import chromium_path

    site, waves, territories = demo_full_site.folder, demo_full_site.waves, demo_full_site.territories
    reports = demo_full_site.every.reports + demo_full_site.latest.reports
    assert [f"{r.name}: {r.error}" for r in reports if r.status != "fresh"] == []
    assert len(demo_full_site.every.reports) == len(waves) * (1 + len(territories))
    for report in reports:
        page = (site / report.output).read_text(encoding="utf-8")
        assert page.count("<h1") == 1, report.name
        assert "Données fictives (démonstration)" in page.split("</header>")[0], report.name
    if chromium_path() is not None:
        printed = demo_full_site.printed
        assert printed["failed"] == [] and len(printed["printed"]) == len(territories)
        assert all((site / pdf).with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
                   for pdf in printed["printed"])
    index = (site / "index.html").read_text(encoding="utf-8")
    for year in waves:
        assert f'href="{year}/33/40-panorama.html"' in index
    assert index.index(f'id="vague-{max(waves)}"') < index.index(f'id="vague-{min(waves)}"')
    assert "Données fictives (démonstration)" in index
