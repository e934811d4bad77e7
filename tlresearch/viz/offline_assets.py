"""Leaflet and its plugins read from installed packages, ready to inline in a page.

Partners open maps with no network: the JavaScript and CSS come from the files that
``django-leaflet`` and ``xstatic-leaflet-markercluster`` ship, never from a CDN.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources, util
from pathlib import Path

from tlresearch.core.errors import TLResearchError

#: A URL that a browser would fetch, or that an auditor would flag: any scheme-qualified
#: or protocol-relative address, a CSS import, or a CSS url() that is not data:/#.
NETWORK_REFERENCE = re.compile(
    r"(?:https?|ftp|wss?)://"
    r"|(?:src|href|action|poster)\s*=\s*[\"']?\s*//"
    r"|//cdn"
    r"|@import"
    r"|sourceMappingURL"
    r"|(?-i:(?<![\w$.-])url)\(\s*[\"']?(?!data:|#|[\"']?\))",
    re.IGNORECASE,
)


class OfflineError(TLResearchError):
    """A map cannot be made self-contained (missing package, unknown plugin, leftover URL)."""


#: Distribution (pip name) and folder of each inlined library, for error messages.
LEAFLET_SOURCE = ("django-leaflet", "leaflet/static/leaflet")
MARKERCLUSTER_SOURCE = ("xstatic-leaflet-markercluster", "xstatic/pkg/leaflet_markercluster/data")

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
    if closing in asset.text.lower() or NETWORK_REFERENCE.search(asset.text):
        found = NETWORK_REFERENCE.search(asset.text)
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
PROVIDERS = {"leaflet": _leaflet_assets, "leaflet_css": _leaflet_assets,
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
    return next(a for a in PROVIDERS[name]() if a.name == name)


def inline_assets() -> dict[str, Asset]:
    """Every library file a map may need, by folium's resource name (see
    :func:`inline_asset`): Leaflet from ``django-leaflet``
    (``leaflet/static/leaflet/leaflet.js``, ``leaflet.css``), Leaflet.markercluster
    from ``xstatic-leaflet-markercluster`` (``data/leaflet.markercluster.js``,
    ``MarkerCluster.css``, ``MarkerCluster.Default.css``)."""
    return {name: inline_asset(name) for name in PROVIDERS}
