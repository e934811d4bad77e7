"""One wave's tables of places, protected together so that no page, nor any pair of pages,
undoes the secret.

The site publishes the same cells of a wave many times: the region page's table by type
of place is the margin of its département × type table; each département page shows its
own row of that table; an indicator table shows the number of respondents of each type,
and a mean of ETP which, multiplied by that number, gives back the sum of ETP. Protecting
each table on its own therefore leaks: a cell hidden in one table is printed in another,
or recomputed from two of them. Here the département × type grid of one wave is
protected **once** — every summed variable, with one pattern of hidden cells shared by
all of them — and every page reads its cells from it
(:meth:`WaveSecrecy.territory_table`, :meth:`WaveSecrecy.hide_indicators`). Everything a
page can print about places by territory and type is then a cell of this grid, and the
audit of the grid (:meth:`WaveSecrecy.audit`) is the audit of the whole site for the wave.

**The counts of places are printed in clear.** Which places answered, with their type
and commune, is what the map of places publishes marker by marker (as the regional
network's own public map does): a count of places by département and type is a count
of those markers, and hiding it would protect nothing while emptying the most read
table. What secrecy protects is what the places *answered*: their staff, ETP, jobs,
volunteers (sums, hidden where fewer than 3 places, fewer than 3 with a value above 0,
or one place over 85 % make them),
and every mean or share computed on them. The counts stay in the grid — they are the
bases a reader multiplies a mean by, and the audit knows them exactly.

Places whose commune is unknown form the row :data:`UNKNOWN_DEPARTEMENT`: they count in
the region's figures (the survey is regional) and in no département's, and the region's
margins stay sums of rows.

Every type is kept apart by default: the region's row (the margin) then prints every
type the primary rules let through, and the complementary « s » fall on the départements'
cells. When no pattern of « s » protects the table, or when a caller asks for it
(``max_hidden_share`` below 1: more than that share of non-empty inner cells hidden), the
type with the fewest places is merged into « Autres types » (:data:`OTHER_TYPES`), again
until the table is protected — a coarser table, as INSEE publishes.
:attr:`WaveSecrecy.merged_types` records what was merged so that the page can say it.

Examples
--------
>>> import pandas as pd
>>> wave = pd.DataFrame({"departement_code": ["33"] * 7 + ["64"] * 6,
...                      "typology": ["coworking"] * 4 + ["fablab"] * 3
...                                  + ["coworking"] * 4 + ["fablab"] * 2,
...                      "etp": [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 2.0, 0.0, 1.5, 1.0, 1.0, 2.0]})
>>> secrecy = protect_wave(wave)
>>> secrecy.territory_table("64")["Lieux répondants"].tolist()   # counts: in clear
['4', '2', '6']
>>> secrecy.territory_table("64")["ETP"].tolist()     # fablab's ETP rests on 2 places
['s', 's', '7,5']
>>> secrecy.territory_table("33")["ETP"].tolist()     # hidden too, or 64's is a difference
['s', 's', '9,5']
>>> secrecy.territory_table()["ETP"].tolist()         # the region's row in clear
['9,0', '8,0', '17,0']
>>> bool(secrecy.audit()["recoverable"].any())
False
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_number
from tlresearch.secrecy.protected_table import ProtectedTable
from tlresearch.secrecy.protection import audit_table, protect_table
from tlresearch.secrecy.rules import COUNT, SECRET, SecrecyRule

#: Row of the places whose commune (hence département) is unknown.
UNKNOWN_DEPARTEMENT = "inconnu"
#: Column of the types merged because their cells were mostly secret.
OTHER_TYPES = "autres_types"
#: Column of the places whose type is blank: the code the indicator tables give them
#: (``tlresearch.stats.indicator_catalogue.MISSING_SPLIT``), so both name one cell.
MISSING_TYPE = "non_renseigne"
#: Share of non-empty inner cells above which a table is made coarser: none by default.
#: The region × type row is the margin of the département × type table, protected with
#: it as one structure; the solver hides inner (département) cells before margins, so
#: the region shows every type its primary rules let through and the complementary « s »
#: fall at département level. Merging rare types (0.5 until issue 19) emptied the
#: region's table by type to two columns; merging now only rescues a table no pattern
#: protects (:attr:`WaveSecrecy.withheld`).
MAX_HIDDEN_SHARE = 1.0
#: French headers of the columns of :meth:`WaveSecrecy.territory_table`.
COUNT_HEADER = "Lieux répondants"
#: Indicators that count the respondents: printed in clear, like the grid's counts.
PUBLIC_INDICATORS = ("respondents",)
SUM_HEADERS = {"etp": "ETP", "staff_total": "Salariés", "cdi": "CDI", "cdd": "CDD",
               "volunteers": "Bénévoles"}


@dataclass(frozen=True)
class WaveSecrecy:
    """The protected département × type grid of one wave: the counts of places (in
    clear) and the sums, which share one pattern of hidden cells."""

    counts: ProtectedTable
    sums: dict[str, ProtectedTable] = field(default_factory=dict)
    merged_types: tuple[str, ...] = ()
    #: Sums printed only by territory (key figures): one-dimensional, département → region.
    margins: dict[str, ProtectedTable] = field(default_factory=dict)
    #: Sums no pattern of « s » could protect, even as totals only: every cell hidden.
    withheld: tuple[str, ...] = ()

    @property
    def total(self) -> str:
        return self.counts.total_label

    @property
    def hidden(self) -> pd.DataFrame:
        """Cells hidden in the grid: the same in every sum table (none in the counts)."""
        if self.sums:
            return next(iter(self.sums.values())).suppressed
        return self.counts.suppressed

    def type_of(self, typology: object) -> object:
        """The column a type of place falls in once rare types are merged."""
        return OTHER_TYPES if typology in self.merged_types else typology

    @cached_property
    def _hidden_cells(self) -> frozenset:
        hidden = self.hidden
        return frozenset((r, c) for r in hidden.index for c in hidden.columns
                         if bool(hidden.loc[r, c]))

    def is_hidden(self, departement: str | None, typology: object = None) -> bool:
        """Whether the cell (``None`` = the margin: region, or all types) is secret.

        A cell the grid does not have holds no place: nothing to hide.
        """
        row = self.total if departement is None else departement
        col = self.total if typology is None or pd.isna(typology) else self.type_of(typology)
        return (row, col) in self._hidden_cells

    def margin_hidden(self, departement: str | None, indicator: str) -> bool:
        """Whether a territory's sum printed alone (``<variable>_sum``) is secret."""
        table = self.margins.get(str(indicator).removesuffix("_sum"))
        if table is None or not str(indicator).endswith("_sum"):
            return False
        row = table.total_label if departement is None else departement
        return bool(row in table.suppressed.index and table.suppressed.loc[row].iloc[0])

    def territory_table(self, departement: str | None = None) -> pd.DataFrame:
        """A territory's places by type, read from the grid: ``None`` is the region.

        One row per type as the sums publish them (rare types merged into « Autres
        types », its code in ``typology``) and a last row for all types, one column per
        table (counts of places, then each sum) as French text, ``s`` where the grid
        hides the cell.
        """
        row = self.total if departement is None else departement
        if row not in self.counts.values.index:
            raise UsageError(f"no respondent in département {departement!r} this wave")
        places = self.counts.values.loc[row]
        places = places.groupby(lambda c: c if c == self.total else self.type_of(c),
                                sort=False).sum()
        columns = {}
        for variable, table in self.sums.items():
            columns[SUM_HEADERS.get(variable, variable)] = table.display().loc[row]
        order = next(iter(columns.values())).index if columns else places.index
        frame = pd.DataFrame({COUNT_HEADER: places.reindex(order).map(format_number),
                              **columns})
        frame.index.name = "typology"
        return frame.reset_index()

    def hide_indicators(self, indicators: pd.DataFrame, departement: str | None = None,
                        split: str = "typology") -> pd.DataFrame:
        """Mark secret the indicator rows whose territory × type cell the grid hides.

        ``indicators`` is a table of :func:`tlresearch.stats.indicators.compute_indicators`
        for this wave and territory (``None``: the region). A figure whose base, or whose
        mean × base, would print a hidden cell of the grid is marked ``suppressed`` with
        the reason ``grid`` — on top of the table's own marks. The number of respondents
        (:data:`PUBLIC_INDICATORS`) is a count of places: printed in clear.
        """
        out = indicators.copy()
        by_type = out["split"].astype("string").eq(split).fillna(False).to_numpy(bool)
        hidden = [code not in PUBLIC_INDICATORS and (
                  self.is_hidden(departement, value if typed else None)
                  or (not typed and self.margin_hidden(departement, code)))
                  for value, typed, code in zip(out["split_value"], by_type, out["indicator"])]
        newly = pd.Series(hidden, index=out.index) & ~out["suppressed"].fillna(False).astype(bool)
        out["suppressed"] = (out["suppressed"].fillna(False) | pd.Series(hidden, index=out.index)
                             ).astype("boolean")
        out.loc[newly, "suppression_reason"] = "grid"
        return out

    def tables(self) -> dict[str, ProtectedTable]:
        """Every table of the grid, by name (``"lieux"`` and each summed variable)."""
        return {"lieux": self.counts, **self.sums, **self.margins}

    def audit(self) -> pd.DataFrame:
        """The LP audit of every table of the grid (one row per hidden cell)."""
        parts = [audit_table(t).assign(table=name) for name, t in self.tables().items()]
        return pd.concat(parts, ignore_index=True)

    def information_loss(self) -> pd.DataFrame:
        """Per table: non-empty inner cells, hidden ones, their share and the value hidden."""
        rows = [dict(table=name, **table_loss(table)) for name, table in self.tables().items()]
        return pd.DataFrame(rows)


