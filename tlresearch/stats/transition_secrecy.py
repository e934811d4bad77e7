"""What became of the places since the previous wave, protected for the whole site at once.

:func:`tlresearch.stats.trends.transitions` counts places by their state at two waves
(employer, volunteer-run... or absent). A pair of states says what places answered
(employer at one wave, volunteer-run at the next): it is protected. Its sub-totals
(answered both waves, stopped answering, new respondents), the respondents of each wave
and the total say only which places answered which wave, which the map of places prints
for each place: they are counts of places, printed in clear like the waves' grids
(:mod:`tlresearch.secrecy.wave_secrecy`) print theirs, and never chosen to hide.

The region's key figures of both waves print, as a share × its base, how many places
were employers, volunteer-run... at each wave: the margins of the from-state × to-state
table (:func:`state_margins`). They are relations of the grid like the sub-totals, fixed
as printed, so that no pair can be worked out from them (before, 4 of the 7 hidden pairs
of 2024 → 2025 were). When no pattern of « s » protects the pairs, they are withheld and
the page prints the sub-totals with :data:`WITHHELD_NOTE`.

By département the pairs rest almost all on fewer than 3 places (84 of 84 hidden on the
demo survey when they were tried), so the pairs are published **for the region only**,
and a département's page says why it shows none (:data:`DEPARTEMENT_NOTE`). The region's
pairs are protected with every relation a reader can form (pairs → sub-totals → total):
cells resting on fewer than 3 places are hidden, then enough others that the LP audit
(:func:`tlresearch.secrecy.cell_suppression.audit_arrays`) recovers none. The grid
keeps the départements' rows (:attr:`ProtectedTransitions.rows`) so that publishing
them later is a change of one flag, audited the same way.

Places are placed in the département of their latest response (a place is in one
row only, so the rows partition the region).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_count
from tlresearch.secrecy.cell_suppression import (
    CannotProtect,
    audit_arrays,
    bounded_within,
    complete_suppression,
)
from tlresearch.secrecy.rules import (
    COUNT,
    PRIMARY_COUNT,
    REPORTED_PROTECTION,
    SECRET,
    TOTAL_LABEL,
    SecrecyRule,
)
from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT
from tlresearch.stats.indicator_catalogue import indicator_settings
from tlresearch.stats.trends import place_states

#: The sub-totals, in the order a page prints them, and what sends a pair to each.
GROUPS = ("linked_places", "stopped_answering", "new_respondents")
#: Why a département page shows no transitions.
DEPARTEMENT_NOTE = ("Les parcours des lieux entre deux vagues ne sont publiés que pour la région : "
                    "par département, ils reposent presque tous sur moins de trois lieux et "
                    "relèveraient du secret statistique (voir la page de la région).")
#: Why the pairs are not printed when no pattern of « s » protects them.
WITHHELD_NOTE = ("Le détail des parcours (employeur, bénévoles uniquement...) n'est pas publié "
                 "pour ces deux vagues : trop peu de lieux ont changé de situation, et les "
                 "sous-totaux et chiffres clés des deux vagues (parts d'employeurs et de lieux "
                 "bénévoles), publics, permettraient de retrouver la situation de chacun. "
                 "Seuls les sous-totaux sont donnés.")
#: Whether the départements' rows are printed (see the module's docstring).
DEPARTEMENT_ROWS = False
#: Respondents of each wave by territory: printed by the Panorama, sums of sub-totals.
WAVE_MARGINS = ("respondents_from", "respondents_to")


@dataclass(frozen=True)
class ProtectedTransitions:
    """The département × (pair of states, sub-total, total) grid of two waves."""

    from_wave: int
    to_wave: int
    rows: list[str]
    cols: list[str]
    values: np.ndarray
    hidden: np.ndarray
    lines: list
    rule: SecrecyRule
    #: The pairs cannot be protected (a sub-total, public, pins one): none is printed.
    withheld: bool = False

    def _row(self, departement: str | None) -> int:
        key = TOTAL_LABEL if departement is None else str(departement)
        if key not in self.rows:
            raise UsageError(f"no place of département {departement!r} answered in "
                             f"{self.from_wave} or {self.to_wave}")
        return self.rows.index(key)

    def territory_table(self, departement: str | None = None) -> pd.DataFrame:
        """A territory's row as the page prints it: French labels, counts or « s ».

        Pairs no place of the region followed are left out (the same rows on every
        page); the sub-totals and the total close the table.
        """
        states = indicator_settings()["transition_states"]
        if departement is not None and not DEPARTEMENT_ROWS:
            raise UsageError(DEPARTEMENT_NOTE)
        i = self._row(departement)
        region = self.values[self.rows.index(TOTAL_LABEL)]
        labels, texts, codes = [], [], []
        for j, col in enumerate(self.cols):
            if col in WAVE_MARGINS or col.startswith(("from:", "to:")):
                continue  # printed by the Panorama (respondents, key figures), not here
            if col in GROUPS or col == TOTAL_LABEL:
                label = _group_label(col, self.from_wave, self.to_wave)
            elif region[j] == 0 or departement is not None or self.withheld:
                continue  # pairs: on the region's page only, and only those that occur
            else:
                a, b = col.split("→")
                label = (f"{states[a]} ({self.from_wave}) → {states[b]} ({self.to_wave})")
            labels.append(label)
            codes.append(col)
            texts.append(SECRET if self.hidden[i, j] else format_count(self.values[i, j]))
        return pd.DataFrame({"Parcours des lieux": labels, "Nombre de lieux": texts,
                             "code_parcours": codes})

    def audit(self) -> pd.DataFrame:
        """The LP audit of the grid: one row per hidden cell, its interval, recoverable.

        Withheld pairs are printed nowhere, not even as « s » or as absent zeros: a
        reader knows only the sub-totals, which are public. Nothing to audit.
        """
        if self.withheld:
            return pd.DataFrame(columns=["departement", "parcours", "value", "lower",
                                         "upper", "recoverable", "within_30"])
        small = (self.values > 0) & (self.values < self.rule.threshold)
        lower, upper, recoverable = audit_arrays(self.values.ravel().astype(float),
                                                 self.hidden.ravel(), self.lines, COUNT,
                                                 self.rule, (self.hidden & small).ravel())
        at = np.flatnonzero(self.hidden.ravel())
        r, c = np.unravel_index(at, self.values.shape)
        value = self.values.ravel()[at]
        return pd.DataFrame({"departement": [self.rows[k] for k in r],
                             "parcours": [self.cols[k] for k in c],
                             "value": value, "lower": lower, "upper": upper,
                             "recoverable": recoverable,
                             "within_30": bounded_within(lower, upper, value,
                                                         REPORTED_PROTECTION, COUNT)})

    def volunteer_figures(self) -> dict:
        """What the trajectories page prints for these two waves, read from this grid:
        volunteer-run places followed to the next wave (the base), those that became
        employers, places followed; ``None`` where it prints « s ».

        The pair « bénévoles → employeur » is printed as the region's page prints it
        (« s » when hidden or withheld). The base is a sum of pairs (volunteer-run, then
        any state but absent): printed only when, added to everything else, the audit
        still pins no hidden pair (:meth:`trajectories_audit`).
        """
        region = self.rows.index(TOTAL_LABEL)
        pair = self.cols.index("benevole→employeur")
        became = None if self.withheld or self.hidden[region, pair] else \
            int(self.values[region, pair])
        base = int(self.values[region, self._volunteer_pairs()].sum())
        return {"from_wave": self.from_wave, "to_wave": self.to_wave,
                "volunteer_run": base if self._base_is_safe() else None,
                "became_employer": became,
                "linked_places": int(self.values[region, self.cols.index("linked_places")])}

    def _base_is_safe(self) -> bool:
        """Whether printing the base pins no hidden pair the grid alone left unpinned
        (withheld pairs may be pinned already: that is why they are withheld)."""
        before = self._audit_arrays(with_base=False)
        after = self._audit_arrays(with_base=True)
        pinned = set(before.loc[before["recoverable"].astype(bool), "cell"])
        return not (after["recoverable"].astype(bool) & ~after["cell"].isin(pinned)).any()

    def trajectories_audit(self) -> pd.DataFrame:
        """The audit with what the trajectories page prints beside the region's page:
        the pair « bénévoles → employeur » (a cell of the grid) and, when printed, the
        base (one more relation). One row per hidden cell (``cell``: flat index, the
        base last), its interval and ``recoverable``."""
        return self._audit_arrays(with_base=self._base_is_safe())

    def _volunteer_pairs(self) -> list[int]:
        return [j for j, c in enumerate(self.cols)
                if c.startswith("benevole→") and c != "benevole→absent"]

    def _audit_arrays(self, with_base: bool) -> pd.DataFrame:
        """The audit of the grid, and with ``with_base`` of the trajectories page's base
        printed beside it (one more cell, the sum of the region's volunteer pairs).
        Withheld pairs are hidden where not 0 (a reader is granted the zeros: the
        cautious side)."""
        hidden = self.hidden
        values = self.values.ravel().astype(float)
        small = ((self.values > 0) & (self.values < self.rule.threshold)).ravel()
        lines = list(self.lines)
        flat_hidden = hidden.ravel()
        if with_base:
            region = self.rows.index(TOTAL_LABEL) * len(self.cols)
            members = np.array([region + j for j in self._volunteer_pairs()])
            lines.append((members, values.size))
            values = np.append(values, values[members].sum())
            flat_hidden = np.append(flat_hidden, False)
            small = np.append(small, False)
        if not flat_hidden.any():
            return pd.DataFrame({"cell": [], "value": [], "lower": [], "upper": [],
                                 "recoverable": []})
        lower, upper, recoverable = audit_arrays(values, flat_hidden, lines, COUNT, self.rule,
                                                 flat_hidden & small)
        at = np.flatnonzero(flat_hidden)
        return pd.DataFrame({"cell": at, "value": values[at], "lower": lower, "upper": upper,
                             "recoverable": recoverable})

    def information_loss(self) -> dict:
        """Printed cells that are not totals (the region's pairs, and the départements'
        sub-totals when printed), hidden ones, and the share of places they hold."""
        pairs = [j for j, c in enumerate(self.cols) if "→" in c]
        groups = [self.cols.index(g) for g in GROUPS] if DEPARTEMENT_ROWS else []
        inner = np.concatenate([self.values[:-1][:, groups].ravel(), self.values[-1, pairs]])
        hidden = np.concatenate([self.hidden[:-1][:, groups].ravel(), self.hidden[-1, pairs]])
        cells = int((inner > 0).sum())
        total = float(inner.sum())
        return {"table": "transitions", "kind": "comptage", "cells": cells,
                "hidden_cells": int((hidden & (inner > 0)).sum()),
                "hidden_share": float((hidden & (inner > 0)).sum() / cells) if cells else 0.0,
                "hidden_value_share": float(inner[hidden].sum() / total) if total else 0.0}


def protected_volunteers(responses: pd.DataFrame, rule: SecrecyRule | None = None
                         ) -> pd.DataFrame:
    """Volunteer-run places becoming employers between consecutive waves, as the
    trajectories page prints them: each pair of waves read from its protected
    transitions (:meth:`ProtectedTransitions.volunteer_figures`), NA where « s »."""
    waves = sorted(int(w) for w in pd.to_numeric(responses["wave"]).dropna().unique())
    rows = [protect_transitions(responses, a, b, rule).volunteer_figures()
            for a, b in zip(waves, waves[1:])]
    table = pd.DataFrame(rows, columns=["from_wave", "to_wave", "volunteer_run",
                                        "became_employer", "linked_places"])
    table = table.astype({"volunteer_run": "Int64", "became_employer": "Int64"})
    share = table["became_employer"].astype("Float64") / table["volunteer_run"].astype("Float64")
    table["share"] = share.where(table["volunteer_run"].fillna(0) > 0)
    return table


def _group_label(code: str, a: int, b: int) -> str:
    return {"linked_places": f"Sous-total : lieux répondant en {a} et en {b}",
            "stopped_answering": f"Sous-total : lieux répondant en {a} mais plus en {b}",
            "new_respondents": f"Sous-total : nouveaux répondants en {b}",
            TOTAL_LABEL: f"Ensemble des lieux répondant en {a} ou en {b}"}[code]


def state_margins(states) -> list[str]:
    """The places in each state at each wave (``from:employeur``, ``to:benevole``...):
    the region's key figures print them, as a share of employers (or of volunteer-run
    places) × its base, both waves; the bases and the respondents give the rest."""
    return [f"{side}:{state}" for side in ("from", "to") for state in states
            if state != "absent"]


def _in_margin(pair: str, margin: str) -> bool:
    side, state = margin.split(":")
    a, b = pair.split("→")
    return (a if side == "from" else b) == state


def _group_of(pair: str) -> str:
    a, b = pair.split("→")
    return "new_respondents" if a == "absent" else "stopped_answering" if b == "absent" \
        else "linked_places"


def place_transitions(responses: pd.DataFrame, from_wave: int, to_wave: int) -> pd.DataFrame:
    """One row per place of either wave: ``departement`` (latest response) and ``pair``."""
    first, second = place_states(responses, from_wave), place_states(responses, to_wave)
    both = first.merge(second, on="place_id", how="outer", suffixes=("_from", "_to"))
    both[["state_from", "state_to"]] = both[["state_from", "state_to"]].fillna("absent")
    waves = pd.to_numeric(responses["wave"])
    where = {}
    for wave in (from_wave, to_wave):  # the later wave overwrites: latest département
        rows = responses[(waves == wave).to_numpy()]
        where.update(zip(rows["place_id"].astype("string"),
                         rows["departement_code"].astype("string")))
    departement = both["place_id"].map(where).astype("string").fillna(UNKNOWN_DEPARTEMENT)
    return pd.DataFrame({"departement": departement,
                         "pair": both["state_from"] + "→" + both["state_to"]})


def protect_transitions(responses: pd.DataFrame, from_wave: int, to_wave: int,
                        rule: SecrecyRule | None = None) -> ProtectedTransitions:
    """Protect the transitions of every territory between two waves, as one grid.

    The pairs of states are protected; the sub-totals, the respondents of each wave and
    the totals are counts of places, printed in clear (which places answered which wave
    is public: the map of places gives it for each place).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"wave": [2024] * 8 + [2025] * 8, "place_id": list("abcdefgh") * 2,
    ...                   "departement_code": ["33"] * 4 + ["64"] * 4 + ["33"] * 4 + ["64"] * 4,
    ...                   "staff_total": [1] * 8 + [1, 1, 1, 0, 1, 1, 1, 1],
    ...                   "volunteers": [0] * 8 + [0, 0, 0, 2, 0, 0, 0, 0]})
    >>> grid = protect_transitions(r, 2024, 2025)
    >>> grid.withheld   # 8 employers in 2024, 7 in 2025 (key figures): 1 employer → none
    True
    >>> grid.territory_table()["Nombre de lieux"].tolist()  # sub-totals and total only
    ['8', '0', '0', '8']
    """
    rule = rule or SecrecyRule()
    states = list(indicator_settings()["transition_states"])
    pairs = [f"{a}→{b}" for a in states for b in states if not a == b == "absent"]
    margins = state_margins(states)
    cols = pairs + list(GROUPS) + list(WAVE_MARGINS) + margins + [TOTAL_LABEL]
    micro = place_transitions(responses, from_wave, to_wave)
    rows = sorted(micro["departement"].unique()) + [TOTAL_LABEL]
    inner = (micro.groupby(["departement", "pair"]).size().unstack(fill_value=0)
             .reindex(index=rows[:-1], columns=pairs, fill_value=0))
    values = np.zeros((len(rows), len(cols)), dtype="int64")
    values[:-1, :len(pairs)] = inner.to_numpy()
    for g, group in enumerate(GROUPS):
        members = [j for j, p in enumerate(pairs) if _group_of(p) == group]
        values[:-1, len(pairs) + g] = values[:-1, members].sum(axis=1)
    linked, stopped, new = (cols.index(g) for g in GROUPS)
    values[:-1, cols.index("respondents_from")] = values[:-1, linked] + values[:-1, stopped]
    values[:-1, cols.index("respondents_to")] = values[:-1, linked] + values[:-1, new]
    for margin in margins:
        members = [j for j, p in enumerate(pairs) if _in_margin(p, margin)]
        values[:-1, cols.index(margin)] = values[:-1, members].sum(axis=1)
    values[:-1, -1] = values[:-1, :len(pairs)].sum(axis=1)
    values[-1] = values[:-1].sum(axis=0)
    lines = _lines(len(rows), cols, pairs, DEPARTEMENT_ROWS)
    printed = np.ones(values.shape, bool)
    printed[:-1, :len(pairs)] = False  # a département's pairs are never printed
    if not DEPARTEMENT_ROWS:
        printed[:-1] = False
    v = values.ravel().astype(float)
    n = np.where(printed.ravel(), values.ravel(), 0)  # never chosen as a complement
    reason = np.full(v.size, "", dtype=object)
    reason[(n > 0) & (n < rule.threshold)] = PRIMARY_COUNT
    # Which places answered which wave is public (the map of places lists, for each
    # place, the waves it answered): sub-totals, respondents and totals are printed as
    # they are and never chosen to hide; only the pairs of states, which are answers,
    # are protected.
    public = [cols.index(c) for c in (*GROUPS, *WAVE_MARGINS, *margins, TOTAL_LABEL)]
    for j in public:
        reason[j::len(cols)] = ""
        n[j::len(cols)] = 0
    try:
        complete_suppression(v, n, reason, lines, COUNT, rule)
    except CannotProtect:
        # A public sub-total pins a pair (e.g. one new respondent, an employer: the
        # sub-total « nouveaux répondants » is 1 and the other new pairs are 0). No
        # pattern of « s » hides it: the pairs are withheld, the sub-totals printed.
        hidden = np.zeros(values.shape, bool)
        hidden[:, :len(pairs)] = values[:, :len(pairs)] > 0
        return ProtectedTransitions(int(from_wave), int(to_wave), rows, cols, values, hidden,
                                    lines, rule, withheld=True)
    hidden = (reason != "").reshape(values.shape)
    return ProtectedTransitions(int(from_wave), int(to_wave), rows, cols, values, hidden,
                                lines, rule)


def _lines(n_rows: int, cols: list[str], pairs: list[str],
           departements: bool) -> list[tuple[np.ndarray, int]]:
    """Every sum a reader can form from the pages: the region's pairs → its sub-totals;
    each row's sub-totals → its total; each sub-total and total column over the
    départements → the region. (Départements' pairs are not printed: no relation.)"""
    n_cols = len(cols)
    grid = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    groups = [cols.index(g) for g in GROUPS]
    margins = [cols.index(m) for m in WAVE_MARGINS]
    lines = []
    for g, group in zip(groups, GROUPS):
        members = [j for j, p in enumerate(pairs) if _group_of(p) == group]
        lines.append((grid[-1, members], int(grid[-1, g])))
    for margin in [c for c in cols if c.startswith(("from:", "to:"))]:
        members = [j for j, p in enumerate(pairs) if _in_margin(p, margin)]
        lines.append((grid[-1, members], int(grid[-1, cols.index(margin)])))
    for i in range(n_rows) if departements else [n_rows - 1]:
        lines.append((grid[i, groups], int(grid[i, -1])))
        lines.append((grid[i, groups[:2]], int(grid[i, margins[0]])))    # linked + stopped
        lines.append((grid[i, groups[::2]], int(grid[i, margins[1]])))   # linked + new
    for j in [*groups, *margins, n_cols - 1] if departements else []:
        lines.append((grid[:-1, j], int(grid[-1, j])))
    return lines


__all__ = ["ProtectedTransitions", "protect_transitions", "place_transitions",
           "protected_volunteers", "GROUPS"]
