"""Strings from respondents made inert in every context a page puts them in.

A place name can end up in HTML text, an attribute, a JS string or template literal,
a ``<script>`` block or folium's Jinja pass; :func:`escape_text` and
:func:`script_json` make it display as typed and run nowhere.
"""
from __future__ import annotations

import html
import json
import re

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