def protect_wave(responses: pd.DataFrame, *, sums=("etp",), margin_sums=(),
                 rule: SecrecyRule | None = None, departement: str = "departement_code",
                 typology: str = "typology",
                 max_hidden_share: float = MAX_HIDDEN_SHARE) -> WaveSecrecy:
    """Protect one wave's département × type grid: counts of places and ``sums``, jointly.

    Parameters
    ----------
    responses
        The wave's responses (one row per place), every territory of the region: the
        places with no département count in :data:`UNKNOWN_DEPARTEMENT`.
    sums
        Variables summed by the pages by territory and type (ETP...), whose means by type
        are printed too: they share the counts' pattern. Absent ones are skipped.
    margin_sums
        Variables summed by territory only (jobs, CDI, volunteers on the key figures):
        each is protected as a one-dimensional table, départements → region, since no
        page prints them by type (nor a mean that would tie them to the counts).
    rule
        Thresholds (default: 3 places, one place over 85 %).
    max_hidden_share
        Above this share of hidden non-empty inner cells, the rarest type is merged into
        :data:`OTHER_TYPES` and the grid protected again.
    """
    micro, present = _micro(responses, sums, departement, typology)
    counts = _count_table(micro, departement, typology, rule)
    merged: list[str] = []
    while True:
        keys = micro[[departement, typology]]
        # Cells on fewer places than the threshold are primary in every sum: when they
        # alone are too many, the table must be coarser, and no linear program is
        # needed to know it.
        few = protect_table(keys, departement, typology, rule=rule, secondary=False)
        types = [c for c in few.values.columns if c != few.total_label]
        if table_loss(few)["hidden_share"] <= max_hidden_share or len(types) <= 2:
            data = _grid_data(micro, present, departement, typology)
            sums_tables = _protect_jointly(data, present, rule, departement, typology,
                                           start=few.suppressed)
            first = next(iter(sums_tables.values()), None)
            # A table no pattern of « s » protects (withheld) is made coarser down to
            # the départements' totals; if even those cannot be protected, it stays
            # withheld and the page says why (:attr:`WaveSecrecy.withheld`).
            withheld = any(t.withheld for t in sums_tables.values())
            if len(types) <= 1 or not withheld and (
                    first is None or table_loss(first)["hidden_share"] <= max_hidden_share
                    or len(types) <= 2):
                break
        totals = few.values.loc[few.total_label, types].drop(OTHER_TYPES, errors="ignore")
        rarest = str(totals.sort_values(kind="stable").index[0])
        merged.append(rarest)
        micro[typology] = micro[typology].mask(micro[typology].eq(rarest), OTHER_TYPES)
    margins = _margins(responses, margin_sums, rule, departement)
    withheld = tuple(v for v, t in {**sums_tables, **margins}.items() if t.withheld)
    return WaveSecrecy(counts, sums_tables, tuple(merged), margins, withheld)


