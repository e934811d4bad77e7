"""What the researcher's helpers cost next to the library calls they wrap.

Run: ``.venv/bin/python benchmarks/bench_explore.py [--rounds 5]``. Prints, asserts nothing.

On the demo survey (written and ingested in a temporary folder first, not timed), each
pair is timed side by side, rounds interleaved, median reported:

* ``tlresearch.indicator(code, "33", 2024)`` (reads the panel, checks the question,
  writes French columns) against ``compute_indicators`` on tables already in memory;
* the same for every wave (``wave="toutes"``) against ``indicator_series``;
* ``place_history`` and ``places_map_frame("75")`` against ``load_responses`` (one read
  of the responses table, the floor of any call that reads the panel).

Then the size of the explorer notebook once executed (papermill), and how much of it
is itables' offline bundle (the price of "no CDN").
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import tlresearch
    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.ingest.pipeline import run_ingest
    from tlresearch.stats.indicators import compute_indicators
    from tlresearch.stats.trends import indicator_series

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_demo(DataPaths(data))
        run_ingest(DataPaths(data))
        responses = tlresearch.load_responses(data_dir=data)
        staff = tlresearch.load_staff(data_dir=data)
        place = staff["place_id"].value_counts().index[0]
        pairs = {
            "indicator, one wave": (
                lambda: tlresearch.indicator("share_employers", "33", 2024, data_dir=data),
                lambda: compute_indicators(responses, staff, 2024, ("departement", "33"),
                                           indicators=["share_employers"])),
            "indicator, every wave": (
                lambda: tlresearch.indicator("share_employers", "33", "toutes", data_dir=data),
                lambda: indicator_series(responses, staff, ["share_employers"],
                                         ("departement", "33"))),
            "place_history": (lambda: tlresearch.place_history(place, data_dir=data),
                              lambda: tlresearch.load_responses(data_dir=data)),
            "places_map_frame (region)": (
                lambda: tlresearch.places_map_frame("75", data_dir=data),
                lambda: tlresearch.load_responses(data_dir=data)),
        }
        for helper, base in pairs.values():      # warm-up: caches, geography built once
            helper(), base()
        times = {name: ([], []) for name in pairs}
        for _ in range(args.rounds):
            for name, (helper, base) in pairs.items():
                times[name][0].append(timed(helper))
                times[name][1].append(timed(base))
        print(f"{'call':<28}{'helper s':>10}{'baseline s':>12}{'ratio':>8}")
        for name, (ours, base) in times.items():
            a, b = statistics.median(ours), statistics.median(base)
            print(f"{name:<28}{a:>10.3f}{b:>12.3f}{a / b:>8.1f}")

        import nbformat
        import papermill

        out = Path(tmp) / "explorer.ipynb"
        start = time.perf_counter()
        papermill.execute_notebook(str(ROOT / "notebooks" / "00-explorer.ipynb"), str(out),
                                   kernel_name="python3", progress_bar=False,
                                   cwd=str(ROOT / "notebooks"),
                                   parameters={"data_dir": str(data)})
        elapsed = time.perf_counter() - start
        book = nbformat.read(out, as_version=4)
        bundle = sum(len(str(o.get("data", {}).get("text/html", "")))
                     for c in book.cells if c.cell_type == "code" for o in c.outputs
                     if "injectModule" in str(o.get("data", {}).get("text/html", "")))
        size = out.stat().st_size
        print(f"explorer via papermill: {elapsed:.1f} s; executed notebook "
              f"{size / 1e6:.2f} MB, of which itables' offline bundle {bundle / 1e6:.2f} MB "
              f"({100 * bundle / size:.0f} %)")


if __name__ == "__main__":
    main()
