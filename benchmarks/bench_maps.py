"""Map size and render time: a naive folium.Choropleth against this project's maps.

Run: ``.venv/bin/python benchmarks/bench_maps.py [--rounds 5] [--timeout 6]`` (needs
``/usr/bin/chromium``; see ``scripts/ensure-chromium``). Prints, asserts nothing.

Compared, on the demo survey (generated and ingested in a temporary folder first, not
timed):

* **naive**: ``folium.Choropleth`` of the region's 4 293 communes straight from the
  full reference outlines (``load_boundaries("commune", web=False)``), folium's
  defaults (OpenStreetMap tiles, CDN links for Leaflet, jQuery, Bootstrap...);
* **ours**: :func:`tlresearch.viz.maps.area_map` for communes, EPCI and departments,
  saved by :func:`tlresearch.viz.standalone_html.save_map` (self-contained, web outlines).

Each page is opened in headless Chromium from disk, rounds interleaved (every page once
per round), median reported. Ours run with every non-file request aborted. The naive
page is timed twice: *offline* (its CDN requests aborted, as a partner without network
would see it: Leaflet never loads, so the map never appears and the time is the
timeout) and *with Leaflet* (its Leaflet requests answered from django-leaflet's local
files, d3 -- used only by the legend, and not available offline -- answered by a no-op
stub, everything else aborted: what rendering the naive page costs when it can work).
Render time = from navigation start until every commune's ``path`` is in the page.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def build_pages(folder: Path) -> tuple[dict[str, Path], dict[str, int]]:
    """Write the naive page and ours; return their paths and expected path counts."""
    import folium

    from tlresearch import load_places
    from tlresearch.core.paths import DataPaths
    from tlresearch.demo import write_demo
    from tlresearch.geo.reference import load_boundaries
    from tlresearch.ingest.pipeline import run_ingest
    from tlresearch.viz.map_data import places_per_area
    from tlresearch.viz.maps import area_map
    from tlresearch.viz.standalone_html import save_map

    paths = DataPaths(folder / "data")
    write_demo(paths)
    run_ingest(paths)
    places = load_places(data_dir=paths.root)
    web = {level: load_boundaries(level, paths=paths)
           for level in ("commune", "epci", "departement")}
    full = load_boundaries("commune", web=False, paths=paths)

    pages: dict[str, Path] = {}
    stats = places_per_area(places, full, "commune")
    naive = folium.Map(location=[45.2, 0.2], zoom_start=7)
    folium.Choropleth(
        geo_data=full[["code", "name", "geometry"]].to_json(),
        data=stats[["code", "n_places"]], columns=["code", "n_places"],
        key_on="feature.properties.code", fill_color="YlGnBu",
        legend_name="Nombre de lieux",
    ).add_to(naive)
    pages["naive"] = folder / "naive_choropleth.html"
    naive.save(str(pages["naive"]))

    started = time.perf_counter()
    for level in ("commune", "epci", "departement"):
        pages[level] = save_map(area_map(places, level, boundaries=web),
                                folder / f"ours_{level}.html")
    print(f"built our three maps in {time.perf_counter() - started:.1f} s "
          "(boundaries already loaded)")
    expected = {"naive": len(full), "commune": len(web["commune"]), "epci": len(web["epci"]),
                "departement": len(web["departement"])}
    return pages, expected


def _leaflet_file(name: str) -> bytes:
    from tlresearch.viz.offline_assets import LEAFLET_SOURCE, _package_dir

    return (_package_dir("leaflet", LEAFLET_SOURCE[0]) / "static" / "leaflet" / name).read_bytes()


#: Stands for d3 v3 in the naive page: every property and call returns itself, so the
#: legend code runs (drawing nothing) and the script goes on to add the communes.
D3_STUB = (b"(function(){var s=new Proxy(function(){},{get:function(t,k){"
           b"return k===Symbol.toPrimitive?function(){return 0;}:s;},"
           b"apply:function(){return s;}});window.d3=s;})();")


def time_render(browser, path: Path, expected: int, timeout_s: float,
                serve_leaflet: bool = False) -> tuple[float | None, float, int]:
    """(seconds until ``expected`` paths exist or None, seconds to load event, remote requests)."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    remote = []
    leaflet = {"leaflet.js": (_leaflet_file("leaflet.js"), "application/javascript"),
               "leaflet.css": (_leaflet_file("leaflet.css"), "text/css"),
               "d3.min.js": (D3_STUB, "application/javascript")}

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith("file:"):
            request_route.continue_()
            return
        remote.append(url)
        name = url.rsplit("/", 1)[-1]
        if serve_leaflet and name in leaflet:
            body, kind = leaflet[name]
            request_route.fulfill(body=body, content_type=kind)
        else:
            request_route.abort()

    page.route("**/*", route)
    started = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load", timeout=120_000)
    loaded = time.perf_counter() - started
    try:
        page.wait_for_function(
            f"document.querySelectorAll('path.leaflet-interactive').length >= {expected}",
            timeout=timeout_s * 1000, polling=20)
        rendered: float | None = time.perf_counter() - started
    except PlaywrightTimeout:  # the map never appeared
        rendered = None
    page.close()
    return rendered, loaded, len(remote)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=6.0,
                        help="seconds to wait for a map's paths before giving up")
    args = parser.parse_args()

    from browser import chromium

    with tempfile.TemporaryDirectory() as tmp:
        print("generating the demo survey and building the pages (not timed)...")
        pages, expected = build_pages(Path(tmp))
        sizes = {name: path.stat().st_size / 1e6 for name, path in pages.items()}
        print(f"\n{'page':<34}{'size MB':>9}{'naive/this':>12}")
        for name in ("naive", "commune", "epci", "departement"):
            label = "naive folium.Choropleth (communes)" if name == "naive" else f"ours: {name}"
            print(f"{label:<34}{sizes[name]:>9.2f}{sizes['naive'] / sizes[name]:>12.1f}")

        runs = {"naive offline": ("naive", False), "naive with local Leaflet": ("naive", True),
                "ours: commune": ("commune", False), "ours: epci": ("epci", False),
                "ours: departement": ("departement", False)}
        times: dict[str, list] = {label: [] for label in runs}
        with chromium() as browser:
            for _ in range(args.rounds):
                for label, (name, serve) in runs.items():
                    times[label].append(time_render(browser, pages[name], expected[name],
                                                    args.timeout, serve_leaflet=serve))

        print(f"\nheadless Chromium, {args.rounds} rounds interleaved, median "
              f"(timeout {args.timeout:g} s)")
        print(f"{'page':<28}{'load s':>8}{'rendered s':>12}{'remote req.':>13}")
        for label, results in times.items():
            loaded = statistics.median(r[1] for r in results)
            done = [r[0] for r in results if r[0] is not None]
            rendered = (f"{statistics.median(done):.2f}" if len(done) == len(results)
                        else f"never ({len(results) - len(done)}/{len(results)})")
            print(f"{label:<28}{loaded:>8.2f}{rendered:>12}{max(r[2] for r in results):>13}")
        print("\ntargets: commune map < 2 MB self-contained, department map < 0.5 MB, "
              "render no slower than the naive map")


if __name__ == "__main__":
    main()
