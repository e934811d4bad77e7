"""The catalogue of canonical variables (``schema/variables.yaml``) as Python objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from tlresearch.core.paths import SCHEMA_DIR, VOCAB_DIR

TYPES = {"string", "code", "count", "decimal", "year", "date", "category", "multi", "jobs"}


@dataclass(frozen=True)
class Variable:
    """One canonical variable: its type, French label, rules and allowed values."""

    name: str
    type: str
    label: str
    required: bool = False
    restricted: bool = False
    min: float | None = None
    max: float | None = None
    values: dict[str, str] = field(default_factory=dict)
    description: str = ""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Variable]:
    """All canonical variables, by name, in the order of ``variables.yaml``."""
    with open(SCHEMA_DIR / "variables.yaml", encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    out = {}
    for name, spec in raw.items():
        if spec["type"] not in TYPES:
            raise ValueError(f"variables.yaml: {name} has unknown type {spec['type']!r}")
        out[name] = Variable(name=name, **spec)
    return out


@lru_cache(maxsize=1)
def contract_labels() -> dict[str, str]:
    """Canonical contract codes of a job slot and their French labels."""
    with open(VOCAB_DIR / "contracts.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def required_names() -> list[str]:
    return [v.name for v in catalogue().values() if v.required]


def restricted_names() -> list[str]:
    return [v.name for v in catalogue().values() if v.restricted]
