"""One self-contained HTML page per executed notebook, for partners.

Partners read our reports from e-mail, archives and USB keys, often offline. A report
is therefore one file that loads nothing and runs nothing of its own:

* code is hidden: only markdown narrative and cell outputs are written;
* a notebook with an error output is refused (a failed run is not published), and
  stderr streams (warnings, progress bars) are dropped;
* figures are PNG ``data:`` URIs, tables are HTML, maps are iframes whose ``srcdoc``
  is the offline page of :func:`tlresearch.viz.standalone_html.render_html` (Leaflet inlined);
  notebooks show a map with :func:`show_map`, a table with :func:`table_download`;
* the page itself has no ``<script>``: the only scripts are the maps', inside their
  ``srcdoc`` attribute, where the browser runs them in the frame;
* :func:`render_report` refuses a page that names a network resource
  (:func:`tlresearch.viz.standalone_html.network_references`), has a ``<script>`` of its own, an
  event-handler attribute or a ``javascript:`` URL.

Markdown cells may contain raw HTML; it is sanitised (:data:`MARKDOWN_TAGS`): any
other tag shows as text. Notebooks must still never interpolate data (place names,
free answers) into markdown: write them in tables, which pandas escapes.

Rendering is a pure function of the notebook, the title and the provenance (whose
``run_date`` gives the page's date), so the same inputs give byte-identical HTML.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import numbers
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import quote

from tlresearch.core.errors import TLResearchError
from tlresearch.core.formats import MISSING, format_count, format_date, format_number, is_missing
from tlresearch.viz.standalone_html import network_references

if TYPE_CHECKING:
    import folium
    import nbformat
    import pandas as pd

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

#: Labels of the provenance footer, in the order they are shown.
PROVENANCE_LABELS = {
    "data_hash": "Empreinte des données (SHA-256)",
    "waves": "Vagues d'enquête",
    "parameters": "Paramètres",
    "version": "Version de tlresearch",
    "run_date": "Date d'exécution",
}

#: Preferred output formats, best first (matplotlib gives PNG and text/plain: PNG wins).
_MIME_ORDER = ("text/html", "image/png", "image/jpeg", "text/markdown", "text/plain")


class ReportError(TLResearchError):
    """A notebook cannot be published as it is (failed cell, unsafe or remote output)."""

    def __init__(self, message: str, cell_index: int | None = None):
        where = f"cell {cell_index}: " if cell_index is not None else ""
        super().__init__(where + message)
        self.cell_index = cell_index


# --------------------------------------------------------------------------- notebook helpers

@dataclass(frozen=True)
class HTMLBlock:
    """HTML that Jupyter displays (``_repr_html_``) and :func:`render_report` embeds."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _french_cell(value: Any) -> str:
    """A table cell the French way: ``1 234,5``; integers without decimals."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    number = float(value)
    if number.is_integer():
        return format_count(number)
    decimals = len(f"{number:.10g}".partition(".")[2].partition("e")[0])
    return format_number(number, min(decimals, 6))


def csv_data_uri(df: "pd.DataFrame") -> str:
    """The table as a ``data:text/csv`` URI for French Excel: UTF-8 with BOM, ``;``
    separator, decimal comma, every character percent-encoded (safe in an attribute)."""
    text = "\ufeff" + df.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return "data:text/csv;charset=utf-8," + quote(text, safe="")


def _safe_filename(filename: str) -> str:
    stem = unicodedata.normalize("NFKD", str(filename)).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "tableau"
    return stem if stem.lower().endswith(".csv") else stem + ".csv"


def table_download(df: "pd.DataFrame", filename: str, caption: str) -> HTMLBlock:
    """Show a published table with a « Télécharger (CSV) » link, in a notebook and its report.

    The table must already be published, i.e. have gone through statistical secrecy
    (:func:`tlresearch.secrecy.protection.protect_table`): the CSV holds exactly the cells shown.

    Parameters
    ----------
    df
        The protected table; its columns are the CSV header (the index is not written:
        ``reset_index()`` first if it carries labels).
    filename
        Name offered for the download (reduced to ``[A-Za-z0-9._-]``, ``.csv`` added).
    caption
        Title of the table, shown above it.

    Returns
    -------
    HTMLBlock
        Displayed by Jupyter as HTML; ``str()`` gives the HTML.

    Examples
    --------
    >>> import pandas as pd
    >>> block = table_download(pd.DataFrame({"Lieux": [12]}), "lieux.csv", "Lieux")
    >>> "Télécharger (CSV)" in str(block)
    True
    """
    table = df.to_html(index=False, escape=True, border=0, classes="tl-data", na_rep=MISSING,
                       formatters={c: _french_cell for c in df.columns})
    name = _safe_filename(filename)
    return HTMLBlock(
        f'<figure class="tl-table"><figcaption>{html.escape(str(caption))}</figcaption>\n'
        f"{table}\n"
        f'<p class="tl-download"><a download="{html.escape(name)}" '
        f'href="{csv_data_uri(df)}">Télécharger (CSV)</a></p></figure>')


def show_map(m: "folium.Map", height: int = 560) -> HTMLBlock:
    """Show a map offline in a notebook and in its report (not ``display(m)``).

    folium's own display loads Leaflet from CDNs, which :func:`render_report` refuses;
    this one embeds :func:`tlresearch.viz.standalone_html.render_html` in an iframe ``srcdoc``.
    """
    from tlresearch.viz.standalone_html import render_html

    page = render_html(m)
    # One escaping for the attribute: the frame receives the page unchanged. Quote with
    # whichever character is rarer in the page (JSON is full of double quotes); "<" is
    # escaped too so that no tag, not even inside an attribute, appears in the report.
    quote_char = "'" if page.count("'") < page.count('"') else '"'
    srcdoc = (page.replace("&", "&amp;").replace("<", "&lt;")
              .replace(quote_char, "&#39;" if quote_char == "'" else "&quot;"))
    title = html.escape(str(getattr(m, "tl_key", "carte")))
    return HTMLBlock(f'<iframe class="tl-map" title="Carte {title}" height="{int(height)}" '
                     f"srcdoc={quote_char}{srcdoc}{quote_char}></iframe>")


# --------------------------------------------------------------------------- checks

class _UnsafeFinder(HTMLParser):
    """Collects what would run in the page itself (attribute values are not parsed,
    so a map's scripts inside ``srcdoc`` are not seen: they run in their frame)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "object", "embed", "base", "meta", "link"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            elif name in {"href", "src", "action", "formaction"} and (
                    value.startswith(("javascript:", "vbscript:"))
                    or value.startswith("data:") and not value.startswith(("data:image/png",
                                                                           "data:image/jpeg",
                                                                           "data:text/csv"))):
                self.found.append(f"{tag} {name}={value[:20]}")

    handle_startendtag = handle_starttag


