"""Tables as a statistics office publishes them: one function, built on great-tables.

Every table of a page goes through :func:`publish_table`: a caption that says what
and where, French labels (the caller relabels codes with :mod:`tlresearch.report.labels`),
row labels in a stub, no index column, no truncated text, numbers written by
:mod:`tlresearch.core.formats`, « s » explained in a footnote, a source line, and a
« Télécharger (CSV) » link whose file has the same rows, labels and cells (plus, in
columns of their own, the codes behind the labels).

great-tables renders self-contained HTML (inline ``<style>``, no font or script
loaded); its table id is derived from the caption so that the same table gives the
same bytes.

Examples
--------
>>> import pandas as pd
>>> block = publish_table(pd.DataFrame({"Département": ["Gironde (33)"], "Lieux": [12]}),
...                       caption="Lieux répondants", filename="lieux", year=2025,
...                       stub="Département")
>>> "Télécharger (CSV)" in str(block) and "Source : enquête annuelle" in str(block)
True
"""
from __future__ import annotations

import hashlib
import html
import json
import numbers
import re
import unicodedata
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from urllib.parse import quote

from tlresearch.core.formats import MISSING, format_count, format_number, is_missing
from tlresearch.report.blocks import HTMLBlock, notice
from tlresearch.report.page_settings import source_line
from tlresearch.report.table_schema import bare_numbers, safe_frame, split_intervals, table_schema

if TYPE_CHECKING:
    import pandas as pd

#: What « s » means, under every table that shows one.
SECRET_FOOTNOTE = ("« s » : secret statistique (chiffre reposant sur moins de trois lieux, ou "
                   "sur moins de trois lieux ayant une valeur non nulle, ou qu'un seul lieu "
                   "domine à plus de 85 %).")
SECRET = "s"


