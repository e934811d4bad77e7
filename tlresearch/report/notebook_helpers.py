"""What the report notebooks call: one import, ``helpers``, for every page.

The notebooks under ``notebooks/`` only call the library; what two of them need
lives here or in the modules this one gathers: the territory of a report
(:mod:`tlresearch.report.territory`), tables (:mod:`tlresearch.report.tables`,
:mod:`tlresearch.report.indicator_tables`), key figures
(:mod:`tlresearch.report.key_figures`), French labels (:mod:`tlresearch.report.labels`).
The functions below build the blocks the pages share: the demo banner, the notice
of a territory with few respondents, the tables by department and type of place,
the quality tables and the link to the printed version.

(Territory names and levels: :mod:`tlresearch.report.territory`, whose examples show them.)
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.report.area_maps import area_map_block
from tlresearch.report.blocks import HTMLBlock, figure_block, notice
from tlresearch.report.findings import panorama_essentials, trend_essentials
from tlresearch.report.free_text import MASKED, looks_like_contact, mask_contact_text
from tlresearch.report.indicator_tables import (
    chart_block,
    count_table,
    describe_chart,
    format_value,
    french_table,
    indicator_table,
)
from tlresearch.report.key_figures import KEY_FIGURES, key_figure_rows, key_figures
from tlresearch.report.labels import french_label, relabel
from tlresearch.report.map_block import show_map
from tlresearch.report.page_secrecy import (
    changes_through_secrecy,
    coarser_types,
    grid_row,
    merged_types_notice,
    paired_changes_block,
    published_paired,
    through_grid,
    transitions_block,
    wave_grids,
)
from tlresearch.report.page_settings import graduates_source, page_region, use_folder
from tlresearch.report.page_style import DEMO_BANNER
from tlresearch.report.profile_tables import profile_table
from tlresearch.report.publication_tables import (
    publish_by_category,
    publish_by_wave,
    publish_changes,
)
from tlresearch.report.resolution_notes import french_resolution_note
from tlresearch.report.tables import publish_table, source_line
from tlresearch.report.territory import (
    of_territory,
    panel_waves,
    previous_wave,
    select_territory,
    territory_boundaries,
    territory_label,
    territory_level,
    validate_parameters,
)

if TYPE_CHECKING:
    import pandas as pd

    from tlresearch.secrecy.wave_secrecy import WaveSecrecy

#: Label of the places whose commune could not be found (no department).
UNLOCATED = "Commune non retrouvée"


def panorama_findings(responses: "pd.DataFrame", staff: "pd.DataFrame | None", year: int,
                      territory: str, region: str = DEFAULT_REGION, grid_for=None,
                      known_places: int | None = None) -> HTMLBlock:
    """« L'essentiel » of a Panorama (:func:`tlresearch.report.findings.panorama_essentials`)."""
    return panorama_essentials(responses, staff, year, territory, region, grid_for,
                               known_places).block()


def known_places(year: int, territory: str, data_dir: str | None = None) -> int | None:
    """The places the network knows in ``territory`` at ``year`` (:func:`tlresearch.coverage`:
    those that answered a wave and are not known to have closed, and its directory's)."""
    from tlresearch.explore.coverage import coverage

    table = coverage(int(year), str(territory), data_dir=data_dir or None)
    known = table["code_known_places"].iloc[0] if len(table) else None
    return None if known is None or known != known else int(known)


def trend_findings(series: "pd.DataFrame", changes: "pd.DataFrame",
                   paired: "pd.DataFrame | None" = None) -> HTMLBlock:
    """« L'essentiel » of the professionalisation page, from its published tables
    (``paired``: its table of the same places, :func:`published_paired`)."""
    return trend_essentials(series, changes, paired).block()


def is_demo(frame: "pd.DataFrame") -> bool:
    """True for a table built from the demo survey (``attrs["demo"]`` or a ``demo`` column)."""
    if frame.attrs.get("demo"):
        return True
    return "demo" in frame.columns and bool(frame["demo"].fillna(False).astype(bool).any())


