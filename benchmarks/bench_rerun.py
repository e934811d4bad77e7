"""Only what changed reruns: answers corrected in the Creuse, 2025, through the commands.

Run: ``.venv/bin/python benchmarks/bench_rerun.py [--workers 2]``. Prints, asserts nothing.

1. set-up, not measured: the regional demo (``tlresearch demo``), ``ingest``, and
   ``report`` of the latest wave (every notebook, the region and its départements);
2. two corrections, one after the other, as a lab makes them: one answer of a Creuse
   place in the 2025 export, then ``tlresearch ingest`` — the raw file edited, the
   panel rebuilt. The first (one more volunteer at « La Cellette Coworking ») moves no « s » of
   any page; the second (the ETP of a Creuse fablab set to 0) moves the
   pattern of « s » of the wave's grid into another département's row;
3. after each, ``tlresearch report`` again, without ``--force``: reports planned,
   rerun (and why), skipped, and side by side the reports the key scoped to the whole
   region (the key before issue 19: a panel table hashed on its rows of the region)
   would have rerun, counted from the same panels;
4. honesty, after each: every page made again with ``--force`` into another folder.
   Printed: the pages whose content the correction moved (the published page before
   it against the page made again), and the published pages that differ from the page
   made again — a stale page, skipped when it should have rerun (must be 0). The
   provenance's data hash is left out of both comparisons.
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
POSTCODE = "23"
#: (place, column of the export, the corrected answer from the old one)
CORRECTIONS = (("La Cellette Coworking", "Nombre de bénévoles", lambda old: str(int(old) + 1)),
               ("Guéret Fablab", "Équivalents temps plein",
                lambda old: "0"))


def cli(data: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tlresearch.cli", "--data-dir", str(data),
                           *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"tlresearch {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def correct(data: Path, place: str, column: str, change) -> str:
    """The place's answer in ``column`` changed by ``change`` (old text -> new text)."""
    path = data / EXPORT
    path.chmod(0o644)
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    name, postcode, target = (header.index(c) for c in ("Nom du tiers-lieu", "Code postal",
                                                        column))
    for i, line in enumerate(lines[1:], 1):
        fields = line.split("\t")
        if fields[name:name + 1] == [place] and fields[postcode].startswith(POSTCODE):
            old = fields[target]
            fields[target] = change(old)
            lines[i] = "\t".join(fields)
            path.write_text("\n".join(lines), encoding="utf-8")
            return f"{column} of {place} ({POSTCODE}, {YEAR}): {old} -> {fields[target]}"
    sys.exit(f"{place} not found in {path}")


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
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    data, site = temp / "data", temp / "site"
    report = ("report", "--year", str(YEAR), "--workers", args.workers, "--no-progress")
    print("set-up: demo, ingest, report of", YEAR, "...", flush=True)
    cli(data, "demo")
    cli(data, "ingest")
    print(cli(data, *report, "--out", str(site)).splitlines()[0])
    specs = plan(data)
    for step, (place, column, change) in enumerate(CORRECTIONS, 1):
        published_before = pages(site)
        before = region_scoped(data, specs)
        changed = correct(data, place, column, change)
        started = time.perf_counter()
        cli(data, "ingest")
        ingest = time.perf_counter() - started
        after = region_scoped(data, specs)
        started = time.perf_counter()
        summary = cli(data, *report, "--out", str(site)).splitlines()[0]
        rerun_seconds = time.perf_counter() - started
        log = sorted((site / ".state").glob("run-*.log"))[-1].read_text(encoding="utf-8")
        rerun = dict(re.findall(r"INFO run (\S+): (.*)", log))
        old = sum(before[s.name] != after[s.name] for s in specs)

        print(f"\ncorrection {step}: {changed}; ingest {ingest:.1f} s")
        print(f"{'':<34}{'key by page (now)':>20}{'key by region (before)':>24}")
        print(f"{'reports planned':<34}{len(specs):>20}{len(specs):>24}")
        print(f"{'reports rerun':<34}{len(rerun):>20}{old:>24}")
        print(f"{'reports skipped':<34}{len(specs) - len(rerun):>20}{len(specs) - old:>24}")
        print(f"report run: {summary} in {rerun_seconds:.1f} s")
        for name, why in rerun.items():
            print(f"  rerun {name}: {why}")

        again = temp / f"again-{step}"
        cli(data, *report, "--out", str(again), "--force")
        published, fresh = pages(site), pages(again)
        moved = sorted(p for p in fresh if published_before.get(p) != fresh[p])
        stale = sorted(p for p in fresh if published.get(p) != fresh[p])
        print(f"honesty (every page made again with --force): content moved by the "
              f"correction on {len(moved)} page(s) ({', '.join(moved)}), all rerun: "
              f"{'yes' if not set(moved) - {s.output for s in specs if s.name in rerun} else 'NO'}; "
              f"published pages that differ from the page made again (stale): {len(stale)}"
              f"{' ' + ', '.join(stale) if stale else ''}", flush=True)
    print(f"folder: {temp}")


if __name__ == "__main__":
    main()
