"""Everything a wave's pages publish about places, read back as a reader would.

The site-wide audit (:func:`tlresearch.secrecy.site_audit.audit_site`) needs what a
reader can collect: this module builds, for the region and every département, the
blocks the Panorama prints about places — the département × type tables of places and
of ETP, the indicator table by type, the key figures — with the same helpers the
notebook calls, then reads them back **from their published CSV files** (the
``data:`` link of each table: what a reader downloads) and from the cards' values, and
turns each printed figure into a fact about one cell of the wave's grid: an exact
count, a rounded sum, a mean × base, or « s ».
"""
from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote

import pandas as pd

from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.secrecy.rules import COUNT, MAGNITUDE
from tlresearch.secrecy.site_audit import FACT_COLUMNS, printed_interval
from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT

if TYPE_CHECKING:
    from tlresearch.report.blocks import HTMLBlock
    from tlresearch.secrecy.wave_secrecy import WaveSecrecy

#: Key figures that are cells of the grid: indicator → table of the grid.
KEY_FIGURE_TABLES = {"respondents": "lieux", "staff_total_sum": "staff_total",
                     "cdi_sum": "cdi", "cdd_sum": "cdd", "etp_sum": "etp",
                     "volunteers_sum": "volunteers", "board_members_sum": "board_members",
                     "interns_sum": "interns", "civic_service_sum": "civic_service"}
#: Indicators of a table by type that give a cell: label → (table, how).
_BY_TYPE = {"Lieux répondants": ("lieux", "count"), "ETP moyen par lieu": ("etp", "mean")}


def published_csvs(block: "HTMLBlock | str") -> list[pd.DataFrame]:
    """The CSV files a block offers for download (``data:text/csv`` links), as text."""
    found = re.findall(r'href="data:text/csv;charset=utf-8,([^"]+)"', str(block))
    return [pd.read_csv(io.StringIO(unquote(uri).lstrip("\ufeff")), sep=";", dtype=str,
                        keep_default_na=False) for uri in found]


def grid_table_facts(block, table: str, source: str, page_row: str | None = None) -> pd.DataFrame:
    """Facts of a département × type table (:func:`notebook_helpers.secrecy_table`).

    ``page_row`` is the page's own territory (``None``: the region), what the table's
    « Ensemble » row totals.
    """
    from tlresearch.stats.indicator_catalogue import split_label

    rows = []
    for csv in published_csvs(block):
        kind = COUNT if table == "lieux" else MAGNITUDE
        for record in csv.to_dict("records"):
            code = record["code_departement"]
            departement = page_row if code == "Ensemble" else (
                UNKNOWN_DEPARTEMENT if code == "Commune non retrouvée" else code)
            for column, text in record.items():
                if column in {"code_departement", "Département"}:
                    continue
                typology = None if column == "Ensemble" else _type_code(column, split_label)
                low, high = printed_interval(text, kind)
                rows.append((source, table, departement, typology, low, high))
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def _long_records(csv: pd.DataFrame) -> list[dict]:
    """The records of an indicator table in its long shape (``Indicateur``, ``Catégorie``,
    ``Valeur``, ``Base (lieux)``), whether it was published long (a chart's data) or wide
    (:func:`tlresearch.report.publication_tables.by_category`: one row per type, a
    ``<label> : valeur`` and ``<label> : base (lieux)`` column per indicator)."""
    if "Indicateur" in csv.columns:
        return csv.to_dict("records")
    category = csv.columns[0]
    out = []
    for record in csv.to_dict("records"):
        for label in _BY_TYPE:
            value = record.get(label, record.get(f"{label} : valeur"))
            if value is None:
                continue
            out.append({"Indicateur": label, "Catégorie": record[category], "Valeur": value,
                        "Base (lieux)": record.get(f"{label} : base (lieux)", "")})
    return out