def french_cell(value: Any) -> str:
    """A table cell the French way: ``1 234,5``; integers without decimals; text as is.

    Examples
    --------
    >>> french_cell(1234.5) == "1\\u202f234,5"
    True
    >>> french_cell(True), french_cell(None)
    ('Oui', '–')
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if type(value).__name__ == "bool_":
        return "Oui" if bool(value) else "Non"
    if not isinstance(value, numbers.Real):
        return str(value)
    number = float(value)
    if number.is_integer():
        return format_count(number)
    decimals = len(f"{number:.10g}".partition(".")[2].partition("e")[0])
    return format_number(number, min(decimals, 6))


def text_table(frame: "pd.DataFrame") -> "pd.DataFrame":
    """``frame`` as French text, its index (when it carries labels) turned into columns."""
    if any(name is not None for name in frame.index.names):  # labels: keep them as columns
        frame = frame.reset_index()
    out = frame.reset_index(drop=True).copy()
    out.columns = [str(c) for c in out.columns]
    for column in out.columns:
        out[column] = [french_cell(v) for v in out[column]]
    return out


def csv_data_uri(df: "pd.DataFrame") -> str:
    """The table as a ``data:text/csv`` URI for French Excel: UTF-8 with BOM, ``;``
    separator, every character percent-encoded (safe in an attribute)."""
    text = "\ufeff" + df.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return "data:text/csv;charset=utf-8," + quote(text, safe="")


def safe_filename(filename: str) -> str:
    """A download name reduced to ``[A-Za-z0-9._-]``, ending in ``.csv``."""
    stem = unicodedata.normalize("NFKD", str(filename)).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "tableau"
    return stem if stem.lower().endswith(".csv") else stem + ".csv"


_NUMBER = re.compile(r"^[+\-]?[\d\u202f\u00a0 ]+(,\d+)?(\u00a0?(%|pts))?$")


def _looks_numeric(cell: str) -> bool:
    """A French number, percent or « s »: aligned right, as figures are."""
    return bool(_NUMBER.match(cell)) or cell in {SECRET, MISSING}


def _table_id(caption: str, filename: str) -> str:
    return "tl-" + hashlib.sha256(f"{caption}\0{filename}".encode()).hexdigest()[:10]


def table_html(text: "pd.DataFrame", *, caption: str, table_id: str, stub: str | None = None,
               spanner: tuple[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]] | None = None,
               notes: Sequence[str] = (), source: str | None = None,
               labels: Mapping[str, str] | None = None) -> str:
    """The great-tables HTML of a table already written as French text.

    ``spanner`` is one ``(label, columns)`` header or a list of them; ``labels`` shows
    some columns under a shorter header than their name (the name stays the CSV's).
    """
    import great_tables as gt

    table = gt.GT(text, rowname_col=stub, id=table_id, locale="fr")
    if stub is not None:
        table = table.tab_stubhead(label=stub)
    spanners = [spanner] if spanner and isinstance(spanner[0], str) else list(spanner or [])
    for label, wanted in spanners:
        columns = [c for c in wanted if c in text.columns]
        if columns:
            table = table.tab_spanner(label=label, columns=columns)
    if labels:
        table = table.cols_label(**{c: v for c, v in labels.items() if c in text.columns})
    numeric = [c for c in text.columns if c != stub and len(text)
               and text[c].map(_looks_numeric).all()]
    if numeric:
        table = table.cols_align(align="right", columns=numeric)
    for note in notes:
        table = table.tab_source_note(note)
    if source:
        table = table.tab_source_note(source)
    table = table.tab_options(table_font_names=["DejaVu Sans", "Arial", "sans-serif"],
                              table_margin_left="0",
                              heading_align="left", table_font_size="14px")
    return with_caption(table.as_raw_html(), caption, table_id)


_TABLE_TAG = re.compile(r"<table\b[^>]*>")


def with_caption(markup: str, caption: str, table_id: str) -> str:
    """great-tables' table with its title as a ``<caption>`` (read first by a screen reader,
    and what RGAA asks of a data table) instead of a heading row of the ``<thead>``."""
    tag = _TABLE_TAG.search(markup)
    if tag is None:  # not a table: nothing to caption
        return markup
    opening = re.sub(r'\saria-labelledby="[^"]*"', "", tag.group(0))
    return (markup[:tag.start()] + opening
            + f'\n<caption id="{table_id}-title" class="tl-caption">{html.escape(caption)}'
            + "</caption>" + markup[tag.end():])


def publish_table(frame: "pd.DataFrame", *, caption: str, filename: str,
                  year: int | str | None = None, stub: str | None = None,
                  spanner: tuple[str, Sequence[str]] | None = None,
                  notes: Sequence[str] = (), codes: "pd.DataFrame | None" = None,
                  source: bool = True, units: Mapping[str, str] | None = None,
                  labels: Mapping[str, str] | None = None) -> HTMLBlock:
    """Publish a table: great-tables HTML with its caption, footnotes, source and CSV.

    Parameters
    ----------
    frame
        The table, already through statistical secrecy, with French column names and
        labels. A labelled index becomes the first column(s); cells are written with
        :mod:`tlresearch.core.formats`.
    caption
        What the table shows and where (shown above it).
    filename
        Name offered for the CSV download (reduced to ``[A-Za-z0-9._-]``).
    year
        Wave of the source line (None: every wave).
    stub
        Column whose cells label the rows (e.g. ``"Département"``).
    spanner
        ``(label, columns)``: a header spanning some columns (e.g. the types of place),
        or a list of them (an indicator over its value, interval and base).
    labels
        Shorter headers shown on the page for some columns (under their spanner); the
        CSV keeps the full names, which say everything on their own.
    notes
        Footnotes; the « s » footnote is added whenever a cell reads ``s``.
    codes
        Columns of codes (same rows) written first in the CSV only, e.g. the
        department's code beside its name.
    units
        Units by column, for the data package, when neither the header nor the
        cells say it (:func:`tlresearch.report.table_schema.table_schema`).

    Returns
    -------
    HTMLBlock
        Displayed by Jupyter as HTML, embedded by :func:`tlresearch.report.renderer.render_report`.
    """
    import pandas as pd

    if frame.empty:
        return notice(f"{caption} : aucune donnée à publier pour ce territoire et cette vague.")
    text = text_table(frame)
    notes = list(notes)
    if text.isin([SECRET]).to_numpy().any() and SECRET_FOOTNOTE not in notes:
        notes.append(SECRET_FOOTNOTE)
    name = safe_filename(filename)
    body = table_html(text, caption=caption, table_id=_table_id(caption, name), stub=stub,
                      spanner=spanner, notes=notes, source=source_line(year) if source else None,
                      labels=labels)
    # The file holds the page's figures: an interval as two columns, numbers bare
    # (their unit in the schema, or in a column of its own when rows mix units).
    machine, bare_units = bare_numbers(split_intervals(text))
    units = {**bare_units, **dict(units or {})}
    download = safe_frame(machine if codes is None else pd.concat(
        [codes.reset_index(drop=True).astype("string"), machine], axis=1))
    schema = table_schema(download.iloc[:, len(codes.columns) if codes is not None else 0:],
                          codes=None if codes is None else download.iloc[:, :len(codes.columns)],
                          units=units)
    resource = {"name": name, "title": caption, "wave": None if year is None else str(year),
                "notes": notes, "schema": schema}
    return HTMLBlock(
        f'<figure class="tl-table" data-tl-block="table">\n{body}\n'
        f'<p class="tl-download"><a download="{html.escape(name)}" '
        f'data-tl-resource="{html.escape(json.dumps(resource, ensure_ascii=False))}" '
        f'href="{csv_data_uri(download)}">Télécharger (CSV)</a></p></figure>')


def table_download(df: "pd.DataFrame", filename: str, caption: str, **options) -> HTMLBlock:
    """Former name of :func:`publish_table` (``table_download(df, filename, caption)``)."""
    return publish_table(df, caption=caption, filename=filename, **options)


__all__ = ["publish_table", "table_download", "table_html", "text_table", "french_cell",
           "csv_data_uri", "safe_filename", "source_line", "SECRET_FOOTNOTE"]
