"""Coverage and non-response-adjusted totals of the demo, wave by wave, against its truth.

For every demo wave: respondents, known places and coverage; for CDI, ETP and salaried
jobs the respondents' sum, the adjusted estimate with its 95 % interval, the true total
of all open places (``data/demo_truth``) and whether the interval covers it; and the
time to compute one wave's weights (raking + jackknife replicates).

    .venv/bin/python benchmarks/adjusted_totals.py [DATA_DIR]

DATA_DIR is an ingested demo data folder (default: a new one in a temporary folder).
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import tlresearch
from tlresearch.core.paths import DataPaths
from tlresearch.explore.coverage import known as known_of_folder
from tlresearch.stats.adjusted_totals import estimate_totals
from tlresearch.stats.known_places import coverage
from tlresearch.stats.weighting import calibrate, replicate_weights

VARIABLES = ["cdi", "etp", "staff_total"]


def main(root: Path) -> None:
    paths = DataPaths(root)
    if not (paths.processed / "current").exists():
        from tlresearch.demo import write_demo
        from tlresearch.ingest.pipeline import run_ingest

        write_demo(paths)
        run_ingest(paths)
    responses = tlresearch.load_responses(data_dir=root)
    truth = pd.read_csv(paths.demo_truth)
    known = known_of_folder(paths.root)  # the directory matched, as the explorer reads it
    covered = total = 0
    print("wave  resp  known  open  cover | variable     resp_sum  adjusted "
          "[95 % interval]   truth  covers closer")
    for wave in sorted(truth["wave"].unique()):
        cov = coverage(known, int(wave)).iloc[0]
        table = estimate_totals(responses, known, int(wave), VARIABLES)
        true = truth[truth["wave"] == wave]
        for k, row in enumerate(table.itertuples()):
            head = (f"{wave}  {int(cov.respondents):4d}  {int(cov.known_places):5d}  {len(true):4d}  "
                    f"{cov.rate:5.1%}" if k == 0 else " " * 30)
            value = true[row.variable].sum()
            ok = row.low <= value <= row.high
            closer = abs(row.value - value) < abs(row.respondents_sum - value)
            covered += ok
            total += 1
            print(f"{head} | {row.variable:11s} {row.respondents_sum:9.0f} {row.value:9.0f} "
                  f"[{row.low:7.0f}; {row.high:7.0f}] {value:7.0f}  {'yes' if ok else 'NO':5s} "
                  f"{'yes' if closer else 'NO'}")
    print(f"intervals covering the truth: {covered}/{total}")
    last = known[known["wave"] == known["wave"].max()].reset_index(drop=True)
    answered = last["responded"].to_numpy(dtype=bool)
    start = time.perf_counter()
    calibration = calibrate(last, answered)
    raked = time.perf_counter()
    replicates = replicate_weights(calibration, answered)
    done = time.perf_counter()
    print(f"weights of wave {int(last['wave'].iloc[0])}: raking {raked - start:.3f} s, "
          f"{replicates.shape[1]} jackknife replicates {done - raked:.2f} s "
          f"({len(last)} known places, {answered.sum()} respondents)")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(Path(folder) / "data")
