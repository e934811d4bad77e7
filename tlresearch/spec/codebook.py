"""Codebooks: one YAML file per wave mapping its raw columns to canonical variables.

A new wave is a new file, not new code. The format, by example::

    wave: 2026
    tool: LimeSurvey
    file: 2026/export_2026.csv        # path under data/raw/
    sheet: null                       # XLSX only: a sheet name (default: first data sheet)
    header_row: 3                     # optional: row of the column names, counted as a
                                      # spreadsheet shows it (first row = 1); rows above
                                      # it (title, group headings) are skipped
    variables:
      place_name: Q01                 # a plain raw column
      cdi: {column: Q10, blank: zero} # a blank answer means 0 in this wave
      submitted_at: {column: Date, format: "%d/%m/%Y - %H:%M"}  # or a list of formats
      legal_status:                   # answer labels mapped to canonical codes
        column: STATUT
        labels: {"Association loi 1901": association, "SCIC": scic}
      place_types:                    # multi-choice, one column per option
        columns: {coworking: "TYPE[SQ001]", fablab: "TYPE[SQ002]"}
      # or, multi-choice in one delimited cell:
      #   {column: "Type de lieu", split: ", ", labels: {"Fablab": fablab}}  (or separator:)
      jobs:                           # job slots: a title and a contract each
        slots:
          - {title: POSTE1, contract: POSTE1_CONTRAT}
          - {title: "Intitulés des postes", split: "; "}  # several titles in one cell:
                                      # one job each (contract unknown without a column);
                                      # or a list: split: ["\\n", " / ", ", ", " et "]
        contract_labels: {CDI: cdi, CDD: cdd, "Contrat aidé": other}
    completeness: {column: lastpage, complete_values: ["6"]}  # optional
    response_id: id                   # optional: the export's own id, kept in response_id
    ignore: [id, startlanguage]       # raw columns known and deliberately unused

Canonical variables are those of ``schema/variables.yaml``. A raw column that is
neither mapped nor ignored is reported (the wave goes on); a required variable that
is not mapped, or whose column is absent from the file, stops the wave with a
:class:`~tlresearch.core.errors.MissingColumnError` naming the wave, the file and the column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from tlresearch.core.errors import CodebookError, MissingColumnError
from tlresearch.spec.variables import catalogue, contract_labels, required_names

BLANK_POLICIES = {"missing", "zero"}


@dataclass(frozen=True)
class ColumnMapping:
    """A canonical variable read from one raw column, labels optionally recoded."""

    column: str
    labels: dict[str, str] | None = None
    blank: str = "missing"
    #: Date or date-time formats (``strptime``), tried in order before the usual layouts.
    formats: tuple[str, ...] = ()

    def raw_columns(self) -> list[str]:
        return [self.column]


@dataclass(frozen=True)
class MultiColumns:
    """A multi-choice question exported as one column per option (Y / Oui / X / 1)."""

    options: dict[str, str]  # canonical code -> raw column

    def raw_columns(self) -> list[str]:
        return list(self.options.values())


@dataclass(frozen=True)
class MultiDelimited:
    """A multi-choice question exported as one cell of labels joined by a separator."""

    column: str
    separator: str
    labels: dict[str, str]

    def raw_columns(self) -> list[str]:
        return [self.column]


@dataclass(frozen=True)
class JobSlots:
    """Job slots: each a free-text title column and a contract column."""

    slots: list[tuple[str, str | None]]
    contract_labels: dict[str, str]
    #: Title column -> separators, for a cell listing several jobs ("A; B", one title a
    #: line, "A / B", "A et B"): a codebook gives one separator or a list.
    splits: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def raw_columns(self) -> list[str]:
        return [c for pair in self.slots for c in pair if c]


Mapping = Union[ColumnMapping, MultiColumns, MultiDelimited, JobSlots]


@dataclass(frozen=True)
class Completeness:
    """How the survey tool marks a response the respondent did not finish."""

    column: str
    complete_values: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    """The mapping of one wave's raw export to canonical variables."""

    wave: int
    file: str
    variables: dict[str, Mapping]
    path: Path | None = None
    tool: str = ""
    sheet: str | None = None
    header_row: int | None = None
    demo: bool = False
    ignore: tuple[str, ...] = ()
    completeness: Completeness | None = None
    notes: str = ""
    #: The export's own response id (LimeSurvey ``id``, Kobo ``_uuid``): response ids
    #: then keep it, so that a response can be traced back to the survey tool.
    response_id: str | None = None

    def raw_columns(self) -> list[str]:
        """Every raw column the codebook reads, in mapping order."""
        columns = [c for m in self.variables.values() for c in m.raw_columns()]
        if self.completeness:
            columns.append(self.completeness.column)
        if self.response_id:
            columns.append(self.response_id)
        return columns

    def check_header(self, header: list[str]) -> "HeaderReport":
        """Compare the codebook with a file's header.

        Raises
        ------
        MissingColumnError
            When a required variable is unmapped or its column is not in the header.
        """
        present = set(header)
        for name in required_names():
            mapping = self.variables.get(name)
            if mapping is None:
                raise MissingColumnError(
                    f"the codebook maps no column to the required variable {name!r}",
                    wave=self.wave, file=self.file, column=name, rule="required_variable",
                )
            for column in mapping.raw_columns():
                if column not in present:
                    raise MissingColumnError(
                        f"required column for {name!r} is missing{_suggest(column, header)}",
                        wave=self.wave, file=self.file, column=column, rule="required_column",
                    )
        if self.completeness and self.completeness.column not in present:
            raise MissingColumnError(
                "the completeness column is missing: every response would look unfinished",
                wave=self.wave, file=self.file, column=self.completeness.column,
                rule="required_column")
        used = set(self.raw_columns()) | set(self.ignore)
        missing = [c for c in self.raw_columns() if c not in present]
        unmapped = [c for c in header if c not in used]
        return HeaderReport(missing_optional=missing, unmapped=unmapped)


