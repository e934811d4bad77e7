"""Small geographies for tests: four square communes, two départements, two EPCI."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely


def toy_boundaries() -> dict:
    """Four square communes in two departments and two EPCI (EPSG:4326)."""
    squares = [shapely.box(0 + i * 0.1, 45, 0.1 + i * 0.1, 45.1) for i in range(4)]
    communes = gpd.GeoDataFrame({
        "code": ["16001", "16002", "17001", "17002"],
        "name": ["Alpha", "Béta <img src=x onerror=alert(1)>", "Gamma", "Delta"],
        "population": pd.array([1200, 800, 150_000, pd.NA], dtype="Int64"),
        "departement_code": ["16", "16", "17", "17"],
        "epci_code": ["200000001", "200000001", "200000002", "200000002"],
    }, geometry=squares, crs=4326)

    def dissolve(key):
        out = communes.dissolve(key, aggfunc={"population": "sum"}).reset_index()
        out = out.rename(columns={key: "code"})
        out["name"] = "Zone " + out["code"]
        return out[["code", "name", "population", "geometry"]]

    return {"commune": communes, "departement": dissolve("departement_code"),
            "epci": dissolve("epci_code")}
