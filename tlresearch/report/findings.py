"""« L'essentiel »: what a page finds, in a few French sentences written from its figures.

A reader — an elected official, a journalist — reads the first lines of a page and
stops. Those lines must say what the figures say, and nothing more:

* every number in them is a figure the page publishes, formatted as the page prints it
  (the key-figure cards of a Panorama, the series and changes of the professionalisation
  page), taken *after* statistical secrecy: a secret figure is never written, its
  sentence says it is secret or is left out;
* a change is called « en hausse » or « en baisse » only when its interval excludes 0;
  otherwise the figure is « stable » (the difference is within the uncertainty of a
  survey of the places that answered), and no rank or superlative is made up;
* the headline (lifted under the page's title by the renderer) states the main finding.

The block is one ``<section data-tl-block="essentials">`` whose first paragraph is the
headline (``tl-headline``), followed by a list of sentences.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tlresearch.core.formats import NBSP, format_count, format_value, is_missing
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.report.blocks import HTMLBlock
from tlresearch.report.key_figures import change_text, key_figure_rows
from tlresearch.report.territory import previous_wave, territory_level

if TYPE_CHECKING:
    import pandas as pd

#: What a change whose interval contains 0 is called.
STABLE = "stable"
#: The indicators a professionalisation page describes, in order, with their sentence.
TREND_SENTENCES = {
    "share_employers": "La part des lieux employeurs",
    "facilitator_places": "La part des lieux employeurs ayant un poste de facilitation / coordination",
    "facilitator_jobs": "La part des postes salariés de facilitation / coordination",
    "etp_mean": "Le nombre moyen d'équivalents temps plein par lieu",
}


@dataclass(frozen=True)
class Essentials:
    """A headline and the sentences under it (plain text: escaped when rendered)."""

    headline: str
    sentences: tuple[str, ...]

    def block(self) -> HTMLBlock:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in self.sentences)
        return HTMLBlock('<section class="tl-essentials" data-tl-block="essentials" '
                         'aria-label="L\'essentiel">'
                         f'<p class="tl-headline">{html.escape(self.headline)}</p>'
                         f"<ul>{items}</ul></section>")


def direction(low, high) -> str:
    """« en hausse », « en baisse » or « stable » from the interval of a change.

    Examples
    --------
    >>> direction(0.02, 0.11), direction(-0.03, 0.04), direction(-0.2, -0.01)
    ('en hausse', 'stable', 'en baisse')
    >>> direction(None, None)
    'stable'
    """
    if is_missing(low) or is_missing(high):
        return STABLE  # no interval (a sum, a count): no claim of a real change
    if float(low) > 0:
        return "en hausse"
    if float(high) < 0:
        return "en baisse"
    return STABLE


def _verdict(word: str) -> str:
    """How a change compares with its uncertainty, e.g. « dans la marge d'incertitude : stable »."""
    if word == STABLE:
        return "dans la marge d'incertitude : stable"
    return f"au-delà de la marge d'incertitude : {word}"


# --------------------------------------------------------------------------- Panorama

def panorama_essentials(responses: "pd.DataFrame", staff: "pd.DataFrame | None", year: int,
                        territory: str, region: str = DEFAULT_REGION,
                        grid_for=None, known_places: int | None = None) -> Essentials:
    """The essentials of a Panorama, from its key-figure cards (after secrecy).

    The direction of the change of a share comes from
    :func:`tlresearch.stats.trends.compare_waves` (its interval); the numbers printed
    are the cards' own, so that the text and the cards cannot disagree.
    """
    rows = key_figure_rows(responses, staff, year, territory, region, grid_for,
                           known_places).set_index("indicator")
    words = _share_directions(responses, staff, year, territory, region, rows)
    card = {code: _card_text(rows.loc[code]) for code in rows.index}
    sentences = [_respondents_sentence(rows.loc["respondents"], year)]
    employers = rows.loc["share_employers"]
    if employers["secret"]:
        sentences.append("La part des lieux employeurs est couverte par le secret statistique "
                         "(trop peu de lieux répondants).")
    elif not is_missing(employers["value"]):
        sentences.append(f"{card['share_employers']} des lieux répondants emploient au moins "
                         f"un salarié{_change_clause(employers, words.get('share_employers'))}.")
    volunteers = rows.loc["share_volunteer_run"]
    if not volunteers["secret"] and not is_missing(volunteers["value"]):
        sentences.append(f"{card['share_volunteer_run']} fonctionnent uniquement avec des "
                         f"bénévoles{_change_clause(volunteers, words.get('share_volunteer_run'))}.")
    staff_sentence = _staff_sentence(rows, card)
    if staff_sentence:
        sentences.append(staff_sentence)
    jobs = rows.loc["facilitator_jobs"]
    if not jobs["secret"] and not is_missing(jobs["value"]):
        sentences.append(f"{card['facilitator_jobs']} des postes salariés sont occupés par des "
                         "facilitateur·rices / coordinateur·rices.")
    return Essentials(_panorama_headline(rows, card, words, year), tuple(sentences[:5]))


