"""One wave: its raw export read through its codebook, validated and de-duplicated.

Part of the ingest stage (:mod:`tlresearch.ingest.pipeline` stacks the waves and
publishes the panel). Nothing here writes a file; every row read ends up kept or in
``WaveResult.quarantine`` with its reason, and every file of the wave's folder is
either the one the codebook names or reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from tlresearch.core.errors import CodebookError
from tlresearch.core.paths import DEFAULT_REGION, DataPaths
from tlresearch.core.quality_log import Issue
from tlresearch.geo.communes import resolve_communes
from tlresearch.ingest.harmonise import HarmonisedWave, harmonise
from tlresearch.ingest.validate import validate_responses
from tlresearch.io.raw_tables import read_table
from tlresearch.spec.codebook import Codebook

#: Rows harmonised and validated at a time: the parsers' temporaries and pandera's
#: copies of the frame then stay the size of a chunk, whatever the wave. Any chunk size
#: gives the same panel, byte for byte (tests/test_ingest_chunks.py).
CHUNK_ROWS = 20_000


@dataclass
class WaveResult:
    """One wave after harmonisation, validation and de-duplication."""

    harmonised: HarmonisedWave
    codebook: Codebook
    rows_in: int
    quarantine: dict[str, Issue] = field(default_factory=dict)

    @property
    def kept(self) -> pd.DataFrame:
        responses = self.harmonised.responses
        return responses[~responses["response_id"].isin(self.quarantine)]


def raw_source(paths: DataPaths, codebook: Codebook):
    """The raw file a codebook names, refused unless it is a file inside ``raw/``.

    ``file: ../../etc/passwd``, an absolute path, or a link in ``raw/`` that leads out
    of it would make ingest read (and publish) a file the lab never handed over.
    """
    where = dict(wave=codebook.wave, file=codebook.file)
    name = PurePosixPath(codebook.file.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise CodebookError("'file' must be a path inside raw/ (no absolute path, no '..')",
                            rule="raw_file_outside", **where)
    source = paths.raw / Path(*name.parts)
    if not source.is_file():
        raise CodebookError("the raw file named by the codebook does not exist",
                            rule="raw_file_missing", **where)
    if not source.resolve().is_relative_to(paths.raw.resolve()):
        raise CodebookError("the raw file is a link to a file outside raw/: copy the file "
                            "itself into raw/", rule="raw_file_outside", **where)
    return source


def unnamed_exports(paths: DataPaths, codebook: Codebook) -> list[Issue]:
    """Files of a wave's folder that its codebook does not name: reported, never silent."""
    folder = paths.raw / str(codebook.wave)
    named = (paths.raw / codebook.file).resolve()
    issues = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and path.resolve() != named:
                issues.append(Issue(
                    "unnamed_export", "reported",
                    "a file of the wave's folder that the codebook does not name: not ingested",
                    file=str(path.relative_to(paths.raw)), wave=codebook.wave))
    return issues


def ingest_wave(paths: DataPaths, codebook: Codebook, region: str = DEFAULT_REGION,
                chunk_rows: int = CHUNK_ROWS) -> WaveResult:
    """Read, harmonise, validate and de-duplicate one wave (no file is written).

    Harmonisation and validation go ``chunk_rows`` rows at a time (same result for any
    size); de-duplication and communes see the whole wave.
    """
    source = raw_source(paths, codebook)
    _check_codebook(codebook)
    raw = read_table(source, name=codebook.file, sheet=codebook.sheet,
                     header_row=codebook.header_row)
    harmonised = harmonise(raw, codebook, chunk_rows=chunk_rows)
    result = WaveResult(harmonised, codebook, rows_in=raw.records_in,
                        quarantine=dict(harmonised.quarantine))
    del raw  # the cells as read: the harmonised columns replace them from here on
    for row in harmonised.blank_rows:
        issue = Issue("blank_row", "quarantined", "an empty row", file=codebook.file,
                      row=row, wave=codebook.wave)
        result.quarantine[f"{codebook.wave}-{row:06d}"] = issue
        harmonised.issues.append(issue)
    _quarantine_invalid(result, chunk_rows)
    _resolve(result, region)
    _quarantine_duplicates(result)
    harmonised.issues.extend(unnamed_exports(paths, codebook))
    return result


