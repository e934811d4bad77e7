"""Multiple choice as exports write it: options in one cell, and the « Autre » text.

Part of :mod:`tlresearch.ingest.harmonise`. Google Forms joins the ticked boxes of a
question in one cell with « , », though an option may hold a comma (« Café associatif,
buvette ») and the text typed under « Autre » comes last without a prefix; LimeSurvey
writes that text in an ``[other]`` column. Known options are cut first, and whatever
is left is the « Autre » answer: ``autre`` is ticked and the text kept in
:data:`OTHER_TEXT` (in the panel, and listed on the quality page), never set missing.
"""
from __future__ import annotations

import pandas as pd

from tlresearch.ingest.cell_lists import split_options
from tlresearch.io import cells as values
from tlresearch.spec.codebook import MultiDelimited
from tlresearch.spec.variables import Variable

#: The text of an « Autre » answer to the types of place, kept beside ``type_autre``.
OTHER_TEXT = "place_types_other"


def multi_delimited(raw: pd.Series, mapping: MultiDelimited, variable: Variable,
                    context) -> dict[str, pd.Series]:
    """Options ticked in one delimited cell, and the « Autre » text left once they are cut.

    Known options are cut first (an option may hold the separator); what remains is
    what the respondent typed under « Autre »: ``autre`` is ticked and the text kept in
    :data:`OTHER_TEXT`, never set missing.
    """
    lookup = {values.fold(label): code for label, code in mapping.labels.items()}
    ticked = {code: pd.Series(False, index=raw.index, dtype="boolean")
              for code in variable.values}
    other = pd.Series(pd.NA, index=raw.index, dtype="object")
    answered = raw.notna()
    unknown_positions, unknown_values = [], []
    for pos, cell in raw[answered].items():
        found, rest = split_options(cell, mapping.separator, set(lookup))
        for label in found:
            ticked[lookup[values.fold(label)]].iat[pos] = True
        if rest:
            unknown_positions.append(pos)
            unknown_values.append(mapping.separator.join(rest))
            ticked["autre"].iat[pos] = True
            other.iat[pos] = mapping.separator.join(rest)
    if unknown_positions:
        context.log(unknown_positions, mapping.column, unknown_values, "other_text",
                    "corrected", f"{variable.label}: an answer that is no option, counted as "
                    f"'autre' and kept as its text ({OTHER_TEXT})")
    # A question left blank is unanswered, not "no type".
    out = {f"type_{code}": series.where(answered, pd.NA) for code, series in ticked.items()
           if code in set(lookup.values()) | {"autre"}}
    out[OTHER_TEXT] = other.astype("string")
    return out


def other_column(raw: pd.Series, column: str, context) -> dict[str, pd.Series]:
    """An « Autre » option column (LimeSurvey's ``[other]``): a tick, or the text typed.

    The text is the answer: it ticks ``autre`` and is kept in :data:`OTHER_TEXT`, where a
    tick column would have set it missing as ``not_a_tick``.
    """
    ticks = raw.fillna("").map(lambda v: values.parse_tick(v)[0])
    text = raw.where(ticks.isna() & raw.notna(), pd.NA)
    if text.notna().any():
        positions = list(text[text.notna()].index)
        context.log(positions, column, list(text.dropna()), "other_text", "corrected",
                    f"« Autre » answered with a text: 'autre' ticked, text kept ({OTHER_TEXT})")
    ticked = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    ticked[ticks.eq(True).fillna(False).astype(bool)] = True
    ticked[ticks.eq(False).fillna(False).astype(bool)] = False
    ticked[text.notna()] = True
    return {"type_autre": ticked, OTHER_TEXT: text.astype("string")}


__all__ = ["OTHER_TEXT", "multi_delimited", "other_column"]
