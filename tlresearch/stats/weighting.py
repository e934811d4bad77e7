"""Weights that carry the respondents of a wave to all the places the network knows.

The weights are calibrated by raking (iterative proportional fitting) on what is known
of every known place (:mod:`tlresearch.stats.known_places`): type, département,
territorial class, period of opening and the state at its last answer. A respondent
then stands for itself and for the non-respondents that look like it on those margins.

Library: ``weightipy`` (0.4.2). Of the three maintained survey-weighting libraries on
PyPI, ``balance`` 0.23.0 requires ``numpy<2`` on Python 3.11 (the project pins numpy
2.4.6) and ``samplics`` 0.6.1 announces at import that it is archived and no longer
maintained (a ``FutureWarning``, an error in our test run); ``weightipy`` installs
beside the pinned set and rakes a few hundred places in a tenth of a second. It does
not check its own result (it prints when it stops early and skips an empty
category), so :func:`calibrate` checks every margin before and after, and stops with
one line naming the margin when the weights cannot reach it: never a silent fallback.

Intervals include the weighting: a delete-a-group jackknife re-rakes the respondents
without each group (:func:`replicate_weights`), so the variability of the weights is
in every replicate.
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tlresearch.core.errors import DataError

#: Margins of the calibration, in order, with their French names.
MARGINS = {"typology": "type de lieu", "departement_code": "département",
           "territorial_class": "classe territoriale", "opening_period": "période d'ouverture",
           "past_state": "réponses passées"}
#: A category with fewer respondents is pooled with the margin's other small ones.
MIN_RESPONDENTS = 5
POOLED = "autres (regroupés)"
#: Groups of the delete-a-group jackknife.
JACKKNIFE_GROUPS = 40
#: Largest relative gap between a weighted margin and its target that counts as reached.
TOLERANCE = 1e-6


class WeightingError(DataError):
    """The weights cannot reach a margin (the message names it)."""


@dataclass(frozen=True)
class Calibration:
    """Weights of the respondents of one wave and territory, and how they were made."""

    weights: np.ndarray
    frame: pd.DataFrame
    margins: tuple[str, ...]
    pooled: dict[str, tuple[str, ...]]
    known: int

    def describe(self) -> str:
        """French description of the method (margins, pooled categories)."""
        parts = [MARGINS[m] for m in self.margins]
        text = "calage (raking, weightipy) sur : " + ", ".join(parts)
        for margin, values in self.pooled.items():
            into = [v[5:] for v in values if v.startswith("avec ")]
            names = ", ".join(v for v in values if not v.startswith("avec "))
            text += f" ; {MARGINS[margin]} : {names} regroupés" + (
                f" avec {into[0]}" if into else "")
        return text


def pooled_margins(known: pd.DataFrame, respondents: np.ndarray,
                   margins=tuple(MARGINS)) -> tuple[pd.DataFrame, dict]:
    """Categories with fewer than :data:`MIN_RESPONDENTS` respondents pooled, per margin.

    A margin with a single category says nothing and is left out.
    """
    frame = known[list(margins)].astype("string").fillna("inconnu").copy()
    frame = frame.reset_index(drop=True)
    pooled = {}
    for margin in margins:
        counts = frame.loc[respondents, margin].value_counts()
        small = sorted(set(frame[margin]) - set(counts[counts >= MIN_RESPONDENTS].index))
        if not small:
            continue
        pool = POOLED
        others = counts.index.difference(pd.Index(small))
        if counts[counts.index.isin(small)].sum() < MIN_RESPONDENTS and len(others):
            pool = str(counts.drop(small, errors="ignore").idxmax())  # too few even together
        frame[margin] = frame[margin].where(~frame[margin].isin(small), pool)
        pooled[margin] = (*small, f"avec {pool}") if pool != POOLED else tuple(small)
    kept = tuple(m for m in margins if frame[m].nunique() > 1)
    return frame[list(kept)], pooled


def calibrate(known: pd.DataFrame, respondents, margins=tuple(MARGINS)) -> Calibration:
    """Rake the respondents of ``known`` (one wave, one territory) to all its places.

    Parameters
    ----------
    known
        Known places of one wave and territory (:func:`~.known_places.known_places`).
    respondents
        Boolean mask of the places whose answer is used (unit and item response).

    Raises
    ------
    WeightingError
        No respondent, or a margin the weights cannot reach (its category is named).
    """
    respondents = np.asarray(respondents, dtype=bool)
    if not respondents.any():
        raise WeightingError("calage impossible : aucun répondant", rule="weighting")
    frame, pooled = pooled_margins(known, respondents, margins)
    weights = rake(frame, respondents)
    return Calibration(weights, frame, tuple(frame.columns), pooled, len(known))


def rake(frame: pd.DataFrame, respondents: np.ndarray) -> np.ndarray:
    """Raked weights (0 for non-respondents) whose margins equal the known places' counts."""
    import weightipy

    sample = frame[respondents]
    targets = {}
    for margin in frame.columns:
        share = frame[margin].value_counts(normalize=True) * 100
        missing = sorted(set(share.index) - set(sample[margin]))
        if missing:
            raise WeightingError(f"calage impossible : marge {MARGINS.get(margin, margin)} = "
                                 f"{missing[0]} : aucun répondant parmi "
                                 f"{int((frame[margin] == missing[0]).sum())} lieux connus",
                                 column=margin, rule="weighting")
        targets[margin] = share.to_dict()
    weights = np.zeros(len(frame))
    if len(frame.columns):
        scheme = weightipy.scheme_from_dict(
            targets, rim_params={"convcrit": 1e-12, "max_iterations": 2000})
        with contextlib.redirect_stdout(io.StringIO()):  # it prints; we check instead
            raw = weightipy.weight(sample.reset_index(drop=True), scheme).to_numpy(float)
    else:
        raw = np.ones(int(respondents.sum()))
    weights[respondents] = raw * len(frame) / raw.sum()
    _check_margins(frame, weights)
    return weights


