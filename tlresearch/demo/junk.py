"""The records of one wave's export: the true responses plus the rows to quarantine.

Junk comes on top of the kept responses, so that once the ingestion sets it aside
the kept rows equal the published respondent counts:

* duplicates: an earlier submission by a place that answered again later with
  slightly different values (the later one carries the truth: keep the latest);
* incomplete responses: started, abandoned (only where the tool keeps them);
* impossible values: a negative count, CDI above the staff, an opening year in the
  future, ETP above 1.5 x staff, sent by an open place that is otherwise counted
  as a non-respondent;
* a "Total" row at the bottom of a spreadsheet re-typed by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tlresearch.demo.population import Population
from tlresearch.spec.codebook import Codebook

JUNK_COUNTS = {"duplicate": (2, 4), "incomplete": (1, 3), "impossible": (1, 2)}
TOTAL_VARIABLES = ["staff_total", "cdi", "cdd", "etp", "volunteers", "interns", "users_count"]


def _count(rng, kind: str, scale: float) -> int:
    low, high = JUNK_COUNTS[kind]
    return max(1, int(round(int(rng.integers(low, high + 1)) * scale)))


def wave_records(rng: np.random.Generator, pop: Population, wave: int, cb: Codebook,
                 keeps_incomplete: bool, total_row: bool) -> list[dict]:
    """Every row of the wave's export as a dict of canonical values plus ``kind``."""
    rows = pop.responses[pop.responses["wave"] == wave]
    jobs = pop.jobs[pop.jobs["wave"] == wave]
    job_map = {pid: list(zip(g["title"], g["contract"]))
               for pid, g in jobs.groupby("place_id", sort=False)}
    places = pop.places.set_index("place_id")
    records = []
    for rec in rows.to_dict("records"):
        rec["jobs"] = job_map.get(rec["place_id"], [])
        rec["kind"] = "response"
        rec["former"] = _former(rng, places.loc[rec["place_id"]])
        records.append(rec)
    truth = list(records)
    n_dup = min(_count(rng, "duplicate", pop.scale), len(truth))
    for k in rng.choice(len(truth), size=n_dup, replace=False):
        records.append(_duplicate(rng, truth[int(k)]))
    idle = _idle_places(rng, pop, wave)
    if keeps_incomplete:
        for _ in range(_count(rng, "incomplete", pop.scale)):
            records.append(_incomplete(rng, _stranger(rng, truth, idle, pop, wave), cb))
    for _ in range(_count(rng, "impossible", pop.scale)):
        records.append(_impossible(rng, _stranger(rng, truth, idle, pop, wave), cb, wave))
    if total_row:
        records.append(_total(truth))
    return records


def _former(rng, place) -> tuple[str, str] | None:
    from tlresearch.demo.mess import RATES

    if isinstance(place["former_code"], str) and rng.random() < RATES["former_commune"]:
        return place["former_code"], place["former_name"]
    return None


def _duplicate(rng, rec: dict) -> dict:
    """An earlier submission of the same place, with a few values different."""
    dup = dict(rec, kind="duplicate")
    dup["submitted_at"] = rec["submitted_at"] - pd.Timedelta(
        days=int(rng.integers(1, 8)), seconds=int(rng.integers(0, 86400)))
    if rec["submitted_at"].normalize() == rec["submitted_at"]:
        dup["submitted_at"] = dup["submitted_at"].normalize()
    dup["volunteers"] = max(0, int(rec["volunteers"]) + int(rng.integers(-3, 4)))
    if not pd.isna(rec["users_count"]):
        dup["users_count"] = int(rec["users_count"]) + int(rng.integers(1, 20))
    dup["comments"] = ""
    return dup


def _idle_places(rng, pop: Population, wave: int) -> list[str]:
    """Open places that did not respond this wave, in random order."""
    answered = set(pop.responses.loc[pop.responses["wave"] == wave, "place_id"])
    open_ids = pop.places.loc[pop.is_open(wave), "place_id"]
    idle = [p for p in open_ids if p not in answered]
    return [idle[i] for i in rng.permutation(len(idle))]


def _stranger(rng, truth: list[dict], idle: list[str], pop: Population, wave: int) -> dict:
    """A plausible answer (another respondent's values) under an idle place's identity."""
    rec = dict(truth[int(rng.integers(0, len(truth)))])
    rec["former"] = None
    if not idle:  # every open place answered: a fictitious one
        rec["place_name"] = f"Tiers-lieu test {int(rng.integers(1, 99))}"
        return rec
    pid = idle.pop()
    place = pop.places.set_index("place_id").loc[pid]
    names = pop.names[(pop.names["place_id"] == pid) & (pop.names["wave"] == wave)]
    rec.update(place_id=pid, place_name=names["place_name"].iloc[0],
               siret=names["siret"].iloc[0], address=place["address"],
               commune_name=place["commune_name"], commune_code=place["commune_code"],
               postcode=place["postcode"])
    rec["submitted_at"] = rec["submitted_at"] + pd.Timedelta(minutes=int(rng.integers(1, 600)))
    return rec


def _incomplete(rng, rec: dict, cb: Codebook) -> dict:
    """Abandoned after a few pages: only the first questions answered."""
    order = [v for v in cb.variables if v != "submitted_at"]
    keep = max(3, int(len(order) * rng.uniform(0.1, 0.6)))
    rec = dict(rec, kind="incomplete", answered=set(order[:keep]) | {"submitted_at"})
    rec["page_share"] = keep / len(order)
    return rec


def _impossible(rng, rec: dict, cb: Codebook, wave: int) -> dict:
    """A complete answer with one value the validation must reject."""
    asked = set(cb.variables)
    staff = int(rec["staff_total"])
    options = []
    if "cdi" in asked:
        options += [("cdi", "-2"), ("cdi", str(staff + 2))]
    options += [("staff_total", "-1"), ("opening_year", str(wave + 3)),
                ("etp", str(int(staff * 1.5) + 3))]
    var, text = options[int(rng.integers(0, len(options)))]
    return dict(rec, kind="impossible", override={var: text})


def _total(truth: list[dict]) -> dict:
    """The "Total" line a spreadsheet user adds at the bottom."""
    frame = pd.DataFrame(truth)
    rec = {"kind": "total", "place_name": "Total", "types": frozenset(), "jobs": [],
           "former": None}
    for var in TOTAL_VARIABLES:
        total = frame[var].sum(min_count=1)
        rec[var] = None if pd.isna(total) else round(float(total), 1)
    return rec
