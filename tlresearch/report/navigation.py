"""The way around a published site: from any page to the index, to the same territory's
other waves, to the same wave's other territories, and to the method page.

Pages are published one by one and only when their inputs change, so a page cannot
list its siblings (a new wave would leave last year's pages without a link to it). It
links instead to anchors of the index, which is rebuilt at every run from what is
online: ``#territoire-<region>-<code>`` (the row of a territory, every wave) and
``#vague-<year>`` (the column of a wave). Links are relative, so the site works from
any folder, a USB key included.
"""
from __future__ import annotations

from html import escape
from pathlib import PurePosixPath

#: The method page, at the root of the site beside the index.
METHOD_PAGE = "methode.html"
INDEX_PAGE = "index.html"


def territory_anchor(region: str, territory: str) -> str:
    """Id of a territory's row in the index.

    Examples
    --------
    >>> territory_anchor("75", "23")
    'territoire-75-23'
    """
    return f"territoire-{region}-{territory}"


def wave_anchor(year: int | str) -> str:
    """Id of a wave's column in the index (``vague-2025``)."""
    return f"vague-{int(year)}"


def to_root(page: str) -> str:
    """The relative path from a page of the site to the site's root folder.

    Examples
    --------
    >>> to_root("2025/23/40-panorama.html"), to_root("index.html")
    ('../../', '')
    """
    return "../" * (len(PurePosixPath(page).parts) - 1)


def page_navigation(page: str, *, year: int | str | None, territory: str | None,
                    region: str | None, territory_name: str | None = None) -> str:
    """The ``<nav>`` at the top of a published page (escaped, relative links)."""
    root = to_root(page)
    links = [f'<a href="{root}{INDEX_PAGE}">Tous les rapports</a>']
    if territory and region:
        name = territory_name or territory
        links.append(f'<a href="{root}{INDEX_PAGE}#{escape(territory_anchor(region, territory))}">'
                     f"{escape(name)} : les autres vagues</a>")
    if year is not None:
        links.append(f'<a href="{root}{INDEX_PAGE}#{wave_anchor(year)}">{int(year)} : les autres '
                     "territoires</a>")
    links.append(f'<a href="{root}{METHOD_PAGE}">Méthode</a>')
    return ('<nav class="tl-nav" aria-label="Navigation du site">'
            + " · ".join(links) + "</nav>")


__all__ = ["page_navigation", "territory_anchor", "wave_anchor", "to_root", "METHOD_PAGE",
           "INDEX_PAGE"]
