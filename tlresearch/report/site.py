"""The index page of the published reports: one self-contained French HTML page.

A reader first finds the latest wave (one row per territory — the region first, then
its départements — one column per report), then every wave of every territory (one row
per territory, one column per wave, latest first). Rows and columns carry the anchors
that each page's navigation links to (:mod:`tlresearch.report.navigation`), and the
method page (:mod:`tlresearch.report.method_page`) is written beside the index. Only
pages that are online are listed, with no build jargon: what ran, was skipped or failed
is for the maintainers (``.state/last_run.json``, the run log, the command's output).
Links are relative (the site can be copied or served from any folder), nothing is
loaded from the network (inline CSS), nothing runs (no script), and every string shown
is escaped. When the pages were built from the demo survey, the index carries the same
« Données fictives » banner.
"""
from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from tlresearch.core.settings import Settings, legacy_settings
from tlresearch.core.storage import atomic_write_text
from tlresearch.geo.names import of_region, region_name, territory_label
from tlresearch.report.data_package import build_data_package
from tlresearch.report.method_page import method_html
from tlresearch.report.navigation import METHOD_PAGE, territory_anchor, wave_anchor
from tlresearch.report.page_style import DEMO_BANNER

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#222;overflow-wrap:break-word}h1{font-size:1.6rem}
h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{padding:.35rem .6rem;text-align:left;
vertical-align:top;border-bottom:1px solid #eee}small{display:block;color:#555}
.fresh{color:#1a7f37}.skipped{color:#555}.failed{color:#b42318}
.tl-banner{background:#fff4ce;border:2px solid #b58100;padding:.5em 1em;font-weight:bold}
.tl-nav{margin:1em 0}.tl-nav a{color:#1f4e79}caption{text-align:left;font-weight:bold;
margin:.3em 0}thead th{border-bottom:2px solid #999}
"""
#: Marker of the demo banner in a page (see :func:`tlresearch.report.notebook_helpers.demo_banner`).
_BANNER_MARK = 'class="tl-banner"'


def french_date(iso: str | None) -> str:
    """``2025-03-07T10:00:00`` -> ``07/03/2025``; empty when there is no date.

    Examples
    --------
    >>> french_date("2025-03-07T10:00:00")
    '07/03/2025'
    """
    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y")


def territory_name(report) -> str:
    """« Gironde (33) » for a département, « Occitanie » for the region of the report
    (``report.territory`` and ``report.region``); the bare code only for a code that is
    neither (a test territory)."""
    return territory_label(str(report.territory), str(report.region))


def _is_region(report) -> bool:
    return str(report.territory) == str(report.region)


def report_title(notebook: str) -> str:
    """The notebook's first heading ("Panorama annuel des tiers-lieux"), else its file name.

    A bare file name (as the runner records it) is looked up in the project's notebooks.
    """
    import json

    from tlresearch.core.paths import NOTEBOOK_DIR

    path = Path(notebook)
    if not path.is_file() and (NOTEBOOK_DIR / path.name).is_file():
        path = NOTEBOOK_DIR / path.name
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return path.stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def _is_demo(out_dir: Path, reports) -> bool:
    """True when a page listed was built from demo data (its header holds the banner)."""
    for r in reports:
        if r.output:
            try:
                with open(Path(out_dir) / r.output, encoding="utf-8", errors="replace") as page:
                    if _BANNER_MARK in page.read(16_384):
                        return True
            except OSError:
                continue
    return False


#: The short name of each report in the index's tables, by notebook (file stem).
SHORT_TITLES = {"40-panorama": "Panorama", "10-quality": "Qualité des données",
                "20-map": "Cartes", "30-professionalisation": "Professionnalisation",
                "50-certification": "Certification", "60-trajectoires": "Trajectoires"}


def _kind_order(stem: str) -> tuple[int, str]:
    """The Panorama first, then the pages of the same wave in :data:`SHORT_TITLES` order."""
    order = ("40-panorama", "30-professionalisation", "20-map", "60-trajectoires",
             "50-certification", "10-quality")
    return (order.index(stem) if stem in order else len(order), stem)


def short_title(notebook: str) -> str:
    """« Panorama » for ``40-panorama.ipynb``; the notebook's own title otherwise."""
    return SHORT_TITLES.get(Path(notebook).stem, report_title(notebook))


def _links(r, out_dir: Path | None, text: str) -> str:
    """A link to a published page, and to its PDF when there is one."""
    link = f'<a href="{escape(r.output, quote=True)}">{escape(text)}</a>'
    if out_dir is not None:
        pdf = Path(r.output).with_suffix(".pdf").as_posix()
        if (Path(out_dir) / pdf).is_file():
            link += f' (<a href="{escape(pdf, quote=True)}">PDF</a>)'
    return link


def _territories(online: list) -> list[tuple[str, str]]:
    """(region, territory) pairs in index order: the region first, then by code."""
    return list(dict.fromkeys((str(r.region), str(r.territory)) for r in online))


def _latest_table(online: list, year: int, out_dir: Path | None) -> str:
    """The latest wave: one row per territory, one column per report."""
    rows = [r for r in online if r.year == year]
    notebooks = {Path(r.notebook).stem: r.notebook for r in rows}
    kinds = sorted(notebooks, key=_kind_order)
    head = "".join(f'<th scope="col">{escape(short_title(notebooks[k]))}</th>' for k in kinds)
    body = []
    for region, territory in _territories(rows):
        mine = {Path(r.notebook).stem: r for r in rows
                if (str(r.region), str(r.territory)) == (region, territory)}
        cells = "".join(f"<td>{_links(mine[k], out_dir, 'Lire') if k in mine else '–'}</td>"
                        for k in kinds)
        body.append(f'<tr><th scope="row">{escape(territory_name(next(iter(mine.values()))))}'
                    f"</th>{cells}</tr>")
    return (f"<table><caption>Rapports de la vague {int(year)}, par territoire</caption>"
            f'<thead><tr><th scope="col">Territoire</th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _waves_table(online: list, years: list[int], out_dir: Path | None) -> str:
    """Every wave: one row per territory (its anchor), one column per wave, latest first."""
    head = "".join(f'<th scope="col" id="{wave_anchor(y)}">{int(y)}</th>' for y in years)
    body = []
    for region, territory in _territories(online):
        mine = [r for r in online if (str(r.region), str(r.territory)) == (region, territory)]
        cells = []
        for year in years:
            pages = sorted((r for r in mine if r.year == year),
                           key=lambda r: _kind_order(Path(r.notebook).stem))
            cells.append("<td>" + ("<br>".join(_links(r, out_dir, short_title(r.notebook))
                                               for r in pages) or "–") + "</td>")
        body.append(f'<tr id="{escape(territory_anchor(region, territory), quote=True)}">'
                    f'<th scope="row">{escape(territory_name(mine[0]))}</th>{"".join(cells)}</tr>')
    return ("<table><caption>Tous les rapports publiés, par territoire et par vague (la plus "
            f'récente d\'abord)</caption><thead><tr><th scope="col">Territoire</th>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table>")


def _listed(summary) -> list:
    """The reports of ``summary`` and those earlier runs published, index order: the
    folder's own region first, then the others by code; in each, the region first."""
    home = _settings(summary).region
    reports = [*summary.reports, *getattr(summary, "others", [])]
    for report in reports:  # a record written before regions were recorded is the home's
        if getattr(report, "region", None) is None:
            report.region = home
    return sorted(reports, key=lambda r: (-r.year, r.region != home, r.region,
                                          not _is_region(r), r.territory, r.notebook))


def _settings(summary) -> Settings:
    return getattr(summary, "settings", None) or legacy_settings()


#: Image types a logo may be, by suffix (an <img> never runs an SVG's scripts).
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}
#: A logo above this size is left out (the index stays light).
_LOGO_MAX = 300_000


def _logo(settings: Settings) -> str:
    """The network's logo, inlined (nothing is loaded), when the settings name one."""
    import base64

    path = settings.logo_path()
    kind = _LOGO_TYPES.get(path.suffix.lower()) if path else None
    if kind is None or path.stat().st_size > _LOGO_MAX:
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = escape(f"Logo : {settings.network_name() or 'réseau'}")
    return f'<img class="tl-logo" alt="{alt}" src="data:{kind};base64,{data}" height="64">'


def _credits(settings: Settings, regions: list[str]) -> str:
    """Who is credited for each region's survey, and the contact, as one paragraph."""
    named = [(code, settings.credit(code)) for code in regions if settings.credit(code)]
    if len(named) == 1 and len(regions) == 1:
        text = f"Source : enquête annuelle des tiers-lieux, {escape(named[0][1])}."
    elif named:
        text = "Sources : " + " ; ".join(
            f"{escape(region_name(code))} : enquête annuelle des tiers-lieux, "
            f"{escape(credit)}" for code, credit in named) + "."
    else:
        text = "Source : enquête annuelle des tiers-lieux."
    if settings.contact:
        text += f" Contact : {escape(settings.contact)}."
    return f'<p class="tl-credit">{text} Traitement tlresearch.</p>'


def index_html(summary, out_dir: Path | None = None, package: str | None = None) -> str:
    """The index page of ``summary`` (a :class:`tlresearch.batch.runner.RunSummary`);
    ``package``: the data package's path inside the site, linked when given."""
    reports = _listed(summary)
    settings = _settings(summary)
    regions = list(dict.fromkeys(str(r.region) for r in reports)) or [settings.region]
    where = (of_region(regions[0]) if len(regions) == 1
             else f"{of_region(settings.region)} et d'autres régions")
    parts = ["<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Rapports — tiers-lieux {escape(where)}</title>",
             f"<style>{_CSS}</style></head><body>",
             f"<header><h1>Rapports sur les tiers-lieux {escape(where)}</h1>"]
    parts.append(_logo(settings))
    if settings.network_name():
        parts.append(f'<p>{escape(settings.network_name())}</p>')
    years = list(dict.fromkeys(r.year for r in reports))
    if out_dir is not None and _is_demo(out_dir, reports):
        parts.append(f'<p class="tl-banner">{escape(DEMO_BANNER)}</p>')
    parts.append("</header>")
    online = [r for r in reports if r.output]
    latest = max(years) if years else None
    contents = [f'<a href="#vague-{latest}-rapports">La dernière vague ({latest})</a>'
                if latest else "", '<a href="#par-territoire">Toutes les vagues</a>',
                f'<a href="{METHOD_PAGE}">Méthode</a>', '<a href="#donnees">Données</a>'
                if package else ""]
    parts.append('<nav class="tl-nav" aria-label="Sommaire">'
                 + " · ".join(c for c in contents if c) + "</nav><main>")
    if latest is not None and online:
        parts.append(f'<h2 id="vague-{latest}-rapports">La dernière vague : {latest}</h2>')
        parts.append(_latest_table(online, latest, out_dir))
        parts.append('<h2 id="par-territoire">Toutes les vagues, par territoire</h2>')
        parts.append(_waves_table(online, years, out_dir))
    else:
        parts.append("<p>Aucun rapport publié pour l'instant.</p>")
    parts.append(f'<h2 id="methode">Méthode</h2><p>Sources, définitions des indicateurs, '
                 f'intervalles de confiance et secret statistique : <a href="{METHOD_PAGE}">'
                 "la page Méthode</a>.</p>")
    if package:
        parts.append(f'<h2 id="donnees">Données</h2><p>Chaque tableau publié est aussi un '
                     f'fichier CSV (UTF-8, séparateur « ; »), décrit par le '
                     f'<a href="{escape(package, quote=True)}">paquet de données '
                     f"(datapackage.json, Frictionless)</a> : types, unités, « s » pour le "
                     f"secret statistique. {escape(settings.licence)}.</p>")
    dates = [r.published_at for r in online if r.published_at]
    updated = f"<p>Dernière mise à jour : {french_date(max(dates))}.</p>" if dates else ""
    parts.append(f"</main><footer>{_credits(settings, regions)}{updated}</footer>"
                 "</body></html>\n")
    return "\n".join(parts)


def build_index(out_dir: Path, summary) -> Path:
    """Write the data package (:mod:`tlresearch.report.data_package`) of the published
    pages, then ``out_dir/index.html`` linking to it, atomically; return the index's path."""
    out_dir = Path(out_dir)
    package = build_data_package(out_dir, _listed(summary), title_of=report_title,
                                 territory_of=territory_name, settings=_settings(summary),
                                 demo=_is_demo(out_dir, _listed(summary)))
    settings = _settings(summary)
    atomic_write_text(out_dir / METHOD_PAGE, method_html(
        credit=settings.credit(settings.region) or "réseau régional des tiers-lieux",
        demo=_is_demo(out_dir, _listed(summary)), banner=DEMO_BANNER))
    path = out_dir / "index.html"
    atomic_write_text(path, index_html(summary, out_dir, package and
                                       package.relative_to(out_dir).as_posix()))
    return path
