"""The audit of everything a site publishes for one wave: can a hidden cell be recovered?

Each page prints some cells of the wave's grid (:mod:`tlresearch.secrecy.wave_secrecy`)
— a département × type table, a département's own row, the respondents of each type in
an indicator table, a mean of ETP with its base (mean × base is the sum, within the
rounding), key figures — in its HTML and in its CSV files. A reader who collects all of
it knows, for each cell of the grid, an interval: a printed ``12`` is 12, a printed
``3,4`` is [3,35 ; 3,45], an ETP mean 3,4 on 5 places puts the sum in [16,75 ; 17,25],
an « s » only says "at least one place" for a count. :func:`audit_site` intersects
those intervals cell by cell (**facts**, one row per printed figure), adds that every
line of the grid sums to its total, and for every cell the grid hides solves two
linear programs (scipy's HiGHS): the least and the most it can be. A hidden cell is
*recovered* when that range is narrower than the rule's ``min_width`` (one place, one
ETP...), when — for a cell a rule hides (``primary``), as τ-Argus protects them — it does
not reach ±10 % of the cell's value on both sides (the protection level of τ-Argus and
INSEE, :attr:`SecrecyRule.protection`), or when a page prints it in
clear; a cell bounded within ±30 % is reported (``within_30``), not refused.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.secrecy.cell_suppression import additive_lines, bounded_within, too_narrow
from tlresearch.secrecy.rules import COUNT, REPORTED_PROTECTION, SECONDARY, SecrecyRule

#: Columns of the audit: one row per hidden cell and table.
AUDIT_COLUMNS = ["table", "departement", "typology", "value", "lower", "upper", "printed",
                 "recoverable", "primary", "within_30"]
#: Columns of a table of facts (what a reader knows about one cell of the grid).
FACT_COLUMNS = ["source", "table", "departement", "typology", "low", "high"]


def audit_site(grid, facts: pd.DataFrame, rule: SecrecyRule | None = None) -> pd.DataFrame:
    """Bound every hidden cell of ``grid`` from everything published (``facts``).

    Parameters
    ----------
    grid : WaveSecrecy
        The wave's protected grid (its true values are what is audited).
    facts : DataFrame
        :data:`FACT_COLUMNS`: ``table`` is ``"lieux"`` or a summed variable of the grid,
        ``departement`` a row of the grid (missing: the region), ``typology`` a column
        (missing: all types), ``low``/``high`` what the printed figure says.

    Returns
    -------
    DataFrame
        One row per hidden cell and table: ``table``, ``departement``, ``typology``,
        ``value``, ``lower``, ``upper``, ``printed`` (a page prints it: the interval a
        page gives is narrow), ``recoverable`` (narrower than the rule's ``min_width``,
        or, for a ``primary`` cell, bounded within ±``protection`` of its value: 10 %
        by default) and
        ``within_30`` (bounded within ±30 %: allowed, reported).
    """
    rule = rule or grid.counts.rule
    missing = [c for c in FACT_COLUMNS if c not in facts.columns]
    if missing:
        raise UsageError(f"the facts lack column(s) {', '.join(missing)}")
    out = []
    for name, table in grid.tables().items():
        if not table.suppressed.to_numpy().any():
            continue  # nothing hidden, nothing to recover (the counts of places)
        out.append(_audit_table(name, table, facts[facts["table"] == name], rule))
    return pd.concat(out, ignore_index=True) if out else _audit_table(
        "lieux", grid.counts, facts.iloc[:0], rule)


def _audit_table(name: str, table, facts: pd.DataFrame, rule: SecrecyRule) -> pd.DataFrame:
    from scipy.optimize import linprog

    values = table.values
    rows, cols = list(values.index), list(values.columns)
    total = table.total_label
    low = np.zeros(values.size)
    high = np.full(values.size, np.inf)
    for fact in facts.itertuples(index=False):
        r = total if pd.isna(fact.departement) else str(fact.departement)
        c = (cols[0] if table.one_dimensional else total) if pd.isna(fact.typology) \
            else str(fact.typology)
        if r not in rows or c not in cols:
            raise UsageError(f"{fact.source}: no cell ({r}, {c}) in the grid's {name} table")
        k = rows.index(r) * len(cols) + cols.index(c)
        low[k] = max(low[k], float(fact.low))
        high[k] = min(high[k], float(fact.high))
    lines = additive_lines(values.shape, table.one_dimensional)
    a_eq = np.zeros((len(lines), values.size))
    for i, (members, tot) in enumerate(lines):
        a_eq[i, members] = 1.0
        a_eq[i, tot] -= 1.0
    b_eq = np.zeros(len(lines))
    bounds = list(zip(low, [None if np.isinf(h) else h for h in high]))
    truth = values.to_numpy(float).ravel()
    hidden = table.suppressed.to_numpy().ravel()
    result = []
    for k in np.flatnonzero(hidden):
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(values.size)
            objective[k] = sign
            solved = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if solved.status == 2:
                raise UsageError(f"the published {name} figures contradict each other "
                                 f"(or the grid): no table fits them")
            # Unbounded (status 3): nothing published caps the cell from that side.
            ends.append(sign * solved.fun if solved.status == 0 else -sign * np.inf)
        lower, upper = ends
        r, c = divmod(int(k), len(cols))
        floor = 1.0 if table.kind == COUNT else 0.0
        primary = table.reason.to_numpy().ravel()[k] not in ("", SECONDARY)
        recoverable = too_narrow(np.array([lower]), np.array([upper]), truth[[k]], truth,
                                 rule, floor, sensitive=np.array([primary]))[0]
        result.append({"table": name, "departement": rows[r], "typology": cols[c],
                       "value": truth[k], "lower": lower, "upper": upper,
                       "printed": bool(high[k] - low[k] < rule.min_width),
                       "recoverable": bool(recoverable), "primary": bool(primary),
                       "within_30": bool(bounded_within([lower], [upper], [truth[k]],
                                                        REPORTED_PROTECTION, table.kind)[0])})
    return pd.DataFrame(result, columns=AUDIT_COLUMNS)


def printed_interval(text: str, kind: str = COUNT) -> tuple[float, float]:
    """What a printed cell tells a reader: ``"12"`` → (12, 12), ``"3,4"`` → (3.35, 3.45),
    ``"s"`` → (1, inf) for a count (zeros are printed), (0, inf) for a sum.

    Examples
    --------
    >>> printed_interval("1\\u202f234,5", "magnitude")
    (1234.45, 1234.55)
    >>> printed_interval("s")
    (1.0, inf)
    """
    text = str(text).strip()
    if text == "s":
        return (1.0 if kind == COUNT else 0.0), np.inf
    digits = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    whole, _, decimals = digits.partition(",")
    value = float(f"{whole}.{decimals}" if decimals else whole)
    half = 0.5 * 10 ** -len(decimals) if decimals else 0.0
    return round(value - half, 10), round(value + half, 10)


__all__ = ["audit_site", "printed_interval", "FACT_COLUMNS"]
