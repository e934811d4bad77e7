"""Report batch: plain sequential papermill + nbconvert against ``tlresearch report``.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--territories N] [--notebook PATH]``
(``make bench`` runs it with the defaults; several minutes on 2 cores). Prints, asserts
nothing; exits non-zero only when a report cannot be produced at all.

Set-up, not timed: the demo survey is generated and ingested in a temporary folder
(``tlresearch.demo.write_demo`` then ``tlresearch.ingest.pipeline.run_ingest``). The reports are
one notebook (default ``notebooks/40-panorama.ipynb``, the annual Panorama) for the
wave 2025 and the region ("75") plus its 12 departments: 13 reports, or the first N of
them with ``--territories N`` (the region first) for a quick run.

Measured, each as the wall time of the subprocesses, in this order:

1. **fixed cost per report** of the plain way: ``papermill`` then ``nbconvert --to html
   --no-input`` of an *empty* parameterised notebook written into the temporary folder
   (one ``parameters`` cell, one ``import pandas, geopandas, folium, seaborn`` cell).
   Run ``--fixed-rounds`` times (default 2, the first one also warms the disk cache),
   fastest kept. Fixed cost x number of reports is shown as a share of (a)'s total:
   the part of (a) spent starting interpreters and kernels, importing, and converting,
   whatever the report computes.
2. **(a) plain**: for each territory in turn, ``python -m papermill NOTEBOOK out.ipynb
   -p year 2025 -p territory CODE -p data_dir TMP`` then ``python -m nbconvert --to html
   --no-input out.ipynb`` -- what one would script by hand.
3. **(b) tlresearch report**: ``python -m tlresearch.cli --data-dir TMP report --year 2025
   --territory CODES --notebooks NOTEBOOK --out SITE --no-progress --force`` (its default
   number of workers: one per core).
4. **(b) rerun**: the same command at once, without ``--force`` and with nothing changed;
   every report should be skipped. Shown as a share of the full (b) run.

Then the sizes of the produced HTML reports, for (a) and (b): the region's report and the
largest department report. (a) runs before (b); the files that (a) leaves in the data
folder (caches) are listed, since (b) would profit from them.

Targets: (b)/(a) < 0.3; rerun < 5 % of (b); region report < 3 MB; department report < 1 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
REGION = "75"
PY = sys.executable


def run(cmd: list[str], what: str) -> float:
    """Run ``cmd`` from the checkout; return its wall time. Exit when it fails."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(f"\nFAILED ({what}), exit code {done.returncode}: {' '.join(cmd)}")
        print((done.stdout + done.stderr)[-3000:])
        sys.exit(1)
    return seconds


def plain_report(notebook: Path, out_nb: Path, params: dict[str, str], what: str) -> float:
    """papermill then nbconvert (HTML, no input) of one notebook; seconds taken."""
    cmd = [PY, "-m", "papermill", "--no-progress-bar", str(notebook), str(out_nb)]
    for name, value in params.items():
        cmd += ["-p", name, value]
    seconds = run(cmd, f"papermill {what}")
    seconds += run([PY, "-m", "nbconvert", "--to", "html", "--no-input", str(out_nb)],
                   f"nbconvert {what}")
    return seconds


