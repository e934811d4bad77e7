"""The demo's questionnaires, read from its hand-written codebooks.

What each wave asked (which variables, which answer options) is written once, in
``demo/codebooks/<wave>.yaml``; the generator and the writers read it from there
instead of repeating it in code, so a question added to a codebook is generated,
written and masked consistently.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tlresearch.core.errors import UsageError
from tlresearch.core.paths import PACKAGE_DIR
from tlresearch.demo.constants import DEMO_WAVES
from tlresearch.spec.codebook import Codebook, JobSlots, MultiColumns, MultiDelimited, load_codebook

#: The demo's hand-written codebooks, one per wave (package data).
DEMO_CODEBOOK_DIR = PACKAGE_DIR / "demo" / "codebooks"


def codebook_path(wave: int) -> Path:
    return DEMO_CODEBOOK_DIR / f"{wave}.yaml"


@lru_cache(maxsize=None)
def wave_codebook(wave: int) -> Codebook:
    """The demo codebook of one wave (:class:`~tlresearch.core.errors.UsageError` if none)."""
    if wave not in DEMO_WAVES:
        raise UsageError(f"the demo survey has no wave {wave}; waves are "
                         f"{DEMO_WAVES[0]}-{DEMO_WAVES[-1]}")
    return load_codebook(codebook_path(wave))


def asked(wave: int) -> set[str]:
    """Canonical variables the wave's questionnaire asked."""
    return set(wave_codebook(wave).variables)


def offered_types(wave: int) -> list[str]:
    """Place types a respondent could tick in that wave, in questionnaire order."""
    mapping = wave_codebook(wave).variables.get("place_types")
    if isinstance(mapping, MultiColumns):
        return list(mapping.options)
    if isinstance(mapping, MultiDelimited):
        return list(dict.fromkeys(mapping.labels.values()))
    return []


def job_slot_count(wave: int) -> int:
    mapping = wave_codebook(wave).variables.get("jobs")
    return len(mapping.slots) if isinstance(mapping, JobSlots) else 0
