"""Bounded memory: a large CSV export is read under an address-space cap.

The reader streams the records from the bytes into columns and keeps a value repeated
down a column once (tlresearch.io.raw_tables.MEMORY_BUDGET). The child process below
caps its address space with ``resource.setrlimit``: a reader that kept the lines and
the records of the file besides its cells (as before) runs out of memory at this cap
on this file. Times and peaks for 20 000 and 2 000 000 rows: benchmarks/bench_ingest_memory.py.
"""
import subprocess
import sys
import textwrap

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