def indicator_facts(block, departement: str | None, source: str) -> pd.DataFrame:
    """Facts of an indicator table by type: respondents, and mean ETP × base."""
    from tlresearch.stats.indicator_catalogue import split_label

    rows = []
    for csv in published_csvs(block):
        for record in _long_records(csv):
            what = _BY_TYPE.get(record.get("Indicateur", ""))
            if what is None or record.get("Valeur", "") in {"", "–"}:
                continue
            table, how = what
            if how == "mean" and record["Valeur"] == "s":
                continue  # a secret mean says nothing about the sum
            typology = _type_code(record["Catégorie"], split_label) if record.get(
                "Catégorie") else None
            low, high = printed_interval(record["Valeur"], MAGNITUDE if how == "mean" else COUNT)
            if how == "mean":
                base, _ = printed_interval(record["Base (lieux)"], COUNT)
                low, high = low * base, high * base
            rows.append((source, table, departement, typology, low, high))
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def key_figure_facts(rows: pd.DataFrame, departement: str | None, source: str) -> pd.DataFrame:
    """Facts of the key-figure cards (:func:`tlresearch.report.key_figures.key_figure_rows`)."""
    from tlresearch.core.formats import format_value, is_missing

    out = []
    for row in rows.itertuples(index=False):
        table = KEY_FIGURE_TABLES.get(row.indicator)
        if table is None or (not row.secret and is_missing(row.value)):
            continue
        text = "s" if row.secret else format_value(row.value, row.unit)
        low, high = printed_interval(text, COUNT if table == "lieux" else MAGNITUDE)
        out.append((source, table, departement, None, low, high))
    return pd.DataFrame(out, columns=FACT_COLUMNS)


def paired_facts(block, year: int, departement: str | None, source: str) -> pd.DataFrame:
    """Facts of a table of changes among the same places beside all respondents
    (:func:`tlresearch.report.trajectories.paired_block`), for the wave ``year``.

    An all-respondents mean × its base is the territory's sum (a cell of the grid); a
    same-places mean × its base is part of it: a lower bound of that cell. Shares of
    employers are no cell of the grid.
    """
    from tlresearch.stats.paired_changes import PAIRED

    variable_of = {label: variable for variable, (label, share) in PAIRED.items() if not share}
    rows = []
    for csv in published_csvs(block):
        if "Lieux comparés" not in csv.columns or str(year) not in csv.columns:
            continue
        # « 180 puis 185 »: the base of each wave, in the order of the waves' columns.
        waves = [str(c) for c in csv.columns if str(c).isdigit()]
        position = waves.index(str(year)) + 1
        for record in csv.to_dict("records"):
            variable = variable_of.get(record["Indicateur"])
            text = record[str(year)]
            if variable is None or text in {"s", "–", ""}:
                continue
            bases = record["Lieux"].split(" puis ")
            n, _ = printed_interval(bases[position - 1] if len(bases) > 1 else bases[0], COUNT)
            low, high = (n * x for x in printed_interval(text, MAGNITUDE))
            if not record["Lieux comparés"].startswith("Parmi tous"):
                high = float("inf")  # the same places are some of the respondents
            rows.append((source, variable, departement, None, low, high))
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def estimate_facts(block, source: str) -> pd.DataFrame:
    """Facts of the trajectories page's estimates: the respondents' sums, region cells."""
    from tlresearch.stats.adjusted_totals import ESTIMABLE

    variable_of = {label: variable for variable, (label, kind, _) in ESTIMABLE.items()
                   if kind == "total" and variable != "employers"}
    rows = []
    for csv in published_csvs(block):
        for record in csv.to_dict("records"):
            variable = variable_of.get(record.get("Estimation", ""))
            text = record.get("Somme des répondants", "")
            if variable is None or text in {"", "–"}:
                continue
            low, high = printed_interval(text, MAGNITUDE)
            rows.append((source, variable, None, None, low, high))
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def trajectory_facts(responses: pd.DataFrame, year: int, grid_for, region: str = DEFAULT_REGION,
                     data_dir=None) -> pd.DataFrame:
    """What the trajectories page (region, every wave) and the professionalisation
    pages' tables of same places say about the cells of ``year``'s grid: the pages of
    ``year`` (changes from the previous wave) and of the next wave (changes from this
    one), for the region and every département; with ``data_dir``, the respondents'
    sums beside the region's estimates for all known places."""
    from tlresearch.report.territory import previous_wave, select_territory
    from tlresearch.report.trajectories import paired_block
    from tlresearch.stats.paired_secrecy import protect_paired

    own = select_territory(responses, region, region=region)  # as the pages select them
    waves = sorted(int(w) for w in pd.to_numeric(own["wave"]).dropna().unique())
    pairs = [(previous_wave(own, year), year)]
    later = [w for w in waves if w > int(year)]
    if later:
        pairs.append((int(year), later[0]))
    territories = [region] + sorted(own[pd.to_numeric(own["wave"]).isin([int(year)]).to_numpy()]
                                    ["departement_code"].dropna().astype(str).unique())
    parts = []
    for before, after in pairs:
        if before == after:
            continue  # a first wave: no change printed
        protected = protect_paired(own, before, after, grid_for, str(region))
        for territory in territories:
            # what paired_changes_block prints, the pairs protected once for every page
            block = paired_block(protected.territory_table(territory), caption="audit",
                                 filename="audit")
            page = "trajectoires" if territory == region else "professionnalisation"
            parts.append(paired_facts(block, year, None if territory == region else territory,
                                      f"{page} {after} {territory} : mêmes lieux {before}-{after}"))
    if data_dir is not None:
        import tlresearch
        from tlresearch.report.trajectories import estimates_block

        block = estimates_block(tlresearch.estimate_total(None, year, region, data_dir=data_dir),
                                caption="audit", filename="audit", year=year)
        parts.append(estimate_facts(block, f"trajectoires {year} {region} : estimations"))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FACT_COLUMNS)


