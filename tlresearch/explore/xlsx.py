"""``tlresearch.to_xlsx(table, path)``: a table for a colleague, as a French spreadsheet.

Numbers stay numbers (a colleague can compute with them) with formats that a French
spreadsheet shows as ``1 234,5`` and ``56,3 %``; a title above, the notes, the
secrecy footnote and the source below. Secrecy is applied, not just marked: in a row
hidden by statistical secrecy (``suppressed`` true, or ``Secret`` « s »), every
number but the wave reads « s » — the hidden number is never written.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from tlresearch.core.storage import atomic_write_bytes
from tlresearch.secrecy.rules import SECRET, footnote

#: Columns never blanked in a hidden row: they say where and when, not how much.
KEPT_NUMBERS = {"wave", "Vague", "from_wave", "to_wave", "code_wave", "year", "Année"}
#: Words of a column name that make it a share (formatted as a percentage).
SHARE_WORDS = ("Taux", "rate", "Part", "share", "Probabilité", "survival")
#: The source line when the data folder's settings are not read (``source=`` overrides).
SOURCE = "Source : enquête annuelle des tiers-lieux ; traitement tlresearch"


def hidden_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows under statistical secrecy (``suppressed`` true or ``Secret`` == « s »)."""
    mask = np.zeros(len(table), dtype=bool)
    for column, value in (("suppressed", True), ("Secret", SECRET)):
        if column in table:
            mask |= table[column].astype("object").eq(value).fillna(False).to_numpy(dtype=bool)
    return mask


def secret_applied(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every number of a hidden row replaced by « s » (waves kept)."""
    out = table.reset_index(drop=True).astype("object")
    hidden = hidden_rows(table)
    if hidden.any():
        for column in out.columns:
            numeric = pd.api.types.is_numeric_dtype(table[column]) and not \
                pd.api.types.is_bool_dtype(table[column])
            if numeric and column not in KEPT_NUMBERS:
                out.loc[hidden, column] = SECRET
    return out.where(pd.notna(out), None)


def to_xlsx(table: pd.DataFrame, path: str | os.PathLike, *, title: str | None = None,
            notes=(), source: str | None = None,
            data_dir: str | os.PathLike | None = None) -> Path:
    """Write ``table`` to ``path`` as one sheet, French formats, secrecy applied.

    Parameters
    ----------
    table
        Any table of the explorer (``tlresearch.indicator``, ``coverage``,
        ``estimate_total``...). Its ``attrs["note"]``, if any, is added to ``notes``.
    path
        The ``.xlsx`` file, written whole or not at all.
    title, notes, source
        Lines above and below the table; the source line is by default the data folder's
        (its ``reseau.yaml``: the network that runs the survey).
    data_dir
        The data folder whose settings credit the source (default: as for ``load_*``).

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        to_xlsx(tlresearch.coverage(2024), "couverture.xlsx")
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    if source is None:
        source = _folder_source(data_dir)
    safe = secret_applied(table)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tableau"
    row = 1
    if title:
        sheet.cell(row, 1, title).font = Font(bold=True)
        row += 2
    for k, column in enumerate(safe.columns, start=1):
        sheet.cell(row, k, str(column)).font = Font(bold=True)
    for values in safe.itertuples(index=False):
        row += 1
        for k, (column, value) in enumerate(zip(safe.columns, values), start=1):
            cell = sheet.cell(row, k, _cell(value))
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = _number_format(str(column), table[column])
    row += 2
    lines = list(notes) + ([table.attrs["note"]] if table.attrs.get("note") else [])
    if hidden_rows(table).any():
        lines.append(footnote())
    for line in [*lines, source]:
        sheet.cell(row, 1, line)
        row += 1
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _cell(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_, bool)):
        return "oui" if value else "non"
    return value if isinstance(value, (int, float, str)) else str(value)


def _number_format(column: str, values: pd.Series) -> str:
    """Excel format codes are written the English way; a French spreadsheet shows them
    with its own separators (``#,##0.0`` reads ``1 234,5``)."""
    if any(word in column for word in SHARE_WORDS):
        return "0.0%"
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    whole = numbers.empty or bool((numbers == numbers.round()).all())
    if column in KEPT_NUMBERS:
        return "0"
    return "#,##0" if whole else "#,##0.0"


def _folder_source(data_dir) -> str:
    """« Source : enquête annuelle des tiers-lieux, <the folder's network> ; traitement … »."""
    from tlresearch.core.paths import DataPaths
    from tlresearch.core.settings import load_settings

    try:
        return load_settings(DataPaths.resolve(data_dir).root).source_text()
    except (OSError, ValueError):  # no data folder at hand: the neutral line
        return SOURCE
