"""Glue of the report notebooks: territories, parameters, French tables."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.core.errors import UsageError
from tlresearch.report import notebook_helpers as panorama


def test_territory_level_and_label():
    assert panorama.territory_level("75") == "region"
    assert panorama.territory_level("33") == "departement"
    assert panorama.territory_label("75") == "Nouvelle-Aquitaine"
    assert panorama.territory_label("64") == "Pyrénées-Atlantiques (64)"


def test_validate_parameters(demo_panel):
    paths = demo_panel[0]
    assert panorama.validate_parameters(2025, "75", paths.root) == ("region", "75")
    assert panorama.validate_parameters(2019, "33", paths.root) == ("departement", "33")


@pytest.mark.parametrize("year, territory, words", [
    (2025, "99", "unknown territory"),
    (2025, "75001", "unknown territory"),
    (2030, "75", "no wave 2030"),
])
def test_validate_parameters_refuses(demo_panel, year, territory, words):
    with pytest.raises(UsageError, match=words):
        panorama.validate_parameters(year, territory, demo_panel[0].root)


def test_select_territory():
    frame = pd.DataFrame({"region_code": ["75", "75", "84", None],
                          "departement_code": ["33", "64", "69", None]})
    # A place whose commune is unknown still answered the regional survey.
    assert len(panorama.select_territory(frame, "75")) == 3
    assert panorama.select_territory(frame, "33")["departement_code"].tolist() == ["33"]


def test_indicator_table_secrecy_and_french():
    tidy = pd.DataFrame({
        "indicator": ["share_employers", "share_employers", "etp_sum"],
        "label": ["Part des lieux employeurs"] * 2 + ["ETP"],
        "wave": [2025, 2025, 2025], "split": ["typology"] * 3,
        "split_value": ["coworking", "fablab", "coworking"],
        "value": [0.563, 0.5, 1234.0], "low": [0.4, 0.1, None], "high": [0.7, 0.9, None],
        "n": [40, 2, 40], "unit": ["part", "part", "ETP"], "note": ["parmi les répondants"] * 3,
        "suppressed": [False, True, False], "suppression_reason": [None, "primary_count", None],
    })
    table = panorama.indicator_table(tidy)
    assert table["Valeur"].tolist() == ["56,3\u00a0%", "s", "1\u202f234,0"]
    assert table.loc[1, ["Intervalle", "Base (lieux)"]].tolist() == ["", ""]
    assert table.loc[0, "Intervalle"] == "[40,0\u00a0%\u00a0; 70,0\u00a0%]"
    assert table["Catégorie"].tolist()[0] == "Espace de coworking"


def test_key_figures(demo_panel):
    import tlresearch

    root = demo_panel[0].root
    responses = tlresearch.load_responses(data_dir=root)
    staff = tlresearch.load_staff(data_dir=root)
    rows = panorama.key_figure_rows(responses, staff, 2025, "33")
    assert rows["indicator"].tolist() == list(panorama.KEY_FIGURES)
    assert rows["label"].str.startswith("(a)").any() and rows["label"].str.startswith("(b)").any()
    assert (rows["previous_wave"] == 2024).all()
    shown = rows[~rows["secret"]]
    # The change is the difference of the two published values, with its sign.
    assert (shown["change"] - (shown["value"].astype(float)
                               - shown["previous_value"].astype(float))).abs().max() < 1e-9
    block = str(panorama.key_figures(responses, staff, 2025, "33"))
    assert block.count('class="tl-card"') == len(panorama.KEY_FIGURES)
    assert "depuis 2024" in block and 'data-tl-block="key-figures"' in block
    first = panorama.key_figure_rows(responses, staff, 2017, "75")
    assert first["change"].isna().all()
    assert "première vague" in str(panorama.key_figures(responses, staff, 2017, "75"))


def test_key_figures_never_show_a_change_against_a_secret_figure(demo_panel):
    import tlresearch

    root = demo_panel[0].root
    responses = tlresearch.load_responses(data_dir=root)
    staff = tlresearch.load_staff(data_dir=root)
    # Keep two places of Creuse in 2025: every figure of the wave is secret.
    creuse = responses[(responses["wave"] == 2025) & (responses["departement_code"] == "23")]
    few = pd.concat([responses[~responses.index.isin(creuse.index)], creuse.head(2)])
    rows = panorama.key_figure_rows(few, staff, 2025, "23")
    secret = rows[rows["secret"]]
    assert len(secret) and secret["value"].isna().all() and secret["change"].isna().all()


def test_territory_boundaries_of_a_department(demo_panel):
    layers = panorama.territory_boundaries("33", demo_panel[0].root)
    assert set(layers["commune"]["departement_code"]) == {"33"}
    assert layers["departement"]["code"].tolist() == ["33"]
    assert layers["epci"]["code"].isin(layers["commune"]["epci_code"]).all()


def test_territory_boundaries_are_read_once_but_never_shared(demo_panel, tmp_path):
    """A warm kernel keeps the parsed files; each report gets frames of its own, and a
    rebuilt file is read again."""
    import shutil

    from tlresearch.core.paths import DataPaths
    from tlresearch.geo.boundaries import boundaries_path
    from tlresearch.report.territory import _read_layers

    root = tmp_path / "data"
    shutil.copytree(demo_panel[0].root / "processed" / "geo", root / "processed" / "geo")
    first = panorama.territory_boundaries("75", root)
    code = first["commune"].loc[0, "code"]
    first["commune"].loc[0, "code"] = "changé"
    hits = _read_layers.cache_info().hits
    again = panorama.territory_boundaries("75", root)
    assert _read_layers.cache_info().hits == hits + 1
    assert again["commune"].loc[0, "code"] == code
    departements = boundaries_path(DataPaths(root), "departement", web=True)
    frame = again["departement"].iloc[:1]
    frame.to_parquet(departements)  # the geography rebuilt: one department left
    assert len(panorama.territory_boundaries("75", root)["departement"]) == 1


def test_count_and_french_tables():
    frame = pd.DataFrame({"rule": ["a"] * 1500 + ["b"]})
    assert panorama.count_table(frame, "rule", "n")["n"].tolist() == ["1\u202f500", "1"]
    out = panorama.french_table(pd.DataFrame({"share": [0.5], "pct": [54.5], "n": [3]}),
                                counts=["n"], shares=["share"], percents=["pct"])
    assert out.iloc[0].tolist() == ["50,0\u00a0%", "54,5\u00a0%", "3"]


def test_previous_wave():
    frame = pd.DataFrame({"wave": [2017, 2019, 2020]})
    assert panorama.previous_wave(frame, 2020) == 2019
    assert panorama.previous_wave(frame, 2017) == 2017