def _check_codebook(codebook: Codebook) -> None:
    """What the codebook format allows but no export can be read with."""
    from tlresearch.spec.codebook import MultiDelimited

    for name, mapping in codebook.variables.items():
        if isinstance(mapping, MultiDelimited) and not mapping.separator:
            raise CodebookError("separator of a multi-choice column must not be empty "
                                "(e.g. separator: \", \")", wave=codebook.wave,
                                file=codebook.file, column=name, rule="codebook_content")


def _quarantine_invalid(result: WaveResult, chunk_rows: int = CHUNK_ROWS) -> None:
    responses = result.harmonised.responses
    # Every rule is checked row by row (ids are unique by construction), so chunks give
    # the failures of one pass once sorted as validate_responses sorts them. The rows
    # not yet set aside are picked a chunk at a time: no copy of the whole wave.
    step = max(chunk_rows, 1)
    parts = []
    for start in range(0, max(len(responses), 1), step):
        chunk = responses.iloc[start:start + step]
        parts.append(validate_responses(chunk[~chunk["response_id"].isin(result.quarantine)]))
    failures = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True).sort_values(
        ["response_id", "rule"]).reset_index(drop=True)
    rows = dict(zip(responses["response_id"], responses["source_row"]))
    raw_columns = {name: m.raw_columns()[0] for name, m in result.codebook.variables.items()}
    messages: dict[str, str] = {}
    for failure in failures.itertuples(index=False):
        if failure.response_id in result.quarantine:
            continue
        # One message string per rule, shared by its issues (there may be a million).
        message = messages.setdefault(failure.rule, f"rule {failure.rule} not met")
        issue = Issue(failure.rule, "quarantined", message,
                      file=result.codebook.file, row=int(rows[failure.response_id]),
                      column=raw_columns.get(failure.column, failure.column),
                      value=failure.value, wave=result.codebook.wave)
        result.quarantine[failure.response_id] = issue
        result.harmonised.issues.append(issue)


def _resolve(result: WaveResult, region: str) -> None:
    responses = result.harmonised.responses
    resolved = resolve_communes(responses, region=region)
    # The declared columns renamed and the resolved ones added in place: a concatenated
    # copy of the wave would be one more wave in memory.
    declared = responses.rename(columns={
        "commune_code": "declared_commune_code", "postcode": "declared_postcode",
        "commune_name": "declared_commune_name"})
    for column in resolved.columns:
        declared[column] = resolved[column]
    result.harmonised.responses = declared
    kept = ~responses["response_id"].isin(result.quarantine)
    method, note = resolved["resolution_method"], resolved["resolution_note"]
    names = responses["commune_name"] if "commune_name" in responses else pd.Series(
        pd.NA, index=responses.index)
    unresolved = kept & (method == "unresolved").fillna(False)
    noted = kept & ~unresolved & note.notna()
    for mask, rule, with_value in ((unresolved, "commune_unresolved", True),
                                   (noted, "commune_resolution_note", False)):
        for row, text, value in zip(responses.loc[mask, "source_row"], note[mask], names[mask]):
            result.harmonised.issues.append(Issue(
                rule, "flagged", str(text), file=result.codebook.file, row=int(row),
                column="commune_name", value=value if with_value and pd.notna(value) else None,
                wave=result.codebook.wave))


#: What de-duplication reads: the place's keys, the submission time and the row.
_DUPLICATE_COLUMNS = ("response_id", "source_row", "place_name", "commune_code",
                      "declared_commune_name", "declared_postcode", "address", "siret",
                      "contact_email", "submitted_at")


