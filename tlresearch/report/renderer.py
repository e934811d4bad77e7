"""One self-contained HTML page per executed notebook, for partners.

Partners read our reports from e-mail, archives and USB keys, often offline. A report
is therefore one file that loads nothing and runs nothing of its own:

* code is hidden: only markdown narrative and published blocks are written
  (:mod:`tlresearch.report.blocks`: tables, figures, key figures, maps, banners);
  any other output — a bare string, a tuple, a raw DataFrame, printed text — is
  refused (:func:`tlresearch.report.checks.stray_output`), and so is a notebook with
  an error output (a failed run is not published); stderr streams are dropped;
* one title per page: the one given to :func:`render_report`; the notebook's own
  ``#`` heading is not repeated;
* the demo banner a notebook shows is moved under the title, where no reader misses it;
* the page itself has no ``<script>``: the only scripts are the maps', inside their
  ``srcdoc`` attribute, where the browser runs them in the frame; a page that names a
  network resource (:func:`tlresearch.viz.standalone_html.network_references`) is refused.

Markdown cells may contain raw HTML; it is sanitised (:data:`MARKDOWN_TAGS`): any
other tag shows as text. Notebooks never interpolate data (place names, free
answers) into markdown: they go in tables, which escape them.

Rendering is a pure function of the notebook, the title and the provenance (whose
``run_date`` gives the page's date), so the same inputs give byte-identical HTML.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from tlresearch.core.errors import TLResearchError
from tlresearch.core.formats import format_date
from tlresearch.report.blocks import HTMLBlock
from tlresearch.report.checks import stray_output, unsafe_markup
from tlresearch.report.map_block import show_map
from tlresearch.report.page_style import page_css
from tlresearch.report.provenance import PROVENANCE_LABELS, provenance_html  # noqa: F401
from tlresearch.report.tables import csv_data_uri, table_download  # noqa: F401
from tlresearch.viz.network_check import describe, network_loads

if TYPE_CHECKING:
    import nbformat

#: Size limits of a report, in bytes, by territorial scope (see :func:`render_report`).
SIZE_LIMITS = {"region": 3_000_000, "departement": 1_000_000}

#: Tags a markdown cell may produce; any other tag is shown as text.
MARKDOWN_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "small", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_MARKDOWN_ATTRIBUTES = {"a": ["href", "title"], "abbr": ["title"], "td": ["align"],
                        "th": ["align"]}

#: Preferred output formats, best first (matplotlib gives PNG and text/plain: PNG wins).
_MIME_ORDER = ("text/html", "image/png", "image/jpeg", "text/markdown", "text/plain")


class ReportError(TLResearchError):
    """A notebook cannot be published as it is (failed cell, stray, unsafe or remote output)."""

    def __init__(self, message: str, cell_index: int | None = None):
        where = f"cell {cell_index}: " if cell_index is not None else ""
        super().__init__(where + message)
        self.cell_index = cell_index


# --------------------------------------------------------------------------- cells

def _markdown(source: str) -> str:
    import bleach
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune(source)
    # nbconvert's pilcrow links go: ids are set by _number_headings.
    rendered = re.sub(r'<a class="anchor-link" href="#[^"]*">&#182;</a>', "", rendered)
    # The page has one title, the one render_report is given.
    rendered = re.sub(r"<h1[^>]*>.*?</h1>", "", rendered, flags=re.DOTALL)
    return bleach.clean(rendered, tags=MARKDOWN_TAGS, attributes=_MARKDOWN_ATTRIBUTES,
                        protocols={"mailto"}, strip=False, strip_comments=True)


def _output_html(output: Mapping[str, Any], index: int) -> str:
    kind = output.get("output_type")
    if kind == "error":
        raise ReportError(f"the notebook failed ({output.get('ename')}); "
                          "a failed run is not published", index)
    if kind == "stream" and output.get("name") != "stdout":
        return ""  # warnings, logging, progress bars
    data = output.get("data", {}) if kind in {"display_data", "execute_result"} else {}
    mime = next((m for m in _MIME_ORDER if m in data), None)
    value = data[mime] if mime else ""
    value = "".join(value) if isinstance(value, list) else value
    if mime == "text/html":
        found = unsafe_markup(value)
        if found:
            raise ReportError(f"output would run code in the report: {sorted(set(found))}; "
                              "show maps with show_map", index)
    reason = stray_output(output)
    if reason:
        raise ReportError(f"stray output, not published: {reason}; show tables with "
                          "publish_table, figures with figure_block or chart_block, maps "
                          "with show_map", index)
    if mime == "text/html":
        return f'<div class="tl-output">{value}</div>' if value.strip() else ""
    if mime in {"image/png", "image/jpeg"}:
        payload = re.sub(r"\s+", "", value)
        base64.b64decode(payload, validate=True)  # refuse anything that is not base64
        return (f'<figure class="tl-figure"><img alt="Figure" '
                f'src="data:{mime};base64,{payload}"></figure>')
    if mime == "text/markdown":
        return _markdown(value)
    return ""  # a stream on stdout was refused above; other kinds show nothing


def _cell_html(cell: Mapping[str, Any], index: int) -> str:
    tags = set(cell.get("metadata", {}).get("tags", []))
    if tags & {"remove_cell", "remove-cell"}:
        return ""
    if cell.get("cell_type") == "markdown":
        return _markdown("".join(cell.get("source", "")))
    if cell.get("cell_type") != "code" or tags & {"remove_output", "remove-output"}:
        return ""
    return "\n".join(filter(None, (_output_html(o, index) for o in cell.get("outputs", []))))


# --------------------------------------------------------------------------- headings

_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
#: The headline of « L'essentiel » (:mod:`tlresearch.report.findings`), shown under the title.
_HEADLINE = re.compile(r'<p class="tl-headline">(.*?)</p>', re.DOTALL)
_BANNER = re.compile(r'<div class="tl-output">\s*(<p class="tl-banner" data-tl-block="banner">'
                     r".*?</p>)\s*</div>", re.DOTALL)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def _number_headings(body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Give every markdown heading a stable id from its text: (body, [(level, id, html)])."""
    seen: dict[str, int] = {}
    toc: list[tuple[int, str, str]] = []

    def replace(match: re.Match) -> str:
        level, inner = int(match.group(1)), match.group(2)
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        slug = _slug(text)
        seen[slug] = seen.get(slug, 0) + 1
        anchor = slug if seen[slug] == 1 else f"{slug}-{seen[slug]}"
        toc.append((level, anchor, html.escape(text)))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return _HEADING.sub(replace, body), toc


