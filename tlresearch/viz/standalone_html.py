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

import base64
import hashlib
import html
import itertools
import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources, util
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from tlresearch.core.errors import TLResearchError

if TYPE_CHECKING:
    import folium

#: Distribution (pip name) and folder of each inlined library, for error messages.
LEAFLET_SOURCE = ("django-leaflet", "leaflet/static/leaflet")
MARKERCLUSTER_SOURCE = ("xstatic-leaflet-markercluster", "xstatic/pkg/leaflet_markercluster/data")

#: folium's resource names that our maps do not need (icon fonts, jQuery, Bootstrap).
#: They are dropped rather than inlined: ~400 kB that no element of ours uses.
DROPPED_ASSETS = frozenset({
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})

#: A URL that a browser would fetch, or that an auditor would flag: any scheme-qualified
#: or protocol-relative address, a CSS import, or a CSS url() that is not data:/#.
_NETWORK = re.compile(
    r"(?:https?|ftp|wss?)://"
    r"|(?:src|href|action|poster)\s*=\s*[\"']?\s*//"
    r"|//cdn"
    r"|@import"
    r"|sourceMappingURL"
    r"|(?-i:(?<![\w$.-])url)\(\s*[\"']?(?!data:|#|[\"']?\))",
    re.IGNORECASE,
)

#: The single network reference an optional OpenStreetMap layer adds (off by default).
OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


class OfflineError(TLResearchError):
    """A map cannot be made self-contained (missing package, unknown plugin, leftover URL)."""


# --------------------------------------------------------------------------- escaping

_NEUTRALISE = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;",
                             "\u2028": " ", "\u2029": " "})


def escape_text(value: object) -> str:
    """Make a string from data safe for every context folium may put it in.

    folium writes popup and tooltip HTML inside JavaScript strings, some of them
    backtick template literals, inside a ``<script>`` block of an HTML page; and it
    renders each element's output a second time as a Jinja template (branca's
    ``Element(template=...)``), so ``{{ ... }}`` in a name would be *evaluated in
    Python* while the page is built. A name must show as text everywhere and run
    nothing, so:

    * ``html.escape`` turns ``< > & " '`` into entities (no tag, no attribute break-out,
      hence no ``</script``);
    * `````` ` `````` and ``$`` become ``&#96;`` / ``&#36;``: no template literal can be closed
      and no ``${...}`` evaluated, and the browser still shows the characters;
    * ``{`` and ``}`` become ``&#123;`` / ``&#125;``: no Jinja ``{{``, ``{%`` or ``{#``;
    * U+2028/U+2029 (line terminators inside JS strings in old engines) become spaces.

    Missing values (None, NA, NaN) give an empty string.

    Examples
    --------
    >>> escape_text("Le Hangar ${alert(1)}")
    'Le Hangar &#36;&#123;alert(1)&#125;'
    >>> escape_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_text("{{ 7*7 }}")
    '&#123;&#123; 7*7 &#125;&#125;'
    """
    if value is None:
        return ""
    try:
        if value != value:  # NaN, pd.NA raises TypeError below
            return ""
    except TypeError:
        return ""
    return html.escape(str(value), quote=True).translate(_NEUTRALISE)


