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
        target = first_recoverable(v, hidden, lines, kind, rule)
        if target is None:
            return
        near = {int(c) for j in lines_of[target] for c in cells_of[j]}
        visible = [c for c in range(v.size) if not hidden[c] and n[c] > 0]
        candidates = [c for c in visible if c in near] or visible
        if not candidates:  # everything is hidden: nothing can be pinned any more
            raise RuntimeError("secondary suppression cannot protect the table")
        hide(min(candidates, key=lambda c: (is_total[c], v[c], c)))


def audit_arrays(v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                 kind: str, rule: SecrecyRule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feasible interval of every hidden cell (in flat order) and whether it is too narrow."""
    problem = _Intruder(v, hidden, lines, kind)
    bounds = [problem.interval(k) for k in range(problem.unknown.size)]
    lower = np.array([b[0] for b in bounds], dtype=float)
    upper = np.array([b[1] for b in bounds], dtype=float)
    return lower, upper, _too_narrow(lower, upper, v[problem.unknown], v, rule)


def first_recoverable(v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                      kind: str, rule: SecrecyRule) -> int | None:
    """The first hidden cell (flat index) an intruder can pin, or None: the audit of
    :func:`audit_arrays`, stopped at the first finding — what completion needs each round."""
    problem = _Intruder(v, hidden, lines, kind)
    for k, cell in enumerate(problem.unknown):
        low, high = problem.interval(k)
        if _too_narrow(np.array([low]), np.array([high]), v[[cell]], v, rule)[0]:
            return int(cell)
    return None


class _Intruder:
    """What an intruder knows: every line adds up, published cells, hidden cells >= floor."""

    def __init__(self, v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                 kind: str) -> None:
        self.unknown = np.flatnonzero(hidden)
        position = {int(c): k for k, c in enumerate(self.unknown)}
        rows, rhs = [], []
        for members, total in lines:
            coef = np.zeros(self.unknown.size)
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
        self.floor = 1.0 if kind == COUNT else 0.0
        self.a_eq = np.vstack(rows) if rows else None
        self.b_eq = np.array(rhs) if rows else None

    def interval(self, k: int) -> tuple[float, float]:
        """Minimum and maximum of hidden cell ``k`` (two linear programs, scipy's HiGHS)."""
        from scipy.optimize import linprog

        if self.a_eq is None or not self.a_eq[:, k].any():
            return self.floor, np.inf
        bounds = [(self.floor, None)] * self.unknown.size
        objective = np.zeros(self.unknown.size)
        out = [self.floor, np.inf]
        for side, sign in enumerate((1.0, -1.0)):
            objective[k] = sign
            result = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=bounds,
                             method="highs")
            if result.status == 0:
                out[side] = sign * result.fun
            elif result.status != 3:  # 3: unbounded, the upper bound stays infinite
                raise RuntimeError(f"audit linear program failed: {result.message}")
        return out[0], out[1]


def _too_narrow(lower: np.ndarray, upper: np.ndarray, value: np.ndarray, v: np.ndarray,
                rule: SecrecyRule) -> np.ndarray:
    tolerance = 1e-7 * max(1.0, float(np.abs(v).max()))
    recoverable = (upper - lower) < rule.min_width - tolerance
    if rule.protection > 0:
        recoverable |= (upper < value * (1 + rule.protection) - tolerance)
        recoverable |= (lower > value * (1 - rule.protection) + tolerance)
    return recoverable
