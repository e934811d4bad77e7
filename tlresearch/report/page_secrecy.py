"""Every figure a page prints about places goes through its wave's one protected grid.

The region's page and the twelve département pages print cells of the same
département × type grid (respondents, ETP, jobs, volunteers), alone or inside means
and changes. Each page therefore reads the wave's grid
(:func:`tlresearch.secrecy.wave_cache.wave_secrecy`: solved once per panel and rules,
kept in ``processed/secrecy/``) instead of protecting its tables on its own:

* :func:`wave_grids` gives the grid of any wave, solved or read once per kernel;
* :func:`coarser_types` gives the types the grid publishes (rare ones merged);
* :func:`through_grid` marks secret the indicator rows whose cell the grid hides
  (a mean times its base gives back the hidden sum);
* :func:`changes_through_secrecy` does the same for changes between two waves;
* :func:`transitions_block` publishes what became of the places since the previous
  wave (:mod:`tlresearch.stats.transition_secrecy`);
* :func:`paired_changes_block` publishes the change among the same places beside the
  change among all respondents (:mod:`tlresearch.stats.paired_secrecy`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.report.blocks import HTMLBlock, notice
from tlresearch.report.territory import territory_level

if TYPE_CHECKING:
    import pandas as pd

    from tlresearch.secrecy.wave_secrecy import WaveSecrecy

#: Note of a figure hidden because its territory × type cell is secret in the wave's grid.
GRID_NOTE = "secret statistique (case cachée dans le tableau par département et type)"


def wave_grids(responses: "pd.DataFrame", data_dir="",
               folder=None) -> Callable[[int], "WaveSecrecy"]:
    """A function giving each wave's protected grid, solved at most once per data folder.

    The grids are kept in ``processed/secrecy/`` of the data folder (one small file per
    wave, panel and rules; ``folder`` elsewhere), so the other pages of a report run
    read them.
    """
    from tlresearch.core.paths import DataPaths
    from tlresearch.secrecy.wave_cache import wave_secrecy

    if folder is None:
        folder = DataPaths.resolve(data_dir or None).processed / "secrecy"
    grids: dict[int, WaveSecrecy] = {}

    def grid_for(wave: int) -> "WaveSecrecy":
        if int(wave) not in grids:
            grids[int(wave)] = wave_secrecy(responses, int(wave), folder)
        return grids[int(wave)]
    return grid_for


def grid_row(territory: str, region: str = DEFAULT_REGION) -> str | None:
    """The grid's row of a territory: ``None`` (the margin) for the region."""
    return None if territory_level(territory, region) == "region" else str(territory)


def coarser_types(responses: "pd.DataFrame", grid: "WaveSecrecy") -> "pd.DataFrame":
    """``responses`` with the types the grid merged renamed « Autres types »."""
    if not grid.merged_types:
        return responses
    typology = responses["typology"].astype("string")
    return responses.assign(typology=typology.mask(typology.isin(list(grid.merged_types)),
                                                   "autres_types"))


def merged_types_notice(grid: "WaveSecrecy") -> HTMLBlock:
    """What the page says when the grid merged rare types, or withheld a sum no pattern
    of « s » could protect (nothing otherwise)."""
    from tlresearch.secrecy.wave_secrecy import SUM_HEADERS
    from tlresearch.stats.indicator_catalogue import split_label

    withheld = [SUM_HEADERS.get(v, v) for v in grid.withheld if v in grid.sums]
    if withheld:
        return notice(f"{' et '.join(withheld)} : pas de chiffre par département ni par type "
                      "de lieu pour cette vague (secret statistique) : même réduit aux totaux "
                      "par département, le tableau aurait permis de retrouver la réponse d'un "
                      "lieu.")
    if not grid.merged_types:
        return HTMLBlock("")
    names = ", ".join(split_label("typology", t) for t in grid.merged_types)
    return notice(f"Types regroupés en « Autres types » dans ce tableau, pour le secret "
                  f"statistique : {names}. Détaillés, ils reposaient sur trop peu de lieux par "
                  "département et les chiffres tirés des réponses auraient été en majorité "
                  "secrets. Le tableau des lieux répondants par département et type les détaille.")


def through_grid(tidy: "pd.DataFrame", grid_for: Callable[[int], "WaveSecrecy"],
                 territory: str, region: str = DEFAULT_REGION) -> "pd.DataFrame":
    """Indicator rows (one wave or several) marked secret where their wave's grid hides
    their cell: the territory's margin, or its type when split by type."""
    import pandas as pd

    if tidy.empty:
        return tidy
    row = grid_row(territory, region)
    parts = [grid_for(int(wave)).hide_indicators(part, row)
             for wave, part in tidy.groupby("wave", sort=False)]
    out = pd.concat(parts).loc[tidy.index]
    out["note"] = out["note"].astype("string").mask(
        out["suppression_reason"].astype("string").eq("grid").fillna(False), GRID_NOTE)
    return out


