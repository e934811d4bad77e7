"""The truth the ingestion should recover from the demo's raw files.

Tests compare the pipeline's output with these frames: one row per kept response
with canonical columns, and the job slots. A variable a wave did not ask is missing
here too, because no ingestion can recover it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.demo.population import ALL_TYPES, COUNT_VARS, Population
from tlresearch.demo.questionnaires import asked, job_slot_count, offered_types


def true_responses(population: Population) -> pd.DataFrame:
    """True values of every kept response, as the ingestion should recover them.

    One row per place x wave that responded; columns named as in ``variables.yaml``;
    ``place_types`` as one nullable boolean column per option (``type_<code>``, missing
    where the wave did not offer the option); a variable the wave did not ask is
    missing. ``place_id``, ``density`` and ``departement_code`` are the keys and
    classes the generator used. Jobs are in :func:`true_jobs`.
    """
    out = population.responses.copy()
    for code in ALL_TYPES:
        ticked = out["types"].map(lambda s, c=code: c in s)
        offered = out["wave"].map(lambda w, c=code: c in offered_types(w))
        out[f"type_{code}"] = pd.array(ticked.where(offered, None), dtype="boolean")
    out = out.drop(columns=["types"])
    for col in COUNT_VARS:
        out[col] = out[col].astype("float64")
    for wave in population.waves:
        unasked = [c for c in out.columns if c in _maskable() and c not in asked(wave)]
        out.loc[out["wave"] == wave, unasked] = np.nan
    for col in COUNT_VARS:
        out[col] = pd.array(out[col].astype("float64").round(), dtype="Int64")
    for col in ["surface_m2", "etp", "revenue_eur", "public_funding_eur"]:
        out[col] = out[col].astype("float64")
    return out.sort_values(["wave", "place_id"], kind="stable").reset_index(drop=True)


def _maskable() -> set[str]:
    from tlresearch.spec.variables import catalogue

    return {name for name in catalogue() if name not in {"place_types", "jobs"}}


def true_jobs(population: Population) -> pd.DataFrame:
    """True job slots (``place_id``, ``wave``, ``slot``, ``title``, ``contract``, ``role``).

    ``role`` is the role a careful human coder gives the title (see ``names.TITLES``).
    Waves whose questionnaire had no job slots are left out.
    """
    jobs = population.jobs
    keep = jobs["wave"].map(lambda w: job_slot_count(w) > 0)
    return jobs[keep].sort_values(["wave", "place_id", "slot"], kind="stable").reset_index(drop=True)


#: Staff counts the population truth carries for every open place.
TRUTH_COUNTS = ["staff_total", "cdi", "cdd", "other_contracts", "etp", "volunteers"]
#: Columns of :func:`population_truth` (and of the demo's truth file).
TRUTH_COLUMNS = ["wave", "place_id", "responded", "departement_code", "density", "main_type",
                 *TRUTH_COUNTS, "employer"]
#: Nearest respondents in size among which a non-respondent's donor is drawn.
DONORS = 3


def population_truth(seed: int, places: pd.DataFrame, responses: pd.DataFrame,
                     waves) -> pd.DataFrame:
    """True staff of every open place at every wave, whether it answered or not.

    The survey only asks the respondents; the truth of the others is what the same
    generator would have given them. Staff grows with a place's persistent size, and
    a place's answers depend on nothing else, so a non-respondent takes the answers of
    one of the :data:`DONORS` respondents of that wave closest to it in size (its own
    random stream: the respondents' draws are untouched). Bigger places answer more
    often (:data:`~tlresearch.demo.population.RESPONSE_SIZE_EFFECT`), so the
    non-respondents employ fewer people than the respondents: the respondents' sum is
    short of the truth, and by more than their number alone says.

    Parameters
    ----------
    places
        The generator's places, with their latent ``size``.
    responses
        The true answers of the respondents.
    """
    from tlresearch.demo.population import open_mask

    frames = []
    size = places["size"].to_numpy()
    for wave in waves:
        rng = np.random.default_rng([seed, 3, wave])
        open_rows = np.flatnonzero(open_mask(places, wave))
        answered = responses[responses["wave"] == wave].set_index("place_id")
        ids = places["place_id"].to_numpy()[open_rows]
        responded = np.isin(ids, answered.index.to_numpy())
        values = pd.DataFrame(index=range(open_rows.size), columns=TRUTH_COUNTS, dtype="float64")
        values.loc[responded, TRUTH_COUNTS] = (
            answered.loc[ids[responded], TRUTH_COUNTS].to_numpy(dtype="float64"))
        donor_rows = open_rows[responded]
        donor_ids = ids[responded]
        for k in np.flatnonzero(~responded):
            distance = np.abs(size[donor_rows] - size[open_rows[k]])
            nearest = np.argsort(distance, kind="stable")[:DONORS]
            donor = donor_ids[rng.choice(nearest)]
            values.loc[k, TRUTH_COUNTS] = answered.loc[donor, TRUTH_COUNTS].to_numpy(dtype="float64")
        frame = places.iloc[open_rows][["place_id", "departement_code", "density", "main_type"]]
        frame = frame.reset_index(drop=True)
        frame.insert(0, "wave", wave)
        frame.insert(2, "responded", responded)
        frame = pd.concat([frame, values], axis=1)
        frame["employer"] = frame["staff_total"] > 0
        frames.append(frame)
    truth = pd.concat(frames, ignore_index=True)[TRUTH_COLUMNS]
    return truth.sort_values(["wave", "place_id"], kind="stable").reset_index(drop=True)
