"""Harmonisation: one wave's raw table → canonical responses, job slots and issues.

Generic code driven by the codebook: every cell is parsed according to the type of
its canonical variable (``schema/variables.yaml``) and every change is recorded as an
:class:`~tlresearch.core.quality_log.Issue`. Cell-level problems (``NSP`` in a count, an unknown
label) make that cell missing and keep the row; row-level problems found here (a
broken CSV row, a "Total" row, an unfinished response, no place name) quarantine the
row. Range and cross-field rules are checked afterwards by :mod:`tlresearch.ingest.validate`.

Parsing works on the distinct values of a column, not on every cell: a column of
100 000 answers has a few hundred distinct spellings, so a national-scale wave is
harmonised in seconds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from tlresearch.core.errors import MissingColumnError
from tlresearch.core.quality_log import MASK, Issue
from tlresearch.ingest.cell_lists import parse_date_formats
from tlresearch.ingest.harmonise_jobs import empty_jobs, harmonise_jobs
from tlresearch.ingest.harmonise_options import multi_delimited, other_column
from tlresearch.io import cells as values
from tlresearch.io.raw_tables import RawTable
from tlresearch.spec.codebook import Codebook, ColumnMapping, JobSlots, MultiColumns, MultiDelimited
from tlresearch.spec.variables import Variable, catalogue

#: Rules whose parser result is a pure reformatting: logged as "corrected".
CORRECTING_RULES = {
    "unit_stripped", "word_number", "fraction", "date_to_year", "excel_serial",
    "scientific_notation", "siret_reformatted", "float_artifact", "leading_zero_restored",
    "percent_of_full_time", "year_in_words",
}

TOTAL_ROW = re.compile(r"^(sous )?(total|totaux|somme|ensemble)\b")

PARSERS: dict[str, Callable[[str], tuple[object, str | None]]] = {
    "count": values.parse_count,
    "decimal": values.parse_decimal,
    "year": values.parse_year,
    "date": values.parse_date,
}

#: Variables whose values need more than their type's parser: a percentage in an ETP
#: field is a share of one post (:func:`tlresearch.io.cells.parse_fte`), not 80 posts.
VARIABLE_PARSERS: dict[str, Callable[[str], tuple[object, str | None]]] = {
    "etp": values.parse_fte,
}

CODE_PARSERS: dict[str, Callable[[str], tuple[object, str | None]]] = {
    "siret": values.normalise_siret,
    "commune_code": values.normalise_commune_code,
    "postcode": values.normalise_postcode,
}


@dataclass
class HarmonisedWave:
    """What harmonisation made of one wave's raw table.

    ``responses`` has one row per raw data row (kept or not) with ``response_id``,
    ``wave``, ``source_file``, ``source_row``, ``complete`` and every canonical
    variable the codebook maps (multi-choice as ``type_<code>`` booleans).
    ``quarantine`` maps response_id → the Issue that sets the row aside.
    """

    wave: int
    file: str
    responses: pd.DataFrame
    jobs: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    quarantine: dict[str, Issue] = field(default_factory=dict)
    blank_rows: list[int] = field(default_factory=list)


def response_ids(wave: int, rows: list[int]) -> list[str]:
    """Stable ids of responses: the wave and the row a person sees in the raw file."""
    return [f"{wave}-{row:06d}" for row in rows]


def export_ids(raw: RawTable, codebook: Codebook, issues: list[Issue]) -> list[str] | None:
    """Response ids keeping the export's own id (``2026-id123``), or None to use rows.

    Only when every row has one and no two rows share it: an id that cannot tell the
    responses apart would merge them; then rows are used and the reason is reported.
    """
    column = codebook.response_id
    if column is None or column not in raw.frame.columns:
        return None
    ids = raw.frame[column].map(values.normalise_text, na_action="ignore")
    if ids.isna().any() or ids.duplicated().any():
        issues.append(Issue("export_id_unusable", "reported",
                            "the export's id column is empty or repeated in some rows: "
                            "response ids use the rows", file=raw.name, column=column,
                            wave=codebook.wave))
        return None
    return [f"{codebook.wave}-id{value}" for value in ids.tolist()]


def harmonise(raw: RawTable, codebook: Codebook, chunk_rows: int | None = None) -> HarmonisedWave:
    """Map a raw table to canonical variables following its codebook.

    Parameters
    ----------
    chunk_rows
        Rows parsed at a time (default: all at once). Every cell is parsed on its own
        and every logged action depends on its cell only, so any chunk size gives the
        same result; smaller chunks bound the temporaries of a large wave.

    Raises
    ------
    MissingColumnError
        When a required column is absent (see :meth:`Codebook.check_header`).
    """
    wave, name = codebook.wave, raw.name
    header = list(raw.frame.columns)
    try:
        report = codebook.check_header(header)
    except MissingColumnError as error:
        raise _with_header_hint(error, raw) from None
    issues: list[Issue] = []
    public = public_raw_columns(codebook)
    for issue in raw.issues:
        mask = issue.column is not None and issue.column not in public
        issues.append(_with_wave(issue, wave, mask=mask))
    for column in report.unmapped:
        issues.append(Issue("unmapped_column", "reported", "raw column not in the codebook",
                            file=name, column=column, wave=wave))
    for column in report.missing_optional:
        issues.append(Issue("missing_optional_column", "reported",
                            "column named in the codebook is not in the file; "
                            "variable left missing",
                            file=name, column=column, wave=wave))

    step = chunk_rows or max(len(raw.rows), 1)
    ids = export_ids(raw, codebook, issues) or response_ids(wave, raw.rows)
    parts = [_harmonise_rows(raw.frame.iloc[start:start + step].reset_index(drop=True),
                             raw.rows[start:start + step], codebook, name, issues,
                             ids[start:start + step])
             for start in range(0, max(len(raw.rows), 1), step)]
    out = pd.concat([p[0] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][0]
    jobs = pd.concat([p[1] for p in parts], ignore_index=True) if len(parts) > 1 else parts[0][1]
    harmonised = HarmonisedWave(wave, name, out, jobs, issues, blank_rows=list(raw.blank_rows))
    _quarantine_rows(harmonised, raw)
    return harmonised


def _harmonise_rows(frame: pd.DataFrame, rows: list[int], codebook: Codebook, name: str,
                    issues: list[Issue], ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical responses and job slots of some rows of a wave; cell issues go to ``issues``."""
    wave = codebook.wave
    out = pd.DataFrame({
        "response_id": pd.array(ids, dtype="string"),
        "wave": pd.array([wave] * len(rows), dtype="Int64"),
        "source_file": pd.array([name] * len(rows), dtype="string"),
        "source_row": pd.array(rows, dtype="Int64"),
    })
    variables = catalogue()
    jobs = empty_jobs()
    for var_name, mapping in codebook.variables.items():
        variable = variables[var_name]
        context = _Context(wave, name, rows, issues, variable.restricted)
        if isinstance(mapping, JobSlots):
            jobs = harmonise_jobs(frame, mapping, context, out["response_id"])
        elif isinstance(mapping, MultiColumns):
            for code, column in mapping.options.items():
                if code == "autre" and column in frame.columns:  # a text is an answer
                    for key, series in other_column(_source(frame, column), column,
                                                    context).items():
                        out[key] = series
                else:
                    out[f"type_{code}"] = _ticks(frame, column, context)
        elif isinstance(mapping, MultiDelimited):
            for key, series in multi_delimited(_source(frame, mapping.column), mapping,
                                               variable, context).items():
                out[key] = series
        else:
            out[var_name] = _column(frame, mapping, variable, context)
    out["complete"] = _completeness(frame, codebook)
    return out, jobs


