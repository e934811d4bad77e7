"""The demo survey: a deterministic, fictitious census of tiers-lieux, waves 2017-2025.

The project must run, and be tested, without the lab's private survey. ``tlresearch
demo`` writes raw exports as the lab receives them — one survey tool per period,
questions renamed, added and dropped, typing mistakes, duplicates, unfinished
answers — whose *true* values reproduce the figures the Coopérative Tiers-Lieux
published, so the ingestion can be checked end to end against a known truth.

Modules: :mod:`~.population` (places and their true yearly answers), :mod:`~.truth`,
:mod:`~.staffing`, :mod:`~.typology` and :mod:`~.steering` (steering to the published
figures), :mod:`~.published_check` (the published figures beside what the demo's
pipeline publishes: ``benchmarks/bench_published_figures.py``),
:mod:`~.mess` (a true value to what was typed), :mod:`~.junk` (rows to quarantine),
:mod:`~.layouts` (one writer per tool), :mod:`~.files` (atomic read-only writes),
the codebooks in ``demo/codebooks/<wave>.yaml``.

Calibration (scale 1, measured on :func:`true_responses`; :data:`CALIBRATION`)::

    wave  indicator                            target   tolerance
    2017-2025 respondents 150 192 206 210 220 226 232 222 235   exact
    2017/2019/2022/2023 places open 186 / 231 / 311 / 315      exact
    2017-2019 places open by département (Gironde 65 / 85 ...)   search, ~exact
    2017  urban / periurban / rural (%)   45.5 / 18.2 / 36.4    ±3 pts
    2025  rural (%)                        76                    ±3 pts
    2017  coworking only (%)               71                    quota
    2017  salaried staff                   50                    exact
    2017  status (%): association 52, private 20, public 12      ±3 pts
    2018  coworking / atelier / fablab only, hybrid  118/15/14/45 exact
    2019  coworking / fablab / atelier ticked (overlap) 172/27/25 exact
    2019  hybrid (%)                       11                    ±3 pts
    2019  sums: CDI 195, CDD 74, interns 94, civic service 51,
          volunteers 2 415, board members 869                   exact
    2019  status (%): association 52, private 22, public 16
          (incl. université 2), cooperative 3                    ±3 pts
    2024  association (%)                  74                    ±3 pts
    2019  employers (%)                    44                    ±3 pts
    2022 / 2024  tiers-lieux nourriciers ticked  39 / 60         exact
    2024  employers 73 %, >= 1 CDI 58 %, >= 1 CDD 28 %           ±3 pts
    2024  mean ETP per respondent          2.2                   ±0.15
    2021  mean ETP per respondent          2.9                   ±0.15
    2019  employers with a facilitator (%) 56                    ±3 pts

Other waves follow smooth paths between those (``calibration.*_PATH``). The urban /
rural classes are the territorial class readers see (:mod:`~.geography`), not a
hidden label; a place employing nobody almost always counts volunteers.

Junk rows come on top of the kept respondents: 2-4 duplicates (an earlier
submission; the later one is the truth), 1-3 unfinished answers where the tool keeps
them (LimeSurvey 2018-2019, XLSX 2023-2024, Framaforms 2025), 1-2 impossible rows,
and a "Total" row in 2017 — multiplied by ``scale``.

Examples
--------
Not run as a test (it reads a data folder, a built panel or a file)::

    from tlresearch.core.paths import DataPaths
    summary = write_demo(DataPaths(tmp_path))
    summary.kept[2019]
    206
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tlresearch.core.paths import DataPaths
from tlresearch.demo.calibration import CALIBRATION, calibration_report
from tlresearch.demo.constants import DEMO_SEED, DEMO_WAVES
from tlresearch.demo.files import write_file, write_if_absent
from tlresearch.demo.junk import wave_records
from tlresearch.demo.layouts import LAYOUTS, render, to_bytes
from tlresearch.demo.population import Population, generate_population
from tlresearch.demo.questionnaires import codebook_path, wave_codebook
from tlresearch.demo.truth import true_jobs, true_responses

__all__ = ["CALIBRATION", "DemoSummary", "Population", "calibration_report",
           "generate_population", "true_jobs", "true_responses", "write_demo"]

DIRECTORY_FILE = "annuaire/DEMO_annuaire_lieux.csv"
README_FILE = "DEMO_LISEZMOI.txt"
PLACE_LINKS_HEADER = "response_id,same_place_as,new_place\n"
ROLES_HEADER = "title,role\n"


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo` wrote.

    ``rows``: data rows per file (path relative to the data folder; header excluded);
    ``kept``: true responses per wave; ``junk``: extra rows per wave and kind;
    ``written``: files actually (re)written, the others were already identical.
    """

    seed: int
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    kept: dict[int, int] = field(default_factory=dict)
    junk: dict[int, dict[str, int]] = field(default_factory=dict)
    written: tuple[str, ...] = ()

    def format(self, paths: DataPaths) -> str:
        """A few lines on what ``tlresearch demo`` wrote (not the dataclass repr)."""
        waves = sorted(self.kept)
        junk = sum(sum(kinds.values()) for kinds in self.junk.values())
        lines = [f"demo survey (FICTITIOUS data, seed {self.seed}, scale {self.scale:g}) "
                 f"in {paths.root}",
                 f"  waves {waves[0]}-{waves[-1]}: {sum(self.kept.values())} responses to "
                 f"keep and {junk} to set aside (duplicates, unfinished, impossible)",
                 (f"  {len(self.written)} file(s) written" if self.written
                  else "  every file already up to date: nothing written"),
                 "next: tlresearch ingest, then tlresearch report"]
        return "\n".join(lines)


