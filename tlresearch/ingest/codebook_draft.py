"""``tlresearch codebook draft``: propose a codebook for a new export, with its evidence.

A wave in a layout never seen took a new user 39 minutes and five obstacles. The
draft does the finding: the sheet and the header row (:mod:`.table_locator`), what
each column's answers look like (:mod:`.column_profile`), and which canonical
variable each column most resembles, comparing its header with every header an
earlier codebook mapped and with the catalogue (:mod:`.codebook_knowledge`, scored
with rapidfuzz). Every line of the YAML carries a comment with its evidence and a
confidence (0-100); columns it could not map are listed at the end, under
``ignore``, for the lab to decide. The draft is a proposal to read, never a
codebook written over an existing one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.core.storage import atomic_write_text
from tlresearch.ingest.cell_lists import split_titles
from tlresearch.ingest.codebook_knowledge import DEMO_CODEBOOKS, Knowledge, gather, option_part
from tlresearch.ingest.column_profile import Profile, profile_column
from tlresearch.ingest.draft_answers import (
    draft_labels,
    export_id_column,
    label_separator,
    options_of,
    tool_of,
)
from tlresearch.ingest.roles import assign_roles
from tlresearch.ingest.skipped_questions import SkippedCount, find_filter_question, skipped_counts
from tlresearch.ingest.table_locator import Located, locate_table
from tlresearch.ingest.title_split import separates_titles, title_separators
from tlresearch.io.cells import fold, parse_decimal
from tlresearch.spec.variables import catalogue

#: Minimum header similarity (0-100, :func:`header_similarity`) to propose a mapping.
MIN_SCORE = 80

#: Words of a question that say nothing of its subject ("Quel est le nom de votre lieu ?").
QUESTION_WORDS = frozenset(
    "quel quelle quels quelles est sont le la les l de du des d un une en a au aux et ou "
    "votre vos vous nous notre cette ce cet combien dans sur pour par qui que il elle "
    "t y avez etes si dont nombre nb".split())

#: Penalty per meaningful header word that the known header lacks.
EXTRA_WORD_PENALTY = 5

#: Profile kinds each variable type accepts.
ACCEPTS = {"count": {"number", "empty"}, "decimal": {"number", "empty"},
           "year": {"number", "date", "empty"}, "date": {"date", "empty"},
           "code": {"number", "text", "empty"}, "string": {"text", "empty"},
           "category": {"text", "empty"}, "multi": {"text", "empty"}}


@dataclass
class Proposal:
    """What one column was taken for."""

    column: str
    target: tuple
    score: float
    evidence: str
    profile: Profile


@dataclass
class Draft:
    """A draft codebook: its YAML text and what was found, for the terminal and tests."""

    text: str
    located: Located
    proposals: list[Proposal] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def draft_codebook(path: str | Path, wave: int, paths: DataPaths,
                   sheet: str | None = None) -> Draft:
    """Propose a codebook for ``path`` (a file under ``paths.raw``), wave ``wave``.

    ``path`` may also be given relative to the data folder (``raw/2026/export.xls``) or
    to ``raw/`` (``2026/export.xls``).
    """
    path = Path(path)
    if not path.exists():
        path = next((base / path for base in (paths.root, paths.raw) if (base / path).exists()),
                    path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file (give its path, or raw/<wave>/<file> "
                         "relative to the data folder)")
    path = path.resolve()
    raw_root = paths.raw.resolve()
    if not path.is_relative_to(raw_root):
        raise UsageError(f"{path} is not under {paths.raw}: copy the export to "
                         f"{paths.raw / str(wave)}/ first (raw files stay as received)")
    relative = path.relative_to(raw_root).as_posix()
    located = locate_table(path, name=relative, sheet=sheet)
    knowledge = gather([paths.codebooks, DEMO_CODEBOOKS], before_wave=wave)
    frame = located.table.frame
    profiles = {column: profile_column(frame[column]) for column in frame.columns}
    candidates = [_candidates(column, located.groups.get(column), profiles[column], knowledge)
                  for column in frame.columns]
    proposals, unmapped = _assign(list(frame.columns), candidates, profiles)
    skipped = _skipped(frame, proposals, unmapped)
    text = _render(relative, wave, located, proposals, unmapped, knowledge, frame, skipped)
    return Draft(text, located, proposals, [u for u, _ in unmapped])


def _skipped(frame, proposals, unmapped) -> dict[str, SkippedCount]:
    """Counts a filter question governs (« Employez-vous des salariés ? » Oui / Non):
    ``blank: zero`` is proposed for them; the filter column says so in ``ignore``."""
    mapped = {p.target[1]: p.column for p in proposals if p.target[0] == "var"}
    filter_column = find_filter_question(frame, set(mapped.values()))
    if filter_column is None:
        return {}
    found = {s.variable: s for s in skipped_counts(frame, mapped, filter_column)}
    if found:
        for position, (column, _why) in enumerate(unmapped):
            if column == filter_column:
                unmapped[position] = (column, "filter question: a blank count after « Non » "
                                      f"means 0 ({', '.join(found)}: blank: zero)")
    return found


def _candidates(column: str, group: str | None, profile: Profile,
                knowledge: Knowledge) -> list[tuple[float, tuple, str]]:
    """(score, target, evidence) for one column, best first, type-compatible only."""
    variables = catalogue()
    texts = [column] + [t for t in (option_part(column),) if t]
    if group:
        texts.append(f"{group} {column}")
    found: dict[tuple, tuple[float, str]] = {}
    if profile.kind == "empty":
        return []
    for text in texts:
        for key, score, _ in process.extract(fold(text), list(knowledge.headers),
                                             scorer=header_similarity, limit=8,
                                             score_cutoff=MIN_SCORE):
            target, source = knowledge.headers[key]
            if not _compatible(target, profile, variables):
                continue
            if target not in found or score > found[target][0]:
                found[target] = (score, f"header ~ {key!r} ({source})")
    if profile.kind == "text" and len(profile.distinct) <= 30:
        for name, labels in knowledge.labels.items():
            hits = sum(fold(v) in labels for v in profile.distinct)
            share = hits / len(profile.distinct)
            if variables[name].type == "category" and share >= 0.5:
                score = 71 + 30 * share  # full agreement of answers beats a header
                if (name,) not in found or score > found[("var", name)][0]:
                    found[("var", name)] = (score, f"{hits}/{len(profile.distinct)} answers "
                                                   "are known labels")
    if profile.kind == "text" and any(t[0] == "job_title" for t in found):
        profile.title_separators, cut, titles = title_separators(profile.distinct)
        if profile.title_separators:
            found[("job_title",)] = (found[("job_title",)][0], found[("job_title",)][1]
                                     + "; " + _split_evidence(profile, cut, titles))
    return sorted(((s, t, e) for t, (s, e) in found.items()), key=lambda c: -c[0])


def header_similarity(header: str, known: str, **_) -> float:
    """Similarity of a folded header to a folded known header (0-100).

    Whole-string similarity, or — when every meaningful word of the known header is
    in the new one, as in a LimeSurvey question that repeats an older short header —
    the subset score less :data:`EXTRA_WORD_PENALTY` per extra meaningful word. A
    header that is only part of a known one ("Numéro" in "Numéro SIRET") gets no
    such credit.

    Examples
    --------
    >>> header_similarity("quel est le code postal de cette commune", "code postal")
    95.0
    >>> header_similarity("combien de personnes salariees en cdi", "salaries en cdi")
    95.0
    >>> header_similarity("numero", "numero siret si vous en avez un") < 80
    True
    """
    base = max(fuzz.ratio(header, known), fuzz.token_sort_ratio(header, known))
    words = [_stem(w) for w in header.split() if w not in QUESTION_WORDS]
    known_words = [_stem(w) for w in known.split() if w not in QUESTION_WORDS]
    shorter = min(len(words), len(known_words))
    if not shorter or (len(known_words) > len(words) and shorter < 2):
        return float(base)
    subset = fuzz.token_set_ratio(" ".join(words), " ".join(known_words))
    extra = abs(len(words) - len(known_words))
    return float(max(base, subset - EXTRA_WORD_PENALTY * extra))


def _stem(word: str) -> str:
    """Plural and feminine endings off: salariées, salariés and salarié compare equal."""
    if len(word) > 4:
        word = word.rstrip("s").rstrip("e")
    return word


def _compatible(target: tuple, profile: Profile, variables) -> bool:
    if target[0] == "option":  # « Autre » may hold the text typed (LimeSurvey's [other])
        return profile.kind in {"tick", "empty"} or (target[1] == "autre"
                                                      and profile.kind == "text")
    if target[0] in {"job_title", "job_contract"}:
        return profile.kind in {"text", "empty"}
    if target[0] == "complete":
        return True
    variable = variables[target[1]]
    if profile.kind == "tick" and variable.type in {"count", "decimal"}:
        return all(v.strip() in {"0", "1"} for v in profile.distinct)  # KoBo ticks or counts
    if variable.type == "string" and not variable.restricted and (
            profile.letters < 0.5 or profile.emails > 0.5):
        return False  # a place or an address has letters, and is not "192.0.2.1" or an e-mail
    return profile.kind in ACCEPTS.get(variable.type, {"text"})


def _split_evidence(profile: Profile, cut: int, titles: int) -> str:
    """The separators found, and the roles recognised on whole cells and on split titles."""
    whole = pd.Series(profile.distinct)
    parts = pd.Series([p for v in profile.distinct
                       for p in split_titles(v, profile.title_separators, separates_titles)])
    before = (assign_roles(whole)["role"] == "facilitator").sum()
    after = (assign_roles(parts)["role"] == "facilitator").sum()
    used = " ".join(repr(s) for s in profile.title_separators)
    return (f"{cut}/{len(profile.distinct)} distinct cells list several titles (cut on "
            f"{used}): {titles} titles, {after} facilitator (whole cells: {before})")


def _assign(columns, candidates, profiles):
    """Greedy: best score first; a variable (or option) goes to one column only."""
    ranked = sorted(((c[0], i, c) for i, cands in enumerate(candidates) for c in cands),
                    key=lambda r: (-r[0], r[1]))
    taken: dict[tuple, str] = {}
    chosen: dict[int, Proposal] = {}
    for score, i, (_, target, evidence) in ranked:
        if i in chosen:
            continue
        multiple = target[0] in {"job_title", "job_contract"}
        if target in taken and not multiple:
            continue
        taken[target] = columns[i]
        # Answers all known rank above a header (up to 101), but a confidence reads 0-100.
        chosen[i] = Proposal(columns[i], target, min(100, round(score)), evidence,
                             profiles[columns[i]])
    proposals = [chosen[i] for i in sorted(chosen)]
    unmapped = []
    for i, column in enumerate(columns):
        if i not in chosen:
            best = candidates[i][0] if candidates[i] else None
            why = (f"best guess {best[1]} taken by {taken.get(best[1])!r}" if best
                   else f"no header seen before ({profiles[column].describe()})")
            unmapped.append((column, why))
    return proposals, unmapped


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _render(relative, wave, located, proposals, unmapped, knowledge, frame,
            skipped: dict[str, SkippedCount]) -> str:
    variables = catalogue()
    lines = [
        f"# Draft codebook for wave {wave}, written by `tlresearch codebook draft` from",
        f"# raw/{relative}. Review each line: the comment gives the evidence and a",
        "# confidence (0-100). Then run `tlresearch codebook check " f"{wave}`.",
        f"wave: {wave}",
        f"tool: {_q(tool_of(located))}   # a guess from the layout; free text",
        f"file: {_q(relative)}",
    ]
    if located.sheet:
        lines.append(f"sheet: {_q(located.sheet)}   # {located.evidence}")
    lines.append(f"header_row: {located.header_row}   # counted as a spreadsheet shows it; "
                 f"{located.evidence}")
    lines.append("variables:")
    by_kind: dict[str, list[Proposal]] = {}
    for p in proposals:
        by_kind.setdefault(p.target[0], []).append(p)
    for p in by_kind.get("var", []):
        name, variable = p.target[1], variables[p.target[1]]
        comment = f"# {p.evidence}; {p.profile.describe()}; confidence {p.score}"
        if variable.type == "date" and p.profile.date_formats:
            formats = p.profile.date_formats
            fmt = _q(formats[0]) if len(formats) == 1 else "[" + ", ".join(map(_q, formats)) + "]"
            lines.append(f"  {name}: {{column: {_q(p.column)}, format: {fmt}}}  {comment}")
        elif variable.type == "category":
            lines.append(f"  {name}:  {comment}")
            lines.append(f"    column: {_q(p.column)}")
            lines.append("    labels:")
            lines += draft_labels(p.profile.distinct, knowledge.labels.get(name, {}), variable)
        elif variable.type == "multi":
            if by_kind.get("option"):  # option columns found: they are the question
                unmapped.append((p.column, "the same answers as the option columns "
                                 "(KoboToolbox writes both)"))
                continue
            known = knowledge.labels.get(name, {})
            separator = label_separator(p.profile, known)
            answers = options_of(p.profile.distinct, separator)
            lines.append(f"  {name}:  {comment}")
            lines.append(f"    column: {_q(p.column)}")
            lines.append(f"    split: {_q(separator)}")
            lines.append("    labels:")
            lines += draft_labels(answers, knowledge.labels.get(name, {}), variable)
        elif name in skipped:
            lines.append(f"  {name}: {{column: {_q(p.column)}, blank: zero}}  {comment}; "
                         f"blank: zero because {skipped[name].evidence}")
        else:
            lines.append(f"  {name}: {_q(p.column)}  {comment}")
    if by_kind.get("option"):
        lines.append("  place_types:   # multi-choice, one column per option")
        lines.append("    columns:")
        for p in by_kind["option"]:
            lines.append(f"      {p.target[1]}: {_q(p.column)}  "
                         f"# {p.evidence}; confidence {p.score}")
    if by_kind.get("job_title"):
        lines += _jobs(by_kind["job_title"], by_kind.get("job_contract", []), knowledge, frame)
    id_column = export_id_column(frame)
    if id_column:
        lines.append(f"response_id: {_q(id_column)}  # the export's own id, distinct in every "
                     "row: kept in response_id, to trace a response back to the survey tool")
    for p in by_kind.get("complete", []):
        values = [v for v in knowledge.complete_values.get(fold(p.column), ())
                  if v in p.profile.distinct] or _complete_guess(p.profile)
        lines.append(f"completeness: {{column: {_q(p.column)}, complete_values: "
                     f"[{', '.join(map(_q, values))}]}}  # {p.evidence}; check the values")
    unmapped = [(column, why) for column, why in unmapped if column != id_column]
    if unmapped:
        lines.append("# Columns not mapped: map them above, or leave them here (ingest then")
        lines.append("# says nothing about them). Contact columns stay in data/restricted.")
        lines.append("ignore:")
        lines += [f"  - {_q(column)}  # {why}" for column, why in unmapped]
    return "\n".join(lines) + "\n"


def _complete_guess(profile: Profile) -> list[str]:
    """The last page (a number) or the most frequent answer means "finished"."""
    if profile.kind == "number":
        return [max(profile.distinct, key=lambda v: parse_decimal(v)[0] or 0)]
    return profile.distinct[:1]


def _jobs(titles: list[Proposal], contracts: list[Proposal], knowledge, frame) -> list[str]:
    columns = list(frame.columns)
    lines = ["  jobs:   # one job per title; without a contract column, contract unknown",
             "    slots:"]
    pairs: dict[str, str] = {}
    for c in contracts:  # a contract column follows its title column
        before = [t.column for t in titles if columns.index(t.column) < columns.index(c.column)
                  and t.column not in pairs]
        if before:
            pairs[before[-1]] = c.column
    seen: set[str] = set()
    for t in titles:
        parts = [f"title: {_q(t.column)}"]
        if t.column in pairs:
            parts.append(f"contract: {_q(pairs[t.column])}")
        found = t.profile.title_separators
        if len(found) == 1:
            parts.append(f"split: {_q(found[0])}")
        elif found:
            parts.append(f"split: [{', '.join(_q(s) for s in found)}]")
        lines.append(f"      - {{{', '.join(parts)}}}  # {t.evidence}; confidence {t.score}")
        if t.column in pairs:
            seen.update(frame[pairs[t.column]].dropna().astype(str))
    labels = []
    for answer in sorted(seen):
        code = knowledge.contract_labels.get(fold(answer))
        labels.append(f"{_q(answer)}: {code}" if code else f"{_q(answer)}: other")
    lines.append(f"    contract_labels: {{{', '.join(labels)}}}")
    return lines


def write_draft(draft: Draft, target: Path) -> None:
    """Write the draft; an existing file is never replaced.

    Raises
    ------
    UsageError
        ``target`` exists.
    """
    if target.exists():
        raise UsageError(f"{target} exists: a codebook is never overwritten; delete it "
                         "or write the draft elsewhere with --out")
    atomic_write_text(target, draft.text)
