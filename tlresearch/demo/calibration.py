"""Published figures the demo survey reproduces, and how to measure them on its truth.

The targets come from ``shared/reference/published_figures.yaml`` (the Coopérative
Tiers-Lieux's panoramas and the Région's press releases). Where the publication leaves
the base ambiguous (share of places or of staff, employers or all respondents) the demo
takes respondents as the base, the simplest reading. Figures between two published
waves follow a smooth path (``*_PATH``) so the panel has no artificial jumps beyond
the ones the publications themselves show (mean ETP 1.2 in 2019, 2.9 in 2021).

Targets are for ``scale=1``; with another scale, counts and sums are multiplied and
shares kept.
"""
from __future__ import annotations

import pandas as pd

SRC_2017 = "Région Nouvelle-Aquitaine / La Tribune, avril 2017"
SRC_JOBS_2017 = "Coopérative Tiers-Lieux, « Pourquoi la certification » (« une cinquantaine d'emplois »)"
SRC_2018 = "Coopérative Tiers-Lieux, « Les tiers-lieux de Nouvelle-Aquitaine à la loupe » (2018)"
SRC_2019 = "Panorama 2019 des tiers-lieux en Nouvelle-Aquitaine (WorkingShare)"
SRC_2021 = "Coopérative Tiers-Lieux, panorama 2021"
SRC_2022 = "Panorama 2022 des tiers-lieux en Nouvelle-Aquitaine"
SRC_2023 = "Région Nouvelle-Aquitaine, carte des tiers-lieux (nov. 2023)"
SRC_2024 = "Coopérative Tiers-Lieux, panorama 2024"
SRC_2025 = "Région Nouvelle-Aquitaine, stratégie tiers-lieux (mars 2025)"
SRC_PATH = "demo: smooth path between published waves"

#: Places open at the time of each wave (2018, 2020, 2021, 2024, 2025 interpolated).
OPEN_PLACES = {2017: 186, 2018: 212, 2019: 231, 2020: 250, 2021: 302, 2022: 311,
               2023: 315, 2024: 322, 2025: 330}
#: Kept respondents per wave (published for every wave).
RESPONDENTS = {2017: 150, 2018: 192, 2019: 206, 2020: 210, 2021: 220, 2022: 226,
               2023: 232, 2024: 222, 2025: 235}
#: Shares of respondents (urban, periurban, rural); 2017 and 2025 published.
DENSITY_SHARES = {2017: (45.5, 18.2, 36.4), 2025: (16.0, 8.0, 76.0)}
#: Places open by département (« lieux connus »): 2017 and 2018 partly, 2019 all of them
#: (Deux-Sèvres, left out of the published list, takes the remaining 231 − 220 = 11).
OPEN_BY_DEPARTEMENT = {
    2017: {"33": 65, "86": 18},
    2018: {"17": 14, "40": 10, "64": 20},
    2019: {"33": 85, "64": 24, "86": 21, "17": 18, "40": 15, "87": 14, "23": 11, "24": 11,
           "16": 10, "47": 8, "19": 3, "79": 11},
}
#: Employing respondents: 44 % in 2019 (the panorama's « salariés », beside 54 % run by
#: volunteers only), 73 % in 2024; 2017 has « une cinquantaine d'emplois » in all.
EMPLOYER_PATH = {2017: .25, 2018: .35, 2019: .44, 2020: .53, 2021: .62, 2022: .68,
                 2023: .71, 2024: .73, 2025: .74}
CDI_PATH = {2017: .15, 2018: .25, 2019: .36, 2020: .44, 2021: .50, 2022: .54,
            2023: .56, 2024: .58, 2025: .59}
CDD_PATH = {2017: .07, 2018: .12, 2019: .18, 2020: .21, 2021: .25, 2022: .27,
            2023: .28, 2024: .28, 2025: .28}
MEAN_ETP_PATH = {2017: 0.25, 2018: 0.7, 2019: 1.2, 2020: 2.0, 2021: 2.9, 2022: 2.7,
                 2023: 2.45, 2024: 2.2, 2025: 2.2}
