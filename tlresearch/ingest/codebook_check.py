"""``tlresearch codebook check WAVE``: a codebook against its file, before any ingest.

Reads the raw file as ingest would and harmonises it in memory (nothing written),
then says what a lab needs before it trusts a wave: is every column found, is every
answer label mapped, do the values parse (numbers, dates), how many jobs the titles
give, and what changed since the previous wave's codebook (variables added, dropped,
read from another column, labels changed). A problem makes the check fail (exit 1).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tlresearch.core.errors import CodebookError, MissingColumnError, UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.ingest.harmonise import harmonise, response_ids
from tlresearch.ingest.skipped_questions import employer_share_warning
from tlresearch.io.raw_tables import read_table
from tlresearch.spec.codebook import Codebook, JobSlots, find_codebooks, load_codebook

#: Issues that the codebook, not the data, must fix.
CODEBOOK_RULES = {"unknown_label", "not_a_date", "contract_not_paired"}

#: Distinct examples shown per problem.
EXAMPLES = 5


@dataclass
class CheckReport:
    """Problems (the codebook must change) and notes (for information)."""

    wave: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        lines = [f"codebook {self.wave}: " + ("OK" if self.ok else
                                              f"{len(self.problems)} problem(s)")]
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  {n}" for n in self.notes]
        if self.changes:
            lines.append("  since the previous wave:")
            lines += [f"    {c}" for c in self.changes]
        return "\n".join(lines)


def check_codebook(paths: DataPaths, wave: int) -> CheckReport:
    """Check wave ``wave``'s codebook against its raw file.

    Raises
    ------
    UsageError
        No codebook for ``wave``.
    CodebookError
        The codebook cannot be read (one line names the entry).
    """
    codebooks = find_codebooks(paths.codebooks)
    if wave not in codebooks:
        raise UsageError(f"no codebook {paths.codebook(wave).name} in {paths.codebooks}; "
                         f"write one with: tlresearch codebook draft RAWFILE --wave {wave}")
    codebook = load_codebook(codebooks[wave])
    report = CheckReport(wave)
    earlier = [w for w in codebooks if w < wave]
    if earlier:
        report.changes = compare_codebooks(load_codebook(codebooks[max(earlier)]), codebook)
    source = paths.raw / codebook.file
    if not source.is_file():
        report.problems.append(f"raw file {codebook.file} not found under {paths.raw}")
        return report
    raw = read_table(source, name=codebook.file, sheet=codebook.sheet,
                     header_row=codebook.header_row)
    report.notes.append(f"read {codebook.file}: {len(raw.rows)} data rows, "
                        f"{len(raw.frame.columns)} columns, header at row {raw.header_row}"
                        + (f" of sheet {raw.sheet!r}" if raw.sheet else ""))
    try:
        wave_data = harmonise(raw, codebook)
    except MissingColumnError as error:
        report.problems.append(str(error))
        return report
    ids = dict(zip(wave_data.responses["source_row"].tolist(),
                   wave_data.responses["response_id"].tolist()))
    _summarise_issues(report, wave_data.issues, ids)
    kept = wave_data.responses[~wave_data.responses["response_id"].isin(
        set(wave_data.quarantine))]
    warning = employer_share_warning(kept)
    if warning:
        report.notes.append("warning: " + warning)
    _unlocated(report, kept)
    jobs = wave_data.jobs
    if isinstance(codebook.variables.get("jobs"), JobSlots) and len(jobs):
        unknown = int((jobs["contract"] == "unknown").sum())
        report.notes.append(f"jobs: {len(jobs)} from {jobs['response_id'].nunique()} "
                            f"responses; contract unknown for {unknown}")
        if unknown == len(jobs):
            report.notes.append("no job has a contract: the share of places with a facilitator "
                                "is computed, the share of salaried jobs that are facilitator "
                                "jobs is not (it counts CDI, CDD and other contracts only)")
    quarantined = Counter(i.rule for i in wave_data.quarantine.values())
    if quarantined:
        report.notes.append("rows set aside: " + ", ".join(
            f"{rule} {n}" for rule, n in sorted(quarantined.items())))
    return report


def _unlocated(report: CheckReport, kept) -> None:
    """Every response that ingest will leave without a commune, by row and id.

    Bad codes and postcodes are listed by cell above; a place with a bad postcode may
    still be found by its name. These are the ones that will not: counted in the
    region, in no département, until overrides/communes.csv gives their commune.
    """
    from tlresearch.geo.communes import resolve_communes

    if kept.empty or not {"commune_code", "postcode", "commune_name"} & set(kept.columns):
        return
    resolved = resolve_communes(kept)
    lost = kept[(resolved["resolution_method"] == "unresolved").fillna(False).to_numpy()]
    if lost.empty:
        return
    listed = ", ".join(f"row {row} ({rid})" for row, rid in
                       zip(lost["source_row"].tolist(), lost["response_id"].tolist()))
    report.notes.append(f"{len(lost)} response(s) will have no commune: {listed}; give "
                        "their commune in overrides/communes.csv by response_id")


def _summarise_issues(report: CheckReport, issues, ids: dict[int, str]) -> None:
    by_key: dict[tuple[str, str, str], Counter] = {}
    rows: dict[tuple[str, str], list[str]] = {}  # the responses of a commune problem
    for issue in issues:
        if issue.action not in {"set_missing", "reported"} or issue.rule in {
                "blank_row", "header_normalised"}:
            continue
        key = (issue.rule, issue.column or "", issue.action)
        if issue.row is not None and issue.wave is not None:
            rows.setdefault(key[:2], []).append(
                ids.get(issue.row) or response_ids(issue.wave, [issue.row])[0])
        by_key.setdefault(key, Counter())[str(issue.value) if issue.value is not None else ""] += 1
    for (rule, column, _action), values in sorted(by_key.items()):
        total = sum(values.values())
        shown = ", ".join(repr(v) for v, _ in values.most_common(EXAMPLES) if v)
        where = f"{column!r}: " if column else ""
        text = f"{where}{rule}, {total} cell(s)" + (f" e.g. {shown}" if shown else "")
        if rule in CODEBOOK_RULES:
            report.problems.append(text)
        elif rule in {"unmapped_column", "missing_optional_column"}:
            report.notes.append(f"{column!r}: " + ("not in the codebook (add it to variables "
                                                   "or ignore)" if rule == "unmapped_column"
                                                   else "named in the codebook, not in the file"))
        elif rule in {"not_a_postcode", "not_a_commune_code"}:
            ids = sorted(set(rows.get((rule, column), [])))
            listed = ", ".join(ids[:EXAMPLES * 3]) + (", ..." if len(ids) > EXAMPLES * 3 else "")
            report.notes.append(text + " (if ingest finds no commune for them, give it in "
                                       "overrides/communes.csv" +
                                (f" by response_id: {listed})" if ids else ")"))
        else:
            report.notes.append(text)


def compare_codebooks(before: Codebook, after: Codebook) -> list[str]:
    """Variables added, dropped, read from another column, labels changed."""
    changes = []
    for name in sorted(set(after.variables) - set(before.variables)):
        changes.append(f"added: {name} ({', '.join(after.variables[name].raw_columns())})")
    for name in sorted(set(before.variables) - set(after.variables)):
        changes.append(f"dropped: {name} (was {', '.join(before.variables[name].raw_columns())})")
    for name in sorted(set(before.variables) & set(after.variables)):
        old, new = before.variables[name], after.variables[name]
        if old.raw_columns() != new.raw_columns():
            changes.append(f"renamed: {name}: {', '.join(old.raw_columns())} -> "
                           f"{', '.join(new.raw_columns())}")
        old_labels, new_labels = getattr(old, "labels", None), getattr(new, "labels", None)
        if old_labels and new_labels and old_labels != new_labels:
            gone = sorted(set(old_labels) - set(new_labels))
            came = sorted(set(new_labels) - set(old_labels))
            changes.append(f"labels changed: {name}: -{gone} +{came}")
    return changes


__all__ = ["CheckReport", "CodebookError", "check_codebook", "compare_codebooks"]
