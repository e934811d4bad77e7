"""Charts of the indicator tables, in French, readable without colour.

Each function takes a tidy table (:func:`tlresearch.stats.indicators.compute_indicators`,
:func:`tlresearch.stats.trends.indicator_series`) and returns a
:class:`matplotlib.figure.Figure`; none writes a file
(:func:`tlresearch.viz.figures.save_figure` does, atomically).

Conventions:

- numbers on axes and labels use :mod:`tlresearch.core.formats` (``1 234``, ``56,3 %``);
  years are written plainly (``2024``, never ``2 024``);
- nothing relies on colour alone: series differ by marker and line style and carry
  their name at the end of the line, bars carry their value and base as text;
- every chart says what it rests on: a footnote with "parmi les répondants", the
  bases ``n`` and the confidence level.

Figures are built with :class:`~matplotlib.figure.Figure` and the Agg canvas, not
``pyplot``: no global state, no GUI backend, safe in tests and scheduled reports.
Colours are our own (:data:`SERIES_COLOURS`): contrasted against the white background.
"""
from __future__ import annotations

import pandas as pd

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NBSP, format_count, format_number, format_percent
from tlresearch.viz.figures import save_figure  # noqa: F401 - re-exported: one saver

#: Marker and line style of successive series (distinguishable in black and white).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
HATCHES = ("", "//", "..", "xx", "\\\\", "++")
#: Series colours, each at least 4.5:1 against the white background (WCAG 1.4.11 asks 3:1
#: of a graphic, 1.4.3 4.5:1 of text: the series' names are written in their colour).
#: Darkened Okabe-Ito hues; seaborn's colour-blind palette has yellows and sky blues
#: under 2.5:1.
SERIES_COLOURS = ("#0072b2", "#b34700", "#007a5a", "#a3457f", "#6b5900", "#5b4a9e",
                  "#555555", "#1f6f8b")
#: The bars' fill (4.2:1 against white, black outline).
BAR_COLOUR = "#5b7fa3"
BACKGROUND = "#ffffff"
CONFIDENCE_NOTE = "intervalle de confiance à 95 %"


def _figure(figsize=(7.5, 4.5)):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def value_formatter(unit: str, decimals: int | None = None):
    """A function value -> French text suited to ``unit`` (``part`` → percent)."""
    if unit == "part":
        return lambda v: format_percent(v, 1 if decimals is None else decimals)
    if unit in {"lieux", "personnes"}:
        return lambda v: format_count(v) if decimals is None else format_number(v, decimals)
    return lambda v: format_number(v, 1 if decimals is None else decimals)


def axis_formatter(unit: str):
    """A matplotlib tick formatter writing ticks the French way for ``unit``."""
    from matplotlib.ticker import FuncFormatter

    def tick(value, _position):
        if unit == "part":
            # 0.25 -> "25 %", 0.125 -> "12,5 %": as many decimals as the tick needs.
            digits = 0 if abs(round(value * 100) - value * 100) < 1e-9 else 1
            return format_percent(value, digits)
        digits = 0 if abs(round(value) - value) < 1e-9 else (1 if abs(round(value, 1) - value)
                                                             < 1e-9 else 2)
        return format_number(value, digits)

    return FuncFormatter(tick)


def year_axis(axis, waves) -> None:
    """Ticks at the given waves, written plainly (no thousands separator)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    axis.set_major_locator(FixedLocator(sorted({int(w) for w in waves})))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(round(v))}"))


def _unit_label(unit: str) -> str:
    return "en % des répondants concernés" if unit == "part" else unit


def _footnote(fig, rows: pd.DataFrame, extra: str = "") -> None:
    """Bases and confidence level under the chart (a figure label, so layout makes room)."""
    ns = rows["n"].dropna().astype(int)
    if ns.empty:
        bases = ""
    elif ns.min() == ns.max():
        bases = f" ; n{NBSP}={NBSP}{format_count(ns.min())}"
    else:
        bases = f" ; n de {format_count(ns.min())} à {format_count(ns.max())}"
    has_interval = rows["low"].notna().any()
    text = "Parmi les répondants" + bases + (f" ; {CONFIDENCE_NOTE}" if has_interval else "")
    if rows.attrs.get("secret"):
        text += f" ; {SECRET_NOTE}"
    import textwrap

    # Wrapped to the figure's width: a long note (bases, interval, secrecy) was cut.
    width = max(40, int(fig.get_figwidth() * 72 / (8 * 0.6)))
    fig.supxlabel(textwrap.fill(text + extra, width), x=0.01, ha="left", fontsize=8,
                  color="0.25")


def _suptitle(fig, text: str) -> None:
    """Title aligned on the figure's left edge, wrapped so it is never cut."""
    import textwrap

    fig.suptitle(textwrap.fill(text, 80), x=0.01, ha="left", fontsize=11)


