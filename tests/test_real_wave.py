"""Issue 14's acceptance, as a lab reading only the README would do it, through the CLI.

A real-only data folder (no demo): ``init``, copy the Framaforms export of
tests/data/layouts, ``codebook draft``, ``codebook check`` (which names the responses
with postcode 0), the README's edit (their communes in overrides/communes.csv),
``ingest``, then ``report`` of the
two pages that failed on real data before (30-professionalisation: no facilitator job
with a contract; 50-certification: no graduates' survey, now not published at all), for
the region only. Every
count and share is compared with the file itself, read here independently.
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.cli import main
from tlresearch.core.formats import format_percent
from tlresearch.core.paths import DataPaths

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "tests" / "data" / "layouts" / "framaforms_2026.xls"
#: Titles of the export that the role vocabulary calls facilitator (make_layouts.py).
FACILITATOR_TITLES = ("Facilitatrice", "Coordinateur·rice", "Couteau suisse",
                      "Coordinatrice du tiers-lieu")


def _text(page: Path) -> str:
    """The words of a page, without scripts, styles and tags."""
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"),
                    flags=re.S)
    return _plain(html.unescape(re.sub(r"<[^>]+>", " ", source)))


def _plain(text: str) -> str:
    """Every run of white space (no-break spaces included) as one space."""
    return re.sub(r"\s+", " ", text)


def test_a_real_wave_from_init_to_report(demo_data_dir, tmp_path, capsys):
    paths = DataPaths(tmp_path / "labo")
    data = ["--data-dir", str(paths.root)]
    assert main(["init", str(paths.root)]) == 0
    # The reference geography only (no demo data), built once for the session's demo
    # folder: ingest finds it fresh instead of building it again.
    shutil.copytree(DataPaths(demo_data_dir).processed / "geo", paths.processed / "geo")
    (paths.raw / "2026").mkdir()
    shutil.copy(EXPORT, paths.raw / "2026")
    assert main(data + ["codebook", "draft", "raw/2026/framaforms_2026.xls",
                        "--wave", "2026"]) == 0
    assert "header found at row 3" in capsys.readouterr().out
    assert main(data + ["codebook", "check", "2026"]) == 0
    # The check names the responses whose postcode is 0 (and commune blank): the lab
    # looks their communes up and writes them in overrides/communes.csv.
    line = next(x for x in capsys.readouterr().out.splitlines() if "not_a_postcode" in x)
    ids = re.findall(r"2026-\w+", line)  # the export's own ids (« 2026-id38 »)
    assert len(ids) == 3
    (paths.overrides / "communes.csv").write_text(
        "response_id,place_id,commune_code,comment\n" + "".join(
            f"{i},,{code},vu au téléphone\n" for i, code in zip(ids, ["33063", "86194", "87085"])),
        encoding="utf-8")
    assert main(data + ["ingest"]) == 0

    raw = pd.read_csv(paths.raw / "2026" / EXPORT.name, sep="\t", skiprows=2,
                      encoding="utf-16", dtype=str)
    finished = raw[raw["Brouillon"] == "Non"]
    responses = pd.read_parquet(paths.processed_table("responses"))
    staff = pd.read_parquet(paths.processed_table("staff"))
    assert len(responses) == len(finished) == 40
    for variable, column in [("cdi", "dont CDI"), ("cdd", "dont CDD")]:
        assert responses[variable].sum() == finished[column].astype(int).sum()
    employers = (finished["Nombre de salariés"].astype(int) > 0).sum()
    assert (responses["staff_total"] > 0).sum() == employers
    assert responses["submitted_at"].notna().all()
    assert (responses["resolution_method"] == "override").sum() == 3
    assert responses["commune_code"].notna().all()
    titles = finished["Intitulés des postes salariés"].dropna()
    with_facilitator = titles.map(lambda cell: any(t in cell for t in FACILITATOR_TITLES))
    # One job per title ("; "), a separator inside double quotes kept in its title.
    assert len(staff) == titles.str.count("; ").sum() + len(titles) - 1
    assert (staff["contract"] == "unknown").all()
    assert staff["title_raw"].str.contains("d'accueil; d'animation").sum() == 1
    per_place = staff.groupby("response_id")["role"].agg(lambda r: (r == "facilitator").any())
    assert per_place.mean() == pytest.approx(with_facilitator.mean())

    site = tmp_path / "site"
    notebooks = [str(ROOT / "notebooks" / n) for n in ("30-professionalisation.ipynb",
                                                       "50-certification.ipynb")]
    capsys.readouterr()
    assert main(data + ["report", "--out", str(site), "--territory", "75", "--workers", "1",
                        "--no-progress", "--notebooks", *notebooks]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == f"index: {site / 'index.html'}"
    trends = _text(site / "2026" / "75" / "30-professionalisation.html")
    share = _plain(format_percent(with_facilitator.mean()))
    assert f"2026 {share}" in trends and f"{share} [" in trends
    assert f"2026 {_plain(format_percent(employers / len(finished)))}" in trends
    # (b) is not defined while no job has a known contract: the page says so.
    assert re.search(r"\(b\) Postes salariés de facilitation[^.]*: aucune donnée à publier",
                     trends)
    # No graduates' survey in raw/certification/: the page is not published (issue 22)
    assert not (site / "2026" / "75" / "50-certification.html").exists()
    assert "ertification" not in (site / "index.html").read_text(encoding="utf-8")
    assert "DEMO" not in trends and "fictive" not in trends


def test_a_trend_chart_of_an_indicator_defined_at_no_wave_says_so():
    """facilitator_jobs has no row while no job has a contract: a chart that says so
    (titled with the catalogue's label), not an error; an unknown code still is one."""
    from tlresearch.core.errors import UsageError
    from tlresearch.stats.indicator_catalogue import COLUMNS, catalogue
    from tlresearch.viz.charts import plot_series

    series = pd.DataFrame([["share_employers", "Part des lieux employeurs", "region", "75",
                            2026, None, None, 0.8, 0.65, 0.9, 40, "part", ""]], columns=COLUMNS)
    figure = plot_series(series, "facilitator_jobs")
    words = [_plain(t.get_text()) for t in figure.findobj(lambda o: hasattr(o, "get_text"))]
    assert any(w.startswith("Aucune valeur") for w in words)
    assert any(catalogue()["facilitator_jobs"].label in w for w in words)
    with pytest.raises(UsageError, match="no rows for indicator 'share_of_unicorns'"):
        plot_series(series, "share_of_unicorns")
