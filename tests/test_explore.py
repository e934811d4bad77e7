"""The researcher's helpers (tlresearch.explore) on the demo panel, and their bad inputs."""
from __future__ import annotations

import pandas as pd
import pytest

import tlresearch
from tlresearch.core.errors import UsageError
from tlresearch.core.formats import format_percent
from tlresearch.explore import (
    PanelNotBuilt,
    panel_status,
    place_history,
    places_map_frame,
    places_table,
    quick_map,
    restricted_overview,
    territory,
)


@pytest.fixture(scope="module")
def tables(demo_data_dir):
    def read(name):
        return pd.read_parquet(demo_data_dir / "processed" / f"{name}.parquet")

    return {name: read(name) for name in ("responses", "places", "staff")}


def test_status_of_an_empty_folder_says_which_command_to_run(tmp_path):
    status = panel_status(tmp_path)
    assert not status.built and set(status.missing) == {"responses", "places", "staff",
                                                        "quality_log"}
    assert "make reports" in status.message() and "tlresearch ingest" in status.message()
    with pytest.raises(PanelNotBuilt) as caught:
        status.require()
    shown = caught.value._render_traceback_()
    assert len(shown) == 1 and "Traceback" not in shown[0] and str(tmp_path) in shown[0]
    with pytest.raises(PanelNotBuilt):
        tlresearch.indicator("share_employers", data_dir=tmp_path)
    with pytest.raises(PanelNotBuilt):
        places_table(data_dir=tmp_path)


def test_status_of_the_demo_panel(demo_data_dir, tables):
    status = panel_status(demo_data_dir).require()
    assert list(status.waves) == sorted(tables["responses"]["wave"].unique())
    assert status.responses == len(tables["responses"])
    assert status.places == len(tables["places"])
    assert status.demo and "DÉMONSTRATION" in status.message()
    assert status.last_wave == max(status.waves)


def test_lazy_exports_are_the_helpers():
    assert tlresearch.indicator is __import__("tlresearch.explore.indicator",
                                              fromlist=["x"]).indicator
    for name in ("indicator", "indicator_codes", "place_history", "places_table",
                 "places_map_frame", "panel_status"):
        assert callable(getattr(tlresearch, name))


def test_indicator_counts_the_respondents_of_a_department(demo_data_dir, tables):
    responses = tables["responses"]
    table = tlresearch.indicator("respondents", "33", 2024, data_dir=demo_data_dir)
    expected = ((responses["wave"] == 2024) & (responses["departement_code"] == "33")).sum()
    assert len(table) == 1
    assert table.loc[0, "value"] == expected and table.loc[0, "n"] == expected
    assert table.loc[0, "Territoire"] == "Gironde (33)" and table.loc[0, "Vague"] == "2024"


def test_indicator_for_an_epci(demo_data_dir, tables):
    responses = tables["responses"]
    epci = responses["epci_code"].dropna().value_counts().index[0]
    last = int(responses["wave"].max())
    table = tlresearch.indicator("respondents", epci, data_dir=demo_data_dir)
    expected = ((responses["wave"] == last) & (responses["epci_code"] == epci)).sum()
    assert table.loc[0, "value"] == expected
    assert table.loc[0, "territory_level"] == "epci"
    assert table.loc[0, "Territoire"] == responses.loc[responses["epci_code"] == epci,
                                                       "epci_name"].iloc[0]


def test_indicator_split_reads_french_and_keeps_codes(demo_data_dir):
    table = tlresearch.indicator("share_employers", "75", 2024, split="typology",
                                 data_dir=demo_data_dir)
    assert list(table.columns[:9]) == ["Indicateur", "Territoire", "Vague", "Catégorie",
                                       "Valeur", "Intervalle", "Base (lieux)", "Secret", "Note"]
    assert {"indicator", "split_value", "value", "low", "high", "n", "suppressed"} <= set(table)
    assert "coworking" in set(table["split_value"])
    assert "Espace de coworking" in set(table["Catégorie"])
    for row in table.itertuples():
        if row.suppressed:
            assert row.Valeur == "s" and row.Secret
        else:
            assert row.Valeur == format_percent(row.value) and row.low <= row.value <= row.high


def test_indicator_series_over_every_wave(demo_data_dir, tables):
    series = tlresearch.indicator("etp_mean", "64", "toutes", data_dir=demo_data_dir)
    waves = list(series["wave"])
    assert waves == sorted(waves) and set(waves) <= set(tables["responses"]["wave"])
    assert len(waves) > 1


