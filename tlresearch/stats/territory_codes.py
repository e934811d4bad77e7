"""A territory as a bare code (``"75"``, ``"33"``, an EPCI's SIREN) or a ``(level, code)`` pair.

The explorer's :func:`tlresearch.explore.territory.territory` reads codes for the
researcher with French names; the statistics functions (``compute_indicators``,
``compare_waves``, ``transitions``) take the same codes through :func:`territory_pair`,
so a territory is named the same way in every call.
"""
from __future__ import annotations

from functools import lru_cache

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION


@lru_cache(maxsize=1)
def _codes() -> tuple[frozenset, dict[str, str]]:
    """Region codes, and the region of each département code."""
    from tlresearch.geo.datafrance import all_communes, regions

    communes = all_communes().dropna(subset=["departement_code", "region_code"])
    return (frozenset(regions()["code"].astype(str)),
            dict(zip(communes["departement_code"].astype(str),
                     communes["region_code"].astype(str))))


def region_of(code) -> str | None:
    """The region of a region's or a département's code; None for anything else.

    Examples
    --------
    >>> region_of("11"), region_of("77"), region_of("2A"), region_of("243300316")
    ('11', '11', '94', None)
    """
    text = str(code).strip()
    region_codes, departement_regions = _codes()
    return text if text in region_codes else departement_regions.get(text)


def territory_pair(territory, region: str = DEFAULT_REGION) -> tuple[str, str]:
    """``(level, code)`` of a territory given as a pair or as a bare code.

    A bare code is the region's (``"75"``), a département's (``"33"``, ``"2A"``) or a
    nine-digit EPCI SIREN. The region's own code wins over the département of the same
    number (``"75"`` is a region's code before it is Paris's département's).

    Examples
    --------
    >>> territory_pair("33"), territory_pair(75), territory_pair("243300316")
    (('departement', '33'), ('region', '75'), ('epci', '243300316'))
    >>> territory_pair(("departement", "24"))
    ('departement', '24')
    """
    if isinstance(territory, (tuple, list)) and len(territory) == 2:
        return str(territory[0]), str(territory[1])
    if not isinstance(territory, (str, int)) or isinstance(territory, bool):
        raise UsageError(f"territory must be a code (\"75\", \"33\", an EPCI SIREN) or a pair "
                         f"(level, code), got {territory!r}")
    text = str(territory).strip()
    region_codes, departement_codes = _codes()
    if text == region or (text in region_codes and text not in departement_codes):
        return "region", text
    if text.isdigit() and len(text) == 9:
        return "epci", text
    if text in departement_codes:
        return "departement", text
    raise UsageError(f"unknown territory {text!r}: give the region's code ({region}), a "
                     "département's code or an EPCI's nine-digit SIREN")
