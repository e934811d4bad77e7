"""Indicators over time: yearly series, change between two waves, transitions of places.

Three questions, three functions, each returning a tidy table with the columns of
:data:`tlresearch.stats.indicator_catalogue.COLUMNS` (plus a few documented extra columns):

- :func:`indicator_series`: each indicator at every wave where it is defined (a wave
  that did not ask a question has no row for it, rather than a zero);
- :func:`compare_waves`: the change of each indicator between two waves, with an
  interval (Newcombe's hybrid score interval for shares, a seeded percentile
  bootstrap for means, medians and shares of job slots; none for sums and counts);
- :func:`transitions`: how places followed from one wave to the other (by
  ``place_id``, whatever their name) changed state: volunteer-run to employer and
  back, first CDI, places that stopped answering, new respondents.

The two waves are treated as independent samples in the intervals of a change. Most
places answer both, and their answers are positively correlated, so the true
interval is narrower: the ones given are on the safe side. A change in a *sum* mixes
the change of the places and the change of who answered; its note says so.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.core.errors import DataError, UsageError
from tlresearch.secrecy.marks import primary_reason
from tlresearch.secrecy.rules import SecrecyRule
from tlresearch.stats import intervals as iv
from tlresearch.stats.indicator_catalogue import (
    AMONG_RESPONDENTS,
    COLUMNS,
    in_territory,
    indicator_settings,
    territory_column,
    typed,
)
from tlresearch.stats.indicators import (
    Estimate,
    asked_variables,
    compute_indicators,
    employer_flag,
    numeric,
    volunteer_run_flag,
    wave_estimates,
)

#: Extra columns of :func:`compare_waves`.
CHANGE_COLUMNS = ["from_wave", "value_from", "value_to", "n_from", "n_to", "secret_from",
                  "secret_to"]
#: Extra columns of :func:`transitions`.
TRANSITION_COLUMNS = ["from_wave", "from_state", "to_state"]
#: Unit of the change of a share: a difference of proportions (0.05 = 5 points).
SHARE_CHANGE_UNIT = "écart de part"
_SHARES = {"share", "place_role"}


def _several_waves(open_places) -> None:
    """A bare count belongs to one wave: refuse it where several waves are computed."""
    if isinstance(open_places, (int, np.integer)):
        raise UsageError("open_places is a single count but several waves are computed: "
                         "pass a {wave: count} mapping or a table from "
                         "open_places_from_directory")


def indicator_series(responses: pd.DataFrame, staff: pd.DataFrame | None, indicators=None,
                     territory=None, split: str | None = None,
                     open_places=None, *, waves=None, seed: int = iv.DEFAULT_SEED,
                     resamples: int = iv.DEFAULT_RESAMPLES,
                     confidence: float = iv.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Each indicator at every wave where it is defined, oldest wave first.

    Parameters
    ----------
    responses, staff, territory, split, open_places, seed, resamples, confidence
        As in :func:`tlresearch.stats.indicators.compute_indicators`.
    indicators
        Codes of the catalogue (default: all).
    waves
        Waves to include (default: every wave of ``responses``).

    Returns
    -------
    Tidy table (:data:`~tlresearch.stats.indicator_catalogue.COLUMNS`) sorted by indicator (catalogue
    order), split value and wave. Rows whose value is NA (question not asked that
    wave, no response open-places count, empty group) are left out.

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        series = indicator_series(responses, staff, ["share_employers"])
    """
    _several_waves(open_places)
    if waves is None:
        waves = sorted(int(w) for w in pd.to_numeric(responses["wave"]).dropna().unique())
    frames = [compute_indicators(responses, staff, wave, territory, split, open_places,
                                 indicators=indicators, seed=seed, resamples=resamples,
                                 confidence=confidence) for wave in waves]
    if not frames:
        return typed(pd.DataFrame(columns=COLUMNS))
    table = pd.concat(frames, ignore_index=True)
    table = table[table["value"].notna().to_numpy()]
    order = {code: i for i, code in enumerate(dict.fromkeys(table["indicator"]))}
    table = table.assign(_order=table["indicator"].map(order).astype(int),
                         _split=table["split_value"].fillna(""))
    table = table.sort_values(["_order", "_split", "wave"], kind="stable")
    return typed(table.drop(columns=["_order", "_split"]))


