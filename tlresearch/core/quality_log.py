"""The quality log: every value rejected, corrected or flagged, and every row quarantined.

Each step (reader, harmonisation, validation, linkage, roles) reports what it did as
:class:`Issue` records; the ingest step writes them all to ``quality_log.parquet``.
Values of restricted variables (contact details, free text) are masked before they
enter the log, so the log can be read without the restricted folder.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: What was done about an issue.
ACTIONS = {
    "flagged",       # value kept as is, worth a look
    "corrected",     # value changed to what it evidently meant (e.g. leading zero restored)
    "set_missing",   # value unusable: the cell becomes missing, the row is kept
    "neutralised",   # spreadsheet formula text prefixed with ' so it can never run
    "quarantined",   # the whole row is set aside with this reason
    "reported",      # a fact about the file or codebook (unmapped column, ...)
}

MASK = "[masqué]"

COLUMNS = ["wave", "file", "row", "column", "value", "rule", "action", "message"]


@dataclass(frozen=True)
class Issue:
    """One observation about the input: where, what value, which rule, what was done.

    ``row`` is the row number a person sees when opening the file (header = row 1).
    """

    rule: str
    action: str
    message: str = ""
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    wave: int | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """Issues as a sorted DataFrame with stable column types (for Parquet)."""
    frame = pd.DataFrame([tuple(getattr(i, c) for c in COLUMNS) for i in issues], columns=COLUMNS)
    frame = frame.astype({
        "wave": "Int64", "file": "string", "row": "Int64", "column": "string",
        "value": "string", "rule": "string", "action": "string", "message": "string",
    })
    return frame.sort_values(["wave", "file", "row", "column", "rule"], kind="stable",
                             na_position="first").reset_index(drop=True)
