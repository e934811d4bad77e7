"""Static (print) maps: same classes and French words as the HTML maps, stable bytes."""
from __future__ import annotations

import warnings

import matplotlib
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.core.formats import NNBSP
from tlresearch.viz import map_classes, map_data
from tlresearch.viz.static_maps import figure_bytes, save_figure, static_choropleth, static_places

from helpers.places import SECRETS, make_places

# The figures are built without pyplot; Agg is what renders them in tests.
matplotlib.use("Agg")


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(matplotlib.text.Text)]


def _legend(figure):
    return figure.axes[0].get_legend()


def test_choropleth_uses_the_same_classes_and_words_as_the_html_map(toy, tmp_path,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    stats = map_data.places_per_area(make_places(toy["commune"], n=12), toy["commune"], "commune")
    classes = map_classes.classify(stats["places_per_100k"], map_classes.MEASURES["places_per_100k"], k=3)
    figure = static_choropleth(stats, k=3, boundaries={"departement": toy["departement"]},
                               source="Source : enquête")
    legend = _legend(figure)
    assert legend.get_title().get_text() == f"Lieux pour 100{NNBSP}000 habitants"
    texts = [t.get_text() for t in legend.get_texts()]
    counts = classes.legend_counts(stats["places_per_100k"])
    assert sum(counts) == len(stats)
    for text, (_, label), n in zip(texts, classes.legend_items(), counts, strict=True):
        # each class says how many communes it colours: information not by colour alone
        assert text == f"{label} ({n} commune{'s' if n > 1 else ''})"
    colours = [matplotlib.colors.to_hex(h.get_facecolor()) for h in legend.legend_handles]
    assert colours == [c.lower() for c, _ in classes.legend_items()]
    texts = _texts(figure)
    assert f"{map_classes.MEASURES['places_per_100k']}, par commune" in texts
    assert any(t.startswith("Classes : seuils naturels (Fisher-Jenks), 3 classes") for t in texts)
    assert "50 km" in texts
    assert list(tmp_path.iterdir()) == []  # building a figure writes nothing


def test_places_map_names_types_in_french_and_shows_no_secret(toy):
    places = make_places(toy["commune"], n=12)
    figure = static_places(places, toy)
    labels = [t.get_text() for t in _legend(figure).get_texts()]
    assert "Espace de coworking (2)" in labels and "Type non renseigné (1)" in labels
    assert sum(len(c.get_offsets()) for c in figure.axes[0].collections
               if hasattr(c, "get_offsets") and len(c.get_offsets())) >= len(places)
    everything = " ".join(_texts(figure))
    for secret in SECRETS.values():
        assert secret not in everything
    with pytest.raises(UsageError):
        static_places(places, {"departement": toy["departement"]})


@pytest.mark.parametrize("fmt", ["png", "pdf", "svg"])
def test_figures_give_the_same_bytes_every_time(toy, fmt):
    stats = map_data.places_per_area(make_places(toy["commune"], n=8), toy["departement"],
                                 "departement")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a glyph missing for the narrow space
        first = figure_bytes(static_choropleth(stats), fmt, dpi=60)
        second = figure_bytes(static_choropleth(stats), fmt, dpi=60)
    assert first == second and len(first) > 1000


def test_save_figure_is_atomic_and_knows_its_formats(toy, tmp_path):
    figure = static_places(make_places(toy["commune"], n=4), toy)
    path = save_figure(figure, tmp_path / "out" / "lieux.png", dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["lieux.png"]
    with pytest.raises(UsageError):
        save_figure(figure, tmp_path / "lieux.gif")
