"""What a map says in words and colours: French labels, palettes and class breaks.

Shared by the interactive maps (:mod:`tlresearch.viz.maps`) and the printed ones
(:mod:`tlresearch.viz.static_maps`), so that both show the same classes with the same
words; numbers are written by :mod:`tlresearch.core.formats`.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NNBSP, format_number
from tlresearch.spec.variables import catalogue

# --------------------------------------------------------------------------- words


LEVEL_WORDS = {"commune": "commune", "epci": "intercommunalité (EPCI)",
               "departement": "département"}

#: Measures an area map can show, with their French legend titles.
MEASURES = {
    "n_places": "Nombre de lieux",
    "places_per_100k": f"Lieux pour 100{NNBSP}000 habitants",
}

#: Class-break schemes of mapclassify that give the same breaks on every run.
SCHEMES = {"fisher_jenks": "seuils naturels (Fisher-Jenks)", "quantiles": "quantiles",
           "equal_interval": "intervalles égaux"}

#: Okabe & Ito (2008): eight colours told apart with every common colour-vision
#: deficiency; grey for "autre", white for unknown. The legend names each type in words.
TYPOLOGY_COLOURS = {
    "coworking": "#0072B2", "fablab": "#E69F00", "atelier_partage": "#009E73",
    "cafe_associatif": "#CC79A7", "mediation_numerique": "#56B4E9",
    "tiers_lieu_nourricier": "#F0E442", "culturel": "#D55E00", "hybride": "#000000",
    "autre": "#999999",
}
UNKNOWN_TYPOLOGY = "inconnu"
UNKNOWN_COLOUR = "#FFFFFF"

#: ColorBrewer YlGnBu, a sequential scheme that ColorBrewer rates colour-blind safe.
SEQUENTIAL = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
ZERO_COLOUR = "#e3e3e3"      # "aucun lieu": neutral, outside the sequential ramp
MISSING_COLOUR = "#ffffff"   # population unknown: no rate


def typology_label(code: object) -> str:
    """French label of a typology code (``hybride`` and missing included)."""
    labels = dict(catalogue()["place_types"].values)
    labels["hybride"] = "Lieu hybride (plusieurs types)"
    if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)):
        return "Type non renseigné"
    return labels.get(str(code), str(code))


def format_waves(waves: object) -> str:
    """``2017,2018,2019,2022`` -> ``4 vagues : 2017 à 2019, 2022``."""
    if waves is None or waves is pd.NA or str(waves).strip() in {"", "nan", "<NA>"}:
        return "aucune"
    years = sorted({int(w) for w in str(waves).replace(";", ",").split(",") if w.strip()})
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [f"{r[0]} à {r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    noun = "vague" if len(years) == 1 else "vagues"
    return f"{len(years)} {noun} : {', '.join(parts)}"


# --------------------------------------------------------------------------- classes

@dataclass(frozen=True)
class Classes:
    """Class breaks of a measure, with their colours and French labels.

    ``bins`` are the upper bounds (inclusive) of the classes of positive values; a
    value of 0 has its own class ("aucun lieu") when present, and a missing value
    (no population) its own colour. The same object drives the folium and the
    matplotlib legends.
    """

    title: str
    scheme: str
    k: int
    bins: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    has_zero: bool
    has_missing: bool
    zero_label: str = "Aucun lieu"
    missing_label: str = "Non disponible"

    def class_of(self, value: float) -> int | None:
        """Index of the class of ``value``: -1 for zero, None for missing."""
        if value is None or pd.isna(value):
            return None
        if value <= 0:
            return -1
        return int(min(np.searchsorted(self.bins, value, side="left"), len(self.bins) - 1))

    def colour_of(self, value: float) -> str:
        index = self.class_of(value)
        if index is None:
            return MISSING_COLOUR
        return ZERO_COLOUR if index == -1 else self.colours[index]

    def legend_items(self) -> list[tuple[str, str]]:
        """(colour, label) pairs, lowest class first."""
        items = [(ZERO_COLOUR, self.zero_label)] if self.has_zero else []
        items += list(zip(self.colours, self.labels))
        if self.has_missing:
            items.append((MISSING_COLOUR, self.missing_label))
        return items

    def legend_counts(self, values) -> list[int]:
        """How many of ``values`` fall in each legend item, in :meth:`legend_items` order:
        the legend then says how many areas each colour stands for (not colour alone)."""
        found = [self.class_of(v) for v in values]
        keys = ([-1] if self.has_zero else []) + list(range(len(self.colours)))
        keys += [None] if self.has_missing else []
        return [sum(1 for f in found if f == key) for key in keys]

    @property
    def note(self) -> str:
        """How the classes were made, for the legend's footnote."""
        n = len(self.bins)
        return f"Classes : {SCHEMES[self.scheme]}, {n} classe{'s' if n > 1 else ''}"


