"""The change among the same places, for the region and every département, protected
for the whole site at once.

:func:`tlresearch.stats.paired_changes.paired_changes` prints, for one territory, the
mean of the places that answered both waves (« mêmes lieux ») beside the mean of all
respondents of each wave. A reader who collects every page knows, for each wave:

* each territory's **same-places sum** (mean × its number of places, which is public:
  the map of places says which place answered which wave);
* each territory's **all-respondents sum**, a cell of the wave's protected grid
  (:mod:`tlresearch.secrecy.wave_secrecy`) that the Panorama prints too;
* that a département's all-respondents sum is its same-places sum plus the sum of
  the places that answered this wave only (and of those that moved from another
  département), and that the départements add up to the region.

So a figure can be given away three ways: the difference of a département's two rows
(the places that answered one wave only, often one or two), the region's same-places
sum minus the other départements' (a département whose row is « s »), and a lower bound
on a cell the grid hides (the same places' sum is part of it). :func:`protect_paired`
lays every territory's sums of one wave out as one small table — rows: départements
(and the places whose commune is unknown), then the region; columns: same places, moved
from or to another département, this wave only, and their sub-totals — prints what the
pages print, and hides same-places rows until the LP audit of that table
(:func:`tlresearch.secrecy.cell_suppression.first_recoverable`) pins none of the cells
the rules protect: a group of places failing the primary rules (3 places above 0, none
over 85 %, no 0 % / 100 % or zero sum over named places:
:func:`~tlresearch.stats.paired_changes.group_reason`), and every cell the wave's grid
hides (±10 % for a cell a rule hides, not pinned for a complementary one, as the grid
itself is protected). A département's row is also « s » whenever the grid hides its
all-respondents sum in either wave: the all-respondents row is then « s », and the
same-places row alone would bound it from below.

What this table does not hold, the site audit (:mod:`tlresearch.report.published_facts`)
adds to the grid's facts: a published same-places sum is a lower bound of its
territory's grid cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.secrecy.cell_suppression import audit_arrays, first_recoverable
from tlresearch.secrecy.rules import MAGNITUDE, SECONDARY, TOTAL_LABEL, SecrecyRule
from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT
from tlresearch.stats.adjusted_totals import place_values
from tlresearch.stats.indicator_catalogue import in_territory
from tlresearch.stats.paired_changes import (
    ALL_RESPONDENTS,
    PAIRED,
    SAME_PLACES,
    group_reason,
    paired_from_values,
)

#: Columns of a wave's table: same places (both waves, same département), moved (both
#: waves, another département the other wave), this wave only; then their sub-totals.
CELLS = ("same", "moved", "only", "both", "other", "all")
SAME, MOVED, ONLY, BOTH, OTHER, ALL = range(len(CELLS))
#: Why a row is « s » because of the grid (its all-respondents sum is hidden there).
GRID = "grid"
#: The figures a row prints (blanked when it is secret).
FIGURES = ["value_from", "value_to", "change", "low", "high", "sum_from", "sum_to"]


@dataclass(frozen=True)
class ProtectedPairs:
    """Every territory's paired changes between two waves, secrecy decided together."""

    from_wave: int
    to_wave: int
    region: str
    #: :func:`paired_changes` rows of every territory (column ``territory``), ``secret``
    #: set and the figures of secret rows blanked.
    table: pd.DataFrame
    rows: list[str] = field(default_factory=list)
    #: (variable, wave) → (values, hidden, owed, sensitive), flat over rows × CELLS.
    cells: dict = field(default_factory=dict)
    rule: SecrecyRule = field(default_factory=SecrecyRule)

    def territory_table(self, territory: str) -> pd.DataFrame:
        """The rows a territory's page prints (``territory``: the region or a département)."""
        rows = self.table[self.table["territory"] == str(territory)]
        if rows.empty:
            raise UsageError(f"no place of {territory!r} answered in {self.from_wave} "
                             f"or {self.to_wave}")
        return rows.drop(columns=["territory"]).reset_index(drop=True)

    def audit(self) -> pd.DataFrame:
        """The LP audit of every wave's table: one row per protected hidden cell (a group
        failing the rules, a cell the grid hides), its interval and ``recoverable``."""
        out = []
        lines = _lines(len(self.rows))
        for (variable, wave), (values, hidden, owed, sensitive) in self.cells.items():
            lower, upper, narrow = audit_arrays(values, hidden, lines, MAGNITUDE, self.rule,
                                                sensitive)
            at = np.flatnonzero(hidden)
            keep = owed[at]
            r, c = np.divmod(at[keep], len(CELLS))
            out.append(pd.DataFrame({
                "variable": variable, "wave": wave, "departement": [self.rows[k] for k in r],
                "cell": [CELLS[k] for k in c], "value": values[at[keep]],
                "lower": lower[keep], "upper": upper[keep], "recoverable": narrow[keep]}))
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def protect_paired(responses: pd.DataFrame, from_wave: int, to_wave: int, grid_for,
                   region: str = DEFAULT_REGION, variables=None,
                   rule: SecrecyRule | None = None) -> ProtectedPairs:
    """Paired changes of the region and of each of its départements, protected together.

    Parameters
    ----------
    responses
        The panel's responses (only the region's places are read).
    from_wave, to_wave
        The two waves compared.
    grid_for
        The waves' protected grids (:func:`tlresearch.report.page_secrecy.wave_grids`).
    variables
        Keys of :data:`~tlresearch.stats.paired_changes.PAIRED` (default: all).

    Returns
    -------
    ProtectedPairs
        Its ``secret`` column says why a row is « s »: a primary rule (the row's own
        groups), ``grid`` (its all-respondents sum is hidden in a wave's grid) or
        ``secondary`` (hidden so that no other one can be worked out).
    """
    rule = rule or SecrecyRule()
    variables = list(PAIRED) if variables is None else list(variables)
    own = responses[in_territory(responses, "region_code", str(region)).to_numpy()]
    waves = pd.to_numeric(own["wave"])
    seen = own[waves.isin([from_wave, to_wave]).to_numpy()]
    departements = sorted(seen["departement_code"].dropna().astype(str).unique())
    rows = [*departements, UNKNOWN_DEPARTEMENT, TOTAL_LABEL]
    where = {w: _departements(own, w) for w in (from_wave, to_wave)}
    values_of = {w: place_values(seen, w).drop_duplicates("place_id").set_index("place_id")
                 for w in (from_wave, to_wave)}
    before, after = values_of[from_wave], values_of[to_wave]
    tables = [paired_from_values(before, after, from_wave, to_wave, variables)
              .assign(territory=str(region))]
    for d in departements:  # a département's places at each wave, as paired_changes reads them
        tables.append(paired_from_values(
            before[where[from_wave].reindex(before.index).eq(d).to_numpy()],
            after[where[to_wave].reindex(after.index).eq(d).to_numpy()],
            from_wave, to_wave, variables).assign(territory=d))
    table = pd.concat(tables, ignore_index=True)
    table["secret"] = table["secret"].astype(object).where(table["secret"].notna(), None)
    cells = {}
    for variable in variables:
        share = PAIRED[variable][1]
        mine = table["variable"] == variable
        same_rows = mine & (table["sample"] == SAME_PLACES)
        primary = {t: (why if isinstance(why, str) else None) for t, why in  # NA: printed
                   zip(table.loc[same_rows, "territory"], table.loc[same_rows, "secret"])}
        layouts = {}
        for wave, other in ((from_wave, to_wave), (to_wave, from_wave)):
            layouts[wave] = _layout(values_of[wave][variable].dropna(),
                                    values_of[other][variable].dropna(), where[wave],
                                    where[other], rows, share, grid_for(wave), variable, rule)
        grid_hidden = {r for layout in layouts.values() for r in layout["grid_hidden"]}
        secret = {r: primary.get(_territory(r, region)) for r in rows}
        for r in grid_hidden:
            secret[r] = secret[r] or GRID
        secret[UNKNOWN_DEPARTEMENT] = secret[UNKNOWN_DEPARTEMENT] or "unpublished"
        _complete(layouts, rows, secret, rule)
        for wave, layout in layouts.items():
            cells[(variable, wave)] = (layout["values"], _hidden(layout, rows, secret),
                                       layout["owed"], layout["sensitive"])
        for r in rows:
            territory = _territory(r, region)
            if r == UNKNOWN_DEPARTEMENT:
                continue
            here = mine & (table["territory"] == territory)
            if secret[r]:
                same = here & (table["sample"] == SAME_PLACES)
                table.loc[same, FIGURES] = np.nan
                table.loc[same, "secret"] = secret[r]
            if r in grid_hidden:  # the all-respondents means print the hidden sums
                every = here & (table["sample"] == ALL_RESPONDENTS)
                table.loc[every, FIGURES] = np.nan
                table.loc[every, "secret"] = GRID
    return ProtectedPairs(int(from_wave), int(to_wave), str(region), table, rows, cells, rule)


