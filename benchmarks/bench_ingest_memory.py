"""Bounded memory and the cost of a consistent publish, measured side by side in one run.

Run: ``.venv/bin/python benchmarks/bench_ingest_memory.py [--rows 20000 2000000]``.

1. Peak memory (max RSS) and time to read a 20 000-row and a 2 000 000-row CSV export
   (generated in a temporary folder first, not timed), each in its own child process
   (peak = the child's VmHWM: its ru_maxrss would start at this parent's peak, vfork),
   and to ingest a whole wave (read, harmonise, validate, de-duplicate, communes) of
   ``--wave-rows`` rows, harmonised and validated in chunks of
   :data:`tlresearch.ingest.wave.CHUNK_ROWS` rows and, side by side, in one pass (the
   reader streams; communes and de-duplication still see the whole wave), and the
   whole ingest of ``--ingest-rows`` rows: ``run_ingest``, what ``tlresearch ingest``
   does (every wave, panel, linkage, quality log, Parquet, publish), in a fresh data
   folder (its geography is built once, as on a first run).
2. The time of one consistent publish (version folder + one switched link) against
   today's per-file atomic writes of the same bytes, alternated in one loop.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: One measured run in a process of its own (read, one wave, whole ingest), shared with
#: tests/test_memory_budget.py.
PROBE = Path(__file__).parent.parent / "tests" / "helpers" / "memory_probe.py"

COMMUNES = [("Bègles", "33130", "33039"), ("Limoges", "87000", "87085"),
            ("Pau", "64000", "64445"), ("Poitiers", "86000", "86194"),
            ("Niort", "79000", "79191")]


def write_export(path: Path, rows: int) -> int:
    """A survey export of ``rows`` responses (about 100 bytes each); returns its size."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("NOM;COMMUNE;CP;INSEE;SIRET;STATUT;SALARIES;CDI;CDD;ETP;OUVERTURE;DATE;"
                     "EMAIL\n")
        for i in range(rows):
            name, postcode, code = COMMUNES[i % 5]
            handle.write(f"Tiers-lieu numéro {i} de {name};{name};{postcode};{code};;"
                         f"Association;{i % 7};{i % 3};{i % 2};{i % 5},5;{2000 + i % 20};"
                         f"{1 + i % 28:02d}/03/2024;contact{i}@exemple.fr\n")
    return path.stat().st_size


def child(mode: str, *args: str) -> dict:
    """What :data:`PROBE` measured for ``mode`` in a process of its own."""
    done = subprocess.run([sys.executable, str(PROBE), mode, *args], capture_output=True,
                          text=True)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def publish_cost(repeats: int) -> tuple[float, float, int]:
    """Seconds per publish: per-file atomic writes vs one version folder and a switch."""
    from tlresearch.core.panel_versions import publish
    from tlresearch.core.storage import atomic_write_bytes
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest

    with tempfile.TemporaryDirectory() as tmp:
        from tlresearch.core.paths import DataPaths

        paths = DataPaths(Path(tmp) / "demo")
        write_demo(paths)
        run_ingest(paths)  # the demo panel: the files one ingest publishes
        folder = paths.processed / "current"
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        per_file, versioned = 0.0, 0.0
        for run in range(repeats):
            changed = {**files, "run.txt": str(run).encode()}  # new content every time
            started = time.perf_counter()
            for name, data in changed.items():
                atomic_write_bytes(Path(tmp) / "per_file" / name, data)
            per_file += time.perf_counter() - started
            started = time.perf_counter()
            publish(Path(tmp) / "versioned", changed)
            versioned += time.perf_counter() - started
        return per_file / repeats, versioned / repeats, sum(map(len, files.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 2_000_000])
    parser.add_argument("--wave-rows", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--ingest-rows", type=int, nargs="+", default=[20_000, 2_000_000])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    codebook = Path(__file__).parent.parent / "tests" / "data" / "bad" / "codebook.yaml"
    print(f"{'measure':<34}{'rows':>10}{'file MB':>9}{'seconds':>9}{'rows/s':>9}{'peak MB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sorted(set(args.rows) | set(args.wave_rows) | set(args.ingest_rows)):
            export = Path(tmp) / f"export_{rows}.csv"
            size = write_export(export, rows) / 2 ** 20
            measures = []
            if rows in args.rows:
                measures.append(("read the export (streamed)", child("read", str(export))))
            if rows in args.wave_rows:
                from tlresearch.ingest.wave import CHUNK_ROWS

                for label, chunk in (("ingest one wave, in chunks", CHUNK_ROWS),
                                     ("ingest one wave, one pass", 10 ** 9)):
                    measures.append((label, child("wave", str(export), f"{tmp}/wave_{rows}_{chunk}",
                                                  str(codebook), str(chunk))))
            if rows in args.ingest_rows:
                measures.append(("whole ingest (run_ingest)",
                                  child("ingest", str(export), f"{tmp}/ingest_{rows}",
                                        str(codebook))))
            for label, result in measures:
                if "error" in result:
                    print(f"{label:<34}{rows:>10}{size:>9.0f}  failed: {result['error']}")
                    continue
                print(f"{label:<34}{result['rows_in']:>10}{size:>9.0f}{result['seconds']:>9.1f}"
                      f"{result['rows_in'] / result['seconds']:>9.0f}{result['peak_mb']:>9.0f}")
            export.unlink()
    per_file, versioned, size = publish_cost(args.repeats)
    print()
    print(f"publish of the demo panel ({size / 2 ** 20:.1f} MB, {args.repeats} runs alternated): "
          f"per-file atomic writes {per_file * 1000:.1f} ms, one version + switch "
          f"{versioned * 1000:.1f} ms, ratio {versioned / per_file:.2f}")


if __name__ == "__main__":
    main()
