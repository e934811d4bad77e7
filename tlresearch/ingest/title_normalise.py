"""Normalisation of free-text job titles: spelling, gender and inclusive forms removed.

Part of :mod:`tlresearch.ingest.roles` (whose docstring lists the steps): a title and
the rule phrases of ``vocab/roles.yaml`` go through the same function, so matching
compares like with like.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd
from unidecode import unidecode

from tlresearch.core.text import strip_accents

_TO_DOT = str.maketrans({c: "." for c in "·•‧⋅∙・◦"})
_TO_APOSTROPHE = str.maketrans({c: "'" for c in "’‘`´ʼ′"})
_TO_HYPHEN = str.maketrans({c: "-" for c in "‐‑"})
_TO_SPACE = str.maketrans({c: " " for c in "‒–—―\u00a0\u202f\u2009"})

# Feminine endings written after a separator; longest first so "trice" wins over "e".
_FEM = (r"trice|rice|ice|euse|eresse|iere|ere|ienne|enne|nne|ne|esse|sse|elle|lle|le|"
        r"ive|ve|tte|te|fe|e")
_MASC = r"eur|teur|ier|er|if|ien|on|el|en|ain|an|in|ant|ent|eux"
_SEP = r"[./-]"
_GENDER_MARK = re.compile(r"\(?\b(?:h\s*/\s*f|f\s*/\s*h)\b\)?")
_SPLIT_FORM = re.compile(rf"(?<=[a-z])({_SEP})({_MASC})\1(?:{_FEM})(?:{_SEP}?s)?(?![a-z])")
_GLUED_SUFFIX = re.compile(rf"(?<=[a-z]){_SEP}(?:{_FEM})(?:{_SEP}?s)?(?![a-z])")
_PAREN_SUFFIX = re.compile(rf"(?<=[a-z])\s?\(\s?(?:{_FEM})(?:\s?s)?\s?\)(?:s(?![a-z]))?")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Feminines that no productive ending below turns into the right masculine.
_IRREGULAR = {
    "hotesse": "hote", "maitresse": "maitre", "cheffe": "chef", "patronne": "patron",
    "paysanne": "paysan", "artisane": "artisan", "partisane": "partisan",
    "copine": "copain", "ambassadrice": "ambassadeur", "gardienne": "gardien",
}
# (feminine ending, masculine ending), tried in order.
_ENDINGS = (
    ("trice", "teur"), ("euse", "eur"), ("eure", "eur"), ("ienne", "ien"),
    ("iere", "ier"), ("ere", "er"), ("ive", "if"), ("elle", "el"),
    ("ante", "ant"), ("ente", "ent"), ("ale", "al"), ("ee", "e"),
)
# Ordinary nouns that end like a feminine but are not one.
_INVARIANT = frozenset("""
    matrice cicatrice creuse meuse chartreuse perceuse tondeuse friteuse couveuse
    ponceuse visseuse defonceuse berceuse heure demeure matiere lumiere riviere
    filiere carriere frontiere maniere priere poussiere barriere biere cimetiere
    mere pere frere sphere atmosphere biosphere galere colere ministere caractere
    critere repere misere archive cooperative initiative perspective alternative
    directive tentative locomotive olive rive derive lessive live vaisselle chapelle
    poubelle passerelle ficelle dentelle echelle pelle selle aquarelle vente attente
    detente rente pente trente patente descente tente entente fente sante plante
    tante quarante cinquante soixante imprimante brocante variante constante cale
    pale escale morale spirale cigale scandale sandale ovale capitale centrale
    finale pedale chorale timbale cathedrale male gale rafale vandale sale etale
    diagonale succursale amicale musee lycee entree journee annee idee soiree
    matinee duree allee armee trophee randonnee pensee portee arrivee chaussee
    assemblee tournee poupee fusee vallee cheminee rentree dictee mosquee odyssee
    poignee renommee destinee plongee coulee epopee maree
""".split())


def _masculine(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _INVARIANT:
        return word
    for feminine, masculine in _ENDINGS:
        # A short word ("ere", "elle", "eure") is never a feminine of something.
        if word.endswith(feminine) and len(word) > len(feminine) + 2:
            return word[: -len(feminine)] + masculine
    return word


def normalise_title(title: str) -> str:
    """Normalise a job title so that spelling, gender and inclusive forms do not matter.

    Parameters
    ----------
    title
        A job title as typed. A missing value gives ``""``.

    Returns
    -------
    str
        Lowercase ASCII words separated by one space, in the masculine/neutral form
        (see the module docstring for each step). ``""`` when nothing is left.

    Examples
    --------
    >>> normalise_title("Coordinat·eur·rice  du Tiers-Lieu (H/F)")
    'coordinateur du tiers lieu'
    >>> normalise_title("Hôte·sse d’accueil")
    'hote d accueil'
    >>> normalise_title("Animateur/animatrice")
    'animateur'
    """
    if title is None or (not isinstance(title, str) and pd.isna(title)):
        return ""
    text = unicodedata.normalize("NFC", str(title)).lower()
    text = (text.translate(_TO_DOT).translate(_TO_APOSTROPHE)
            .translate(_TO_HYPHEN).translate(_TO_SPACE))
    text = unidecode(strip_accents(text)).lower()
    text = _GENDER_MARK.sub(" ", text)
    text = _SPLIT_FORM.sub(r"\2", text)
    text = _PAREN_SUFFIX.sub("", text)
    text = _GLUED_SUFFIX.sub("", text)
    words: list[str] = []
    for word in _NOT_ALNUM.sub(" ", text).split():
        word = _masculine(word)
        if not words or words[-1] != word:
            words.append(word)
    return " ".join(words)