@dataclass
class _Context:
    wave: int
    file: str
    rows: list[int]
    issues: list[Issue]
    restricted: bool

    def log(self, positions, column, raw_values, rule, action, message) -> None:
        for pos, value in zip(positions, raw_values):
            shown = MASK if self.restricted else value
            self.issues.append(Issue(rule, action, message, file=self.file,
                                     row=self.rows[pos], column=column, value=shown,
                                     wave=self.wave))


def _with_wave(issue: Issue, wave: int, mask: bool) -> Issue:
    value = MASK if (mask and issue.value is not None) else issue.value
    return Issue(issue.rule, issue.action, issue.message, file=issue.file, row=issue.row,
                 column=issue.column, value=value, wave=wave)


def public_raw_columns(codebook: Codebook) -> set[str]:
    """Raw columns mapped to a variable that is not restricted.

    Deny by default: a value from any other column (contact fields, but also an
    unmapped new question such as a phone number, or an ignored free-text column)
    is masked before it reaches the quality log.
    """
    public: set[str] = set()
    for name, mapping in codebook.variables.items():
        if not catalogue()[name].restricted:
            public.update(mapping.raw_columns())
    return public


def _source(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _parse_distinct(series: pd.Series, parse) -> tuple[pd.Series, pd.Series]:
    """Apply ``parse`` once per distinct value; return parsed values and rules."""
    distinct = series.dropna().unique()
    parsed = {value: parse(value) for value in distinct}
    result = series.map(lambda v: parsed[v][0] if v in parsed else None)
    rules = series.map(lambda v: parsed[v][1] if v in parsed else None)
    return result, rules


def _log_rules(context: _Context, raw: pd.Series, result: pd.Series, rules: pd.Series,
               column: str, label: str) -> None:
    flagged = rules.notna()
    has_value = result.notna()
    # The action depends on the cell alone (not on the other cells with the same rule),
    # so that a wave parsed in chunks logs exactly what it logs in one pass.
    for rule in sorted(rules[flagged].unique()):
        for kept in (True, False):
            mask = (rules == rule) & (has_value == kept)
            if not mask.any():
                continue
            if kept and rule in CORRECTING_RULES:
                action, message = "corrected", f"{label}: value reformatted ({rule})"
            elif not kept:
                action, message = "set_missing", f"{label}: value not usable ({rule})"
            else:
                action, message = "flagged", f"{label}: {rule}"
            positions = list(mask[mask].index)
            context.log(positions, column, list(raw[mask]), rule, action, message)


def _column(frame: pd.DataFrame, mapping: ColumnMapping, variable: Variable,
            context: _Context) -> pd.Series:
    raw = _source(frame, mapping.column)
    if variable.type in {"string"}:
        return raw.map(values.normalise_text, na_action="ignore").astype("string")
    if variable.type == "code":
        parse = CODE_PARSERS.get(variable.name, lambda v: (values.normalise_text(v), None))
        result, rules = _parse_distinct(raw, parse)
        _log_rules(context, raw, result, rules, mapping.column, variable.label)
        return result.astype("string")
    if variable.type == "category":
        return _category(raw, mapping, variable, context)
    parse = VARIABLE_PARSERS.get(variable.name, PARSERS[variable.type])
    if mapping.formats:
        parse = lambda text: parse_date_formats(text, mapping.formats)  # noqa: E731
    result, rules = _parse_distinct(raw, parse)
    _log_rules(context, raw, result, rules, mapping.column, variable.label)
    if (mapping.blank == "zero" and variable.type in {"count", "decimal"}
            and mapping.column in frame.columns):  # a column absent from the file stays NA
        result = result.where(raw.notna(), 0)
    if variable.type == "date":
        return pd.to_datetime(result, errors="coerce").astype("datetime64[s]")
    dtype = "Float64" if variable.type == "decimal" else "Int64"
    return pd.array(result.tolist(), dtype=dtype) if len(result) else pd.Series([], dtype=dtype)


def _label_lookup(labels: dict[str, str]) -> dict[str, str]:
    """Labels matched insensitive to case, accents, spacing and punctuation."""
    return {values.fold(label): code for label, code in labels.items()}


def _category(raw: pd.Series, mapping: ColumnMapping, variable: Variable,
              context: _Context) -> pd.Series:
    lookup = _label_lookup(mapping.labels) if mapping.labels else {
        values.fold(code): code for code in variable.values}
    folded = raw.map(values.fold, na_action="ignore")
    result = folded.map(lookup)
    unknown = raw.notna() & result.isna()
    if unknown.any():
        positions = list(unknown[unknown].index)
        context.log(positions, mapping.column, list(raw[unknown]), "unknown_label",
                    "set_missing", f"{variable.label}: answer not in the codebook's labels")
    return result.astype("string")


def _ticks(frame: pd.DataFrame, column: str, context: _Context) -> pd.Series:
    raw = _source(frame, column)
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    result, rules = _parse_distinct(raw.fillna(""), values.parse_tick)
    _log_rules(context, raw, result, rules, column, "multi-choice option")
    return result.astype("boolean")


def _with_header_hint(error: MissingColumnError, raw: RawTable) -> MissingColumnError:
    """Say where the header seems to be when a missing column is found in a data row."""
    column = error.column
    for pos, row in enumerate(raw.rows[:15]):
        cells = {values.normalise_text(v) for v in raw.frame.iloc[pos].tolist()
                 if isinstance(v, str)}
        if column in cells:
            hint = (f"; the header seems to be lower: row {row} (set header_row: {row} in the "
                    "codebook; rows are counted as a spreadsheet shows them, the first is 1)")
            return MissingColumnError(error.message + hint, file=error.file, row=error.row,
                                      column=column, rule=error.rule, wave=error.wave)
    return error


def _completeness(frame: pd.DataFrame, codebook: Codebook) -> pd.Series:
    if codebook.completeness is None:
        return pd.Series(True, index=frame.index, dtype="boolean")
    raw = _source(frame, codebook.completeness.column)
    complete_values = set(codebook.completeness.complete_values)
    complete = raw.map(lambda v: v in complete_values if isinstance(v, str) else False)
    return complete.astype("boolean")


def _quarantine_rows(wave: HarmonisedWave, raw: RawTable) -> None:
    """Set aside rows that cannot be responses, with the first reason found."""
    out = wave.responses
    by_row = dict(zip(out["source_row"].tolist(), out["response_id"].tolist()))

    def put(response_id: str, issue: Issue) -> None:
        if response_id not in wave.quarantine:
            wave.quarantine[response_id] = issue
            wave.issues.append(issue)

    for row, problem in sorted(raw.row_problems.items()):
        if row not in by_row:
            continue  # the reader dropped it as blank: counted with the blank rows
        put(by_row[row], Issue(problem.rule, "quarantined", problem.message, file=wave.file,
                               row=row, column=problem.column, wave=wave.wave))
    for pos in _repeated_headers(raw):
        put(out.at[pos, "response_id"], Issue(
            "repeated_header", "quarantined", "the header row again, not a response",
            file=wave.file, row=int(out.at[pos, "source_row"]), wave=wave.wave))
    names = out["place_name"] if "place_name" in out else pd.Series(pd.NA, index=out.index)
    # What a folded name says, not the folded names: a wave of two million places
    # would hold two million more strings for two yes/no answers.
    kind = pd.concat([names.iloc[start:start + _MAP_ROWS].map(_name_kind, na_action="ignore")
                      for start in range(0, len(names), _MAP_ROWS)] or [names]).fillna("")
    commune = out["commune_name"] if "commune_name" in out else pd.Series(pd.NA, index=out.index)
    # "Ensemble Coworking" is a place; a total row names no commune.
    is_total = (kind == "total") & commune.isna()
    incomplete = ~out["complete"].fillna(False).astype(bool)
    nameless = kind == ""
    reasons = [
        (is_total, "total_row", "a total row, not a response", "place_name"),
        (~is_total & incomplete, "incomplete_response",
         "the respondent did not finish the questionnaire", None),
        (~is_total & ~incomplete & nameless, "missing_place_name",
         "no place name: the response cannot be attributed", "place_name"),
    ]
    for mask, rule, message, column in reasons:
        for pos in mask[mask].index:
            value = names.iat[pos] if rule == "total_row" else None
            put(out.at[pos, "response_id"], Issue(rule, "quarantined", message, file=wave.file,
                                                  row=int(out.at[pos, "source_row"]),
                                                  column=column, value=value, wave=wave.wave))


#: Names classified this many at a time: mapping a column of Arrow strings makes a
#: Python string of every cell first, so a whole wave at once would hold them all.
_MAP_ROWS = 20_000


def _name_kind(name: str) -> str:
    """``"total"`` for a name that reads as a total, ``""`` for no name once folded."""
    folded = values.fold(name)
    if TOTAL_ROW.match(folded):
        return "total"
    return "name" if folded else ""


def _repeated_headers(raw: RawTable) -> list[int]:
    """Positions of rows that repeat the column names (two exports pasted together).

    Compared a block of rows at a time as one array: a column at a time cost a pandas
    Series per column, minutes for an export of 200 000 columns.
    """
    import numpy as np

    names = np.array(raw.frame.columns, dtype=object)
    found = []
    for start in range(0, len(raw.frame), _MAP_ROWS):
        block = raw.frame.iloc[start:start + _MAP_ROWS].to_numpy(dtype=object, na_value=None)
        hits = np.equal(block, names).sum(axis=1)
        filled = np.not_equal(block, None).sum(axis=1)
        found += [start + int(p) for p in np.flatnonzero((hits >= 2) & (hits * 2 >= filled))]
    return found
