"""The published site as a reader gets it: size of each kind of page and of the whole
site, and how many figures printed twice were compared (and found equal).

Run: ``.venv/bin/python benchmarks/bench_site.py [SITE]`` after ``make reports``
(``SITE`` defaults to ``site/`` of the checkout; nothing is written). The time of
``make reports`` itself is ``benchmarks/bench_pages.py --full``. Prints, asserts nothing.
"""
from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from tlresearch.report.agreement import check_site

ROOT = Path(__file__).resolve().parents[1]


def _mb(n: float) -> str:
    return f"{n / 1e6:7.2f} MB"


def main() -> None:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    if not (site / "index.html").is_file():
        sys.exit(f"no site in {site}: run make reports first")
    kinds: dict[str, list[int]] = defaultdict(list)
    total = 0
    for path in site.rglob("*"):
        if path.is_file() and ".state" not in path.parts and ".failed" not in path.parts:
            size = path.stat().st_size
            total += size
            page = path.suffix in {".html", ".pdf"} and path.parent.parent.name.isdigit()
            kind = (path.name if path.parent == site else
                    f"{path.stem}{path.suffix}" if page else f"données ({path.suffix})")
            kinds[kind].append(size)
    print(f"site: {site}")
    print(f"{'kind of file':<44} {'files':>6} {'median':>11} {'largest':>11} {'all':>11}")
    for kind in sorted(kinds):
        sizes = kinds[kind]
        print(f"{kind:<44} {len(sizes):>6} {_mb(statistics.median(sizes))} {_mb(max(sizes))}"
              f" {_mb(sum(sizes))}")
    print(f"{'whole site':<44} {sum(map(len, kinds.values())):>6} {'':>11} {'':>11} {_mb(total)}")
    start = time.perf_counter()
    agreement = check_site(site)
    seconds = time.perf_counter() - start
    print(f"figures printed twice, compared: {agreement.pairs} pairs, "
          f"{len(agreement.differences)} disagreements ({seconds:.1f} s)")
    for line in agreement.differences[:20]:
        print("  ", line)


if __name__ == "__main__":
    main()
