"""What a published table's CSV file holds, said so that a machine can read it back.

A table is published as French text (``1 234``, ``56,3 %``, « s »); its CSV file
keeps the page's figures, so that a reader finds the same numbers in both, but as
numbers: an interval in two columns, a figure without its unit (``56,3``), the unit
in the schema (:func:`bare_numbers`). This module describes those cells for the
Frictionless data package (:mod:`tlresearch.report.data_package`): the type of each
column with the French decimal and group separators, its unit, the markers of
missing and secret values,
and it makes text cells safe to open in a spreadsheet (a cell beginning with
``=``, ``+``, ``-`` or ``@`` would run as a formula: it gets a leading apostrophe,
as OWASP advises; French numbers such as ``-1,5`` stay numbers).

Examples
--------
>>> import pandas as pd
>>> schema = table_schema(pd.DataFrame({"Type": ["Fablab"], "Lieux": ["1\\u202f234"],
...                                     "Part": ["56,3\\xa0%"]}))
>>> [(f["name"], f["type"], f.get("unit")) for f in schema["fields"]]
[('Type', 'string', None), ('Lieux', 'number', None), ('Part', 'number', '%')]
>>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-1,5")
("'=HYPERLINK(1)", '-1,5')
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from tlresearch.core.formats import MISSING

if TYPE_CHECKING:
    import pandas as pd

#: Cells that carry no figure: a secret (« s »), a missing value (« – ») and an empty cell.
MISSING_VALUES = ["", "s", MISSING]
#: The French separators of the numbers in the files (see :mod:`tlresearch.core.formats`).
DECIMAL_CHAR, GROUP_CHAR = ",", "\u202f"
#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_INTEGER = re.compile(r"^-?\d{1,3}(\u202f\d{3})*$")
_NUMBER = re.compile(r"^[+\-]?\d{1,3}(\u202f\d{3})*(,\d+)?(?P<suffix>[\u00a0 ]?(%|pts|€))?$")
_UNIT_IN_HEADER = re.compile(r"\(([^()]+)\)\s*$")
_SUFFIX_UNITS = {"%": "%", "pts": "points de pourcentage", "€": "euros"}
#: Words in brackets at the end of a header that are units (« Base (lieux) »).
HEADER_UNITS = {"lieux", "ETP", "personnes", "postes", "%", "pts", "euros", "€", "années",
                "mois", "m²"}
_INTERVAL = re.compile(r"^\[(?P<low>[^;\]]+?)\u00a0?; (?P<high>[^;\]]+)\]$")


def split_intervals(text: "pd.DataFrame") -> "pd.DataFrame":
    """A table for machines: each column of intervals (« [62,8 % ; 79,4 %] ») becomes
    two columns of numbers, ``<name> : borne basse`` and ``<name> : borne haute``.

    Examples
    --------
    >>> import pandas as pd
    >>> split_intervals(pd.DataFrame({"Intervalle": ["[1,6\u00a0; 2,4]", ""]})).columns.tolist()
    ['Intervalle : borne basse', 'Intervalle : borne haute']
    """
    import pandas as pd

    columns = {}
    for name in text.columns:
        cells = [str(v) for v in text[name].fillna("")]
        found = [_INTERVAL.match(c) for c in cells]
        if any(found) and all(m or c in MISSING_VALUES for m, c in zip(found, cells)):
            columns[f"{name} : borne basse"] = [m.group("low") if m else c
                                                for m, c in zip(found, cells)]
            columns[f"{name} : borne haute"] = [m.group("high") if m else c
                                                for m, c in zip(found, cells)]
        else:
            columns[name] = cells
    return pd.DataFrame(columns, index=text.index)


def bare_numbers(text: "pd.DataFrame") -> tuple["pd.DataFrame", dict[str, str]]:
    """A table for machines, numbers without their unit: (table, units by column).

    A column of figures that all carry one unit (« 71,8 % ») loses it in its cells and
    gets it in the schema; a column whose rows mix units (« +85 » places beside
    « +26,0 pts ») loses them too, and a column ``<name> : unité`` beside it says
    each row's. Text columns are left alone.

    Examples
    --------
    >>> import pandas as pd
    >>> table, units = bare_numbers(pd.DataFrame({"Part": ["71,8\u00a0%", "s"],
    ...                                           "Évolution": ["+85", "+26,0\u00a0pts"]}))
    >>> units, table.to_dict("list")["Part"], table.to_dict("list")["Évolution"]
    ({'Part': '%'}, ['71,8', 's'], ['+85', '+26,0'])
    >>> table["Évolution : unité"].tolist()
    ['', 'points de pourcentage']
    """
    import pandas as pd

    columns: dict[str, list[str]] = {}
    units: dict[str, str] = {}
    for name in text.columns:
        cells = [str(v) for v in text[name].fillna("")]
        found = [None if c in MISSING_VALUES else _NUMBER.match(c) for c in cells]
        figures = [m for m, c in zip(found, cells) if c not in MISSING_VALUES]
        suffixes = [(m.group("suffix") or "").strip() for m in figures if m]
        if not figures or not all(figures) or set(suffixes) == {""}:
            columns[name] = cells
            continue
        columns[name] = [c[:m.start("suffix")] if m and m.group("suffix") else c
                         for m, c in zip(found, cells)]
        if len(set(suffixes)) == 1:
            units[name] = _SUFFIX_UNITS[suffixes[0]]
        else:
            columns[f"{name} : unité"] = [
                _SUFFIX_UNITS.get((m.group("suffix") or "").strip(), "") if m else ""
                for m in found]
    return pd.DataFrame(columns, index=text.index), units


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a leading apostrophe when a spreadsheet would run it as a formula.

    French numbers (``-1,5``, ``+2,0 pts``) are left alone: they are figures, not
    formulas, and the apostrophe would turn them into text.
    """
    text = str(cell)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def safe_frame(text: "pd.DataFrame") -> "pd.DataFrame":
    """Every cell and column name of a text table through :func:`spreadsheet_safe`."""
    out = text.astype("string").fillna("")
    out.columns = [spreadsheet_safe(str(c)) for c in out.columns]
    for column in out.columns:
        out[column] = [spreadsheet_safe(v) for v in out[column]]
    return out


