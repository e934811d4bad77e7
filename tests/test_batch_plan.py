"""Planning and keys of a batch, without any kernel: fast, and exact."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.batch.key import InputHasher, source_hash, why_run
from tlresearch.batch.plan import (
    ALL_INPUTS,
    declared_inputs,
    find_graduates_file,
    notebook_signature,
    parse_params,
    plan_reports,
)
from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEST_NOTEBOOKS = Path(__file__).parent / "data" / "notebooks"


@pytest.fixture
def paths(tmp_path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    (paths.processed / "geo").mkdir(parents=True)
    paths.codebooks.mkdir()
    for wave in (2024, 2025):
        (paths.codebooks / f"{wave}.yaml").write_text(f"wave: {wave}\n")
    responses = pd.DataFrame({"place_id": ["a", "a", "b", "c"], "wave": [2024, 2025, 2025, 2025],
                              "region_code": ["75", "75", "84", "75"], "staff": [1, 2, 3, 4]})
    responses.to_parquet(paths.processed_table("responses"), index=False)
    places = responses.drop_duplicates("place_id")[["place_id", "region_code"]]
    places.to_parquet(paths.processed_table("places"), index=False)
    staff = pd.DataFrame({"place_id": ["a", "b"], "wave": [2025, 2025], "title": ["x", "y"]})
    staff.to_parquet(paths.processed_table("staff"), index=False)
    return paths


def test_every_notebook_declares_typed_parameters_and_its_inputs():
    # 00-explorer.ipynb is the lab's workbench (make lab), not a report: it reads everything.
    for path in sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("00-")):
        signature = notebook_signature(path)
        assert all(p.type in ("int", "str", "float", "bool") for p in signature.values()), path
        assert declared_inputs(path) != ALL_INPUTS, path
        if "territory" in signature:
            assert "region" in signature, f"{path.name}: --region must reach it"
    quality = notebook_signature(NOTEBOOKS / "10-quality.ipynb")
    # "": the data folder's region, from its reseau.yaml (never one region written in)
    assert quality["region"].default == "" and "region" in quality


def test_params_are_typed_and_checked_before_anything_runs(paths):
    notebooks = [NOTEBOOKS / "40-panorama.ipynb", NOTEBOOKS / "50-certification.ipynb"]
    with pytest.raises(UsageError, match="typed.ipynb expects int, got 'deux'"):
        plan_reports(paths, [TEST_NOTEBOOKS / "typed.ipynb"], [2025], {"75": ["75"]},
                     {"threshold": "deux"})
    with pytest.raises(UsageError, match="no notebook of this run has such a parameter"):
        plan_reports(paths, notebooks, [2025], {"75": ["75"]}, {"colour": "red"})
    with pytest.raises(UsageError, match="set it with --year"):
        parse_params(["year=2024"])
    with pytest.raises(UsageError, match="expected NAME=VALUE"):
        parse_params(["graduates_file"])
    specs = plan_reports(paths, notebooks, [2025], {"75": ["75", "33"]},
                         parse_params(["graduates_file=raw/certification/nos_diplomes.csv"]))
    certification = [s for s in specs if s.stem == "50-certification"]
    assert len(certification) == 1  # no territory parameter: once, for the region
    assert certification[0].params == {"graduates_file": "raw/certification/nos_diplomes.csv",
                                       "data_dir": str(paths.root)}


def test_typed_values_are_converted(paths):
    specs = plan_reports(paths, [TEST_NOTEBOOKS / "typed.ipynb"], [2025], {"75": ["75"]},
                         {"threshold": "3", "ratio": "0.5", "strict": "oui"})
    assert specs[0].params["threshold"] == 3 and specs[0].params["ratio"] == 0.5
    assert specs[0].params["strict"] is True


def test_region_reaches_every_report_and_regions_do_not_collide(paths):
    panorama = NOTEBOOKS / "40-panorama.ipynb"
    specs = plan_reports(paths, [panorama], [2025], {"75": ["75", "33"], "11": ["11", "75"]})
    assert [(s.region, s.params["region"], s.params["territory"]) for s in specs] == [
        ("75", "75", "75"), ("75", "75", "33"), ("11", "11", "11"), ("11", "11", "75")]
    outputs = [s.output for s in specs]
    assert outputs == ["2025/75/40-panorama.html", "2025/33/40-panorama.html",
                       "2025/11/11/40-panorama.html", "2025/11/75/40-panorama.html"]
    assert len({s.name for s in specs}) == 4  # Paris (75) is not Nouvelle-Aquitaine (75)


def test_the_labs_own_graduates_file_wins_over_the_demo(paths):
    folder = paths.raw / "certification"
    folder.mkdir(parents=True)
    (folder / "DEMO_diplomes.csv").write_text("x\n")
    assert find_graduates_file(paths.root) == "raw/certification/DEMO_diplomes.csv"
    (folder / "diplomes_2024.xlsx").write_bytes(b"x")
    assert find_graduates_file(paths.root) == "raw/certification/diplomes_2024.xlsx"
    spec, = plan_reports(paths, [NOTEBOOKS / "50-certification.ipynb"], [2025], {"75": ["75"]})
    assert spec.params["graduates_file"] == "raw/certification/diplomes_2024.xlsx"
    key = InputHasher(paths).key(spec)
    (folder / "diplomes_2024.xlsx").write_bytes(b"y")
    assert InputHasher(paths).key(spec)["input:graduates_file"] != key["input:graduates_file"]


def test_key_holds_only_the_reports_own_inputs(paths):
    panorama = NOTEBOOKS / "40-panorama.ipynb"
    specs = plan_reports(paths, [panorama], [2024, 2025], {"75": ["75"], "84": ["84"]})
    keys = {s.name: InputHasher(paths).key(s) for s in specs}
    assert set(keys["2025-75-40-panorama"]) == {
        "source", "notebook", "parameters", "settings", "input:responses", "input:staff",
        "input:places", "input:geography", "input:directory"}  # coverage reads the directory
    assert "version" not in keys["2025-75-40-panorama"]
    # another region's new answer, a later wave, the geography lock: no key moves
    responses = pd.read_parquet(paths.processed_table("responses"))
    responses.loc[responses["place_id"] == "b", "staff"] = 30
    responses.loc[len(responses)] = ["a", 2026, "75", 9]
    responses.to_parquet(paths.processed_table("responses"), index=False)
    (paths.processed / "geo" / ".geography_75.lock").write_text("held")
    after = {s.name: InputHasher(paths).key(s) for s in specs}
    assert after["2025-75-40-panorama"] == keys["2025-75-40-panorama"]
    assert after["2024-75-40-panorama"] == keys["2024-75-40-panorama"]
    assert after["2025-84-84-40-panorama"] != keys["2025-84-84-40-panorama"]
    entry = {"inputs": keys["2025-84-84-40-panorama"], "status": "fresh"}
    assert why_run(entry, after["2025-84-84-40-panorama"], True, force=False,
                   retry_failed=False) == "input changed: responses"
    # a staff row of region 84 (through its place) moves 84 only
    staff = pd.read_parquet(paths.processed_table("staff"))
    staff.loc[staff["place_id"] == "b", "title"] = "z"
    staff.to_parquet(paths.processed_table("staff"), index=False)
    last = {s.name: InputHasher(paths).key(s) for s in specs}
    assert last["2025-75-40-panorama"] == keys["2025-75-40-panorama"]
    assert last["2025-84-84-40-panorama"]["input:staff"] != after[
        "2025-84-84-40-panorama"]["input:staff"]


def test_library_source_is_in_the_key(tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(ROOT / "tlresearch" / "vocab", package / "vocab")
    (package / "indicators.py").write_text("SHARE = 1\n")
    before = source_hash(package)
    (package / "indicators.py").write_text("SHARE = 2\n")
    source_hash.cache_clear()
    assert source_hash(package) != before
    source_hash.cache_clear()
    (package / "indicators.py").write_text("SHARE = 1\n")
    assert source_hash(package) == before
    vocab = next((package / "vocab").glob("*.yaml"))
    vocab.write_text(vocab.read_text() + "\n# edited\n")
    source_hash.cache_clear()
    assert source_hash(package) != before
    source_hash.cache_clear()
    entry = {"inputs": {"source": before, "notebook": "n"}, "status": "fresh"}
    assert why_run(entry, {"source": "other", "notebook": "n"}, True, force=False,
                   retry_failed=False) == "library source changed"
    assert json.dumps(entry)  # plain data, written as is in the manifest


def test_a_departements_page_is_keyed_on_its_places_and_the_region_on_its_unlocated(paths):
    """A département's page reads the rows of its places; the folder's own region also
    counts the places whose commune was not found (no region, no département)."""
    responses = pd.DataFrame({
        "place_id": ["a", "b", "c", "d"], "wave": [2025] * 4,
        "region_code": ["75", "75", "75", None], "departement_code": ["33", "64", "64", None],
        "typology": ["coworking"] * 4, "etp": [1.0, 2.0, 3.0, 4.0]})
    responses.to_parquet(paths.processed_table("responses"), index=False)
    responses[["place_id", "region_code", "departement_code"]].to_parquet(
        paths.processed_table("places"), index=False)
    panorama = NOTEBOOKS / "40-panorama.ipynb"
    specs = {s.territory: s for s in plan_reports(paths, [panorama], [2025],
                                                   {"75": ["75", "33", "64"]})}
    before = {t: InputHasher(paths).key(s) for t, s in specs.items()}
    assert "input:secrecy" in before["33"] and "input:secrecy" not in before["75"]

    def answer(place, etp):
        responses.loc[responses["place_id"] == place, "etp"] = etp
        responses.to_parquet(paths.processed_table("responses"), index=False)
        return {t: InputHasher(paths).key(s) for t, s in specs.items()}

    after = answer("d", 40.0)  # the place of no known commune: the region's page only
    assert [t for t in specs if after[t] != before[t]] == ["75"]
    again = answer("c", 30.0)  # a place of the Pyrénées-Atlantiques: its pages and the region's
    assert [t for t in specs if again[t] != after[t]] == ["75", "64"]


def test_responses_that_do_not_say_the_departement_key_its_pages_on_the_region(paths):
    # the fixture's responses have no departement_code: a département's page sees the region
    spec, = plan_reports(paths, [NOTEBOOKS / "40-panorama.ipynb"], [2025], {"75": ["33"]})
    key = InputHasher(paths).key(spec)
    assert "input:secrecy" not in key
    assert key["input:responses"] == InputHasher(paths).table("responses", "75", 2025,
                                                              home=True)
