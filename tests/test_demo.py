"""The demo survey: deterministic, calibrated, one layout per tool, safe to re-run."""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.demo import (
    CALIBRATION,
    calibration_report,
    generate_population,
    true_jobs,
    true_responses,
    write_demo,
)
from tlresearch.demo.population import luhn_complete
from tlresearch.spec.codebook import load_codebook

DELIMITERS = {2017: ";", 2018: ";", 2019: ";", 2020: ",", 2021: ",", 2022: ";", 2025: "\t"}
ENCODINGS = {2017: "cp1252", 2018: "utf-8-sig", 2019: "utf-8-sig"}


@pytest.fixture(scope="module")
def population():
    return generate_population()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    paths = DataPaths(tmp_path_factory.mktemp("demo") / "data")
    return paths, write_demo(paths)


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def raw_file(paths: DataPaths, wave: int) -> Path:
    return paths.raw / load_codebook(paths.codebook(wave)).file


def read_header(paths: DataPaths, wave: int) -> list[str]:
    cb = load_codebook(paths.codebook(wave))
    path = paths.raw / cb.file
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        ws = wb[cb.sheet] if cb.sheet else wb.worksheets[0]
        row = next(ws.iter_rows(min_row=cb.header_row or 1, max_row=cb.header_row or 1,
                                values_only=True))
        wb.close()
        return [str(v) for v in row]
    text = path.read_bytes().decode(ENCODINGS.get(wave, "utf-8"))
    return next(csv.reader(io.StringIO(text), delimiter=DELIMITERS[wave]))


def test_two_runs_give_identical_bytes(tmp_path, demo):
    paths, _ = demo
    other = DataPaths(tmp_path / "data")
    write_demo(other)
    assert tree_digest(other.root) == tree_digest(paths.root)


def test_calibration_holds(population):
    report = calibration_report(true_responses(population), true_jobs(population),
                                population.places)
    failed = report[~report["ok"]]
    assert failed.empty, failed.to_string()
    assert len(report) == len(CALIBRATION)


def test_true_values_are_consistent(population):
    truth = true_responses(population)
    staff = truth["staff_total"]
    known = staff.notna() & truth["cdd"].notna()
    assert (staff[known] >= truth.loc[known, "cdi"] + truth.loc[known, "cdd"]).all()
    assert (truth["etp"] <= 1.5 * staff + 1e-9).all()
    assert (truth["etp"] <= staff + 1e-9).mean() > 0.9
    assert (truth["opening_year"] <= truth["wave"]).all()
    assert truth.loc[truth["wave"] < 2019, "board_members"].isna().all()
    sirets = truth["siret"].dropna().unique()
    assert all(len(s) == 14 and luhn_complete(s[:-1]) == s for s in sirets)
    jobs = true_jobs(population)
    assert jobs.groupby(["place_id", "wave"]).size().max() <= 4
    assert (jobs["title"] == "${alert(1)}").sum() in (1, 2)


def test_layouts(demo):
    paths, _ = demo
    assert raw_file(paths, 2018).read_bytes().startswith(b"\xef\xbb\xbf")
    assert ";" in raw_file(paths, 2018).read_bytes().splitlines()[0].decode("utf-8-sig")
    data_2017 = raw_file(paths, 2017).read_bytes()
    assert b"\xe9" in data_2017
    with pytest.raises(UnicodeDecodeError):
        data_2017.decode("utf-8")
    assert "Horodateur" in read_header(paths, 2020)
    assert all("/" in c for c in read_header(paths, 2022) if c.startswith(("identification", "emploi")))
    wb = load_workbook(raw_file(paths, 2023))
    assert wb.sheetnames == ["Lisez-moi", "Réponses"]
    assert "FICTIVES" in str(wb["Lisez-moi"]["A1"].value)
    wb = load_workbook(raw_file(paths, 2024))
    assert any(r.min_row == 1 and r.max_row == 1 for r in wb.worksheets[0].merged_cells.ranges)
    assert "\t" in raw_file(paths, 2025).read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize("wave", range(2017, 2026))
