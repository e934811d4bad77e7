"""What the answers of one raw column look like: numbers, dates, ticks, text lists.

The draft codebook does not trust headers alone: ``Statut`` may be a legal form or a
response status. Each column's answers are profiled once (on its distinct values)
and the profile says which variables it can hold, which date formats read it, and
whether its cells list several values and with which separator.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from tlresearch.ingest.cell_lists import split_quoted
from tlresearch.io import cells as values

#: strptime formats tried on date columns, most specific first.
DATE_FORMATS = (
    "%d/%m/%Y - %H:%M", "%d/%m/%Y - %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y", "%Y-%m-%d",
    "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S",
)

#: Separators a cell listing several values may use, tried in this order.
SEPARATORS = ("; ", ";", " / ", "\n", " | ", ", ")

_WORDS = re.compile(r"[^\W\d_]+")

#: Share of answered cells that must contain a separator to propose it.
SPLIT_SHARE = 0.1


@dataclass
class Profile:
    """The answers of one column, summarised."""

    kind: str                      # empty, number, date, tick, text
    answered: int
    distinct: list[str] = field(default_factory=list)
    date_formats: tuple[str, ...] = ()
    date_parsed: int = 0
    separator: str | None = None
    split_cells: int = 0
    letters: float = 0.0           # share of distinct values holding a letter
    emails: float = 0.0            # share of distinct values that look like e-mails
    #: For a column of job titles: every separator its cells use (set by the draft).
    title_separators: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "date":
            return (f"{self.date_parsed}/{self.answered} dates read with "
                    f"{' or '.join(self.date_formats)}")
        if self.kind == "text" and self.separator:
            return (f"{self.split_cells}/{self.answered} cells list several values "
                    f"({self.separator!r})")
        return f"{self.answered} answers, {self.kind}"


def profile_column(series: pd.Series) -> Profile:
    """Profile the answers of one column (strings or NA).

    A cell equal to the column's own name is a repeated header row, not an answer.
    """
    answered = series.dropna()
    answered = answered[answered != series.name]
    distinct = list(dict.fromkeys(str(v) for v in answered))
    if not distinct:
        return Profile("empty", 0)
    counts = Counter(str(v) for v in answered)
    total = len(answered)

    def share(test) -> float:
        return sum(n for value, n in counts.items() if test(value)) / total

    numbers = [values.parse_decimal(v)[0] for v in distinct]
    above_one = any(n is not None and n > 1 for n in numbers)
    if share(lambda v: values.fold(v) in values.TICKED | values.UNTICKED) >= 0.95 \
            and not above_one:
        return Profile("tick", total, distinct)
    # A number may carry a unit ("120 m²", "5 personnes"), not words ("12 rue des Lilas").
    if share(lambda v: values.parse_decimal(v)[0] is not None
             and len(_WORDS.findall(v)) <= 1) >= 0.9:
        return Profile("number", total, distinct)
    # Years typed with words (« en 2010 », « depuis 2015 »): a number column all the same.
    if share(lambda v: values.parse_year(v)[1] == "year_in_words"
             or (values.parse_year(v)[0] is not None and v.strip().isdigit())) >= 0.9:
        return Profile("number", total, distinct)
    formats, parsed = date_formats(distinct, counts)
    if formats and parsed >= 0.8 * total:
        return Profile("date", total, distinct, formats, parsed)
    profile = Profile("text", total, distinct)
    profile.letters = sum(any(c.isalpha() for c in v) for v in distinct) / len(distinct)
    profile.emails = sum("@" in v for v in distinct) / len(distinct)
    profile.separator, profile.split_cells = detect_separator(counts)
    return profile


def date_formats(distinct: list[str], counts: Counter) -> tuple[tuple[str, ...], int]:
    """The fewest formats of :data:`DATE_FORMATS` that read the values, and how many
    cells they read."""
    unread = set(distinct)
    chosen: list[str] = []
    while unread:
        best, best_read = None, set()
        for pattern in DATE_FORMATS:
            read = {v for v in unread if _strptime(v, pattern)}
            if len(read) > len(best_read):
                best, best_read = pattern, read
        if best is None:
            break
        chosen.append(best)
        unread -= best_read
    parsed = sum(counts[v] for v in distinct if v not in unread)
    return tuple(chosen), parsed


def _strptime(text: str, pattern: str) -> bool:
    try:
        dt.datetime.strptime(text.strip(), pattern)
    except ValueError:
        return False
    return True


def detect_separator(counts: Counter) -> tuple[str | None, int]:
    """The separator splitting the most cells (at least :data:`SPLIT_SHARE` of them), and
    how many it splits; on a tie the earlier of :data:`SEPARATORS`.

    Examples
    --------
    >>> detect_separator(Counter({"Fablab / makerspace, Coworking": 3, "Coworking": 5,
    ...                           "Fablab / makerspace": 2, "Café, Coworking": 4}))
    (', ', 7)
    """
    total = sum(counts.values())
    best, best_cells = None, 0
    for separator in SEPARATORS:
        cells = sum(n for value, n in counts.items() if len(split_quoted(value, separator)) > 1)
        if cells > best_cells and cells >= max(2, SPLIT_SHARE * total):
            best, best_cells = separator, cells
    return best, best_cells
