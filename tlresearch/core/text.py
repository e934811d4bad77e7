"""Small text normalisations shared by the modules that compare free text.

Respondents type the same words with and without accents, in capitals, with
typographic apostrophes or ligatures (``œ``), so any comparison of free text goes
through one of these two functions first. :func:`strip_accents` keeps punctuation,
which :mod:`tlresearch.ingest.roles` needs to see gender-inclusive forms (``chargé·e``);
:func:`fold` is the blunt key for names (places, communes).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

# Letters that NFKD does not decompose into a base letter plus an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SAINT = {"st": "saint", "ste": "sainte"}


def strip_accents(text: str) -> str:
    """Remove accents and expand ligatures, leaving every other character as it is.

    Punctuation, including the middle dot of inclusive writing, survives, which is
    why this is not simply :func:`unidecode.unidecode` (it turns ``·`` into ``*``).

    Examples
    --------
    >>> strip_accents("Hôte·sse d’accueil, œuvre")
    'Hote·sse d’accueil, oeuvre'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Fold a name to a comparison key: lowercase ASCII words separated by one space.

    Cached: the same commune and place names come back thousands of times.
    Accents go, punctuation becomes a space, and the abbreviations ``St``/``Ste``
    become ``saint``/``sainte`` because respondents write both.

    Examples
    --------
    >>> fold("  L'Atelier  St-Michel (Bègles) ")
    'l atelier saint michel begles'
    """
    ascii_text = unidecode(strip_accents(unicodedata.normalize("NFC", text))).lower()
    words = _NOT_ALNUM.sub(" ", ascii_text).split()
    return " ".join(_SAINT.get(word, word) for word in words)