def _card_text(row) -> str:
    return "s" if row["secret"] else format_value(row["value"], str(row["unit"]))


def _share_directions(responses, staff, year, territory, region, rows) -> dict[str, str]:
    """Direction of each share's change since the previous wave, where the card shows one."""
    shown = [code for code in ("share_employers", "share_volunteer_run")
             if not is_missing(rows.loc[code, "change"])]
    before = previous_wave(responses, year)
    if not shown or before == int(year):
        return {}
    from tlresearch.stats.trends import compare_waves

    changes = compare_waves(responses, staff, before, int(year), indicators=shown,
                            territory=(territory_level(territory, region), str(territory)))
    return {row.indicator: direction(row.low, row.high) for row in changes.itertuples()}


def _change_clause(row, word: str | None) -> str:
    if is_missing(row["change"]) or row["previous_wave"] is None:
        return ""
    text = change_text(row["change"], str(row["unit"]), row["previous_wave"])
    return f" ({text}, {_verdict(word or STABLE)})"


def _respondents_sentence(row, year: int) -> str:
    n = int(row["value"]) if not is_missing(row["value"]) else 0
    places = "lieu a répondu" if n == 1 else "lieux ont répondu"
    change = ("" if is_missing(row["change"]) or row["previous_wave"] is None else
              f" ({change_text(row['change'], 'lieux', row['previous_wave'])})")
    known = row.get("known")
    out_of = ("" if known is None or is_missing(known) else
              f", sur {format_count(known)}{NBSP}lieux connus du réseau")
    return f"{format_count(n)}{NBSP}{places} à l'enquête {int(year)}{change}{out_of}."


def _staff_sentence(rows, card: dict[str, str]) -> str:
    parts = []
    if not rows.loc["staff_total_sum", "secret"] and not is_missing(rows.loc["staff_total_sum", "value"]):
        staff = f"{card['staff_total_sum']}{NBSP}salariés"
        contracts = [f"{card[code]} en {word}" for code, word in (("cdi_sum", "CDI"),
                                                                    ("cdd_sum", "CDD"))
                     if not rows.loc[code, "secret"] and not is_missing(rows.loc[code, "value"])]
        if contracts:
            staff += ", dont " + " et ".join(contracts)
        parts.append(staff)
    if not rows.loc["etp_sum", "secret"] and not is_missing(rows.loc["etp_sum", "value"]):
        parts.append(f"{card['etp_sum']}{NBSP}équivalents temps plein")
    if not rows.loc["volunteers_sum", "secret"] and not is_missing(rows.loc["volunteers_sum", "value"]):
        parts.append(f"{card['volunteers_sum']}{NBSP}bénévoles")
    if not parts:
        return ("Les effectifs (salariés, équivalents temps plein, bénévoles) sont couverts par "
                "le secret statistique.")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
    return f"Les lieux répondants déclarent {listed}."


def _panorama_headline(rows, card: dict[str, str], words: dict[str, str], year: int) -> str:
    employers = rows.loc["share_employers"]
    if employers["secret"] or is_missing(employers["value"]):
        n = rows.loc["respondents", "value"]
        n = 0 if is_missing(n) else int(n)
        return f"{format_count(n)}{NBSP}tiers-lieux ont répondu à l'enquête {int(year)}"
    word = words.get("share_employers")
    trend = "" if word is None else (
        f", une part stable depuis {int(employers['previous_wave'])}" if word == STABLE
        else f", une part {word} depuis {int(employers['previous_wave'])}")
    return (f"{card['share_employers']} des tiers-lieux répondants emploient au moins un "
            f"salarié en {int(year)}{trend}")


# --------------------------------------------------------------------------- trends