def _spread(positions: list[float], gap: float) -> list[float]:
    """Move end-of-line labels apart so that no two are closer than ``gap``."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    out = list(positions)
    for previous, current in zip(order, order[1:]):
        out[current] = max(out[current], out[previous] + gap)
    return out


#: Said under a chart from which figures under statistical secrecy were left out.
SECRET_NOTE = "valeurs sous secret statistique (moins de 3 lieux) non représentées"


def _rows(tidy: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Rows of one indicator that may be shown: a chart is a publication, so a figure
    marked ``suppressed`` (statistical secrecy) is never drawn; the count of those
    left out rides along in ``attrs["secret"]`` for the note under the chart."""
    from tlresearch.stats.indicator_catalogue import catalogue

    rows = tidy[tidy["indicator"] == indicator]
    if rows.empty and indicator not in catalogue():
        known = ", ".join(dict.fromkeys(tidy["indicator"].astype(str)))
        raise UsageError(f"no rows for indicator {indicator!r} in the table; it has: {known}")
    # An indicator of the catalogue defined at no wave (e.g. jobs without any contract
    # for facilitator_jobs): the trend table has no row for it, the chart says so.
    secret = 0
    if "suppressed" in rows:
        hidden = rows["suppressed"].fillna(False).astype(bool)
        secret, rows = int(hidden.sum()), rows[~hidden.to_numpy()]
    rows = rows.copy()
    rows.attrs["secret"] = secret
    return rows


