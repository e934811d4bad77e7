"""Charts: French number formats on axes and labels, readable without colour."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NBSP, NNBSP
from tlresearch.stats.indicators import compute_indicators
from tlresearch.stats.trends import indicator_series
from tlresearch.viz.charts import (
    axis_formatter,
    plot_series,
    plot_shares_by,
    save_figure,
    value_formatter,
)

from helpers.panels import hand_panel


@pytest.fixture(scope="module")
def series():
    responses, staff, _ = hand_panel()
    return indicator_series(responses, staff)


@pytest.fixture(scope="module")
def by_typology():
    responses, staff, _ = hand_panel()
    return compute_indicators(responses, staff, 2021, split="typology")


def tick_texts(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_series_of_a_share(series):
    fig = plot_series(series, "share_employers")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    y_ticks = tick_texts(ax.yaxis)
    assert y_ticks and all(t.endswith(f"{NBSP}%") for t in y_ticks)
    assert tick_texts(ax.xaxis) == ["2021", "2022", "2023"]        # years, not "2 021"
    annotations = [t.get_text() for t in ax.texts]
    assert annotations == [f"60,0{NBSP}%", f"60,0{NBSP}%", f"80,0{NBSP}%"]
    line = ax.get_lines()[0]
    assert line.get_marker() == "o"                                 # not colour alone
    assert ax.collections, "the interval band is drawn"
    assert ax.get_xlabel() == "Vague d'enquête"
    assert "Part des lieux employeurs" in fig.get_suptitle()
    assert "Parmi les répondants" in fig.get_supxlabel()
    assert "n de 10 à 10" not in fig.get_supxlabel() and f"n{NBSP}={NBSP}10" in fig.get_supxlabel()


def test_series_of_a_decimal(series):
    fig = plot_series(series, "etp_mean")
    ticks = tick_texts(fig.axes[0].yaxis)
    assert any("," in t for t in ticks) and not any("." in t for t in ticks)
    assert [t.get_text() for t in fig.axes[0].texts] == ["1,1", "1,2", "1,7"]


def test_series_thousands_are_french():
    tidy = pd.DataFrame({
        "indicator": "volunteers_sum", "label": "Bénévoles", "territory_level": "region",
        "territory": "75", "wave": [2019, 2020, 2021], "split": pd.NA, "split_value": pd.NA,
        "value": [2415.0, 1841.0, 1940.0], "low": pd.NA, "high": pd.NA, "n": [206, 210, 220],
        "unit": "personnes", "note": "parmi les répondants"})
    fig = plot_series(tidy, "volunteers_sum")
    ticks = tick_texts(fig.axes[0].yaxis)
    assert any(NNBSP in t for t in ticks)
    assert f"2{NNBSP}415" in [t.get_text() for t in fig.axes[0].texts]
    assert "intervalle" not in fig.get_supxlabel()


def test_series_split_lines_differ_by_marker_and_style(series):
    responses, staff, _ = hand_panel()
    split = indicator_series(responses, staff, ["share_employers"], split="legal_status")
    # The hand panel's groups are tiny (secret); styling is what is tested here.
    fig = plot_series(split.assign(suppressed=False), "share_employers")
    lines = fig.axes[0].get_lines()
    assert len({line.get_marker() for line in lines}) == len(lines)
    assert len({line.get_linestyle() for line in lines}) > 1
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"Association", "SCIC", "Collectivité"} <= labels       # direct labels, French
    # Every series (line and its name, written in its colour) stands out from the
    # background: 3:1 for a graphic (WCAG 1.4.11), 4.5:1 as the names are text.
    from matplotlib.colors import to_hex

    from tlresearch.viz.charts import SERIES_COLOURS, contrast_ratio

    drawn = {to_hex(line.get_color()) for line in lines}
    drawn |= {to_hex(t.get_color()) for t in fig.axes[0].texts}
    assert drawn and all(contrast_ratio(c) >= 4.5 for c in drawn | set(SERIES_COLOURS))
    assert contrast_ratio("#ffffff") == 1 and round(contrast_ratio("#767676"), 1) == 4.5


def test_shares_by_typology(by_typology):
    fig = plot_shares_by(by_typology, "typology", "share_employers")
    ax = fig.axes[0]
    assert all(t.endswith(f"{NBSP}%") for t in tick_texts(ax.xaxis))
    names = tick_texts(ax.yaxis)
    assert "Espace de coworking" in names
    bar_labels = [t.get_text() for t in ax.texts]
    assert f"75,0{NBSP}% (n{NBSP}={NBSP}4)" in bar_labels
    # 3 hybrid places, all employers: 100 % would give each named place's answer (secret).
    assert "Lieu hybride (plusieurs types)" not in names
    assert f"100,0{NBSP}% (n{NBSP}={NBSP}3)" not in bar_labels


def test_shares_by_needs_one_share(by_typology):
    with pytest.raises(UsageError, match="name one with indicator="):
        plot_shares_by(by_typology, "typology")
    only = by_typology[by_typology["indicator"] == "share_with_cdi"]
    assert isinstance(plot_shares_by(only, "typology"), Figure)
    with pytest.raises(UsageError, match="no rows for indicator"):
        plot_shares_by(by_typology, "typology", "share_of_unicorns")


def test_formatters():
    assert value_formatter("part")(0.563) == f"56,3{NBSP}%"
    assert value_formatter("personnes")(2415) == f"2{NNBSP}415"
    assert axis_formatter("part")(0.125, 0) == f"12,5{NBSP}%"
    assert axis_formatter("ETP")(2.5, 0) == "2,5"


def test_save_figure_is_atomic_and_reproducible(series, tmp_path):
    fig = plot_series(series, "share_employers")
    for suffix in ("png", "svg"):
        first = save_figure(fig, tmp_path / f"a.{suffix}")
        second = save_figure(fig, tmp_path / "sub" / f"b.{suffix}")
        assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.png", "a.svg", "b.png", "b.svg",
                                                           "sub"]
    with pytest.raises(UsageError, match="use .png"):
        save_figure(fig, tmp_path / "c.jpg")


def test_figures_under_secrecy_are_never_drawn():
    import pandas as pd

    from tlresearch.viz.charts import SECRET_NOTE, plot_shares_by

    tidy = pd.DataFrame({
        "indicator": ["share_employers"] * 3, "label": ["Part des lieux employeurs"] * 3,
        "territory_level": ["region"] * 3, "territory": ["75"] * 3, "wave": [2024] * 3,
        "split": ["typology"] * 3, "split_value": ["coworking", "fablab", "atelier_partage"],
        "value": [0.5, 0.75, 1.0], "low": [0.3, 0.4, 0.2], "high": [0.7, 0.9, 1.0],
        "n": [20, 8, 1], "unit": ["part"] * 3, "note": ["parmi les répondants"] * 3,
        "suppressed": [False, True, True]})
    fig = plot_shares_by(tidy, "typology", "share_employers")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 1 and "oworking" in labels[0]
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert SECRET_NOTE in " ".join(texts.split())  # the note is wrapped to the chart's width
    assert "100,0" not in texts


def _tidy_of(responses, staff, wave, territory):
    return compute_indicators(responses, staff, wave, territory=territory, split="typology")


@pytest.mark.parametrize("keep", [0, 1, 2, 3])
def test_a_small_territory_gets_a_chart_not_a_crash(keep):
    """Corrèze with 3 respondents crashed ``int(rows["wave"].max())`` on an empty selection."""
    responses, staff, _ = hand_panel()
    wave = responses[responses["wave"] == 2021]
    code = str(wave["departement_code"].dropna().iloc[0])
    few = pd.concat([responses[responses["wave"] != 2021],
                     wave[wave["departement_code"] != code],
                     wave[wave["departement_code"] == code].head(keep)])
    tidy = _tidy_of(few, staff, 2021, ("departement", code))
    fig = plot_shares_by(tidy, "typology", "share_employers")
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert isinstance(fig, Figure)
    if keep < 3:  # every typology group has fewer than 3 places: nothing may be drawn
        assert not fig.axes[0].patches
        assert ("secret statistique" in texts) or ("Aucune valeur" in texts)


def test_a_series_entirely_under_secrecy_says_so():
    series = pd.DataFrame({
        "indicator": ["share_employers"] * 2, "label": ["Part des lieux employeurs"] * 2,
        "territory_level": ["departement"] * 2, "territory": ["19"] * 2, "wave": [2024, 2025],
        "split": [pd.NA] * 2, "split_value": [pd.NA] * 2, "value": [0.5, 1.0],
        "low": [0.1, 0.2], "high": [0.9, 1.0], "n": [2, 1], "unit": ["part"] * 2,
        "note": [""] * 2, "suppressed": [True, True]})
    fig = plot_series(series, "share_employers")
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert "secret statistique" in texts and "50,0" not in texts and "100,0" not in texts
