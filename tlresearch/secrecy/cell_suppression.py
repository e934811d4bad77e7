"""Secondary suppression and its audit on flat arrays of cells (the algorithms alone).

A table is a set of additive relations (each line's inner cells sum to its total).
:func:`complete_suppression` hides more cells until no hidden cell is alone in a
relation and every hidden cell keeps enough protection; :func:`audit_arrays` solves,
by linear programming (scipy's HiGHS), the range an attacker can give each hidden cell
from everything published — the proof that the protection holds.
"""
from __future__ import annotations

import numpy as np

from tlresearch.core.errors import TLResearchError
from tlresearch.secrecy.rules import COUNT, SECONDARY, SecrecyRule


class CannotProtect(TLResearchError, RuntimeError):
    """No pattern of hidden cells protects the table as it is: a hidden cell is pinned by
    what must be printed (a published sub-total whose other parts are zeros...). The
    caller makes the table coarser (merged categories, totals only) or withholds it."""


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
    """Secondary suppression: line heuristic, then audit-driven additions, until safe.

    Raises :class:`CannotProtect` when a hidden cell stays pinned with every cell that
    may be hidden hidden.

    A *secondary* cell that the audit pins to one value whatever else is hidden (the
    published cells fix it: e.g. a sub-total whose other parts are published zeros) is
    no secret: it is published again rather than protected by hiding more, and never
    hidden again. Publishing a value the intruder can already compute changes nothing
    of what they know about the other cells.
    """
    cells_of = [np.append(members, total) for members, total in lines]
    lines_of: list[list[int]] = [[] for _ in range(v.size)]
    for k, cells in enumerate(cells_of):
        for c in cells:
            lines_of[c].append(k)
    is_total = np.zeros(v.size, bool)
    is_total[[total for _, total in lines]] = True
    hidden = reason != ""
    # The protection interval (±10 %) is owed to the sensitive cells, those a rule hides,
    # as in τ-Argus; a complementary cell need only not be pinned to one value.
    sensitive = hidden & (reason != SECONDARY)
    safe: set[int] = set()  # cells the audit proved safe: hiding more keeps them safe
    known: set[int] = set()  # secondary cells pinned by what is published: shown again

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
                candidates = [int(c) for c in cells
                              if not hidden[c] and n[c] > 0 and int(c) not in known]
                if not candidates:
                    continue

                def new_singles(c: int, k: int = k) -> int:
                    return sum(1 for j in lines_of[c] if j != k and not hidden[cells_of[j]].any())
                hide(min(candidates, key=lambda c: (is_total[c], new_singles(c), v[c], c)))
                changed = True
        if not hidden.any():
            return
        target = first_recoverable(v, hidden, lines, kind, rule, safe, sensitive)
        if target is None:
            return
        could_hide = hidden.copy()
        could_hide[[c for c in range(v.size) if n[c] > 0 and c not in known]] = True
        if reason[target] == SECONDARY and _pinned(v, could_hide, lines, kind, target):
            hidden[target] = False
            reason[target] = ""
            known.add(target)
            continue
        near = {int(c) for j in lines_of[target] for c in cells_of[j]}
        visible = [c for c in range(v.size) if not hidden[c] and n[c] > 0 and c not in known]
        candidates = [c for c in visible if c in near] or visible
        if not candidates:  # everything is hidden: nothing can be pinned any more
            raise CannotProtect("secondary suppression cannot protect the table")
        hide(min(candidates, key=lambda c: (is_total[c], v[c], c)))


