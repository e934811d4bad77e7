"""The key figures a Panorama opens on: one card per figure, with its change.

A card shows the value (« s » under statistical secrecy), its unit, the number of
places it rests on and the change since the previous wave with its sign (in points
for a share). A change is shown only when both waves' figures may be published:
a change between a secret figure and a public one would reveal the secret one.

Given the waves' protected grids (``grid_for``, see
:func:`tlresearch.report.page_secrecy.wave_grids`), a figure whose territory the grid
hides (e.g. a département whose ETP one place dominates) is secret on its card as it
is in every table of the site.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from tlresearch.core.formats import NBSP, format_count, format_number, format_points, format_value, is_missing
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.report.blocks import HTMLBlock
from tlresearch.report.territory import previous_wave, territory_level

if TYPE_CHECKING:
    import pandas as pd

#: Indicators of the key figures of a Panorama, in the order they are shown.
#: After the employment figures, the people the places mobilise, as the network's own
#: Panorama breaks them down: volunteers, board members, interns, civic service.
KEY_FIGURES = ("respondents", "share_employers", "share_volunteer_run", "staff_total_sum",
               "cdi_sum", "cdd_sum", "etp_sum", "facilitator_places", "facilitator_jobs",
               "volunteers_sum", "board_members_sum", "interns_sum", "civic_service_sum")

#: Bootstrap resamples of the cards' indicators: a card prints no interval, so the
#: intervals only cost time (values and bases do not depend on them).
CARD_RESAMPLES = 50

#: Unit words under a card's value.
_UNIT_WORDS = {"part": "des répondants concernés", "lieux": "lieux", "personnes": "personnes",
               "ETP": "équivalents temps plein"}


def key_figure_rows(responses: "pd.DataFrame", staff: "pd.DataFrame | None", year: int,
                    territory: str, region: str = DEFAULT_REGION,
                    grid_for=None, known_places: int | None = None) -> "pd.DataFrame":
    """The key figures of ``year`` and of the previous wave, after secrecy, one row each.

    Columns: ``indicator``, ``label``, ``unit``, ``value``, ``n``, ``secret``,
    ``previous_wave``, ``previous_value``, ``change`` (missing when it cannot be shown),
    ``known`` (the places the network knows, :func:`tlresearch.coverage`, on the
    respondents' row: what the number of respondents is out of; a count of places).
    """
    import pandas as pd

    from tlresearch.secrecy.marks import publishable
    from tlresearch.stats.indicators import compute_indicators

    where = (territory_level(territory, region), str(territory))

    def wave_table(wave: int) -> pd.DataFrame:
        tidy = compute_indicators(responses, staff, int(wave), territory=where,
                                  indicators=list(KEY_FIGURES), resamples=CARD_RESAMPLES)
        if grid_for is not None:
            from tlresearch.report.page_secrecy import through_grid

            tidy = through_grid(tidy, grid_for, territory, region)
        return publishable(tidy).set_index("indicator")

    now = wave_table(year)
    before_year = previous_wave(responses, year)
    before = wave_table(before_year) if before_year != int(year) else None
    rows = []
    for code in KEY_FIGURES:
        row = now.loc[code]
        secret = row["display"] == "s"
        previous = (None if before is None or before.loc[code, "display"] == "s"
                    else before.loc[code, "value"])
        change = (None if secret or is_missing(row["value"]) or previous is None
                  or is_missing(previous) else float(row["value"]) - float(previous))
        rows.append({"indicator": code, "label": str(row["label"]), "unit": str(row["unit"]),
                     "value": None if secret else row["value"],
                     "n": None if secret else row["n"], "secret": bool(secret),
                     "known": known_places if code == "respondents" else None,
                     "previous_wave": None if before is None else before_year,
                     "previous_value": previous, "change": change})
    return pd.DataFrame(rows)


def change_value_text(change, unit: str) -> str:
    """A change as a card prints it, signed: ``+1,1 pts`` (a share), ``+13``, ``+28,6``."""
    if unit == "part":
        return format_points(change)
    if unit in {"lieux", "personnes"}:
        return format_number(change, 0, signed=True)
    return format_number(change, 1, signed=True)


def change_text(change, unit: str, previous_wave) -> str:
    """The last line of a card: ``+1,1 pts depuis 2024``, or why there is no change."""
    if change is None or is_missing(change):
        return "évolution non disponible" if previous_wave else "première vague"
    return f"{change_value_text(change, unit)} depuis {int(previous_wave)}"


#: Indicators whose unit of count is a job, not a place: their base says so.
_JOB_BASES = {"facilitator_jobs"}


def _base_text(indicator: str, n, known=None) -> str:
    """What a card's figure rests on: « sur 235 lieux », for a share of jobs « postes
    décrits par 174 lieux » (the jobs themselves are a sum under secrecy: not printed),
    and for the respondents the places the network knows (« sur 338 lieux connus »)."""
    if indicator == "respondents":
        return ("lieux connus du réseau : non renseigné" if is_missing(known) else
                f"sur {format_count(known)}{NBSP}lieux connus du réseau")
    if indicator in _JOB_BASES:
        return f"postes salariés décrits par {format_count(n)}{NBSP}lieux"
    return f"sur {format_count(n)}{NBSP}lieux"


def key_figures_block(rows: "pd.DataFrame") -> HTMLBlock:
    """The cards of :func:`key_figure_rows` as one block of HTML (escaped)."""
    cards = []
    for row in rows.itertuples(index=False):
        value = "s" if row.secret else format_value(row.value, row.unit)
        base = ("secret statistique" if row.secret else
                "non disponible" if is_missing(row.n) else
                "question non posée ou sans réponse" if is_missing(row.value) else
                _base_text(row.indicator, row.n, getattr(row, "known", None)))
        change = change_text(row.change, row.unit, row.previous_wave)
        # The colour follows the sign as written: a change rounded to 0,0 is neutral.
        sign = " tl-up" if change.startswith("+") else " tl-down" if change.startswith("-") else ""
        cards.append(
            '<div class="tl-card">'
            f'<p class="tl-card-label">{html.escape(row.label)}</p>'
            f'<p class="tl-card-value">{html.escape(value)}</p>'
            f'<p class="tl-card-unit">{html.escape(_UNIT_WORDS.get(row.unit, row.unit))}</p>'
            f'<p class="tl-card-base">{html.escape(base)}</p>'
            f'<p class="tl-card-change{sign}">'
            f"{html.escape(change)}</p></div>")
    return HTMLBlock('<section class="tl-key-figures" data-tl-block="key-figures" '
                     'aria-label="Chiffres clés">' + "".join(cards) + "</section>")


def key_figures(responses: "pd.DataFrame", staff: "pd.DataFrame | None", year: int,
                territory: str, region: str = DEFAULT_REGION, grid_for=None,
                known_places: int | None = None) -> HTMLBlock:
    """The key-figure cards of a Panorama (:data:`KEY_FIGURES`), after secrecy."""
    return key_figures_block(key_figure_rows(responses, staff, year, territory, region,
                                             grid_for, known_places))


__all__ = ["KEY_FIGURES", "key_figure_rows", "key_figures_block", "key_figures", "change_text",
           "change_value_text"]