def _check_margins(frame: pd.DataFrame, weights: np.ndarray) -> None:
    """Stop naming the margin whose weighted counts miss the known places' counts."""
    for margin in frame.columns:
        reached = pd.Series(weights).groupby(frame[margin].to_numpy()).sum()
        target = frame[margin].value_counts().reindex(reached.index)
        gap = (reached - target).abs() / target
        if not np.isfinite(reached).all() or gap.max() > TOLERANCE:
            worst = gap.idxmax() if np.isfinite(gap).any() else reached.index[0]
            raise WeightingError(
                f"le calage ne converge pas : marge {MARGINS.get(margin, margin)} = {worst} "
                f"(pondéré {reached[worst]:.2f} pour {int(target[worst])} lieux connus)",
                column=margin, rule="weighting")


def jackknife_groups(frame: pd.DataFrame, respondents: np.ndarray,
                     groups: int = JACKKNIFE_GROUPS) -> np.ndarray:
    """Group of each respondent (-1 for the others) for the delete-a-group jackknife.

    Respondents are ordered by the size of their rarest category and dealt out in
    turn, so the few respondents of a small category fall in different groups and
    no replicate loses a whole category.
    """
    rows = np.flatnonzero(respondents)
    sample = frame.iloc[rows]
    rarity = np.full(rows.size, np.inf)
    first = np.zeros(rows.size, dtype=object)
    for margin in frame.columns:
        sizes = sample[margin].map(sample[margin].value_counts()).to_numpy(float)
        rarer = sizes < rarity
        rarity = np.where(rarer, sizes, rarity)
        first = np.where(rarer, margin + "=" + sample[margin].astype(str).to_numpy(), first)
    order = np.lexsort((rows, first.astype(str), rarity))
    out = np.full(len(frame), -1)
    out[rows[order]] = np.arange(rows.size) % min(groups, rows.size)
    return out


def replicate_weights(calibration: Calibration, respondents,
                      groups: int = JACKKNIFE_GROUPS) -> np.ndarray:
    """Jackknife replicate weights, one column per deleted group, each re-raked."""
    respondents = np.asarray(respondents, dtype=bool)
    group = jackknife_groups(calibration.frame, respondents, groups)
    columns = []
    for g in range(group.max() + 1):
        kept = respondents & (group != g)
        columns.append(rake(calibration.frame, kept))
    return np.column_stack(columns) if columns else np.zeros((len(respondents), 0))


def jackknife_se(estimate_of, replicates: np.ndarray) -> float:
    """Standard error of a delete-a-group jackknife (JK1: ``(G-1)/G`` times the spread)."""
    values = np.array([estimate_of(replicates[:, g]) for g in range(replicates.shape[1])])
    g = values.size
    if g < 2:
        return np.nan
    return float(np.sqrt((g - 1) / g * np.sum((values - values.mean()) ** 2)))
