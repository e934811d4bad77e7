"""The one way a figure leaves matplotlib: stable bytes, written atomically.

Charts (:mod:`tlresearch.viz.charts`), static maps (:mod:`tlresearch.viz.static_maps`) and
the published pages all go through here, so a figure has one resolution and the same
metadata whichever module drew it. Metadata that changes from run to run (creation
date, software version, random SVG ids) is left out: the same figure gives the same
bytes and a rebuilt report can be diffed.

Examples
--------
>>> from matplotlib.figure import Figure
>>> png = figure_bytes(Figure(figsize=(1, 1)), "png", dpi=20)
>>> png[:4] == b"\\x89PNG"
True
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from tlresearch.core.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Resolution of every figure: sharp on screen and on an A4 page, small enough for
#: a self-contained page.
DPI = 150

#: Formats a figure is written in, with the metadata that would carry a timestamp or
#: a version (removed).
STABLE_METADATA = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
}


def figure_bytes(figure: "Figure", format: str = "png", dpi: int = DPI) -> bytes:
    """The figure as PNG, PDF or SVG bytes, on white, without timestamps or versions.

    Raises
    ------
    UsageError
        For a format other than ``png``, ``pdf`` or ``svg``.
    """
    import matplotlib

    if format not in STABLE_METADATA:
        raise UsageError(f"cannot write a figure as {format!r}: use one of "
                         f"{', '.join(STABLE_METADATA)}")
    buffer = io.BytesIO()
    # SVG ids are random unless salted; a fixed salt makes them depend on content only.
    with matplotlib.rc_context({"svg.hashsalt": "tlresearch"}):
        figure.savefig(buffer, format=format, dpi=dpi, metadata=STABLE_METADATA[format],
                       facecolor="white")
    return buffer.getvalue()


def save_figure(figure: "Figure", path: str | os.PathLike, *, dpi: int = DPI) -> Path:
    """Write a figure atomically; the format follows the suffix (``.png``, ``.svg``, ``.pdf``).

    Raises
    ------
    UsageError
        For any other suffix (nothing is written).
    """
    from tlresearch.core.storage import atomic_write_bytes

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in STABLE_METADATA:
        raise UsageError(f"cannot save a figure as {path.name!r}: use .png, .svg or .pdf")
    atomic_write_bytes(path, figure_bytes(figure, fmt, dpi=dpi))
    return path


__all__ = ["figure_bytes", "save_figure", "DPI", "STABLE_METADATA"]