def _count_table(micro: pd.DataFrame, departement: str, typology: str,
                 rule) -> ProtectedTable:
    """The places by département × type, every type apart: printed in clear, so rare
    types are merged only in the sums (whose cells they would leave mostly secret)."""
    keys = _grid_data(micro, [], departement, typology)
    return in_clear(protect_table(keys, departement, typology, rule=rule, secondary=False))


def in_clear(table: ProtectedTable) -> ProtectedTable:
    """``table`` with every cell printed: the counts of places (see the module's docstring)."""
    blank = pd.DataFrame("", index=table.reason.index, columns=table.reason.columns)
    return dataclasses.replace(table, reason=blank)


def _margins(responses: pd.DataFrame, variables, rule, departement: str,
             hidden: dict | None = None) -> dict[str, ProtectedTable]:
    """One-dimensional tables, départements → region, of the sums printed by territory."""
    rows = responses[departement].astype("string").fillna(UNKNOWN_DEPARTEMENT)
    rows = pd.Categorical(rows, categories=sorted(rows.dropna().unique()))
    out = {}
    for variable in [v for v in variables if v in responses.columns]:
        data = pd.DataFrame({departement: rows,
                             variable: pd.to_numeric(responses[variable]).to_numpy(float)})
        if data[variable].notna().any():
            mask = None if hidden is None else hidden.get(variable)
            out[variable] = protect_table(data, departement, value=variable, rule=rule,
                                          label=variable, suppressed=mask,
                                          secondary=hidden is None)
    return out