def _territory(row: str, region: str) -> str:
    return str(region) if row == TOTAL_LABEL else row


def _departements(responses: pd.DataFrame, wave: int) -> pd.Series:
    """Each respondent's département at ``wave`` (unknown commune: its own row)."""
    rows = responses[(pd.to_numeric(responses["wave"]) == wave).to_numpy()]
    rows = rows.drop_duplicates("place_id")
    return pd.Series(rows["departement_code"].astype("string").fillna(UNKNOWN_DEPARTEMENT)
                     .to_numpy(), index=rows["place_id"].astype("string").to_numpy())


def _layout(values: pd.Series, other: pd.Series, where: pd.Series, where_other: pd.Series,
            rows: list[str], share: bool, grid, variable: str, rule: SecrecyRule) -> dict:
    """One wave's table of sums, which cells the rules protect and which the grid hides."""
    n_cols = len(CELLS)
    groups: dict[tuple[int, int], list[float]] = {}
    for place, value in values.items():
        row = rows.index(str(where.get(place, UNKNOWN_DEPARTEMENT)))
        if place not in other.index:
            column = ONLY
        elif str(where_other.get(place, UNKNOWN_DEPARTEMENT)) == rows[row]:
            column = SAME
        else:
            column = MOVED
        parents = {SAME: (BOTH,), MOVED: (BOTH, OTHER), ONLY: (OTHER,)}[column]
        for r in (row, len(rows) - 1):
            for c in (column, *parents, ALL):
                groups.setdefault((r, c), []).append(float(value))
    size = len(rows) * n_cols
    sums = np.zeros(size)
    owed = np.zeros(size, bool)
    for (r, c), members in groups.items():
        sums[r * n_cols + c] = sum(members)
        if c != ALL and group_reason(np.array(members), share, rule):
            owed[r * n_cols + c] = True
    sensitive = owed.copy()
    grid_hidden = []
    for r, row in enumerate(rows):
        departement = None if row == TOTAL_LABEL else row
        reason = _grid_reason(grid, departement, variable)
        if reason is not None and (r, ALL) in groups:  # no answer (not asked): no secret
            grid_hidden.append(row)
            owed[r * n_cols + ALL] = True
            sensitive[r * n_cols + ALL] = reason != SECONDARY
    return {"values": sums, "owed": owed, "sensitive": sensitive, "grid_hidden": grid_hidden}


