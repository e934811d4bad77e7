"""The geography's resolution notes, in French, for the quality page.

:mod:`tlresearch.geo.communes` writes why a commune was found with a reservation, or
not found, as short English notes in the panel (``resolution_note``: codes and words a
script can search). A reader of the quality page needs them in French; each known
sentence shape is translated below, its codes and names kept, and a note of an unknown
shape is shown as it is, so nothing disappears.

Examples
--------
>>> french_resolution_note("no usable code, postcode or name")
'ni code de commune, ni code postal, ni nom utilisable'
>>> french_resolution_note("postcode 0 is not that of 'Brive': the name is kept; outside region 75")
"le code postal 0 n'est pas celui de « Brive » : le nom est retenu ; hors de la région 75"
"""
from __future__ import annotations

import re

_NAME = r"(?:'(?P<{0}>[^']*)'|\"(?P<{0}_q>[^\"]*)\")"

#: (English shape, French sentence); ``{name}`` is the quoted commune name of the note.
_SHAPES = [
    (r"no usable code, postcode or name", "ni code de commune, ni code postal, ni nom utilisable"),
    (r"code (?P<code>\S+) is a postcode \(and the code of (?P<other>.+)\), used as a postcode",
     "le code {code} est un code postal (et celui de {other}), retenu comme code postal"),
    (r"code (?P<code>\S+) is a former commune, now (?P<now>\S+)",
     "le code {code} est celui d'une ancienne commune, aujourd'hui {now}"),
    (r"code (?P<code>\S+) is a postcode, used as such",
     "le code {code} est un code postal, retenu comme tel"),
    (r"code (?P<code>\S+) is not a commune code", "le code {code} n'est pas un code de commune"),
    (rf"postcode (?P<code>\S+) is the code of another commune than {_NAME.format('name')}",
     "le code postal {code} est le code d'une autre commune que « {name} »"),
    (r"postcode (?P<code>\S+) is not a postcode but the code of a commune",
     "le code postal {code} n'en est pas un : c'est le code d'une commune"),
    (rf"name {_NAME.format('name')} points to (?P<code>\S+), code kept",
     "le nom « {name} » désigne la commune {code} ; le code est conservé"),
    (rf"postcode (?P<code>\S+) is not that of {_NAME.format('name')}: the name is kept",
     "le code postal {code} n'est pas celui de « {name} » : le nom est retenu"),
    (rf"name {_NAME.format('name')} not found in postcode (?P<code>\S+)",
     "le nom « {name} » est introuvable dans le code postal {code}"),
    (rf"name {_NAME.format('name')} is ambiguous in the region \((?P<n>\d+) communes\)",
     "le nom « {name} » est ambigu dans la région ({n} communes)"),
    (rf"name {_NAME.format('name')} names (?P<n>\d+) communes outside the region",
     "le nom « {name} » désigne {n} communes hors de la région"),
    (r"outside region (?P<code>\S+)", "hors de la région {code}"),
]
_COMPILED = [(re.compile(shape + r"\Z"), french) for shape, french in _SHAPES]


def french_resolution_note(note: str | None) -> str | None:
    """``note`` (parts separated by ``"; "``) in French; unknown parts kept as written."""
    if note is None or not isinstance(note, str):
        return note
    return " ; ".join(_one(part.strip()) for part in note.split("; "))


def _one(part: str) -> str:
    for pattern, french in _COMPILED:
        found = pattern.match(part)
        if found:
            fields = {key.removesuffix("_q"): value
                      for key, value in found.groupdict().items() if value is not None}
            return french.format(**fields)
    return part


__all__ = ["french_resolution_note"]