#: Above this many positive values, Fisher-Jenks (quadratic) runs on a systematic
#: sample of the sorted values: same shape, bounded time, still deterministic.
_JENKS_MAX_VALUES = 1500


def _breaks(values: np.ndarray, scheme: str, k: int) -> np.ndarray:
    import mapclassify

    if scheme not in SCHEMES:
        raise UsageError(f"unknown class scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    k = min(k, len(np.unique(values)))
    if k <= 1:
        return np.array([values.max()])
    if scheme == "fisher_jenks" and len(values) > _JENKS_MAX_VALUES:
        ordered = np.sort(values)
        values = ordered[np.linspace(0, len(ordered) - 1, _JENKS_MAX_VALUES).round().astype(int)]
    with warnings.catch_warnings():
        # "Numba not installed": the pure-Python path is fast enough at our sizes.
        warnings.simplefilter("ignore", UserWarning)
        classifier = {"fisher_jenks": mapclassify.FisherJenks, "quantiles": mapclassify.Quantiles,
                      "equal_interval": mapclassify.EqualInterval}[scheme](values, k=k)
    return np.unique(np.asarray(classifier.bins, dtype=float))


def _labels(bins: np.ndarray, low: float, integer: bool, decimals: int) -> list[str]:
    """``de 1 à 3``, ``4 à 7`` for counts; ``de 0,8 à 2,1``, ``plus de 2,1 à 4,0`` for rates."""
    if integer:
        out, lower = [], int(math.ceil(low))
        for upper in bins:
            upper = int(math.floor(upper))
            out.append(format_number(lower) if lower == upper
                       else f"{format_number(lower)} à {format_number(upper)}")
            lower = upper + 1
        return out
    for places in range(decimals, 4):
        edges = [low, *bins]
        texts = [format_number(e, places) for e in edges]
        if len(set(texts)) == len(texts):
            break
    first = f"de {texts[0]} à {texts[1]}"
    return [first] + [f"plus de {texts[i]} à {texts[i + 1]}" for i in range(1, len(bins))]


def classify(values: Sequence[float], title: str, scheme: str = "fisher_jenks", k: int = 5,
             decimals: int = 1) -> Classes:
    """Class breaks of a measure with mapclassify, shared by interactive and static maps.

    Parameters
    ----------
    values
        One value per area; 0 gets its own class ("aucun lieu") because no place and
        few places are different stories; NaN (no population) its own colour.
    title
        French legend title (e.g. ``MEASURES["places_per_100k"]``).
    scheme
        ``fisher_jenks`` (default: natural breaks, exact and deterministic),
        ``quantiles`` or ``equal_interval``.
    k
        Number of classes of positive values, 5 by default (3 to 7: the ColorBrewer
        ramp); fewer when there are fewer distinct values.
    decimals
        Decimals of the labels of non-integer measures (more if two bounds would
        otherwise read the same).

    Examples
    --------
    >>> c = classify([0, 1, 2, 3, 10, 12], "Nombre de lieux", k=3)
    >>> c.labels
    ('1 à 3', '4 à 10', '11 à 12')
    """
    if not 1 <= k <= 7:
        raise UsageError(f"k must be between 1 and 7 classes, not {k}")
    array = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    finite = array[np.isfinite(array)]
    positive = finite[finite > 0]
    if positive.size:
        bins = _breaks(positive, scheme, k)
        integer = bool(np.all(np.mod(positive, 1) == 0))
        labels = _labels(bins, positive.min(), integer, decimals)
    else:
        bins, labels = np.array([]), []
    n = len(bins)
    ramp = SEQUENTIAL[max(n, 3)]
    colours = ramp[-n:] if n < 3 else ramp  # 1-2 classes: the darker end of the ramp
    return Classes(title=title, scheme=scheme, k=n, bins=tuple(float(b) for b in bins),
                   colours=tuple(colours[:n]), labels=tuple(labels),
                   has_zero=bool((finite == 0).any()),
                   has_missing=bool((~np.isfinite(array)).any()))
