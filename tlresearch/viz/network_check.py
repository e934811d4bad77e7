"""What a page would load from the network, looked for where loads happen, not in text.

A place name may read "voir https://www.exemple.fr": shown as text it loads nothing, and
it must not stop its page. A search of the whole page for ``https://`` cannot tell the
two apart, so this module reads the page as a browser does and looks only where a load
can start:

* attributes that fetch (``src``, ``href``, ``srcset``, ``poster``, ``action`` …, a meta
  refresh), and an iframe's ``srcdoc`` as a page of its own (our maps live there);
* CSS ``url()``, ``image-set()`` and ``@import``, in ``<style>`` and ``style=""``;
* scripts: a string literal that *is* an address (``L.tileLayer("https://…")``), CSS it
  hands to the page, and markup it hands to the page (a popup's HTML is read in turn);
  text inside a literal ("La Ruche, voir https://…") is data, not a load. A source-map
  comment is a load too (developer tools fetch it).

Each load carries where it is: the table, column and row of a published table, or the
map, script, variable and feature, so that a refused page says what to fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

#: Attributes whose value the browser fetches (``srcset`` lists are split apart).
LOADING_ATTRIBUTES = frozenset({
    "src", "href", "poster", "action", "formaction", "data", "background", "manifest",
    "ping", "xlink:href", "codebase", "archive", "lowsrc", "dynsrc", "icon",
})
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})

#: Schemes a browser fetches even without ``//`` (``https:evil.example`` loads).
FETCHING_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})

#: Addresses that name an XML vocabulary and are never fetched (Leaflet's SVG).
NAMESPACES = frozenset({"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml",
                        "http://www.w3.org/1999/xlink", "http://www.w3.org/2000/xmlns/",
                        "http://www.w3.org/XML/1998/namespace"})

#: A link (``<a href>``, ``<area href>``) loads nothing until a reader follows it.
NAVIGATION = frozenset({("a", "href"), ("area", "href")})

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):(//)?")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s*["']([^"']*)""", re.IGNORECASE)  # url() is found apart
_CSS_IMAGE_SET = re.compile(r"""image-set\(([^)]*)\)""", re.IGNORECASE)
_CSS_QUOTED = re.compile(r""""([^"]*)"|'([^']*)'""")
_META_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.IGNORECASE)


@dataclass(frozen=True)
class NetworkLoad:
    """One address the page would fetch, and where in the page it is."""

    url: str
    where: str

    def __str__(self) -> str:
        return f"{self.url} ({self.where})"


def is_network(value: str) -> bool:
    """Whether a URL would be fetched from another machine.

    Browsers drop tabs, newlines and spaces around a URL and read ``\\`` as ``/``;
    the check does the same so that ``/\\evil.example`` or ``ht<TAB>tps:`` are caught.

    Examples
    --------
    >>> [is_network(u) for u in ("https://a.fr/x.js", "//cdn.x/y", "img/a.png", "data:,x")]
    [True, True, False, False]
    >>> [is_network(u) for u in ("https:evil.fr", "EPSG:3857", "http://www.w3.org/2000/svg")]
    [True, False, False]
    """
    url = _IGNORED_IN_URL.sub("", value).replace("\\", "/")
    if url.startswith("//"):
        return True
    scheme = _SCHEME.match(url)
    if not scheme or url in NAMESPACES:
        return False  # relative, or "EPSG:3857", "mailto:", "data:", "javascript:"
    return scheme.group(1).lower() in FETCHING_SCHEMES or scheme.group(2) is not None


def css_loads(css: str) -> list[str]:
    """Network addresses a style sheet or a ``style`` attribute would fetch.

    Examples
    --------
    >>> css_loads("a { background: url('https://x.fr/a.png') } b { color: red }")
    ['https://x.fr/a.png']
    >>> css_loads("@import 'https://x.fr/a.css'; p { background: url(data:image/png,AA) }")
    ['https://x.fr/a.css']
    """
    css = _CSS_COMMENT.sub("", css)
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(css)]
    found += [m.group(1) for m in _CSS_IMPORT.finditer(css)]
    for image_set in _CSS_IMAGE_SET.finditer(css):
        found += [a or b for a, b in _CSS_QUOTED.findall(image_set.group(1))]
    return [url.strip() for url in found if is_network(url)]