def _toc_html(toc: list[tuple[int, str, str]]) -> str:
    entries = [(level, anchor, text) for level, anchor, text in toc if level <= 3]
    if not entries:
        return ""
    top = min(level for level, _, _ in entries)
    items = "\n".join(f'<li class="tl-toc-{level - top + 1}"><a href="#{anchor}">{text}</a></li>'
                      for level, anchor, text in entries)
    return ('<nav class="tl-toc" aria-label="Sommaire"><h2>Sommaire</h2>\n'
            f"<ul>\n{items}\n</ul></nav>")


# --------------------------------------------------------------------------- files

_DOWNLOAD = re.compile(r'(<p class="tl-download"><a download="([^"]+)" data-tl-resource="[^"]*"'
                       r' href="data:text/csv[^"]*">Télécharger \(CSV\)</a>)')


def link_table_files(body: str, page: str) -> str:
    """Beside each table's « Télécharger (CSV) », a link to its file in the site's data
    package (:func:`tlresearch.report.data_package.table_file`), relative to ``page``."""
    from tlresearch.report.data_package import file_names, relative_link, table_file

    names = iter(file_names(html.unescape(m.group(2)) for m in _DOWNLOAD.finditer(body)))

    def add(match: re.Match) -> str:
        name = next(names)
        href = html.escape(relative_link(page, table_file(page, name)), quote=True)
        return (f'{match.group(1)} · <a href="{href}">Fichier du jeu de données '
                f"({html.escape(name)})</a>")

    return _DOWNLOAD.sub(add, body)


# --------------------------------------------------------------------------- page

