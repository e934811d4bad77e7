"""Self-contained, safe HTML for folium maps: inline assets, no network, stable ids.

Partners open our maps from e-mail, archives and USB keys, often with no network and
sometimes behind a gateway that strips remote scripts. A map is therefore written as
one HTML file that loads nothing: Leaflet's JS and CSS come from the files that
``django-leaflet`` ships, the marker-cluster plugin from ``xstatic-leaflet-markercluster``,
both read from the installed packages and inlined in ``<script>``/``<style>`` tags.
folium's default CDN links (jQuery, Bootstrap, Font Awesome, awesome-markers) are not
needed by our maps and are dropped. :func:`render_html` refuses to return a page that
still names a network resource.

Three more guarantees live here because they concern the HTML as a whole:

* :func:`escape_text` makes any string from data safe to put in folium's templates
  (HTML, JS strings, JS template literals, ``<script>`` blocks);
* element ids are derived from the map's key and the order of its elements, so the
  same data give byte-identical HTML (reruns can be detected by hashing);
* :func:`save_map` writes atomically (:func:`tlresearch.core.storage.atomic_write_bytes`).
"""
from __future__ import annotations

import hashlib
import itertools
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from tlresearch.core.storage import atomic_write_bytes
from tlresearch.viz.network_check import describe, network_loads
from tlresearch.viz.offline_assets import PROVIDERS, OfflineError, inline_asset

if TYPE_CHECKING:
    import folium

#: folium's resource names that our maps do not need (icon fonts, jQuery, Bootstrap).
#: They are dropped rather than inlined: ~400 kB that no element of ours uses.
DROPPED_ASSETS = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})

#: The single network reference an optional OpenStreetMap layer adds (off by default).
OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"



# --------------------------------------------------------------------------- the tree

def _elements(root) -> Iterator[object]:
    """Every element under ``root``, depth first in insertion order (deterministic)."""
    from branca.element import Element

    stack = [root]
    seen: set[int] = set()
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        yield element
        # header/html/script of Figure and Popup are elements outside _children.
        extra = [getattr(element, a, None) for a in ("header", "html", "script")]
        children = list(element._children.values()) + [e for e in extra if isinstance(e, Element)]
        stack.extend(reversed(children))


@lru_cache(maxsize=1)
def _raw_element_class():
    from branca.element import Element

    class RawElement(Element):
        """Text written to the page as it is: branca would compile it as a Jinja
        template (slow for 150 kB of Leaflet, and wrong if it held ``{{``)."""

        def __init__(self, text: str):
            super().__init__()
            self._name = "RawElement"
            self.text = text

        def render(self, **kwargs) -> str:
            return self.text

    return RawElement


def raw_element(text: str):
    """A branca element that renders ``text`` verbatim (no Jinja pass)."""
    return _raw_element_class()(text)


def _inline_libraries(figure) -> None:
    """Replace every CDN link folium would add by the inlined file, or drop it."""
    from folium.elements import JSCSSMixin

    wanted: list[str] = []
    for element in list(_elements(figure)):
        if not isinstance(element, JSCSSMixin):
            continue
        for name, url in [*element.default_js, *element.default_css]:
            if name in PROVIDERS:
                wanted.append(name)
            elif name not in DROPPED_ASSETS:
                raise OfflineError(
                    f"{type(element).__name__} needs {url}, which has no offline copy; "
                    "use another element or add its files to tlresearch.viz.standalone_html")
        # Per instance: the class attribute (shared by every map) stays untouched.
        element.default_js = []
        element.default_css = []
    if wanted:
        # Leaflet first (the plugin extends it), then in the order elements asked.
        order = ["leaflet", "leaflet_css", *[n for n in dict.fromkeys(wanted)]]
        for name in dict.fromkeys(order):
            figure.header.add_child(raw_element(inline_asset(name).tag()), name=f"inline_{name}")


_ID_LOCK = threading.Lock()


def _stable_ids(figure, key: str) -> Iterator[str]:
    """Give every element an id derived from ``key`` and its rank in the tree.

    folium draws ``_id`` from os.urandom, and uses ``get_name()`` both in the page (JS
    variables, div ids) and as the key of children dicts. We rename in two passes so
    those keys follow, and return the generator that numbers elements created later,
    during rendering.
    """
    salt = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    ids = (f"{salt}{n:05x}" for n in itertools.count(1))
    elements = list(_elements(figure))
    old_names = {id(e): e.get_name() for e in elements}
    for element in elements:
        element._id = next(ids)
    for element in elements:
        element._children = type(element._children)(
            (child.get_name() if name == old_names.get(id(child)) else name, child)
            for name, child in element._children.items()
        )
    return ids


