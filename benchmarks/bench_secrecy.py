"""Statistical secrecy of every demo wave: what is published, hidden, and how close an
intruder gets — ours against Tau-Argus's optimal suppression of the same table.

Run: ``.venv/bin/python benchmarks/bench_secrecy.py [--wave 2025] [--history]``. Prints,
asserts nothing.

On the demo survey (written and ingested in a temporary folder first, not timed):

* **every wave** — published figures (every figure the wave's Panorama and
  professionalisation pages print, read back from their CSV files and cards), hidden
  cells of the grid (primary / secondary, every table), the types of place the region's
  ETP table shows, hidden cells the audit bounds within ±10 % (forbidden: must be 0)
  and within ±30 % (reported), the time to protect the wave's grid and to audit it;
  then Tau-Argus (pytauargus, HiGHS, FREQ(3,0) and NK(1,85), OPT) on the grid's ETP
  table with the same types: cells it hides (primary), and its pattern audited by ours;
  and the share of value hidden per table;
* the **site-wide audit** of the wave (``--wave``): before (each table alone) and after
  (the wave's grid), from the published figures;
* **transitions** between consecutive waves, protected with the key figures that give
  their margins: pairs, hidden, withheld, ±10 % / ±30 %;
* with ``--history``, the time to protect every wave's grid with the audit as it was
  (two LPs per hidden cell each round) and as it is, and to read a grid back from its
  cache.
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

#: Reasons of a primary cell.
PRIMARY = ["primary_count", "primary_dominance", "primary_named"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=int, default=None,
                        help="wave of the site-wide audit (default: the latest)")
    parser.add_argument("--history", action="store_true",
                        help="also the comparisons with the solver and audit as they were")
    args = parser.parse_args()

    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest

    with tempfile.TemporaryDirectory() as folder:
        paths = DataPaths(Path(folder) / "data")
        write_demo(paths)
        run_ingest(paths)
        responses = pd.read_parquet(paths.processed_table("responses"))
        staff = pd.read_parquet(paths.processed_table("staff"))
    wave_number = args.wave or int(responses["wave"].max())
    every_wave(responses, staff)
    site_wide(staff, responses, wave_number)
    transitions_by_wave(responses)
    if args.history:
        speed(responses)


def every_wave(responses: pd.DataFrame, staff: pd.DataFrame) -> None:
    """Per demo wave: what the pages publish, what the grid hides and why, the audit with
    protection intervals, and Tau-Argus's optimal suppression of the same ETP table."""
    from tlresearch.report.page_secrecy import wave_grids
    from tlresearch.report.published_facts import site_facts
    from tlresearch.secrecy.wave_cache import MARGIN_SUMS, PAGE_SUMS
    from tlresearch.secrecy.wave_secrecy import protect_wave

    print("EVERY DEMO WAVE (grid: ETP by département × type; by territory: "
          + ", ".join(MARGIN_SUMS) + "); audit: no hidden cell within ±10 %, ±30 % reported")
    print("wave  places  figures  hidden (prim./sec.)  types at region  ±10 %  ±30 %  "
          "protect (s)  audit (s)  | ETP table: ours hidden (prim.)  Tau OPT hidden (prim.)  "
          "Tau ±10 %  Tau ±30 %")
    shares: dict[int, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory() as folder:
        grid_for = wave_grids(responses, folder=Path(folder))
        for wave in sorted(int(w) for w in responses["wave"].unique()):
            rows = responses[responses["wave"] == wave]
            started = time.perf_counter()
            grid = protect_wave(rows, sums=PAGE_SUMS, margin_sums=MARGIN_SUMS)
            protect_seconds = time.perf_counter() - started
            started = time.perf_counter()
            audit = grid.audit()
            audit_seconds = time.perf_counter() - started
            figures = len(site_facts(responses, staff, wave, grid_for, resamples=5))
            reasons = pd.concat([t.reason.stack() for t in grid.tables().values()])
            primary = int(reasons.isin(PRIMARY).sum())
            secondary = int((reasons == "secondary").sum())
            etp = grid.sums.get("etp")
            types = "no ETP" if etp is None else (
                f"{int((~etp.suppressed.loc[etp.total_label]).sum()) - 1} of "
                f"{len(etp.values.columns) - 1}")
            tau = tau_argus(rows, grid)
            ours = "no ETP asked" if etp is None else (
                f"{int(etp.suppressed.to_numpy().sum()):3d} "
                f"({int(etp.reason.isin(PRIMARY).to_numpy().sum()):2d})")
            print(f"{wave}  {len(rows):6d}  {figures:7d}  {primary + secondary:6d} "
                  f"({primary:3d}/{secondary:3d})  {types:>15s}  {int(audit['recoverable'].sum()):5d}"
                  f"  {int(audit['within_30'].sum()):5d}  {protect_seconds:11.2f}  "
                  f"{audit_seconds:9.2f}  | {ours:>30s}  {tau}")
            shares[wave] = grid.information_loss()
    print("\nshare of value hidden per table (%), by wave:")
    table = pd.DataFrame({w: (100 * loss.set_index("table")["hidden_value_share"]).round(1)
                          for w, loss in shares.items()})
    print(table.to_string())


def tau_argus(rows: pd.DataFrame, grid) -> str:
    """Tau-Argus (pytauargus, HiGHS) on the grid's ETP table, same types, FREQ(3,0) and
    NK(1,85), optimal suppression; its pattern audited by ours (±10 %, ±30 %)."""
    try:
        from pytauargus import protect
    except ImportError:
        return "pytauargus not installed"
    from tlresearch.secrecy.protection import audit_table, protect_table
    from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT

    if "etp" not in grid.sums:
        return "no ETP asked"
    data = rows.dropna(subset=["etp"]).assign(
        departement_code=lambda f: f["departement_code"].astype("string")
        .fillna(UNKNOWN_DEPARTEMENT).astype(str),
        typology=lambda f: f["typology"].astype("string").fillna("non_renseigne")
        .map(grid.type_of).astype(str),
        etp=lambda f: f["etp"].astype(float))
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # the engine writes its logs (CSPlogfile.txt...) into the cwd
        try:
            result = protect(data[["departement_code", "typology", "etp"]],
                             ["departement_code", "typology"], response="etp",
                             safety_rules="NK(1,85)|FREQ(3,0)", suppress="OPT(1)",
                             workdir=folder)
        finally:
            os.chdir(here)
    cells = result.tables[0].dataframe()
    total = grid.sums["etp"].total_label
    for key in ("departement_code", "typology"):
        cells[key] = cells[key].astype(str).str.strip().replace({"Total": total})
    hidden = cells.assign(h=cells["status"].isin(["U", "M"])).pivot(
        index="departement_code", columns="typology", values="h").astype(bool)
    pattern = protect_table(data, "departement_code", "typology", value="etp",
                            suppressed=hidden, secondary=False)
    # Cells Tau leaves in clear but our stricter primary rule (3 contributors) hides are
    # hidden by the line above too: count Tau's own cells only.
    audit = audit_table(pattern)
    audit = audit[[bool(hidden.loc[r, c]) for r, c in zip(audit.iloc[:, 0], audit.iloc[:, 1])]]
    return (f"{int(hidden.to_numpy().sum()):14d} ({int((cells['status'] == 'U').sum()):2d})"
            f"  {int(audit['recoverable'].sum()):9d}  {int(audit['within_30'].sum()):9d}")


def transitions_by_wave(responses: pd.DataFrame) -> None:
    """The region's transitions between consecutive waves, protected with the key
    figures that give their margins."""
    from tlresearch.stats.transition_secrecy import protect_transitions

    print("\nTRANSITIONS (region; margins: places in each state at each wave, from the key "
          "figures)")
    print("waves       pairs  hidden  withheld  value hidden  ±10 %  ±30 %")
    waves = sorted(int(w) for w in responses["wave"].unique())
    for before, after in zip(waves, waves[1:]):
        grid = protect_transitions(responses, before, after)
        loss, audit = grid.information_loss(), grid.audit()
        print(f"{before}→{after}  {loss['cells']:5d}  {loss['hidden_cells']:6d}  "
              f"{str(grid.withheld):8s}  {100 * loss['hidden_value_share']:11.1f} %  "
              f"{int(audit['recoverable'].astype(bool).sum()):5d}  "
              f"{int(audit['within_30'].astype(bool).sum()):5d}")


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
    from tlresearch.secrecy.wave_secrecy import UNKNOWN_DEPARTEMENT, WaveSecrecy

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


if __name__ == "__main__":
    main()