def rebuild_wave(responses: pd.DataFrame, hidden: pd.DataFrame, merged_types=(), *,
                 sums=("etp",), margin_sums=(), margins_hidden: dict | None = None,
                 rule: SecrecyRule | None = None, departement: str = "departement_code",
                 typology: str = "typology", withheld=()) -> WaveSecrecy:
    """The grid of :func:`protect_wave` from its pattern of hidden cells, without solving.

    ``hidden`` and ``merged_types`` are what :func:`protect_wave` decided (kept by
    :mod:`tlresearch.secrecy.wave_cache`); the tables are tabulated again from
    ``responses`` and the reasons found again (primary where a rule fires, secondary
    elsewhere), so the result equals the one :func:`protect_wave` returned.
    """
    micro, present = _micro(responses, sums, departement, typology)
    counts = _count_table(micro, departement, typology, rule)
    micro[typology] = micro[typology].mask(micro[typology].isin(list(merged_types)), OTHER_TYPES)
    data = _grid_data(micro, present, departement, typology)

    def table(value):
        return protect_table(data, departement, typology, value=value, rule=rule,
                             suppressed=hidden, secondary=False)
    sums_tables = {v: table(v) for v in present}
    for variable, protected in sums_tables.items():
        mask = protected.suppressed
        if not mask.equals(hidden.astype(bool).reindex(index=mask.index, columns=mask.columns,
                                                       fill_value=False)):
            raise UsageError(f"the cached secrecy pattern does not fit these responses "
                             f"({variable})")
    margins = _margins(responses, margin_sums, rule, departement, margins_hidden or {})
    tables = {**sums_tables, **margins}
    for variable in withheld:
        if variable in tables:
            tables[variable] = dataclasses.replace(tables[variable], withheld=True)
    sums_tables = {v: tables[v] for v in sums_tables}
    margins = {v: tables[v] for v in margins}
    return WaveSecrecy(counts, sums_tables, tuple(merged_types), margins, tuple(withheld))