def demo_banner(data: "pd.DataFrame | bool") -> HTMLBlock:
    """The « Données fictives (démonstration) » banner when ``data`` is demo data.

    ``data`` is a table (see :func:`is_demo`) or a bool. Nothing (an empty block,
    which renders to nothing) for real data.
    """
    if not (data if isinstance(data, bool) else is_demo(data)):
        return HTMLBlock("")
    return HTMLBlock(f'<p class="tl-banner" data-tl-block="banner">{html.escape(DEMO_BANNER)}</p>')


def respondents_notice(n: int, territory: str, year: int) -> HTMLBlock:
    """What a page says when its territory has 0, 1 or 2 respondents (else nothing)."""
    where = of_territory(territory)
    if n == 0:
        return notice(f"Aucun lieu {where} n'a répondu à l'enquête {year} : cette page ne "
                      "peut montrer aucun chiffre pour ce territoire.")
    if n < 3:
        # The number is public (the map shows each place); what they answered is not.
        places = "Un seul lieu" if n == 1 else "Deux lieux seulement"
        verb = "a" if n == 1 else "ont"
        return notice(f"{places} {where} {verb} répondu à l'enquête {year} : les chiffres "
                      "tirés de leurs réponses relèvent du secret statistique et ne sont pas "
                      "publiés ; la carte des lieux est montrée.")
    return HTMLBlock("")


def period_label(first: int, last: int) -> str:
    """``"2017-2025"``, or ``"2026"`` when the series has one wave (never ``"2026-2026"``)."""
    return str(last) if int(first) == int(last) else f"{first}-{last}"


def pdf_link(stem: str) -> HTMLBlock:
    """A link to the printed version of the page (``<stem>.pdf``, beside the page)."""
    name = html.escape(f"{stem}.pdf", quote=True)
    return HTMLBlock(f'<p class="tl-pdf-link" data-tl-block="link"><a href="{name}">'
                     "Version imprimable (PDF, A4)</a></p>")


def _departement_column(frame: "pd.DataFrame") -> "pd.Series":
    codes = frame["departement_code"].astype("string")
    return codes.fillna(UNLOCATED)


def secrecy_table(wave: "pd.DataFrame", *, year: int, territory: str, value: str | None = None,
                  caption: str, filename: str, grid: "WaveSecrecy | None" = None,
                  region: str = DEFAULT_REGION) -> HTMLBlock:
    """Respondents (or a sum, ``value="etp"``) by department and type of place, published.

    With ``grid`` (the wave's protected grid, :func:`wave_grids`), the cells are the
    grid's: the same « s » on the region's page, on each département's page and in the
    other tables of the page, types merged where the grid merged them. Without it the
    table is protected alone (:func:`tlresearch.secrecy.protection.protect_table`), which
    a reader with two pages may undo. Rows are named by their department
    (``Gironde (33)``), columns by the French type of place under a « Type de lieu »
    spanner; the CSV adds the codes. A place whose commune is unknown is counted on its
    own row, « Commune non retrouvée ».
    """
    import pandas as pd

    from tlresearch.secrecy.protection import protect_table

    if wave.empty:
        return notice("Aucun lieu répondant : pas de tableau par département et type de lieu.")
    data = wave.assign(departement_code=_departement_column(wave))
    needed = ["typology"] + ([value] if value else [])
    # A panel whose waves never asked the question has no such column at all.
    if not set(needed) <= set(data.columns) or not data[needed].notna().all(axis=1).any():
        why = ("la question n'a pas été posée cette année-là, ou personne n'y a répondu"
               if value else "aucun lieu répondant n'a de type renseigné")
        return notice(f"{caption} : pas de tableau, {why}.")
    if grid is None:
        table = protect_table(data, "departement_code", "typology", value=value).display()
    else:
        from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT

        table = grid.tables()["lieux" if value is None else value].display()
        table = table.rename(index={UNKNOWN_DEPARTEMENT: UNLOCATED})
        if grid_row(territory, region) is not None:
            table = table.loc[[str(territory)]]
    codes = pd.DataFrame({"code_departement": [str(c) for c in table.index]})
    rows = [UNLOCATED if c == UNLOCATED else (c if c == "Ensemble" else territory_label(c))
            for c in table.index.astype(str)]
    from tlresearch.stats.indicator_catalogue import split_label

    # split_label also names the merged « Autres types » and the blank type.
    types = {c: ("Ensemble" if c == "Ensemble" else split_label("typology", c))
             for c in table.columns.astype(str)}
    text = table.rename(columns=types).reset_index(drop=True)
    text.columns = [str(c) for c in text.columns]
    text.insert(0, "Département", rows)
    spanned = [c for c in text.columns if c not in {"Département", "Ensemble"}]
    return publish_table(text, caption=caption, filename=filename, year=year,
                         stub="Département", spanner=("Type de lieu", spanned), codes=codes)