def unsafe_markup(fragment: str) -> list[str]:
    """Tags and attributes of ``fragment`` that could run code in the page."""
    finder = _UnsafeFinder()
    finder.feed(fragment)
    finder.close()
    return finder.found


# --------------------------------------------------------------------------- cells

def _markdown(source: str) -> str:
    import bleach
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune(source)
    # nbconvert's pilcrow links go: ids are set by _number_headings.
    rendered = re.sub(r'<a class="anchor-link" href="#[^"]*">&#182;</a>', "", rendered)
    return bleach.clean(rendered, tags=MARKDOWN_TAGS, attributes=_MARKDOWN_ATTRIBUTES,
                        protocols={"mailto"}, strip=False, strip_comments=True)


def _output_html(output: Mapping[str, Any], index: int) -> str:
    kind = output.get("output_type")
    if kind == "error":
        raise ReportError(f"the notebook failed ({output.get('ename')}); "
                          "a failed run is not published", index)
    if kind == "stream":
        if output.get("name") != "stdout":
            return ""  # warnings, logging, progress bars
        return f'<pre class="tl-stdout">{html.escape(output.get("text", ""))}</pre>'
    if kind not in {"display_data", "execute_result"}:
        return ""
    data = output.get("data", {})
    mime = next((m for m in _MIME_ORDER if m in data), None)
    if mime is None:
        return ""
    value = data[mime]
    value = "".join(value) if isinstance(value, list) else value
    if mime == "text/html":
        found = unsafe_markup(value)
        if found:
            raise ReportError(f"output would run code in the report: {sorted(set(found))}; "
                              "show maps with html_report.show_map", index)
        return f'<div class="tl-output">{value}</div>'
    if mime.startswith("image/"):
        payload = re.sub(r"\s+", "", value)
        base64.b64decode(payload, validate=True)  # refuse anything that is not base64
        alt = html.escape(_plain(data.get("text/plain", "")) or "Figure")
        return f'<figure class="tl-figure"><img alt="{alt}" src="data:{mime};base64,{payload}"></figure>'
    if mime == "text/markdown":
        return _markdown(value)
    return f'<pre class="tl-text">{html.escape(value)}</pre>'


def _plain(value: Any) -> str:
    text = "".join(value) if isinstance(value, list) else str(value)
    # matplotlib's "<Figure size 640x480 with 1 Axes>" says nothing to a reader.
    return "" if text.startswith("<") else text.strip()


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
    return f'<nav class="tl-toc" aria-label="Sommaire"><h2>Sommaire</h2>\n<ul>\n{items}\n</ul></nav>'


# --------------------------------------------------------------------------- provenance

