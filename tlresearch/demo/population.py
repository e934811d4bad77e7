"""The demo population: places that open, close and get renamed, and their true answers.

Everything here is pure and in memory: the same seed gives the same population. The
truth is what a respondent meant; :mod:`tlresearch.demo.mess` turns it into what was
typed, and :mod:`tlresearch.demo.layouts` into each survey tool's export. Tests and
later ingestion checks compare what the pipeline recovers with the frames of
:mod:`tlresearch.demo.truth`.

A place is *open* at wave ``w`` when ``opening_year <= w < closing_year`` (the closing
year is the first year it no longer runs; empty while it runs).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION
from tlresearch.demo import calibration as cal
from tlresearch.demo import names, staffing, steering, typology
from tlresearch.demo.constants import DEMO_SEED, DEMO_WAVES
from tlresearch.demo.geography import DENSITY_CLASSES, commune_pool
from tlresearch.demo.questionnaires import job_slot_count, offered_types
from tlresearch.stats.known_places import opening_period

ALL_TYPES = ["coworking", "fablab", "atelier_partage", "cafe_associatif",
             "mediation_numerique", "tiers_lieu_nourricier", "culturel", "autre"]
#: Waves whose export keeps only the day of the answer (the 2017 re-typed census).
DATE_ONLY_WAVES = frozenset({2017})
RENAME_RATE = 0.03
SIRET_SHARE = 0.70
CLOSURE_RATE = {"urban": 0.07, "periurban": 0.05, "rural": 0.025}
#: Older places are bigger (more often employers) and answer more often: by period of
#: opening (:func:`tlresearch.stats.known_places.opening_period`, known for every place
#: of the directory), an offset of the persistent size and a factor of the odds of
#: answering. Non-response then depends on something observable, which a weighting
#: calibrated on the period can correct, and the respondents' sums fall short.
SIZE_BY_PERIOD = {"avant_2013": 0.45, "2013_2017": 0.15, "2018_2021": -0.15, "depuis_2022": -0.35}
RESPONSE_BY_PERIOD = {"avant_2013": 2.0, "2013_2017": 1.4, "2018_2021": 1.0, "depuis_2022": 0.65}
STATUS_CODES = ["association", "sas", "sarl", "ei", "collectivite", "public_autre",
                "scic", "scop", "autre"]
STATUS_OLD = [.48, .10, .08, .05, .14, .03, .03, .01, .08]  # places opened by 2017
STATUS_NEW = [.80, .04, .03, .02, .05, .01, .03, .01, .01]  # the later, associative wave
ASSOC_LIKE = {"association", "scic", "scop"}
COUNT_VARS = ["staff_total", "cdi", "cdd", "other_contracts", "volunteers", "civic_service",
              "interns", "board_members", "users_count", "opening_year"]


@dataclass(frozen=True)
class Population:
    """Places and their true yearly answers.

    ``places``: one row per place ever open (the network's directory).
    ``responses``: one row per place x wave that responded, every variable, unmasked.
    ``jobs``: one row per job slot of a response.
    ``names``: the name and SIRET of each place at each wave it was open.
    ``truth``: one row per place x wave it was open, respondent or not, with the true
    staff counts (:func:`tlresearch.demo.truth.population_truth`).
    """

    seed: int
    scale: float
    waves: tuple[int, ...]
    places: pd.DataFrame
    names: pd.DataFrame
    responses: pd.DataFrame
    jobs: pd.DataFrame
    truth: pd.DataFrame | None = None

    def is_open(self, wave: int) -> np.ndarray:
        """Mask of the places open at a wave."""
        return open_mask(self.places, wave)


def open_mask(places: pd.DataFrame, wave: int) -> np.ndarray:
    """Places open at ``wave``: opened that year or before, not yet closed."""
    closing = places["closing_year"].astype("float64").fillna(np.inf).to_numpy()
    return (places["opening_year"].to_numpy() <= wave) & (closing > wave)


def density_shares(wave: int) -> list[float]:
    """Urban / periurban / rural shares of respondents, linear between 2017 and 2025."""
    (a, sa), (b, sb) = sorted(cal.DENSITY_SHARES.items())
    t = min(max((wave - a) / (b - a), 0.0), 1.0)
    return [x + t * (y - x) for x, y in zip(sa, sb)]


def luhn_complete(payload: str) -> str:
    """Append the digit that makes ``payload`` pass the Luhn check."""
    total = 0
    for k, ch in enumerate(reversed(payload + "0")):
        d = int(ch) * (2 if k % 2 else 1)
        total += d - 9 if d > 9 else d
    return payload + str((10 - total % 10) % 10)


def random_siret(rng: np.random.Generator) -> str:
    """A 14-digit SIRET whose SIREN and whole number both pass the Luhn check."""
    siren = luhn_complete("".join(str(d) for d in rng.integers(0, 10, 8)).replace("0", "1", 1))
    return luhn_complete(siren + "".join(str(d) for d in rng.integers(0, 10, 4)))


def _check_args(scale: float, waves) -> tuple[int, ...]:
    waves = tuple(sorted({int(w) for w in waves}))
    if not waves or any(w not in DEMO_WAVES for w in waves):
        raise UsageError(f"demo waves must be within {DEMO_WAVES[0]}-{DEMO_WAVES[-1]}")
    if not scale > 0:
        raise UsageError("scale must be positive")
    return waves


def generate_population(seed: int = DEMO_SEED, scale: float = 1.0,
                        waves=DEMO_WAVES, national: bool = False) -> Population:
    """Draw the places of the demo survey and their true answers, wave by wave.

    Parameters
    ----------
    seed
        Seed of every random draw (NumPy and Faker): same seed, same population.
    scale
        Multiplies the number of places and respondents. Above 1 the communes are
        drawn from all of France (a benchmark, not a picture of the region).
    waves
        Survey years, within 2017-2025.
    national
        Draw every region's published share of the places, overseas included (see
        :mod:`tlresearch.demo.national`; ``scale`` is then the national one).

    Examples
    --------
    >>> pop = generate_population(scale=1.0)
    >>> int((pop.responses["wave"] == 2019).sum())
    206
    """
    waves = _check_args(scale, waves)
    rng = np.random.default_rng([seed, 1])
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    pool = (commune_pool(None, national=True) if national
            else commune_pool(DEFAULT_REGION if scale <= 1 else None))
    life = _lifecycle(rng, waves, scale)
    regional = not national and scale <= 1
    if regional:  # the published counts by département hold for the region only
        life["departement_code"] = steering.departements(rng, life, pool, waves, scale)
    taken_names: set = set()  # (name, commune) pairs in use: no two places share one
    places = _place_attributes(rng, pool, life, taken_names)
    resp = _respondents(rng, places, waves, scale)
    steering.nourriciers(rng, places, resp, scale)
    _plant_place_payloads(places, resp, pool)
    history = _names(rng, places, waves, taken_names)
    status = steering.status(rng, places, resp, scale)
    frames, job_rows, contacts = [], [], {}
    for wave in waves:
        frame, jobs = _wave_values(rng, fake, places, history, status, resp[wave], wave,
                                   scale, contacts)
        frames.append(frame)
        job_rows.append(jobs)
    responses = pd.concat(frames, ignore_index=True)
    jobs = pd.concat(job_rows, ignore_index=True)
    _plant_job_payload(rng, jobs)
    from tlresearch.demo.truth import population_truth

    truth = population_truth(seed, places, responses, waves)
    directory = places.drop(columns=["size", "propensity", "profile", "status_base"])
    directory["place_name"] = (history.sort_values("wave").groupby("place_id", sort=False)
                               ["place_name"].last().reindex(directory["place_id"]).to_numpy())
    return Population(seed=seed, scale=scale, waves=waves, places=directory,
                      names=history, responses=responses, jobs=jobs, truth=truth)


def _lifecycle(rng, waves, scale) -> pd.DataFrame:
    """Opening and closing years and density class: open counts hit the targets."""
    target = {w: max(1, round(cal.OPEN_PLACES[w] * scale)) for w in waves}
    first = waves[0]
    opening, closing, density = [], [], []
    counts = typology.split_counts(target[first], density_shares(first))
    for cls, k in zip(DENSITY_CLASSES, counts):
        years = np.arange(2006, first + 1)
        weights = 1.25 ** (years - 2006)
        opening += list(rng.choice(years, size=k, p=weights / weights.sum()))
        closing += [None] * k
        density += [cls] * k
    for prev, wave in zip(waves, waves[1:]):
        alive = [i for i in range(len(opening)) if closing[i] is None]
        for i in alive:
            if rng.random() < CLOSURE_RATE[density[i]] * (wave - prev):
                closing[i] = wave
        alive = [i for i in alive if closing[i] is None]
        surplus = len(alive) - target[wave]
        if surplus > 0:
            for i in rng.choice(alive, size=surplus, replace=False):
                closing[int(i)] = wave
        rural = min(0.55 + 0.05 * (wave - 2018), 0.9)
        new = typology.split_counts(max(-surplus, 0), [(1 - rural) * .65, (1 - rural) * .35, rural])
        for cls, k in zip(DENSITY_CLASSES, new):
            opening += [wave] * k
            closing += [None] * k
            density += [cls] * k
    return pd.DataFrame({"opening_year": np.array(opening, dtype=np.int64),
                         "closing_year": pd.array(closing, dtype="Int64"),
                         "density": density})


def _place_attributes(rng, pool, life: pd.DataFrame, taken: set) -> pd.DataFrame:
    n = len(life)
    places = life.copy()
    places.insert(0, "place_id", [f"TL{i + 1:05d}" for i in range(n)])
    pos = np.zeros(n, dtype=np.int64)
    steered = places["departement_code"].to_numpy() if "departement_code" in places else None
    groups = ([(cls, None) for cls in DENSITY_CLASSES] if steered is None else
              sorted({(c, d) for c, d in zip(places["density"], steered)}))
    for cls, dep in groups:
        mask = places["density"].to_numpy() == cls
        if dep is not None:
            mask &= steered == dep
        rows = np.flatnonzero(mask)
        if rows.size:
            pos[rows] = pool.draw(rng, cls, rows.size, departement=dep)
    table = pool.table.iloc[pos].reset_index(drop=True)
    places["commune_code"] = table["code"].to_numpy()
    places["commune_name"] = table["name"].to_numpy()
    places["departement_code"] = table["departement_code"].to_numpy()
    places["postcode"] = [pool.postcodes.get(c) for c in places["commune_code"]]
    places["profile"] = typology.draw_profiles(rng, n)
    places["main_type"] = [p[0] for p in places["profile"]]
    places["first_name"] = [names.unique_name(names.place_name(rng, t, c), code, taken)
                            for t, c, code in zip(places["main_type"], places["commune_name"],
                                                  places["commune_code"])]
    places["address"] = [names.street_address(rng) for _ in range(n)]
    places["siret"] = [random_siret(rng) if rng.random() < SIRET_SHARE else None
                       for _ in range(n)]
    old = (places["opening_year"] <= 2017).to_numpy()
    draw_old = rng.choice(STATUS_CODES, size=n, p=STATUS_OLD)
    draw_new = rng.choice(STATUS_CODES, size=n, p=STATUS_NEW)
    places["status_base"] = np.where(old, draw_old, draw_new)
    places["size"] = rng.normal(0.0, 0.7, n) + places["opening_year"].map(
        lambda y: SIZE_BY_PERIOD[opening_period(y)]).to_numpy()
    places["propensity"] = rng.beta(3.0, 1.2, n)
    places["former_code"] = None
    places["former_name"] = None
    return places


def _respondents(rng, places, waves, scale) -> dict[int, np.ndarray]:
    """Which open places answer each wave: exact count, density shares as published."""
    out: dict[int, np.ndarray] = {}
    last = np.zeros(len(places), dtype=bool)
    density = places["density"].to_numpy()
    for wave in waves:
        open_ = open_mask(places, wave)
        n = min(round(cal.RESPONDENTS[wave] * scale), int(open_.sum()))
        weight = (places["propensity"].to_numpy() * np.where(last, 2.0, 1.0)
                  * places["opening_year"].map(
                      lambda y: RESPONSE_BY_PERIOD[opening_period(y)]).to_numpy())
        chosen = np.zeros(len(places), dtype=bool)
        for cls, k in zip(DENSITY_CLASSES, typology.split_counts(n, density_shares(wave))):
            cands = np.flatnonzero(open_ & (density == cls))
            k = min(k, cands.size)
            if k:
                p = weight[cands] / weight[cands].sum()
                chosen[rng.choice(cands, size=k, replace=False, p=p)] = True
        missing = n - int(chosen.sum())
        if missing:  # a class ran short: fill from the other open places
            cands = np.flatnonzero(open_ & ~chosen)
            p = weight[cands] / weight[cands].sum()
            chosen[rng.choice(cands, size=missing, replace=False, p=p)] = True
        out[wave] = np.flatnonzero(chosen)
        last = chosen
    return out


def _plant_place_payloads(places, resp, pool) -> None:
    """Two names and one address carry injection payloads; one place types an old code."""
    answered = np.zeros(len(places), dtype=np.int64)
    for idx in resp.values():
        answered[idx] += 1
    regular = [int(i) for i in np.argsort(-answered, kind="stable")[:6]]
    places.loc[regular[0], "first_name"] = f"La Fabrique {names.PAYLOAD_IMG}"
    places.loc[regular[1], "first_name"] = f"Le Hangar {names.PAYLOAD_TEMPLATE}"
    places.loc[regular[2], "address"] = f"3 rue du Port {names.PAYLOAD_SCRIPT}"
    # A commune nouvelle: its respondents sometimes type a former commune's code/name.
    if "16393" in pool.former and "16393" in set(pool.table["code"]):
        row = pool.table[pool.table["code"] == "16393"].iloc[0]
        alike = [int(i) for i in np.argsort(-answered, kind="stable")
                 if int(i) not in regular[:3]
                 and places.at[int(i), "departement_code"] == row["departement_code"]
                 and places.at[int(i), "density"] == row["density"]]
        i = alike[0] if alike else regular[3]  # moving it keeps the counts by département
        places.loc[i, ["commune_code", "commune_name", "departement_code", "density"]] = [
            "16393", row["name"], row["departement_code"], row["density"]]
        places.loc[i, "postcode"] = pool.postcodes.get("16393")
        places.loc[i, ["former_code", "former_name"]] = ["16226", "Montignac-Charente"]
    for i in np.flatnonzero(places["former_code"].isna().to_numpy()):
        former = pool.former.get(places.at[i, "commune_code"])
        if former:
            places.loc[i, ["former_code", "former_name"]] = list(former[0])


def _names(rng, places, waves, taken: set) -> pd.DataFrame:
    """Name and SIRET at every open wave: ~3 % renamed a year, most keep their SIRET."""
    rows = []
    for pl in places.itertuples(index=False):
        name, siret = pl.first_name, pl.siret
        for wave in waves:
            if not (pl.opening_year <= wave and (pd.isna(pl.closing_year) or pl.closing_year > wave)):
                continue
            planted = "<" in name or "${" in name  # keep the payloads on show
            if rows and rows[-1][0] == pl.place_id and rng.random() < RENAME_RATE and not planted:
                name = names.unique_name(names.place_name(rng, pl.main_type, pl.commune_name),
                                         pl.commune_code, taken)
                if siret is not None and rng.random() < 0.15:
                    siret = random_siret(rng)
            rows.append((pl.place_id, wave, name, siret))
    return pd.DataFrame(rows, columns=["place_id", "wave", "place_name", "siret"])


def _wave_values(rng, fake, places, history, status, idx, wave, scale, contacts):
    """True answers of the respondents of one wave, and their job slots."""
    n = idx.size
    sums = ({k: round(v * scale) for k, v in cal.STAFF_SUMS_2019.items()}
            if wave == 2019 else {"staff_total": round(cal.STAFF_TOTAL_2017 * scale)}
            if wave == 2017 else {})
    size = places["size"].to_numpy()[idx] + rng.normal(0.0, 0.25, n)
    n_emp = staffing.quota(n, cal.EMPLOYER_PATH[wave])
    counts = staffing.staff(rng, size, n_emp, staffing.quota(n, cal.CDI_PATH[wave]),
                            staffing.quota(n, cal.CDD_PATH[wave]),
                            cal.MEAN_ETP_PATH[wave], sums)
    legal = np.array([steering.status_at(status, int(i), wave) for i in idx], dtype=object)
    assoc_like = np.isin(legal, list(ASSOC_LIKE))
    employer = counts["staff_total"] > 0
    crowd = staffing.people(rng, size, assoc_like, sums, employer)
    fac = staffing.top_k(rng, np.zeros(n), staffing.quota(int(employer.sum()),
                         cal.FACILITATOR_PATH[wave]), employer)
    slots = staffing.jobs(rng, counts, fac, job_slot_count(wave) or 4)
    offered = offered_types(wave)
    natural = [typology.ticked(places.at[int(i), "profile"], offered) for i in idx]
    steer = typology.STEERED.get(wave)
    types = typology.assign(rng, natural, steer(n)) if steer else natural
    hist = history[history["wave"] == wave].set_index("place_id")
    pl = places.iloc[idx].reset_index(drop=True)
    start = pd.Timestamp(f"{wave}-03-01")
    offsets = np.sort(rng.integers(0, 92 * 86400, n))
    when = start + pd.to_timedelta(offsets, unit="s") + pd.Timedelta(hours=8)
    if wave in DATE_ONLY_WAVES:
        when = when.normalize()
    when = pd.Series(when).iloc[rng.permutation(n)].to_numpy()
    growth = 1.0 + 0.04 * (wave - 2017)
    frame = pd.DataFrame({
        "place_id": pl["place_id"], "wave": wave,
        "place_name": hist.loc[pl["place_id"], "place_name"].to_numpy(),
        "address": pl["address"], "commune_name": pl["commune_name"],
        "commune_code": pl["commune_code"], "postcode": pl["postcode"],
        "siret": hist.loc[pl["place_id"], "siret"].to_numpy(),
        "density": pl["density"], "departement_code": pl["departement_code"],
        "types": types, "legal_status": legal, "opening_year": pl["opening_year"],
        "surface_m2": _maybe(rng, np.round(np.exp(5.5 + pl["size"] * 0.8) / 5) * 5, 0.08),
        "users_count": _maybe(rng, np.round(np.exp(3.5 + pl["size"] + rng.normal(0, .2, n))), 0.10),
        **counts, **crowd,
        "revenue_eur": _maybe(rng, np.round(np.exp(11 + pl["size"] * 1.2) * growth / 100) * 100, 0.15),
        "public_funding_eur": _maybe(rng, np.where(pl["propensity"] < 0.35, 0.0, np.round(
            np.exp(10 + pl["size"]) * growth / 100) * 100), 0.12),
        "submitted_at": when,
    })
    frame[["contact_name", "contact_email", "contact_phone", "comments"]] = _contacts(
        rng, fake, frame, contacts)
    jobs = [(pid, wave, k + 1, title, contract, names.TITLES[title])
            for pid, job in zip(frame["place_id"], slots) for k, (title, contract) in enumerate(job)]
    return frame, pd.DataFrame(jobs, columns=["place_id", "wave", "slot", "title", "contract", "role"])


def _maybe(rng, values, missing: float) -> np.ndarray:
    """Values with a share left unanswered (NaN): the respondent did not know."""
    values = np.asarray(values, dtype="float64").copy()
    values[rng.random(values.size) < missing] = np.nan
    return values


def _contacts(rng, fake, frame, memory: dict) -> list[tuple[str, str, str, str]]:
    """Contact person (the same as last time for ~65 % of places) and a comment."""
    out = []
    for pid, place, dep in zip(frame["place_id"], frame["place_name"], frame["departement_code"]):
        prev = memory.get(pid)
        if prev is None or rng.random() > 0.65:
            first, last = fake.first_name(), fake.last_name()
            prev = (f"{first} {last}", names.email(rng, first, last, place),
                    names.phone(rng, str(dep)))
            memory[pid] = prev
        roll = rng.random()
        if roll < 0.45:
            comment = ""
        elif roll < 0.85:
            comment = str(rng.choice(names.COMMENTS))
        else:
            comment = str(rng.choice(names.COMMENTS_WITH_NAME)).format(n=fake.name())
        out.append((*prev, comment))
    return out


def _plant_job_payload(rng, jobs: pd.DataFrame) -> None:
    """One or two job titles carry a template-injection payload."""
    cands = np.flatnonzero((jobs["role"] != "facilitateur").to_numpy())
    for k in rng.choice(cands, size=min(2, cands.size), replace=False):
        jobs.loc[int(k), ["title", "role"]] = [names.PAYLOAD_TEMPLATE, "autre"]