@pytest.mark.parametrize("kwargs, words", [
    ({"code": "share_of_unicorns"}, "indicateur inconnu"),
    ({"territory": "99"}, "territoire inconnu"),
    ({"territory": "200054781"}, "territoire inconnu"),      # an EPCI not in the panel
    ({"wave": 1999}, "aucune vague 1999"),
    ({"wave": "l'an dernier"}, "vague illisible"),
    ({"split": "couleur"}, "ventilation inconnue"),
])
def test_indicator_refuses_what_makes_no_sense(demo_data_dir, kwargs, words):
    with pytest.raises(UsageError, match=words) as caught:
        tlresearch.indicator(**{"code": "share_employers", **kwargs}, data_dir=demo_data_dir)
    # in a notebook, one line instead of a traceback
    assert caught.value._render_traceback_() == [f"ExplorerError: {caught.value}"]


def test_territory_labels():
    assert territory("75").label == "Nouvelle-Aquitaine"
    assert territory(64).pair == ("departement", "64")
    with pytest.raises(UsageError, match="33"):
        territory("2A")


def test_places_table_of_a_department(demo_data_dir, tables):
    table = places_table("24", data_dir=demo_data_dir)
    expected = tables["places"][tables["places"]["departement_code"] == "24"]
    assert sorted(table["place_id"]) == sorted(expected["place_id"])
    assert table.columns[0] == "Nom" and "Type de lieu" in table and "typology" in table
    assert table["Nom"].tolist() == table.sort_values(["Nom", "place_id"])["Nom"].tolist()
    assert not {"siret", "address"} & set(table.columns)


def test_place_history_follows_one_place(demo_data_dir, tables):
    staff = tables["staff"]
    place = staff["place_id"].value_counts().index[0]          # the place with most jobs
    history = place_history(place, data_dir=demo_data_dir)
    answered = tables["responses"][tables["responses"]["place_id"] == place]
    assert list(history["wave"]) == sorted(answered["wave"])
    assert history["Vague"].tolist() == history["wave"].tolist()
    jobs = staff[(staff["place_id"] == place)]
    first = int(jobs["wave"].min())
    text = history.loc[history["wave"] == first, "Postes (contrat, rôle)"].iloc[0]
    assert text.count(" ; ") == (jobs["wave"] == first).sum() - 1
    assert jobs.loc[jobs["wave"] == first, "title_raw"].iloc[0] in text


def test_place_history_by_name_and_ambiguous_names(demo_data_dir, tables):
    places = tables["places"]
    names = places["place_name"].value_counts()
    unique = names[names == 1].index[0]
    history = place_history(unique, data_dir=demo_data_dir)
    assert set(history["place_id"]) == set(places.loc[places["place_name"] == unique, "place_id"])
    with pytest.raises(UsageError, match="lieux correspondent"):
        place_history("coworking", data_dir=demo_data_dir)
    with pytest.raises(UsageError, match="aucun lieu"):
        place_history("zzz introuvable zzz", data_dir=demo_data_dir)


def test_places_map_frame_stays_in_its_territory(demo_data_dir, tables):
    from tlresearch.explore import map_boundaries

    points = places_map_frame("33", 2024, data_dir=demo_data_dir)
    assert points.crs.to_epsg() == 4326 and len(points) > 0
    answered = tables["responses"]
    answered = set(answered.loc[(answered["wave"] == 2024)
                                & (answered["departement_code"] == "33"), "place_id"])
    assert set(points["place_id"]) == answered
    outline = map_boundaries("33", data_dir=demo_data_dir)["departement"].union_all()
    assert points.geometry.within(outline.buffer(0.01)).all()
    assert "Type de lieu" in points and "typology" in points


def test_quick_map_is_offline_and_escapes_names(demo_data_dir):
    points = places_map_frame("40", data_dir=demo_data_dir)
    points.loc[points.index[0], "place_name"] = '<script>alert("x")</script>'
    page = quick_map(points, "40", data_dir=demo_data_dir)._repr_html_()
    assert page.startswith("<iframe") and page.count("<") == 2      # iframe open and close
    assert "<script>alert" not in page and "width: 100%" in page


def test_restricted_overview_shows_no_value(demo_data_dir):
    overview = restricted_overview(demo_data_dir)
    assert list(overview["Table"]) == ["contacts"]
    assert "contact_email" in overview.loc[0, "Colonnes"]
    contacts = pd.read_parquet(demo_data_dir / "restricted" / "contacts.parquet")
    email = contacts["contact_email"].dropna().iloc[0]
    assert email not in overview.to_string()


def test_interactive_tables_escape_what_respondents_typed():
    from tlresearch.explore.interactive import interactive_html

    hostile = '<img src=x onerror="alert(1)">'
    frame = pd.DataFrame({"Nom": [hostile], f"col {hostile}": [1]})
    page = interactive_html(frame, caption=f"Lieux — {hostile}")
    assert hostile not in page and "&lt;img src=x" in page
    assert "Rechercher" in page and "unpkg" not in page