def _grid_reason(grid, departement: str | None, variable: str) -> str | None:
    """Why the grid hides a territory's all-respondents sum of ``variable``, or None.

    A sum printed by territory only (CDI, jobs...) is a cell of its margin table; the
    others (ETP, the employers' share) follow the territory's cell of the grid, as the
    pages' indicators do (:meth:`WaveSecrecy.hide_indicators`).
    """
    tables = grid.tables()
    if variable in grid.margins and grid.margin_hidden(departement, f"{variable}_sum"):
        table = tables[variable]
        row = table.total_label if departement is None else departement
        return str(table.reason.loc[row].iloc[0]) or SECONDARY
    if grid.is_hidden(departement, None):
        table = next(iter(grid.sums.values()))
        row = table.total_label if departement is None else departement
        return str(table.reason.loc[row, table.total_label]) or SECONDARY
    return None


def _lines(n_rows: int) -> list[tuple[np.ndarray, int]]:
    """Each row's sub-totals, and each column over the rows (départements → region)."""
    grid = np.arange(n_rows * len(CELLS)).reshape(n_rows, len(CELLS))
    lines = []
    for i in range(n_rows):
        lines.append((grid[i, [SAME, MOVED]], int(grid[i, BOTH])))
        lines.append((grid[i, [MOVED, ONLY]], int(grid[i, OTHER])))
        lines.append((grid[i, [BOTH, ONLY]], int(grid[i, ALL])))
        lines.append((grid[i, [SAME, OTHER]], int(grid[i, ALL])))
    for j in range(len(CELLS)):
        lines.append((grid[:-1, j], int(grid[-1, j])))
    return lines