#: Salaried staff of the 2017 respondents (« une cinquantaine d'emplois »).
STAFF_TOTAL_2017 = 50
#: Share of the respondents employing nobody that still count at least one volunteer
#: (2019: 54 % volunteers only + 44 % employers = 98 %; 2024: 27 % + 73 %). A little
#: lower than published, so that places with neither are not so few that the pairs of
#: states between two waves could never be protected (:mod:`tlresearch.stats.transition_secrecy`).
VOLUNTEERS_AMONG_NON_EMPLOYERS = .92
#: Respondents ticking « tiers-lieu nourricier » (2022: 39; 2024: 60).
NOURRICIERS = {2022: 39, 2024: 60}
#: Share of employing respondents with a facilitator / coordinator job slot.
FACILITATOR_PATH = {2017: .52, 2018: .54, 2019: .56, 2020: .57, 2021: .58, 2022: .59,
                    2023: .60, 2024: .61, 2025: .62}
#: 2019 sums over respondents (panorama 2019), exact in the true values.
STAFF_SUMS_2019 = {"cdi": 195, "cdd": 74, "interns": 94, "civic_service": 51,
                   "volunteers": 2415, "board_members": 869}
#: 2017: share of respondents that are coworking spaces only (Région / La Tribune).
COWORKING_ONLY_2017 = .71
#: 2018 exclusive typology of the 192 respondents.
TYPOLOGY_2018 = {"coworking_only": 118, "atelier_only": 15, "fablab_only": 14, "hybrid": 45}
#: 2017 legal status of respondents: association 52, private 20, public only 12 (the rest
#: mixed or other, not published).
STATUS_2017 = {"association": .52, "sas": .09, "sarl": .07, "ei": .04, "collectivite": .10,
               "public_autre": .02, "scic": .02, "scop": .01}
#: 2019 legal status of respondents, by canonical code (université counted in public_autre).
STATUS_2019 = {"association": .52, "sas": .10, "sarl": .08, "ei": .04, "collectivite": .14,
               "public_autre": .02, "scic": .02, "scop": .01}
ASSOCIATION_2024 = .74


def _row(wave, indicator, target, tolerance, source):
    return {"wave": wave, "indicator": indicator, "target": target,
            "tolerance": tolerance, "source": source}


#: What the tests check on :func:`~tlresearch.demo.true_responses` (scale 1).
#: ``tolerance`` is absolute: 0 for exact counts, percentage points for shares.
CALIBRATION: list[dict] = (
    [_row(w, "respondents", n, 0, f"Coopérative Tiers-Lieux, respondents of the {w} survey")
     for w, n in RESPONDENTS.items()]
    + [_row(2017, "open_places", 186, 0, SRC_2017), _row(2019, "open_places", 231, 0, SRC_2019),
       _row(2022, "open_places", 311, 0, SRC_2022), _row(2023, "open_places", 315, 0, SRC_2023)]
    + [_row(2017, "share_urban", 45.5, 3, SRC_2017), _row(2017, "share_periurban", 18.2, 3, SRC_2017),
       _row(2017, "share_rural", 36.4, 3, SRC_2017), _row(2025, "share_rural", 76.0, 3, SRC_2025)]
    + [_row(2018, f"typology_{k}", v, 0, SRC_2018) for k, v in TYPOLOGY_2018.items()]
    + [_row(2019, "types_coworking", 172, 0, SRC_2019), _row(2019, "types_fablab", 27, 0, SRC_2019),
       _row(2019, "types_atelier_partage", 25, 0, SRC_2019),
       _row(2019, "share_hybrid", 11.0, 3, SRC_2019)]
    + [_row(2019, f"sum_{k}", v, 0, SRC_2019) for k, v in STAFF_SUMS_2019.items()]
    + [_row(2017, "sum_staff_total", STAFF_TOTAL_2017, 0, SRC_JOBS_2017),
       _row(2019, "share_employers", 44.0, 3, SRC_2019 + " (« salariés » read as employing places)"),
       _row(2017, "share_status_association", 52.0, 3, SRC_2017),
       _row(2017, "share_status_private", 20.0, 3, SRC_2017),
       _row(2017, "share_status_public", 12.0, 3, SRC_2017)]
    + [_row(2019, "share_status_association", 52.0, 3, SRC_2019),
       _row(2019, "share_status_private", 22.0, 3, SRC_2019),
       _row(2019, "share_status_public", 16.0, 3, SRC_2019 + " (public 14 % + université 2 %)"),
       _row(2019, "share_status_cooperative", 3.0, 3, SRC_2019),
       _row(2024, "share_status_association", 74.0, 3, SRC_2024)]
    + [_row(2024, "share_employers", 73.0, 3, SRC_2024), _row(2024, "share_with_cdi", 58.0, 3, SRC_2024),
       _row(2024, "share_with_cdd", 28.0, 3, SRC_2024), _row(2024, "mean_etp", 2.2, 0.15, SRC_2024),
       _row(2021, "mean_etp", 2.9, 0.15, SRC_2021),
       _row(2019, "share_employers_with_facilitator", 56.0, 3,
            SRC_2019 + " (read as a share of employing places)")]
)

