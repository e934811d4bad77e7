"""Job titles to roles: normalisation, the rule vocabulary, and the lab's overrides."""
from __future__ import annotations

import pandas as pd
import pytest

from tlresearch.core.errors import DataError
from tlresearch.ingest.roles import (
    ROLES,
    assign_roles,
    load_role_overrides,
    load_role_rules,
    normalise_title,
    role_labels,
)

XSS_TEMPLATE = "${alert(1)}"
XSS_HTML = "<img src=x onerror=alert(1)>"

# Each title as a respondent might type it, and the role it must get.
TITLES = [
    # facilitator, in every inclusive spelling
    ("Coordinateur·rice", "facilitator"),
    ("coordinateur.rice", "facilitator"),
    ("coordinateur.trice", "facilitator"),
    ("coordinat·eur·rice", "facilitator"),
    ("coordinateur(trice)", "facilitator"),
    ("coordinateur(rice)", "facilitator"),
    ("coordinateur/trice", "facilitator"),
    ("COORDINATRICE", "facilitator"),
    ("coordinateur-rice", "facilitator"),
    ("Coordinateur-ice", "facilitator"),
    ("Coordinateur (H/F)", "facilitator"),
    ("facilitateur.ice", "facilitator"),
    ("Facilitatrice  de   tiers-lieu", "facilitator"),
    ("coordinatrice du tiers-lieu à mi-temps", "facilitator"),
    ("Animateur/animatrice de la communauté", "facilitator"),
    ("Animatrice tiers-lieux", "facilitator"),
    ("Concierge", "facilitator"),
    ("Couteau suisse", "facilitator"),
    ("Chargé·e de projet tiers-lieu", "facilitator"),
    ("chargée de projets tiers lieux", "facilitator"),
    ("Responsable du lieu", "facilitator"),
    ("Community manager", "facilitator"),
    ("Coordinatrice et chargée de communication", "facilitator"),
    # reception
    ("Hôte·sse d'accueil", "reception"),
    ("Hôtesse d’accueil", "reception"),
    ("Agent d'accueil", "reception"),
    ("chargé(e) d'accueil", "reception"),
    ("Serveuse / accueil", "reception"),
    # fabmanager
    ("Fab manager", "fabmanager"),
    ("FabManager", "fabmanager"),
    ("fablab manager", "fabmanager"),
    ("Fab-manageuse", "fabmanager"),
    ("Régisseur·euse d'atelier", "fabmanager"),
    ("Technicienne fablab", "fabmanager"),
    ("Responsable du FabLab", "fabmanager"),
    # mediation
    ("Médiateur·rice numérique", "mediation"),
    ("Conseillère numérique France Services", "mediation"),
    ("conseill·er·ère numérique", "mediation"),
    ("Animateur multimédia", "mediation"),
    ("animatrice EPN", "mediation"),
    # communication
    ("Chargé(e) de communication", "communication"),
    ("chargé.e de com", "communication"),
    ("Responsable communication", "communication"),
    ("Community manager réseaux sociaux", "communication"),
    # administration
    ("Comptable", "administration"),
    ("Secrétaire", "administration"),
    ("Assistante administrative", "administration"),
    ("Assistant·e administratif·ve", "administration"),
    ("Gestionnaire administratif", "administration"),
    ("Responsable administrative et financière", "administration"),
    # production
    ("Animatrice d'ateliers", "production"),
    ("Animatrice", "production"),
    ("Chargé·e d'animation", "production"),
    ("Cuisinier·ère", "production"),
    ("Barista", "production"),
    ("Serveur·euse", "production"),
    ("Artisane", "production"),
    ("Éducatrice spécialisée", "production"),
    ("Formateur·rice", "production"),
    ("Maraîchère", "production"),
    # management
    ("Directrice", "management"),
    ("Directrice / coordinatrice", "management"),
    ("Gérante", "management"),
    ("Co-gérant·e", "management"),
    ("Président salarié", "management"),
    ("Responsable", "management"),
    # other
    ("Agent d'entretien", "other"),
    ("Développeuse web", "other"),
    ("Chargée de mission", "other"),
    ("Stagiaire", "other"),
    # unknown
    ("Astronaute", "unknown"),
    ("chargé·e", "unknown"),
    (XSS_TEMPLATE, "unknown"),
    (XSS_HTML, "unknown"),
]


@pytest.mark.parametrize("title, role", TITLES)
def test_each_title_gets_its_role(title, role):
    out = assign_roles(pd.Series([title]))
    assert out.loc[0, "role"] == role
    assert out.loc[0, "role_source"] == ("none" if role == "unknown" else "rule")


def test_the_table_covers_every_role():
    assert {role for _, role in TITLES} == set(ROLES)
    assert len(TITLES) >= 40


