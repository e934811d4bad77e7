"""Cells that hold several values, and dates in a format the codebook names.

Real exports pack lists into one cell (Framaforms writes every job title of a place
as ``"Chargée de communication; Facilitatrice"``) and write dates their own way
(``27/03/2026 - 15:48``). These pure functions read them as the codebook says;
:mod:`tlresearch.ingest.harmonise` applies them and logs what they could not read.
"""
from __future__ import annotations

import datetime as dt

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
