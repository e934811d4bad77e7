"""Ingest: every wave's raw export → the validated multi-year panel in ``data/processed``.

One run reads each wave through its codebook, harmonises, validates, removes
duplicate submissions, resolves communes, follows places across waves, normalises job
titles to roles, and publishes the tables below all at once, as one version folder
behind one switched link (:mod:`tlresearch.core.panel_versions`): a reader never sees
tables of two runs side by side, and a killed run leaves the previous panel. Rows in
= rows kept + rows quarantined, for every file, and the run says so.

Outputs (``data/processed/``): ``responses`` (place × wave), ``places``, ``staff``
(place × wave × job), ``place_links`` (how each response was attached to its place,
for review), ``quality_log`` (every value corrected, set missing or flagged),
``quarantine`` (every row set aside, with its reason), ``conservation`` (row counts
per file), ``data_dictionary`` (CSV and Markdown). Contact details and free text go
to ``data/restricted/contacts.parquet`` and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tlresearch.core.errors import CodebookError, DataError, UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.core.quality_log import Issue, issues_frame
from tlresearch.core.version import __version__
from tlresearch.geo.names import checked_settings
from tlresearch.ingest.wave import CHUNK_ROWS, WaveResult, ingest_wave
from tlresearch.spec.codebook import find_codebooks, load_codebook
from tlresearch.spec.variables import catalogue, restricted_names

#: Canonical type options in the order reports list them.
TYPE_CODES = list(catalogue()["place_types"].values)


@dataclass
class IngestResult:
    """What an ingest run produced, for the command line and for tests."""

    tables: dict[str, pd.DataFrame]
    restricted: dict[str, pd.DataFrame]
    conservation: pd.DataFrame
    errors: list[DataError] = field(default_factory=list)
    #: Version id of the published panel (set by :func:`run_ingest`).
    version: str | None = None
    #: What the lab should look at although nothing failed (e.g. an unnamed export).
    warnings: list[str] = field(default_factory=list)


def raw_waves_without_codebook(paths: DataPaths) -> list[int]:
    """Waves that have a raw folder with files but no codebook to read them."""
    codebooks = find_codebooks(paths.codebooks)
    waves = []
    if paths.raw.is_dir():
        for folder in sorted(paths.raw.iterdir()):
            if folder.is_dir() and folder.name.isdigit() and any(folder.iterdir()):
                if int(folder.name) not in codebooks:
                    waves.append(int(folder.name))
    return waves


def build_panel(paths: DataPaths, waves: list[int] | None = None, region: str | None = None,
                keep_going: bool = False, chunk_rows: int = CHUNK_ROWS) -> IngestResult:
    """Build every table of the panel in memory (nothing is written).

    Parameters
    ----------
    waves
        Waves to ingest (default: every wave that has a codebook).
    region
        The survey's region (default: the data folder's, from its ``reseau.yaml``).
    keep_going
        When a wave fails (missing column, unreadable file), go on with the others
        and report the error; by default the first error stops the run, so that a
        panel is never silently published without one of its waves.
    chunk_rows
        Rows of a wave harmonised and validated at a time (:data:`CHUNK_ROWS`); any
        size gives the same tables, byte for byte.
    """
    from tlresearch.ingest.commune_overrides import apply_commune_overrides, load_commune_overrides
    from tlresearch.ingest.data_folder import check_demo_separation
    from tlresearch.ingest.linkage import link_places, load_link_overrides
    from tlresearch.ingest.panel import attach_jobs, build_places, build_staff, stack_responses
    from tlresearch.ingest.roles import assign_roles, load_role_overrides
    from tlresearch.io.cells import fold

    region = region or checked_settings(paths.root).region
    check_demo_separation(paths)
    codebooks = find_codebooks(paths.codebooks)
    orphans = raw_waves_without_codebook(paths)
    errors: list[DataError] = []
    for wave in orphans:
        if waves is None or wave in waves:
            error = CodebookError(f"raw files but no codebook {paths.codebook(wave).name}",
                                  wave=wave, file=f"{wave}/", rule="no_codebook")
            if not keep_going:
                raise error
            errors.append(error)
    selected = sorted(codebooks) if waves is None else waves
    unknown = [w for w in selected if w not in codebooks and w not in orphans]
    if unknown:
        known = sorted(set(codebooks) | set(orphans))
        raise UsageError(f"no codebook for wave(s) {_span_text(unknown)} in {paths.codebooks}; "
                         f"waves there: {_span_text(known) or 'none'}")
    results: list[WaveResult] = []
    for wave in selected:
        if wave not in codebooks:
            continue
        try:
            codebook = load_codebook(codebooks[wave])
            if codebook.wave != wave:
                raise CodebookError(f"codebook says wave {codebook.wave}", wave=wave,
                                    file=codebooks[wave].name, rule="codebook_wave")
            results.append(ingest_wave(paths, codebook, region, chunk_rows=chunk_rows))
        except DataError as error:
            if not keep_going:
                raise
            errors.append(error)
    if not results:
        raise UsageError(f"no wave to ingest in {paths.codebooks}")

    restricted_columns = [c for c in restricted_names()]
    conservation = conservation_table(results)
    frames, jobs_frames, contacts_frames = [], [], []
    for result in results:
        kept = result.kept  # already a new frame: no copy of it
        # Only the kept rows go on: the wave's full table is let go here, not at the end.
        result.harmonised.responses = result.harmonised.responses.iloc[:0]
        kept["demo"] = result.codebook.demo
        contacts_frames.append(kept[["response_id", "wave"] +
                                    [c for c in restricted_columns if c in kept]])
        frames.append(kept.drop(
            columns=[c for c in restricted_columns if c in kept] + ["complete"]))
        del kept
        jobs_frames.append(result.harmonised.jobs)
    responses = stack_responses(frames)
    del frames
    # The waves' issues become their tables now, and the Issue objects (one per row set
    # aside: a million for a large wave) are let go before linkage builds its indexes.
    quarantine = _quarantine_frame(results)
    wave_issues = [i for r in results for i in r.harmonised.issues]
    warnings = _warnings(wave_issues)
    wave_log = issues_frame(wave_issues)
    del wave_issues
    for result in results:
        result.harmonised.issues, result.quarantine = [], {}
    responses["territorial_class"] = territorial_classes(paths, region, responses["commune_code"])

    link_input = pd.DataFrame({
        "response_id": responses["response_id"], "wave": responses["wave"].astype(int),
        "place_name": responses["place_name"],
        "address": responses["address"] if "address" in responses else pd.NA,
        "source_file": responses["source_file"], "source_row": responses["source_row"],
        "commune_key": responses["commune_code"].fillna(
            responses["declared_commune_name"].map(fold, na_action="ignore")),
        "siret": responses["siret"] if "siret" in responses else pd.NA,
        "demo": responses["demo"],
    })
    links, link_issues = link_places(link_input, load_link_overrides(paths.place_link_overrides))
    responses["place_id"] = _look_up(links["response_id"], links["place_id"],
                                     responses["response_id"])
    commune_issues = apply_commune_overrides(
        responses, load_commune_overrides(paths.overrides / "communes.csv"), region)
    if commune_issues:  # corrected communes: their class too
        responses["territorial_class"] = territorial_classes(paths, region,
                                                             responses["commune_code"])
    places = build_places(responses)

    jobs = attach_jobs(pd.concat(jobs_frames, ignore_index=True), responses)
    roles = assign_roles(jobs["title_raw"], load_role_overrides(paths.role_overrides))
    staff = build_staff(jobs, roles)

    issues = link_issues + commune_issues + _unknown_title_issues(staff, responses)
    contacts = pd.concat(contacts_frames, ignore_index=True)
    contacts["place_id"] = _look_up(responses["response_id"], responses["place_id"],
                                    contacts["response_id"])
    contacts = contacts.astype({c: "string" for c in contacts.columns if c != "wave"})
    contacts = contacts.sort_values("response_id").reset_index(drop=True)
    tables = {
        "responses": responses,
        "places": places,
        "staff": staff,
        "place_links": links.sort_values("response_id").reset_index(drop=True),
        "quality_log": _after(wave_log, issues_frame(issues)),
        "quarantine": quarantine,
    }
    tables["conservation"] = conservation
    warnings += _warnings(issues)
    return IngestResult(tables, {"contacts": contacts}, conservation, errors, warnings=warnings)


def _warnings(issues: list[Issue]) -> list[str]:
    """What the lab should look at although nothing failed (an export nobody named)."""
    return [f"{issue.file}: {issue.message}" for issue in issues if issue.rule == "unnamed_export"]


def _after(first: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """The quality log of two lists of issues, as :func:`issues_frame` of the two joined.

    Both are sorted by :func:`issues_frame`; a stable sort of the two put end to end
    keeps each one's order and puts ``first`` before ``then`` on equal keys, as one
    sort of the joined list would.
    """
    joined = pd.concat([first, then], ignore_index=True)
    return joined.sort_values(["wave", "file", "row", "column", "rule"], kind="stable",
                              na_position="first").reset_index(drop=True)


def _look_up(keys: pd.Series, values: pd.Series, wanted: pd.Series) -> pd.array:
    """``values`` of each ``wanted`` key (NA when absent), as strings.

    Through an index rather than a dict: a million response ids stay in Arrow arrays
    instead of becoming a million Python strings.
    """
    table = pd.Series(values.astype("string").array, index=pd.Index(keys.array))
    return table.reindex(pd.Index(wanted.array)).array


def _span_text(waves: list[int]) -> str:
    """``2017-2019, 2021``: a list of waves short enough for one line, however long."""
    runs: list[list[int]] = []
    for wave in sorted(waves):
        if runs and wave == runs[-1][-1] + 1:
            runs[-1].append(wave)
        else:
            runs.append([wave])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    return ", ".join(parts[:10]) + (f" and {len(parts) - 10} more" if len(parts) > 10 else "")


def territorial_classes(paths: DataPaths, region: str, codes: pd.Series) -> pd.Series:
    """Urban / periurban / rural class of each commune code (NA outside the region)."""
    from tlresearch.geo.reference import load_boundaries

    communes = load_boundaries("commune", region, web=True, paths=paths, build=True)
    classes = dict(zip(communes["code"], communes["territorial_class"].astype("string")))
    return codes.map(classes).astype("string")


def _unknown_title_issues(staff: pd.DataFrame, responses: pd.DataFrame) -> list[Issue]:
    where = responses.set_index("response_id")[["source_file", "source_row"]]
    out = []
    unknown = staff[(staff["role"] == "unknown")]
    for job in unknown.itertuples(index=False):
        file, row = where.loc[job.response_id]
        out.append(Issue("unknown_job_title", "flagged",
                         "job title matches no role rule; add an override in overrides/roles.csv",
                         file=file, row=int(row), column=f"jobs[{job.job_index}].title",
                         value=job.title_raw, wave=int(job.wave)))
    return out


def _quarantine_frame(results: list[WaveResult]) -> pd.DataFrame:
    # Column by column: one dict per quarantined row would cost more than the rows.
    names = ["response_id", "wave", "file", "row", "rule", "column", "value", "message"]
    columns: dict[str, list] = {name: [] for name in names}
    for result in results:
        columns["response_id"].extend(result.quarantine)
        columns["wave"].extend([result.codebook.wave] * len(result.quarantine))
        for name in names[2:]:
            columns[name].extend(getattr(issue, name) for issue in result.quarantine.values())
    frame = pd.DataFrame(columns, columns=names)
    frame = frame.astype({"wave": "Int64", "row": "Int64", **{c: "string" for c in (
        "response_id", "file", "rule", "column", "value", "message")}})
    return frame.sort_values("response_id").reset_index(drop=True)


def conservation_table(results: list[WaveResult]) -> pd.DataFrame:
    """Rows in, kept and quarantined per file; ``balanced`` must be true everywhere."""
    rows = []
    for result in results:
        kept = len(result.kept)
        quarantined = len(result.quarantine)
        rows.append({"wave": result.codebook.wave, "file": result.codebook.file,
                     "rows_in": result.rows_in, "kept": kept, "quarantined": quarantined,
                     "balanced": result.rows_in == kept + quarantined})
    frame = pd.DataFrame(rows, columns=["wave", "file", "rows_in", "kept", "quarantined",
                                        "balanced"])
    return frame.astype({"wave": "Int64", "file": "string", "rows_in": "Int64", "kept": "Int64",
                         "quarantined": "Int64", "balanced": "boolean"})


def run_ingest(paths: DataPaths, waves: list[int] | None = None, region: str | None = None,
               keep_going: bool = False, wait_seconds: float = 0,
               chunk_rows: int = CHUNK_ROWS) -> IngestResult:
    """Build the panel and publish it to ``data/processed`` and ``data/restricted``.

    Holds the folder's lock for the whole run. Nothing is written until the whole panel
    is built; then every table goes into one new version folder and a single pointer is
    switched (:mod:`tlresearch.core.panel_versions`), so a reader sees the previous panel
    or this one, never a mix, and a run killed at any point leaves the previous panel.
    """
    from tlresearch.core.panel_versions import publish_with_restricted
    from tlresearch.core.storage import exclusive_run, parquet_bytes
    from tlresearch.spec.dictionary import data_dictionary, dictionary_markdown

    with exclusive_run(paths.lock_file, wait_seconds):
        result = build_panel(paths, waves, region, keep_going, chunk_rows)
        if not result.conservation["balanced"].all():
            bad = result.conservation[~result.conservation["balanced"]]
            raise DataError(f"row conservation broken for {bad['file'].tolist()}",
                            rule="row_conservation")
        demo = bool(result.tables["responses"]["demo"].all())
        metadata = {"demo": str(demo).lower(), "version": __version__,
                    "waves": ",".join(str(w) for w in result.conservation["wave"])}
        if demo:
            metadata["notice"] = ("DONNÉES FICTIVES : enquête de démonstration générée par "
                                  "tlresearch demo")
        dictionary = data_dictionary(paths)
        processed = {f"{name}.parquet": parquet_bytes(frame, metadata)
                     for name, frame in result.tables.items()}
        processed["data_dictionary.parquet"] = parquet_bytes(dictionary, metadata)
        processed["data_dictionary.md"] = dictionary_markdown(dictionary, demo).encode("utf-8")
        restricted = {f"{name}.parquet": parquet_bytes(frame, metadata)
                      for name, frame in result.restricted.items()}
        # One switch for both: a kill can never leave one run's panel beside another's
        # contacts.
        result.version = publish_with_restricted(paths.processed, processed,
                                                 paths.restricted, restricted)
        return result


def conservation_text(conservation: pd.DataFrame) -> str:
    """Rows in = kept + quarantined, one line per file, for the ingest log."""
    lines = [f"{'wave':<6}{'file':<48}{'in':>7}{'kept':>7}{'quar.':>7}  ok"]
    for row in conservation.itertuples(index=False):
        lines.append(f"{row.wave:<6}{row.file:<48}{row.rows_in:>7}{row.kept:>7}"
                     f"{row.quarantined:>7}  {'yes' if row.balanced else 'NO'}")
    total = conservation[["rows_in", "kept", "quarantined"]].sum()
    lines.append(f"{'all':<6}{'':<48}{total['rows_in']:>7}{total['kept']:>7}"
                 f"{total['quarantined']:>7}")
    return "\n".join(lines)
