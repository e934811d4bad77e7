"""The indicator catalogue and the shape of every indicator table.

``vocab/indicators.yaml`` says what each indicator is (code, French label, unit,
method, the panel variables it needs), which territories and splits exist; this module
reads it once and holds the tidy columns every indicator table shares, so that the
estimators (:mod:`tlresearch.stats.indicators`), the directory counts
(:mod:`tlresearch.stats.open_places`) and the trends agree on one shape.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import yaml

from tlresearch.core.errors import DataError, UsageError
from tlresearch.core.paths import VOCAB_DIR
from tlresearch.core.settings import home_region
from tlresearch.spec.variables import catalogue as variables

#: Columns of every table this module and :mod:`tlresearch.stats.trends` return.
COLUMNS = ["indicator", "label", "territory_level", "territory", "wave", "split",
           "split_value", "value", "low", "high", "n", "unit", "note"]
#: Columns of :func:`compute_indicators`: the tidy columns and the secrecy marks.
RESULT_COLUMNS = COLUMNS + ["suppressed", "suppression_reason"]
DTYPES = {"wave": "Int64", "value": "Float64", "low": "Float64", "high": "Float64",
          "n": "Int64"}
#: Every note starts with this: the figures describe respondents, not all places.
AMONG_RESPONDENTS = "parmi les répondants"
#: split_value of the respondents who left the split variable blank.
MISSING_SPLIT = "non_renseigne"
CONTRACT_VARIABLES = ("staff_total", "cdi", "cdd", "other_contracts")
METHODS = ("count", "response_rate", "share", "sum", "mean", "median", "place_role",
           "job_role")



# --- catalogue ----------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    """One entry of ``vocab/indicators.yaml``."""

    code: str
    label: str
    unit: str
    method: str
    needs: tuple = ()
    base: str = ""
    definition: str = ""
    flag: str | None = None
    positive: str | None = None
    variable: str | None = None
    among: str | None = None
    role: str | None = None
    contracts: tuple = ()


@lru_cache(maxsize=1)
def indicator_settings() -> dict:
    """The settings of ``vocab/indicators.yaml``: indicators, territories, splits and their labels."""
    with open(VOCAB_DIR / "indicators.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Indicator]:
    """Every indicator, by code, in the order of the output tables."""
    out = {}
    for code, spec in indicator_settings()["indicators"].items():
        spec = dict(spec)
        if spec["method"] not in METHODS:
            raise ValueError(f"indicators.yaml: {code} has unknown method {spec['method']!r}")
        spec["needs"] = tuple(tuple(n) if isinstance(n, list) else n for n in spec.get("needs", []))
        spec["contracts"] = tuple(spec.get("contracts", ()))
        out[code] = Indicator(code=code, **spec)
    return out


def catalogue_table() -> pd.DataFrame:
    """The catalogue as a table (code, label, unit, method, needs, base, definition)."""
    rows = [{"indicator": i.code, "label": i.label, "unit": i.unit, "method": i.method,
             "needs": ", ".join("|".join(n) if isinstance(n, tuple) else n for n in i.needs),
             "base": i.base, "definition": i.definition} for i in catalogue().values()]
    return pd.DataFrame(rows).astype("string")


def split_label(split: str | None, value: Any) -> str:
    """French label of a split value (``atelier_partage`` → ``Atelier partagé``)."""

    if value is None or value is pd.NA:
        return ""
    labels = dict(indicator_settings()["split_value_labels"])
    variable = {"typology": "place_types"}.get(split or "", split or "")
    if variable in variables():
        labels = {**variables()[variable].values, **labels}
    return labels.get(str(value), str(value))


def select(indicators) -> list[Indicator]:
    known = catalogue()
    if indicators is None:
        return list(known.values())
    if isinstance(indicators, str):
        indicators = [indicators]
    unknown = [c for c in indicators if c not in known]
    if unknown:
        raise UsageError(f"unknown indicator(s) {', '.join(unknown)}; "
                         f"known: {', '.join(known)}")
    return [known[c] for c in indicators]


# --- territories and tables ---------------------------------------------------------

def territory_column(territory) -> tuple[str, str, str]:
    """``("departement", "33")`` → ``("departement", "33", "departement_code")``.

    ``territory`` is ``"33"``, ``"75"``, an EPCI's SIREN or a pair; ``None`` is the data
    folder's own region (its settings, :mod:`tlresearch.core.settings`).
    """
    from tlresearch.stats.territory_codes import territory_pair

    levels = indicator_settings()["territories"]
    if territory is None:
        territory = ("region", home_region())
    level, code = territory_pair(territory)
    if level not in levels:
        raise UsageError(f"unknown territory level {level!r}; use one of {', '.join(levels)}")
    return level, str(code), levels[level]["column"]


def require(frame: pd.DataFrame, columns, table: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise DataError(f"the {table} table has no {column!r} column", column=column)


def in_territory(frame: pd.DataFrame, column: str, code: str) -> pd.Series:
    """Boolean mask of the rows of ``frame`` in the territory (NA codes are outside,
    but for the region: the survey is regional, so a place whose commune is unknown
    still counts in the region's figures, and in no department's)."""
    return frame[column].astype("string").eq(code).fillna(column == "region_code").astype(bool)


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a tidy table its canonical dtypes (nullable numbers, ``string`` text)."""
    for column in frame.columns:
        dtype = DTYPES.get(column, "string" if column in COLUMNS else None)
        if dtype is not None:
            if dtype == "Float64":
                frame[column] = pd.to_numeric(frame[column]).astype("Float64")
            else:
                frame[column] = frame[column].astype(dtype)
    return frame.reset_index(drop=True)
