"""Totals and shares for all the places the network knows, not only the respondents.

« Salariés en CDI : 218 » is a sum over the places that answered. When the places
that answer are not like the others (older, bigger places answer more often), that
sum says little about the sector. :func:`estimate_totals` weights the respondents of
a wave to all known places of the territory (:mod:`tlresearch.stats.weighting`) and
gives each total with a 95 % interval that includes the weighting (delete-a-group
jackknife, each replicate re-raked).

A respondent who left one question blank is treated like a non-respondent for that
question: the respondents who answered it are raked again to all known places. The
estimates follow the secrecy rules of every published figure: fewer than three
answering places, or one place making more than 85 % of the weighted total, and
the figure is hidden (``suppressed``, value NA).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from tlresearch.core.errors import UsageError
from tlresearch.secrecy.rules import SecrecyRule
from tlresearch.stats.indicators import asked_variables, employer_flag
from tlresearch.stats.weighting import (
    JACKKNIFE_GROUPS,
    WeightingError,
    calibrate,
    jackknife_se,
    replicate_weights,
)

#: Variables one can estimate: (French label, kind, unit).
ESTIMABLE = {
    "cdi": ("Salariés en CDI", "total", "personnes"),
    "cdd": ("Salariés en CDD", "total", "personnes"),
    "staff_total": ("Emplois salariés", "total", "personnes"),
    "etp": ("Équivalents temps plein", "total", "ETP"),
    "volunteers": ("Bénévoles", "total", "personnes"),
    "employers": ("Lieux employeurs", "total", "lieux"),
    "share_employers": ("Part des lieux employeurs", "share", "part"),
}
#: Columns of :func:`estimate_totals`.
ESTIMATE_COLUMNS = ["variable", "label", "wave", "value", "low", "high", "respondents_sum",
                    "respondents", "known_places", "unit", "method", "suppressed", "note"]


def place_values(responses: pd.DataFrame, wave: int) -> pd.DataFrame:
    """Each respondent's value of every :data:`ESTIMABLE` variable at one wave (NA if blank)."""
    frame = responses[(pd.to_numeric(responses["wave"]) == wave).to_numpy()]
    asked = asked_variables(frame, None)
    out = pd.DataFrame({"place_id": frame["place_id"].astype("string").to_numpy()})
    for column in ("cdi", "cdd", "staff_total", "etp", "volunteers"):
        out[column] = (pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()
                       if column in frame and column in asked else np.nan)
    employer = pd.Series(employer_flag(frame, asked), dtype="float64").to_numpy()
    out["employers"] = employer
    out["share_employers"] = employer
    return out


def estimate_totals(responses: pd.DataFrame, known: pd.DataFrame, wave: int,
                    variables=None, *, confidence: float = 0.95,
                    groups: int = JACKKNIFE_GROUPS,
                    rule: SecrecyRule | None = None) -> pd.DataFrame:
    """Non-response-adjusted totals (and shares) for the known places of one territory.

    Parameters
    ----------
    responses
        The panel's responses (any territory: only the known places' answers count).
    known
        Known places of the territory (:func:`~.known_places.known_places`), any waves.
    wave
        The wave.
    variables
        Codes of :data:`ESTIMABLE` (default: all).

    Returns
    -------
    One row per variable (:data:`ESTIMATE_COLUMNS`): ``value`` with ``low``/``high``
    (interval at ``confidence``), the respondents' plain sum beside it, the number of
    respondents who answered it and of known places, the method in French. A
    variable not asked that wave, or a weighting that cannot be made, has a NA value
    and its reason in ``note``.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        estimate_totals(responses, known, 2024, ["cdi"])
    """
    variables = list(ESTIMABLE) if variables is None else list(variables)
    unknown = [v for v in variables if v not in ESTIMABLE]
    if unknown:
        raise UsageError(f"unknown variable {unknown[0]!r}; one of {', '.join(ESTIMABLE)}")
    rule = rule or SecrecyRule()
    frame = known[(pd.to_numeric(known["wave"]) == wave).to_numpy()].reset_index(drop=True)
    values = place_values(responses, wave).drop_duplicates("place_id").set_index("place_id")
    values = values.reindex(frame["place_id"].astype("string"))
    answered = frame["responded"].fillna(False).to_numpy(dtype=bool)
    z = float(norm.ppf(0.5 + confidence / 2))
    cache: dict[bytes, tuple] = {}
    rows = []
    for variable in variables:
        label, kind, unit = ESTIMABLE[variable]
        y = values[variable].to_numpy(dtype="float64")
        used = answered & ~np.isnan(y)
        row = {"variable": variable, "label": label, "wave": wave, "value": np.nan,
               "low": np.nan, "high": np.nan, "respondents": int(used.sum()),
               "respondents_sum": (float(np.nansum(y[used])) if kind == "total" and used.any()
                                   else np.nan),
               "known_places": len(frame), "unit": unit, "method": "",
               "suppressed": False, "note": ""}
        if not used.any():
            row["note"] = "non défini : question non posée ou sans réponse cette vague"
            rows.append(row)
            continue
        try:
            key = used.tobytes()
            if key not in cache:
                calibration = calibrate(frame, used)
                cache[key] = (calibration, replicate_weights(calibration, used, groups))
            calibration, replicates = cache[key]
        except WeightingError as error:
            row["note"] = error.message
            rows.append(row)
            continue
        filled = np.nan_to_num(y)

        def estimate(w, kind=kind, filled=filled):
            total = float(np.sum(w * filled))
            return total / float(np.sum(w)) if kind == "share" else total

        value = estimate(calibration.weights)
        se = jackknife_se(estimate, replicates)
        row.update(value=value, low=value - z * se, high=value + z * se,
                   method=f"{calibration.describe()} ; intervalle par jackknife à "
                          f"{replicates.shape[1]} groupes, chaque réplique recalée")
        if kind == "share":
            row.update(low=max(row["low"], 0.0), high=min(row["high"], 1.0))
        else:
            row.update(low=max(row["low"], 0.0))
        contributions = calibration.weights * filled
        if row["respondents"] < rule.threshold or (
                kind == "total" and contributions.sum() > 0
                and contributions.max() > rule.dominance * contributions.sum()):
            row.update(value=np.nan, low=np.nan, high=np.nan, respondents_sum=np.nan,
                       suppressed=True, note="secret statistique")
        rows.append(row)
    table = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    return table.astype({"wave": "Int64", "value": "Float64", "low": "Float64",
                         "high": "Float64", "respondents_sum": "Float64",
                         "respondents": "Int64", "known_places": "Int64",
                         "suppressed": "boolean", "label": "string", "method": "string",
                         "note": "string", "unit": "string", "variable": "string"})
