"""Identifiers respondents type: SIRET, INSEE commune codes, postcodes.

Split from :mod:`tlresearch.io.cells` (same contract: pure functions of one cell that
return ``(value, rule)`` and never raise on bad input). A spreadsheet damages these
codes in known ways (leading zero lost, ``33063.0``, ``1,23457E+13``): each is repaired
when it can be done safely, refused otherwise.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: SIREN of La Poste, whose establishments follow their own checksum rule.
LA_POSTE_SIREN = "356000000"

_SPACES = "\u00a0\u202f\u2009"
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_FLOAT_ARTIFACT = re.compile(r"(\d+)[.,]0+")
_COMMUNE = re.compile(r"\d{5}|2[AB]\d{3}", re.ASCII)


def luhn_valid(digits: str) -> bool:
    """Return whether a string of ASCII digits passes the Luhn checksum (SIREN, SIRET).

    Examples
    --------
    >>> luhn_valid("73282932000074"), luhn_valid("73282932000075")
    (True, False)
    """
    if not digits or not re.fullmatch(r"[0-9]+", digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def normalise_siret(text: object) -> tuple[str | None, str | None]:
    """Return a SIRET as 14 digits, or None with the reason it cannot be trusted.

    A SIRET that went through a spreadsheet as a number shows as ``1,23457E+13``: its
    last digits are gone, so it is rejected rather than guessed.

    Examples
    --------
    >>> normalise_siret("732 829 320 00074")
    ('73282932000074', 'siret_reformatted')
    >>> normalise_siret("1,23457E+13")
    (None, 'siret_scientific_notation')
    """
    stripped = _strip(text)
    if stripped is None:
        return None, None
    if _SCIENTIFIC.fullmatch(stripped.replace(" ", "")):
        return None, "siret_scientific_notation"
    artifact = _FLOAT_ARTIFACT.fullmatch(stripped)
    digits = artifact.group(1) if artifact else re.sub(rf"[\s.\-{_SPACES}]", "", stripped)
    if not re.fullmatch(r"[0-9]{14}", digits):
        return None, "siret_length"
    la_poste = digits.startswith(LA_POSTE_SIREN) and sum(map(int, digits)) % 5 == 0
    if not (luhn_valid(digits) or la_poste):
        return None, "siret_luhn"
    return digits, (None if digits == stripped else "siret_reformatted")


def normalise_commune_code(text: object) -> tuple[str | None, str | None]:
    """Return an INSEE commune code (``33063``, ``2A004``) repaired of spreadsheet damage.

    Spreadsheets turn ``06088`` into ``6088`` and ``33063`` into ``33063.0``; Corsican
    codes are kept as text and upper-cased.

    Examples
    --------
    >>> normalise_commune_code("6088")
    ('06088', 'leading_zero_restored')
    >>> normalise_commune_code("2a004")
    ('2A004', None)
    """
    return _five_char_code(text, allow_corsica=True, invalid="not_a_commune_code")


def normalise_postcode(text: object) -> tuple[str | None, str | None]:
    """Return a French postcode as five digits (``33 000`` → ``33000``, ``6000`` → ``06000``).

    Examples
    --------
    >>> normalise_postcode("33 000")
    ('33000', None)
    >>> normalise_postcode("Bordeaux")
    (None, 'not_a_postcode')
    """
    stripped = _strip(text)
    if stripped is None:
        return None, None
    return _five_char_code(re.sub(rf"[\s{_SPACES}]", "", stripped), allow_corsica=False,
                           invalid="not_a_postcode")


def _five_char_code(text: object, *, allow_corsica: bool,
                    invalid: str) -> tuple[str | None, str | None]:
    stripped = _strip(text)
    if stripped is None:
        return None, None
    code, rule = stripped.upper(), None
    artifact = _FLOAT_ARTIFACT.fullmatch(code)
    if artifact:
        code, rule = artifact.group(1), "float_artifact"
    if re.fullmatch(r"[0-9]{4}", code):
        code, rule = "0" + code, "leading_zero_restored"
    pattern = _COMMUNE if allow_corsica else re.compile(r"[0-9]{5}")
    if not pattern.fullmatch(code):
        return None, invalid
    return code, rule


def _strip(value: object) -> str | None:
    """The cell as NFC text without surrounding spaces; None when blank or missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return unicodedata.normalize("NFC", str(value)).strip() or None