def published_changes(responses: "pd.DataFrame", staff: "pd.DataFrame", first: int, year: int,
                      territory: str, grid_for, *, region: str | None = None) -> "pd.DataFrame":
    """The changes of the indicators from ``first`` to ``year``, after secrecy (what the
    page's table of changes and its « L'essentiel » print); no row for a first wave."""
    import pandas as pd

    from tlresearch.stats.indicator_catalogue import COLUMNS
    from tlresearch.stats.trends import CHANGE_COLUMNS, compare_waves

    if int(first) == int(year):
        return pd.DataFrame(columns=[*COLUMNS, *CHANGE_COLUMNS])
    region = page_region(region)
    changes = compare_waves(responses, staff, int(first), int(year),
                            territory=(territory_level(territory, region), str(territory)))
    return changes_through_secrecy(changes, grid_for, territory, region=region)


def changes_block(changes: "pd.DataFrame", first: int, year: int, *, caption: str,
                  filename: str) -> HTMLBlock:
    """The table of :func:`published_changes`; a first wave says it is one (a change of
    a wave from itself is no change: it is never printed)."""
    if int(first) == int(year) or changes.empty:
        return notice(f"{year} est la première vague de l'enquête pour ce territoire : pas "
                      "encore d'évolution à mesurer.")
    return publish_changes(changes, caption=caption, filename=filename, year=year)


# --------------------------------------------------------------------------- quality page

def conservation_table(conservation: "pd.DataFrame", year: int) -> HTMLBlock:
    """Rows read, kept and quarantined per file of a wave."""
    frame = conservation.rename(columns={
        "file": "Fichier", "rows_in": "Lignes lues", "kept": "Gardées",
        "quarantined": "En quarantaine", "balanced": "Équilibré"}).drop(columns=["wave"])
    frame["Équilibré"] = [french_label("bool", v) for v in frame["Équilibré"]]
    return publish_table(frame, caption=f"Lignes lues, gardées et mises en quarantaine ({year})",
                         filename=f"conservation_{year}", year=year, stub="Fichier")


def rule_table(log: "pd.DataFrame", by: list[str], *, year: int, caption: str, filename: str,
               label: str) -> HTMLBlock:
    """Counts of a quality log by rule (and action), rules and actions in French.

    The CSV keeps the codes in columns of their own.
    """
    if log.empty:
        return notice(f"{caption} : aucune ligne pour la vague {year}.")
    counts = count_table(log, by, label)
    codes = counts[by].rename(columns={c: f"code_{c}" for c in by})
    names = {"rule": "Règle", "action": "Action", "file": "Fichier", "column": "Colonne"}
    kinds = {c: c for c in by if c in {"rule", "action"}}
    frame = relabel(counts, kinds).rename(columns=names)
    return publish_table(frame, caption=caption, filename=filename, year=year, codes=codes)


def unknown_titles_table(staff: "pd.DataFrame", *, year: int) -> HTMLBlock:
    """Job titles the role vocabulary does not classify (role ``unknown`` or missing)."""
    from tlresearch.ingest.roles import UNKNOWN

    unknown = staff[staff["role"].isna() | staff["role"].astype("string").eq(UNKNOWN)
                    .fillna(False).astype(bool)]
    if unknown.empty:
        return notice(f"Tous les intitulés de poste de la vague {year} sont reconnus.")
    # What people typed, on a public page: a phone number or an e-mail is masked first.
    # (judged on the title as typed too: normalising drops the « @ » and repeated « 00 »).
    typed = unknown["title_raw"] if "title_raw" in unknown else unknown["title_normalised"]
    contact = typed.map(looks_like_contact) | unknown["title_normalised"].map(looks_like_contact)
    unknown = unknown.assign(title_normalised=unknown["title_normalised"].astype(object).where(
        ~contact.astype(bool), MASKED))
    counts = count_table(unknown, "title_normalised", "Postes").rename(
        columns={"title_normalised": "Intitulé (normalisé)"})
    return publish_table(counts, caption=f"Intitulés de poste non reconnus ({year})",
                         filename=f"intitules_non_reconnus_{year}", year=year)


