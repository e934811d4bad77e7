"""Whose survey a data folder holds: reseau.yaml, init, and --region (issue 22)."""
from __future__ import annotations

import logging

import pytest

from tlresearch.cli import main
from tlresearch.core.settings import (
    LEGACY_REGION,
    SettingsError,
    load_settings,
    settings_from_mapping,
)
from tlresearch.geo.names import checked_settings


def test_init_writes_the_settings_every_command_reads(tmp_path, capsys):
    folder = tmp_path / "occitanie"
    assert main(["init", str(folder), "--region", "76", "--publisher",
                 "Réseau des tiers-lieux d'Occitanie"]) == 0
    settings = load_settings(folder)
    assert (settings.region, settings.credit()) == ("76", "Réseau des tiers-lieux d'Occitanie")
    assert settings.explicit
    capsys.readouterr()
    # no --region needed; one that contradicts the folder is one line, exit 2
    assert main(["--data-dir", str(folder), "ingest", "--region", "75"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "contradicts" in err and "76" in err
    # init cannot silently move a folder to another region
    assert main(["init", str(folder), "--region", "75"]) == 2
    assert load_settings(folder).region == "76"


@pytest.mark.parametrize("publisher", ['Réseau "Les <Lieux> & Cie"', "x" * 300])
def test_awkward_publisher_names_are_kept_as_given(tmp_path, publisher):
    assert main(["init", str(tmp_path / "d"), "--region", "76", "--publisher", publisher]) == 0
    assert load_settings(tmp_path / "d").publisher == publisher


def test_a_name_longer_than_300_characters_is_one_line(tmp_path, capsys):
    assert main(["init", str(tmp_path / "d"), "--region", "76", "--publisher", "x" * 301]) == 2
    assert "301 characters" in capsys.readouterr().err


def test_a_settings_file_in_cp1252_is_read(tmp_path):
    (tmp_path / "reseau.yaml").write_bytes(
        "region: 76\npublisher: \"Réseau régional d'Occitanie\"\n".encode("cp1252"))
    assert load_settings(tmp_path).publisher == "Réseau régional d'Occitanie"


@pytest.mark.parametrize("text, says", [
    ("region: 99\n", "unknown region code '99'"),
    ("region: Occitanie\n", "not a region code"),
    ("publisher: x\n", "'region' is missing"),
    ("region: 76\ncolour: red\n", "unknown key(s) colour"),
    ("region: 76\npublisher: a: b\n", "not valid YAML"),
])
def test_bad_settings_are_one_line_exit_2(tmp_path, capsys, text, says):
    (tmp_path / "reseau.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match="reseau.yaml"):
        checked_settings(tmp_path)
    assert main(["--data-dir", str(tmp_path), "ingest"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err


def test_a_folder_without_settings_is_the_legacy_region_said_once(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="tlresearch"):
        first, second = load_settings(tmp_path), load_settings(tmp_path)
    assert first.region == second.region == LEGACY_REGION and not first.explicit
    assert sum("has no reseau.yaml" in r.getMessage() for r in caplog.records) == 1


def test_source_line_credits_each_region_its_own_network():
    settings = settings_from_mapping({"region": "76", "publisher": "Réseau A",
                                      "other_regions": {"75": {"publisher": "Réseau B"}}})
    assert settings.source_text(2026).endswith("2026, Réseau A ; traitement tlresearch")
    assert "Réseau B" in settings.source_text(2026, "75")
    assert "Réseau" not in settings.source_text(2026, "84")


def test_a_site_of_two_regions_names_and_credits_each(tmp_path):
    from tlresearch.batch.runner import ReportResult, RunSummary
    from tlresearch.report.site import build_index

    settings = settings_from_mapping({"region": "75", "publisher": "Réseau A & fils",
                                      "contact": "obs@example.org",
                                      "other_regions": {"76": {"publisher": "Réseau <B>"}}})
    reports = [ReportResult(name=f"2025-{r}-{t}", notebook="40-panorama.ipynb", year=2025,
                            territory=t, region=r, status="fresh", reason="new",
                            output=f"2025/{r}/{t}/40-panorama.html")  # the index lists pages online
               for r, t in [("76", "31"), ("75", "33"), ("76", "76"), ("75", "75")]]
    page = build_index(tmp_path, RunSummary(reports=reports, settings=settings)).read_text(
        encoding="utf-8")
    rows = [m for m in ("Nouvelle-Aquitaine</th>", "Gironde (33)</th>", "Occitanie</th>",
                        "Haute-Garonne (31)</th>")]
    assert [page.index(r) for r in rows] == sorted(page.index(r) for r in rows)  # own first
    assert "Occitanie : enquête annuelle des tiers-lieux, Réseau &lt;B&gt;" in page
    assert "Nouvelle-Aquitaine : enquête annuelle des tiers-lieux, Réseau A &amp; fils" in page
    assert "Contact : obs@example.org" in page and "<B>" not in page


def test_the_logo_and_the_licence_of_the_settings_reach_the_index(tmp_path):
    import base64

    from tlresearch.batch.runner import RunSummary
    from tlresearch.report.site import index_html

    folder = tmp_path / "d"
    assert main(["init", str(folder), "--region", "76", "--publisher", "Réseau",
                 "--logo", "logo.png", "--licence", "CC-BY 4.0"]) == 0
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
                           "/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==")
    (folder / "logo.png").write_bytes(png)
    page = index_html(RunSummary(settings=load_settings(folder)), package="donnees/x.json")
    assert '<img class="tl-logo" alt="Logo : Réseau" src="data:image/png;base64,' in page
    assert "CC-BY 4.0." in page and "Licence Ouverte" not in page
    assert "<h1>Rapports sur les tiers-lieux d&#x27;Occitanie</h1>" in page


def test_a_first_wave_prints_no_change_from_itself():
    from tlresearch.report import notebook_helpers as helpers

    changes = helpers.published_changes(None, None, 2026, 2026, "76", None, region="76")
    assert changes.empty  # nothing computed for a first wave
    block = helpers.changes_block(changes, 2026, 2026, caption="Évolution",
                                  filename="evolution")
    assert "première vague" in str(block) and "tl-notice" in str(block)
