"""What a notebook shows in a published page: a block of HTML the renderer accepts.

Jupyter displays an object with ``_repr_html_``; :func:`tlresearch.report.renderer.render_report`
publishes only outputs that are one of these blocks (a table, a figure, key
figures, a map (:mod:`tlresearch.report.map_block`), a banner), each marked with a
``data-tl-block`` attribute: a bare
string, a tuple or a DataFrame left as the last line of a cell is refused, so no
stray output reaches a reader.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


__all__ = ["HTMLBlock", "notice", "figure_block", "BLOCK_KINDS"]