def network_loads(page: str, where: str = "") -> list[NetworkLoad]:
    """Every network load of an HTML page (or fragment), with where it is.

    Examples
    --------
    >>> network_loads('<p>La Ruche, voir https://www.exemple.fr</p>')
    []
    >>> [str(x) for x in network_loads('<img src="https://x.fr/a.png">')]
    ['https://x.fr/a.png (<img src>)']
    """
    finder = _LoadFinder(where)
    finder.feed(page)
    finder.close()
    return finder.found


def describe(loads: list[NetworkLoad], limit: int = 3) -> str:
    """One line naming the first loads and where they are, for an error message."""
    shown = "; ".join(str(load) for load in loads[:limit])
    more = f"; and {len(loads) - limit} more" if len(loads) > limit else ""
    return shown + more


# --------------------------------------------------------------------------- HTML


@dataclass
class _Table:
    caption: str = ""
    headers: list[str] | None = None
    in_head: bool = False
    row: int = 0
    column: int = -1
    stub: str = ""

    def where(self) -> str:
        headers = self.headers or []
        column = headers[self.column] if 0 <= self.column < len(headers) else str(self.column + 1)
        return (f"table « {self.caption.strip() or 'sans titre'} », column « {column.strip()} », "
                f"row {self.row}" + (f" « {self.stub.strip()} »" if self.stub.strip() else ""))


