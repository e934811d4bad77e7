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

Then, side by side in this run: the time to protect every wave's grid (the sums the
pages print) with the audit as it was (two LPs per hidden cell each round) and as it is
(cells certified by feasible points, and remembered), and to read a solved grid back
from its cache; the **site-wide audit** of everything the Panorama pages of the wave
publish (read back from their CSV files and cards), before (each table alone) and
after (the wave's grid), with its time; and the transitions table of the region.
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
    from tlresearch.secrecy.wave_cache import MARGIN_SUMS, PAGE_SUMS
    from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT, format_loss, protect_wave, table_loss

    with tempfile.TemporaryDirectory() as folder:
        paths = DataPaths(Path(folder) / "data")
        write_demo(paths)
        run_ingest(paths)
        responses = pd.read_parquet(paths.processed_table("responses"))
        staff = pd.read_parquet(paths.processed_table("staff"))
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
    grid = protect_wave(wave, sums=PAGE_SUMS, margin_sums=MARGIN_SUMS)
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
        for typology, text in table["ETP"].items():  # the counts are public: not a leak
            leaks_after += int(text != "s" and bool(grid.hidden.loc[row, typology]))
    print(f"leaks after: {leaks_after}; hidden cells recoverable by the audit: "
          f"{int(audit['recoverable'].sum())} of {len(audit)}")
    print(f"grid protection {protect_seconds:.2f} s, site-wide audit {audit_seconds:.2f} s")
    speed(responses)
    site_wide(staff, responses, wave_number)

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
    # The table the pages protect now: the grid's ETP (magnitude, rare types merged).
    merged = wave.dropna(subset=["etp"]).assign(
        departement_code=lambda f: f["departement_code"].fillna(UNKNOWN_DEPARTEMENT),
        typology=lambda f: f["typology"].map(grid.type_of).astype(str),
        etp=lambda f: f["etp"].astype(float))
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        result = protect(merged[["departement_code", "typology", "etp"]],
                         ["departement_code", "typology"], response="etp",
                         safety_rules="NK(1,85)|FREQ(3,0)", suppress="OPT(1)", workdir=folder)
    status = result.tables[0].dataframe()["status"]
    etp = grid.sums["etp"]
    print("\nthe grid's ETP table (after), margins included, same rules (FREQ(3,0), NK(1,85)):")
    print(f"  Tau-Argus OPT hides {int(status.isin(['U', 'M']).sum())} cells "
          f"({int((status == 'U').sum())} primary); ours {int(etp.suppressed.to_numpy().sum())} "
          f"({int(etp.reason.isin(['primary_count', 'primary_dominance']).to_numpy().sum())} "
          "primary)")


def speed(responses: pd.DataFrame) -> None:
    """Every wave's grid: the audit as it was against as it is, and the cache."""
    import numpy as np

    from tlresearch.secrecy import cell_suppression as cs
    from tlresearch.secrecy.wave_cache import MARGIN_SUMS, PAGE_SUMS, wave_secrecy

    def as_it_was(v, hidden, lines, kind, rule, safe=None):  # two LPs per cell, each round
        problem = cs._Intruder(v, hidden, lines, kind)
        for k, cell in enumerate(problem.unknown):
            low, high = problem.interval(k)
            if cs.too_narrow(np.array([low]), np.array([high]), v[[cell]], v, rule)[0]:
                return int(cell)
        return None

    print("\nEVERY WAVE'S GRID (sums by type: " + ", ".join(PAGE_SUMS) + "; by territory: "
          + ", ".join(MARGIN_SUMS) + ")")
    print("wave  places  before (s)  after (s)  ratio  cached read (s)  hidden")
    current = cs.first_recoverable
    totals = [0.0, 0.0]
    with tempfile.TemporaryDirectory() as folder:
        for wave in sorted(responses["wave"].unique()):
            cs.first_recoverable = as_it_was
            started = time.perf_counter()
            before = wave_secrecy(responses, wave, None)
            old = time.perf_counter() - started
            cs.first_recoverable = current
            started = time.perf_counter()
            after = wave_secrecy(responses, wave, Path(folder))
            new = time.perf_counter() - started
            started = time.perf_counter()
            wave_secrecy(responses, wave, Path(folder))
            read = time.perf_counter() - started
            totals[0] += old
            totals[1] += new
            print(f"{wave}  {int((responses['wave'] == wave).sum()):6d}  {old:10.2f}  {new:9.2f}"
                  f"  {old / new:5.1f}  {read:15.2f}  {int(after.hidden.to_numpy().sum())}"
                  f" (before: {int(before.hidden.to_numpy().sum())})")
    print(f"all waves: {totals[0]:.1f} s before, {totals[1]:.1f} s after "
          f"(x{totals[0] / totals[1]:.1f})")


def site_wide(staff: pd.DataFrame, responses: pd.DataFrame, wave: int) -> None:
    """The site-wide audit of the wave's Panorama pages, before and after."""
    from tlresearch.report.page_secrecy import wave_grids
    from tlresearch.report.published_facts import site_facts
    from tlresearch.secrecy.protection import protect_table
    from tlresearch.secrecy.site_audit import audit_site
    from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT, WaveSecrecy, format_loss
    from tlresearch.stats.transition_secrecy import protect_transitions

    with tempfile.TemporaryDirectory() as folder:
        grid_for = wave_grids(responses, folder=Path(folder))
        rows = responses[responses["wave"] == wave].assign(
            departement_code=lambda f: f["departement_code"].astype("string")
            .fillna(UNKNOWN_DEPARTEMENT))
        alone = WaveSecrecy(protect_table(rows, "departement_code", "typology"),
                            {"etp": protect_table(rows, "departement_code", "typology",
                                                  value="etp")})
        print(f"\nSITE-WIDE AUDIT of the {wave} Panorama pages (region + départements: "
              "tables by département × type, indicators by type, key figures)")
        for label, grid, joint in (("before", alone, False), ("after", grid_for(wave), True)):
            started = time.perf_counter()
            facts = site_facts(responses, staff, wave, grid_for, joint=joint)
            collected = time.perf_counter() - started
            started = time.perf_counter()
            audit = audit_site(grid, facts)
            solved = time.perf_counter() - started
            kinds = facts.assign(kind=facts["source"].str.split(" : ").str[-1],
                                 secret=facts["high"] == float("inf"))
            shares = kinds.groupby("kind")["secret"].agg(["size", "mean"])
            print(f"  {label}, « s » among the figures each kind of table prints (13 pages): "
                  + "; ".join(f"{k} {int(r['size'])} figures, {100 * r['mean']:.1f} % s"
                              for k, r in shares.iterrows()))
            print(f"  {label}: {len(facts)} published figures; hidden cells {len(audit)}, "
                  f"printed in clear elsewhere {int(audit['printed'].sum())}, recovered "
                  f"{int(audit['recoverable'].sum())}; collecting {collected:.1f} s, "
                  f"LP audit {solved:.1f} s")
        previous = int(sorted(responses["wave"].unique())[-2])
        transitions = protect_transitions(responses, previous, wave)
        loss = pd.DataFrame([dict(**transitions.information_loss())])
        from tlresearch.stats.trends import transitions as raw_transitions

        small = 0
        for code in ["75", *sorted(rows["departement_code"].unique())]:
            if code == UNKNOWN_DEPARTEMENT:
                continue
            where = ("region", code) if code == "75" else ("departement", code)
            table = raw_transitions(responses, previous, wave, territory=where)
            small += int(table["value"].between(1, 2).sum())
        print(f"\nTRANSITIONS {previous} → {wave}: before, {small} rows on 1-2 places printed in "
              "clear across the region's and départements' pages; after (region page only):")
        print(format_loss(loss).to_string(index=False))
        print(f"  recovered by the audit: {int(transitions.audit()['recoverable'].sum())}")


if __name__ == "__main__":
    main()
