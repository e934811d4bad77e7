"""Issue 20: a 2026 wave as LimeSurvey (code & text headings) and Google Forms write it,
drafted, checked and ingested as a new user would, job titles counted against the file.

The files are tests/data/layouts/limesurvey_codes_2026.xlsx and googleforms_2026.csv,
written by tests/data/layouts/make_real_exports.py (imported here for the truth: which
titles each place listed).
"""
import importlib.util
import random
import shutil
from pathlib import Path

import pytest

from tlresearch.ingest.codebook_check import check_codebook
from tlresearch.ingest.codebook_draft import draft_codebook, write_draft
from tlresearch.ingest.data_folder import init_data_folder
from tlresearch.ingest.wave import ingest_wave
from tlresearch.spec.codebook import load_codebook

LAYOUTS = Path(__file__).parent / "data" / "layouts"


def _generator():
    spec = importlib.util.spec_from_file_location("make_real_exports",
                                                  LAYOUTS / "make_real_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: file -> (seed, places) as make_real_exports.py writes it.
WAVES = {"limesurvey_codes_2026.xlsx": (20, 40), "googleforms_2026.csv": (26, 30)}


def _truth(name):
    seed, n = WAVES[name]
    return _generator().places(random.Random(seed), n)


@pytest.fixture(scope="module", params=sorted(WAVES))
def drafted(request, tmp_path_factory):
    """The wave drafted into a new data folder, its codebook written as drafted."""
    from tlresearch.core.paths import DataPaths

    name = request.param
    paths = DataPaths(tmp_path_factory.mktemp("w") / "data")
    init_data_folder(paths.root)
    (paths.raw / "2026").mkdir()
    shutil.copy(LAYOUTS / name, paths.raw / "2026" / name)
    draft = draft_codebook(paths.raw / "2026" / name, 2026, paths)
    write_draft(draft, paths.codebook(2026))
    return name, paths, draft, load_codebook(paths.codebook(2026))


def test_the_draft_maps_people_and_sentences(drafted):
    name, _, draft, codebook = drafted
    variables = codebook.variables
    for variable in ("place_name", "commune_name", "postcode", "cdi", "cdd", "etp",
                     "volunteers", "contact_name", "contact_email", "contact_phone",
                     "contact_function", "jobs"):
        assert variable in variables, (name, variable)
    if name.startswith("google"):
        for variable in ("surface_m2", "place_types", "opening_year"):
            assert variable in variables, variable
    else:
        assert codebook.tool == "LimeSurvey"


def test_the_draft_finds_the_separators_and_the_filter_question(drafted):
    name, _, draft, codebook = drafted
    splits = set(next(iter(codebook.variables["jobs"].splits.values())))
    assert "\n" in splits and (" / " in splits or name.startswith("google"))
    for variable in ("cdi", "cdd", "etp"):
        assert codebook.variables[variable].blank == "zero", variable
    assert "places answering « Non »" in draft.text and "filter question" in draft.text


def test_one_job_per_title_as_typed(drafted):
    name, paths, _, codebook = drafted
    result = ingest_wave(paths, codebook)
    truth = _truth(name)
    kept = set(result.kept["response_id"])
    jobs = result.harmonised.jobs
    jobs = jobs[jobs["response_id"].isin(kept)]
    listed = [title for place, rid in zip(truth, result.harmonised.responses["response_id"])
              if rid in kept for title in place["titles"]]
    assert sorted(jobs["title_raw"].dropna()) == sorted(listed)
    assert not jobs["title_raw"].str.startswith(("'", "-")).any()  # as typed, bullet dropped
    assert len(result.kept) + len(result.quarantine) == result.rows_in


def test_check_warns_when_employers_would_read_100_percent(drafted):
    name, paths, _, _ = drafted
    drafted_text = paths.codebook(2026).read_text(encoding="utf-8")
    assert not [n for n in check_codebook(paths, 2026).notes if "100 %" in n]  # as drafted
    paths.codebook(2026).write_text(drafted_text.replace(", blank: zero}", "}"),
                                    encoding="utf-8")
    try:
        report = check_codebook(paths, 2026)
    finally:
        paths.codebook(2026).write_text(drafted_text, encoding="utf-8")
    assert any("share of employers would read 100 %" in note for note in report.notes), name


def test_autre_answers_are_kept_and_options_with_a_comma_whole(drafted):
    from tlresearch.report.notebook_helpers import other_answers_table

    name, paths, _, codebook = drafted
    result = ingest_wave(paths, codebook)
    truth = dict(zip(result.harmonised.responses["response_id"], _truth(name)))
    kept = result.kept.set_index("response_id")
    cafes = [rid for rid, place in truth.items()
             if rid in kept.index and "Café associatif, buvette" in place["types"]]
    assert kept["type_cafe_associatif"].fillna(False).sum() == len(cafes) > 0
    others = {rid: place["other"] for rid, place in truth.items()
              if rid in kept.index and place["other"]}
    assert kept["place_types_other"].dropna().to_dict() == others
    assert kept.loc[list(others), "type_autre"].all()
    assert not [i for i in result.harmonised.issues if i.rule == "not_a_tick"]
    html = other_answers_table(result.kept, year=2026).html
    assert all(text in html for text in others.values())


def test_response_ids_keep_the_export_own_id(drafted):
    name, paths, _, codebook = drafted
    if not name.startswith("limesurvey"):
        assert codebook.response_id is None  # Google Forms writes no id
        return
    assert codebook.response_id == "id. ID de la réponse"
    assert "id. ID de la réponse" not in codebook.ignore
    result = ingest_wave(paths, codebook)
    truth = _truth(name)
    assert result.harmonised.responses["response_id"].tolist() == [
        f"2026-id{place['id']}" for place in truth]
    assert set(result.quarantine) <= set(result.harmonised.responses["response_id"])


def test_a_kobo_export_with_slash_option_columns(tmp_path):
    from tlresearch.core.paths import DataPaths

    paths = DataPaths(tmp_path / "data")
    init_data_folder(paths.root)
    (paths.raw / "2026").mkdir()
    shutil.copy(LAYOUTS / "kobo_2026.csv", paths.raw / "2026" / "kobo_2026.csv")
    write_draft(draft_codebook(paths.raw / "2026" / "kobo_2026.csv", 2026, paths),
                paths.codebook(2026))
    codebook = load_codebook(paths.codebook(2026))
    assert codebook.tool == "KoboToolbox" and codebook.response_id == "_id"
    assert codebook.variables["place_types"].options == {
        "coworking": "type_lieu/coworking", "fablab": "type_lieu/fablab",
        "atelier_partage": "type_lieu/atelier", "cafe_associatif": "type_lieu/cafe"}
    assert "type_lieu" in codebook.ignore
    report = check_codebook(paths, 2026)
    assert report.ok and not [n for n in report.notes if "not in the codebook" in n]
    result = ingest_wave(paths, codebook)
    truth = _generator().places(random.Random(27), 20)
    cafes = sum("Café associatif, buvette" in place["types"] for place in truth)
    assert result.kept["type_cafe_associatif"].sum() == cafes