def _change(before: Estimate, after: Estimate, seed: int, resamples: int,
            confidence: float) -> tuple[float, float, float, str]:
    """(change, low, high, how) of one indicator between two estimates."""
    method = after.indicator.method
    if method in _SHARES:
        (x1, n1), (x0, n0) = after.sample, before.sample
        return (*iv.newcombe_difference(x1, n1, x0, n0, confidence),
                "intervalle de Newcombe (score hybride), vagues traitées comme indépendantes")
    if method in {"mean", "median"}:
        return (*iv.bootstrap_difference(after.sample, before.sample, method, seed=seed,
                                         resamples=resamples, confidence=confidence),
                f"intervalle par bootstrap percentile ({resamples} tirages par vague)")
    if method == "job_role":
        return (*iv.cluster_ratio_difference(after.sample, before.sample, seed=seed,
                                             resamples=resamples, confidence=confidence),
                f"intervalle par bootstrap des lieux ({resamples} tirages par vague)")
    how = ("sans intervalle : somme sur les répondants, qui ne sont pas les mêmes "
           "lieux d'une vague à l'autre") if method == "sum" else "sans intervalle"
    return after.value - before.value, np.nan, np.nan, how


def compare_waves(responses: pd.DataFrame, staff: pd.DataFrame | None, from_wave: int,
                  to_wave: int, indicators=None, territory=None,
                  split: str | None = None, open_places=None, *, seed: int = iv.DEFAULT_SEED,
                  resamples: int = iv.DEFAULT_RESAMPLES,
                  confidence: float = iv.DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Change of each indicator from ``from_wave`` to ``to_wave``, with its interval.

    ``value`` is ``value_to - value_from``: for a share, a difference of proportions
    (unit ``écart de part``: 0.05 is five percentage points, shown ``+5,0 pts`` by
    :func:`tlresearch.core.formats.format_points`). ``wave`` is ``to_wave``; ``n`` is the
    smaller of the two bases (the weakest figure the change rests on).

    Returns
    -------
    Tidy table with :data:`~tlresearch.stats.indicator_catalogue.COLUMNS` and
    :data:`CHANGE_COLUMNS` (``from_wave``, ``value_from``, ``value_to``, ``n_from``,
    ``n_to``, ``secret_from``, ``secret_to``: whether that wave's figure breaks a
    primary rule of :mod:`tlresearch.secrecy.marks`). An indicator not defined at
    either wave has a NA change and a note
    naming the wave.
    """
    _several_waves(open_places)
    rule = SecrecyRule()
    options = dict(indicators=indicators, seed=seed, resamples=resamples, confidence=confidence)
    before = wave_estimates(responses, staff, from_wave, territory, split, open_places, **options)
    after = wave_estimates(responses, staff, to_wave, territory, split, open_places, **options)
    keyed = {(e.indicator.code, e.split_value if split else None): e for e in before}
    level, code, _ = territory_column(territory)
    # A split value present at from_wave only still gets its (undefined) row.
    seen = {(e.indicator.code, e.split_value if split else None) for e in after}
    after = after + [Estimate(e.indicator, e.split_value) for e in before
                     if (e.indicator.code, e.split_value if split else None) not in seen]
    rows = []
    for est in after:
        old = keyed.get((est.indicator.code, est.split_value if split else None),
                        Estimate(est.indicator, est.split_value))
        indicator = est.indicator
        change, low, high = np.nan, np.nan, np.nan
        undefined = [str(w) for w, e in ((from_wave, old), (to_wave, est)) if pd.isna(e.value)]
        if undefined:
            how = f"non défini en {' et '.join(undefined)}"
        else:
            change, low, high, how = _change(old, est, seed, resamples, confidence)
        rows.append({
            "indicator": indicator.code,
            "label": f"{indicator.label} : évolution {from_wave} → {to_wave}",
            "territory_level": level, "territory": code, "wave": to_wave,
            "split": split if split else pd.NA, "split_value": est.split_value,
            "value": change, "low": low, "high": high, "n": min(old.n, est.n),
            "unit": SHARE_CHANGE_UNIT if indicator.unit == "part" else indicator.unit,
            "note": f"{AMONG_RESPONDENTS} ; évolution {from_wave} → {to_wave} ; {how}",
            "from_wave": from_wave, "value_from": old.value, "value_to": est.value,
            "n_from": old.n, "n_to": est.n,
            # Whether either wave's figure is secret by itself (too few places, or a sum
            # it is made of with too few contributors or one dominant place).
            "secret_from": primary_reason(old, rule) is not None,
            "secret_to": primary_reason(est, rule) is not None})
    table = pd.DataFrame(rows, columns=COLUMNS + CHANGE_COLUMNS)
    table = typed(table)
    return table.astype({"from_wave": "Int64", "value_from": "Float64", "value_to": "Float64",
                         "n_from": "Int64", "n_to": "Int64", "secret_from": "boolean",
                         "secret_to": "boolean"})


# --- transitions -----------------------------------------------------------------------

def place_states(responses: pd.DataFrame, wave: int) -> pd.DataFrame:
    """State of each responding place at one wave: ``place_id``, ``state``, ``cdi``.

    States (labels in ``vocab/indicators.yaml``): ``employeur``, ``benevole`` (no
    salaried staff, at least one volunteer), ``sans_personnel``, ``inconnu``.
    """
    frame = responses[(pd.to_numeric(responses["wave"]) == wave).to_numpy()].reset_index(drop=True)
    duplicated = frame["place_id"].duplicated()
    if duplicated.any():
        raise DataError(f"place {frame.loc[duplicated, 'place_id'].iloc[0]} answers twice",
                        wave=wave, column="place_id", rule="one_response_per_place")
    asked = asked_variables(frame, None)
    employer = employer_flag(frame, asked)
    volunteer_run = volunteer_run_flag(frame, asked)
    state = np.select([employer == 1, volunteer_run == 1, (employer == 0) & (volunteer_run == 0)],
                      ["employeur", "benevole", "sans_personnel"], default="inconnu")
    return pd.DataFrame({"place_id": frame["place_id"].astype("string"), "state": state,
                         "cdi": numeric(frame, "cdi")}, index=frame.index)


def transitions(responses: pd.DataFrame, from_wave: int, to_wave: int,
                territory=None) -> pd.DataFrame:
    """How places changed between two waves, as a tidy table of counts.

    Places are followed by ``place_id`` (a renamed place keeps its id). A place is in
    scope when its response of either wave lies in the territory.

    Returns
    -------
    Tidy table with :data:`~tlresearch.stats.indicator_catalogue.COLUMNS` and
    :data:`TRANSITION_COLUMNS`; ``value`` and ``n`` are both the number of places;
    ``wave`` is ``to_wave``. Rows:

    - ``transition_<from>_to_<to>``: every pair of states (``employeur``, ``benevole``,
      ``sans_personnel``, ``inconnu``, ``absent`` = no response that wave), zeros
      included; they partition the places in scope, so they add up to it.
      ``transition_benevole_to_employeur`` is "volunteer-run → employer",
      ``transition_employeur_to_benevole`` the way back.
    - summaries of those: ``linked_places`` (answered both waves),
      ``stopped_answering`` (answered ``from_wave`` only; closed or not answering,
      the survey cannot tell), ``new_respondents`` (answered ``to_wave`` only);
    - ``first_cdi``: linked places with no CDI at ``from_wave`` and at least one at
      ``to_wave``; ``lost_cdi`` the reverse (NA when a wave did not ask about CDI).
    """
    level, code, column = territory_column(territory)
    for table_wave in (from_wave, to_wave):
        if not (pd.to_numeric(responses["wave"]) == table_wave).any():
            raise UsageError(f"no responses for wave {table_wave}")
    scoped = responses[in_territory(responses, column, code).to_numpy()]
    first = place_states(responses, from_wave)
    second = place_states(responses, to_wave)
    keep = set(scoped["place_id"].astype("string"))
    first, second = first[first["place_id"].isin(keep)], second[second["place_id"].isin(keep)]
    both = first.merge(second, on="place_id", how="outer", suffixes=("_from", "_to"))
    both[["state_from", "state_to"]] = both[["state_from", "state_to"]].fillna("absent")
    labels = indicator_settings()["transition_states"]
    counts = both.groupby(["state_from", "state_to"]).size()
    rows = []

    def add(indicator, label, count, note, from_state=pd.NA, to_state=pd.NA):
        rows.append({"indicator": indicator, "label": label, "territory_level": level,
                     "territory": code, "wave": to_wave, "split": pd.NA, "split_value": pd.NA,
                     "value": count, "low": np.nan, "high": np.nan,
                     "n": count if not pd.isna(count) else 0, "unit": "lieux",
                     "note": note, "from_wave": from_wave, "from_state": from_state,
                     "to_state": to_state})

    scope_note = (f"{AMONG_RESPONDENTS} de {from_wave} ou de {to_wave}, lieux suivis par "
                  "leur identifiant même renommés")
    for a in labels:
        for b in labels:
            if a == b == "absent":
                continue
            add(f"transition_{a}_to_{b}", f"{labels[a]} ({from_wave}) → {labels[b]} ({to_wave})",
                int(counts.get((a, b), 0)), scope_note, a, b)
    linked = both[(both["state_from"] != "absent") & (both["state_to"] != "absent")]
    add("linked_places", f"Lieux répondant en {from_wave} et en {to_wave}", len(linked),
        scope_note)
    add("stopped_answering", f"Lieux répondant en {from_wave} mais plus en {to_wave}",
        int((both["state_to"] == "absent").sum()),
        scope_note + " ; fermeture ou non-réponse, l'enquête ne les distingue pas")
    add("new_respondents", f"Nouveaux répondants en {to_wave} (absents en {from_wave})",
        int((both["state_from"] == "absent").sum()), scope_note)
    answered = linked[linked["cdi_from"].notna() & linked["cdi_to"].notna()]
    waves = pd.to_numeric(responses["wave"])
    cdi_asked = "cdi" in responses and all(
        responses.loc[(waves == w).to_numpy(), "cdi"].notna().any() for w in (from_wave, to_wave))
    for indicator, label, mask in (
            ("first_cdi", f"Premier CDI : aucun CDI en {from_wave}, au moins un en {to_wave}",
             (answered["cdi_from"] == 0) & (answered["cdi_to"] >= 1)),
            ("lost_cdi", f"Plus de CDI : au moins un CDI en {from_wave}, aucun en {to_wave}",
             (answered["cdi_from"] >= 1) & (answered["cdi_to"] == 0))):
        if cdi_asked:
            add(indicator, label, int(mask.sum()),
                f"{AMONG_RESPONDENTS} des deux vagues ayant indiqué leurs CDI les deux années "
                f"({len(answered)} lieux)")
        else:
            add(indicator, label, pd.NA, f"{AMONG_RESPONDENTS} ; question des CDI non posée "
                                         "à l'une des deux vagues : non défini")
    table = typed(pd.DataFrame(rows, columns=COLUMNS + TRANSITION_COLUMNS))
    return table.astype({"from_wave": "Int64", "from_state": "string", "to_state": "string"})
