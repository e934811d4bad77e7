"""Validation of canonical responses with pandera: types, ranges and cross-field rules.

The schema is generated from ``schema/variables.yaml`` so that a new variable gets
its range check without new code. Rows that break a rule are not fixed silently:
:func:`validate_responses` returns, for each failing row, the rule that failed, and
the ingest step quarantines the row with that reason.
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from tlresearch.spec.variables import catalogue

#: Tolerance of the ETP rule: a place may count part-time staff generously, but ETP
#: above 1.5 times the salaried headcount is an error of unit (hours, euros...).
ETP_PER_HEAD_MAX = 1.5


def _headcount(frame: pd.DataFrame) -> pd.Series:
    """Declared salaried headcount, or CDI + CDD + other contracts when not declared."""
    parts = [frame[c] for c in ("cdi", "cdd", "other_contracts") if c in frame]
    summed = sum(p.fillna(0) for p in parts) if parts else pd.Series(pd.NA, index=frame.index)
    any_part = pd.concat(parts, axis=1).notna().any(axis=1) if parts else False
    summed = summed.where(any_part, pd.NA)
    if "staff_total" in frame:
        return frame["staff_total"].fillna(summed)
    return summed


def cross_field_rules() -> dict[str, callable]:
    """Rules across variables, each returning True where a row passes (or cannot be checked)."""

    def cdi_cdd_within_staff(df: pd.DataFrame) -> pd.Series:
        if not {"cdi", "cdd", "staff_total"} <= set(df):
            return pd.Series(True, index=df.index)
        total = df["cdi"].fillna(0) + df["cdd"].fillna(0)
        return (df["staff_total"].isna() | (total <= df["staff_total"])).astype(bool)

    def etp_within_headcount(df: pd.DataFrame) -> pd.Series:
        if "etp" not in df:
            return pd.Series(True, index=df.index)
        heads = _headcount(df)
        ok = df["etp"].isna() | heads.isna() | (df["etp"] <= heads * ETP_PER_HEAD_MAX)
        return ok.fillna(True).astype(bool)

    def opened_before_wave(df: pd.DataFrame) -> pd.Series:
        if "opening_year" not in df:
            return pd.Series(True, index=df.index)
        return (df["opening_year"].isna() | (df["opening_year"] <= df["wave"])).fillna(True).astype(bool)

    return {
        "cdi_cdd_above_staff": cdi_cdd_within_staff,
        "etp_above_headcount": etp_within_headcount,
        "opening_after_wave": opened_before_wave,
    }


#: The variable each cross-field rule reports as the faulty column.
CROSS_FIELD_COLUMNS = {
    "cdi_cdd_above_staff": "cdi",
    "etp_above_headcount": "etp",
    "opening_after_wave": "opening_year",
}


def response_schema(columns: list[str], cross_field: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of the canonical responses present in ``columns``.

    ``cross_field=False`` leaves out the rules across variables, which
    :func:`validate_responses` applies itself (see there why).
    """
    variables = catalogue()
    checks: dict[str, pa.Column] = {
        "response_id": pa.Column("string", unique=True),
        "wave": pa.Column("Int64", pa.Check.in_range(2000, 2100)),
    }
    for name in columns:
        variable = variables.get(name)
        if variable is None:
            if name.startswith("type_"):
                checks[name] = pa.Column("boolean", nullable=True)
            continue
        column_checks = []
        if variable.min is not None:
            column_checks.append(pa.Check.ge(variable.min))
        if variable.max is not None:
            column_checks.append(pa.Check.le(variable.max))
        if variable.type == "category" and variable.values:
            column_checks.append(pa.Check.isin(list(variable.values)))
        dtype = {"count": "Int64", "year": "Int64", "decimal": "Float64", "date": "datetime64[s]",
                 "category": "string", "string": "string", "code": "string"}[variable.type]
        checks[name] = pa.Column(dtype, column_checks, nullable=True)
    frame_checks = [pa.Check(fn, name=rule) for rule, fn in cross_field_rules().items()]
    return pa.DataFrameSchema(checks, checks=frame_checks if cross_field else None,
                              strict=False, coerce=False)


def validate_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """Check responses against the schema; return one row per failure.

    Returns
    -------
    DataFrame with ``response_id``, ``rule``, ``column`` and ``value`` (as text), one
    row per (row, rule) that failed, sorted; empty when everything passes.

    Raises
    ------
    pandera.errors.SchemaErrors
        Never for data: only a wrong column type (a programming error) is raised.
    """
    # The cross-field rules run here, vectorised, not as pandera frame checks: pandera
    # reports a failing frame check with every cell of the failing row, which for a
    # large wave was most of validation's time and memory. Same failures either way.
    schema = response_schema(list(responses.columns), cross_field=False)
    frame = responses.reset_index(drop=True)
    try:
        schema.validate(frame, lazy=True)
        failures = pd.DataFrame(columns=["index", "check", "column", "failure_case"])
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
        structural = failures[failures["index"].isna()]
        if not structural.empty:
            raise
    rows = []
    seen = set()
    for _, failure in failures.iterrows():
        index, rule = int(failure["index"]), str(failure["check"])
        if failure["schema_context"] == "Column":
            kind = "category" if rule.startswith("isin") else "range"
            rule = f"{kind}_{failure['column']}"
        column = CROSS_FIELD_COLUMNS.get(rule, failure["column"])
        if (index, rule) in seen:
            continue
        seen.add((index, rule))
        value = frame.at[index, column] if column in frame else None
        rows.append({
            "response_id": frame.at[index, "response_id"], "rule": rule,
            "column": column, "value": None if pd.isna(value) else str(value),
        })
    parts = [pd.DataFrame(rows, columns=["response_id", "rule", "column", "value"])]
    for rule, passes in cross_field_rules().items():
        column = CROSS_FIELD_COLUMNS[rule]
        bad = frame.loc[~passes(frame).to_numpy(dtype=bool)]
        values = (bad[column].astype(object).map(lambda v: None if pd.isna(v) else str(v))
                  if column in bad else None)
        parts.append(pd.DataFrame({"response_id": bad["response_id"].astype(object),
                                   "rule": rule, "column": column, "value": values}))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else parts[0]
    return out.drop_duplicates().sort_values(["response_id", "rule"]).reset_index(drop=True)