_PRIVATE = {"sas", "sarl", "ei"}
_PUBLIC = {"collectivite", "public_autre"}
_COOP = {"scic", "scop"}


def measure(indicator: str, wave: int, truth: pd.DataFrame, jobs: pd.DataFrame,
            places: pd.DataFrame) -> float:
    """Value of one calibration indicator on the demo's true values.

    Parameters
    ----------
    truth
        :func:`~tlresearch.demo.true_responses`.
    jobs
        :func:`~tlresearch.demo.true_jobs`.
    places
        ``Population.places`` (for the number of places open).
    """
    if indicator == "open_places":
        open_ = (places["opening_year"] <= wave) & (
            places["closing_year"].isna() | (places["closing_year"] > wave))
        return float(open_.sum())
    rows = truth[truth["wave"] == wave]
    n = len(rows)
    pct = 100.0 / n if n else float("nan")
    type_cols = [c for c in rows.columns if c.startswith("type_")]
    ticked = rows[type_cols].fillna(False).astype(bool)
    n_types = ticked.sum(axis=1)
    if indicator == "respondents":
        return float(n)
    if indicator.startswith("share_") and indicator[6:] in ("urban", "periurban", "rural"):
        return (rows["density"] == indicator[6:]).sum() * pct
    if indicator.startswith("typology_"):
        kind = indicator[len("typology_"):]
        if kind == "hybrid":
            return float((n_types >= 2).sum())
        code = kind[: -len("_only")]
        code = "atelier_partage" if code == "atelier" else code
        return float(((n_types == 1) & ticked[f"type_{code}"]).sum())
    if indicator.startswith("types_"):
        return float(ticked["type_" + indicator[len("types_"):]].sum())
    if indicator == "share_hybrid":
        return (n_types >= 2).sum() * pct
    if indicator.startswith("sum_"):
        return float(rows[indicator[4:]].sum())
    if indicator.startswith("share_status_"):
        group = {"association": {"association"}, "private": _PRIVATE, "public": _PUBLIC,
                 "cooperative": _COOP}[indicator[len("share_status_"):]]
        return rows["legal_status"].isin(group).sum() * pct
    if indicator == "share_employers":
        return (rows["staff_total"] >= 1).sum() * pct
    if indicator == "share_with_cdi":
        return (rows["cdi"] >= 1).sum() * pct
    if indicator == "share_with_cdd":
        return (rows["cdd"] >= 1).sum() * pct
    if indicator == "mean_etp":
        return float(rows["etp"].mean())
    if indicator == "share_employers_with_facilitator":
        employers = rows.loc[rows["staff_total"] >= 1, ["place_id", "wave"]]
        fac = jobs[(jobs["wave"] == wave) & (jobs["role"] == "facilitateur")]
        has = employers["place_id"].isin(set(fac["place_id"]))
        return has.mean() * 100.0
    raise KeyError(f"unknown calibration indicator {indicator!r}")


def calibration_report(truth: pd.DataFrame, jobs: pd.DataFrame,
                       places: pd.DataFrame) -> pd.DataFrame:
    """Every :data:`CALIBRATION` entry with its measured value and whether it holds."""
    out = pd.DataFrame(CALIBRATION)
    out["value"] = [measure(r["indicator"], r["wave"], truth, jobs, places) for r in CALIBRATION]
    out["ok"] = (out["value"] - out["target"]).abs() <= out["tolerance"] + 1e-9
    return out
