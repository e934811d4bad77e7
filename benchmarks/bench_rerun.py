"""Only what changed reruns: one answer corrected in the Creuse, 2025, through the commands.

Run: ``.venv/bin/python benchmarks/bench_rerun.py [--workers 2] [--column ...]``.
Prints, asserts nothing.

1. set-up, not measured: the regional demo (``tlresearch demo``), ``ingest``, and
   ``report`` of the latest wave (every notebook, the region and its départements);
2. a correction as a lab makes it: one answer of a Creuse place (« Le Moulin ») in the
   2025 export, then ``tlresearch ingest`` — the raw file edited, the panel rebuilt;
3. ``tlresearch report`` again, without ``--force``: reports planned, rerun, skipped,
   and side by side the reports the key scoped to the whole region (the key before
   issue 19: a panel table hashed on its rows of the region) would have rerun,
   counted from the same panels;
4. honesty: every page made again with ``--force`` into another folder, compared with
   the published one (the provenance's data hash aside): a page whose content moved
   but was skipped would be stale. Printed: pages that moved, and how many of them
   were skipped (must be 0).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
EXPORT = Path("raw") / "2025" / "DEMO_framaforms_2025.tsv"
PLACE, POSTCODE = "Le Moulin", "23"
COLUMNS = {"volunteers": "Nombre de bénévoles", "etp": "Équivalents temps plein"}


def cli(data: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir", str(data),
                           *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"tlresearch {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def correct(data: Path, column: str, value: str | None) -> str:
    """The place's answer in ``column`` set to ``value`` (default: one more)."""
    path = data / EXPORT
    path.chmod(0o644)
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    name, postcode, target = (header.index(c) for c in ("Nom du tiers-lieu", "Code postal",
                                                        column))
    for i, line in enumerate(lines[1:], 1):
        fields = line.split("\t")
        if fields[name:name + 1] == [PLACE] and fields[postcode].startswith(POSTCODE):
            old = fields[target]
            fields[target] = value if value is not None else str(int(old) + 1)
            lines[i] = "\t".join(fields)
            path.write_text("\n".join(lines), encoding="utf-8")
            return f"{column} of {PLACE} ({POSTCODE}, {YEAR}): {old} -> {fields[target]}"
    sys.exit(f"{PLACE} not found in {path}")


def region_scoped(data: Path, specs) -> dict[str, tuple]:
    """What the key before issue 19 hashed of the panel: every table on its region's rows."""
    from tlresearch.batch.key import InputHasher
    from tlresearch.core.paths import DataPaths

    hasher = InputHasher(DataPaths(data))
    return {s.name: tuple(hasher.table(n, s.region, s.year) for n in s.inputs
                          if n in ("responses", "staff", "places", "quality_log", "quarantine",
                                   "conservation"))
            for s in specs}


def plan(data: Path):
    from tlresearch.batch.plan import plan_reports
    from tlresearch.core.paths import NOTEBOOK_DIR, DataPaths
    from tlresearch.geo.datafrance import departement_names

    notebooks = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if not p.name.startswith("00-"))
    return plan_reports(DataPaths(data), notebooks, [YEAR],
                        {"75": ["75", *sorted(departement_names("75"))]})


def pages(site: Path) -> dict[str, str]:
    """Every page of the wave, its provenance's hashes blanked (64 hex digits)."""
    return {str(p.relative_to(site)): re.sub(r"\b[0-9a-f]{64}\b", "#", p.read_text("utf-8"))
            for p in sorted((site / str(YEAR)).rglob("*.html"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2")
    parser.add_argument("--column", choices=sorted(COLUMNS), default="volunteers")
    parser.add_argument("--value", help="the corrected answer (default: one more)")
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    data, site, again = temp / "data", temp / "site", temp / "again"
    report = ("report", "--year", str(YEAR), "--workers", args.workers, "--no-progress")
    print("set-up: demo, ingest, report of", YEAR, "...", flush=True)
    cli(data, "demo")
    cli(data, "ingest")
    print(cli(data, *report, "--out", str(site)).splitlines()[0])
    specs = plan(data)
    before = region_scoped(data, specs)

    changed = correct(data, COLUMNS[args.column], args.value)
    started = time.perf_counter()
    cli(data, "ingest")
    ingest = time.perf_counter() - started
    after = region_scoped(data, specs)
    started = time.perf_counter()
    summary = cli(data, *report, "--out", str(site)).splitlines()[0]
    rerun_seconds = time.perf_counter() - started
    state = sorted((site / ".state").glob("run-*.log"))[-1].read_text(encoding="utf-8")
    rerun = re.findall(r"INFO run (\S+): (.*)", state)
    old = sum(before[s.name] != after[s.name] for s in specs)

    print(f"\ncorrection: {changed}; ingest {ingest:.1f} s")
    print(f"{'':<34}{'key by page (now)':>20}{'key by region (before)':>24}")
    print(f"{'reports planned':<34}{len(specs):>20}{len(specs):>24}")
    print(f"{'reports rerun':<34}{len(rerun):>20}{old:>24}")
    print(f"{'reports skipped':<34}{len(specs) - len(rerun):>20}{len(specs) - old:>24}")
    print(f"report run: {summary} in {rerun_seconds:.1f} s")
    for name, why in rerun:
        print(f"  rerun {name}: {why}")

    print("\nhonesty: every page again with --force ...", flush=True)
    cli(data, *report, "--out", str(again), "--force")
    published, fresh = pages(site), pages(again)
    moved = sorted(p for p in fresh if published.get(p) != fresh[p])
    rerun_pages = {s.output for s in specs if s.name in dict(rerun)}
    stale = [p for p in moved if p not in rerun_pages]
    print(f"pages whose content moved: {len(moved)} ({', '.join(moved)}); "
          f"of them skipped (stale): {len(stale)}{' ' + ', '.join(stale) if stale else ''}")
    print(f"folder: {temp}")


if __name__ == "__main__":
    main()
