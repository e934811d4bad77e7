"""Cells that hold several values, and dates in a format the codebook names.

Real exports pack lists into one cell (Framaforms writes every job title of a place
as ``"Chargée de communication; Facilitatrice"``) and write dates their own way
(``27/03/2026 - 15:48``). These pure functions read them as the codebook says;
:mod:`tlresearch.ingest.harmonise` applies them and logs what they could not read.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from tlresearch.io import cells as values


def split_quoted(text: object, separator: str) -> list[str]:
    """Split a cell on ``separator``, except inside double quotes; parts stripped.

    A respondent may quote a title that holds the separator itself.

    Examples
    --------
    >>> split_quoted('Facilitatrice; "Chargé·e d\\'accueil; d\\'animation"', "; ")
    ['Facilitatrice', "Chargé·e d'accueil; d'animation"]
    >>> split_quoted("Coworking;;", ";")
    ['Coworking']
    """
    if not separator:
        raise ValueError("separator must not be empty")
    if text is None or not isinstance(text, str):
        return []
    parts, current, quoted, i = [], [], False, 0
    while i < len(text):
        if text[i] == '"':
            quoted = not quoted
            i += 1
        elif not quoted and text.startswith(separator, i):
            parts.append("".join(current))
            current = []
            i += len(separator)
        else:
            current.append(text[i])
            i += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def parse_date_formats(text: object, formats: tuple[str, ...]) -> tuple[dt.datetime | None,
                                                                          str | None]:
    """Parse a date with the codebook's formats first, then the usual French layouts.

    Returns ``(value, rule)`` like :func:`tlresearch.io.cells.parse_date`: a value read
    only by the fallback carries the rule ``date_format_fallback`` so the quality log
    says which cells did not follow the declared format.

    Examples
    --------
    >>> parse_date_formats("27/03/2026 - 15:48", ("%d/%m/%Y - %H:%M",))
    (datetime.datetime(2026, 3, 27, 15, 48), None)
    >>> parse_date_formats("2026-03-27", ("%d/%m/%Y - %H:%M",))
    (datetime.datetime(2026, 3, 27, 0, 0), 'date_format_fallback')
    """
    cleaned = values.normalise_text(text)
    if cleaned is None:
        return None, None
    for pattern in formats:
        try:
            return dt.datetime.strptime(cleaned, pattern), None
        except ValueError:
            continue
    parsed, rule = values.parse_date(cleaned)
    if parsed is not None and rule is None:
        return parsed, "date_format_fallback"
    return parsed, rule


#: Marks that start a line of a bulleted list (« - Comptable », « • Fabmanager »).
_BULLET = re.compile(r"^\s*(?:[-•*·–—▪►]+|\d{1,2}[.)])\s+")


def split_titles(text: object, separators: tuple[str, ...],
                 splits_between: Callable[[str, str, str], bool] | None = None) -> list[str]:
    """Cut a cell listing job titles on every separator, then tidy each title.

    The cell is cut *before* its whitespace is collapsed, so that a line break can be a
    separator; each title then loses its bullet (« - Comptable ») and extra spaces. A
    word separator such as ``" et "`` cuts only where ``splits_between(left, sep,
    right)`` agrees: « Coordinatrice et animatrice » are two titles, « Responsable
    administratif et financier » one.

    Examples
    --------
    >>> split_titles("- Comptable\\n- Fabmanager\\n", ("\\n",))
    ['Comptable', 'Fabmanager']
    >>> split_titles("Chargée de com / Fabmanager / Coordinatrice", (" / ",))
    ['Chargée de com', 'Fabmanager', 'Coordinatrice']
    """
    if text is None or not isinstance(text, str):
        return []
    parts = [text.replace("\r\n", "\n").replace("\r", "\n")]
    for separator in sorted(separators, key=lambda s: not s.isspace()):  # lines first
        parts = [piece for part in parts for piece in _cut(part, separator, splits_between)]
    titles = [values.normalise_text(_BULLET.sub("", part)) for part in parts]
    return [title for title in titles if title]


def _cut(text: str, separator: str, splits_between) -> list[str]:
    pieces = split_quoted(text, separator) if separator.strip() else _raw_split(text, separator)
    if splits_between is None or separator.strip().isalpha() is False or len(pieces) < 2:
        return pieces
    merged = [pieces[0]]  # a word separator: rejoin where it is inside one title
    for piece in pieces[1:]:
        if splits_between(merged[-1], separator, piece):
            merged.append(piece)
        else:
            merged[-1] = f"{merged[-1]}{separator}{piece}"
    return merged


def _raw_split(text: str, separator: str) -> list[str]:
    """A whitespace separator (a line break): cut without the quote rule, keep spaces."""
    return [part for part in text.split(separator) if part.strip()]


def split_options(text: object, separator: str, known: set[str]) -> tuple[list[str], list[str]]:
    """Cut a multi-choice cell on ``separator``, known options first.

    ``known`` holds the folded labels of the options (:func:`tlresearch.io.cells.fold`).
    Pieces are joined back while together they make a known option, so an option that
    holds the separator (« Café associatif, buvette ») is not cut at its comma. Returns
    the options found and the remaining pieces: the « Autre » text a respondent typed
    (Google Forms writes it last, without a prefix).

    Examples
    --------
    >>> split_options("Coworking, Café associatif, buvette, Ressourcerie", ", ",
    ...               {"coworking", "cafe associatif buvette"})
    (['Coworking', 'Café associatif, buvette'], ['Ressourcerie'])
    """
    if text is None or not isinstance(text, str):
        return [], []
    pieces = [piece.strip() for piece in text.split(separator)]
    found, rest, start = [], [], 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):  # the longest known option first
            candidate = separator.join(pieces[start:end]).strip()
            if values.fold(candidate) in known:
                found.append(candidate)
                start = end
                break
        else:
            if pieces[start]:
                rest.append(pieces[start])
            start += 1
    return found, rest
