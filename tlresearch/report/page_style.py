"""The look of a published page, on screen and on A4 paper, and its fixed wording.

One stylesheet, inlined in every page (nothing is loaded): system fonts only, long
words and place names wrap instead of being cut, the Leaflet maps give way to their
static Lambert-93 twins when printed, and the printed pages carry their number and
the source line in the margin (CSS page-margin boxes, which Chromium prints).
"""
from __future__ import annotations

#: The banner of every page built from the demo survey, and of the index.
DEMO_BANNER = ("Données fictives (démonstration) : ces chiffres sont produits par le générateur "
               "de démonstration de tlresearch et ne décrivent aucun lieu réel.")

#: What a printed page says in its bottom margin (besides its number) when the page
#: names nobody: the credit comes from the data folder's settings (:func:`page_css`).
PRINT_SOURCE = "Enquête annuelle des tiers-lieux ; traitement tlresearch"

_PAGE_CSS = """
body { font: 16px/1.5 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0 auto;
  max-width: 1100px; padding: 0 1.5em 2em; overflow-wrap: break-word; }
header h1 { margin-bottom: .2em; } .tl-date { color: #555; margin-top: 0; }
.tl-nav { font-size: .9em; margin: .8em 0 0; } .tl-nav a { color: #1f4e79; }
.tl-headline { font-size: 1.25em; font-weight: bold; color: #1f4e79; margin: .2em 0 .4em; }
.tl-essentials { border-left: 4px solid #1f4e79; padding: .2em 1em; margin: 1em 0; }
.tl-essentials ul { margin: .3em 0; padding-left: 1.2em; } .tl-essentials li { margin: .2em 0; }
.tl-banner { background: #fff4ce; border: 2px solid #b58100; padding: .5em 1em;
  font-weight: bold; margin: 1em 0; }
.tl-notice { background: #eef4fb; border-left: 4px solid #3b6ea5; padding: .5em 1em; }
.tl-toc { background: #f4f4f4; padding: .5em 1.2em; border-radius: 4px; }
.tl-toc h2 { font-size: 1.1em; margin: .4em 0; } .tl-toc ul { margin: 0; padding-left: 1em; }
.tl-toc-2 { margin-left: 1em; } .tl-toc-3 { margin-left: 2em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .95em; }
th, td { padding: .25em .6em; text-align: left; white-space: normal;
  overflow-wrap: break-word; max-width: 40em; }
td { font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } figcaption { font-weight: bold; margin-bottom: .3em; }
img { max-width: 100%; height: auto; }
iframe.tl-map { width: 100%; border: 1px solid #ccc; }
details { margin: .3em 0 1.5em; } summary { cursor: pointer; color: #1f4e79; }
.tl-key-figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(12em, 1fr));
  gap: .8em; margin: 1em 0; }
.tl-card { border: 1px solid #ccc; border-radius: 6px; padding: .6em .8em; break-inside: avoid; }
.tl-card p { margin: 0; } .tl-card-label { font-size: .85em; color: #444; }
.tl-card-value { font-size: 1.8em; font-weight: bold; }
.tl-card-unit, .tl-card-base { font-size: .8em; color: #555; }
.tl-card-change { font-size: .85em; margin-top: .3em !important; }
/* A change is neither good nor bad news by its sign (fewer volunteers, more CDD…): one
   neutral colour, the sign written out. */
.tl-up, .tl-down { color: #333; }
.tl-print-only { display: none; }
.tl-provenance { margin-top: 3em; border-top: 2px solid #ccc; font-size: .9em; color: #444; }
.tl-provenance dt { font-weight: bold; } .tl-provenance dd { margin: 0 0 .5em 1em;
  word-break: break-all; }
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-left { content: "%(source)s"; font: 8pt "DejaVu Sans", sans-serif; color: #444; }
  @bottom-right { content: "Page " counter(page) " / " counter(pages);
    font: 8pt "DejaVu Sans", sans-serif; color: #444; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .tl-download, .tl-pdf-link, iframe.tl-map, .tl-screen-only, .tl-toc, summary,
  .tl-nav { display: none; }
  .tl-print-only { display: block; }
  figure, table, .tl-key-figures, .tl-essentials { break-inside: avoid; }
  /* A wide table (a département × type grid) fits the A4 width: smaller type, tighter
     cells; !important because great-tables styles its tables by id. */
  table { font-size: 8pt !important; } table * { font-size: inherit !important; }
  th, td { padding: .15em .3em !important; }
  h2, h3, .tl-notice { break-after: avoid; }  /* a notice stays with its table */
  .tl-notice, .tl-essentials, .tl-card { break-inside: avoid; }
  .tl-output:has(> .tl-notice) { break-inside: avoid; break-after: avoid; }
}
"""


def css_string(text: str) -> str:
    """``text`` inside a CSS string: quotes and backslashes escaped, no line break, and
    no ``<`` (a ``</style>`` in a network's name would close the stylesheet).

    Examples
    --------
    >>> print(css_string('Réseau "A" </style> & B'))
    Réseau \\"A\\" \\3c /style> \\26  B
    """
    text = " ".join(str(text).split())
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            .replace("&", "\\26 "))


def page_css(source: str | None = None) -> str:
    """The stylesheet of a page whose printed pages say ``source`` in their margin."""
    return _PAGE_CSS.replace("%(source)s", css_string(source or PRINT_SOURCE))


#: The stylesheet with the neutral footer.
PAGE_CSS = page_css()

#: Added to the printed copy of a demo page: the warning on top of every sheet, not on
#: the first one only (a sheet copied out of the PDF still says it is fictitious).
DEMO_PRINT_CSS = """
@page { @top-center { content: "Données fictives (démonstration) : aucun lieu réel";
  font: bold 8pt "DejaVu Sans", sans-serif; color: #8a5a00; } }
"""

__all__ = ["PAGE_CSS", "DEMO_BANNER", "PRINT_SOURCE", "page_css", "css_string",
           "DEMO_PRINT_CSS"]