@dataclass(frozen=True)
class HeaderReport:
    """What a header check found that does not stop the wave."""

    missing_optional: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def _suggest(column: str, header: list[str]) -> str:
    from rapidfuzz import process

    match = process.extractOne(column, header, score_cutoff=80)
    return f" (closest header: {match[0]!r})" if match else ""


def load_codebook(path: str | Path) -> Codebook:
    """Read and check one codebook file.

    Raises
    ------
    CodebookError
        When the file is not valid YAML or names unknown variables or codes.
    """
    from tlresearch.spec.codebook_file import read_codebook_yaml

    path = Path(path)
    return parse_codebook(read_codebook_yaml(path), path)


def parse_codebook(raw: object, path: Path | None = None) -> Codebook:
    """Build a :class:`Codebook` from its YAML content (a dict).

    Raises
    ------
    CodebookError
        For any malformed content, naming the file (never a bare KeyError).
    """
    try:
        return _parse_codebook(raw, path)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CodebookError(f"malformed codebook entry: {type(exc).__name__}: {exc}",
                            file=str(path) if path else "<codebook>",
                            rule="codebook_content") from None


def _parse_codebook(raw: object, path: Path | None = None) -> Codebook:
    where = str(path) if path else "<codebook>"

    def fail(message: str, column: str | None = None) -> CodebookError:
        return CodebookError(message, file=where, column=column, rule="codebook_content")

    if not isinstance(raw, dict):
        raise fail("a codebook must be a mapping with 'wave', 'file' and 'variables'")
    for key in ("wave", "file", "variables"):
        if key not in raw:
            raise fail(f"missing key {key!r}")
    known = catalogue()
    variables: dict[str, Mapping] = {}
    for name, spec in (raw["variables"] or {}).items():
        if name not in known:
            raise fail(f"unknown canonical variable {name!r}", column=name)
        variables[name] = _parse_mapping(name, spec, fail)
    _check_shared_columns(variables, fail)
    header_row, sheet = raw.get("header_row"), raw.get("sheet")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int)
                                   or header_row < 1):
        raise fail(f"header_row must be a row number counted as a spreadsheet shows it "
                   f"(the first row is 1), not {header_row!r}", column="header_row")
    if sheet is not None and not isinstance(sheet, str):
        raise fail(f"sheet must be a sheet name in quotes, not {sheet!r}", column="sheet")
    completeness = None
    if raw.get("completeness"):
        spec = raw["completeness"]
        completeness = Completeness(str(spec["column"]),
                                    tuple(str(v) for v in spec["complete_values"]))
    return Codebook(
        wave=int(raw["wave"]), file=str(raw["file"]), variables=variables, path=path,
        tool=str(raw.get("tool", "")), sheet=sheet, header_row=header_row,
        demo=bool(raw.get("demo", False)),
        ignore=tuple(str(c) for c in raw.get("ignore") or ()), completeness=completeness,
        notes=str(raw.get("notes", "")), response_id=_response_id(raw.get("response_id"), fail),
    )


