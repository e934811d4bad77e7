"""One measured run of the reader or of ingest, in a process of its own.

Run as a script by ``tests/test_memory_budget.py`` and by
``benchmarks/bench_ingest_memory.py`` (one copy of what both measure)::

    python tests/helpers/memory_probe.py read   EXPORT
    python tests/helpers/memory_probe.py wave   EXPORT FOLDER CODEBOOK CHUNK_ROWS
    python tests/helpers/memory_probe.py ingest EXPORT FOLDER CODEBOOK

``wave`` and ``ingest`` put ``EXPORT`` into a fresh data folder as wave 2024, read
through ``CODEBOOK`` (its ``file`` pointed at the copy). One JSON line is printed:
``seconds``, ``rows_in``, ``accounted`` (kept + quarantined), ``published`` (rows of the
panel, ingest only) and ``peak_mb``: the process's VmHWM, not its ``ru_maxrss`` — a child
started by vfork inherits its parent's peak there (a pytest process of 600 MB).
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    status = Path("/proc/self/status").read_text().split("VmHWM:")[1]
    return int(status.split()[0]) / 1024


def _data_folder(export: str, folder: str, codebook_file: str):
    """A data folder holding ``export`` as wave 2024, and the codebook that reads it."""
    import yaml

    from tlresearch.core.paths import DataPaths

    paths = DataPaths(Path(folder))
    (paths.raw / "2024").mkdir(parents=True)
    shutil.copy(export, paths.raw / "2024" / "export.csv")
    codebook = yaml.safe_load(Path(codebook_file).read_text(encoding="utf-8"))
    codebook["file"] = "2024/export.csv"
    return paths, codebook


def measure(mode: str, export: str, *args: str) -> dict:
    """Run ``mode`` on ``export`` (see the module's docstring) and say what it took."""
    started = time.perf_counter()
    if mode == "read":
        from tlresearch.io.raw_tables import read_table

        started = time.perf_counter()
        table = read_table(export)
        out = {"rows_in": table.records_in, "accounted": len(table.frame)}
    elif mode == "wave":
        from tlresearch.ingest.wave import ingest_wave
        from tlresearch.spec.codebook import parse_codebook

        paths, codebook = _data_folder(export, args[0], args[1])
        started = time.perf_counter()
        result = ingest_wave(paths, parse_codebook(codebook), chunk_rows=int(args[2]))
        out = {"rows_in": result.rows_in,
               "accounted": len(result.kept) + len(result.quarantine)}
    elif mode == "ingest":
        import yaml

        from tlresearch.ingest.pipeline import run_ingest

        paths, codebook = _data_folder(export, args[0], args[1])
        paths.codebooks.mkdir(parents=True)
        (paths.codebooks / "2024.yaml").write_text(yaml.safe_dump(codebook, allow_unicode=True),
                                                   encoding="utf-8")
        started = time.perf_counter()
        result = run_ingest(paths)
        row = result.conservation.iloc[0]
        out = {"rows_in": int(row["rows_in"]), "accounted": int(row["kept"] + row["quarantined"]),
               "published": len(result.tables["responses"])}
    else:
        raise SystemExit(f"unknown mode {mode!r}: read, wave or ingest")
    return {"seconds": time.perf_counter() - started, **out, "peak_mb": _peak_mb()}


if __name__ == "__main__":
    print(json.dumps(measure(*sys.argv[1:])))
