"""« L'essentiel »: sentences written from a page's figures, honest about uncertainty."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.report.findings import STABLE, direction, panorama_essentials, trend_essentials
from tlresearch.report.key_figures import key_figure_rows


def test_a_change_is_a_rise_or_a_fall_only_when_its_interval_excludes_zero():
    assert direction(0.001, 0.2) == "en hausse"
    assert direction(-0.4, -0.001) == "en baisse"
    assert direction(-0.01, 0.3) == STABLE
    assert direction(0.0, 0.3) == STABLE  # touching 0 is not a rise
    assert direction(float("nan"), 0.3) == STABLE


@pytest.fixture(scope="module")
def panel(demo_data_dir):
    import tlresearch

    return (tlresearch.load_responses(data_dir=demo_data_dir),
            tlresearch.load_staff(data_dir=demo_data_dir))


def test_panorama_sentences_print_the_cards_figures_and_never_a_secret_one(panel):
    responses, staff = panel
    for territory, year in (("75", 2025), ("23", 2017), ("19", 2021)):
        cards = key_figure_rows(responses, staff, year, territory)
        said = panorama_essentials(responses, staff, year, territory)
        text = " ".join((said.headline, *said.sentences))
        assert 1 <= len(said.sentences) <= 5
        assert f"l'enquête {year}" in said.sentences[0]
        secret = set(cards.loc[cards["secret"], "indicator"])
        if "share_employers" in secret:
            assert "secret statistique" in text
            assert "emploient" not in text
        block = said.block().html
        assert 'data-tl-block="essentials"' in block and "<li>" in block


def test_a_first_wave_describes_no_change(panel):
    responses, staff = panel
    first = int(responses["wave"].min())
    said = panorama_essentials(responses, staff, first, "75")
    assert "depuis" not in " ".join(said.sentences)
    series = pd.DataFrame({"indicator": ["share_employers"], "wave": [first], "value": [0.5],
                           "unit": ["part"]})
    trend = trend_essentials(series, series.iloc[0:0])
    assert trend.sentences[0].startswith("Une seule vague")


def test_trend_sentence_says_stable_when_the_interval_contains_zero():
    series = pd.DataFrame({"indicator": ["share_employers"] * 2, "wave": [2017, 2025],
                           "value": [0.48, 0.50], "unit": ["part"] * 2})
    changes = pd.DataFrame({"indicator": ["share_employers"], "wave": [2025], "value": [0.02],
                            "low": [-0.05], "high": [0.09], "unit": ["écart de part"]})
    said = trend_essentials(series, changes)
    assert said.sentences[0] == (
        "La part des lieux employeurs est passée de 48,0\xa0% en 2017 à 50,0\xa0% en 2025 "
        "(+2,0\xa0pts, dans la marge d'incertitude : stable).")
    assert said.headline.endswith("stable depuis 2017")


def test_publication_tables_are_wide_with_interval_and_bases_in_their_own_columns(panel):
    from tlresearch.report import publication_tables as pt
    from tlresearch.stats.indicators import compute_indicators
    from tlresearch.stats.trends import compare_waves

    responses, staff = panel
    tidy = compute_indicators(responses, staff, 2025, territory=("region", "75"),
                              split="typology", indicators=["respondents", "share_employers"])
    frame, spanners, labels = pt.by_category(tidy)
    assert frame.columns[0] == "Type de lieu" and frame["Type de lieu"].is_unique
    assert len(frame) == tidy["split_value"].nunique()  # one row per type, not per indicator
    value = "Part des lieux employeurs (au moins un salarié) : valeur"
    assert {value, "Lieux répondants"} <= set(frame.columns)
    assert labels[value] == "Valeur" and spanners[0][1][0] == value
    assert not frame.columns.str.contains("Note").any()
    changes = pt.changes(compare_waves(responses, staff, 2017, 2025,
                                       territory=("region", "75")))
    assert {"Base 2017 (lieux)", "Base 2025 (lieux)", "Valeur 2017", "Valeur 2025"} <= set(
        changes.columns)
    # no empty row: an indicator asked at neither wave is left out
    shown = changes.drop(columns="Indicateur")
    assert not (shown.isin(["–", ""]).all(axis=1)).any()


def test_the_same_places_sentence_prints_the_table_and_its_verdict_or_nothing():
    """« Parmi les N lieux ayant répondu aux deux vagues » beside all respondents, with
    the paired interval's verdict; nothing when a row is « s »."""
    from tlresearch.report.findings import paired_sentence
    from tlresearch.stats.paired_changes import ALL_RESPONDENTS, SAME_PLACES

    def table(secret=None, low=0.01):
        return pd.DataFrame({
            "variable": ["share_employers"] * 2, "sample": [SAME_PLACES, ALL_RESPONDENTS],
            "from_wave": [2024] * 2, "to_wave": [2025] * 2, "value_from": [0.5, 0.6],
            "value_to": [0.6, 0.61], "change": [0.1, 0.01], "low": [low, -0.1],
            "high": [0.19, 0.12], "n_from": [40, 50], "n_to": [40, 55],
            "secret": [secret, None]})
    sentence = paired_sentence(table()).replace("\u202f", " ").replace("\xa0", " ")
    assert sentence.startswith("Parmi les 40 lieux ayant répondu en 2024 et en 2025, la part")
    assert "de 50,0 % à 60,0 % (+10,0 pts, au-delà de la marge d'incertitude : en hausse)" \
        in sentence
    assert sentence.endswith("parmi tous les répondants de chaque vague, de 60,0 % à 61,0 %.")
    assert "dans la marge d'incertitude : stable" in paired_sentence(table(low=-0.02))
    assert paired_sentence(table(secret="primary_count")) is None
