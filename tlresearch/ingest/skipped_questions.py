"""Questions a form skipped: a blank count after « Non » to a filter question means 0.

LimeSurvey's relevance (and Google Forms' sections) never show « Combien de salariés
en CDI ? » to a place that answered « Non » to « Employez-vous des salariés ? »: the
counts are left empty, and read as missing they vanish from every share, so the
« Part des lieux employeurs » read 100 % because every non-employer had dropped out.
The draft finds the filter question and proposes ``blank: zero`` for the counts it
governs, with its evidence (:func:`skipped_counts`); ``codebook check`` warns when a
share of employers would rest only on places that answered a count
(:func:`employer_share_warning`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from tlresearch.io import cells as values

#: Counts that only places employing someone are asked.
STAFF_COUNTS = ("staff_total", "cdi", "cdd", "other_contracts", "etp")

#: A filter question about employing staff: « Employez-vous des salariés ? », « Votre
#: structure emploie-t-elle des salariés ? », « Avez-vous des salarié·es ? ».
_FILTER = re.compile(r"\bemploi|\bemploy|\bsalarie|\bavez vous des salar")


@dataclass(frozen=True)
class SkippedCount:
    """A count the filter question governs, and why ``blank: zero`` is proposed."""

    variable: str
    column: str
    evidence: str


def find_filter_question(frame: pd.DataFrame, taken: set[str]) -> str | None:
    """The column asking whether the place employs staff (Oui / Non), if any."""
    for column in frame.columns:
        if column in taken or not _FILTER.search(values.fold(column)):
            continue
        answers = frame[column].dropna().map(values.fold)
        if len(answers) and answers.isin({"oui", "non"}).mean() >= 0.9 and (answers == "non").any():
            return column
    return None


def skipped_counts(frame: pd.DataFrame, mapped: dict[str, str],
                   filter_column: str) -> list[SkippedCount]:
    """Counts left empty by (nearly) every place answering « Non » to ``filter_column``.

    ``mapped``: variable -> raw column, for the variables the draft proposes.
    """
    answers = frame[filter_column].map(values.fold, na_action="ignore")
    said_no, said_yes = answers.eq("non").fillna(False), answers.eq("oui").fillna(False)
    out = []
    for variable in STAFF_COUNTS:
        column = mapped.get(variable)
        if column is None or not said_no.any():
            continue
        cells = frame[column]
        empty_after_no = int(cells[said_no].isna().sum())
        filled_after_yes = int(cells[said_yes].notna().sum())
        if empty_after_no >= 0.9 * int(said_no.sum()):
            out.append(SkippedCount(variable, column, (
                f"{empty_after_no}/{int(said_no.sum())} places answering « Non » to "
                f"{filter_column!r} left it empty (a skipped question: it means 0), "
                f"{filled_after_yes}/{int(said_yes.sum())} answering « Oui » filled it")))
    return out


def employer_share_warning(responses: pd.DataFrame) -> str | None:
    """A warning when every place that gave a staff count employs someone while others
    left every count empty: the share of employers would then read 100 %."""
    present = [c for c in STAFF_COUNTS[:4] if c in responses]
    if not present:
        return None
    counts = responses[present].apply(pd.to_numeric, errors="coerce")
    answered = counts.notna().any(axis=1)
    employs = counts.fillna(0).gt(0).any(axis=1)
    blank = int((~answered).sum())
    if blank == 0 or not answered.any() or (answered & ~employs).any():
        return None
    return (f"every one of the {int(answered.sum())} places that gave a staff count employs "
            f"someone, and {blank} left {', '.join(present)} all empty: the share of employers "
            "would read 100 % on the first only. If those blanks are questions skipped after "
            "« Non » to « Employez-vous des salariés ? », add blank: zero to these variables")


__all__ = ["SkippedCount", "find_filter_question", "skipped_counts", "employer_share_warning",
           "STAFF_COUNTS"]