def script_json(value: object) -> str:
    """JSON for inclusion in a ``<script>`` block rendered by folium.

    The result is a JavaScript literal with the same value. ``< > &`` and U+2028/9
    become ``\\u`` escapes so that ``</script>`` or ``<!--`` cannot end the block, and
    a ``{`` that starts a Jinja tag (``{{``, ``{%``, ``{#``, which in JSON can only
    occur inside a string) becomes ``\\u007b`` for folium's second rendering.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return re.sub(r"\{(?=[{%#])", r"\\u007b", text)


# --------------------------------------------------------------------------- assets

@dataclass(frozen=True)
class Asset:
    """One inlined library file: what it is, where it came from, and its text."""

    name: str      # folium's resource name (``leaflet``, ``markerclusterjs``...)
    kind: str      # "js" or "css"
    source: str    # distribution and path, for provenance and error messages
    text: str

    def tag(self) -> str:
        # Inline text never contains "</script" or "</style": checked in _load().
        if self.kind == "js":
            return f"<script>/* {self.source} */\n{self.text}\n</script>"
        return f"<style>/* {self.source} */\n{self.text}\n</style>"


def _package_dir(module: str, distribution: str) -> Path:
    """Folder of an installed package, found without importing it.

    django-leaflet's ``leaflet/__init__`` imports Django settings, so
    ``importlib.resources.files("leaflet")`` would fail outside a Django project;
    ``find_spec`` only locates the package.
    """
    try:
        spec = util.find_spec(module)
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise OfflineError(f"package {distribution!r} is not installed; "
                           f"install it (pip install {distribution}) to build offline maps")
    return Path(next(iter(spec.submodule_search_locations)))


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


#: Namespace URIs and a credit link inside Leaflet's source: identifiers, never fetched.
#: Written with ``\/`` (the same string value in JavaScript) so that the page holds no
#: URL at all and a plain search for "http" finds nothing to explain.
_IDENTIFIER_URLS = ("http://www.w3.org/2000/svg", "https://leafletjs.com")


def _prepare_js(js: str) -> str:
    """Drop the source-map comment (developer tools would fetch the .map file) and
    neutralise identifier URLs (see :data:`_IDENTIFIER_URLS`)."""
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.MULTILINE).rstrip()
    for url in _IDENTIFIER_URLS:
        js = js.replace(url, url.replace("/", "\\/"))
    return js


def _check_inline(asset: Asset) -> Asset:
    closing = "</script" if asset.kind == "js" else "</style"
    if closing in asset.text.lower() or _NETWORK.search(asset.text):
        found = _NETWORK.search(asset.text)
        raise OfflineError(f"{asset.source}: cannot be inlined as it is "
                           f"({found.group(0) if found else closing!r} inside)")
    return asset


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[Asset, ...]:
    """Leaflet 1.9.3 from django-leaflet: ``leaflet.js`` and ``leaflet.css`` (whose
    three PNG images become data: URIs)."""
    dist, rel = LEAFLET_SOURCE
    folder = _package_dir("leaflet", dist) / "static" / "leaflet"
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    for image in ("layers.png", "layers-2x.png", "marker-icon.png"):
        css = css.replace(f"url(images/{image})", f"url({_data_uri(folder / 'images' / image)})")
    # Comments (one cites a bug tracker URL) and an old-IE behaviour hook go, so that
    # every url() left is a data: URI.
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = css.replace("behavior: url(#default#VML);", "")
    js = _prepare_js((folder / "leaflet.js").read_text(encoding="utf-8"))
    return (_check_inline(Asset("leaflet", "js", f"{dist}: {rel}/leaflet.js", js)),
            _check_inline(Asset("leaflet_css", "css", f"{dist}: {rel}/leaflet.css", css)))


@lru_cache(maxsize=1)
def _markercluster_assets() -> tuple[Asset, ...]:
    """Leaflet.markercluster 1.4.1 from xstatic-leaflet-markercluster."""
    dist, rel = MARKERCLUSTER_SOURCE
    _package_dir("xstatic.pkg.leaflet_markercluster", dist)
    folder = resources.files("xstatic.pkg.leaflet_markercluster") / "data"
    files = [("markerclusterjs", "js", "leaflet.markercluster.js"),
             ("markerclustercss", "css", "MarkerCluster.css"),
             ("markerclusterdefaultcss", "css", "MarkerCluster.Default.css")]
    out = []
    for name, kind, file in files:
        text = (folder / file).read_text(encoding="utf-8")
        text = _prepare_js(text) if kind == "js" else text
        out.append(_check_inline(Asset(name, kind, f"{dist}: {rel}/{file}", text)))
    return tuple(out)


#: folium's resource names we can inline, and what provides each. A map loads only
#: the packages it needs: a choropleth works without the marker-cluster package.
_PROVIDERS = {"leaflet": _leaflet_assets, "leaflet_css": _leaflet_assets,
              "markerclusterjs": _markercluster_assets,
              "markerclustercss": _markercluster_assets,
              "markerclusterdefaultcss": _markercluster_assets}


def inline_asset(name: str) -> Asset:
    """One library file by folium's resource name, read from its package, ready to inline.

    Raises
    ------
    OfflineError
        When its package is missing or the file would still reach the network.
    """
    return next(a for a in _PROVIDERS[name]() if a.name == name)


def inline_assets() -> dict[str, Asset]:
    """Every library file a map may need, by folium's resource name (see
    :func:`inline_asset`): Leaflet from ``django-leaflet``
    (``leaflet/static/leaflet/leaflet.js``, ``leaflet.css``), Leaflet.markercluster
    from ``xstatic-leaflet-markercluster`` (``data/leaflet.markercluster.js``,
    ``MarkerCluster.css``, ``MarkerCluster.Default.css``)."""
    return {name: inline_asset(name) for name in _PROVIDERS}


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
            if name in _PROVIDERS:
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


#: Inline ``data:`` URIs (base64 images, CSV downloads): their bytes are content, not
#: addresses, and base64 text can spell "//cdn" by chance.
_DATA_URI = re.compile(r"data:[\w/+.-]+(?:;[\w=.-]+)*,[^\s\"')<>]*", re.IGNORECASE)


def network_references(page: str) -> list[str]:
    """Every substring of ``page`` that would reach, or looks like it reaches, the network.

    The contents of ``data:`` URIs are skipped: they are inline bytes, not addresses.
    """
    return [m.group(0) for m in _NETWORK.finditer(_DATA_URI.sub("data:", page))]


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
    page = page.replace("<html>", '<html lang="fr">', 1)
    scanned = page
    for allowed in allow:
        scanned = scanned.replace(allowed, "")
    leftover = network_references(scanned)
    if leftover:
        raise OfflineError(f"the map would load from the network: {sorted(set(leftover))}")
    return page


def save_map(m: "folium.Map", path: str | Path, key: str | None = None) -> Path:
    """Write a map as one self-contained HTML file, atomically.

    Parameters
    ----------
    key
        Id salt (see :func:`render_html`); defaults to the key the map was built with
        (``m.tl_key``), else the file name.
    """
    from tlresearch.core.storage import atomic_write_bytes

    path = Path(path)
    page = render_html(m, key=key or getattr(m, "tl_key", None) or path.stem)
    atomic_write_bytes(path, page.encode("utf-8"))
    return path
