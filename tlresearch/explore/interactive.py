"""Sortable, filterable tables in JupyterLab that work with no network (itables offline).

itables embeds its JavaScript (DataTables and jQuery, from the installed package) in
the notebook when :func:`enable` runs, so nothing is fetched from a CDN; the browser
test of the explorer fails on any request that leaves 127.0.0.1. The table's own
words (search box, paging, "no data") are in French.
"""
from __future__ import annotations

import html

import itables
import pandas as pd
from IPython.display import HTML, display
from IPython.utils.capture import capture_output

#: DataTables' interface words in French (the options of its ``language`` setting).
FRENCH = {
    "search": "Rechercher :", "lengthMenu": "Afficher _MENU_ lignes",
    "info": "Lignes _START_ à _END_ sur _TOTAL_", "infoEmpty": "Aucune ligne",
    "infoFiltered": "(filtrées parmi _MAX_)", "zeroRecords": "Aucune ligne ne correspond",
    "emptyTable": "Tableau vide", "loadingRecords": "Chargement…",
}


def enable() -> None:
    """Load itables' JavaScript into the notebook, offline; plain tables stay plain.

    Run once near the top of a notebook (again after a kernel restart does no harm).
    """
    with capture_output(stdout=False, stderr=False) as captured:
        itables.init_notebook_mode(all_interactive=False, connected=False)
    # itables 2.9.1 displays its theme script, which awaits the bundle, before the
    # script that defines the bundle: the browser logs an error on the first run.
    # Showing the bundle first removes it; nothing else changes.
    for output in sorted(captured.outputs,
                         key=lambda o: "injectModule" not in o.data.get("text/html", "")):
        output.display()


def interactive_html(frame: pd.DataFrame, caption: str | None = None, **options) -> str:
    """The HTML of :func:`interactive_table`: cells, headers and caption escaped.

    itables escapes cells and headers (``allow_html`` stays off); the caption is
    escaped here, since it may carry names read from the data (an EPCI's), and so is
    a column name holding markup: itables 2.9.1 writes headers unescaped in its static
    preview (the table shown until its JavaScript runs).
    """
    frame = frame.rename(columns=lambda c: html.escape(c, quote=False) if isinstance(c, str) else c)
    # maxBytes=0: never downsample (a place silently missing would mislead).
    settings = {"language": FRENCH, "pageLength": 10, "maxBytes": 0,
                "column_filters": "header", "classes": "display compact nowrap tl-itable",
                # text reads left-aligned (JupyterLab right-aligns output tables)
                "columnDefs": [{"className": "dt-left", "targets": "_all"}],
                **options}
    return itables.to_html_datatable(frame, html.escape(caption, quote=False) if caption else None,
                                     connected=False, **settings)


def interactive_table(frame: pd.DataFrame, caption: str | None = None, **options) -> None:
    """Show ``frame`` as a sortable table with a search box and column filters.

    Parameters
    ----------
    frame
        Any DataFrame (French headers read best: see :func:`tlresearch.places_table`).
    caption
        Says what the table is and where, under it.
    options
        Further itables options (``pageLength``...).
    """
    display(HTML(interactive_html(frame, caption, **options)))
