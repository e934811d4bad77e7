"""Statistical secrecy ("secret statistique") for count and magnitude tables.

French official statistics publish no cell that rests on fewer than 3 units, nor one
where a single unit makes more than 85 % of the value; such cells read ``s``, and
enough other cells are hidden that no ``s`` can be recomputed from the rest of the
table and its totals. This module does that for the tables of the survey (places by
department × typology, sum of ETP or of CDI by department × typology...).

Method
------
1. **Primary suppression.** A cell whose number of contributing places ``n`` satisfies
   ``0 < n < threshold`` is hidden (``primary_count``); in a magnitude table, so is a
   cell where the largest contribution exceeds ``dominance`` × the cell's value
   (``primary_dominance``). Margins are cells like the others: a department whose ETP
   come for 90 % from one place has its total hidden too.
2. **Secondary suppression, line heuristic.** Every row and every column, the total row
   and the total column included, is a *line*: its cells add up to its total. A line
   with exactly one hidden cell gives that cell away by subtraction, so another cell
   of the line is hidden: an inner cell before a total, one whose other line already
   has a hidden cell (so no new single-suppression line appears, the cascade stays
   short) before one whose other line has none, then the smallest value. Repeated
   until no line has a single hidden cell.
3. **Audit and completion.** The line rule is necessary, not sufficient (hidden cells
   can still be pinned by several lines together, or by non-negativity).
   :func:`audit_table` bounds each hidden cell by linear programming; while one is
   recoverable, the smallest visible cell sharing a line with it is hidden too and
   steps 2-3 run again. Protection therefore ends only when the audit finds nothing.

Audit criterion
---------------
(See the rule's ``protection``: 10 % by default, the protection level of τ-Argus.)
An intruder knows every published cell and total, that cells are non-negative and -
in a count table, since zero cells are published - that a hidden count is at least 1.
For each hidden cell, the minimum and the maximum of the cell under those constraints
(two ``scipy.optimize.linprog`` problems) give its feasible interval. The cell is
*recoverable* when the interval is narrower than ``min_width`` (default 1 unit: one
place, one ETP, one CDI; a count table's intervals have integer ends, so this means
"pinned to one value") or, when ``protection`` > 0, when the interval does not reach
``value × (1 ± protection)`` on both sides.

Choices and limits
------------------
* **Zeros.** A cell with no contributing place is a structural zero: it is published as
  ``0`` (French practice: an empty cell reveals nothing about any unit) and never used
  as a complementary suppression. Consequently a hidden count is known to be >= 1,
  which the audit takes into account.
* **Shapes.** Two-dimensional tables with their margins (rows, columns, grand total)
  and one-dimensional tables with their total. Linked tables (the same cells
  published in another table or breakdown, counts published next to sums) are not
  protected jointly: protect the most detailed table and pass its mask to the others
  through ``suppressed=``.
* **Additivity.** Cells must partition the places (each place in one row and one
  column) so that margins are sums of cells; a count table built from microdata where
  a place falls in two cells is refused.
* **Rounding** of published values is ignored by the audit (it only widens an
  intruder's intervals), so the audit errs on the safe side.

Examples
--------
>>> import pandas as pd
>>> micro = pd.DataFrame({"dep": ["33", "33", "33", "33", "64", "64", "64", "64"],
...                       "typo": ["cowork", "cowork", "cowork", "fablab",
...                                "cowork", "cowork", "fablab", "fablab"]})
>>> table = protect_table(micro, "dep", "typo")
>>> table.display().loc["33"].tolist()   # with 4 printed, 33 × cowork is 2 or 3: too close
['s', 's', 's']
>>> lax = protect_table(micro, "dep", "typo", rule=SecrecyRule(protection=0.0))
>>> lax.display().loc["33"].tolist()     # the old criterion: only pinned to one value
['s', 's', '4']
>>> audit_table(table)["recoverable"].any()
np.False_
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.secrecy.cell_suppression import (
    CannotProtect,
    additive_lines,
    audit_arrays,
    bounded_within,
    complete_suppression,
)
from tlresearch.secrecy.protected_table import ProtectedTable
from tlresearch.secrecy.rules import (
    COUNT,
    MAGNITUDE,
    NOT_GIVEN,
    PRIMARY_COUNT,
    PRIMARY_DOMINANCE,
    PRIMARY_NAMED,
    REPORTED_PROTECTION,
    SECONDARY,
    TOTAL_LABEL,
    SecrecyRule,
)

# --- building tables -------------------------------------------------------------------

def protect_table(microdata: pd.DataFrame, rows: str, cols: str | None = None,
                  value: str | None = None, *, unit: str | None = None,
                  rule: SecrecyRule | None = None, total_label: str = TOTAL_LABEL,
                  label: str | None = None, secondary: bool = True,
                  suppressed: pd.DataFrame | None = None) -> ProtectedTable:
    """Tabulate microdata and protect the table.

    Parameters
    ----------
    microdata : DataFrame
        One row per place (or several rows per place with ``unit``).
    rows, cols : str
        Category columns of the table's rows and columns; ``cols=None`` gives a
        one-dimensional table with a total.
    value : str, optional
        Column summed in a magnitude table (ETP, CDI...); ``None`` counts places.
        Rows with a missing category or value are left out.
    unit : str, optional
        Identifier of the place: contributions are summed per place before the
        rules apply (a place with three staff rows is one contributor). Default:
        each row is a place.
    rule : SecrecyRule, optional
        Thresholds (default: 3 places, 85 %, 1 unit).
    total_label : str
        Label of the margins.
    label : str, optional
        Column label of a one-dimensional table (default ``"Nombre de lieux"`` or
        the value column's name).
    secondary : bool
        False stops after primary suppression (to see what the audit would recover).
    suppressed : DataFrame of bool, optional
        Cells to hide in any case, labelled like the result (margins ``total_label``):
        the hidden cells of a linked table, so that both publish one pattern.

    Returns
    -------
    ProtectedTable

    Raises
    ------
    UsageError
        Unknown column, non-numeric or negative value, a total label that is also a
        category, or a count table in which a place falls in two cells.
    """
    rule = rule or SecrecyRule()
    keys = [rows] + ([cols] if cols is not None else [])
    needed = keys + [c for c in (value, unit) if c is not None]
    missing = [c for c in needed if c not in microdata.columns]
    if missing:
        raise UsageError(f"column(s) {', '.join(map(repr, missing))} not in the microdata")
    data = microdata[list(dict.fromkeys(needed))].copy()
    # A blank category is a category of its own ("Non renseigné"), protected like the
    # others: dropping those rows would let a reader recover them by difference with
    # a total published elsewhere.
    for key in keys:
        column = data[key]
        if column.isna().any():
            if isinstance(column.dtype, pd.CategoricalDtype):
                column = column.cat.add_categories([NOT_GIVEN])
            else:
                column = column.astype("object")
            data[key] = column.fillna(NOT_GIVEN)
    data = data.dropna(subset=[c for c in needed if c not in keys])
    if data.empty:
        raise UsageError("no row of the microdata has all of: " + ", ".join(needed))
    if value is not None:
        try:
            data["_v"] = pd.to_numeric(data[value]).astype(float)
        except (TypeError, ValueError):
            raise UsageError(f"column {value!r} must be numeric to be summed") from None
        if (data["_v"] < 0).any():
            raise UsageError(f"column {value!r} has negative values: the rules assume "
                             "non-negative contributions")
    else:
        data["_v"] = 1.0
    data["_u"] = data[unit] if unit is not None else np.arange(len(data))
    per_unit = data.groupby(keys + ["_u"], observed=True)["_v"].sum().reset_index()
    if value is None and unit is not None and per_unit["_u"].duplicated().any():
        raise UsageError(f"a place ({unit!r}) falls in two cells: a count table must "
                         "partition the places for its margins to be sums")
    row_levels = _levels(data[rows], total_label)
    col_levels = _levels(data[cols], total_label) if cols is not None else None

    per_unit["_nz"] = (per_unit["_v"] > 0).astype("int64")

    def stats(by: list[str]) -> pd.DataFrame:
        grouped = per_unit.groupby(by or (lambda _: 0), observed=True)
        return pd.DataFrame({"value": grouped["_v"].sum(), "n": grouped.size(),
                             "max": grouped["_v"].max(), "nz": grouped["_nz"].sum()})

    if cols is None:
        inner = stats([rows]).reindex(row_levels)
        grand = stats([]).reindex([0])
        frames = {k: pd.concat([inner[k], grand[k]], ignore_index=True).to_frame()
                  for k in ("value", "n", "max", "nz")}
        column = [label or (value if value is not None else "Nombre de lieux")]
        index = pd.Index([*row_levels, total_label], name=rows)
        frames = {k: f.set_axis(index, axis=0).set_axis(column, axis=1)
                  for k, f in frames.items()}
    else:
        cell = stats(keys)
        by_row, by_col, grand = stats([rows]), stats([cols]), stats([])
        index = pd.Index([*row_levels, total_label], name=rows)
        columns = pd.Index([*col_levels, total_label], name=cols)
        frames = {}
        for k in ("value", "n", "max", "nz"):
            wide = cell[k].unstack(cols).reindex(index=row_levels, columns=col_levels)
            wide[total_label] = by_row[k].reindex(row_levels)
            bottom = by_col[k].reindex(col_levels).tolist() + [grand[k].iloc[0]
                                                                if len(grand) else 0]
            wide.loc[total_label] = bottom
            frames[k] = wide.set_axis(index, axis=0).set_axis(columns, axis=1)
    values = frames["value"].fillna(0.0).astype(float)
    counts = frames["n"].fillna(0).astype("int64")
    maxc = frames["max"].fillna(0.0).astype(float)
    values = _additive(values, one_dimensional=cols is None)
    kind = COUNT if value is None else MAGNITUDE
    if kind == COUNT:
        values = values.round().astype("int64")
    return _protect(values, counts, maxc, kind=kind, rule=rule, total_label=total_label,
                    one_dimensional=cols is None, secondary=secondary,
                    extra=_aligned(suppressed, values),
                    contributors=frames["nz"].fillna(0).astype("int64"))


def apply_secrecy(values: pd.DataFrame | pd.Series, counts: pd.DataFrame | pd.Series | None = None,
                  max_contribution: pd.DataFrame | pd.Series | None = None, *,
                  rule: SecrecyRule | None = None, total_label: str = TOTAL_LABEL,
                  label: str | None = None, secondary: bool = True,
                  suppressed: pd.DataFrame | None = None) -> ProtectedTable:
    """Protect an already aggregated table (inner cells only; margins are added here).

    Parameters
    ----------
    values : DataFrame or Series
        Inner cells (rows × columns), or a Series for a one-dimensional table.
    counts : same shape, optional
        Number of contributing places per cell. ``None``: ``values`` are counts of
        places (a count table).
    max_contribution : same shape, optional
        Largest single place's contribution per cell. Giving it makes the table a
        magnitude table, subject to the dominance rule; a magnitude table without it
        is refused. Margins take the largest of their cells (places partition cells).
    rule, total_label, label, secondary
        As in :func:`protect_table`.
    suppressed : DataFrame of bool, optional
        Cells to hide in any case (e.g. the mask of a linked table, or of a previous
        run: protecting again with it changes nothing). Missing cells count as False.

    Returns
    -------
    ProtectedTable
    """
    rule = rule or SecrecyRule()
    one_dim = isinstance(values, pd.Series)
    if counts is None:
        counts, kind = values, COUNT
    else:
        kind = MAGNITUDE if max_contribution is not None else COUNT
        if kind == COUNT and not np.array_equal(np.asarray(counts, float), np.asarray(values, float)):
            raise UsageError("a magnitude table needs max_contribution (largest contribution "
                             "per cell) for the dominance rule")
    if max_contribution is None:
        max_contribution = (counts > 0).astype(float)

    def frame(table) -> pd.DataFrame:
        if one_dim:
            return table.to_frame(name=label or values.name or "Nombre de lieux")
        return table.copy()

    inner = {k: frame(t) for k, t in (("value", values), ("n", counts), ("max", max_contribution))}
    labels = [*inner["value"].index] + ([] if one_dim else [*inner["value"].columns])
    if total_label in labels:
        raise UsageError(f"{total_label!r} is already a category; choose another total_label")
    if (inner["value"].to_numpy(float) < 0).any():
        raise UsageError("negative cell values: the rules assume non-negative contributions")
    full = {}
    for k, table in inner.items():
        table = table.astype(float)
        combine = "max" if k == "max" else "sum"
        if not one_dim:
            table[total_label] = table.agg(combine, axis=1)
        table.loc[total_label] = table.agg(combine, axis=0)
        full[k] = table.rename_axis(index=inner["value"].index.name,
                                    columns=None if one_dim else inner["value"].columns.name)
    values_full = full["value"]
    if kind == COUNT:
        values_full = values_full.round().astype("int64")
    return _protect(values_full, full["n"].round().astype("int64"), full["max"], kind=kind,
                    rule=rule, total_label=total_label, one_dimensional=one_dim,
                    secondary=secondary, extra=_aligned(suppressed, values_full))


def audit_table(published: ProtectedTable, *, rule: SecrecyRule | None = None) -> pd.DataFrame:
    """Try to recover every hidden cell from what is published.

    For each hidden cell, two linear programs (``scipy.optimize.linprog``) minimise and
    maximise the cell subject to: every line (row, column, total row, total column)
    adds up to its total, published cells fixed, hidden cells >= 0 (>= 1 in a count
    table, where zeros are published).

    Parameters
    ----------
    published : ProtectedTable
    rule : SecrecyRule, optional
        ``min_width`` and ``protection`` of the criterion (default: the table's).

    Returns
    -------
    DataFrame
        One row per hidden cell: row and column labels, ``value`` (true), ``lower``,
        ``upper``, ``width``, ``reason``, ``recoverable`` (interval narrower than
        ``min_width``, or — for a cell a rule hides, not a complementary one, as in
        τ-Argus — not covering ``value × (1 ± protection)``, ±10 % by default) and
        ``within_30`` (not covering ±30 %: allowed, reported).
    """
    rule = rule or published.rule
    v = published.values.to_numpy(float).ravel()
    hidden = published.suppressed.to_numpy().ravel()
    lines = additive_lines(published.values.shape, published.one_dimensional)
    reasons = published.reason.to_numpy().ravel()
    sensitive = (reasons != "") & (reasons != SECONDARY)
    lower, upper, recoverable = audit_arrays(v, hidden, lines, published.kind, rule, sensitive)
    shape = published.values.shape
    cells = np.flatnonzero(hidden)
    rows_at, cols_at = np.unravel_index(cells, shape)
    frame = pd.DataFrame({
        published.values.index.name or "row": published.values.index[rows_at],
        published.values.columns.name or "col": published.values.columns[cols_at],
        "value": v[cells], "lower": lower, "upper": upper, "width": upper - lower,
        "reason": published.reason.to_numpy().ravel()[cells], "recoverable": recoverable,
        "within_30": bounded_within(lower, upper, v[cells], REPORTED_PROTECTION,
                                    published.kind),
    })
    if published.one_dimensional:
        frame = frame.drop(columns=frame.columns[1])
    return frame


# --- the core --------------------------------------------------------------------------

def _protect(values: pd.DataFrame, counts: pd.DataFrame, maxc: pd.DataFrame, *, kind: str,
             rule: SecrecyRule, total_label: str, one_dimensional: bool, secondary: bool,
             extra: pd.DataFrame | None = None,
             contributors: pd.DataFrame | None = None) -> ProtectedTable:
    v = values.to_numpy(float).ravel()
    n = counts.to_numpy("int64").ravel()
    reason = np.full(v.size, "", dtype=object)
    reason[(n > 0) & (n < rule.threshold)] = PRIMARY_COUNT
    if kind == MAGNITUDE and contributors is not None:
        # Places answering 0 are units, but not contributors: a sum of 5 jobs over 5
        # places of which 2 employ (the share of employers says so) lets each employer
        # read the other's jobs. Fewer than 3 places with a value above 0 is a primary cell.
        nz = contributors.to_numpy("int64").ravel()
        reason[(reason == "") & (nz > 0) & (nz < rule.threshold)] = PRIMARY_COUNT
    if kind == MAGNITUDE:
        # A sum of 0 over places the site names (the map lists every respondent) tells
        # each one's answer: hidden like a cell of too few places.
        reason[(reason == "") & (n > 0) & (v == 0)] = PRIMARY_NAMED
        m = maxc.to_numpy(float).ravel()
        # Strictly more than the share, with a tolerance for float sums.
        dominated = (v > 0) & (m > rule.dominance * v + 1e-9 * np.maximum(v, 1.0))
        reason[(reason == "") & dominated] = PRIMARY_DOMINANCE
    if extra is not None:
        reason[(reason == "") & extra.to_numpy(bool).ravel()] = SECONDARY
    withheld = False
    if secondary:
        try:
            complete_suppression(v, n, reason, additive_lines(values.shape, one_dimensional),
                                 kind, rule)
        except CannotProtect:
            # A hidden cell is pinned whatever else is hidden (by published zeros): the
            # table says nothing then, rather than stopping the page.
            withheld = True
            reason[(reason == "") & (n > 0)] = SECONDARY
    reason_frame = pd.DataFrame(reason.reshape(values.shape), index=values.index,
                                columns=values.columns)
    return ProtectedTable(values=values, counts=counts, reason=reason_frame, kind=kind,
                          rule=rule, total_label=total_label, one_dimensional=one_dimensional,
                          withheld=withheld)


# --- helpers ---------------------------------------------------------------------------

def _levels(column: pd.Series, total_label: str) -> list:
    """Categories in their categorical order, else sorted; refuses the total label.

    Every declared category of a categorical column is kept, even without a place: it
    is published as a structural zero.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        levels = column.cat.categories.tolist()
    else:
        unique = column.unique().tolist()
        try:
            levels = sorted(unique)
        except TypeError:
            levels = sorted(unique, key=str)
    if total_label in levels:
        raise UsageError(f"{total_label!r} is already a category of {column.name!r}; "
                         "choose another total_label")
    return levels


def _aligned(suppressed: pd.DataFrame | None, values: pd.DataFrame) -> pd.DataFrame | None:
    """A mask of cells to hide, on the table's labels (cells it does not name: False)."""
    if suppressed is None:
        return None
    mask = suppressed.reindex(index=values.index, columns=values.columns)
    return mask.astype("boolean").fillna(False).astype(bool)


def _additive(values: pd.DataFrame, one_dimensional: bool) -> pd.DataFrame:
    """Margins recomputed as sums of the inner cells, so every line adds up exactly."""
    values = values.copy()
    if not one_dimensional:
        values.iloc[:-1, -1] = values.iloc[:-1, :-1].sum(axis=1).to_numpy()
    values.iloc[-1, :] = values.iloc[:-1, :].sum(axis=0).to_numpy()
    return values
