"""Bounded memory: a large CSV export is read under a cap; a whole ingest within its budget.

The reader streams the records from the bytes into columns and keeps a value repeated
down a column once (tlresearch.io.raw_tables.MEMORY_BUDGET). The child process below
caps its address space with ``resource.setrlimit``: a reader that kept the lines and
the records of the file besides its cells (as before) runs out of memory at this cap
on this file. Times and peaks for 20 000 and 2 000 000 rows: benchmarks/bench_ingest_memory.py.
"""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

#: Address space allowed to the child (libraries included: about 370 MB once imported).
CAP_MB = 560
ROWS = 200_000

CHILD = textwrap.dedent("""
    import resource, sys
    from tlresearch.io.raw_tables import read_table
    import pandas  # noqa: F401 -- loaded before the cap, as in any ingest
    cap = int(sys.argv[2]) * 2 ** 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    table = read_table(sys.argv[1])
    print(len(table.frame), table.records_in, table.frame["NOM"].iloc[-1])
""")


def write_export(path, rows: int) -> None:
    """A survey export of ``rows`` responses (about 75 bytes each), as an export tool writes."""
    communes = [("Bègles", "33130", "33039"), ("Limoges", "87000", "87085"),
                ("Pau", "64000", "64445"), ("Poitiers", "86000", "86194")]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("NOM;COMMUNE;CP;INSEE;SIRET;STATUT;SALARIES;CDI;CDD;ETP;OUVERTURE;DATE;"
                     "EMAIL\n")
        for i in range(rows):
            name, postcode, code = communes[i % 4]
            handle.write(f"Lieu {i};{name};{postcode};{code};;Association;{i % 7};{i % 3};"
                         f"{i % 2};{i % 5},5;{2000 + i % 20};{1 + i % 28:02d}/03/2024;\n")


def test_a_large_export_is_read_under_a_memory_cap(tmp_path):
    export = tmp_path / "export.csv"
    write_export(export, ROWS)
    run = subprocess.run([sys.executable, "-c", CHILD, str(export), str(CAP_MB)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-800:]
    assert run.stdout.split() == [str(ROWS), str(ROWS), "Lieu", str(ROWS - 1)]


#: The README's budget of a whole ingest (``run_ingest``: what ``tlresearch ingest`` does,
#: read, harmonise, validate, communes, duplicates, linkage, panel tables, quality log,
#: Parquet and publish, in a fresh data folder whose geography is built on the way), as
#: peak resident memory: a fixed part (libraries, the region's geography) and a part per
#: row. Measured by benchmarks/bench_ingest_memory.py: 20 000 rows 551 MB, 2 000 000 rows
#: 3 045 MB (before: 5 062 MB).
INGEST_BUDGET_MB, INGEST_BUDGET_KB_PER_ROW = 650, 1.3
INGEST_ROWS = 20_000

#: One measured run in a process of its own, shared with the benchmark.
PROBE = Path(__file__).parent / "helpers" / "memory_probe.py"


def test_a_whole_ingest_stays_within_the_stated_budget(tmp_path):
    export = tmp_path / "export.csv"
    write_export(export, INGEST_ROWS)
    codebook = Path(__file__).parent / "data" / "bad" / "codebook.yaml"
    run = subprocess.run([sys.executable, str(PROBE), "ingest", str(export), str(tmp_path / "d"),
                          str(codebook)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-800:]
    measured = json.loads(run.stdout.strip().splitlines()[-1])
    assert measured["rows_in"] == measured["accounted"] == INGEST_ROWS
    # The rules set some rows aside, and the panel is not empty.
    assert 0 < measured["published"] < INGEST_ROWS
    budget = INGEST_BUDGET_MB + INGEST_BUDGET_KB_PER_ROW * INGEST_ROWS / 1024
    assert measured["peak_mb"] <= budget, \
        f"peak {measured['peak_mb']:.0f} MB above the budget {budget:.0f} MB"
