"""A map on a page: the offline interactive map and, under it, the table of what it shows.

Kept apart from :mod:`tlresearch.report.blocks` (what any block is) because the map's
table is a published table (:mod:`tlresearch.report.tables`), which is itself a block:
this module uses both, and neither uses it.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from tlresearch.report.blocks import HTMLBlock
from tlresearch.report.tables import publish_table

if TYPE_CHECKING:
    import folium


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
    table = getattr(m, "tl_table", None)
    if not table:
        return ""
    args = dict(table)
    block = publish_table(args.pop("frame"), year=year, **args)
    return (f'<details class="tl-map-data"><summary>Données de la carte : '
            f'{html.escape(table["caption"])}</summary>{block}</details>')


__all__ = ["show_map", "map_table"]