def render_report(notebook: "nbformat.NotebookNode", *, title: str,
                  provenance: Mapping[str, Any], scope: str | None = None) -> str:
    """Turn an executed notebook into one self-contained HTML page in French.

    Parameters
    ----------
    notebook
        The executed notebook (nbclient / papermill output).
    title
        Title of the report (escaped): the page's only ``<h1>``.
    provenance
        Facts for the footer (:func:`tlresearch.report.provenance.provenance_html`):
        ``data_hash``, ``waves``, ``parameters`` (dict; paths shown relative to the
        data folder), ``version``, ``run_date`` (also the date under the title; today
        when absent, which makes the page vary by day). ``page``, the page's path in
        the site (not shown), links each table to its file in the data package.
        ``credit``, the survey and its network (:mod:`tlresearch.core.settings`), is
        printed in the margin of every printed page and in the footer.
    scope
        ``"region"`` or ``"departement"``: refuse a page above :data:`SIZE_LIMITS`.

    Raises
    ------
    ReportError
        A cell failed, an output is stray, would run code or reach the network, or
        the page is too large for its scope.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Bilan")])
    >>> page = render_report(nb, title="Bilan 2025", provenance={"run_date": "2026-11-23"})
    >>> 'id="bilan"' in page and "23/11/2026" in page
    True
    """
    if scope is not None and scope not in SIZE_LIMITS:
        raise ReportError(f"unknown scope {scope!r}; choose one of {', '.join(SIZE_LIMITS)}")
    provenance = dict(provenance)
    provenance.setdefault("run_date", _dt.date.today())
    page_path = provenance.pop("page", None)
    body = "\n".join(filter(None, (_cell_html(cell, i) for i, cell in enumerate(notebook.cells))))
    if page_path:
        body = link_table_files(body, str(page_path))
    banners = _BANNER.findall(body)
    body = _BANNER.sub("", body)
    headline = _HEADLINE.search(body)
    if headline:  # the finding of the page reads as its subtitle; the block keeps the list
        body = body[:headline.start()] + body[headline.end():]
    body, toc = _number_headings(body)
    nav = _navigation(str(page_path), provenance.get("parameters")) if page_path else ""
    found = unsafe_markup(body)
    if found:  # markdown is sanitised and outputs checked: this is a bug, not data
        raise ReportError(f"the page would run code: {sorted(set(found))}")
    page = (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{page_css(provenance.get('credit'))}</style>"
        "\n</head>\n<body>\n"
        f'<header>{nav}<h1>{html.escape(title)}</h1>\n'
        + (f'<p class="tl-headline">{headline.group(1)}</p>\n' if headline else "") +
        f'<p class="tl-date">Rapport du {html.escape(format_date(provenance["run_date"]))}</p>'
        f'{"".join(dict.fromkeys(banners))}</header>\n{_toc_html(toc)}\n<main>\n{body}\n</main>\n'
        f"{provenance_html(provenance)}\n</body>\n</html>\n")
    leftover = network_loads(page)
    if leftover:  # where names the table, column and row, or the map and its feature
        raise ReportError(f"the report would load from the network: {describe(leftover)}; "
                          "show maps with show_map, not folium's display")
    size = len(page.encode("utf-8"))
    if scope is not None and size >= SIZE_LIMITS[scope]:
        raise ReportError(f"{scope} report is {size} bytes, above {SIZE_LIMITS[scope]}")
    return page


def _navigation(page: str, parameters: Mapping[str, Any] | None) -> str:
    """Links to the index (this territory's row, this wave's column) and the method page."""
    from tlresearch.geo.names import territory_label
    from tlresearch.report.navigation import page_navigation

    parameters = parameters or {}
    year, territory = parameters.get("year"), parameters.get("territory")
    region = parameters.get("region")
    territory = str(territory or region or "") or None
    name = None
    if territory and region:
        try:
            name = territory_label(territory, str(region))
        except Exception:  # noqa: BLE001 - an unknown code still gets its links, by its code
            name = territory
    return page_navigation(page, year=year, territory=territory,
                           region=str(region) if region else None, territory_name=name)


def write_report(html_text: str, path: str | Path) -> Path:
    """Write a rendered report atomically (:func:`tlresearch.core.storage.atomic_write_text`)."""
    from tlresearch.core.storage import atomic_write_text

    path = Path(path)
    atomic_write_text(path, html_text)
    return path


__all__ = ["render_report", "write_report", "ReportError", "SIZE_LIMITS", "MARKDOWN_TAGS",
           "HTMLBlock", "show_map", "table_download", "unsafe_markup"]
