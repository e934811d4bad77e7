"""A table after statistical secrecy: its values, bases, and why each hidden cell is hidden.

What a page prints (``s`` in hidden cells, French numbers) and what the audit reads
come from the same object, so the two can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tlresearch.core.formats import format_number
from tlresearch.secrecy.rules import (
    COUNT,
    SECRET,
    TOTAL_LABEL,
    SecrecyRule,
    footnote,
)


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """A table with its margins, the true values and which cells are hidden, and why.

    ``values``, ``counts`` and ``reason`` share one shape: the inner rows and columns
    plus a last row and column labelled ``total_label`` (a one-dimensional table has
    one column). ``values`` holds the true values: publish :meth:`display` or
    ``tidy(publishable=True)``, never ``values``.
    """

    values: pd.DataFrame
    counts: pd.DataFrame
    reason: pd.DataFrame
    kind: str
    rule: SecrecyRule
    total_label: str = TOTAL_LABEL
    one_dimensional: bool = False
    #: No pattern of « s » protected the table as it is: every non-empty cell is hidden
    #: (the caller makes it coarser, or says why it prints nothing).
    withheld: bool = False

    @property
    def suppressed(self) -> pd.DataFrame:
        """Boolean mask of hidden cells (margins included)."""
        return self.reason.ne("")

    @property
    def footnote(self) -> str:
        return footnote(self.rule, self.kind)

    def display(self, decimals: int | None = None) -> pd.DataFrame:
        """The table as French text: ``s`` for hidden cells, ``1 234,5`` otherwise.

        ``decimals`` defaults to 0 for counts and 1 for magnitudes. A cell with no
        place reads ``0`` (not ``0,0``), which tells it apart from places whose values
        add up to zero.
        """
        decimals = (0 if self.kind == COUNT else 1) if decimals is None else decimals
        text = self.values.map(lambda v: format_number(v, decimals, na=""))
        return text.mask(self.counts.eq(0), "0").mask(self.suppressed, SECRET)

    def tidy(self, publishable: bool = True, decimals: int | None = None) -> pd.DataFrame:
        """One row per cell (margins included, labelled ``total_label``).

        ``publishable=True`` gives the row and column labels, ``value`` (missing when
        hidden), ``secret`` and ``display``: nothing that narrows a hidden cell. With
        ``publishable=False`` (internal use: checking, the audit) it adds the true
        value, the number of places ``n`` and the ``reason``.
        """
        row_name = self.values.index.name or "row"
        col_name = self.values.columns.name or "col"
        long = {
            "value": self.values.stack(future_stack=True),
            "display": self.display(decimals).stack(future_stack=True),
            "secret": self.suppressed.stack(future_stack=True),
            "n": self.counts.stack(future_stack=True),
            "reason": self.reason.stack(future_stack=True),
        }
        frame = pd.DataFrame(long).rename_axis([row_name, col_name]).reset_index()
        if self.one_dimensional:
            frame = frame.drop(columns=col_name)
        value_type = "Int64" if self.kind == COUNT else "Float64"
        frame["value"] = frame["value"].astype(value_type)
        if publishable:
            frame["value"] = frame["value"].mask(frame["secret"])
            return frame.drop(columns=["n", "reason"])
        return frame