def site_facts(responses: pd.DataFrame, staff: pd.DataFrame | None, year: int,
               grid_for: Callable[[int], "WaveSecrecy"], region: str = DEFAULT_REGION,
               resamples: int = 200, joint: bool = True, data_dir=None) -> pd.DataFrame:
    """Every fact the Panorama pages of ``year`` publish (region and each département),
    the professionalisation pages' figures of that wave, and the trajectories page's
    (:func:`trajectory_facts`; its estimates with ``data_dir``).

    ``resamples`` only narrows the work of the bootstrap intervals, which the facts do
    not read (values and bases do not depend on it). ``joint=False`` builds the pages
    as they were before the wave's grid (each table protected alone, fine types): what
    the benchmark compares with.
    """
    from tlresearch.report import notebook_helpers as helpers
    from tlresearch.report.indicator_tables import indicator_table
    from tlresearch.report.key_figures import key_figure_rows
    from tlresearch.report.publication_tables import publish_by_category
    from tlresearch.report.tables import publish_table
    from tlresearch.stats.indicators import compute_indicators

    grid = grid_for(year)
    wave = responses[pd.to_numeric(responses["wave"]).eq(int(year)).to_numpy()]
    territories = [region] + sorted(wave["departement_code"].dropna().astype(str).unique())
    parts = []
    for territory in territories:
        level = "region" if territory == region else "departement"
        row = None if level == "region" else territory
        page = f"panorama {year} {territory}"
        scope = helpers.select_territory(wave, territory, region=region)
        for value, table in ((None, "lieux"), ("etp", "etp")):
            block = helpers.secrecy_table(scope, year=year, territory=territory, value=value,
                                          caption="audit", filename="audit",
                                          grid=grid if joint else None, region=region)
            parts.append(grid_table_facts(block, table, f"{page} : tableau {table}", row))
        by_type = compute_indicators(helpers.coarser_types(responses, grid) if joint else
                                     responses, staff, year, territory=(level, territory),
                                     split="typology", indicators=["respondents", "etp_mean"],
                                     resamples=resamples)
        if joint:
            by_type = helpers.through_grid(by_type, grid_for, territory, region=region)
        block = publish_by_category(by_type, caption="audit", filename="audit", year=year)
        parts.append(indicator_facts(block, row, f"{page} : indicateurs par type"))
        cards = key_figure_rows(responses, staff, year, territory, region,
                                grid_for if joint else None)
        parts.append(key_figure_facts(cards, row, f"{page} : chiffres clés"))
        # The professionalisation page's table by wave: its mean ETP × base of the year
        # is the territory's ETP again, printed beside the Panorama's.
        series = compute_indicators(responses, staff, year, territory=(level, territory),
                                    indicators=["etp_mean"], resamples=resamples)
        if joint:
            series = helpers.through_grid(series, grid_for, territory, region=region)
        block = publish_table(indicator_table(series), caption="audit", filename="audit",
                              year=year)
        parts.append(indicator_facts(block, row, f"professionnalisation {year} {territory} : "
                                     "indicateurs par vague"))
    if joint:
        parts.append(trajectory_facts(responses, year, grid_for, region, data_dir))
    return pd.concat([p for p in parts if not p.empty], ignore_index=True)


def _type_code(label: str, split_label) -> str:
    """The grid's code of a French type label (the labels are one-to-one)."""
    from tlresearch.stats.indicator_catalogue import indicator_settings
    from tlresearch.stats.indicator_catalogue import variables as catalogue

    codes = [*catalogue()["place_types"].values, *indicator_settings()["split_value_labels"]]
    for code in codes:
        if split_label("typology", code) == label:
            return str(code)
    return label


__all__ = ["published_csvs", "grid_table_facts", "indicator_facts", "key_figure_facts",
           "site_facts", "paired_facts", "estimate_facts", "trajectory_facts",
           "KEY_FIGURE_TABLES"]