def _micro(responses: pd.DataFrame, sums, departement: str,
           typology: str) -> tuple[pd.DataFrame, list[str]]:
    """The columns the grid reads, keys as text, unknown départements named."""
    missing = [c for c in (departement, typology) if c not in responses.columns]
    if missing:
        raise UsageError(f"the responses lack column(s) {', '.join(missing)}")
    micro = responses[[departement, typology]].astype("string").copy()
    micro[departement] = micro[departement].fillna(UNKNOWN_DEPARTEMENT)
    micro[typology] = micro[typology].fillna(MISSING_TYPE)
    # A sum the wave did not ask (every value missing) is absent, like a missing column.
    present = [v for v in sums
               if v in responses.columns and pd.to_numeric(responses[v]).notna().any()]
    for variable in present:
        micro[variable] = pd.to_numeric(responses[variable]).astype("Float64")
    return micro, present


def _grid_data(micro: pd.DataFrame, sums: list[str], departement: str,
               typology: str) -> pd.DataFrame:
    """One grid of labels for every table, even where a sum is blank."""
    keys = micro[[departement, typology]].copy()
    for key in keys:
        keys[key] = pd.Categorical(keys[key], categories=sorted(keys[key].dropna().unique()))
    return pd.concat([keys, micro[sums]], axis=1)


def _protect_jointly(data: pd.DataFrame, sums: list[str], rule, departement: str,
                     typology: str, start: pd.DataFrame | None = None
                     ) -> dict[str, ProtectedTable]:
    """Protect the sums until they hide the same cells (a fixed point).

    Each round hides in every table the union of what the tables hid; secondary
    suppression may add cells, so rounds repeat until nothing changes. The union only
    grows and the grid is finite, so this ends. ``start`` (the cells resting on fewer
    places than the threshold, primary in every sum) saves the first round.
    """
    mask = start
    while True:
        tables = {v: protect_table(data, departement, typology, value=v, rule=rule,
                                   suppressed=mask) for v in sums}
        if not tables:
            return tables
        union = None
        for table in tables.values():
            hidden = table.suppressed if union is None else \
                table.suppressed.reindex_like(union).fillna(False).astype(bool)
            union = hidden if union is None else union | hidden
        if mask is not None and union.equals(mask.reindex_like(union).fillna(False)
                                             .astype(bool)):
            return tables
        mask = union


def table_loss(table: ProtectedTable) -> dict:
    """Hidden share of the non-empty inner cells, and of the table's total value."""
    inner = slice(None, -1)
    values = table.values.iloc[inner, inner] if not table.one_dimensional else table.values.iloc[inner]
    counts = table.counts.reindex_like(values)
    hidden = table.suppressed.reindex_like(values)
    non_empty = counts.to_numpy() > 0
    cells = int(non_empty.sum())
    hidden_cells = int((hidden.to_numpy() & non_empty).sum())
    total = float(values.to_numpy(float).sum())
    hidden_value = float(values.to_numpy(float)[hidden.to_numpy()].sum())
    return {"cells": cells, "hidden_cells": hidden_cells,
            "hidden_share": hidden_cells / cells if cells else 0.0,
            "hidden_value_share": hidden_value / total if total else 0.0,
            "kind": "comptage" if table.kind == COUNT else "somme"}


def format_loss(loss: pd.DataFrame) -> pd.DataFrame:
    """The information-loss table in French (shares as ``12,5 %``), for a page or a log."""
    return pd.DataFrame({
        "Tableau": loss["table"], "Nature": loss["kind"],
        "Cases non vides": loss["cells"].map(lambda v: format_number(v)),
        "Cases sous secret": loss["hidden_cells"].map(lambda v: format_number(v)),
        "Part des cases": loss["hidden_share"].map(lambda v: format_number(100 * v, 1) + " %"),
        "Part de la valeur": loss["hidden_value_share"].map(
            lambda v: format_number(100 * v, 1) + " %"),
    })


__all__ = ["WaveSecrecy", "protect_wave", "rebuild_wave", "format_loss", "UNKNOWN_DEPARTEMENT", "OTHER_TYPES",
           "SECRET"]
