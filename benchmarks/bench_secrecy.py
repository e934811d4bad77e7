"""Statistical secrecy of one wave: table by table (before) against one grid (after).

Run: ``.venv/bin/python benchmarks/bench_secrecy.py [--wave 2025]``. Prints, asserts nothing.

On the demo survey (written and ingested in a temporary folder first, not timed), for
the latest wave:

* **before** — each table protected on its own, as the pages did: the region's
  département × type count and ETP tables, and each territory's table by type (the
  region's and every département's);
* **after** — :func:`tlresearch.secrecy.wave_secrecy.protect_wave`: one grid, counts and
  ETP hiding the same cells, rare types merged when a table is mostly secret.

Printed per table: non-empty inner cells, hidden ones and their share, share of the
table's value hidden; then the *leaks* of the before case (a cell hidden in one table
and printed in another page's table: a reader who has both pages reads it), the
leaks after (the same count on the pages the grid prints), the time the grid's
protection and its site-wide audit take, and the number of cells Tau-Argus's optimal
suppression (pytauargus, HiGHS, FREQ(3,0) + OPT) hides on the same count table.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=int, default=None, help="wave (default: the latest)")
    args = parser.parse_args()

    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest
    from tlresearch.secrecy.protection import apply_secrecy, audit_table, protect_table
    from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT, format_loss, protect_wave, table_loss

    with tempfile.TemporaryDirectory() as folder:
        paths = DataPaths(Path(folder) / "data")
        write_demo(paths)
        run_ingest(paths)
        responses = pd.read_parquet(paths.processed_table("responses"))
    wave_number = args.wave or int(responses["wave"].max())
    wave = responses[responses["wave"] == wave_number].copy()
    wave["departement_code"] = wave["departement_code"].astype("string")
    print(f"Wave {wave_number}: {len(wave)} respondents, "
          f"{int(wave['departement_code'].isna().sum())} of unknown commune\n")

    # --- before: every table alone ------------------------------------------------------
    known = wave.dropna(subset=["departement_code"])
    before = {"dép. × type (lieux)": protect_table(known, "departement_code", "typology"),
              "dép. × type (ETP)": protect_table(known, "departement_code", "typology",
                                                 value="etp")}
    pages = {"région": protect_table(wave, "typology")}
    for code in sorted(known["departement_code"].unique()):
        pages[code] = protect_table(known[known["departement_code"] == code], "typology")
    rows = [dict(table=name, **table_loss(t)) for name, t in before.items()]
    rows += [dict(table=f"page {name} par type", **table_loss(t)) for name, t in pages.items()]
    print("BEFORE (each table alone)")
    print(format_loss(pd.DataFrame(rows)).to_string(index=False))
    cross = before["dép. × type (lieux)"]
    leaks = 0
    for code, page in pages.items():
        row = cross.total_label if code == "région" else code
        for typology in page.values.index[:-1]:
            if row in cross.suppressed.index and typology in cross.suppressed.columns:
                shown = not page.suppressed.loc[typology].iloc[0]
                leaks += int(shown and cross.suppressed.loc[row, typology])
    print(f"\nleaks before: {leaks} cells hidden in the région's département × type table "
          "but printed on a territory's page\n")

    # --- after: one grid ------------------------------------------------------------------
    started = time.perf_counter()
    grid = protect_wave(wave)
    protect_seconds = time.perf_counter() - started
    started = time.perf_counter()
    audit = grid.audit()
    audit_seconds = time.perf_counter() - started
    print("AFTER (one grid for the wave)")
    print(format_loss(grid.information_loss()).to_string(index=False))
    print(f"types merged into « autres types »: {', '.join(grid.merged_types) or 'none'}")
    leaks_after = 0
    for code in [None, *[d for d in grid.counts.values.index[:-1] if d != UNKNOWN_DEPARTEMENT]]:
        table = grid.territory_table(code).set_index("typology")
        row = grid.total if code is None else code
        for typology, text in table["Lieux répondants"].items():
            leaks_after += int(text != "s" and bool(grid.hidden.loc[row, typology]))
    print(f"leaks after: {leaks_after}; hidden cells recoverable by the audit: "
          f"{int(audit['recoverable'].sum())} of {len(audit)}")
    print(f"grid protection {protect_seconds:.2f} s, site-wide audit {audit_seconds:.2f} s")

    # --- oracle ---------------------------------------------------------------------------
    try:
        from pytauargus import protect
    except ImportError:
        print("pytauargus not installed: no comparison with Tau-Argus")
        return
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # the engine writes its logs (CSPlogfile.txt...) into the cwd
        result = protect(known.assign(un=1.0)[["departement_code", "typology", "un"]],
                         ["departement_code", "typology"], response="un",
                         safety_rules="FREQ(3,0)", suppress="OPT(1)", workdir=folder)
    cells = result.tables[0].dataframe()
    cells = cells.assign(hidden=cells["status"].isin(["U", "M"]))
    ours = before["dép. × type (lieux)"]
    total = ours.total_label
    for key in ("departement_code", "typology"):
        cells[key] = cells[key].str.strip().replace({"Total": total})
    tau_mask = cells.pivot(index="departement_code", columns="typology", values="hidden")
    inner = known.groupby(["departement_code", "typology"]).size().unstack(fill_value=0)
    tau_pattern = apply_secrecy(inner, suppressed=tau_mask.astype(bool), secondary=False)
    completed = apply_secrecy(inner, suppressed=tau_mask.astype(bool), secondary=True)
    print("\ndép. × type count table, margins included (before case):")
    print(f"  Tau-Argus OPT hides {int(cells['hidden'].sum())} cells; our audit, which knows that "
          f"a hidden count is >= 1 (zeros are published), recovers "
          f"{int(audit_table(tau_pattern)['recoverable'].sum())} of them")
    print(f"  Tau-Argus OPT completed by our audit: {int(completed.suppressed.to_numpy().sum())} "
          f"cells; ours: {int(ours.suppressed.to_numpy().sum())} "
          f"(recoverable: {int(audit_table(ours)['recoverable'].sum())})")


if __name__ == "__main__":
    main()