def plot_series(tidy: pd.DataFrame, indicator: str, *, title: str | None = None,
                annotate: bool = True):
    """Line of one indicator across waves, with its interval band and markers.

    Parameters
    ----------
    tidy
        A table from :func:`tlresearch.stats.trends.indicator_series`. With a split, one line
        per split value (marker, line style and a label at its end tell them apart).
    indicator
        Indicator code.
    title
        Defaults to the indicator's French label and territory.
    annotate
        Write each point's value beside it (one series only, to stay legible).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    Not run as a test (it reads a data folder, a built panel or a file)::

        fig = plot_series(series, "share_employers")
    """
    from tlresearch.stats.indicator_catalogue import split_label

    rows = _rows(tidy, indicator).sort_values("wave")
    if rows["value"].notna().sum() == 0:  # all under secrecy, or never asked
        return _empty_chart(title or indicator_label(tidy, indicator), rows.attrs["secret"])
    unit = str(rows["unit"].iloc[0])
    fmt = value_formatter(unit)
    fig = _figure()
    ax = fig.add_subplot()
    groups = list(rows.groupby(rows["split_value"].fillna(""), sort=True))
    palette = SERIES_COLOURS
    # Beyond three series the bands hide each other: draw lines only and say so.
    bands = len(groups) <= 3
    ends = []
    for i, (value, group) in enumerate(groups):
        x = group["wave"].astype(int).to_numpy()
        y = group["value"].astype(float).to_numpy()
        color = palette[i % len(palette)]
        name = split_label(group["split"].iloc[0], value) if value else str(group["label"].iloc[0])
        ax.plot(x, y, marker=MARKERS[i % len(MARKERS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                color=color, label=name, linewidth=1.8, markersize=6)
        if bands and group["low"].notna().any():
            ax.fill_between(x, group["low"].astype(float).to_numpy(),
                            group["high"].astype(float).to_numpy(), color=color, alpha=0.15,
                            linewidth=0, hatch=HATCHES[i % len(HATCHES)])
        ends.append((name, x[-1], y[-1], color))
        if len(groups) == 1 and annotate:
            for xi, yi in zip(x, y):
                ax.annotate(fmt(yi), (xi, yi), xytext=(0, 7), textcoords="offset points",
                            ha="center", fontsize=8)
    if unit == "part":
        ax.set_ylim(bottom=0)
    if len(groups) > 1:
        bottom, top = ax.get_ylim()
        spread = _spread([e[2] for e in ends], 0.045 * (top - bottom))
        for (name, x_end, y_end, color), y_label in zip(ends, spread):
            ax.annotate(name, (x_end, y_end), xytext=(x_end + 0.15, y_label),
                        textcoords="data", va="center", ha="left", fontsize=8, color=color,
                        annotation_clip=False)
    year_axis(ax.xaxis, rows["wave"])
    ax.yaxis.set_major_formatter(axis_formatter(unit))
    ax.set_xlabel("Vague d'enquête")
    ax.set_ylabel(_unit_label(unit))
    ax.grid(axis="y", color="0.9")
    ax.spines[["top", "right"]].set_visible(False)
    _suptitle(fig, title or _title(rows))
    has_band = bands and rows["low"].notna().any()
    _footnote(fig, rows if has_band else rows.assign(low=pd.NA),
              "" if bands else " ; intervalles non tracés (trop de séries)")
    return fig


def _title(rows: pd.DataFrame) -> str:
    from tlresearch.geo.names import departement_label, epci_label, region_name

    first = rows.iloc[0]
    territory, level = str(first["territory"]), str(first["territory_level"])
    where = {"region": region_name, "departement": departement_label,
             "epci": epci_label}.get(level, str)(territory)
    return f"{first['label']} — {where}"


def plot_shares_by(tidy: pd.DataFrame, split: str, indicator: str | None = None, *,
                   wave: int | None = None, title: str | None = None):
    """Horizontal bars of one share by split value, with intervals and labels.

    Parameters
    ----------
    tidy
        A table from :func:`tlresearch.stats.indicators.compute_indicators` called with
        ``split=split``.
    split
        ``typology``, ``legal_status`` or ``territorial_class``.
    indicator
        Indicator code; may be left out when the table holds one share only.
    wave
        Wave to draw when the table holds several (default: the latest).

    Returns
    -------
    matplotlib.figure.Figure
        Bars sorted by value; each bar carries its value and base
        (``56,3 % (n = 25)``), its interval as an error bar.
    """
    from tlresearch.stats.indicator_catalogue import catalogue, split_label

    rows = tidy[(tidy["split"] == split).fillna(False).astype(bool)]
    rows = rows[(rows["unit"] == "part").to_numpy()]
    if indicator is None:
        codes = list(dict.fromkeys(rows["indicator"].astype(str)))
        if len(codes) != 1:
            raise UsageError(f"the table holds {len(codes)} shares split by {split!r}; "
                             f"name one with indicator= ({', '.join(codes)})")
        indicator = codes[0]
    if not (rows["indicator"] == indicator).any() and indicator in catalogue():
        return _empty_chart(catalogue()[indicator].label, 0)  # nobody answered: no group
    rows = _rows(rows, indicator)
    secret = rows.attrs["secret"]
    if wave is None:
        # Every figure may be under secrecy (a small territory): no drawable row, so
        # the wave is the table's own, not the maximum of an empty selection.
        waves = pd.to_numeric(tidy["wave"], errors="coerce").dropna()
        wave = int(waves.max()) if len(waves) else None
    rows = rows[(rows["wave"] == wave).to_numpy()]
    rows = rows[rows["value"].notna().to_numpy()].sort_values("value", kind="stable")
    rows.attrs["secret"] = secret
    if rows.empty:
        return _empty_chart(f"{indicator_label(tidy, indicator)} ({wave})"
                            if wave is not None else indicator_label(tidy, indicator), secret)
    fig = _figure(figsize=(7.5, 1.2 + 0.45 * len(rows)))
    ax = fig.add_subplot()
    values = rows["value"].astype(float).to_numpy()
    low = rows["low"].astype(float).fillna(rows["value"].astype(float)).to_numpy()
    high = rows["high"].astype(float).fillna(rows["value"].astype(float)).to_numpy()
    positions = range(len(rows))
    bars = ax.barh(positions, values, color=BAR_COLOUR, edgecolor="black", linewidth=0.6)
    ax.errorbar(values, positions, xerr=[values - low, high - values], fmt="none",
                ecolor="black", elinewidth=1, capsize=3)
    for bar, value, top, n in zip(bars, values, high, rows["n"].astype(int)):
        ax.annotate(f"{format_percent(value)} (n{NBSP}={NBSP}{format_count(n)})",
                    (max(top, value), bar.get_y() + bar.get_height() / 2), xytext=(5, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(list(positions),
                  [split_label(split, v) for v in rows["split_value"].astype(str)])
    # Room on the right for « 100,0 % (n = 12) » after a full bar and its interval;
    # the axis itself stops at 100 %.
    ax.set_xlim(0, 1.42)
    ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.xaxis.set_major_formatter(axis_formatter("part"))
    ax.set_xlabel(_unit_label("part"))
    ax.spines[["top", "right"]].set_visible(False)
    _suptitle(fig, title or f"{_title(rows)} ({wave})")
    _footnote(fig, rows)
    return fig


def contrast_ratio(colour: str, background: str = BACKGROUND) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1), round(contrast_ratio("#0072b2"), 1)
    (21.0, 5.2)
    """
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def indicator_label(tidy: pd.DataFrame, indicator: str) -> str:
    """French label of an indicator in a tidy table (its code when the table lacks it)."""
    from tlresearch.stats.indicator_catalogue import catalogue

    labels = tidy.loc[tidy["indicator"] == indicator, "label"].dropna()
    if len(labels):
        return str(labels.iloc[0])
    return catalogue()[indicator].label if indicator in catalogue() else indicator


def _empty_chart(title: str, secret: int):
    """A small figure that says why nothing is drawn, rather than no page at all."""
    fig = _figure(figsize=(7.5, 1.6))
    ax = fig.add_subplot()
    ax.set_axis_off()
    reason = ("Toutes les valeurs relèvent du secret statistique (moins de 3 lieux)"
              if secret else "Aucune valeur à représenter pour ce territoire")
    ax.text(0.0, 0.5, reason, fontsize=10, va="center", ha="left", transform=ax.transAxes)
    _suptitle(fig, title)
    return fig
