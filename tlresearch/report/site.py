"""The index page of the published reports: one self-contained French HTML page.

The page lists every report of a run by year and territory with its state and the
date of the version online, links to it relatively (the site can be copied or served
from any folder), loads nothing from the network (inline CSS) and escapes every
string it shows.
"""
from __future__ import annotations

from datetime import datetime
from html import escape
from itertools import groupby
from pathlib import Path

from tlresearch.core.storage import atomic_write_text

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .6rem;text-align:left;
border-bottom:1px solid #eee}.fresh{color:#1a7f37}.skipped{color:#555}.failed{color:#b42318}
"""


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


def status_label(status: str, published_at: str | None) -> str:
    """The French state shown for a report."""
    if status == "fresh":
        return "à jour"
    if status == "skipped":
        return "inchangé"
    if published_at:
        return f"échec — dernière version conservée (du {french_date(published_at)})"
    return "échec — aucune version publiée"


def territory_name(code: str) -> str:
    """"Gironde (33)" for a department, "Nouvelle-Aquitaine (75)" for the region;
    the bare code when it is neither (a test territory)."""
    try:
        from tlresearch.report.notebook_helpers import territory_label

        return territory_label(code)
    except Exception:  # noqa: BLE001 - an unknown code is still listed, by its code
        return code


def _is_region(code: str) -> bool:
    try:
        from tlresearch.report.notebook_helpers import territory_level

        return territory_level(code) == "region"
    except Exception:  # noqa: BLE001
        return False


def report_title(notebook: str) -> str:
    """The notebook's first heading ("Panorama annuel ..."), else its file name."""
    import json

    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return Path(notebook).stem
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(notebook).stem


def index_html(summary) -> str:
    """The index page of ``summary`` (a :class:`tlresearch.batch.runner.RunSummary`) as a string."""
    # The region first, then its departments by code.
    reports = sorted([*summary.reports, *getattr(summary, "others", [])],
                     key=lambda r: (-r.year, not _is_region(r.territory), r.territory,
                                    r.notebook))
    parts = ["<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Rapports — tiers-lieux</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Rapports sur les tiers-lieux</h1>"]
    totals = summary.totals
    parts.append(f"<p>Dernière exécution : {totals['total']} rapports, {totals['fresh']} à jour, "
                 f"{totals['skipped']} inchangés, {totals['failed']} en échec.</p>")
    for year, by_year in groupby(reports, key=lambda r: r.year):
        parts.append(f"<h2>{escape(str(year))}</h2>")
        for territory, rows in groupby(by_year, key=lambda r: r.territory):
            parts.append(f"<h3>{escape(territory_name(territory))}</h3>")
            parts.append("<table><thead><tr><th>Rapport</th><th>État</th><th>Date</th>"
                         "</tr></thead><tbody>")
            for r in rows:
                title = escape(report_title(r.notebook))
                cell = (f'<a href="{escape(r.output, quote=True)}">{title}</a>'
                        if r.output else title)
                parts.append(f'<tr><td>{cell}</td><td class="{escape(r.status)}">'
                             f"{escape(status_label(r.status, r.published_at))}</td>"
                             f"<td>{escape(french_date(r.published_at))}</td></tr>")
            parts.append("</tbody></table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def build_index(out_dir: Path, summary) -> Path:
    """Write ``out_dir/index.html`` atomically for ``summary`` and return its path."""
    path = Path(out_dir) / "index.html"
    atomic_write_text(path, index_html(summary))
    return path
