"""Parsers for the values respondents type: counts, amounts, years, dates, ticks, codes.

Every parser is a pure function of one cell and returns ``(value, rule)``: ``rule`` is
``None`` when the input was clean (locale spellings such as ``1 234,5`` are clean) and
otherwise a short snake_case name of what was done, e.g. ``"unit_stripped"`` or
``"not_known"``. The parsers never log nor raise on bad input: the caller decides, per
variable, whether a rule means "corrected", "set missing" or "flagged", and writes the
quality log. Blank input gives ``(None, None)``: an unanswered question is not an error.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pandas as pd
from unidecode import unidecode

from tlresearch.core import text as textnorm

# Identifiers have their own module; re-exported so ``cells`` stays the one import of parsers.
from tlresearch.io.identifiers import (  # noqa: F401
    luhn_valid,
    normalise_commune_code,
    normalise_postcode,
    normalise_siret,
)

#: Answers meaning "I do not know" (compared after :func:`_key`).
NOT_KNOWN = {
    "nsp", "ne sait pas", "ne sais pas", "je ne sais pas", "?", "??", "???", "-", "--",
    "/", "n/a", "na", "nc", "n.c.", "nr", "non connu", "inconnu", "non communique",
    "non renseigne",
}

#: Words for small whole numbers that respondents write out.
NUMBER_WORDS = {
    "aucun": 0, "aucune": 0, "neant": 0, "zero": 0, "rien": 0, "un": 1, "une": 1,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10,
}

#: Working-time phrases, in full-time equivalents (after :func:`_key`, dashes as spaces).
TIME_WORDS = {
    "mi temps": 0.5, "demi temps": 0.5, "1/2 temps": 0.5, "temps partiel 50%": 0.5,
    "temps plein": 1.0, "plein temps": 1.0, "temps complet": 1.0,
}

#: French month names and abbreviations (accents removed, no trailing dot).
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11,
    "nov": 11, "decembre": 12, "dec": 12,
}

TICKED = {"y", "yes", "oui", "o", "x", "1", "1.0", "true", "vrai", "coche", "cochee"}
UNTICKED = {"", "0", "0.0", "n", "no", "non", "false", "faux"}

#: Day 0 of Excel's 1900 date system (1899-12-30 absorbs Excel's fictitious 1900-02-29).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)

#: Units whose value must be multiplied: stripping them would be wrong by 10^3 or more.
SCALE_UNITS = {"k", "ke", "keur", "k€", "m€", "meur", "mille", "milliers", "million",
               "millions", "milliard", "milliards"}

#: SIREN of La Poste, whose establishments' SIRETs fail the Luhn check by design.

_SPACES = "\u00a0\u202f\u2009"
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_NUMBER_UNIT = re.compile(r"([+-]?\s?\d[\d\s.,']*)(.*)", re.DOTALL)
_UNIT = re.compile(r"(?:[^\W\d_]|[€$%°])[^\d]*|m\s?[23²³]")
_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")
_FLOAT_ARTIFACT = re.compile(r"(\d+)[.,]0+")
_DAY_FIRST = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?")
_FORMS = re.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\s*([ap]m))?"
    r"(?:\s*(?:utc|gmt)(?:[+-]\d{1,2}(?::?\d{2})?)?)?", re.IGNORECASE)
_TEXT_DATE = re.compile(r"(?:(1er|\d{1,2})\s+)?([a-z]+)\.?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})|(\d{4})-(\d{1,2})")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:[.,]\d+)?")


def normalise_text(text: object) -> str | None:
    """Return ``text`` NFC-normalised, stripped, inner whitespace runs collapsed.

    Accents typed on a Mac arrive decomposed (NFD) and would otherwise not compare
    equal to the same word typed on Windows.

    Examples
    --------
    >>> normalise_text("  Tiers-lieu\\u00a0 de   Pau ")
    'Tiers-lieu de Pau'
    >>> normalise_text("   ") is None
    True
    """
    if _is_missing(text):
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", str(text)).split())
    return cleaned or None


#: Magnitude above which a number typed in a survey is a typo, not a value; it also
#: keeps every count within a 64-bit integer column.
MAX_NUMBER = 10 ** 15


def fold(text: object) -> str:
    """Fold a name for matching: lowercase ASCII words, no punctuation, saints spelt out.

    Respondents write the same commune or label many ways (``Ste-Foy``, ``Sainte Foy``,
    ``STE FOY``); folding maps them to one key. Not for display.

    Examples
    --------
    >>> fold("Ste-Foy-la-Grande")
    'sainte foy la grande'
    >>> fold("L’Atelier (Pau)")
    'l atelier pau'
    """
    if _is_missing(text):
        return ""
    return textnorm.fold(str(text))


def parse_count(text: object) -> tuple[int | None, str | None]:
    """Parse a whole number of people, places, events...

    Examples
    --------
    >>> parse_count("1 234")
    (1234, None)
    >>> parse_count("2 personnes")
    (2, 'unit_stripped')
    >>> parse_count("2,5")
    (None, 'count_not_integer')
    """
    value, rule = _parse_quantity(text, words=NUMBER_WORDS, dot_thousands=True)
    if value is None:
        return None, rule
    if value != value.to_integral_value():
        return None, "count_not_integer"
    if abs(value) >= MAX_NUMBER:
        return None, "out_of_range"  # "1E+20" people: a typo, and beyond a 64-bit integer
    return int(value), rule


def parse_decimal(text: object) -> tuple[float | None, str | None]:
    """Parse an amount, a surface, a full-time equivalent... (decimal comma or dot).

    Examples
    --------
    >>> parse_decimal("1 234,5")
    (1234.5, None)
    >>> parse_decimal("12 000 €")
    (12000.0, 'unit_stripped')
    >>> parse_decimal("mi-temps")
    (0.5, 'word_number')
    """
    value, rule = _parse_quantity(text, words={**NUMBER_WORDS, **TIME_WORDS},
                                  dot_thousands=False)
    if value is None and rule == "not_a_number":
        fraction = _FRACTION.fullmatch(normalise_text(text) or "")
        if fraction and int(fraction.group(2)):
            return int(fraction.group(1)) / int(fraction.group(2)), "fraction"
    if value is not None and not (abs(float(value)) < MAX_NUMBER):
        return None, "out_of_range"  # inf, NaN or beyond any plausible amount
    return (None if value is None else float(value)), rule


#: A share of one post written as a percentage: ``80 %``, ``80%``, ``80 pour cent``.
_PERCENT = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*(?:%|pour\s*cents?|pourcents?)", re.IGNORECASE)


def parse_fte(text: object) -> tuple[float | None, str | None]:
    """Parse full-time equivalents, where a percentage is a share of one full-time post.

    Respondents with one part-time employee often answer ``80 %``: read as a plain
    number that would be 80 posts. A percentage up to 100 is therefore the share of
    one post (rule ``percent_of_full_time``, 0,8 ETP); above 100 it is ambiguous (one
    post and a half, or a total?) and the value is set missing (``percent_above_full_time``).
    Everything else reads as :func:`parse_decimal` (``0,8``, ``1/2``, ``mi-temps``).

    Examples
    --------
    >>> parse_fte("80 %")
    (0.8, 'percent_of_full_time')
    >>> parse_fte("1/2")
    (0.5, 'fraction')
    >>> parse_fte("150%")
    (None, 'percent_above_full_time')
    """
    match = _PERCENT.fullmatch(_minus(normalise_text(text)) or "")
    if match is None or _key(text).replace("-", " ") in TIME_WORDS:
        return parse_decimal(text)
    share = Decimal(match.group(1).replace(",", "."))
    if share > 100:
        return None, "percent_above_full_time"
    # A negative share stays negative: the ETP range check quarantines it as such.
    return float(share / 100), "percent_of_full_time"


def parse_year(text: object, *, earliest: int = 1900,
               latest: int = 2100) -> tuple[int | None, str | None]:
    """Parse a year (of opening, of creation...), also from a date or an Excel serial.

    Examples
    --------
    >>> parse_year("01/09/2015")
    (2015, 'date_to_year')
    >>> parse_year("42248")
    (2015, 'excel_serial')
    >>> parse_year("15")
    (None, 'not_a_year')
    """
    cleaned = normalise_text(text)
    if cleaned is None:
        return None, None
    year, rule = _year_of(cleaned)
    if year is None:
        return None, rule
    if not earliest <= year <= latest:
        return None, "year_out_of_range"
    return year, rule


def parse_date(text: object) -> tuple[dt.datetime | None, str | None]:
    """Parse a timestamp or a date typed or exported in the usual French ways.

    Day-first (``23/11/2026``), ISO (``2026-11-23T14:05:33``), Google Forms
    (``2019/03/12 10:15:32 PM UTC+1``), ``23 novembre 2026`` and Excel serial numbers.
    Time zones are dropped: the survey is answered in one zone and the wall-clock time
    is what people read.

    Examples
    --------
    >>> parse_date("23/11/2026 14:05")
    (datetime.datetime(2026, 11, 23, 14, 5), None)
    >>> parse_date("31/02/2019")
    (None, 'not_a_date')
    """
    cleaned = normalise_text(text)
    if cleaned is None:
        return None, None
    if _key(cleaned) in NOT_KNOWN:
        return None, "not_known"
    if _EXCEL_SERIAL.fullmatch(cleaned):
        return _from_excel_serial(cleaned)
    parts = _date_parts(cleaned)
    if parts is None:
        return None, "not_a_date"
    try:
        moment = dt.datetime(*parts)
    except ValueError:
        return None, "not_a_date"
    if not EARLIEST_DATE_YEAR <= moment.year <= LATEST_DATE_YEAR:
        return None, "date_out_of_range"  # 01/01/0001: a placeholder, not a date
    return moment, None


#: Years a survey date can fall in (a submission, an opening date): anything else is a
#: placeholder or a typo.
EARLIEST_DATE_YEAR, LATEST_DATE_YEAR = 1900, 2100


def parse_tick(text: object) -> tuple[bool | None, str | None]:
    """Read one option column of a multi-choice question: ticked, not ticked, or unclear.

    A blank cell is "not ticked": survey tools leave unticked options empty.

    Examples
    --------
    >>> parse_tick("Oui"), parse_tick(""), parse_tick("peut-être")
    ((True, None), (False, None), (None, 'not_a_tick'))
    """
    key = _key(text) if not _is_missing(text) else ""
    if key in TICKED:
        return True, None
    if key in UNTICKED:
        return False, None
    return None, "not_a_tick"


def split_multi(text: object, separator: str) -> list[str]:
    """Split a multi-choice cell into its stripped, non-empty labels.

    Examples
    --------
    >>> split_multi("Coworking, Fablab, ", ",")
    ['Coworking', 'Fablab']
    """
    if not separator:
        raise ValueError("separator must not be empty")
    if _is_missing(text):
        return []
    return [part.strip() for part in str(text).split(separator) if part.strip()]


# --- helpers ---------------------------------------------------------------------------

def _minus(text: str | None) -> str | None:
    """The typographic minus (U+2212, « −1 » from a word processor) as a plain hyphen."""
    return text.replace("\u2212", "-") if text else text


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and value != value


def _strip(value: object) -> str | None:
    if _is_missing(value):
        return None
    return unicodedata.normalize("NFC", str(value)).strip() or None


def _key(text: object) -> str:
    """Lowercase, accent-free, whitespace-collapsed form used to look answers up."""
    return " ".join(unidecode(str(text)).lower().split())


def _parse_quantity(text: object, *, words: dict[str, float],
                    dot_thousands: bool) -> tuple[Decimal | None, str | None]:
    """Shared core of counts and decimals: known words, notation, number and unit."""
    cleaned = _minus(normalise_text(text))
    if cleaned is None:
        return None, None
    key = _key(cleaned)
    if key in NOT_KNOWN:
        return None, "not_known"
    word = words.get(key.replace("-", " "))
    if word is not None:
        return Decimal(str(word)), "word_number"
    if _SCIENTIFIC.fullmatch(cleaned):
        return Decimal(cleaned.replace(",", ".")), "scientific_notation"
    match = _NUMBER_UNIT.fullmatch(cleaned)
    if not match:
        return None, "not_a_number"
    unit = match.group(2).strip()
    if unit and (not _UNIT.fullmatch(unit) or _key(unit).split()[0] in SCALE_UNITS):
        return None, "not_a_number"
    value = _number(match.group(1), dot_thousands=dot_thousands)
    if value is None:
        return None, "not_a_number"
    return value, ("unit_stripped" if unit else None)


def _number(text: str, *, dot_thousands: bool) -> Decimal | None:
    """Read digits with French or English separators; None when the grouping is not valid.

    The last separator is the decimal one when both ``,`` and ``.`` appear. A repeated
    separator (``1.234.567``, ``1,234,567``) groups thousands. A single dot before
    exactly three digits (``1.234``) groups thousands only when ``dot_thousands``: a
    count cannot be 1.234, but an amount or a coordinate written with a dot (``44.837``)
    most often comes from a machine that uses the dot as the decimal point.
    """
    text = re.sub(rf"[\s{_SPACES}']", " ", text.strip())
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-").strip()
    if " " in text and not re.fullmatch(r"\d{1,3}( \d{3})+([.,]\d+)?", text):
        return None
    text = text.replace(" ", "")
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        whole, _, fraction = text.rpartition(decimal_sep)
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", whole):
            return None
        text = whole.replace(thousands, "") + "." + fraction
    elif re.fullmatch(r"[1-9]\d{0,2}(?:(\.\d{3}){2,}|(,\d{3}){2,})", text) or (
            dot_thousands and re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", text)):
        text = text.replace(".", "").replace(",", "")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    return sign * Decimal(text)


def _year_of(cleaned: str) -> tuple[int | None, str | None]:
    if _key(cleaned) in NOT_KNOWN:
        return None, "not_known"
    if re.fullmatch(r"\d{4}", cleaned):
        return int(cleaned), None
    artifact = _FLOAT_ARTIFACT.fullmatch(cleaned)
    if artifact and len(artifact.group(1)) == 4:
        return int(artifact.group(1)), "float_artifact"
    if _EXCEL_SERIAL.fullmatch(cleaned):
        moment, rule = _from_excel_serial(cleaned)
        return (moment.year, rule) if moment else (None, "not_a_year")
    moment, rule = parse_date(cleaned)
    if moment is not None:
        return moment.year, "date_to_year"
    month_year = _MONTH_YEAR.fullmatch(cleaned)
    if month_year:
        month, year = (month_year.group(1), month_year.group(2)) if month_year.group(1) else (
            month_year.group(4), month_year.group(3))
        return (int(year), "date_to_year") if 1 <= int(month) <= 12 else (None, "not_a_year")
    text_date = _TEXT_DATE.fullmatch(_key(cleaned))
    if text_date and text_date.group(2) in MONTHS:
        return int(text_date.group(3)), "date_to_year"
    worded = _WORDED_YEAR.fullmatch(_key(cleaned))
    if worded:
        return int(worded.group(1)), "year_in_words"
    return None, "not_a_year"


#: A year with the words around it that people type: « en 2010 », « depuis 2015 »,
#: « ouvert en 2012 », « 2018 (ouverture) ».
_WORDED_YEAR = re.compile(r"(?:(?:ouvert|ouverture|cree|creation|fonde)\s+)?(?:en|depuis|"
                          r"des|debut|fin|mi|annee|courant)?\s*(\d{4})\s*(?:\(?[a-z ]*\)?)?")


def _date_parts(cleaned: str) -> tuple[int, ...] | None:
    """(year, month, day, hour, minute, second) of a recognised layout, unchecked."""
    if match := _DAY_FIRST.fullmatch(cleaned):
        day, month, year, hour, minute, second = match.groups()
        return _ints(year, month, day, hour, minute, second)
    if match := _ISO.fullmatch(cleaned):
        return _ints(*match.groups()[:6])
    if match := _FORMS.fullmatch(cleaned):
        year, month, day, hour, minute, second, meridiem = match.groups()
        hour = int(hour)
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
        return _ints(year, month, day, hour, minute, second)
    if (match := _TEXT_DATE.fullmatch(_key(cleaned))) and match.group(1):
        day, month_name, year = match.groups()
        if month_name in MONTHS:
            return int(year), MONTHS[month_name], 1 if day == "1er" else int(day)
    return None


def _ints(*parts: object) -> tuple[int, ...]:
    return tuple(int(p) if p is not None else 0 for p in parts)


def _from_excel_serial(cleaned: str) -> tuple[dt.datetime | None, str | None]:
    """Convert an Excel day number (5 digits: years 1927-2173), rounded to the second."""
    days = float(cleaned.replace(",", "."))
    moment = EXCEL_EPOCH + dt.timedelta(seconds=round(days * 86400))
    return moment, "excel_serial"
