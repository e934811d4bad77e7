"""The national demo: every region, overseas included, calibrated on the national figures."""
from __future__ import annotations

from tlresearch.demo.national import NATIONAL_SCALE, REGION_SHARES, region_weights
from tlresearch.demo.population import generate_population
from tlresearch.geo import datafrance as georef
from tlresearch.geo.boundaries import region_codes


def test_national_demo_has_3500_places_spread_as_published():
    pop = generate_population(scale=NATIONAL_SCALE, national=True)
    places = pop.places
    open_2023 = places[(places["opening_year"] <= 2023)
                       & (places["closing_year"].isna() | (places["closing_year"] > 2023))]
    assert len(open_2023) == 3500  # Observatoire des tiers-lieux, panorama 2023
    communes = georef.all_communes()
    region_of = dict(zip(communes["code"], communes["region_code"]))
    shares = open_2023["commune_code"].map(region_of).value_counts(normalize=True) * 100
    assert set(shares.index) == set(region_codes()) == set(REGION_SHARES)  # overseas too
    for region, weight in region_weights().items():
        assert abs(shares[region] - weight * 100) < 2.0, region
    respondents = pop.responses[pop.responses["wave"] == 2025]
    assert respondents["commune_code"].map(region_of).nunique() == 18