def _duplicate_key(responses: pd.DataFrame) -> pd.Series:
    """The place a submission is about, as compact (Arrow) strings built a chunk at a time.

    Folding a wave's names at once would hold a Python string per row; a chunk's
    folded names are dropped once its keys are stored.
    """
    parts = [_duplicate_key_chunk(responses.iloc[start:start + CHUNK_ROWS])
             for start in range(0, len(responses), CHUNK_ROWS)]
    keys = pd.concat(parts) if len(parts) > 1 else parts[0]
    return _join_siret_and_name(responses, keys)


def _join_siret_and_name(responses: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """One key for submissions that share a SIRET *or* a name and commune.

    A place that typed its SIRET once and left it blank the other time is still one
    place: the name-and-commune key of a row with a SIRET is mapped to its SIRET key,
    so the row without one joins it.
    """
    if "siret" not in responses or not responses["siret"].notna().any():
        return keys
    named = _duplicate_key_chunk(responses.drop(columns="siret"))
    with_siret = responses["siret"].notna().to_numpy()
    to_siret = (pd.Series(keys[with_siret].to_numpy(), index=named[with_siret].to_numpy())
                .groupby(level=0).first())
    joined = named[~with_siret].map(to_siret.astype("string")).astype("string")
    out = keys.copy()
    out[~with_siret] = joined.fillna(keys[~with_siret]).to_numpy()
    return out.astype("string")


def _duplicate_key_chunk(responses: pd.DataFrame) -> pd.Series:
    from tlresearch.io.cells import fold

    blank = pd.Series("", index=responses.index)
    name = responses["place_name"].map(fold, na_action="ignore").fillna("")
    commune = responses["commune_code"].fillna(
        responses.get("declared_commune_name", blank).map(fold, na_action="ignore")).fillna("")
    # The same name is the same place only where the location agrees too: two « La
    # Station Coworking » in 66000 and 66100 are two places; a place that could not be
    # given a commune is still found by its postcode or address when it submits twice.
    postcode = responses.get("declared_postcode", blank).fillna("").astype(str)
    address = responses.get("address", blank).map(fold, na_action="ignore").fillna("")
    where = commune + "|" + postcode + "|" + address
    # No location at all: the same name sent from the same e-mail address is the same
    # place submitting again; a shared name alone proves nothing (a key of its own).
    email = responses.get("contact_email", blank).fillna("").astype(str).str.lower()
    where = where.where(where != "||", ("email:" + email).where(email != "", ""))
    key = (name + "|" + where).where(where != "", "row:" + responses["response_id"])
    if "siret" in responses:
        key = ("siret:" + responses["siret"]).fillna(key)
    return key.astype("string")


def _quarantine_duplicates(result: WaveResult) -> None:
    """Keep the last submission of a place in a wave; set the earlier ones aside.

    Works on the key columns of the kept rows only (not a copy of the wave), and
    finds each kept submission as the last of its key's group.
    """
    wave = result.harmonised.responses
    kept = ~wave["response_id"].isin(result.quarantine)
    responses = wave.loc[kept, [c for c in _DUPLICATE_COLUMNS if c in wave]]
    if responses.empty:
        return
    responses["_key"] = _duplicate_key(responses)
    order = (["_key", "submitted_at", "source_row"] if "submitted_at" in responses
             else ["_key", "source_row"])
    responses = responses.sort_values(order, kind="stable", na_position="first")
    groups = responses.groupby("_key", sort=False)
    latest = groups.tail(1)
    earlier = responses.index.difference(latest.index)
    if earlier.empty:
        return
    kept_ids = groups["response_id"].transform("last")
    for pos in earlier:
        response_id = responses.at[pos, "response_id"]
        kept_id = kept_ids.at[pos]
        row = int(responses.at[pos, "source_row"])
        issue = Issue("duplicate_submission", "quarantined",
                      f"same place submitted again in this wave; response {kept_id} kept",
                      file=result.codebook.file, row=row, column="place_name",
                      value=responses.at[pos, "place_name"], wave=result.codebook.wave)
        result.quarantine[response_id] = issue
        result.harmonised.issues.append(issue)
