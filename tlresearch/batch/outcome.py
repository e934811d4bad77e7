"""What one report and one run produced: the records every executor returns.

The same :class:`Outcome` comes back whether a report ran in a local warm-kernel
worker or on a Dask worker, so publishing never depends on where a report ran.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from tlresearch.core.settings import Settings

FRESH, SKIPPED, FAILED = "fresh", "skipped", "failed"


@dataclass
class Outcome:
    """The result of executing one report (returned by :func:`execute_report`).

    ``html`` is the path of the rendered page in the run's work folder when the report
    succeeded; nothing is published by the executor itself.
    """

    status: str  # fresh | failed
    reason: str = ""
    error: str | None = None  # one line, no traceback
    seconds: float = 0.0
    worker: str = ""  # pid (local) or address (Dask) that ran it


@dataclass
class ReportResult:
    """What happened to one report in one run (one line of ``last_run.json``)."""

    name: str
    notebook: str
    year: int
    territory: str
    status: str  # fresh | skipped | failed
    reason: str
    seconds: float = 0.0
    output: str | None = None  # relative to out_dir, when a version is online
    error: str | None = None  # one line, no traceback
    published_at: str | None = None  # ISO date-time of the version online
    #: Region of the territory: a département code alone is ambiguous in a national run
    #: (75 is Paris's département in region 11, and a region's code too).
    region: str = "75"


@dataclass
class RunSummary:
    """The outcome of :func:`tlresearch.batch.runner.run_reports`; ``exit_code`` 0 when
    nothing failed."""

    reports: list[ReportResult] = field(default_factory=list)
    #: Reports published by earlier runs and not part of this one (shown in the index).
    others: list[ReportResult] = field(default_factory=list)
    started: str = ""
    finished: str = ""
    log_path: str | None = None
    executor: str = "local"
    #: The data folder's settings: the site's heading, credits and licence.
    settings: Settings | None = None

    @property
    def totals(self) -> dict[str, int]:
        counts = {FRESH: 0, SKIPPED: 0, FAILED: 0}
        for report in self.reports:
            counts[report.status] += 1
        return {**counts, "total": len(self.reports)}

    @property
    def exit_code(self) -> int:
        return 1 if self.totals[FAILED] else 0

    def to_dict(self) -> dict:
        return {"started": self.started, "finished": self.finished, "log": self.log_path,
                "executor": self.executor, "exit_code": self.exit_code,
                "totals": self.totals, "reports": {r.name: asdict(r) for r in self.reports}}

    def format(self) -> str:
        t = self.totals
        lines = [f"{t['total']} reports: {t[FRESH]} fresh, {t[SKIPPED]} skipped, "
                 f"{t[FAILED]} failed"]
        lines += [f"  FAILED {r.name}: {r.reason}" + (f" — {r.error}" if r.error else "")
                  for r in self.reports if r.status == FAILED]
        return "\n".join(lines)


def one_line(exc: BaseException) -> str:
    """An exception as one line of at most 300 characters (no traceback)."""
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None) or str(exc)
    return f"{ename}: {evalue}".strip().splitlines()[0][:300] if evalue else ename
