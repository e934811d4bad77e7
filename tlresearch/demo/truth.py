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