def other_answers_table(responses: "pd.DataFrame", *, year: int) -> HTMLBlock:
    """The « Autre » answers to the types of place, as typed (phones and e-mails masked).

    They count as ``autre`` in the typology; listed here, a lab sees which deserve an
    option of their own (a label in the codebook) next year.
    """
    from tlresearch.ingest.harmonise_options import OTHER_TEXT

    if OTHER_TEXT not in responses or responses[OTHER_TEXT].dropna().empty:
        return notice(f"Aucune réponse « Autre » aux types de lieu en {year}.")
    texts = responses[[OTHER_TEXT]].dropna()
    texts[OTHER_TEXT] = texts[OTHER_TEXT].map(mask_contact_text)
    counts = count_table(texts, OTHER_TEXT, "Lieux").rename(
        columns={OTHER_TEXT: "Réponse « Autre » (telle que saisie)"})
    return publish_table(counts, caption=f"Types de lieu répondus « Autre » ({year})",
                         filename=f"types_autre_{year}", year=year)


def unlocated_places_table(responses: "pd.DataFrame", *, year: int,
                           region: str | None = None) -> HTMLBlock:
    """Respondents whose commune could not be found (counted in the region, in no
    department), or lies outside the region (counted here only, in no figure)."""
    region = page_region(region)
    outside = responses["region_code"].astype("string").ne(region).fillna(False).astype(bool) \
        if "region_code" in responses else False
    lost = responses[responses["departement_code"].isna() | outside]
    if lost.empty:
        return notice(f"La commune de chaque lieu répondant en {year} a été retrouvée, "
                      f"dans la région.")
    columns = {"place_name": "Lieu", "declared_commune_name": "Commune déclarée",
               "declared_postcode": "Code postal déclaré", "resolution_note": "Motif"}
    present = [c for c in columns if c in lost.columns]
    frame = lost[present].copy()
    for column in ("place_name", "declared_commune_name", "declared_postcode"):
        if column in frame:  # typed by people: a phone number or an e-mail is masked
            frame[column] = frame[column].map(mask_contact_text, na_action="ignore")
    if "resolution_note" in frame:
        frame["resolution_note"] = frame["resolution_note"].map(french_resolution_note)
    if "region_code" in lost:
        frame.insert(len(frame.columns), "Situation", [
            "hors de la région : compté ici seulement" if o else
            "commune non retrouvée : comptée dans la région, dans aucun département"
            for o in (outside[lost.index] if not isinstance(outside, bool) else
                      [False] * len(lost))])
    frame = frame.rename(columns=columns).fillna("–")
    return publish_table(frame, caption=f"Lieux répondants dont la commune n'a pas été "
                         f"retrouvée ou est hors de la région ({year})",
                         filename=f"lieux_sans_commune_{year}", year=year)


__all__ = ["territory_level", "territory_label", "validate_parameters", "select_territory",
           "territory_boundaries", "panel_waves", "previous_wave", "format_value",
           "indicator_table", "count_table", "french_table", "chart_block", "describe_chart",
           "key_figures", "key_figure_rows", "KEY_FIGURES", "publish_table", "source_line",
           "french_label", "relabel", "figure_block", "notice", "show_map", "is_demo",
           "demo_banner", "respondents_notice", "period_label", "pdf_link", "secrecy_table",
           "conservation_table", "rule_table", "unknown_titles_table", "other_answers_table",
           "unlocated_places_table", "DEFAULT_REGION", "use_folder", "of_territory",
           "page_region", "graduates_source", "changes_block", "published_changes", "wave_grids", "grid_row",
           "merged_types_notice",
           "coarser_types", "through_grid", "changes_through_secrecy", "transitions_block",
           "panorama_findings", "trend_findings", "known_places", "profile_table", "area_map_block",
           "publish_by_category", "publish_by_wave", "publish_changes", "paired_changes_block",
           "published_paired"]
