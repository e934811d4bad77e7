"""The lab's commune corrections: ``overrides/communes.csv``.

Some answers cannot be resolved (postcode ``0`` and no commune) or are resolved to
the wrong commune; the lab knows better and writes one line per response
(``response_id``) or per place (``place_id``) with the right INSEE code. Applied
after linkage, so a place-level correction covers every wave of the place.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from tlresearch.core.errors import DataError
from tlresearch.core.quality_log import Issue
from tlresearch.geo.communes import OUTPUT_COLUMNS, describe_commune, is_commune_code

COLUMNS = ["response_id", "place_id", "commune_code", "comment"]


def load_commune_overrides(path: str | Path) -> pd.DataFrame:
    """Read ``overrides/communes.csv`` (absent file: no correction).

    Raises
    ------
    DataError
        A line names neither a response nor a place, or a code that is not a
        current commune; the message gives the line.
    """
    path = Path(path)
    if not path.is_file():
        return pd.DataFrame(columns=COLUMNS, dtype="string")
    frame = pd.read_csv(path, dtype="string", keep_default_na=False, sep=None,
                        engine="python", encoding="utf-8-sig")
    frame.columns = [c.strip().lower() for c in frame.columns]
    for column in COLUMNS:
        if column not in frame:
            frame[column] = ""
    frame = frame[COLUMNS].apply(lambda s: s.str.strip())
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        if not (row.response_id or row.place_id):
            raise DataError("a line needs a response_id or a place_id", file=path.name,
                            row=line, column="response_id", rule="commune_override")
        code = row.commune_code.zfill(5) if row.commune_code.isdigit() else row.commune_code
        if not is_commune_code(code):
            raise DataError(f"{row.commune_code!r} is not the INSEE code of a current commune",
                            file=path.name, row=line, column="commune_code",
                            rule="commune_override")
        frame.iat[line - 2, 2] = code
    return frame


def apply_commune_overrides(responses: pd.DataFrame, overrides: pd.DataFrame,
                            region: str) -> list[Issue]:
    """Set the commune of the responses (or places) named; return one issue per change.

    A response-level line wins over a place-level one.
    """
    if overrides.empty:
        return []
    by_place = {r.place_id: r for r in overrides.itertuples() if r.place_id}
    by_response = {r.response_id: r for r in overrides.itertuples() if r.response_id}
    issues = []
    for pos in responses.index:
        line = by_response.get(responses.at[pos, "response_id"]) or by_place.get(
            responses.at[pos, "place_id"] if "place_id" in responses else None)
        if line is None:
            continue
        before = responses.at[pos, "commune_code"]
        info = describe_commune(line.commune_code, region)
        for column in OUTPUT_COLUMNS:
            if column in info and column in responses:
                responses.at[pos, column] = info[column]
        responses.at[pos, "resolution_method"] = "override"
        responses.at[pos, "resolution_score"] = 100.0
        responses.at[pos, "resolution_note"] = (line.comment or "overrides/communes.csv")
        issues.append(Issue("commune_override", "corrected",
                            f"commune set by overrides/communes.csv (was {before})"
                            if pd.notna(before) else "commune set by overrides/communes.csv",
                            file=responses.at[pos, "source_file"],
                            row=int(responses.at[pos, "source_row"]), column="commune_code",
                            value=line.commune_code, wave=int(responses.at[pos, "wave"])))
    return issues
