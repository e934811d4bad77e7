"""Indicator tables a reader scans: wide, one row per category or indicator, no method words.

A tidy indicator table (one row per indicator × category) is the right shape for code
and the wrong one for a reader, who looks for « the share of employers among fablabs »
on one line. These functions turn the tidy tables of
:mod:`tlresearch.stats.indicators` and :mod:`tlresearch.stats.trends`, after
statistical secrecy, into the tables a publication prints:

* :func:`by_category` — one row per category (type of place…), one group of columns per
  indicator: its value, its 95 % interval and its base, each in its own column;
* :func:`by_wave` — one row per indicator, one column per wave (values only: each
  chart's data table gives the intervals and bases of the same figures);
* :func:`changes` — one row per indicator: both waves' values, the change, its
  interval, and *both* bases.

Method words (« intervalle de Wilson », « bootstrap ») belong to the Méthode page; a
table keeps one footnote per indicator saying whom its figures count.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tlresearch.core.formats import format_count, format_interval, format_value, is_missing
from tlresearch.report.blocks import HTMLBlock

if TYPE_CHECKING:
    import pandas as pd

#: Header of the value, interval and base columns under an indicator's spanner.
VALUE, INTERVAL, BASE = "Valeur", "Intervalle à 95 %", "Base (lieux)"
#: Indicators that are counts of places: one column, no interval, no base.
_COUNTS = {"respondents"}


def _published(tidy: "pd.DataFrame") -> "pd.DataFrame":
    from tlresearch.secrecy.marks import publishable

    return publishable(tidy) if "suppressed" in tidy.columns else tidy.assign(display="")


def _secret(row) -> bool:
    return str(row.get("display", "")) == "s"


def _value_text(row, signed: bool = False) -> str:
    return "s" if _secret(row) else format_value(row["value"], str(row["unit"]), signed=signed)


def _interval_text(row, signed: bool = False) -> str:
    if _secret(row) or is_missing(row["low"]) or is_missing(row["high"]):
        return ""
    unit = str(row["unit"])
    return format_interval(row["low"], row["high"],
                           lambda v, **kw: format_value(v, unit, signed=signed))


def _base_text(row, column: str = "n") -> str:
    """The base in places; « – » when the question was not asked (no place answered it)."""
    if _secret(row) or is_missing(row[column]):
        return ""
    return format_count(row[column]) if float(row[column]) > 0 else "–"


#: The one footnote of a table with many indicators: each one's base is on the Méthode page.
BASES_NOTE = ("Parts et moyennes parmi les répondants qui ont répondu à la question ; la base "
              "de chaque indicateur est définie sur la page Méthode. « – » : question non posée "
              "cette année-là.")


def footnotes(tidy: "pd.DataFrame") -> list[str]:
    """One sentence per indicator: whom its figures count (the catalogue's base)."""
    from tlresearch.stats.indicator_catalogue import catalogue

    known, notes = catalogue(), []
    for code in dict.fromkeys(tidy["indicator"].astype(str)):
        indicator = known.get(code)
        if indicator is None or code in _COUNTS:
            continue
        base = " ".join(str(indicator.base).split()).lstrip(": ")
        notes.append(f"{indicator.label} : parmi les répondants{' ' + base if base else ''}.")
    return notes


def by_category(tidy: "pd.DataFrame") -> tuple["pd.DataFrame", list, dict]:
    """A split indicator table as one row per category.

    Returns
    -------
    ``(table, spanners, labels)`` for :func:`tlresearch.report.tables.publish_table`:
    the table's columns are ``<indicator label> : valeur`` (and ``: intervalle à
    95 %``, ``: base (lieux)``), full names for the CSV; the page shows each group under
    its indicator's label with the short headers of ``labels``.
    """
    import pandas as pd

    from tlresearch.stats.indicator_catalogue import split_label

    table = _published(tidy)
    split = str(table["split"].dropna().iloc[0]) if table["split"].notna().any() else None
    header = _SPLIT_HEADERS.get(split or "", "Catégorie")
    categories = list(dict.fromkeys(table["split_value"]))
    rows = {category: {header: split_label(split, category)} for category in categories}
    spanners, labels = [], {}
    for code, group in table.groupby("indicator", sort=False):
        label = str(group["label"].iloc[0])
        if code in _COUNTS:
            for _, row in group.iterrows():
                rows[row["split_value"]][label] = _base_text(row, "value")
            continue
        names = [f"{label} : valeur", f"{label} : intervalle à 95 %", f"{label} : base (lieux)"]
        for _, row in group.iterrows():
            cells = rows[row["split_value"]]
            cells[names[0]], cells[names[1]], cells[names[2]] = (
                _value_text(row), _interval_text(row), _base_text(row))
        spanners.append((label, names))
        labels.update(zip(names, (VALUE, INTERVAL, BASE)))
    frame = pd.DataFrame(list(rows.values()), columns=[header]
                         if not rows else None).fillna("")
    # Categories by name, the merged « Autres types » and unknown ones last.
    last = frame[header].str.startswith(("Autre", "Type non renseigné"))
    frame = pd.concat([frame[~last].sort_values(header, kind="stable"), frame[last]])
    return frame.reset_index(drop=True), spanners, labels


_SPLIT_HEADERS = {"typology": "Type de lieu", "territorial_class": "Classe territoriale",
                  "departement": "Département", "legal_status": "Statut juridique"}


def by_wave(series: "pd.DataFrame") -> "pd.DataFrame":
    """One row per indicator, one column per wave (oldest first), values only."""
    import pandas as pd

    table = _published(series)
    waves = sorted(int(w) for w in table["wave"].dropna().unique())
    rows = []
    for _, group in table.groupby("indicator", sort=False):
        cells = {"Indicateur": str(group["label"].iloc[0])}
        by = {int(r["wave"]): r for _, r in group.iterrows()}
        for wave in waves:
            cells[str(wave)] = _value_text(by[wave]) if wave in by else "–"
        rows.append(cells)
    return pd.DataFrame(rows)


def changes(tidy: "pd.DataFrame") -> "pd.DataFrame":
    """One row per indicator: both waves' values, the change, its interval, both bases."""
    import pandas as pd

    table = _published(tidy)
    # An indicator defined at neither wave (a question never asked) is no row at all.
    table = table[table["value_from"].notna() | table["value_to"].notna()]
    rows = []
    for _, row in table.iterrows():
        first, last = int(row["from_wave"]), int(row["wave"])
        unit = str(row["unit"])
        level_unit = "part" if unit == "écart de part" else unit
        secret = _secret(row)

        def level(value, secret=secret, unit=level_unit):
            return "s" if secret else format_value(value, unit)

        label = str(row["label"]).split(" : évolution")[0]
        rows.append({"Indicateur": label, f"Valeur {first}": level(row["value_from"]),
                     f"Valeur {last}": level(row["value_to"]),
                     "Évolution": _value_text(row, signed=True),
                     "Intervalle de l'évolution (95 %)": _interval_text(row, signed=True),
                     f"Base {first} (lieux)": _base_text(row, "n_from"),
                     f"Base {last} (lieux)": _base_text(row, "n_to")})
    return pd.DataFrame(rows)


def publish_by_category(tidy: "pd.DataFrame", *, caption: str, filename: str,
                        year: int | None = None) -> HTMLBlock:
    """:func:`by_category`, published with one footnote per indicator."""
    from tlresearch.report.tables import publish_table

    frame, spanners, labels = by_category(tidy)
    stub = frame.columns[0] if len(frame.columns) else None
    return publish_table(frame, caption=caption, filename=filename, year=year, stub=stub,
                         spanner=spanners, labels=labels, notes=footnotes(tidy))


def publish_by_wave(series: "pd.DataFrame", *, caption: str, filename: str) -> HTMLBlock:
    """:func:`by_wave`, published; intervals and bases are in the charts' data tables."""
    from tlresearch.report.tables import publish_table

    notes = [BASES_NOTE, "Intervalles de confiance et bases de chaque vague : dans les "
             "données de chaque graphique ci-dessus."]
    return publish_table(by_wave(series), caption=caption, filename=filename,
                         stub="Indicateur", spanner=("Vague", [str(w) for w in sorted(
                             int(w) for w in series["wave"].dropna().unique())]), notes=notes)


def publish_changes(tidy: "pd.DataFrame", *, caption: str, filename: str,
                    year: int | None = None) -> HTMLBlock:
    """:func:`changes`, published with one footnote per indicator."""
    from tlresearch.report.tables import publish_table

    return publish_table(changes(tidy), caption=caption, filename=filename, year=year,
                         stub="Indicateur", notes=[BASES_NOTE])


__all__ = ["by_category", "by_wave", "changes", "footnotes", "publish_by_category",
           "publish_by_wave", "publish_changes"]
