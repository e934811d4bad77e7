"""What the restricted folder holds, described without showing a single value.

Contact names, e-mails, phones and free comments are kept by ``ingest`` in
``data/restricted`` and read by no report. A researcher who must call a place opens
them by hand (the explorer notebook shows how, as text); what the notebook itself
prints is only this overview: which tables, how many rows, which columns.
"""
from __future__ import annotations

import os

import pandas as pd

from tlresearch.core.formats import format_count
from tlresearch.core.paths import DataPaths


def restricted_overview(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Tables of ``data/restricted``: ``Table``, ``Lignes``, ``Colonnes`` (names only).

    Reads Parquet metadata only, so no contact value is ever loaded into the notebook.

    Examples
    --------
    >>> restricted_overview("/nonexistent").empty
    True
    """
    import pyarrow.parquet as pq

    folder = DataPaths.resolve(data_dir).restricted
    rows = []
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        meta = pq.ParquetFile(path)
        rows.append({"Table": path.stem, "Lignes": format_count(meta.metadata.num_rows),
                     "Colonnes": ", ".join(meta.schema_arrow.names),
                     "Fichier": str(path)})
    return pd.DataFrame(rows, columns=["Table", "Lignes", "Colonnes", "Fichier"])