def _response_id(value: object, fail) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail("response_id names the export's own id column, e.g. \"id. ID de la "
                   "réponse\"", column="response_id")
    return value


def _parse_mapping(name: str, spec: object, fail) -> Mapping:
    variable = catalogue()[name]
    if variable.type == "jobs":
        if not isinstance(spec, dict) or "slots" not in spec:
            raise fail("jobs needs 'slots' (a list of {title, contract})", column=name)
        labels = {str(k): str(v) for k, v in (spec.get("contract_labels") or {}).items()}
        bad = sorted(set(labels.values()) - set(contract_labels()))
        if bad:
            raise fail(f"unknown contract codes {bad}", column=name)
        slots = [(str(s["title"]), str(s["contract"]) if s.get("contract") else None)
                 for s in spec["slots"]]
        splits = {str(s["title"]): _separators(s["split"] if "split" in s else spec["split"],
                                               name, fail)
                  for s in spec["slots"] if "split" in s or "split" in spec}
        return JobSlots(slots=slots, contract_labels=labels, splits=splits)
    if isinstance(spec, str):
        return ColumnMapping(column=spec)
    if not isinstance(spec, dict):
        raise fail(f"mapping of {name!r} must be a column name or a mapping", column=name)
    if "split" in spec and variable.type != "multi":
        raise fail(f"split cuts a cell into several job titles or options; {name!r} is a "
                   f"{variable.type} variable, one value per cell", column=name)
    if variable.type == "multi":
        if "columns" in spec:
            options = {str(k): str(v) for k, v in spec["columns"].items()}
            _check_codes(name, options.keys(), variable.values, fail)
            return MultiColumns(options=options)
        labels = {str(k): str(v) for k, v in (spec.get("labels") or {}).items()}
        _check_codes(name, labels.values(), variable.values, fail)
        separator = spec.get("split", spec.get("separator", ","))
        return MultiDelimited(column=str(spec["column"]),
                              separator=_separator(separator, name, fail), labels=labels)
    labels = spec.get("labels")
    if labels is not None:
        labels = {str(k): str(v) for k, v in labels.items()}
        if variable.values:
            _check_codes(name, labels.values(), variable.values, fail)
    blank = spec.get("blank", "missing")
    if blank not in BLANK_POLICIES:
        raise fail(f"blank must be one of {sorted(BLANK_POLICIES)}", column=name)
    formats = spec.get("format") or ()
    formats = (formats,) if isinstance(formats, str) else tuple(str(f) for f in formats)
    if formats and variable.type != "date":
        raise fail(f"format applies to dates; {name!r} is a {variable.type} variable",
                   column=name)
    for pattern in formats:
        if "%" not in pattern:
            raise fail(f"date format {pattern!r} has no %-code (e.g. \"%d/%m/%Y - %H:%M\")",
                       column=name)
    return ColumnMapping(column=str(spec["column"]), labels=labels, blank=blank, formats=formats)


def _separator(value: object, name: str, fail) -> str:
    if not isinstance(value, str) or not value:
        raise fail(f"{name}: split must be a non-empty text in quotes, e.g. \"; \" (jobs: "
                   "or a list of them, e.g. [\"\\n\", \" / \"])", column=name)
    return value


def _separators(value: object, name: str, fail) -> tuple[str, ...]:
    """One separator or a list of them (``["\\n", " / ", " et "]``), each non-empty."""
    if isinstance(value, list) and value:
        return tuple(_separator(item, name, fail) for item in value)
    return (_separator(value, name, fail),)


def _check_shared_columns(variables: dict[str, Mapping], fail) -> None:
    """One raw column feeds one variable: a column mapped twice is a slip of the pen."""
    seen: dict[str, str] = {}
    for name, mapping in variables.items():
        for column in dict.fromkeys(mapping.raw_columns()):
            if column in seen:
                raise fail(f"column {column!r} is mapped to both {seen[column]!r} and {name!r}",
                           column=column)
            seen[column] = name


def _check_codes(name, codes, allowed, fail) -> None:
    bad = sorted(set(codes) - set(allowed))
    if bad:
        raise fail(f"{name}: unknown codes {bad}; allowed: {sorted(allowed)}", column=name)


def find_codebooks(directory: Path) -> dict[int, Path]:
    """Codebook files of a folder, by wave (file names ``<wave>.yaml``)."""
    out = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.stem.isdigit():
            out[int(path.stem)] = path
    return out
