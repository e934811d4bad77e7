"""What a notebook shows in a published page: a block of HTML the renderer accepts.

Jupyter displays an object with ``_repr_html_``; :func:`tlresearch.report.renderer.render_report`
publishes only outputs that are one of these blocks (a table, a figure, key
figures, a map, a banner), each marked with a ``data-tl-block`` attribute: a bare
string, a tuple or a DataFrame left as the last line of a cell is refused, so no
stray output reaches a reader.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

#: Kinds of block a page may show (value of ``data-tl-block``).
BLOCK_KINDS = ("table", "figure", "key-figures", "map", "banner", "notice", "link", "essentials")


@dataclass(frozen=True)
class HTMLBlock:
    """HTML that Jupyter displays (``_repr_html_``) and :func:`render_report` embeds."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def notice(text: str) -> HTMLBlock:
    """A sentence for the reader in a box (e.g. « Aucun lieu n'a répondu ... »), escaped."""
    return HTMLBlock(f'<p class="tl-notice" data-tl-block="notice">{html.escape(text)}</p>')


def figure_block(figure: "Figure", alt: str, *, print_only: bool = False,
                 screen_only: bool = False) -> HTMLBlock:
    """A matplotlib figure as an ``<img>`` with its French alternative text.

    ``print_only`` shows it in the PDF only (the static twin of an interactive map),
    ``screen_only`` on screen only.
    """
    from tlresearch.viz.figures import figure_bytes

    payload = base64.b64encode(figure_bytes(figure, "png")).decode("ascii")
    css = "tl-figure" + (" tl-print-only" if print_only else "") + (
        " tl-screen-only" if screen_only else "")
    return HTMLBlock(f'<figure class="{css}" data-tl-block="figure">'
                     f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{payload}">'
                     "</figure>")


def show_map(m: "folium.Map", height: int = 560, year: int | str | None = None) -> HTMLBlock:
    """Show a map offline in a notebook and in its report (not ``display(m)``).

    folium's own display loads Leaflet from CDNs, which :func:`render_report` refuses;
    this one embeds :func:`tlresearch.viz.standalone_html.render_html` in an iframe ``srcdoc``,
    titled with the map's title and followed by the table of what it shows
    (:func:`map_table`; ``year`` for its source line).
    """
    from tlresearch.viz.standalone_html import render_html

    page = render_html(m)
    # One escaping for the attribute: the frame receives the page unchanged. Quote with
    # whichever character is rarer in the page (JSON is full of double quotes); "<" is
    # escaped too so that no tag, not even inside an attribute, appears in the report.
    quote_char = "'" if page.count("'") < page.count('"') else '"'
    srcdoc = (page.replace("&", "&amp;").replace("<", "&lt;")
              .replace(quote_char, "&#39;" if quote_char == "'" else "&quot;"))
    name = html.unescape(getattr(m.get_root(), "title", "") or "") or str(
        getattr(m, "tl_key", "carte"))
    frame = (f'<iframe class="tl-map" data-tl-block="map" title="Carte : {html.escape(name)}" '
             f'height="{int(height)}" srcdoc={quote_char}{srcdoc}{quote_char}></iframe>')
    return HTMLBlock(frame + map_table(m, year))


def map_table(m: "folium.Map", year: int | str | None = None) -> str:
    """The table of what the map shows (``m.tl_table``, set by :mod:`tlresearch.viz.maps`),
    under the map, in a ``<details>`` the reader opens; empty for a map without one."""
    from tlresearch.report.tables import publish_table

    table = getattr(m, "tl_table", None)
    if not table:
        return ""
    args = dict(table)
    block = publish_table(args.pop("frame"), year=year, **args)
    return (f'<details class="tl-map-data"><summary>Données de la carte : '
            f'{html.escape(table["caption"])}</summary>{block}</details>')


__all__ = ["HTMLBlock", "notice", "figure_block", "show_map", "BLOCK_KINDS"]
