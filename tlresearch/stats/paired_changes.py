"""Changes that compare like with like: the same places at two waves, and each
département against the rest of its region.

:func:`tlresearch.stats.trends.compare_waves` compares all respondents of one wave
with all respondents of another; when the respondents change, that change mixes
places hiring and more places answering. :func:`paired_changes` puts beside it the
change among the places that answered both waves (a constant sample), with a paired
interval. :func:`departement_tests` tests each département against the rest of the
region and corrects for testing them all (Holm). :func:`transition_table` gives the
transitions between place statuses as a cross-table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.stats.adjusted_totals import place_values
from tlresearch.stats.indicator_catalogue import in_territory, indicator_settings, territory_column
from tlresearch.stats.trends import transitions

#: Variables of a paired change: French label, whether it is a share.
PAIRED = {"share_employers": ("Part des lieux employeurs", True),
          "cdi": ("Salariés en CDI par lieu", False),
          "cdd": ("Salariés en CDD par lieu", False),
          "staff_total": ("Emplois salariés par lieu", False),
          "etp": ("ETP par lieu", False),
          "volunteers": ("Bénévoles par lieu", False)}
SAME_PLACES = "mêmes lieux (répondants des deux vagues)"
ALL_RESPONDENTS = "tous les répondants de chaque vague"
#: Columns of :func:`paired_changes`.
PAIRED_COLUMNS = ["variable", "label", "sample", "from_wave", "to_wave", "value_from",
                  "value_to", "change", "low", "high", "sum_from", "sum_to", "n_from", "n_to",
                  "method", "secret"]


def _wave_values(responses, wave, territory) -> pd.DataFrame:
    _, code, column = territory_column(territory)
    frame = responses[(pd.to_numeric(responses["wave"]) == wave).to_numpy()]
    frame = frame[in_territory(frame, column, code).to_numpy()]
    return place_values(frame, wave).drop_duplicates("place_id").set_index("place_id")


def paired_changes(responses: pd.DataFrame, from_wave: int, to_wave: int, variables=None,
                   territory=("region", DEFAULT_REGION), *,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Change of each variable among the same places, beside the change among all respondents.

    ``value_*`` are means per place (a share for ``share_employers``); ``sum_*`` the
    totals over the sample. Same places: Student interval of the mean of the paired
    differences (the sums' change is that mean times the number of places). All
    respondents: Welch interval of the difference of two independent means.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        paired_changes(responses, 2019, 2024, ["cdi"])
    """
    variables = list(PAIRED) if variables is None else list(variables)
    before = _wave_values(responses, from_wave, territory)
    after = _wave_values(responses, to_wave, territory)
    return paired_from_values(before, after, from_wave, to_wave, variables,
                              confidence=confidence)


def paired_from_values(before: pd.DataFrame, after: pd.DataFrame, from_wave: int,
                       to_wave: int, variables, *, confidence: float = 0.95) -> pd.DataFrame:
    """:func:`paired_changes` from each wave's values per place (index ``place_id``,
    one column per variable: :func:`~tlresearch.stats.adjusted_totals.place_values`),
    already restricted to the territory."""
    rows = []
    for variable in variables:
        label, share = PAIRED[variable]
        x0, x1 = before[variable].dropna(), after[variable].dropna()
        both = x0.index.intersection(x1.index)
        d = (x1[both] - x0[both]).to_numpy(float)
        low, high = _mean_interval(d, confidence)
        same = _row(variable, label, SAME_PLACES, from_wave, to_wave, x0[both], x1[both],
                    d.mean() if d.size else np.nan, low, high,
                    "intervalle de Student sur les écarts appariés")
        reason = _difference_reason(x0, x1, both, share)
        if reason:  # printed beside the all-respondents row, it would give away a sum
            same.update(value_from=np.nan, value_to=np.nan, change=np.nan, low=np.nan,
                        high=np.nan, sum_from=np.nan, sum_to=np.nan, secret=reason)
        rows.append(same)
        change = x1.mean() - x0.mean() if len(x0) and len(x1) else np.nan
        low, high = _welch_interval(x0.to_numpy(float), x1.to_numpy(float), confidence)
        rows.append(_row(variable, label, ALL_RESPONDENTS, from_wave, to_wave, x0, x1, change,
                         low, high, "intervalle de Welch, vagues traitées comme indépendantes"))
    table = pd.DataFrame(rows, columns=PAIRED_COLUMNS)
    return table.astype({"n_from": "Int64", "n_to": "Int64", "from_wave": "Int64",
                         "to_wave": "Int64"})


def _difference_reason(x0: pd.Series, x1: pd.Series, both: pd.Index,
                       share: bool = False) -> str | None:
    """Why the same-places figures must be secret, or None.

    Printed beside the figures of all respondents, the same places' mean × their number
    gives their sum; the difference is the sum over the places that answered one wave
    only (stopped, or new). That sum, in either wave, and the same places' own sums must
    pass the primary rules (:func:`group_reason`).
    """
    for values in (x0[both], x1[both], x0.drop(both), x1.drop(both)):
        reason = group_reason(values.to_numpy(float), share)
        if reason:
            return reason
    return None