def write_empty_notebook(path: Path) -> Path:
    """A parameterised notebook that only imports the report stack."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    params = nbformat.v4.new_code_cell(
        'year: int = 2025\nterritory: str = "75"\ndata_dir: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import pandas, geopandas, folium, seaborn")]
    nbformat.write(nb, path)
    return path


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def sizes(reports: dict[str, Path]) -> tuple[float, str, float]:
    """(region MB, code of the largest department report, its MB)."""
    departments = {code: mb(p) for code, p in reports.items() if code != REGION}
    largest = max(departments, key=departments.get) if departments else "-"
    return mb(reports[REGION]), largest, departments.get(largest, float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=None,
                        help="number of territories, the region first (default: all 13)")
    parser.add_argument("--notebook", default="notebooks/40-panorama.ipynb",
                        help="report notebook (default: notebooks/40-panorama.ipynb)")
    parser.add_argument("--fixed-rounds", type=int, default=2,
                        help="runs of the empty notebook, fastest kept (default 2)")
    args = parser.parse_args()

    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.geo.datafrance import departements
    from tlresearch.ingest.pipeline import run_ingest

    notebook = (ROOT / args.notebook).resolve() if not Path(args.notebook).is_absolute() \
        else Path(args.notebook)
    codes = [REGION] + departements(REGION)["code"].tolist()
    if args.territories is not None:
        codes = codes[:max(1, args.territories)]
    n = len(codes)

    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        print(f"generating and ingesting the demo survey in {tmp} (not timed)...")
        started = time.perf_counter()
        paths = DataPaths(data)
        write_demo(paths)
        run_ingest(paths)
        print(f"  done in {time.perf_counter() - started:.0f} s")
        print(f"{n} reports: {notebook.name}, wave {YEAR}, territories {', '.join(codes)}; "
              f"{os.cpu_count()} cores\n")

        # 1. fixed cost of one plain report: papermill + nbconvert of an empty notebook
        empty = write_empty_notebook(tmp / "empty.ipynb")
        fixed_runs = []
        for i in range(max(1, args.fixed_rounds)):
            fixed_runs.append(plain_report(
                empty, tmp / "empty-out.ipynb",
                {"year": str(YEAR), "territory": REGION, "data_dir": str(data)}, "empty notebook"))
            print(f"empty notebook, round {i + 1}: {fixed_runs[-1]:.1f} s")
        fixed = min(fixed_runs)

        # 2. (a) plain sequential papermill + nbconvert
        before = files_under(data)
        plain_dir = tmp / "plain"
        plain_html: dict[str, Path] = {}
        plain_total = 0.0
        for code in codes:
            out_nb = plain_dir / code / f"{notebook.stem}.ipynb"
            out_nb.parent.mkdir(parents=True)
            seconds = plain_report(notebook, out_nb, {"year": str(YEAR), "territory": code,
                                                      "data_dir": str(data)}, f"report {code}")
            plain_total += seconds
            plain_html[code] = out_nb.with_suffix(".html")
            print(f"(a) {code:>3}: {seconds:6.1f} s")
        new_files = sorted(files_under(data) - before)
        if new_files:
            print(f"(a) left {len(new_files)} new file(s) in the data folder: "
                  + ", ".join(new_files[:5]) + (" ..." if len(new_files) > 5 else ""))

        # 3. (b) tlresearch report, forced; 4. immediate rerun, nothing changed
        site = tmp / "site"
        cmd = [PY, "-m", "tlresearch.cli", "--data-dir", str(data), "report",
               "--year", str(YEAR), "--territory", ",".join(codes),
               "--notebooks", str(notebook), "--out", str(site), "--no-progress"]
        ours = run(cmd + ["--force"], "tlresearch report --force")
        totals_full = _totals(site)
        print(f"(b) tlresearch report --force: {ours:.1f} s ({totals_full})")
        rerun = run(cmd, "tlresearch report (rerun)")
        totals_rerun = _totals(site)
        print(f"(b) rerun, nothing changed:    {rerun:.1f} s ({totals_rerun})")
        ours_html = {code: site / str(YEAR) / code / f"{notebook.stem}.html" for code in codes}

        # summary
        print(f"\n{'':<44}{'seconds':>9}{'target':>12}")
        print(f"{'(a) papermill + nbconvert, sequential':<44}{plain_total:>9.1f}")
        print(f"{'(b) tlresearch report --force':<44}{ours:>9.1f}")
        print(f"{'ratio (b)/(a)':<44}{ours / plain_total:>9.2f}{'< 0.3':>12}")
        print(f"{'(b) rerun, nothing changed':<44}{rerun:>9.1f}")
        print(f"{'rerun / (b)':<44}{100 * rerun / ours:>8.1f}%{'< 5 %':>12}")
        print(f"{'fixed cost per plain report (empty nb.)':<44}{fixed:>9.1f}")
        print(f"{f'fixed cost x {n} reports':<44}{fixed * n:>9.1f}")
        print(f"{'  as a share of (a)':<44}{100 * fixed * n / plain_total:>8.1f}%")
        print(f"{'  (a) per report, mean':<44}{plain_total / n:>9.1f}")

        print(f"\n{'report size, MB':<44}{'(a) plain':>11}{'(b) ours':>11}{'target':>10}")
        a_region, a_dep, a_dep_mb = sizes(plain_html)
        b_region, b_dep, b_dep_mb = sizes(ours_html)
        print(f"{'region (' + REGION + ')':<44}{a_region:>11.2f}{b_region:>11.2f}{'< 3':>10}")
        print(f"{f'largest department ((a) {a_dep}, (b) {b_dep})':<44}"
              f"{a_dep_mb:>11.2f}{b_dep_mb:>11.2f}{'< 1':>10}")


def _totals(site: Path) -> str:
    """'13 fresh, 0 skipped, 0 failed' from the runner's last_run.json."""
    try:
        totals = json.loads((site / ".state" / "last_run.json").read_text())["totals"]
        return ", ".join(f"{totals[k]} {k}" for k in ("fresh", "skipped", "failed"))
    except (OSError, KeyError, TypeError, ValueError):
        return "no summary"


if __name__ == "__main__":
    main()
