"""``tlresearch.indicator(...)``: one indicator, any territory, wave(s) and split, in one call.

The report notebooks compute fixed tables; a researcher asks one question at a time
("the share of employers in Gironde in 2024, by typology?"). This call reads the panel,
checks the question (indicator code, territory, wave, split) with a one-line French
message when it does not make sense, and answers with the value, its interval and the
number of places it rests on, under the same rules as the reports
(:mod:`tlresearch.stats.indicators`: among respondents, unasked questions missing).
"""
from __future__ import annotations

import os

import pandas as pd

from tlresearch.core.settings import home_region
from tlresearch.explore.french import french_indicator_table
from tlresearch.explore.panel_status import ExplorerError, panel_status, read_tables
from tlresearch.explore.territory import territory as read_territory
from tlresearch.stats.indicator_catalogue import catalogue, catalogue_table, indicator_settings
from tlresearch.stats.indicators import compute_indicators
from tlresearch.stats.trends import indicator_series

#: Words accepted for "every wave of the panel".
ALL_WAVES = ("all", "toutes")


def indicator(code: str = "share_employers", territory: str | int | None = None,
              wave: int | list[int] | str | None = None, split: str | None = None, *,
              data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One indicator with its interval and base, French labels first, codes kept.

    Parameters
    ----------
    code
        An indicator of ``vocab/indicators.yaml`` (``share_employers``, ``etp_mean``,
        ``facilitator_places``...); :func:`indicator_codes` lists them.
    territory
        ``"75"`` (the region), a department (``"33"``) or an EPCI's SIREN.
    wave
        A survey wave, a list of waves, ``"toutes"`` for every wave, or None for the
        last wave of the panel.
    split
        None, ``"typology"``, ``"legal_status"``, ``"territorial_class"``, or
        ``"departement"``: each département tested against the rest of the region
        (:func:`~tlresearch.explore.departements.compare_departements`).
    data_dir
        Data folder (default: the checkout's ``data/`` or ``TLRESEARCH_DATA_DIR``).

    Returns
    -------
    DataFrame, one row per wave (× split value): ``Indicateur``, ``Territoire``,
    ``Vague``, ``Catégorie`` (with a split), ``Valeur``, ``Intervalle``,
    ``Base (lieux)``, ``Secret``, ``Note``, then the codes and numbers
    (``indicator``, ``territory``, ``wave``, ``split_value``, ``value``, ``low``,
    ``high``, ``n``, ``suppressed``...). Waves where the question was not asked are
    left out of a series.

    Raises
    ------
    UsageError
        Unknown indicator, territory, wave or split; ``PanelNotBuilt`` (a
        ``UsageError``) when the panel has not been built.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        import tlresearch
        tlresearch.indicator("share_employers", "33", 2024, split="typology")
    """
    status = panel_status(data_dir).require()
    if split == "departement":  # each département against the rest, corrected (issue 23)
        from tlresearch.explore.departements import compare_departements

        return compare_departements(code, wave, data_dir=data_dir)
    if code not in catalogue():
        raise ExplorerError(f"indicateur inconnu {code!r} ; indicateurs : "
                         f"{', '.join(catalogue())}")
    if split is not None and split not in indicator_settings()["splits"]:
        raise ExplorerError(f"ventilation inconnue {split!r} ; choisir parmi : "
                         f"{', '.join(indicator_settings()['splits'])}")
    waves = _waves(wave, status.waves)
    responses, staff, places = read_tables(data_dir, "responses", "staff", "places")
    places = places if len(str(territory).strip()) == 9 else None
    where = read_territory(territory, places, home_region(data_dir))
    tidy = _compute(responses, staff, code, where.pair, split, waves,
                    series=not isinstance(wave, int) and wave is not None)
    table = french_indicator_table(tidy, where.label)
    table.attrs["demo"] = responses.attrs.get("demo", False)
    return table


def indicator_codes() -> pd.DataFrame:
    """The indicators one can ask for: code, French label, unit and definition."""
    table = catalogue_table()[["indicator", "label", "unit", "definition"]]
    return table.rename(columns={"label": "Indicateur", "unit": "Unité",
                                 "definition": "Définition"})


def _waves(wave, known: tuple[int, ...]) -> list[int]:
    """The waves asked for, each checked against the panel's."""
    if wave is None:
        return [known[-1]]
    if isinstance(wave, str) and wave.strip().lower() in ALL_WAVES:
        return list(known)
    asked = [wave] if isinstance(wave, (int, str)) else list(wave)
    try:
        waves = [int(w) for w in asked]
    except (TypeError, ValueError):
        raise ExplorerError(f"vague illisible {wave!r} : une année, une liste d'années "
                         "ou \"toutes\"") from None
    absent = [w for w in waves if w not in known]
    if absent:
        raise ExplorerError(f"aucune vague {', '.join(map(str, absent))} dans le panel ; "
                         f"vagues : {', '.join(map(str, known))}")
    return waves


def _compute(responses, staff, code: str, pair, split, waves: list[int], series: bool):
    """Tidy rows: one wave with :func:`compute_indicators`, several with the series."""
    if not series:
        return compute_indicators(responses, staff, waves[0], pair, split, indicators=[code])
    return indicator_series(responses, staff, [code], pair, split, waves=waves)
