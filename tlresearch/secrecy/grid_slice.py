"""What one département's pages can read from a wave's protected grid: its slice.

A wave's grid (:class:`~tlresearch.secrecy.wave_secrecy.WaveSecrecy`) is solved on
the whole region, so one answer changed anywhere may move it. But a département's
page prints only its own row of the grid: its cells by type (counts of places, ETP),
whether each is hidden, whether each of its sums printed alone (key figures) is
hidden, and the grid's columns — the types of the region, which were merged into
« Autres types », which sums were withheld. The values in that row are sums of the
département's own answers, which the report's key hashes apart. So the slice below,
with those answers, is everything such a page takes from the grid: when neither
moved, the page is what it was, whatever changed in another département.

The slice is read from the grid's pattern (:func:`~tlresearch.secrecy.wave_cache.wave_pattern`,
a small file per wave) and the wave's rows of the region (which types and sums it has),
never from the tabulated grid: a report's key takes milliseconds per wave.

The region's page prints the whole grid, which is a function of the region's answers
(and of the rules and the code, both in every key): its key needs no slice.

Examples
--------
>>> import pandas as pd
>>> from tlresearch.secrecy.wave_cache import pattern_of
>>> from tlresearch.secrecy.wave_secrecy import protect_wave
>>> wave = pd.DataFrame({"departement_code": ["33"] * 7 + ["64"] * 6,
...                      "typology": ["coworking"] * 4 + ["fablab"] * 3
...                                  + ["coworking"] * 4 + ["fablab"] * 2,
...                      "etp": [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 2.0, 0.0, 1.5, 1.0, 1.0, 2.0]})
>>> pattern = pattern_of(protect_wave(wave))
>>> departement_slice(pattern, wave, "64")["hidden"]
['coworking', 'fablab']
>>> departement_slice(pattern, wave, "40")["in_grid"]   # no respondent there
False
"""
from __future__ import annotations

import pandas as pd

from tlresearch.secrecy.wave_cache import MARGIN_SUMS, PAGE_SUMS
from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT


def wave_facts(pattern: dict, rows: pd.DataFrame) -> dict:
    """What every page of the wave prints of the whole grid, and who is in it: computed
    once per wave for all its départements (see :func:`departement_slice`)."""
    departements = rows["departement_code"].astype("string").fillna(UNKNOWN_DEPARTEMENT)
    hidden: dict[str, list[str]] = {}
    for row, column in pattern["hidden"]:
        hidden.setdefault(str(row), []).append(str(column))
    margins: dict[str, list[str]] = {}
    for variable, rows_hidden in pattern["margins"].items():
        for row in rows_hidden:
            margins.setdefault(str(row), []).append(str(variable))
    return {"departements": set(departements.unique()), "hidden": hidden, "margins": margins,
            "types": sorted({"" if pd.isna(t) else str(t) for t in rows["typology"]}),
            "sums": [v for v in dict.fromkeys((*PAGE_SUMS, *MARGIN_SUMS))
                     if v in rows and pd.to_numeric(rows[v], errors="coerce").notna().any()],
            "merged_types": [str(t) for t in pattern["merged_types"]],
            "withheld": [str(v) for v in pattern["withheld"]]}


def departement_slice(pattern: dict, rows: pd.DataFrame, departement: str,
                      facts: dict | None = None) -> dict:
    """The part of a wave's grid a page of ``departement`` can print, as plain data.

    Parameters
    ----------
    pattern
        The wave's pattern (:func:`~tlresearch.secrecy.wave_cache.wave_pattern`).
    rows
        The wave's responses of the region the grid was solved on.
    departement
        The département's code.
    facts
        :func:`wave_facts` of ``pattern`` and ``rows``, when already computed.

    Returns
    -------
    dict
        ``in_grid`` (it has respondents this wave), ``hidden`` (the columns of its row
        hidden, « Ensemble » included), ``margins`` (its sums printed alone that are
        hidden), and what every page of the wave prints of the whole grid: ``types``
        (the region's types of place, which are the columns), ``sums`` (the sums the
        wave has), ``merged_types`` and ``withheld``.
    """
    facts = facts or wave_facts(pattern, rows)
    row = str(departement)
    return {"in_grid": row in facts["departements"],
            "hidden": sorted(facts["hidden"].get(row, [])),
            "margins": sorted(facts["margins"].get(row, [])),
            **{k: facts[k] for k in ("types", "sums", "merged_types", "withheld")}}


__all__ = ["departement_slice", "wave_facts"]
