"""End to end on the demo survey: conservation, determinism, privacy, raw data untouched,
and the published figures the demo is calibrated to, read back from the panel."""
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import tree_hashes

import tlresearch
from tlresearch.core.paths import DataPaths
from tlresearch.demo.constants import DEMO_WAVES
from tlresearch.ingest.pipeline import run_ingest

pytestmark = pytest.mark.slow


def test_rows_in_equal_rows_kept_plus_quarantined(demo_panel):
    paths, result, _ = demo_panel
    conservation = result.conservation
    assert conservation["wave"].tolist() == list(DEMO_WAVES)
    assert conservation["balanced"].all()
    assert (conservation["rows_in"] == conservation["kept"] + conservation["quarantined"]).all()
    quarantine = pd.read_parquet(paths.processed_table("quarantine"))
    responses = pd.read_parquet(paths.processed_table("responses"))
    assert len(quarantine) == conservation["quarantined"].sum()
    assert len(responses) == conservation["kept"].sum()
    assert set(quarantine["response_id"]).isdisjoint(responses["response_id"])
    # Every quarantined row says why, and the reasons include the demo's planted junk.
    assert quarantine["rule"].notna().all()
    assert {"duplicate_submission", "incomplete_response", "total_row"} <= set(quarantine["rule"])


def test_rows_in_match_the_rows_the_demo_wrote(demo_panel):
    """Rows in are counted by the reader; the generator counted what it wrote: an
    independent check that no record is skipped before conservation is even measured."""
    from tlresearch.demo import write_demo

    paths, result, _ = demo_panel
    written = write_demo(paths).rows  # same seed: nothing rewritten, the counts returned
    for row in result.conservation.itertuples(index=False):
        assert row.rows_in == written[f"raw/{row.file}"], row.file


def test_second_run_gives_byte_identical_outputs(demo_panel, tmp_path):
    paths, _, _ = demo_panel
    copy = DataPaths(tmp_path / "data")
    shutil.copytree(paths.raw, copy.raw)
    shutil.copytree(paths.codebooks, copy.codebooks)
    shutil.copytree(paths.overrides, copy.overrides)
    run_ingest(copy)
    first = tree_hashes(paths.processed)
    second = tree_hashes(copy.processed)
    first.pop(".ingest.lock", None), second.pop(".ingest.lock", None)
    assert first == second
    assert tree_hashes(paths.restricted) == tree_hashes(copy.restricted)


def test_raw_files_unchanged_and_read_only(demo_panel):
    paths, _, before = demo_panel
    assert tree_hashes(paths.raw) == before
    for path in paths.raw.rglob("*"):
        if path.is_file():
            assert not path.stat().st_mode & 0o222, path


def test_contacts_appear_nowhere_outside_restricted(demo_panel):
    paths, _, _ = demo_panel
    contacts = pd.read_parquet(paths.restricted_table("contacts"))
    planted = set()
    for column in ("contact_name", "contact_email", "contact_phone", "comments"):
        planted |= {v for v in contacts[column].dropna() if len(v) >= 6}
    assert len(planted) > 500
    published = []
    for path in paths.processed.iterdir():
        if path.suffix == ".parquet":
            published.append(pd.read_parquet(path).astype(str).to_csv())
        elif path.is_file():
            published.append(path.read_text(encoding="utf-8", errors="replace"))
    text = "\n".join(published)
    leaked = [value for value in planted if value in text]
    assert leaked == []


def test_published_figures_are_reproduced(demo_panel):
    paths, _, _ = demo_panel
    responses = tlresearch.load_responses(data_dir=paths.root)
    by_wave = responses.groupby("wave").size()
    assert by_wave[2018] == 192 and by_wave[2019] == 206 and by_wave[2022] == 226
    typology_2018 = responses[responses["wave"] == 2018]["typology"].value_counts()
    assert typology_2018.to_dict() == {"coworking": 118, "hybride": 45,
                                       "atelier_partage": 15, "fablab": 14}
    wave_2019 = responses[responses["wave"] == 2019]
    assert wave_2019["cdi"].sum() == pytest.approx(195, rel=0.05)
    assert wave_2019["cdd"].sum() == pytest.approx(74, rel=0.05)
    wave_2024 = responses[responses["wave"] == 2024]
    assert wave_2024["etp"].mean() == pytest.approx(2.2, abs=0.15)