@pytest.mark.parametrize("title", [
    "coordinateur·rice", "coordinateur.rice", "coordinateur.trice", "coordinat·eur·rice",
    "coordinateur(trice)", "coordinateur (rice)", "coordinateur/trice", "coordinatrice",
    "coordinateur-rice", "Coordinateur-ice", "coordinateur•rice", "COORDINATEUR·RICE",
    "Coordinatrice / coordinateur",
])
def test_inclusive_forms_normalise_to_one_title(title):
    assert normalise_title(title) == "coordinateur"


@pytest.mark.parametrize("title, normalised", [
    ("chargé(e)", "charge"), ("chargé.e", "charge"), ("chargé·e", "charge"),
    ("Chargé·e·s de projets", "charge de projets"), ("hôte·sse", "hote"),
    ("animateur/animatrice", "animateur"), ("facilitateur.ice", "facilitateur"),
    ("Assistant·e administratif·ve", "assistant administratif"),
    ("Directrice générale", "directeur general"),
    ("  Chargée   d’accueil  ", "charge d accueil"),
    ("Coordinatrice du tiers-lieu à mi-temps", "coordinateur du tiers lieu a mi temps"),
    ("Chargée de vente, matière première", "charge de vente matiere premier"),
    ("", ""), (None, ""), (pd.NA, ""),
])
def test_normalise_title(title, normalised):
    assert normalise_title(title) == normalised


def test_normalisation_is_idempotent():
    for title, _ in TITLES:
        once = normalise_title(title)
        assert normalise_title(once) == once


def test_payloads_stay_inert_text():
    titles = pd.Series([XSS_TEMPLATE, XSS_HTML], index=[10, 11])
    before = titles.copy()
    out = assign_roles(titles)
    pd.testing.assert_series_equal(titles, before)  # the input is not modified
    assert out["title_normalised"].tolist() == ["alert 1", "img src x onerror alert 1"]
    assert out["role"].tolist() == ["unknown", "unknown"]
    assert out["role_rule"].isna().all()


def test_output_shape_blank_titles_and_rule_ids():
    titles = pd.Series(["Fab manager", None, "  ", "Astronaute", pd.NA], index=list("abcde"))
    out = assign_roles(titles)
    assert list(out.columns) == ["title_normalised", "role", "role_source", "role_rule"]
    assert out.index.tolist() == list("abcde")
    assert out["role"].tolist()[0] == "fabmanager"
    assert out.loc["a", "role_rule"] == "fabmanager"
    for blank in "bce":
        assert pd.isna(out.loc[blank, "role"]) and pd.isna(out.loc[blank, "title_normalised"])
        assert out.loc[blank, "role_source"] == "none"
    assert out.loc["d", "role"] == "unknown" and out.loc["d", "role_source"] == "none"
    assert all(str(dtype) == "string" for dtype in out.dtypes)


def test_every_role_has_a_french_label_and_every_rule_a_known_role():
    labels = role_labels()
    assert labels == ROLES
    assert set(labels) == {"facilitator", "reception", "fabmanager", "mediation",
                           "communication", "administration", "production", "management",
                           "other", "unknown"}
    assert all(isinstance(label, str) and label.strip() for label in labels.values())
    rules = load_role_rules()
    assert rules and all(rule.role in labels and rule.role != "unknown" for rule in rules)
    assert len({rule.id for rule in rules}) == len(rules)
    assert {rule.role for rule in rules} == set(labels) - {"unknown"}


def test_overrides_win_over_rules(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text(
        "title,role,note\n"
        "Chargée de communication et d'accueil,reception,l'accueil est l'essentiel\n"
        "\n"
        "Astronaute,other,\n",
        encoding="utf-8",
    )
    overrides = load_role_overrides(path)
    assert overrides["title_normalised"].tolist() == [
        "charge de communication et d accueil", "astronaute"]
    titles = pd.Series(["Chargé·e de communication et d’accueil", "ASTRONAUTE", "Comptable"])
    out = assign_roles(titles, overrides)
    assert out["role"].tolist() == ["reception", "other", "administration"]
    assert out["role_source"].tolist() == ["override", "override", "rule"]
    assert out["role_rule"].isna().tolist() == [True, True, False]


def test_overrides_file_may_be_absent_or_use_semicolons(tmp_path):
    absent = load_role_overrides(tmp_path / "roles.csv")
    assert absent.empty and list(absent.columns) == ["title", "title_normalised", "role"]
    path = tmp_path / "roles.csv"
    path.write_text("title;role\nGardien·ne;Other\n", encoding="utf-8-sig")
    assert load_role_overrides(path)[["title_normalised", "role"]].values.tolist() == [
        ["gardien", "other"]]


def test_override_with_an_unknown_role_is_an_error(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("title,role\nComptable,administration\n\nBarista,barista\n",
                    encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_role_overrides(path)
    assert (error.value.file, error.value.row, error.value.column, error.value.rule) == (
        str(path), 4, "role", "unknown_role")


def test_override_giving_one_title_two_roles_is_an_error(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("title,role\nBarman,production\nbarman,reception\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_role_overrides(path)
    assert (error.value.row, error.value.rule) == (3, "conflicting_override")
