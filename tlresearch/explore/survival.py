"""``tlresearch.survival(event)``: the life course of places in one call.

Kaplan–Meier curves (:mod:`tlresearch.stats.survival`) of the time a place stays open
(``"closure"``, from the directory's opening and closing years) or of the time from
opening to the first hire (``"first_hire"``, from the panel), optionally by period of
opening or by type; French columns first, codes kept.
"""
from __future__ import annotations

import os

import pandas as pd

from tlresearch.explore.coverage import load_directory
from tlresearch.explore.panel_status import ExplorerError, panel_status, read_tables
from tlresearch.stats.survival import EVENTS, closure_spells, first_hire_spells, kaplan_meier

BY = {"opening_period": "Période d'ouverture", "typology": "Type de lieu"}


def survival(event: str = "first_hire", by: str | None = None, *, until: int | None = None,
             data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Kaplan–Meier curve of ``event`` (« closure » or « first_hire »), by group.

    Parameters
    ----------
    event
        ``"closure"`` (time open; needs the directory ``raw/annuaire/``) or
        ``"first_hire"`` (time from opening to the first wave seen as an employer).
    by
        None, ``"opening_period"`` or ``"typology"``.
    until
        Last wave to use (default: the panel's last), e.g. a report's year.

    Returns
    -------
    One row per time where the curve steps: ``Groupe``, ``Années depuis l'ouverture``,
    ``Probabilité`` (of no event yet), ``Borne basse``, ``Borne haute``, ``Lieux à
    risque``, ``Événements``, then the codes and bases (``places``,
    ``observed_events``, ``left_censored``: places already employing when first seen).
    """
    status = panel_status(data_dir).require()
    if event not in EVENTS:
        raise ExplorerError(f"événement inconnu {event!r} ; choisir parmi : {', '.join(EVENTS)}")
    if by is not None and by not in BY:
        raise ExplorerError(f"ventilation inconnue {by!r} ; choisir parmi : {', '.join(BY)}")
    last = status.waves[-1] if until is None else int(until)
    if event == "closure":
        directory = load_directory(data_dir=data_dir)
        if directory.empty or "opening_year" not in directory:
            raise ExplorerError("la durée de vie des lieux demande l'annuaire du réseau "
                                "(raw/annuaire/) avec les années d'ouverture et de fermeture")
        spells = closure_spells(directory, status.waves[0], last)
    else:
        (responses,) = read_tables(data_dir, "responses")
        spells = first_hire_spells(responses[(responses["wave"] <= last).to_numpy()])
    curve = kaplan_meier(spells, event, by)
    french = pd.DataFrame({
        "Événement": curve["event"].map(EVENTS), "Groupe": curve["group"],
        "Années depuis l'ouverture": curve["time"], "Probabilité": curve["survival"],
        "Borne basse": curve["low"], "Borne haute": curve["high"],
        "Lieux à risque": curve["at_risk"], "Événements": curve["events"]})
    return pd.concat([french, curve], axis=1)
