"""Job slots of a wave: one row per job, with its raw title and its contract.

Part of :mod:`tlresearch.ingest.harmonise`. A wave asks for jobs as slots (a title
column and a contract column each) or, as Framaforms exports do, as one cell listing
every title of the place (``split`` in the codebook): then each title is a job, of
unknown contract unless a contract cell lists as many contracts.
"""
from __future__ import annotations

import pandas as pd

from tlresearch.core.errors import DataError
from tlresearch.ingest.cell_lists import split_titles
from tlresearch.ingest.title_split import separates_titles
from tlresearch.io import cells as values
from tlresearch.spec.codebook import JobSlots


def _source(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if column is not None and column in frame.columns:
        return frame[column]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _label_lookup(labels: dict[str, str]) -> dict[str, str]:
    return {values.fold(label): code for label, code in labels.items()}


def empty_jobs() -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": pd.Series([], dtype="string"),
        "job_index": pd.Series([], dtype="Int64"),
        "title_raw": pd.Series([], dtype="string"),
        "contract": pd.Series([], dtype="string"),
    })


def harmonise_jobs(frame: pd.DataFrame, mapping: JobSlots, context,
                    ids: pd.Series) -> pd.DataFrame:
    lookup = _label_lookup(mapping.contract_labels)
    parts = []
    index = 0
    for title_column, contract_column in mapping.slots:
        separators = mapping.splits.get(title_column)
        typed = _source(frame, title_column)
        titles = typed.map(values.normalise_text, na_action="ignore")
        contracts_raw = _source(frame, contract_column) if contract_column else pd.Series(
            pd.NA, index=frame.index, dtype="object")
        contracts = contracts_raw.map(values.fold, na_action="ignore").map(lookup)
        unknown = contracts_raw.notna() & contracts.isna()
        if unknown.any():
            context.log(list(unknown[unknown].index), contract_column, list(contracts_raw[unknown]),
                        "unknown_label", "set_missing", "job contract not in the codebook's labels")
        if separators:
            _refuse_numbers(titles, title_column, context)
            # Cut as typed: collapsing whitespace first would erase a line-break separator.
            part, index = _split_jobs(typed, contracts, contracts_raw, separators, ids, index,
                                      (title_column, contract_column), context, lookup)
            parts.append(part)
            continue
        index += 1
        present = titles.notna() | contracts.notna()
        parts.append(pd.DataFrame({
            "response_id": ids[present].astype("string"),
            "job_index": pd.array([index] * int(present.sum()), dtype="Int64"),
            "title_raw": titles[present].astype("string"),
            "contract": contracts[present].fillna("unknown").astype("string"),
        }))
    if not parts:
        return empty_jobs()
    jobs = pd.concat(parts, ignore_index=True)
    return jobs.sort_values(["response_id", "job_index"], kind="stable").reset_index(drop=True)


def _refuse_numbers(titles: pd.Series, column: str, context) -> None:
    """A ``split`` names a column of job titles: one holding only numbers is a mistake
    of the codebook (a headcount column, a response number), never a list of jobs."""
    present = titles.dropna()
    if len(present) and all(values.parse_decimal(v)[0] is not None for v in present):
        raise DataError(f"split on a column of numbers (e.g. {present.iat[0]!r}): split "
                        "cuts a cell listing job titles ('Facilitatrice; Comptable'); map "
                        "this column to the right variable", file=context.file,
                        column=column, rule="split_on_numbers", wave=context.wave)


def _split_jobs(titles, contracts, contracts_raw, separators, ids, index, columns, context,
                lookup) -> tuple[pd.DataFrame, int]:
    """One job per title of a cell listing several ("Chargée de communication; Facilitatrice").

    A contract cell split the same way pairs with the titles one by one; a single
    contract for several titles cannot be attributed and is left unknown (logged).
    Job indexes continue after the previous slots so that they stay unique per response.
    """
    title_column, contract_column = columns
    rows, widest = [], 0
    for pos in titles.index:
        cell = titles.iat[pos]
        names = split_titles(cell, separators, separates_titles) if pd.notna(cell) else []
        if not names and pd.isna(contracts.iat[pos]):
            continue
        kinds = [contracts.iat[pos]] if pd.notna(contracts.iat[pos]) else []
        if pd.notna(contracts_raw.iat[pos]) and len(names) > 1:
            split = split_titles(str(contracts_raw.iat[pos]), separators)
            kinds = [lookup.get(values.fold(c)) for c in split]
            if len(kinds) != len(names):
                context.log([pos], contract_column, [contracts_raw.iat[pos]],
                            "contract_not_paired", "set_missing",
                            f"{len(split)} contract(s) for {len(names)} job titles: "
                            "contracts left unknown")
                kinds = []
        for k, title in enumerate(names or [None]):
            kind = kinds[k] if k < len(kinds) else None
            rows.append((ids.iat[pos], index + k + 1, title, kind or "unknown"))
        widest = max(widest, len(names) or 1)
    part = pd.DataFrame(rows, columns=["response_id", "job_index", "title_raw", "contract"])
    part = part.astype({"response_id": "string", "job_index": "Int64", "title_raw": "string",
                        "contract": "string"})
    return part, index + widest
