"""Indicator results written for the reader: French labels and numbers, codes kept.

A researcher's table must read like the Panorama (``56,3 %``, ``Gironde (33)``,
« s » for a figure under statistical secrecy) and still be computable: the French
columns come first, the codes and raw numbers follow under their usual names.
"""
from __future__ import annotations

import pandas as pd

from tlresearch.core.formats import (
    format_count,
    format_interval,
    format_value,
)
from tlresearch.stats.indicator_catalogue import split_label

#: Code and number columns kept after the French ones.
CODE_COLUMNS = ["indicator", "label", "territory_level", "territory", "wave", "split",
                "split_value", "value", "low", "high", "n", "unit", "suppressed"]
#: Why a figure is secret, in French.
SECRET_REASONS = {"primary_count": "moins de 3 lieux",
                  "primary_dominance": "un lieu fait plus de 85 % du total",
                  "primary_named": "même réponse de tous les lieux, nommés sur la carte",
                  "secondary": "secret secondaire (recalcul par différence)"}


def french_indicator_table(tidy: pd.DataFrame, territory_label: str) -> pd.DataFrame:
    """French columns (Indicateur, Territoire, Vague, Catégorie, Valeur, Intervalle,
    Base (lieux), Secret, Note) followed by :data:`CODE_COLUMNS`.

    A figure under secrecy reads ``s`` with its reason; its number stays in ``value``
    because the explorer is the lab's own workbench, not a publication.
    """
    secret = tidy["suppressed"].fillna(False).astype(bool).to_numpy()
    reasons = tidy["suppression_reason"].astype("string").fillna("")
    out = pd.DataFrame({"Indicateur": tidy["label"].astype(str),
                        "Territoire": territory_label,
                        "Vague": tidy["wave"].map(lambda w: str(int(w)))})
    if tidy["split"].notna().any():
        out["Catégorie"] = [split_label(s, v) for s, v in zip(tidy["split"], tidy["split_value"])]
    units = tidy["unit"].astype(str)
    out["Valeur"] = ["s" if hidden else format_value(v, u)
                     for v, u, hidden in zip(tidy["value"], units, secret)]
    out["Intervalle"] = [
        "" if hidden or pd.isna(lo) or pd.isna(hi)
        else format_interval(lo, hi, lambda v, unit=u, **kw: format_value(v, unit))
        for lo, hi, u, hidden in zip(tidy["low"], tidy["high"], units, secret)]
    out["Base (lieux)"] = [format_count(n) for n in tidy["n"]]
    out["Secret"] = [SECRET_REASONS.get(r, r) if hidden else ""
                     for r, hidden in zip(reasons, secret)]
    out["Note"] = tidy["note"].fillna("").astype(str)
    for column in CODE_COLUMNS:
        out[column] = tidy[column].to_numpy()
    return out.reset_index(drop=True)