def test_panel_is_marked_as_demo_data(demo_panel):
    paths, _, _ = demo_panel
    responses = tlresearch.load_responses(data_dir=paths.root)
    assert responses.attrs["demo"] is True
    assert responses["demo"].all()
    assert "Données fictives" in (paths.processed / "data_dictionary.md").read_text(encoding="utf-8")


def test_places_are_followed_across_waves(demo_panel):
    paths, _, _ = demo_panel
    places = tlresearch.load_places(data_dir=paths.root)
    panel = tlresearch.load_panel(data_dir=paths.root)
    assert places["place_id"].is_unique
    assert (places["n_waves"] > 1).mean() > 0.5
    assert places["former_names"].notna().sum() > 0  # renamed places stay one place
    assert panel.groupby(["place_id", "wave"]).size().max() == 1
    assert places["departement_code"].notna().mean() > 0.97


def test_staff_roles_and_unknown_titles(demo_panel):
    paths, _, _ = demo_panel
    staff = tlresearch.load_staff(data_dir=paths.root)
    assert "facilitator" in set(staff["role"])
    log = tlresearch.load_quality_log(data_dir=paths.root)
    unknown = log[log["rule"] == "unknown_job_title"]
    assert "${alert(1)}" in set(unknown["value"])


def test_a_variable_not_asked_is_missing_not_zero(demo_panel):
    paths, _, _ = demo_panel
    dictionary = tlresearch.data_dictionary(data_dir=paths.root).set_index("variable")
    responses = tlresearch.load_responses(data_dir=paths.root)
    for variable in ("surface_m2", "board_members", "civic_service"):
        asked = {int(w) for w in (dictionary.at[variable, "waves"] or "").split(",") if w}
        not_asked = responses[~responses["wave"].isin(asked)]
        assert not not_asked.empty
        assert not_asked[variable].isna().all(), variable


def test_cli_exit_codes(demo_panel, tmp_path):
    paths, _, _ = demo_panel
    cli = [sys.executable, "-m", "tlresearch.cli", "--data-dir"]
    usage = subprocess.run([*cli, str(paths.root), "ingest", "--waves", "1999"],
                           capture_output=True, text=True)
    assert usage.returncode == 2
    assert usage.stderr.count("\n") == 1 and "1999" in usage.stderr
    broken = DataPaths(tmp_path / "data")
    shutil.copytree(paths.raw, broken.raw)
    shutil.copytree(paths.codebooks, broken.codebooks)
    broken.codebook(2019).unlink()  # raw files of 2019 stay: a wave with no codebook
    data_error = subprocess.run([*cli, str(broken.root), "ingest"], capture_output=True, text=True)
    assert data_error.returncode == 1
    assert data_error.stderr.count("\n") == 1
    assert "wave 2019" in data_error.stderr and "no_codebook" in data_error.stderr


def _pairs(frame, column):
    """Every pair of responses that ``column`` puts in the same place."""
    from itertools import combinations

    pairs = set()
    for _, group in frame.groupby(column):
        pairs |= set(combinations(sorted(group["response_id"]), 2))
    return pairs


def test_places_are_linked_like_the_truth(demo_panel):
    from tlresearch.demo import generate_population, true_responses

    paths, _, _ = demo_panel
    truth = true_responses(generate_population())
    key = ["wave", "place_name", "address"]
    assert not truth.duplicated(key).any()
    responses = tlresearch.load_responses(data_dir=paths.root)
    matched = responses[key + ["response_id", "place_id"]].merge(
        truth[key + ["place_id"]].rename(columns={"place_id": "true_place"}), on=key,
        how="left", validate="one_to_one")
    assert matched["true_place"].notna().all()
    found, true = _pairs(matched, "place_id"), _pairs(matched, "true_place")
    precision = len(found & true) / len(found)
    recall = len(found & true) / len(true)
    assert precision >= 0.99, precision
    assert recall >= 0.98, recall
