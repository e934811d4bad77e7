"""``tlresearch.coverage``, ``estimate_total``, ``load_directory``: what the respondents cover.

One call each, French columns first and codes kept, like :func:`tlresearch.indicator`:
the directory of known places linked to ``place_id``; the coverage of a wave (how
many known places answered) by type and territorial class; and totals for all known
places, the respondents weighted up (:mod:`tlresearch.stats.adjusted_totals`).
"""
from __future__ import annotations

import os

import pandas as pd

from tlresearch.core.paths import DataPaths
from tlresearch.core.settings import home_region
from tlresearch.explore.indicator import _waves
from tlresearch.explore.panel_status import ExplorerError, panel_status, read_tables
from tlresearch.explore.territory import territory as read_territory
from tlresearch.io.raw_tables import read_table
from tlresearch.stats.adjusted_totals import ESTIMABLE, estimate_totals
from tlresearch.stats.known_places import coverage as coverage_table
from tlresearch.stats.known_places import known_places, match_directory

#: Splits of a coverage table.
COVERAGE_SPLITS = {"typology": "Type de lieu", "territorial_class": "Classe territoriale",
                   "departement_code": "Département"}


def load_directory(*, data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The network's directory (``raw/annuaire/``) linked to the panel's ``place_id``.

    Every CSV or XLSX file of the folder is read with the survey's readers; a row that
    matches no place of the panel (a place that never answered) keeps ``place_id`` NA,
    and repeated rows are kept once (``duplicates`` counts the copies). An empty
    table when the data folder has no directory.
    """
    paths = DataPaths.resolve(data_dir)
    (responses,) = read_tables(data_dir, "responses")
    files = (sorted(p for p in paths.directory_folder.iterdir()
                    if p.suffix.lower() in {".csv", ".xlsx"})
             if paths.directory_folder.is_dir() else [])
    if not files:
        return pd.DataFrame(columns=["place_id", "place_name", "commune_code"])
    frames = [read_table(path).frame.assign(source_file=path.name) for path in files]
    return match_directory(pd.concat(frames, ignore_index=True), None, responses)


def known(data_dir=None) -> pd.DataFrame:
    """Known places of every wave (panel + directory), with their commune geography."""
    from tlresearch.geo.reference import load_boundaries

    (responses,) = read_tables(data_dir, "responses")
    directory = load_directory(data_dir=data_dir)
    communes = None
    try:
        communes = pd.DataFrame(load_boundaries("commune", home_region(data_dir), web=True,
                                                paths=DataPaths.resolve(data_dir),
                                                build=False)).drop(columns="geometry")
    except (OSError, ValueError):  # no geography built: directory-only places stay « inconnu »
        communes = None
    table = known_places(responses, directory if len(directory) else None,
                         communes=communes, region=home_region(data_dir))
    return table


def coverage(wave: int | None = None, territory: str | int | None = None,
             by: str | None = None, *, data_dir: str | os.PathLike | None = None
             ) -> pd.DataFrame:
    """Respondents, known places and coverage rate of one wave and territory.

    Parameters
    ----------
    wave
        The wave (default: the last of the panel).
    territory
        ``"75"``, a département (``"33"``) or an EPCI's SIREN; by default the data
        folder's region (its ``reseau.yaml``).
    by
        None, ``"typology"``, ``"territorial_class"`` or ``"departement_code"``.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        tlresearch.coverage(2024, "33", by="typology")
    """
    status = panel_status(data_dir).require()
    (wave,) = _waves(wave, status.waves)
    if by is not None and by not in COVERAGE_SPLITS:
        raise ExplorerError(f"ventilation inconnue {by!r} ; choisir parmi : "
                            f"{', '.join(COVERAGE_SPLITS)}")
    where = _territory(territory, data_dir)
    # A place whose commune was not found answered this network's survey: it counts in
    # the folder's region's coverage (in no département's), never in another region's.
    home = where.level == "region" and where.code == home_region(data_dir)
    table = coverage_table(known(data_dir), wave, where.column, where.code, by,
                           unlocated_inside=home)
    french = pd.DataFrame({"Territoire": where.label, "Vague": table["wave"]})
    if by:
        french[COVERAGE_SPLITS[by]] = table[by]
    french["Répondants"] = table["respondents"]
    french["Lieux connus"] = table["known_places"]
    french["Taux de couverture"] = table["rate"]
    out = pd.concat([french, table.add_prefix("code_")], axis=1)
    out.attrs["note"] = ("lieux connus : lieux ayant répondu à une vague et non connus comme "
                         "fermés, et lieux de l'annuaire du réseau ouverts cette année-là")
    return out


def estimate_total(variable: str | list[str] | None = None, wave: int | None = None,
                   territory: str | int | None = None, *,
                   data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Totals for all known places of a territory, the non-respondents accounted for.

    Parameters
    ----------
    variable
        ``cdi``, ``cdd``, ``staff_total`` (emplois salariés), ``etp``, ``volunteers``,
        ``employers``, ``share_employers``, a list of them, or None for all.
    wave, territory
        As in :func:`coverage`.

    Returns
    -------
    One row per estimate: ``Estimation``, ``Valeur``, ``Borne basse``, ``Borne haute``
    (95 % interval including the weighting), ``Somme des répondants``, ``Répondants``,
    ``Lieux connus``, ``Méthode``, then the codes and numbers.
    """
    status = panel_status(data_dir).require()
    (wave,) = _waves(wave, status.waves)
    variables = ([variable] if isinstance(variable, str) else
                 list(ESTIMABLE) if variable is None else list(variable))
    unknown = [v for v in variables if v not in ESTIMABLE]
    if unknown:
        raise ExplorerError(f"variable inconnue {unknown[0]!r} ; choisir parmi : "
                            f"{', '.join(ESTIMABLE)}")
    where = _territory(territory, data_dir)
    (responses,) = read_tables(data_dir, "responses")
    places = where.select(known(data_dir))
    table = estimate_totals(responses, places, wave, variables)
    french = pd.DataFrame({
        "Estimation": table["label"], "Territoire": where.label, "Vague": table["wave"],
        "Valeur": table["value"], "Borne basse": table["low"], "Borne haute": table["high"],
        "Somme des répondants": table["respondents_sum"], "Répondants": table["respondents"],
        "Lieux connus": table["known_places"], "Secret": table["suppressed"].map(
            {True: "s", False: ""}), "Méthode": table["method"], "Note": table["note"]})
    return pd.concat([french, table], axis=1)


def _territory(code, data_dir):
    """The territory named by ``code``; None is the data folder's region (``reseau.yaml``).

    A folder may hold several regions' surveys (a national network): a code that is
    not the folder's region's (nor one of its départements) but another region's, or
    one of its départements, is read within that region.
    """
    from tlresearch.stats.territory_codes import region_of

    region = home_region(data_dir)
    code = region if code is None else code
    places = read_tables(data_dir, "places")[0] if len(str(code).strip()) == 9 else None
    try:
        return read_territory(code, places, region)
    except ExplorerError:
        if region_of(code) in (None, region):
            raise
        return read_territory(code, places, region_of(code))
