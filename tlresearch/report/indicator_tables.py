"""Indicator and count tables as French text, and charts with their data beside them.

:func:`indicator_table` turns a tidy indicator table (after statistical secrecy)
into the columns a reader expects; :func:`chart_block` publishes a chart with a
French alternative text and its data in a table the reader can open (``<details>``,
no script). Both end in :func:`tlresearch.report.tables.publish_table`.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

from tlresearch.core.formats import (
    format_count,
    format_interval,
    format_percent,
    format_value,
    is_missing,
)
from tlresearch.report.blocks import HTMLBlock

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure




def indicator_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """An indicator table as it may be published, in French: secret figures read ``s``.

    Parameters
    ----------
    tidy
        A table of :func:`tlresearch.stats.indicators.compute_indicators`,
        :func:`tlresearch.stats.trends.indicator_series` or
        :func:`tlresearch.stats.trends.compare_waves`.

    Returns
    -------
    DataFrame of text: ``Indicateur``, ``Vague``, the split value when the table has a
    split (``Catégorie``), ``Valeur``, ``Intervalle``, ``Base (lieux)``, ``Note``.
    Figures resting on too few places (see :mod:`tlresearch.secrecy.marks`) read ``s``
    and carry neither interval nor base.
    """
    import pandas as pd

    from tlresearch.stats.indicator_catalogue import split_label

    table = tidy.copy()
    if "suppressed" in table.columns:
        from tlresearch.secrecy.marks import publishable

        table = publishable(table)
    secret = (table["display"].eq("s").fillna(False) if "display" in table.columns
              else pd.Series(False, index=table.index))
    out = pd.DataFrame({"Indicateur": table["label"].astype(str),
                        "Vague": table["wave"].map(lambda w: str(int(w)))})
    if table["split"].notna().any():
        out["Catégorie"] = [split_label(s, v) for s, v in zip(table["split"],
                                                              table["split_value"])]
    values, intervals, bases = [], [], []
    changes = "from_wave" in table.columns  # a table of changes: « +85 », not « 85 »
    for (_, row), hidden in zip(table.iterrows(), secret):
        unit = str(row["unit"])
        values.append("s" if hidden else format_value(row["value"], unit, signed=changes))
        both = not (pd.isna(row["low"]) or pd.isna(row["high"]))
        intervals.append(format_interval(row["low"], row["high"],
                                         lambda v, u=unit, **kw: format_value(v, u, changes))
                         if both and not hidden else "")
        bases.append("" if hidden else format_count(row["n"]))
    out["Valeur"] = values
    out["Intervalle"] = intervals
    out["Base (lieux)"] = bases
    out["Note"] = table["note"].fillna("").astype(str)
    if out["Vague"].nunique() == 1 and "Catégorie" in out:
        out = out.drop(columns=["Vague"])  # one wave: the caption says which
    return out.reset_index(drop=True)


def count_table(frame: pd.DataFrame, by: str | list[str], label: str = "Nombre") -> pd.DataFrame:
    """Rows of ``frame`` counted by one or more columns, largest first, counts in French.

    Examples
    --------
    >>> import pandas as pd
    >>> count_table(pd.DataFrame({"rule": ["a", "b", "a"]}), "rule", "Lignes")
      rule Lignes
    0    a      2
    1    b      1
    """
    keys = [by] if isinstance(by, str) else list(by)
    counts = (frame.groupby(keys, dropna=False).size().rename("_n").reset_index()
              .sort_values(["_n", *keys], ascending=[False, *[True] * len(keys)],
                           kind="stable"))
    counts[label] = counts.pop("_n").map(format_count)
    return counts.reset_index(drop=True)


def french_table(frame: pd.DataFrame, counts: list[str] = (), shares: list[str] = (),
                 percents: list[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` with columns written the French way.

    ``counts`` become ``1 234``; ``shares`` (proportions, 0.563) and ``percents``
    (already times 100, 56.3) become ``56,3 %``.

    Examples
    --------
    >>> import pandas as pd
    >>> french_table(pd.DataFrame({"n": [1234], "share": [54.5]}), ["n"],
    ...              percents=["share"]).iloc[0].tolist() == ["1\u202f234", "54,5\xa0%"]
    True
    """
    out = frame.copy()
    for column in counts:
        out[column] = out[column].map(format_count)
    for column in shares:
        out[column] = out[column].map(format_percent)
    for column in percents:
        out[column] = out[column].map(lambda v: format_percent(v if is_missing(v) else v / 100))
    return out


def chart_block(figure: "Figure", tidy: "pd.DataFrame", *, alt: str, caption: str,
                filename: str, year: int | str | None = None) -> HTMLBlock:
    """A chart, its French alternative text, and its data in a ``<details>`` table.

    Parameters
    ----------
    figure
        The chart (:mod:`tlresearch.viz.charts`).
    tidy
        The indicator rows it draws (before secrecy: :func:`indicator_table` applies it),
        published as the table a reader can open under the chart.
    alt
        What the chart shows, in one or two French sentences.
    """
    from tlresearch.report.blocks import figure_block
    from tlresearch.report.tables import publish_table

    table = publish_table(indicator_table(tidy), caption=caption, filename=filename,
                          year=year, stub="Indicateur" if tidy["split"].isna().all() else None)
    return HTMLBlock(f'<div class="tl-chart" data-tl-block="figure">{figure_block(figure, alt)}'
                     f"<details><summary>Données du graphique : {html.escape(caption)}</summary>"
                     f"{table}</details></div>")


def describe_chart(tidy: "pd.DataFrame", indicator: str) -> str:
    """A French alternative text from the rows a chart draws (secret figures left out)."""
    from tlresearch.secrecy.marks import publishable
    from tlresearch.stats.indicator_catalogue import split_label
    from tlresearch.viz.charts import indicator_label

    rows = tidy[tidy["indicator"] == indicator]
    if "suppressed" in rows:
        rows = publishable(rows)
    rows = rows[rows["value"].notna()]
    label = indicator_label(tidy, indicator)  # the catalogue's when no row has it
    if rows.empty:
        return f"{label} : aucune valeur publiable (secret statistique ou question non posée)."
    parts = []
    for _, row in rows.iterrows():
        where = (split_label(row["split"], row["split_value"])
                 if not is_missing(row["split_value"]) else str(int(row["wave"])))
        parts.append(f"{where} : {format_value(row['value'], str(row['unit']))}")
    return f"{label}. " + " ; ".join(parts) + "."


__all__ = ["format_value", "indicator_table", "count_table", "french_table", "chart_block",
           "describe_chart"]
