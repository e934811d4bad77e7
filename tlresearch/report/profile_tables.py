"""Who the places are: respondents by territorial class and by legal status.

The published Panorama of the network opens on its places before their jobs: how many
are rural (76 % in 2025), how many are associations (74 % in 2024). Both are facts
*about* a place that anyone can look up — the territorial class comes from the density
and population of its commune (:mod:`tlresearch.geo.territorial_class`), the legal
status from the public SIRENE / RNA registers —
not answers that describe its activity, so, like the counts of places by type, they are
published in clear (see the README's table of what secrecy protects).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tlresearch.core.formats import format_count, format_percent
from tlresearch.report.blocks import HTMLBlock

if TYPE_CHECKING:
    import pandas as pd

#: The order a reader expects, from the densest to the least dense.
CLASS_ORDER = ("urbain", "périurbain", "rural")
#: Label of the places whose value is unknown (commune not found, question not answered).
UNKNOWN = "Non renseigné"
#: Column header of each profile, by variable.
HEADERS = {"territorial_class": "Classe territoriale", "legal_status": "Statut juridique"}


def profile_counts(wave: "pd.DataFrame", column: str) -> "pd.DataFrame":
    """Places of ``wave`` by ``column``: French label, count and share, then « Ensemble ».

    Classes come in :data:`CLASS_ORDER`, statuses by decreasing count; unknown values
    form a row of their own, last before the total, so that the rows add up.

    Examples
    --------
    >>> import pandas as pd
    >>> wave = pd.DataFrame({"territorial_class": ["rural", "urbain", "rural", None]})
    >>> profile_counts(wave, "territorial_class")[["label", "n"]].values.tolist()
    [['Urbain', 1], ['Rural', 2], ['Non renseigné', 1], ['Ensemble', 4]]
    """
    import pandas as pd

    from tlresearch.stats.indicator_catalogue import split_label

    values = wave[column].astype("string") if column in wave else pd.Series(
        pd.NA, index=wave.index, dtype="string")
    counts = values.value_counts(dropna=True)
    if column == "territorial_class":
        keys = [k for k in CLASS_ORDER if k in counts.index]
        keys += sorted(k for k in counts.index if k not in CLASS_ORDER)
    else:
        keys = sorted(counts.index, key=lambda k: (-int(counts[k]), str(k)))
    rows = [(str(k), _label(split_label(column, k)), int(counts[k])) for k in keys]
    unknown = int(values.isna().sum())
    if unknown:
        rows.append(("", UNKNOWN, unknown))
    total = len(values)
    rows.append(("", "Ensemble", total))
    table = pd.DataFrame(rows, columns=["code", "label", "n"])
    table["share"] = table["n"] / total if total else float("nan")
    return table


def _label(text: str) -> str:
    return text[:1].upper() + text[1:]


def profile_table(wave: "pd.DataFrame", column: str, *, caption: str, filename: str,
                  year: int | None = None) -> HTMLBlock:
    """:func:`profile_counts` as a published table (« Lieux » and « Part des lieux »)."""
    import pandas as pd

    from tlresearch.report.tables import publish_table

    counts = profile_counts(wave, column)
    header = HEADERS.get(column, column)
    frame = pd.DataFrame({header: counts["label"],
                          "Lieux répondants": counts["n"].map(format_count),
                          "Part des lieux": counts["share"].map(format_percent)})
    return publish_table(frame, caption=caption, filename=filename, year=year, stub=header,
                         codes=pd.DataFrame({f"code_{column}": counts["code"]}))


__all__ = ["profile_counts", "profile_table", "CLASS_ORDER", "UNKNOWN"]
