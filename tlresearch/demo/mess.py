"""From a true value to what a respondent typed (or a tool exported).

Each function takes the true value and returns the cell as written, with the small
messes real answers have, at low rates (:data:`RATES`). The messes on numbers stay
within what the ingestion parsers read back to the same value ("2 ETP", "1 234",
"aucun" for 0, "mi-temps" for 0.5...): the published figures must survive the trip.
"Don't know" answers ("NSP", "?") are written only where the truth is missing.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Rate of each mess, per written cell (or per record for commune traps).
RATES = {
    "commune_variant": 0.06,     # BEGLES, Begles, Bègle, St-Jean...
    "saint_abbrev": 0.35,        # Saint- -> St- when the name has it
    "former_commune": 0.35,      # a commune nouvelle typed under its former name and code
    "postcode_as_code": 0.04,    # the postcode typed in the INSEE code field
    "siret_spaces": 0.12,
    "siret_scientific": 0.25,    # Excel re-save of a 14-digit number
    "siret_as_number": 0.30,     # XLSX: Excel turned the SIRET into a number
    "zero_word": 0.08,           # "aucun", "néant"
    "blank_zero": 0.80,          # a 0 left blank where blank means zero
    "unit_suffix": 0.05,         # "2 ETP", "3 personnes"
    "thousands": 0.50,           # "1 234"
    "euro_sign": 0.30,           # "12 000 €"
    "time_words": 0.50,          # "mi-temps" for 0.5, "temps plein" for 1
    "year_text": 0.06,           # "septembre 2015", "01/09/2015"
    "dont_know": 0.35,           # a missing answer typed "NSP", "?", "NC"
    "label_variant": 0.05,       # a second label of the same code
    "native_as_text": 0.04,      # XLSX: a number typed as text
}
DONT_KNOW = ["NSP", "ne sait pas", "?", "NC"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


@dataclass(frozen=True)
class Style:
    """How a tool writes values."""

    free_text: bool = False        # numbers typed in free-text fields (words, units)
    decimal_sep: str = "."
    native: bool = False           # XLSX: numbers and dates as native cells
    siret_mode: str = "spaces"     # spaces | excel | number
    drop_leading_zero: bool = False  # Excel re-save: codes as numbers


def is_missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def commune_name(rng: np.random.Generator, name: str) -> str:
    """A commune name as typed: mostly right, sometimes upper case, unaccented, cut."""
    if name.startswith(("Saint-", "Sainte-")) and rng.random() < RATES["saint_abbrev"]:
        name = name.replace("Sainte-", "Ste-", 1).replace("Saint-", "St-", 1)
        return name.replace("-", " ", 1) if rng.random() < 0.3 else name
    if rng.random() >= RATES["commune_variant"]:
        return name
    kind = rng.integers(0, 4)
    if kind == 0:
        return strip_accents(name).upper()
    if kind == 1:
        return strip_accents(name)
    if kind == 2:
        return name.lower()
    return name[:-1] if len(name) > 4 else name


def code(value, style: Style) -> str:
    if is_missing(value):
        return ""
    text = str(value)
    return text.lstrip("0") if style.drop_leading_zero else text


def siret(rng: np.random.Generator, value, style: Style):
    if is_missing(value):
        return ""
    if style.siret_mode == "excel" and rng.random() < RATES["siret_scientific"]:
        return f"{int(value):.5E}".replace(".", ",")
    if style.siret_mode == "number" and rng.random() < RATES["siret_as_number"]:
        return int(value)
    if style.siret_mode in ("spaces", "excel") and rng.random() < RATES["siret_spaces"]:
        return f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}"
    return str(value)


def plain(value: float, sep: str) -> str:
    """A number as typed without mess: integers bare, decimals with ``sep``."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", sep)


def _grouped(value: float, sep: str) -> str:
    whole = f"{int(value):,}".replace(",", " ")
    return whole if float(value).is_integer() else whole + plain(value % 1, sep)[1:]


def missing(rng: np.random.Generator, style: Style, blank_zero: bool) -> str:
    """An unanswered question: blank, or a "don't know" in free text (never blank
    where the codebook reads blank as zero)."""
    if blank_zero or (style.free_text and rng.random() < RATES["dont_know"]):
        return str(rng.choice(DONT_KNOW))
    return ""


def count(rng: np.random.Generator, value, style: Style, blank_zero: bool):
    if is_missing(value):
        return missing(rng, style, blank_zero)
    v = int(value)
    if v == 0:
        if blank_zero and rng.random() < RATES["blank_zero"]:
            return ""
        if style.free_text and not blank_zero and rng.random() < RATES["zero_word"]:
            return str(rng.choice(["aucun", "néant"]))
        return 0 if style.native else "0"
    if style.native:
        return f"{v} personnes" if rng.random() < RATES["native_as_text"] else v
    if style.free_text:
        if v >= 1000 and rng.random() < RATES["thousands"]:
            return _grouped(v, style.decimal_sep)
        if v >= 2 and rng.random() < RATES["unit_suffix"]:
            return f"{v} personnes"
    return str(v)


def etp(rng: np.random.Generator, value, style: Style, blank_zero: bool):
    if is_missing(value):
        return missing(rng, style, blank_zero)
    v = float(value)
    if v == 0:
        return count(rng, 0, style, blank_zero)
    if style.native:
        if rng.random() < RATES["native_as_text"]:
            return plain(v, ",")
        return int(v) if v.is_integer() else v
    if style.free_text:
        if v in (0.5, 1.0) and rng.random() < RATES["time_words"]:
            return "mi-temps" if v == 0.5 else "temps plein"
        if rng.random() < RATES["unit_suffix"]:
            return f"{plain(v, style.decimal_sep)} ETP"
    return plain(v, style.decimal_sep)


def amount(rng: np.random.Generator, value, style: Style, blank_zero: bool):
    """Euros, square metres: big round numbers, grouped by thousands when typed."""
    if is_missing(value):
        return missing(rng, style, blank_zero)
    v = float(value)
    if style.native:
        return int(v) if v.is_integer() else v
    if style.free_text and v >= 1000 and rng.random() < RATES["thousands"]:
        text = _grouped(v, style.decimal_sep)
        return text + " €" if rng.random() < RATES["euro_sign"] else text
    return plain(v, style.decimal_sep)


def year(rng: np.random.Generator, value, style: Style):
    if is_missing(value):
        return missing(rng, style, False)
    y = int(value)
    if style.native:
        return y
    if style.free_text:
        roll = rng.random()
        month = int(rng.integers(1, 13))
        if roll < RATES["year_text"] / 2:
            return f"{MONTHS[month - 1]} {y}"
        if roll < RATES["year_text"]:
            return f"01/{month:02d}/{y}"
    return str(y)


def label(rng: np.random.Generator, code_value: str, labels: dict[str, str]) -> str:
    """The label a tool shows for a code (rarely a second label of the same code)."""
    options = [lab for lab, c in labels.items() if c == code_value]
    if not options:
        raise KeyError(f"no label for code {code_value!r}")
    if len(options) > 1 and rng.random() < RATES["label_variant"]:
        return options[1]
    return options[0]