def network_references(page: str) -> list[str]:
    """Every address ``page`` would fetch from the network (none for a publishable page).

    Only what loads counts (attributes, CSS, scripts' own addresses: see
    :mod:`tlresearch.viz.network_check`); a URL in a place name is text. Callers that
    refuse a page name where the load is with :func:`network_loads` and ``describe``.

    Examples
    --------
    >>> network_references("<td>La Ruche, voir https://www.exemple.fr</td>")
    []
    >>> network_references('<script src="//cdn.example/x.js"></script>')
    ['//cdn.example/x.js']
    """
    return [load.url for load in network_loads(page)]


def _snapshot(figure) -> list[tuple]:
    """What rendering changes in the tree, to put it back afterwards.

    folium's render adds children (``addTo`` calls, styles) on every call, so a map
    rendered twice would repeat them; we render, then restore, so that rendering is
    a pure function of the map.
    """
    saved = []
    for element in _elements(figure):
        state = element.__dict__
        saved.append((element, element._id, type(element._children)(element._children),
                      {a: state[a] for a in ("default_js", "default_css") if a in state}))
    return saved


def _restore(saved: list[tuple]) -> None:
    for element, old_id, children, links in saved:
        element._id = old_id
        element._children = children
        for attribute in ("default_js", "default_css"):
            element.__dict__.pop(attribute, None)
        element.__dict__.update(links)


_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
#: Hidden from the eye, read by a screen reader (the map's title is in its legend too).
_VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;"
                    "clip:rect(0 0 0 0);white-space:nowrap;border:0")


def accessible_page(page: str) -> str:
    """folium's page made to pass axe-core: zoom allowed (no ``user-scalable=no``), one
    ``<h1>`` (the map's title, already escaped in ``<title>``) and every control inside a
    ``<main>`` landmark."""
    page = _VIEWPORT.sub('<meta name="viewport" content="width=device-width, '
                         'initial-scale=1.0">', page, count=1)
    found = _TITLE.search(page)
    title = found.group(1).strip() if found and found.group(1).strip() else "Carte"
    head, body_tag, rest = page.partition("<body>")
    if not body_tag:
        return page
    body, end_tag, tail = rest.rpartition("</body>")
    return (f'{head}<body>\n<main style="height:100%"><h1 style="{_VISUALLY_HIDDEN}">{title}'
            f"</h1>{body}</main>{end_tag}{tail}")


def render_html(m: "folium.Map", key: str | None = None,
                allow: tuple[str, ...] | None = None) -> str:
    """Render a folium map as a self-contained, deterministic HTML page in French.

    Rendering leaves the map as it was: it can be rendered again, with the same result.

    Parameters
    ----------
    m
        The map (its root figure is rendered).
    key
        Distinguishes the ids of two maps that could share a page; the same key and the
        same map give byte-identical HTML. Default: the key the builder gave the map
        (``m.tl_key``), else ``"carte"``.
    allow
        Network references that the caller knowingly keeps; default ``m.tl_allow``,
        which the builders set to :data:`OSM_TILES_URL` only when the optional tiles
        layer was asked for.

    Raises
    ------
    OfflineError
        When the page would still load something from the network.
    """
    from branca.element import Element

    key = key or getattr(m, "tl_key", None) or "carte"
    allow = getattr(m, "tl_allow", ()) if allow is None else allow
    figure = m.get_root()
    with _ID_LOCK:
        saved = _snapshot(figure)
        original = Element.__dict__["_generate_id"]
        try:
            _inline_libraries(figure)
            ids = _stable_ids(figure, key)
            # Elements folium creates while rendering take ids from the same sequence.
            Element._generate_id = classmethod(lambda cls: next(ids))
            page = figure.render()
        finally:
            Element._generate_id = original
            _restore(saved)
    page = accessible_page(page.replace("<html>", '<html lang="fr">', 1))
    scanned = page
    for allowed in allow:
        scanned = scanned.replace(allowed, "")
    leftover = network_loads(scanned, f"map « {key} »")
    if leftover:
        raise OfflineError(f"the map would load from the network: {describe(leftover)}")
    return page


def save_map(m: "folium.Map", path: str | Path, key: str | None = None) -> Path:
    """Write a map as one self-contained HTML file, atomically.

    Parameters
    ----------
    key
        Id salt (see :func:`render_html`); defaults to the key the map was built with
        (``m.tl_key``), else the file name.
    """

    path = Path(path)
    page = render_html(m, key=key or getattr(m, "tl_key", None) or path.stem)
    atomic_write_bytes(path, page.encode("utf-8"))
    return path