def _provenance_value(key: str, value: Any) -> str:
    if key == "run_date" or isinstance(value, (_dt.date, _dt.datetime)):
        return html.escape(format_date(value))
    if isinstance(value, Mapping):
        if not value:
            return "aucun"
        return "<br>".join(f"<code>{html.escape(str(k))}</code> = {html.escape(str(v))}"
                           for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return html.escape(", ".join(map(str, items)))
    return html.escape(str(value))


def _provenance_html(provenance: Mapping[str, Any]) -> str:
    from tlresearch.core.version import __version__

    facts = {"version": __version__, **dict(provenance)}
    keys = [k for k in PROVENANCE_LABELS if k in facts] + [k for k in facts
                                                           if k not in PROVENANCE_LABELS]
    rows = "\n".join(f"<dt>{html.escape(PROVENANCE_LABELS.get(k, str(k)))}</dt>"
                     f"<dd>{_provenance_value(k, facts[k])}</dd>" for k in keys)
    return (f'<footer class="tl-provenance"><h2>Provenance</h2>\n<dl>\n{rows}\n</dl>\n'
            "<p>Tableaux soumis au secret statistique avant publication.</p></footer>")


# --------------------------------------------------------------------------- page

_CSS = """
body { font: 16px/1.5 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0 auto;
  max-width: 1100px; padding: 0 1.5em 2em; }
header h1 { margin-bottom: .2em; } .tl-date { color: #555; margin-top: 0; }
.tl-toc { background: #f4f4f4; padding: .5em 1.2em; border-radius: 4px; }
.tl-toc h2 { font-size: 1.1em; margin: .4em 0; } .tl-toc ul { margin: 0; padding-left: 1em; }
.tl-toc-2 { margin-left: 1em; } .tl-toc-3 { margin-left: 2em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .95em; }
th, td { border-bottom: 1px solid #ccc; padding: .25em .6em; text-align: left; }
td { font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figcaption { font-weight: bold; margin-bottom: .3em; }
img { max-width: 100%; height: auto; }
iframe.tl-map { width: 100%; border: 1px solid #ccc; }
pre { background: #f7f7f7; padding: .5em; overflow-x: auto; }
.tl-provenance { margin-top: 3em; border-top: 2px solid #ccc; font-size: .9em; color: #444; }
.tl-provenance dt { font-weight: bold; } .tl-provenance dd { margin: 0 0 .5em 1em;
  word-break: break-all; }
@media print { .tl-download, iframe.tl-map { display: none; } }
"""


def render_report(notebook: "nbformat.NotebookNode", *, title: str,
                  provenance: Mapping[str, Any], scope: str | None = None) -> str:
    """Turn an executed notebook into one self-contained HTML page in French.

    Parameters
    ----------
    notebook
        The executed notebook (nbclient / papermill output).
    title
        Title of the report (escaped).
    provenance
        Facts for the footer: ``data_hash``, ``waves``, ``parameters`` (dict),
        ``version`` (default: tlresearch's), ``run_date`` (date or ISO string; also the
        date under the title; today when absent, which makes the page vary by day).
        Other keys are shown under their own name.
    scope
        ``"region"`` or ``"departement"``: refuse a page above :data:`SIZE_LIMITS`.

    Returns
    -------
    str
        The page: ``<html lang="fr">``, a table of contents of the markdown headings,
        the outputs without code, the provenance footer.

    Raises
    ------
    ReportError
        A cell failed, an output would run code or reach the network, or the page is
        too large for its scope.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Bilan")])
    >>> page = render_report(nb, title="Bilan", provenance={"run_date": "2026-11-23"})
    >>> 'id="bilan"' in page and "23/11/2026" in page
    True
    """
    if scope is not None and scope not in SIZE_LIMITS:
        raise ReportError(f"unknown scope {scope!r}; choose one of {', '.join(SIZE_LIMITS)}")
    provenance = dict(provenance)
    provenance.setdefault("run_date", _dt.date.today())
    body = "\n".join(filter(None, (_cell_html(cell, i) for i, cell in enumerate(notebook.cells))))
    body, toc = _number_headings(body)
    found = unsafe_markup(body)
    if found:  # markdown is sanitised and outputs checked: this is a bug, not data
        raise ReportError(f"the page would run code: {sorted(set(found))}")
    page = (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{html.escape(title)}</h1>\n'
        f'<p class="tl-date">Rapport du {html.escape(format_date(provenance["run_date"]))}</p>'
        f"</header>\n{_toc_html(toc)}\n<main>\n{body}\n</main>\n"
        f"{_provenance_html(provenance)}\n</body>\n</html>\n")
    leftover = network_references(page)
    if leftover:
        raise ReportError(f"the report would load from the network: {sorted(set(leftover))}; "
                          "show maps with html_report.show_map, not folium's display")
    size = len(page.encode("utf-8"))
    if scope is not None and size >= SIZE_LIMITS[scope]:
        raise ReportError(f"{scope} report is {size} bytes, above {SIZE_LIMITS[scope]}")
    return page


def write_report(html_text: str, path: str | Path) -> Path:
    """Write a rendered report atomically (:func:`tlresearch.core.storage.atomic_write_text`)."""
    from tlresearch.core.storage import atomic_write_text

    path = Path(path)
    atomic_write_text(path, html_text)
    return path
