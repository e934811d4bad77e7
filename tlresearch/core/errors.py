"""Exceptions of tlresearch: one root, narrow subclasses that carry the facts.

The command line turns any :class:`TLResearchError` into one line on stderr and an
exit code (see :mod:`tlresearch.cli`), so every message must make sense on its own:
it names the wave, the file, the row and the column where they are known, and never
contains a respondent's contact value.
"""
from __future__ import annotations

from dataclasses import dataclass


class TLResearchError(Exception):
    """Root of every error raised on purpose by tlresearch."""

    exit_code = 1


class UsageError(TLResearchError):
    """The caller asked for something that cannot be done (bad option, unknown wave)."""

    exit_code = 2


class LockBusyError(TLResearchError):
    """Another run holds the lock on the output folder."""

    exit_code = 3


@dataclass
class DataError(TLResearchError):
    """Input data that cannot be used as it is.

    Attributes name where the problem lies so the lab can open the file and look.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    rule: str | None = None
    wave: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.wave is not None:
            where.append(f"wave {self.wave}")
        if self.file:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{prefix}: {self.message}{rule}" if prefix else f"{self.message}{rule}"


class ReadError(DataError):
    """A raw export cannot be read as a table (empty, truncated, undecodable...)."""


class CodebookError(DataError):
    """A codebook is missing, malformed, or does not match its raw file."""


class MissingColumnError(CodebookError):
    """A column the codebook requires is not in the raw file."""