def trend_essentials(series: "pd.DataFrame", changes: "pd.DataFrame",
                     paired: "pd.DataFrame | None" = None) -> Essentials:
    """The essentials of the professionalisation page, from its published tables.

    Parameters
    ----------
    series
        The indicators by wave, after secrecy (as the page's table publishes them).
    changes
        :func:`tlresearch.stats.trends.compare_waves` from the first to the last wave of
        the series, after secrecy (as the page's table of changes publishes it).
    paired
        The change since the previous wave among the same places beside all
        respondents, after secrecy (:func:`tlresearch.report.page_secrecy.published_paired`):
        one more sentence on the share of employers when both rows are printed.
    """
    from tlresearch.secrecy.marks import publishable

    series = publishable(series) if "suppressed" in series else series
    changes = publishable(changes) if "suppressed" in changes else changes
    waves = sorted(int(w) for w in series["wave"].dropna().unique())
    if len(waves) < 2:
        only = waves[0] if waves else None
        return Essentials(
            f"Première vague de l'enquête ({only})" if only else "Aucune vague publiée",
            ("Une seule vague : aucune évolution n'est encore mesurable ; les indicateurs de "
             "cette vague sont donnés ci-dessous.",))
    first, last = waves[0], waves[-1]
    sentences, headline = [], None
    for code, subject in TREND_SENTENCES.items():
        sentence = _trend_sentence(series, changes, code, subject, first, last)
        if sentence is None:
            continue
        sentences.append(sentence[0])
        headline = headline or sentence[1]
    if not sentences:
        sentences.append("Les indicateurs d'emploi de ce territoire sont couverts par le secret "
                         "statistique ou n'ont pas été demandés.")
    same_places = None if paired is None else paired_sentence(paired)
    if same_places:
        sentences = [*sentences[:4], same_places]
    return Essentials(headline or f"L'emploi dans les tiers-lieux répondants, {first}-{last}",
                      tuple(sentences[:5]))


def _published(frame: "pd.DataFrame", code: str, wave: int):
    rows = frame[(frame["indicator"] == code) & (frame["wave"] == wave)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    hidden = "display" in rows and row["display"] == "s"
    return None if hidden or is_missing(row["value"]) else row


def _trend_sentence(series, changes, code: str, subject: str, first: int, last: int):
    start, end = _published(series, code, first), _published(series, code, last)
    if start is None or end is None:
        return None
    unit = str(end["unit"])
    change = _published(changes, code, last)
    word = STABLE if change is None else direction(change["low"], change["high"])
    values = (f"{format_value(start['value'], unit)} en {first} à "
              f"{format_value(end['value'], unit)} en {last}")
    verb = "est passée" if unit == "part" else "est passé"
    change_part = ("" if change is None else
                   f" ({format_value(change['value'], str(change['unit']), signed=True)}, "
                   f"{_verdict(word)})")
    sentence = f"{subject} {verb} de {values}{change_part}."
    headline = f"{subject} : {format_value(end['value'], unit)} en {last}" + (
        "" if change is None else f", {word} depuis {first}")
    return sentence, headline


def paired_sentence(paired: "pd.DataFrame", variable: str = "share_employers") -> str | None:
    """The share of employers among the same places beside all respondents, as the
    page's table prints them; None when either row is « s » or missing.

    The verdict is the paired interval's: « en hausse » only when it excludes 0.
    """
    from tlresearch.core.formats import format_number, format_percent, format_points
    from tlresearch.stats.paired_changes import ALL_RESPONDENTS, SAME_PLACES

    rows = paired[paired["variable"] == variable].set_index("sample")
    if SAME_PLACES not in rows.index or ALL_RESPONDENTS not in rows.index:
        return None
    same, every = rows.loc[SAME_PLACES], rows.loc[ALL_RESPONDENTS]
    if any(isinstance(r.get("secret"), str) and r["secret"] or is_missing(r["value_from"])
           or is_missing(r["value_to"]) for r in (same, every)):
        return None
    a, b = int(same["from_wave"]), int(same["to_wave"])
    return (f"Parmi les {format_number(same['n_from'])} lieux ayant répondu en {a} et en {b}, "
            f"la part des lieux employeurs est passée de {format_percent(same['value_from'])} "
            f"à {format_percent(same['value_to'])} ({format_points(same['change'])}, "
            f"{_verdict(direction(same['low'], same['high']))}) ; parmi tous les répondants "
            f"de chaque vague, de {format_percent(every['value_from'])} à "
            f"{format_percent(every['value_to'])}.")


__all__ = ["Essentials", "paired_sentence", "panorama_essentials", "trend_essentials", "direction", "STABLE"]