def group_reason(values: np.ndarray, share: bool = False, rule=None) -> str | None:
    """Why the sum of a group of named places may not be printed, or None.

    The magnitude rules: 3 places with a value above 0, none over 85 % of the sum; and
    the named places' rule: a sum of 0 (and, for a share of places, 100 %) gives each
    named place's answer (:mod:`tlresearch.secrecy.marks`). An empty group gives nothing.

    >>> group_reason(np.array([1.0, 1.0, 1.0]), share=True)
    'primary_named'
    >>> group_reason(np.array([2.0, 1.0, 1.5, 0.0])) is None
    True
    """
    from tlresearch.secrecy.rules import (
        PRIMARY_COUNT,
        PRIMARY_DOMINANCE,
        PRIMARY_NAMED,
        SecrecyRule,
    )

    rule = rule or SecrecyRule()
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return None  # no such place: nothing to give away
    if values.sum() == 0 or (share and (values == 1).all()):
        return PRIMARY_NAMED  # every named place gave the same answer
    positive = values[values > 0]
    if positive.size < rule.threshold:
        return PRIMARY_COUNT
    if positive.max() > rule.dominance * positive.sum():
        return PRIMARY_DOMINANCE
    return None


def _row(variable, label, sample, w0, w1, x0, x1, change, low, high, method) -> dict:
    return {"variable": variable, "label": label, "sample": sample, "from_wave": w0,
            "to_wave": w1, "value_from": x0.mean() if len(x0) else np.nan,
            "value_to": x1.mean() if len(x1) else np.nan, "change": change, "low": low,
            "high": high, "sum_from": float(x0.sum()), "sum_to": float(x1.sum()),
            "n_from": len(x0), "n_to": len(x1), "method": method, "secret": None}


def _mean_interval(d: np.ndarray, confidence: float) -> tuple[float, float]:
    if d.size < 2:
        return np.nan, np.nan
    half = scipy_stats.t.ppf(0.5 + confidence / 2, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return d.mean() - half, d.mean() + half


def _welch_interval(x0, x1, confidence) -> tuple[float, float]:
    if x0.size < 2 or x1.size < 2:
        return np.nan, np.nan
    v0, v1 = x0.var(ddof=1) / x0.size, x1.var(ddof=1) / x1.size
    se = np.sqrt(v0 + v1)
    if se == 0:
        return x1.mean() - x0.mean(), x1.mean() - x0.mean()
    df = (v0 + v1) ** 2 / (v0 ** 2 / (x0.size - 1) + v1 ** 2 / (x1.size - 1))
    half = scipy_stats.t.ppf(0.5 + confidence / 2, df) * se
    return x1.mean() - x0.mean() - half, x1.mean() - x0.mean() + half


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error), NA kept.

    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.size, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = order.size
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def departement_tests(responses: pd.DataFrame, wave: int, variable: str = "share_employers",
                      region: str = DEFAULT_REGION, *, alpha: float = 0.05) -> pd.DataFrame:
    """Each département of the region against the rest of the region, Holm-corrected.

    Welch's t test of the mean per place (for a share, the same test on 0/1 values);
    ``p_adjusted`` is Holm's correction over the départements tested, ``significant``
    compares it with ``alpha``. A département with fewer than two respondents is not
    tested (``p_value`` NA).
    """
    values = _wave_values(responses, wave, ("region", region))
    frame = responses[(pd.to_numeric(responses["wave"]) == wave).to_numpy()]
    deps = (frame.drop_duplicates("place_id").set_index("place_id")["departement_code"]
            .astype("string").reindex(values.index))
    y = values[variable]
    rows = []
    for dep in sorted(deps.dropna().unique()):
        inside = (deps == dep).fillna(False).to_numpy(dtype=bool)
        a, b = y[inside].dropna().to_numpy(float), y[~inside].dropna().to_numpy(float)
        p = np.nan
        if a.size >= 2 and b.size >= 2 and (a.var() > 0 or b.var() > 0):
            p = float(scipy_stats.ttest_ind(a, b, equal_var=False).pvalue)
        rows.append({"departement_code": dep, "variable": variable, "wave": wave,
                     "value": a.mean() if a.size else np.nan,
                     "rest_of_region": b.mean() if b.size else np.nan,
                     "difference": (a.mean() - b.mean()) if a.size and b.size else np.nan,
                     "n": a.size, "n_rest": b.size, "p_value": p})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["p_adjusted"] = holm(table["p_value"])
    table["significant"] = table["p_adjusted"] < alpha
    table["method"] = (f"test de Welch contre le reste de la région ; correction de Holm pour "
                       f"{int(table['p_value'].notna().sum())} départements testés")
    return table


def transition_table(responses: pd.DataFrame, from_wave: int, to_wave: int,
                     territory=("region", DEFAULT_REGION)) -> pd.DataFrame:
    """Places by status at ``from_wave`` (rows) and at ``to_wave`` (columns), French labels.

    The statuses are :func:`place_statuses`; « absent » is a place that did not answer
    that wave. Cells add up to the places answering either wave.
    """
    tidy = transitions(responses, from_wave, to_wave, territory)
    cells = tidy[tidy["from_state"].notna() & tidy["to_state"].notna()]
    labels = indicator_settings()["transition_states"]
    table = cells.pivot_table(index="from_state", columns="to_state", values="value",
                              aggfunc="sum", fill_value=0)
    order = [s for s in labels if s in table.index or s in table.columns]
    table = table.reindex(index=order, columns=order, fill_value=0).astype("Int64")
    table.index = [f"{labels[s]} ({from_wave})" for s in table.index]
    table.columns = [f"{labels[s]} ({to_wave})" for s in table.columns]
    return table


def place_statuses() -> dict[str, str]:
    """The statuses of a place at one wave (code → French label), as in transitions."""
    return dict(indicator_settings()["transition_states"])