def readme_lines(seed: int, scale: float, national: bool = False) -> list[str]:
    """French notice shipped with the demo files (no date: the bytes must not change)."""
    where = "de France (toutes les régions)" if national else "de Nouvelle-Aquitaine"
    return [
        f"DONNÉES FICTIVES — enquête de démonstration des tiers-lieux {where}",
        "",
        "Les fichiers dont le nom contient DEMO ont été générés par la commande "
        f"`tlresearch demo` (graine {seed}, échelle {scale:g}).",
        "Les lieux, les personnes, les courriels, les téléphones et les SIRET sont inventés ;",
        "seules les communes sont réelles. Les totaux reproduisent des chiffres publiés",
        "par la Coopérative Tiers-Lieux pour tester la chaîne de traitement.",
        "Une même graine redonne exactement les mêmes fichiers.",
        "",
        "Contenu : une exportation par vague (outil d'enquête différent selon les années),",
        "l'annuaire des lieux connus du réseau (annuaire/DEMO_annuaire_lieux.csv ;",
        "type principal du lieu ; année de fermeture = première année où le lieu ne",
        "fonctionne plus).",
    ]


def _directory(pop: Population) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["nom_lieu", "code_commune", "nom_commune", "type_lieu", "annee_ouverture",
                     "annee_fermeture"])
    for row in pop.places.sort_values("place_id").itertuples(index=False):
        closing = "" if pd.isna(row.closing_year) else str(int(row.closing_year))
        writer.writerow([row.place_name, row.commune_code, row.commune_name, row.main_type,
                         int(row.opening_year), closing])
    return buffer.getvalue().encode("utf-8")


def write_demo(paths: DataPaths, *, seed: int = DEMO_SEED, scale: float = 1.0,
               waves=DEMO_WAVES, overwrite: bool = False, national: bool = False
               ) -> DemoSummary:
    """Write the demo survey's raw files, codebooks and override templates.

    Everything is rendered in memory first, so a refusal (a raw file that exists and
    differs) leaves the folder untouched.

    Parameters
    ----------
    paths
        The data folder to fill.
    seed, scale, waves
        As in :func:`generate_population`.
    overwrite
        Replace raw demo files that differ (never needed with the same seed).
    national
        Every region of France, overseas included, about 3 500 places a wave
        (``scale`` then multiplies the national size; see :mod:`tlresearch.demo.national`).

    Returns
    -------
    DemoSummary
        Row counts per file, kept and junk rows per wave.

    Raises
    ------
    UsageError
        A raw file exists with other bytes and ``overwrite`` is false.
    """
    if national:
        from tlresearch.demo.national import NATIONAL_SCALE

        scale = scale * NATIONAL_SCALE
    pop = generate_population(seed=seed, scale=scale, waves=waves, national=national)
    readme = readme_lines(seed, scale, national)
    raw: dict = {}
    rows, kept, junk = {}, {}, {}
    for wave in pop.waves:
        cb, layout = wave_codebook(wave), LAYOUTS[wave]
        rng = np.random.default_rng([seed, 2, wave])
        records = wave_records(rng, pop, wave, cb, layout.keeps_incomplete, layout.total_row)
        columns, cells = render(rng, records, layout, cb)
        target = paths.raw / cb.file
        raw[target] = to_bytes(layout, cb, columns, cells, readme)
        kinds = Counter(r["kind"] for r in records)
        kept[wave] = kinds.pop("response", 0)
        junk[wave] = dict(sorted(kinds.items()))
        rows[target.relative_to(paths.root).as_posix()] = len(records)
    raw[paths.raw / README_FILE] = ("\n".join(readme) + "\n").encode("utf-8")
    directory = _directory(pop)
    raw[paths.raw / DIRECTORY_FILE] = directory
    # What every open place would have answered: tests weigh the estimates against it.
    raw[paths.demo_truth] = pop.truth.to_csv(index=False, lineterminator="\n").encode("utf-8")
    rows[(paths.raw / DIRECTORY_FILE).relative_to(paths.root).as_posix()] = len(pop.places)
    # The certification's graduates' survey (issue of the indicators): same rules.
    from tlresearch.demo.graduates import DEMO_FILE, demo_graduates_bytes

    graduates = demo_graduates_bytes(seed)
    raw[paths.raw / DEMO_FILE] = graduates
    rows[(paths.raw / DEMO_FILE).relative_to(paths.root).as_posix()] = graduates.count(b"\n") - 1
    books = {paths.codebook(w): codebook_path(w).read_bytes() for w in pop.waves}
    for path, data in [*raw.items(), *books.items()]:  # refuse before writing anything
        if path.exists() and path.read_bytes() != data and not overwrite:
            write_file(path, data, root=paths.root, overwrite=False)
    from tlresearch.demo.network import write_demo_settings

    written = []
    paths.root.mkdir(parents=True, exist_ok=True)
    if write_demo_settings(paths, national):  # whose survey it is: reseau.yaml
        written.append("reseau.yaml")
    for path, data in raw.items():
        if write_file(path, data, root=paths.root, overwrite=overwrite):
            written.append(path.relative_to(paths.root).as_posix())
    for path, data in books.items():
        if write_file(path, data, root=paths.root, overwrite=overwrite, read_only=False):
            written.append(path.relative_to(paths.root).as_posix())
    for path, text in [(paths.place_link_overrides, PLACE_LINKS_HEADER),
                       (paths.role_overrides, ROLES_HEADER)]:
        if write_if_absent(path, text.encode("utf-8")):
            written.append(path.relative_to(paths.root).as_posix())
    return DemoSummary(seed=seed, scale=scale, rows=rows, kept=kept, junk=junk,
                       written=tuple(written))
