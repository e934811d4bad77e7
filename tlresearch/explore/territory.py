"""A territory as the researcher types it: ``"75"``, ``"33"`` or an EPCI's SIREN.

The data folder's region (its settings: :mod:`tlresearch.core.settings`) and its
departments' codes are what the reports use; exploration also asks about one
intercommunality (EPCI, nine-digit SIREN such as ``"243300316"``). :func:`territory` turns any of them into a
:class:`Territory` that knows its level, the panel column it filters on and its French
name, and refuses an unknown code with a one-line message that lists the valid ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tlresearch.core.settings import home_region
from tlresearch.explore.panel_status import ExplorerError
from tlresearch.geo.datafrance import departement_names
from tlresearch.geo.names import departement_label, region_name

if TYPE_CHECKING:
    import pandas as pd

#: Panel column that holds each level's code.
COLUMNS = {"region": "region_code", "departement": "departement_code", "epci": "epci_code"}


@dataclass(frozen=True)
class Territory:
    """One territory: level, code and French label (``Gironde (33)``)."""

    level: str
    code: str
    label: str

    @property
    def column(self) -> str:
        return COLUMNS[self.level]

    @property
    def pair(self) -> tuple[str, str]:
        """``(level, code)``, the form :func:`tlresearch.compute_indicators` takes."""
        return self.level, self.code

    def select(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of ``frame`` (responses or places) in the territory; codes NA are outside."""
        if self.column not in frame.columns:
            raise ExplorerError(f"the table has no {self.column!r} column to select "
                             f"{self.label} from")
        mask = frame[self.column].astype("string").eq(self.code).fillna(False)
        return frame[mask.to_numpy(dtype=bool)].reset_index(drop=True)


def territory(code: str | int | None, places: pd.DataFrame | None = None,
              region: str | None = None) -> Territory:
    """Read a territory code.

    Parameters
    ----------
    code
        The region's code, one of its departments' codes, or an EPCI's SIREN; None or
        "": the region.
    places
        The places table, where the name of an EPCI is found (an EPCI code needs it).
    region
        Region of the survey (default: the data folder's, from its settings).

    Raises
    ------
    UsageError
        A code that is none of these (the message lists the departments).

    Examples
    --------
    >>> territory("33", region="75")
    Territory(level='departement', code='33', label='Gironde (33)')
    >>> territory(76, region="76").label, territory("31", region="76").label
    ('Occitanie', 'Haute-Garonne (31)')
    """
    region = region or home_region()
    text = str(code).strip() if code is not None else ""
    text = text or region  # nothing given: the region
    if text == region:
        return Territory("region", text, region_name(region))
    departements = departement_names(region)
    if text in departements:
        return Territory("departement", text, departement_label(text))
    if text.isdigit() and len(text) == 9 and places is not None and "epci_code" in places:
        names = places.loc[places["epci_code"].astype("string").eq(text).fillna(False),
                           "epci_name"].dropna()
        if len(names):
            return Territory("epci", text, str(names.iloc[0]))
    raise ExplorerError(
        f"territoire inconnu {text!r} : donnez le code de la région ({region}), d'un "
        f"département ({', '.join(sorted(departements))}) ou le SIREN d'un EPCI du panel")
