"""Secondary suppression and its audit on flat arrays of cells (the algorithms alone).

A table is a set of additive relations (each line's inner cells sum to its total).
:func:`complete_suppression` hides more cells until no hidden cell is alone in a
relation and every hidden cell keeps enough protection; :func:`audit_arrays` solves,
by linear programming (scipy's HiGHS), the range an attacker can give each hidden cell
from everything published — the proof that the protection holds.
"""
from __future__ import annotations

import numpy as np

from tlresearch.secrecy.rules import COUNT, SECONDARY, SecrecyRule


def additive_lines(shape: tuple[int, int], one_dimensional: bool) -> list[tuple[np.ndarray, int]]:
    """Each additive relation as (flat indices of the inner cells, flat index of the total)."""
    n_rows, n_cols = shape
    if one_dimensional:
        return [(np.arange(n_rows - 1), n_rows - 1)]
    grid = np.arange(n_rows * n_cols).reshape(shape)
    lines = [(grid[i, :-1], int(grid[i, -1])) for i in range(n_rows)]
    lines += [(grid[:-1, j], int(grid[-1, j])) for j in range(n_cols)]
    return lines


def complete_suppression(v: np.ndarray, n: np.ndarray, reason: np.ndarray,
              lines: list[tuple[np.ndarray, int]], kind: str, rule: SecrecyRule) -> None:
    """Secondary suppression: line heuristic, then audit-driven additions, until safe."""
    cells_of = [np.append(members, total) for members, total in lines]
    lines_of: list[list[int]] = [[] for _ in range(v.size)]
    for k, cells in enumerate(cells_of):
        for c in cells:
            lines_of[c].append(k)
    is_total = np.zeros(v.size, bool)
    is_total[[total for _, total in lines]] = True
    hidden = reason != ""

    def hide(cell: int) -> None:
        hidden[cell] = True
        reason[cell] = SECONDARY

    while True:
        changed = True
        while changed:
            changed = False
            for k, cells in enumerate(cells_of):
                if hidden[cells].sum() != 1:
                    continue
                candidates = [int(c) for c in cells if not hidden[c] and n[c] > 0]
                if not candidates:
                    continue

                def new_singles(c: int, k: int = k) -> int:
                    return sum(1 for j in lines_of[c] if j != k and not hidden[cells_of[j]].any())
                hide(min(candidates, key=lambda c: (is_total[c], new_singles(c), v[c], c)))
                changed = True
        if not hidden.any():
            return
        _, _, recoverable = audit_arrays(v, hidden, lines, kind, rule)
        if not recoverable.any():
            return
        target = int(np.flatnonzero(hidden)[np.argmax(recoverable)])
        near = {int(c) for j in lines_of[target] for c in cells_of[j]}
        visible = [c for c in range(v.size) if not hidden[c] and n[c] > 0]
        candidates = [c for c in visible if c in near] or visible
        if not candidates:  # everything is hidden: nothing can be pinned any more
            raise RuntimeError("secondary suppression cannot protect the table")
        hide(min(candidates, key=lambda c: (is_total[c], v[c], c)))


def audit_arrays(v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                  kind: str, rule: SecrecyRule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feasible interval of every hidden cell (in flat order) and whether it is too narrow."""
    from scipy.optimize import linprog

    unknown = np.flatnonzero(hidden)
    if unknown.size == 0:
        return np.empty(0), np.empty(0), np.empty(0, bool)
    position = {int(c): k for k, c in enumerate(unknown)}
    rows, rhs = [], []
    for members, total in lines:
        coef = np.zeros(unknown.size)
        known = 0.0
        for c in members:
            if hidden[c]:
                coef[position[int(c)]] += 1.0
            else:
                known -= v[c]
        if hidden[total]:
            coef[position[total]] -= 1.0
        else:
            known += v[total]
        if coef.any():
            rows.append(coef)
            rhs.append(known)
    floor = 1.0 if kind == COUNT else 0.0
    lower = np.full(unknown.size, floor)
    upper = np.full(unknown.size, np.inf)
    if rows:
        a_eq, b_eq = np.vstack(rows), np.array(rhs)
        bounds = [(floor, None)] * unknown.size
        for k in range(unknown.size):
            if not a_eq[:, k].any():
                continue
            objective = np.zeros(unknown.size)
            for sign in (1.0, -1.0):
                objective[k] = sign
                result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
                if result.status == 0:
                    if sign > 0:
                        lower[k] = result.fun
                    else:
                        upper[k] = -result.fun
                elif result.status != 3:  # 3: unbounded, the upper bound stays infinite
                    raise RuntimeError(f"audit linear program failed: {result.message}")
    tolerance = 1e-7 * max(1.0, float(np.abs(v).max()))
    value = v[unknown]
    recoverable = (upper - lower) < rule.min_width - tolerance
    if rule.protection > 0:
        recoverable |= (upper < value * (1 + rule.protection) - tolerance)
        recoverable |= (lower > value * (1 - rule.protection) + tolerance)
    return lower, upper, recoverable
