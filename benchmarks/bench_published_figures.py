"""Every published figure beside the demo's, as the demo's pipeline publishes it.

For each regional entry of ``../shared/reference/published_figures.yaml``: wave, scope,
indicator, published value, the demo's value (respondents kept after ingest, the pages'
indicators, the territorial class readers see, the coverage's known places, the
graduates' tables), and whether it is within tolerance (±15 % counts, ±5 points shares),
or marked ambiguous / not reproducible with its reason. Ends with the counts.

    .venv/bin/python benchmarks/bench_published_figures.py [DATA_DIR]

DATA_DIR is an ingested demo data folder (default: a new one in a temporary folder).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

from tlresearch.core.paths import DataPaths
from tlresearch.demo.published_check import DemoFigures, check_published, summary

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ")
    return str(value)


def main(root: Path) -> int:
    reference = REFERENCE / "published_figures.yaml"
    if not reference.is_file():
        print(f"no {reference}: nothing to compare (the project runs without it)")
        return 0
    paths = DataPaths(root)
    if not (paths.processed / "current").exists():
        from tlresearch.demo import write_demo
        from tlresearch.ingest.pipeline import run_ingest

        write_demo(paths)
        run_ingest(paths)
    entries = yaml.safe_load(reference.read_text(encoding="utf-8"))
    table = check_published(entries, DemoFigures.read(paths.root))
    regional = table[table["scope"] != "france"]
    print(f"{'wave':4}  {'scope':18}  {'indicator':62}  {'published':>10}  {'demo':>10}  status")
    for row in regional.itertuples():
        demo = "" if row.demo is None or row.demo != row.demo else _number(row.demo)
        status = row.status if row.status in ("within", "beyond") else f"{row.status}: {row.reason}"
        print(f"{row.year:4d}  {row.scope:18}  {row.indicator[:62]:62}  "
              f"{_number(row.published)[:10]:>10}  {demo:>10}"
              f"  {status}")
    counts = summary(regional)
    checked = counts["within"] + counts["beyond"]
    print(f"\n{len(regional)} regional figures (national ones: {len(table) - len(regional)}, "
          f"all marked « national figure »): {checked} checked, {counts['within']} within "
          f"tolerance, {counts['beyond']} beyond; {counts['ambiguous']} marked ambiguous and "
          f"{counts['not_reproducible']} not reproducible by the demo, each with its reason")
    return 1 if counts["beyond"] else 0


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(main(Path(sys.argv[1])))
    with tempfile.TemporaryDirectory() as tmp:
        sys.exit(main(Path(tmp) / "data"))
