"""The demo site as ``make reports`` publishes it, built once per test session.

Building it runs every notebook on every wave and territory of the demo survey: the
longest piece of work of the whole suite. :func:`build_demo_site` does it once into a
folder shared by every xdist worker (the ``demo_full_site`` fixture of ``conftest.py``
holds a file lock around it); the summaries are kept beside it as JSON so that every
worker gets them back as :class:`~tlresearch.batch.outcome.RunSummary` objects.
Tests read the site; none may change it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tlresearch.batch.outcome import ReportResult, RunSummary

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
#: What ``make reports`` runs for every wave, and for the latest wave only.
EVERY_WAVE = ("10-quality.ipynb", "40-panorama.ipynb")
LATEST_WAVE = ("20-map.ipynb", "30-professionalisation.ipynb", "50-certification.ipynb")


@dataclass(frozen=True)
class DemoSite:
    """A built site: its folder, the two runs' summaries, the PDFs printed."""

    folder: Path
    waves: list[int]
    territories: list[str]
    every: RunSummary  # quality page and Panorama, every wave x territory
    latest: RunSummary  # the other notebooks, latest wave
    printed: dict  # print_site's outcome for the latest wave's Panoramas


def _summary(data: dict) -> RunSummary:
    return RunSummary(reports=[ReportResult(**r) for r in data["reports"].values()],
                      started=data["started"], finished=data["finished"],
                      log_path=data["log"], executor=data["executor"])


def build_demo_site(data_dir: Path, folder: Path) -> None:
    """Publish the demo site into ``folder`` as ``make reports`` does; ``site.json`` last.

    The PDFs are printed for the latest wave only (the printing itself is the same for
    every wave; ``make reports`` prints them all).
    """
    from tlresearch.batch.runner import run_reports
    from tlresearch.core.paths import DataPaths
    from tlresearch.geo.datafrance import departement_names
    from tlresearch.report.pdf import chromium_path, print_site
    from tlresearch.report.site import build_index
    from tlresearch.report.territory import panel_waves

    paths = DataPaths(data_dir)
    waves = panel_waves(data_dir)
    territories = ["75", *sorted(departement_names("75"))]
    options = dict(territories=territories, out_dir=folder, workers=2, progress=False,
                   timeout=900)
    every = run_reports(paths, notebooks=[NOTEBOOKS / n for n in EVERY_WAVE], years=waves,
                        **options)
    latest = run_reports(paths, notebooks=[NOTEBOOKS / n for n in LATEST_WAVE],
                         years=[max(waves)], **options)
    printed = (print_site(folder, pattern=f"{max(waves)}/*/40-panorama.html")
               if chromium_path() is not None else None)
    build_index(folder, latest)
    record = {"waves": waves, "territories": territories, "every": every.to_dict(),
              "latest": latest.to_dict(), "printed": printed}
    (folder / "site.json").write_text(json.dumps(record), encoding="utf-8")


def read_demo_site(folder: Path) -> DemoSite:
    """The site :func:`build_demo_site` left in ``folder``."""
    record = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    return DemoSite(folder, record["waves"], record["territories"], _summary(record["every"]),
                    _summary(record["latest"]), record["printed"])
