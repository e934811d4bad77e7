"""Ingest speed and memory: the demo survey against a 30x larger, national-scale one.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_ingest.py [--scale 30]``).

Both surveys are generated first (not timed), then each is ingested in its own child
process, side by side in one run, so that peak memory (max RSS) is that ingest's alone.
Printed: responses, wall time, rows per second, peak memory, and the growth of cost
relative to the growth of rows (1.0 = linear; the target is "no worse than linear").
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from tlresearch.core.paths import DataPaths
from tlresearch.ingest.pipeline import run_ingest
paths = DataPaths(__import__("pathlib").Path(sys.argv[1]))
started = time.perf_counter()
result = run_ingest(paths)
elapsed = time.perf_counter() - started
conservation = result.conservation
print(json.dumps({
    "seconds": elapsed,
    "rows_in": int(conservation["rows_in"].sum()),
    "kept": int(conservation["kept"].sum()),
    "balanced": bool(conservation["balanced"].all()),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def generate(root: Path, scale: float) -> None:
    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo

    write_demo(DataPaths(root), scale=scale)


def ingest(root: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(root)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "demo", Path(tmp) / "national"
        for root, scale in ((small, 1.0), (large, args.scale)):
            started = time.perf_counter()
            generate(root, scale)
            print(f"generated scale {scale:g} in {time.perf_counter() - started:.1f} s "
                  "(not part of the measure)")
        results = {"demo (x1)": ingest(small), f"national (x{args.scale:g})": ingest(large)}
    print()
    print(f"{'survey':<18}{'rows in':>9}{'kept':>9}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}"
          "  rows conserved")
    for name, r in results.items():
        print(f"{name:<18}{r['rows_in']:>9}{r['kept']:>9}{r['seconds']:>9.1f}"
              f"{r['rows_in'] / r['seconds']:>10.0f}{r['peak_mb']:>9.0f}  {r['balanced']}")
    a, b = results.values()
    rows_ratio = b["rows_in"] / a["rows_in"]
    time_ratio = b["seconds"] / a["seconds"]
    print()
    print(f"rows x{rows_ratio:.1f}, time x{time_ratio:.1f}: cost growth / row growth = "
          f"{time_ratio / rows_ratio:.2f} (<= 1 means no worse than linear)")
    print(f"large ingest {'under' if b['seconds'] < 60 else 'OVER'} one minute "
          f"({b['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