def audit_arrays(v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                 kind: str, rule: SecrecyRule, sensitive: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feasible interval of every hidden cell (in flat order) and whether it is too narrow.

    ``sensitive`` (flat, default: every hidden cell) names the cells owed the rule's
    protection interval; the others need only not be pinned (``min_width``).
    """
    problem = _Intruder(v, hidden, lines, kind)
    bounds = [problem.interval(k) for k in range(problem.unknown.size)]
    lower = np.array([b[0] for b in bounds], dtype=float)
    upper = np.array([b[1] for b in bounds], dtype=float)
    owed = None if sensitive is None else np.asarray(sensitive, bool)[problem.unknown]
    return lower, upper, too_narrow(lower, upper, v[problem.unknown], v, rule,
                                    problem.floor, sensitive=owed)


def first_recoverable(v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                      kind: str, rule: SecrecyRule, safe: set[int] | None = None,
                      sensitive: np.ndarray | None = None) -> int | None:
    """The first hidden cell (flat index) an intruder can pin, or None: the audit of
    :func:`audit_arrays`, stopped at the first finding — what completion needs each round.

    Most hidden cells are safe, and proving a cell safe needs no exact interval: two
    feasible points of the intruder's problem far enough apart on the cell suffice. The
    true table is one point; two box-bounded LPs (least and most in total) give two
    more, and every exact LP solved on the way gives its optimum, which certifies other
    cells for free. Only cells no point certifies get their own two LPs.

    ``safe`` (updated in place) names cells already proven safe on the same values with
    fewer hidden cells: hiding more only frees published values, so the intruder's
    feasible set, projected on those cells, can only grow; they are not checked again.
    """
    problem = _Intruder(v, hidden, lines, kind)
    if problem.unknown.size == 0:
        return None
    safe = set() if safe is None else safe
    truth = v[problem.unknown]
    seen_low, seen_high = truth.copy(), truth.copy()

    def see(point: np.ndarray | None) -> None:
        if point is not None:
            np.minimum(seen_low, point, out=seen_low)
            np.maximum(seen_high, point, out=seen_high)

    todo = [k for k, cell in enumerate(problem.unknown) if int(cell) not in safe]
    if len(todo) > 2:
        for point in problem.extreme_points():
            see(point)
    for k in todo:
        cell = int(problem.unknown[k])
        owed = None if sensitive is None else np.asarray(sensitive, bool)[[cell]]
        if not too_narrow(seen_low[[k]], seen_high[[k]], truth[[k]], v, rule, problem.floor,
                          sensitive=owed)[0]:
            safe.add(cell)
            continue
        low, high = problem.interval(k, seen=see)
        if too_narrow(np.array([low]), np.array([high]), truth[[k]], v, rule,
                      problem.floor, sensitive=owed)[0]:
            return cell
        safe.add(cell)
    return None


def _pinned(v: np.ndarray, could_hide: np.ndarray, lines, kind: str, cell: int) -> bool:
    """Whether ``cell`` is fixed to one value even with every cell that may be hidden
    hidden (then no suppression can protect it, and it is no secret)."""
    problem = _Intruder(v, could_hide, lines, kind)
    low, high = problem.interval(int(np.searchsorted(problem.unknown, cell)))
    return high - low <= 1e-7 * max(1.0, float(np.abs(v).max()))


class _Intruder:
    """What an intruder knows: every line adds up, published cells, hidden cells >= floor."""

    def __init__(self, v: np.ndarray, hidden: np.ndarray, lines: list[tuple[np.ndarray, int]],
                 kind: str) -> None:
        self.unknown = np.flatnonzero(hidden)
        self.scale = float(np.abs(v).max()) if v.size else 1.0
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

    def _solve(self, objective: np.ndarray, bounds) -> tuple[int, float, np.ndarray | None]:
        from scipy.optimize import linprog

        result = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=bounds,
                         method="highs")
        if result.status not in (0, 3):  # 3: unbounded
            raise RuntimeError(f"audit linear program failed: {result.message}")
        return result.status, result.fun, (result.x if result.status == 0 else None)

    def extreme_points(self) -> list[np.ndarray]:
        """Feasible points with every hidden cell as low, then as high, as it can be.

        The box (a few times the largest published value) keeps the LP bounded; its
        points are feasible for the unboxed problem too, so they certify soundly.
        """
        if self.a_eq is None:
            return []
        bounds = [(self.floor, self.floor + 4 * self.scale + 10)] * self.unknown.size
        points = []
        for sign in (1.0, -1.0):
            _, _, x = self._solve(np.full(self.unknown.size, sign), bounds)
            if x is not None:
                points.append(x)
        return points

    def interval(self, k: int, seen=None) -> tuple[float, float]:
        """Minimum and maximum of hidden cell ``k`` (two linear programs, scipy's HiGHS).

        ``seen`` is called with each optimal point (all hidden cells), for certifying.
        """
        if self.a_eq is None or not self.a_eq[:, k].any():
            return self.floor, np.inf
        bounds = [(self.floor, None)] * self.unknown.size
        objective = np.zeros(self.unknown.size)
        out = [self.floor, np.inf]
        for side, sign in enumerate((1.0, -1.0)):
            objective[k] = sign
            status, fun, x = self._solve(objective, bounds)
            if status == 0:
                out[side] = sign * fun
                if seen is not None:
                    seen(x)
        return out[0], out[1]


def too_narrow(lower: np.ndarray, upper: np.ndarray, value: np.ndarray, v: np.ndarray,
                rule: SecrecyRule, floor: float = 0.0, protection: float | None = None,
                sensitive: np.ndarray | None = None) -> np.ndarray:
    """Whether each interval pins its cell: narrower than ``rule.min_width``, or not
    reaching ``value × (1 ± protection)`` on both sides (default ``rule.protection``)
    where ``sensitive`` (default: everywhere).

    A lower bound at ``floor`` (1 for a hidden count: zeros are printed, so « s » already
    says "at least one place") tells the reader nothing « s » did not: a hidden count of
    1 is protected when it may be 2 or more, as τ-Argus's frequency tables count it.
    """
    tolerance = 1e-7 * max(1.0, float(np.abs(v).max()))
    protection = rule.protection if protection is None else protection
    recoverable = (upper - lower) < rule.min_width - tolerance
    if protection > 0:
        close = (upper < value * (1 + protection) - tolerance)
        close |= ((lower > value * (1 - protection) + tolerance)
                  & (lower > floor + tolerance))
        recoverable |= close if sensitive is None else close & sensitive
    return recoverable


def bounded_within(lower: np.ndarray, upper: np.ndarray, value: np.ndarray,
                   protection: float, kind: str) -> np.ndarray:
    """Whether an intruder bounds each hidden cell within ±``protection`` of its value
    (what an audit reports at ±30 % beside the ±10 % it forbids)."""
    lower, upper, value = (np.asarray(x, dtype=float) for x in (lower, upper, value))
    rule = SecrecyRule(min_width=0.0, protection=protection)
    scale = np.concatenate([np.abs(value), [1.0]])
    return too_narrow(lower, upper, value, scale, rule, 1.0 if kind == COUNT else 0.0)
