"""What a published page may contain, checked on every output before it is written.

Two families of checks:

* **code**: :func:`unsafe_markup` finds what would run in the page itself (a
  ``<script>``, an event-handler attribute, a ``javascript:`` URL, an unexpected
  ``data:`` URL); the maps' scripts live inside an iframe ``srcdoc`` attribute and
  run in their frame, so they are not seen here;
* **stray output**: :func:`stray_output` refuses an output that is not a heading,
  narrative, a published table, a figure, key figures or a map: a bare string,
  a tuple, a repr or a raw DataFrame left as the last line of a cell.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, Mapping

from tlresearch.report.blocks import BLOCK_KINDS

#: data: URLs a page may hold (figures and CSV downloads).
_DATA_URLS = ("data:image/png", "data:image/jpeg", "data:text/csv")


class _UnsafeFinder(HTMLParser):
    """Collects what would run in the page itself (attribute values are not parsed)."""

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
                    or value.startswith("data:") and not value.startswith(_DATA_URLS)):
                self.found.append(f"{tag} {name}={value[:20]}")

    handle_startendtag = handle_starttag


def unsafe_markup(fragment: str) -> list[str]:
    """Tags and attributes of ``fragment`` that could run code in the page."""
    finder = _UnsafeFinder()
    finder.feed(fragment)
    finder.close()
    return finder.found


_BLOCK = re.compile(r'^\s*<(\w+)[^>]*\sdata-tl-block="(' + "|".join(BLOCK_KINDS) + r')"')


def block_kind(fragment: str) -> str | None:
    """The kind of a published block (``table``, ``figure``...), None for anything else."""
    match = _BLOCK.match(fragment)
    return match.group(2) if match else None


def stray_output(output: Mapping[str, Any]) -> str | None:
    """Why an output may not be published (a short French-free reason), or None.

    Allowed: markdown, PNG/JPEG figures, and HTML that is one of the blocks of
    :mod:`tlresearch.report.blocks`. Refused: printed text, plain reprs (strings,
    tuples, numbers) and HTML of any other origin (a raw DataFrame).
    """
    kind = output.get("output_type")
    if kind == "stream":
        return None if output.get("name") != "stdout" else "printed text"
    if kind not in {"display_data", "execute_result"}:
        return None
    data = output.get("data", {})
    if "text/html" in data:
        value = data["text/html"]
        value = "".join(value) if isinstance(value, list) else value
        if not value.strip():  # an empty block: nothing to show (e.g. no demo banner)
            return None
        return None if block_kind(value) else "HTML that is not a published block"
    if any(m in data for m in ("image/png", "image/jpeg", "text/markdown")):
        return None
    if "text/plain" in data:
        text = data["text/plain"]
        text = "".join(text) if isinstance(text, list) else str(text)
        return f"a bare value ({text[:40]!r})"
    return None


__all__ = ["unsafe_markup", "stray_output", "block_kind"]