def test_codebook_columns_exist(demo, wave):
    paths, _ = demo
    cb = load_codebook(paths.codebook(wave))
    assert cb.demo and cb.wave == wave
    for name in ("place_name", "commune_name", "contact_name", "contact_email",
                 "contact_phone", "comments"):
        assert name in cb.variables
    header = read_header(paths, wave)
    assert len(header) == len(set(header))
    report = cb.check_header(header)
    assert report.missing_optional == []
    assert set(cb.ignore) <= set(header)


def test_unmapped_columns_left_for_the_ingestion(demo):
    paths, _ = demo
    unmapped = {w: load_codebook(paths.codebook(w)).check_header(read_header(paths, w)).unmapped
                for w in range(2017, 2026)}
    assert unmapped[2019] == ["SATISF"]
    assert sum(bool(u) for u in unmapped.values()) >= 2


def test_row_counts(demo):
    paths, summary = demo
    assert summary.kept == {2017: 150, 2018: 192, 2019: 206, 2020: 210, 2021: 220,
                            2022: 226, 2023: 232, 2024: 222, 2025: 235}
    for kinds in summary.junk.values():
        assert 2 <= kinds["duplicate"] <= 4 and 1 <= kinds["impossible"] <= 2
    assert summary.junk[2017]["total"] == 1
    text = raw_file(paths, 2020).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) - 1 == summary.rows["raw/2020/DEMO_google_forms_2020.csv"]


def test_payloads_contacts_and_directory(demo):
    paths, _ = demo
    texts = []
    for wave in range(2017, 2026):
        path = raw_file(paths, wave)
        if path.suffix == ".xlsx":
            wb = load_workbook(path)
            texts.append("\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                                   for c in row if c is not None))
        else:
            texts.append(path.read_bytes().decode(ENCODINGS.get(wave, "utf-8")))
    everything = "\n".join(texts)
    for payload in ("<img src=x onerror=alert(1)>", "${alert(1)}", '<script>alert("x")</script>'):
        assert payload in everything
    assert everything.count("@") > 1500
    assert "05 " in everything and "+33 " in everything
    assert "16226" in everything and "Montignac-Charente" in everything
    assert "E+13" in texts[0]
    directory = (paths.raw / "annuaire/DEMO_annuaire_lieux.csv").read_text(encoding="utf-8")
    header, *rows = directory.splitlines()
    assert header.split(";") == ["nom_lieu", "code_commune", "nom_commune", "type_lieu",
                                 "annee_ouverture", "annee_fermeture"]
    assert len(rows) > 330
    readme = (paths.raw / "DEMO_LISEZMOI.txt").read_text(encoding="utf-8")
    assert "fictives" in readme.lower() and "tlresearch demo" in readme


def test_raw_files_are_read_only_and_protected(tmp_path, demo):
    paths, _ = demo
    for path in paths.raw.rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o222 == 0
    assert (paths.overrides / "place_links.csv").read_text() == "response_id,same_place_as,new_place\n"
    assert (paths.overrides / "roles.csv").read_text() == "title,role\n"
    again = write_demo(paths)  # same seed: nothing to do
    assert again.written == ()
    target = DataPaths(tmp_path / "data")
    write_demo(target, waves=[2018])
    before = tree_digest(target.root)
    with pytest.raises(UsageError, match="exists and differs"):
        write_demo(target, seed=1, waves=[2018])
    assert tree_digest(target.root) == before
    write_demo(target, seed=1, waves=[2018], overwrite=True)
    assert tree_digest(target.root) != before
    assert (target.raw / "2018/DEMO_limesurvey_export_2018.csv").stat().st_mode & 0o222 == 0


def test_bad_arguments():
    with pytest.raises(UsageError):
        generate_population(waves=[2016])
    with pytest.raises(UsageError):
        generate_population(scale=0)