def _field(name: str, cells: list[str], unit: str | None) -> dict:
    figures = [c for c in cells if c not in MISSING_VALUES]
    field: dict = {"name": name, "type": "string"}
    grouped = any(GROUP_CHAR in c for c in figures)
    if figures and all(_INTEGER.match(c) for c in figures) and not grouped:
        field["type"] = "integer"
    elif figures and all(_INTEGER.match(c) for c in figures):
        # Frictionless integers know no group separator: "1 234" is a number without decimals.
        field.update(type="number", decimalChar=DECIMAL_CHAR, groupChar=GROUP_CHAR)
    elif figures and all(_NUMBER.match(c) for c in figures):
        field.update(type="number", decimalChar=DECIMAL_CHAR, groupChar=GROUP_CHAR)
        suffixes = {(m.group("suffix") or "").strip() for m in map(_NUMBER.match, figures)}
        if suffixes != {""}:
            field["bareNumber"] = False
            if len(suffixes) == 1:
                unit = unit or _SUFFIX_UNITS.get(suffixes.pop())
    header = _UNIT_IN_HEADER.search(name)
    said = header.group(1).strip() if header else ""
    # « (lieux) » is a unit; « Lieu hybride (plusieurs types) » is a name, not a unit.
    if said in HEADER_UNITS and field["type"] != "string":
        unit = unit or said
    if unit:
        field["unit"] = unit
    return field


def table_schema(text: "pd.DataFrame", *, codes: "pd.DataFrame | None" = None,
                 units: Mapping[str, str] | None = None) -> dict:
    """A Frictionless table schema of a published table (text cells) and its codes.

    Parameters
    ----------
    text
        The table as published (French text, e.g. :func:`tlresearch.report.tables.text_table`).
    codes
        Columns of codes written first in the file: strings, described as codes.
    units
        Units by column name, when the header and the cells do not say it.
    """
    units = dict(units or {})
    fields = []
    if codes is not None:
        for name in codes.columns:
            fields.append({"name": str(name), "type": "string",
                           "description": "code officiel (INSEE), dans sa propre colonne"})
    for name in text.columns:
        cells = [str(v) for v in text[name].fillna("")]
        fields.append(_field(str(name), cells, units.get(str(name))))
    return {"fields": fields, "missingValues": list(MISSING_VALUES)}


__all__ = ["table_schema", "spreadsheet_safe", "safe_frame", "split_intervals", "bare_numbers",
           "MISSING_VALUES", "FORMULA_STARTS", "HEADER_UNITS"]