def changes_through_secrecy(changes: "pd.DataFrame", grid_for: Callable[[int], "WaveSecrecy"],
                            territory: str, region: str = DEFAULT_REGION,
                            rule=None) -> "pd.DataFrame":
    """Changes between two waves (:func:`tlresearch.stats.trends.compare_waves`) after secrecy.

    A change is secret when either wave's figure rests on fewer places than the
    threshold or is secret by itself (a sum it is made of has fewer than 3 places with
    a value above 0, or one dominant place: :mod:`tlresearch.secrecy.marks`), or when
    either wave's grid hides the territory's cell (then the change and the other
    wave's published figure would give the hidden one back). The change
    in the number of respondents is a count of places: printed in clear.
    """
    import pandas as pd

    from tlresearch.secrecy.rules import SecrecyRule
    from tlresearch.secrecy.wave_secrecy import PUBLIC_INDICATORS

    rule = rule or SecrecyRule()
    out = changes.copy()
    row = grid_row(territory, region)
    few = (out["n_from"].fillna(0).lt(rule.threshold) | out["n_to"].fillna(0).lt(rule.threshold))
    public = out["indicator"].astype("string").isin(PUBLIC_INDICATORS).fillna(False)
    for column in ("secret_from", "secret_to"):  # a ratio of sums with too few contributors
        if column in out.columns:
            few |= out[column].fillna(False).astype(bool)
    few &= out["value"].notna() & ~public
    by_type = out["split"].astype("string").eq("typology").fillna(False)
    grid_hidden = []
    for wave_from, wave_to, typed, value, code in zip(out["from_wave"], out["wave"], by_type,
                                                      out["split_value"], out["indicator"]):
        cell = value if typed else None
        grid_hidden.append(any(grid_for(int(w)).is_hidden(row, cell) or (
            not typed and grid_for(int(w)).margin_hidden(row, code))
            for w in (wave_from, wave_to)))
    grid_hidden = pd.Series(grid_hidden, index=out.index) & out["value"].notna() & ~public
    out["suppressed"] = (few | grid_hidden).astype("boolean")
    out["suppression_reason"] = pd.Series(
        [("primary_count" if f else "grid" if g else None) for f, g in zip(few, grid_hidden)],
        index=out.index, dtype="object")
    return out


def transitions_block(responses: "pd.DataFrame", from_wave: int, to_wave: int, territory: str,
                      grid_for: Callable[[int], "WaveSecrecy"], *, caption: str, filename: str,
                      region: str = DEFAULT_REGION) -> HTMLBlock:
    """What became of the places between two waves, protected (region page only).

    A département's page says why it shows none (:data:`DEPARTEMENT_NOTE`); the first
    wave has no previous one.
    """
    from tlresearch.report.tables import publish_table
    from tlresearch.stats.transition_secrecy import DEPARTEMENT_NOTE, protect_transitions

    if int(from_wave) == int(to_wave):
        return notice(f"{to_wave} est la première vague de l'enquête : pas de vague précédente.")
    if grid_row(territory, region) is not None:
        return notice(DEPARTEMENT_NOTE)
    grid = protect_transitions(responses, from_wave, to_wave)
    table = grid.territory_table()
    codes = table[["code_parcours"]]
    block = publish_table(table.drop(columns=["code_parcours"]), caption=caption,
                          filename=filename, year=to_wave, stub="Parcours des lieux",
                          codes=codes)
    if grid.withheld:
        from tlresearch.stats.transition_secrecy import WITHHELD_NOTE

        return HTMLBlock(str(notice(WITHHELD_NOTE)) + str(block))
    return block


def published_paired(responses: "pd.DataFrame", from_wave: int, to_wave: int, territory: str,
                     grid_for: Callable[[int], "WaveSecrecy"], *,
                     region: str = DEFAULT_REGION) -> "pd.DataFrame":
    """The change among the same places beside the change among all respondents, as a
    territory's page prints it (region or département): protected with every other
    territory's and through both waves' grids
    (:func:`tlresearch.stats.paired_secrecy.protect_paired`), so that the
    professionalisation pages and the trajectories page print the same rows. A first
    wave (``from_wave == to_wave``) has none."""
    import pandas as pd

    from tlresearch.stats.paired_changes import PAIRED_COLUMNS
    from tlresearch.stats.paired_secrecy import protect_paired

    protected = None if int(from_wave) == int(to_wave) else protect_paired(
        responses, int(from_wave), int(to_wave), grid_for, str(region))
    if protected is None or str(territory) not in set(protected.table["territory"]):
        return pd.DataFrame(columns=PAIRED_COLUMNS)  # a first wave, or no place answered
    return protected.territory_table(str(territory))


def paired_changes_block(paired: "pd.DataFrame", from_wave: int, to_wave: int, *,
                         caption: str, filename: str) -> HTMLBlock:
    """The table of :func:`published_paired` with the sentence that says which row is
    which; a first wave says it has no previous one."""
    from tlresearch.report.trajectories import paired_block

    if int(from_wave) == int(to_wave):
        return notice(f"{to_wave} est la première vague de l'enquête : pas de vague précédente.")
    if paired.empty:
        return notice(f"Aucun lieu de ce territoire n'a répondu en {from_wave} ni en {to_wave} : "
                      "pas d'évolution à mesurer.")
    return paired_block(paired, caption=caption, filename=filename)


__all__ = ["wave_grids", "grid_row", "coarser_types", "merged_types_notice", "through_grid",
           "changes_through_secrecy", "transitions_block", "published_paired",
           "paired_changes_block", "GRID_NOTE"]
