"""National grid of one wave: the local warm-kernel pool against a Dask LocalCluster.

Run: ``.venv/bin/python benchmarks/bench_national.py [--data-dir D] [--regions N]
[--workers W] [--waves-projected 10] [--machines 1,4,16]``. Prints, asserts nothing.

Set-up, not timed (skipped when ``--data-dir`` already holds a panel): the national demo
(``tlresearch demo --regions all``), ``tlresearch ingest`` and ``tlresearch geography
--region all``. The grid is the Panorama (``notebooks/40-panorama.ipynb``) of wave 2025
for every region and each of its départements — 18 regions + 101 départements = 119
reports — or the regions' first N (by code) with ``--regions N`` for a quicker run.

Measured side by side in one run, same notebook, same reports, same number of workers:

1. **fixed cost per worker**: a run of W trivial reports (a notebook that prints one
   line) on W workers, with each executor — worker start, kernel start and the preload
   of pandas/geopandas/folium/seaborn/the library, paid once per worker;
2. **the grid**, forced, with the local pool then with Dask: wall time, seconds per
   report (mean of the per-report times, and wall time x workers / reports), peak RSS
   per worker process (its kernel included), sampled every 0.2 s;
3. **rerun after one answer changed**: one 2025 answer (volunteers) of a place of the
   region with the most départements in the grid is corrected in its raw export, as a
   lab does, then ``tlresearch ingest`` rebuilds the panel and the grid runs again
   without ``--force``: reports planned, rerun and skipped, wall time, and side by side
   the reports the key scoped to the whole region (before issue 19) would have rerun,
   counted on the same panels (expected: the region's Panorama and its département's,
   against the region's and every one of its départements');
4. **a projection** (stated as such, not a measurement) for ten waves on N machines of W
   workers each: reports x waves x seconds per report / (N x W), plus the fixed cost.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
PANORAMA = ROOT / "notebooks" / "40-panorama.ipynb"
TRIVIAL = ROOT / "tests" / "data" / "notebooks" / "ok.ipynb"


def cli(data: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir", str(data),
                           *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"set-up failed: tlresearch {' '.join(args)}\n{done.stderr[-2000:]}")


class PeakMemory:
    """Peak RSS (MB) of each process under this one (a worker with its kernel summed)."""

    def __init__(self):
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            try:
                for child in me.children():
                    family = [child, *child.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in family if p.is_running())
                    self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss / 2**20)
            except Exception:  # noqa: BLE001 - a process ended while sampled
                continue

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def grid(data: Path, n_regions: int | None) -> dict[str, list[str]]:
    from tlresearch.geo.boundaries import region_codes
    from tlresearch.geo.datafrance import departement_names

    regions = region_codes()[:n_regions] if n_regions else region_codes()
    return {r: [r, *sorted(departement_names(r))] for r in regions}


def run(paths, notebooks, territories, out, workers, executor, force=True):
    from tlresearch.batch.runner import run_reports

    with PeakMemory() as memory:
        started = time.perf_counter()
        summary = run_reports(paths, notebooks=notebooks, years=[YEAR],
                              territories=territories, out_dir=out, workers=workers,
                              executor=executor, force=force, progress=False, timeout=1800)
        wall = time.perf_counter() - started
    # Dask's own processes (the nanny) hold no kernel: keep workers with a real footprint.
    peaks = sorted((mb for mb in memory.peaks.values() if mb > 150), reverse=True)
    return summary, wall, peaks


def correct_one_answer(paths, region: str) -> tuple[str, str]:
    """One more volunteer for a 2025 place of ``region``, in its raw export (the demo's
    2025 export is a tab-separated file; the line is found from the panel's
    ``source_file`` and ``source_row``), then ``tlresearch ingest``.

    Returns what changed and the place's département.
    """
    import pandas as pd

    responses = pd.read_parquet(paths.processed_table("responses"))
    mine = responses[(responses["region_code"] == region) & (responses["wave"] == YEAR)
                     & responses["departement_code"].notna()]
    for row in mine.itertuples():
        path = paths.raw / str(row.source_file)
        lines = path.read_text(encoding="utf-8").split("\n")
        header = lines[0].split("\t")
        column = next((i for i, name in enumerate(header) if name == "Nombre de bénévoles"), None)
        fields = lines[int(row.source_row) - 1].split("\t")  # the header is line 1
        named = dict(zip(header, fields)).get("Nom du tiers-lieu") == row.place_name
        if column is None or len(fields) != len(header) or not named \
                or not fields[column].isdigit():
            continue  # not a plain line of this place with a number of volunteers
        old = fields[column]
        fields[column] = str(int(old) + 1)
        lines[int(row.source_row) - 1] = "\t".join(fields)
        path.chmod(0o644)
        path.write_text("\n".join(lines), encoding="utf-8")
        cli(paths.root, "ingest")
        return (f"volunteers of {row.place_id} (département {row.departement_code}, region "
                f"{region}, {YEAR}): {old} -> {fields[column]} in {row.source_file}, then "
                "ingest", str(row.departement_code))
    sys.exit(f"no plain 2025 line with a number of volunteers in region {region}")


def region_scoped(paths, specs) -> dict[str, tuple]:
    """What the key before issue 19 hashed of the panel: each table on its region's rows."""
    from tlresearch.batch.key import InputHasher

    hasher = InputHasher(paths)
    return {s.name: tuple(hasher.table(n, s.region, s.year) for n in s.inputs
                          if n in ("responses", "staff", "places")) for s in specs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="a data folder with the national panel built")
    parser.add_argument("--regions", type=int, help="only the first N regions (by code)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--waves-projected", type=int, default=10)
    parser.add_argument("--machines", default="1,4,16")
    args = parser.parse_args()

    from tlresearch.core.paths import DataPaths

    temp = Path(tempfile.mkdtemp(prefix="bench-national-"))
    data = Path(args.data_dir) if args.data_dir else temp / "data"
    if not (data / "processed" / "responses.parquet").exists():
        print("set-up: national demo, ingest, geography of every region ...", flush=True)
        cli(data, "demo", "--regions", "all")
        cli(data, "ingest")
    cli(data, "geography", "--region", "all")
    work = temp / "data"
    if data != work:  # the rerun edits the panel: work on a copy
        shutil.copytree(data, work)
    paths = DataPaths(work)
    territories = grid(work, args.regions)
    n_reports = sum(len(v) for v in territories.values())
    w = args.workers
    print(f"grid: {n_reports} Panorama reports of {YEAR} ({len(territories)} regions), "
          f"{w} workers per executor\n")

    fixed = {}
    for executor in ("local", "dask"):
        trivial = {"75": [str(i) for i in range(w)]}
        _, wall, _ = run(paths, [TRIVIAL], trivial, temp / f"fixed-{executor}", w, executor)
        fixed[executor] = wall
    results = {}
    for executor in ("local", "dask"):
        summary, wall, peaks = run(paths, [PANORAMA], territories, temp / f"site-{executor}",
                                   w, executor)
        seconds = [r.seconds for r in summary.reports if r.status == "fresh"]
        results[executor] = (summary, wall, peaks, seconds)
    print(f"{'':<44}{'local pool':>14}{'Dask LocalCluster':>20}")
    rows = [
        ("fixed cost per worker (s, W trivial reports)", fixed["local"], fixed["dask"]),
        ("grid wall time (s)", results["local"][1], results["dask"][1]),
        ("reports fresh / failed", *[f"{s.totals['fresh']} / {s.totals['failed']}"
                                     for s, *_ in results.values()]),
        ("mean seconds per report (in its worker)",
         *[sum(s) / max(1, len(s)) for *_, s in results.values()]),
        ("wall x workers / reports (s)", *[wall * w / n_reports
                                           for _, wall, _, _ in results.values()]),
        ("peak RSS per worker, max (MB)", *[max(p, default=0) for _, _, p, _ in results.values()]),
    ]
    for label, a, b in rows:
        fmt = (lambda v: f"{v:>14.1f}") if isinstance(a, float) else (lambda v: f"{v:>14}")
        print(f"{label:<44}{fmt(a)}{fmt(b).rjust(20)}")
    print(f"dask / local wall time: {results['dask'][1] / results['local'][1]:.2f}")

    from tlresearch.batch.plan import plan_reports

    region = max(territories, key=lambda r: len(territories[r]))  # most départements
    specs = plan_reports(paths, [PANORAMA], [YEAR], territories)
    before = region_scoped(paths, specs)
    changed, departement = correct_one_answer(paths, region)
    by_region = sum(before[k] != v for k, v in region_scoped(paths, specs).items())
    summary, wall, _ = run(paths, [PANORAMA], territories, temp / "site-local", w, "local",
                           force=False)[:3]
    rerun = sum(1 for r in summary.reports if r.seconds > 0)  # not carried failures
    print(f"\nrerun after one correction ({changed}):")
    print(f"{'':<20}{'key by page (now)':>20}{'key by region (before)':>24}")
    for label, now, then in (("reports planned", n_reports, n_reports),
                             ("reports rerun", rerun, by_region),
                             ("reports skipped", n_reports - rerun, n_reports - by_region)):
        print(f"{label:<20}{now:>20}{then:>24}")
    print(f"expected now: 2 (region {region} and département {departement}); before: "
          f"{len(territories[region])} (the region and each of its départements); "
          f"{wall:.1f} s = {wall / results['local'][1]:.0%} of the full grid")
    per_report = results["local"][1] * w / n_reports
    full = 119 * args.waves_projected
    print(f"\nPROJECTION (not measured): {args.waves_projected} waves x 119 Panoramas = "
          f"{full} reports at {per_report:.1f} worker-seconds each (measured above):")
    for n in (int(m) for m in args.machines.split(",")):
        hours = full * per_report / (n * w) / 3600 + fixed["local"] / 3600
        print(f"  {n:>3} machine(s) x {w} workers: {hours:.2f} h")
    print(json.dumps({"temp": str(temp)}))


if __name__ == "__main__":
    main()
