"""French number, percent and date formats for every figure a reader sees.

French typography writes ``1 234,5`` (decimal comma, a space between groups of three
digits), ``56,3 %`` (a space before the percent sign) and ``23/11/2026``. The spaces
must not break at the end of a line, so they are no-break spaces:

- thousands: the narrow no-break space U+202F by default (:data:`NNBSP`), which is
  what the Imprimerie nationale recommends and what recent browsers and matplotlib
  fonts render well; pass ``thousands=NBSP`` for the plain no-break space U+00A0
  (:data:`NBSP`), safer in spreadsheets and old fonts;
- before ``%``: the no-break space U+00A0 (:data:`NBSP`).

Rounding is half away from zero on the value written with 12 significant digits
(``2,675`` gives ``2,68``, ``0,5`` gives ``1``, a mean computed as 2.4499999999999997
gives ``2,5``), as readers expect, not Python's round-half-even on the binary value.
A missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``) is shown as the en
dash ``–`` (:data:`MISSING`); pass ``na="n.d."`` where a dash could be misread.
Negative numbers carry the ASCII hyphen-minus so that a copied figure stays a number
in a spreadsheet.

Examples
--------
>>> format_number(1234.5, decimals=1)
'1\\u202f234,5'
>>> format_percent(0.563)
'56,3\\xa0%'
>>> format_count(2415, thousands=NBSP)
'2\\xa0415'
"""
from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal

#: Narrow no-break space (U+202F): the default thousands separator.
NNBSP = "\u202f"
#: No-break space (U+00A0): before ``%`` and the alternative thousands separator.
NBSP = "\u00a0"
#: What a missing value is shown as (en dash).
MISSING = "\u2013"


def is_missing(value) -> bool:
    """True for ``None``, ``NaN``, ``pd.NA`` and ``NaT``, without importing pandas."""
    if value is None:
        return True
    if type(value).__name__ in {"NAType", "NaTType"}:
        return True
    try:
        return math.isnan(value)
    except (TypeError, ValueError):
        return False


def format_number(value, decimals: int = 0, *, thousands: str = NNBSP, na: str = MISSING,
                  signed: bool = False) -> str:
    """Format a number the French way: ``1 234,5``.

    Parameters
    ----------
    value
        Any real number, or a missing value.
    decimals
        Digits after the decimal comma (kept even when they are zeros: ``2,0``).
    thousands
        Separator between groups of three digits (:data:`NNBSP` or :data:`NBSP`).
    na
        Text for a missing value.
    signed
        Write ``+`` before a positive value (for changes between waves).

    Examples
    --------
    >>> format_number(1234.5, decimals=1) == "1\\u202f234,5"
    True
    >>> format_number(-0.04, decimals=1)
    '0,0'
    >>> format_number(float("nan"))
    '–'
    """
    if is_missing(value):
        return na
    if math.isinf(value):
        return ("-" if value < 0 else "") + "\u221e"
    quantum = Decimal(1).scaleb(-decimals)
    # 12 significant digits first: a mean of 2.45 computed as 2.4499999999999997 is 2.45.
    rounded = Decimal(f"{float(value):.12g}").quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0,0"
    sign = "-" if rounded < 0 else ("+" if signed and rounded > 0 else "")
    whole, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    return sign + (f"{text},{fraction}" if fraction else text)


def format_count(value, *, thousands: str = NNBSP, na: str = MISSING) -> str:
    """Format a count (places, persons): ``2 415``; a whole number, never decimals."""
    return format_number(value, 0, thousands=thousands, na=na)


def format_percent(share, decimals: int = 1, *, thousands: str = NNBSP, na: str = MISSING,
                   signed: bool = False) -> str:
    """Format a share given as a proportion (0.563) as ``56,3 %``.

    The space before ``%`` is a no-break space (U+00A0) so the sign never starts a line.

    Examples
    --------
    >>> format_percent(0.563) == "56,3\\u00a0%"
    True
    >>> format_percent(1, decimals=0) == "100\\u00a0%"
    True
    """
    if is_missing(share):
        return na
    return format_number(float(share) * 100, decimals, thousands=thousands,
                         signed=signed) + NBSP + "%"


def format_points(difference, decimals: int = 1, *, na: str = MISSING) -> str:
    """Format a difference of two shares (proportions) in percentage points: ``+5,2 pts``."""
    if is_missing(difference):
        return na
    return format_number(float(difference) * 100, decimals, signed=True) + NBSP + "pts"


def format_interval(low, high, formatter=format_percent, *, na: str = MISSING, **kwargs) -> str:
    """Format an interval as ``[46,2 % ; 65,3 %]`` (semicolon: the comma is the decimal mark)."""
    if is_missing(low) or is_missing(high):
        return na
    return f"[{formatter(low, **kwargs)}{NBSP}; {formatter(high, **kwargs)}]"


def format_date(value, *, na: str = MISSING) -> str:
    """Format a date as ``23/11/2026`` (day/month/year, zero-padded).

    Accepts :class:`datetime.date`, :class:`datetime.datetime`, a pandas ``Timestamp``
    or an ISO string (``"2026-11-23"``).
    """
    if is_missing(value):
        return na
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_value(value, unit: str, signed: bool = False) -> str:
    """One indicator value as French text suited to its unit (``vocab/indicators.yaml``).

    ``signed`` writes ``+`` before a positive value: a change between two waves
    (``+85`` places, like ``+5,0 pts`` for a share, which is always signed).

    Examples
    --------
    >>> format_value(0.563, "part")
    '56,3\\xa0%'
    >>> format_value(0.05, "écart de part")
    '+5,0\\xa0pts'
    >>> format_value(12, "lieux")
    '12'
    >>> format_value(85, "lieux", signed=True)
    '+85'
    """
    if unit == "part":
        return format_percent(value, signed=signed)
    if unit == "écart de part":
        return format_points(value)
    if unit in {"lieux", "personnes"}:
        return format_number(value, 0, signed=signed)
    return format_number(value, 1, signed=signed)
