"""XLSX reading speed: two full openpyxl loads (the former reader) against read_table.

Run: ``.venv/bin/python benchmarks/bench_xlsx_reader.py [--rows 20000] [--repeat 3]``,
or ``--demo`` to time the two XLSX exports of the demo survey (``--scale 30``), or
``--file export.xlsx [--sheet S] [--header-row N]`` for a real export.

The workbook is written first (not timed). Then, side by side in one run, each approach
reads the same bytes ``--repeat`` times and the best time is kept (the least disturbed
by other processes): the former reader loaded the workbook twice in full,
``load_workbook(BytesIO(data), data_only=False)`` for formulas and ``data_only=True``
for Excel's saved values, and walked every cell; ``read_table`` does everything
(sheet choice, text conversion, cell cleaning) in one streaming pass.
"""
from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path

COLUMNS = 35


def write_workbook(path: Path, rows: int, seed: int = 2024) -> None:
    """A survey-like export: one header row, ``rows`` answers of text, numbers and dates."""
    from openpyxl import Workbook

    pick = random.Random(seed)
    words = ["Café", "associatif", "Fablab", "Bègles", "Limoges", "coworking", "Oui", "Non",
             "atelier partagé", "SCIC", "association loi 1901", "  espaces  ", ""]
    start = datetime(2024, 3, 1, 9, 0)
    book = Workbook(write_only=True)   # openpyxl writes strings inline, like the demo
    sheet = book.create_sheet("Réponses")
    sheet.append([f"Question {i}" for i in range(1, COLUMNS + 1)])
    for row in range(rows):
        values = [row + 1, start + timedelta(minutes=row * 7)]
        for column in range(2, COLUMNS):
            kind = column % 5
            if kind == 0:
                values.append(pick.randint(0, 250))
            elif kind == 1:
                values.append(round(pick.uniform(0, 50), 2))
            elif kind == 2 and pick.random() < 0.3:
                values.append(None)
            else:
                values.append(" ".join(pick.sample(words, 2)).strip() or None)
        sheet.append(values)
    book.save(path)


def demo_files(root: Path, scale: float) -> list[tuple[Path, dict]]:
    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo

    write_demo(DataPaths(root), scale=scale)
    return [(root / "raw/2023/DEMO_export_2023.xlsx", {"sheet": "Réponses"}),
            (root / "raw/2024/DEMO_export_2024.xlsx", {"header_row": 2})]


def two_full_loads(data: bytes) -> int:
    """The former reader's openpyxl work: both workbooks loaded in full, every cell read."""
    import openpyxl

    cells = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for data_only in (False, True):
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        cell.value  # noqa: B018 - reading is the point
                        cells += 1
    return cells


def best_of(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def bench(path: Path, options: dict, repeat: int) -> tuple[float, float]:
    from tlresearch.io.raw_tables import read_table

    data = path.read_bytes()
    before, _ = best_of(repeat, lambda: two_full_loads(data))
    after, table = best_of(repeat, lambda: read_table(path, **options))
    shape = f"{len(table.frame)} rows x {len(table.frame.columns)} columns"
    print(f"{path.name:<28}{shape:>22}{before:>10.2f}{after:>10.2f}{before / after:>8.1f}x")
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the generated workbook")
    parser.add_argument("--repeat", type=int, default=3, help="runs per approach (best kept)")
    parser.add_argument("--demo", action="store_true", help="time the demo's XLSX exports")
    parser.add_argument("--scale", type=float, default=30.0, help="demo scale (with --demo)")
    parser.add_argument("--file", type=Path, help="time this XLSX instead")
    parser.add_argument("--sheet")
    parser.add_argument("--header-row", type=int)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        if args.file:
            options = {k: v for k, v in (("sheet", args.sheet), ("header_row", args.header_row))
                       if v is not None}
            files = [(args.file, options)]
        elif args.demo:
            files = demo_files(Path(tmp), args.scale)
        else:
            path = Path(tmp) / "export.xlsx"
            write_workbook(path, args.rows)
            files = [(path, {})]
        print(f"prepared in {time.perf_counter() - started:.1f} s (not part of the measure)\n")
        print(f"{'file':<28}{'read_table gives':>22}{'before s':>10}{'after s':>10}{'ratio':>9}")
        results = [bench(path, options, args.repeat) for path, options in files]
    before = sum(b for b, _ in results)
    after = sum(a for _, a in results)
    print(f"\nbefore (two full openpyxl loads) {before:.2f} s, after (read_table) {after:.2f} s: "
          f"read_table is {before / after:.1f}x faster")


if __name__ == "__main__":
    main()