def _hidden(layout: dict, rows: list[str], secret: dict) -> np.ndarray:
    """What a reader does not read: every cell but the printed same-places sums (the
    region's same places are moved ones too: its « both » cell), and the grid's sums."""
    hidden = np.ones((len(rows), len(CELLS)), bool)
    for r, row in enumerate(rows):
        if not secret[row]:
            hidden[r, BOTH if row == TOTAL_LABEL else SAME] = False
        if row not in layout["grid_hidden"]:
            hidden[r, ALL] = False
    return hidden.ravel()


def _complete(layouts: dict, rows: list[str], secret: dict, rule: SecrecyRule) -> None:
    """Hide same-places rows (smallest first, the region last) until, in both waves, the
    audit pins none of the cells owed protection that the grid alone left unpinned."""
    lines = _lines(len(rows))
    # A cell the grid's own publication already pins is the grid's matter, not ours.
    ignored = {wave: _already_pinned(layout, rows, lines, rule)
               for wave, layout in layouts.items()}
    while True:
        found = None
        for wave, layout in layouts.items():
            hidden = _hidden(layout, rows, secret)
            safe = {c for c in range(hidden.size) if not layout["owed"][c]} | ignored[wave]
            cell = first_recoverable(layout["values"], hidden, lines, MAGNITUDE, rule, safe,
                                     layout["sensitive"])
            if cell is not None:
                found = layout
                break
        if found is None:
            return
        shown = [r for r in rows if not secret[r] and r != TOTAL_LABEL]
        if not shown:
            if secret[TOTAL_LABEL]:
                return  # nothing of ours is printed: what is pinned, the grid pins
            secret[TOTAL_LABEL] = SECONDARY
            continue
        values = found["values"].reshape(len(rows), len(CELLS))[:, SAME]
        secret[min(shown, key=lambda r: (values[rows.index(r)], r))] = SECONDARY


def _already_pinned(layout: dict, rows: list[str], lines, rule: SecrecyRule) -> set[int]:
    """Owed cells the audit pins with no same-places figure printed (the grid's sums only)."""
    hidden = _hidden(layout, rows, dict.fromkeys(rows, "all"))
    pinned: set[int] = set()
    while True:
        safe = {c for c in range(hidden.size) if not layout["owed"][c]} | pinned
        cell = first_recoverable(layout["values"], hidden, lines, MAGNITUDE, rule, safe,
                                 layout["sensitive"])
        if cell is None:
            return pinned
        pinned.add(cell)


__all__ = ["ProtectedPairs", "protect_paired", "CELLS", "GRID"]