class _LoadFinder(HTMLParser):
    """Streams through a page, keeping the table cell or script it is in."""

    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.found: list[NetworkLoad] = []
        self.tables: list[_Table] = []
        self.capture: str | None = None  # "caption", "header" or "stub"
        self.scripts = 0
        self.in_tag: str | None = None

    def _here(self, detail: str) -> str:
        parts = [self.where] if self.where else []
        if self.tables:
            parts.append(self.tables[-1].where())
        return ", ".join([*parts, detail])

    def _add(self, url: str, detail: str) -> None:
        self.found.append(NetworkLoad(url.strip(), self._here(detail)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._table_start(tag)
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in LOADING_ATTRIBUTES and (tag, name) not in NAVIGATION and is_network(value):
                self._add(value, f"<{tag} {name}>")
            elif name in SRCSET_ATTRIBUTES:
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if is_network(url):
                        self._add(url, f"<{tag} {name}>")
            elif name == "style":
                for url in css_loads(value):
                    self._add(url, f"<{tag} style>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = _META_URL.search(values.get("content", ""))
            if target and is_network(target.group(1)):
                self._add(target.group(1), "<meta refresh>")
        if tag == "iframe" and "srcdoc" in values:
            title = values.get("title") or "sans titre"
            self.found += network_loads(values["srcdoc"], self._here(f"frame « {title} »"))
        self.in_tag = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.tables:
            self.tables.pop()
        elif tag in {"caption", "th", "td"}:
            self.capture = None
        elif tag == "thead" and self.tables:
            self.tables[-1].in_head = False
        self.in_tag = None

    def handle_data(self, data: str) -> None:
        if self.in_tag == "style":
            for url in css_loads(data):
                self._add(url, "<style>")
        elif self.in_tag == "script":
            self.scripts += 1
            for url, detail in _script_loads(data):
                self._add(url, f"script {self.scripts}, {detail}")
        elif self.capture and self.tables:
            table = self.tables[-1]
            if self.capture == "caption":
                table.caption += data
            elif self.capture == "header":
                table.headers[-1] += data
            else:
                table.stub += data

    def _table_start(self, tag: str) -> None:
        if tag == "table":
            self.tables.append(_Table(headers=[]))
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "caption":
            self.capture = "caption"
        elif tag == "thead":
            table.in_head = True
        elif tag == "tr" and not table.in_head:
            table.row, table.column, table.stub = table.row + 1, -1, ""
        elif tag in {"th", "td"}:
            table.column += 1
            if table.in_head or (table.row == 0 and tag == "th"):
                table.headers.append("")
                self.capture = "header"
            elif table.column == 0:
                self.capture = "stub"


# --------------------------------------------------------------------------- scripts

_JS_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<template>`(?:[^`\\]|\\.)*`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<number>\.?\d[\w.]*)
  | (?P<punct>.)
""", re.DOTALL | re.VERBOSE)
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
#: After these, ``/`` starts a regular expression, not a division.
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in",
                                               "of", "new", "delete", "void", "throw", None}
_TAG = re.compile(r"<[a-zA-Z!/]")
_TEXT = re.compile(r"<[^>]*>")


def _unescape_js(body: str) -> str:
    def one(match: re.Match) -> str:
        code = match.group(1)
        if code[0] == "u":
            return chr(int(code[1:].strip("{}"), 16))
        if code[0] == "x":
            return chr(int(code[1:], 16))
        return _JS_SIMPLE.get(code, "" if code == "\n" else code)
    return _JS_ESCAPE.sub(one, body)


def _skip_regex(text: str, start: int) -> int:
    """End of the regular-expression literal opened at ``start`` (a ``/``)."""
    pos, in_class = start + 1, False
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "\n":
            return start + 1  # not a regex after all: read on as a division
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            pos += 1
            while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
                pos += 1
            return pos
        pos += 1
    return start + 1


@lru_cache(maxsize=8)  # Leaflet, its plugin, a few maps: bounded, scripts can be MBs
def _script_loads(text: str) -> tuple[tuple[str, str], ...]:
    """Loads of one script, cached: every map of a site inlines the same Leaflet."""
    found: list[tuple[str, str]] = []
    stack: list[list] = []  # open brackets: [char, index of the current element]
    variable, previous, declaring, pos = "-", None, False, 0
    while pos < len(text):
        if text[pos] == "/" and previous in _BEFORE_REGEX and text[pos:pos + 2] not in {"//", "/*"}:
            end = _skip_regex(text, pos)
            if end > pos + 1:
                pos, previous = end, "regex"
                continue
        match = _JS_TOKEN.match(text, pos)
        kind, token, pos = match.lastgroup, match.group(0), match.end()
        if kind == "space":
            continue
        if kind == "comment":
            if "sourceMappingURL" in token:
                found.append((token.split("sourceMappingURL=")[-1].strip(), "source map"))
            continue
        if kind in {"string", "template"}:
            value = _unescape_js(token[1:-1])
            arrays = [index for char, index in stack if char == "["]
            feature = f"feature {arrays[0]}" if arrays else "code"
            found += [(url, ", ".join(filter(None, (f"variable {variable}", feature, extra))))
                      for url, extra in _literal_loads(value)]
        elif kind == "name":
            if declaring:
                variable, declaring = token, False
            declaring = token in {"var", "let", "const"}
        elif token in "([{":
            stack.append([token, 0])
        elif token in ")]}" and stack:
            stack.pop()
        elif token == "," and stack:
            stack[-1][1] += 1
        previous = token if kind in {"punct", "name"} else kind
    return tuple(found)


def _literal_loads(value: str) -> list[tuple[str, str]]:
    """What a string literal would load (an address, CSS, or markup put in the page),
    with the feature's text when it is markup (a popup names its place)."""
    stripped = value.strip()
    if is_network(stripped) and " " not in stripped:
        return [(stripped, "")]
    if stripped.lower().startswith(("url(", "@import", "image-set(")):
        return [(url, "") for url in css_loads(stripped)]
    if _TAG.search(value):
        label = " ".join(_TEXT.sub(" ", value).split())[:60]
        return [(load.url, load.where) for load in network_loads(value, f"« {label} »")]
    return []


__all__ = ["NetworkLoad", "network_loads", "is_network", "css_loads", "describe",
           "LOADING_ATTRIBUTES"]
