"""What the draft reads in a layout and in the answers: the tool, the export's id, labels.

Split from :mod:`tlresearch.ingest.codebook_draft` (which maps columns to variables):
the survey tool a layout betrays (LimeSurvey's code & text headings, Google Forms'
« Horodateur », KoboToolbox's ``_uuid``), the column holding the export's own response
id, and the answer labels of a question: the separator of a delimited multiple choice,
its options kept whole when one holds the separator, each answer's code with evidence.
"""
from __future__ import annotations

import json
import re

import pandas as pd
from rapidfuzz import fuzz, process

from tlresearch.ingest.cell_lists import split_quoted
from tlresearch.ingest.column_profile import SEPARATORS, Profile
from tlresearch.ingest.table_locator import Located
from tlresearch.io.cells import fold


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


#: LimeSurvey's "question code & question text" heading: ``G02Q05[SQ001]. `` then the text.
LIMESURVEY_CODE = re.compile(r"^[A-Za-z][\w]*(?:\[[\w]+\])*\.\s+")

#: Columns only one survey tool writes, folded -> the tool.
TOOL_MARKS = {"brouillon": "Framaforms", "heure de soumission": "Framaforms",
              "derniere page": "LimeSurvey", "lastpage": "LimeSurvey",
              "horodateur": "Google Forms", "horodatage": "Google Forms",
              "uuid": "KoboToolbox", "submission time": "KoboToolbox"}


def tool_of(located: Located) -> str:
    for column in located.table.frame.columns:
        for text in (column, LIMESURVEY_CODE.sub("", column)):
            if fold(text) in TOOL_MARKS:
                return TOOL_MARKS[fold(text)]
    return "XLSX" if located.sheet else ""


#: Headers of a survey tool's own response id (folded, code prefix removed).
EXPORT_ID_HEADERS = ("id de la reponse", "id", "response id", "uuid", "instanceid",
                     "numero", "sid", "identifiant", "id reponse")


def export_id_column(frame: pd.DataFrame) -> str | None:
    """The column holding the tool's response id: a usual header, distinct in every row."""
    for column in frame.columns:
        text = fold(LIMESURVEY_CODE.sub("", column)).lstrip("_ ")
        folded = fold(column).strip()
        if (text in EXPORT_ID_HEADERS or folded in EXPORT_ID_HEADERS) and frame[column].notna().all() \
                and not frame[column].duplicated().any():
            return column
    return None


def label_separator(profile: Profile, known: dict[str, str]) -> str:
    """The separator whose parts are most often labels seen before ("Fablab / makerspace"
    is one label: " / " must not cut it)."""
    def hits(separator: str) -> int:
        return sum(fold(part) in known for cell in profile.distinct
                   for part in split_quoted(cell, separator))

    best = max(SEPARATORS, key=lambda sep: (hits(sep), sep == profile.separator))
    return best if hits(best) else (profile.separator or ", ")


def options_of(cells: list[str], separator: str) -> list[str]:
    """The options of a delimited multi-choice column, an option holding the separator
    kept whole: a piece that always comes right after the same piece (« buvette » after
    « Café associatif ») is the end of one option (« Café associatif, buvette »)."""
    pieces = [[part.strip() for part in cell.split(separator) if part.strip()] for cell in cells]
    before: dict[str, set[str | None]] = {}
    for parts in pieces:
        for position, part in enumerate(parts):
            before.setdefault(part, set()).add(parts[position - 1] if position else None)
    after: dict[str, set[str | None]] = {}
    for parts in pieces:
        for position, part in enumerate(parts):
            after.setdefault(part, set()).add(parts[position + 1] if position + 1 < len(parts)
                                              else None)
    # Glued both ways: B always after A, and A always before B (an « Autre » text typed
    # last follows various options, so it is never glued).
    glued = {part: next(iter(previous)) for part, previous in before.items()
             if len(previous) == 1 and None not in previous
             and after.get(next(iter(previous))) == {part}
             and sum(part in parts for parts in pieces) >= 2}
    answers = []
    for parts in pieces:
        merged: list[str] = []
        for part in parts:
            if part in glued and merged and merged[-1].endswith(glued[part]):
                merged[-1] = f"{merged[-1]}{separator}{part}"
            else:
                merged.append(part)
        answers += merged
    return list(dict.fromkeys(answers))


def draft_labels(answers: list[str], known: dict[str, str], variable) -> list[str]:
    out = []
    for answer in answers:
        code = known.get(fold(answer))
        if code:
            out.append(f"      {_q(answer)}: {code}  # label seen before, confidence 100")
            continue
        match = process.extractOne(fold(answer), list(known), scorer=fuzz.token_sort_ratio,
                                   score_cutoff=85)
        # An option worded longer than the label seen before (« Café associatif,
        # buvette »): every word of that label is in it.
        wider = None if match else process.extractOne(
            fold(answer), [k for k in known if len(k.split()) >= 2],
            scorer=fuzz.token_set_ratio, score_cutoff=100)
        if match:
            out.append(f"      {_q(answer)}: {known[match[0]]}  # ~ {match[0]!r}, "
                       f"confidence {round(match[1])}")
        elif wider:
            out.append(f"      {_q(answer)}: {known[wider[0]]}  # holds {wider[0]!r}, "
                       "confidence 80")
        elif variable.type == "multi":
            out.append(f"      # {_q(answer)}: ?   # not an option seen before: left so, it is "
                       "an « Autre » answer (autre ticked, text kept); or map it to one of "
                       + ", ".join(variable.values))
        else:
            allowed = ", ".join(variable.values)
            out.append(f"      # {_q(answer)}: ?   # not recognised; one of {allowed}")
    return out


__all__ = ["tool_of", "export_id_column", "label_separator", "options_of",
           "draft_labels", "LIMESURVEY_CODE", "TOOL_MARKS", "EXPORT_ID_HEADERS"]
