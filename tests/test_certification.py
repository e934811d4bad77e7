"""The certification's graduates' survey: reading, vocabulary, outcome tables, demo file."""
from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd
import pytest

from tlresearch.core.errors import MissingColumnError, UsageError
from tlresearch.core.paths import DataPaths
from tlresearch.core.quality_log import issues_frame
from tlresearch.demo.graduates import (
    DEMO_COHORTS,
    DEMO_FILE,
    demo_graduates_bytes,
    write_demo_graduates,
)
from tlresearch.stats.certification import (
    classify_graduates,
    outcome_tables,
    read_graduates,
    share,
    vocabulary,
)

DATA = Path(__file__).parent / "data" / "certification"

#: What the certification page published in 2018 (six NA promotions 2015-2018).
PUBLISHED_SITUATION = {"facilitateur": 54.5, "autre_poste_projet_coordination": 27.0,
                       "recherche_emploi": 13.5}
PUBLISHED_TRANSITIONS = {"demandeur_emploi_vers_actif": 36.0, "etudiant_vers_actif": 10.0,
                         "actif_vers_createur": 50.0, "changement_emploi": 4.0}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    paths = DataPaths(tmp_path_factory.mktemp("certif") / "data")
    path = write_demo_graduates(paths)
    frame, issues = read_graduates(path)
    return paths, path, frame, issues


def shares(table: pd.DataFrame) -> dict[str, float]:
    return dict(zip(table["code"], table["share"].astype(float)))


# --- the demo reproduces the publication ---------------------------------------------------

def test_demo_reproduces_published_situation_as_near_as_its_base_allows(demo):
    """Six promotions of 10-12 graduates (66): no base of six such groups gives all three
    published shares to the decimal, so each count is the nearest to its share."""
    tables = outcome_tables(demo[2])
    table = tables["situation_actuelle"].set_index("code")
    base = int(table["base"].iloc[0])
    assert base == sum(DEMO_COHORTS.values()) == 66
    for code, value in PUBLISHED_SITUATION.items():
        assert int(table.loc[code, "n"]) == round(value * base / 100), code
        assert abs(float(table.loc[code, "share"]) - value) <= 50 / base, code
    assert float(table.loc["facilitateur", "share"]) == 54.5
    assert int(table["n"].sum()) == base  # the rest is « autre »


def test_demo_reproduces_published_transitions_exactly(demo):
    table = outcome_tables(demo[2])["transitions"]
    assert shares(table) == PUBLISHED_TRANSITIONS
    assert table["n"].sum() == table["base"].iloc[0] == 50


def test_demo_cohorts_and_scope(demo):
    tables = outcome_tables(demo[2])
    promotions = tables["promotions"]
    assert dict(zip(promotions["promotion"], promotions["n"])) == DEMO_COHORTS
    assert promotions["year"].between(2015, 2018).all() and len(promotions) == 6
    champ = dict(zip(tables["champ"]["code"], tables["champ"]["n"]))
    assert champ["diplomes"] == 66 and champ["base_transitions"] == 50
    assert champ["sans_changement"] == 16 and champ["transition_indeterminee"] == 0
    assert all(10 <= n <= 12 for n in DEMO_COHORTS.values())  # a training group's size


def test_demo_reads_without_label_issues(demo):
    issues = demo[3]
    assert {i.rule for i in issues} == {"personal_column_dropped"}
    assert {i.column for i in issues} == {"Nom", "Prénom", "Adresse e-mail"}


@pytest.mark.reference
def test_demo_matches_reference_yaml(demo, reference_dir):
    import yaml

    entries = yaml.safe_load((reference_dir / "published_figures.yaml").read_text("utf-8"))
    published = {e["indicator"]: float(e["value"]) for e in entries
                 if str(e["indicator"]).startswith("certification_holders_")}
    tables = outcome_tables(demo[2])
    ours = {**{f"certification_holders_current_situation_{c}": v
               for c, v in shares(tables["situation_actuelle"]).items()},
            **{f"certification_holders_transition_{c}": v
               for c, v in shares(tables["transitions"]).items()}}
    aliases = {"certification_holders_transition_changed_job":
               "certification_holders_transition_changement_emploi",
               "certification_holders_transition_actif_to_createur":
               "certification_holders_transition_actif_vers_createur",
               "certification_holders_transition_etudiant_to_actif":
               "certification_holders_transition_etudiant_vers_actif",
               "certification_holders_transition_demandeur_emploi_to_actif":
               "certification_holders_transition_demandeur_emploi_vers_actif"}
    assert len(published) == 7
    base = int(tables["situation_actuelle"]["base"].iloc[0])
    for indicator, value in published.items():  # the nearest a base of 66 graduates allows
        assert abs(ours[aliases.get(indicator, indicator)] - value) <= 50 / base, indicator


# --- the demo file ---------------------------------------------------------------------------

def test_demo_file_is_deterministic_read_only_and_french(demo):
    paths, path, _, _ = demo
    assert path == paths.raw / DEMO_FILE
    assert path.read_bytes() == demo_graduates_bytes()
    assert demo_graduates_bytes(seed=1) != demo_graduates_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    header = path.read_text("utf-8").splitlines()[0]
    assert header.split(";")[0] == "Promotion" and "Statut à l'entrée en formation" in header


def test_demo_rewrite_is_noop_refused_or_overwritten(tmp_path):
    paths = DataPaths(tmp_path / "data")
    path = write_demo_graduates(paths)
    before = path.stat().st_mtime_ns
    assert write_demo_graduates(paths) == path
    assert path.stat().st_mtime_ns == before
    with pytest.raises(UsageError, match="exists and differs"):
        write_demo_graduates(paths, seed=7)
    assert path.read_bytes() == demo_graduates_bytes()
    write_demo_graduates(paths, seed=7, overwrite=True)
    assert path.read_bytes() == demo_graduates_bytes(seed=7)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_demo_labels_are_messy(demo):
    text = demo[1].read_text("utf-8")
    for spelling in (";DE;", "demandeuse d'emploi", "DEMANDEUSE D'EMPLOI", "salariee",
                     "Promo 2017 - Printemps"):
        assert spelling in text


# --- a small file with known shares ----------------------------------------------------------

def test_small_file_known_shares():
    frame, issues = read_graduates(DATA / "small_cp1252.csv")
    assert len(frame) == 8
    tables = outcome_tables(frame)
    assert shares(tables["situation_actuelle"]) == {
        "facilitateur": 50.0, "autre_poste_projet_coordination": 25.0,
        "recherche_emploi": 12.5, "autre": 12.5}
    assert shares(tables["transitions"]) == {
        "demandeur_emploi_vers_actif": 40.0, "etudiant_vers_actif": 20.0,
        "actif_vers_createur": 20.0, "changement_emploi": 20.0}
    assert tables["transitions"]["base"].iloc[0] == 5
    flagged = [i for i in issues if i.rule == "unrecognised_post"]
    assert [(i.row, i.value, i.action) for i in flagged] == [(9, "Boulanger", "flagged")]


def test_share_rounds_half_up():
    assert share(1, 8) == 12.5
    assert share(1, 3) == 33.3 and share(2, 3) == 66.7
    assert share(1, 16) == 6.3  # 6.25 -> 6.3 (half up, not to even)
    assert share(5, 0) is None


def test_xlsx_is_read(tmp_path, demo):
    openpyxl = pytest.importorskip("openpyxl")
    rows = [line.split(";") for line in demo[1].read_text("utf-8").splitlines()]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "diplomes.xlsx"
    book.save(path)
    frame, _ = read_graduates(path)
    assert shares(outcome_tables(frame)["transitions"]) == PUBLISHED_TRANSITIONS


# --- labels ----------------------------------------------------------------------------------

def test_messy_labels_are_mapped():
    frame, issues = read_graduates(DATA / "messy_labels.tsv")
    assert not [i for i in issues if i.action in ("set_missing", "flagged")]
    assert frame["promotion"].tolist() == ["2017 printemps"] * 3 + ["2015"] * 3
    assert frame["statut_avant"].tolist() == ["demandeur_emploi"] * 3 + [
        "etudiant", "independant", "actif_salarie"]
    assert frame["statut_actuel"].tolist() == [
        "actif_salarie", "createur_entreprise", "recherche_emploi", "actif_salarie",
        "createur_entreprise", "independant"]
    assert frame["poste_actuel"].tolist()[:2] == ["facilitateur", "facilitateur"]
    assert pd.isna(frame["poste_actuel"].iloc[2])
    assert frame["poste_actuel"].tolist()[3:] == [
        "autre_poste_projet_coordination", "facilitateur", "autre_poste_projet_coordination"]
    assert frame["nouvel_emploi"].tolist()[:2] == [True, True]
    classified = classify_graduates(frame)
    assert classified["transition"].tolist() == [
        "demandeur_emploi_vers_actif", "demandeur_emploi_vers_actif", "sans_changement",
        "etudiant_vers_actif", "actif_vers_createur", "actif_vers_createur"]


def test_unknown_label_is_logged_not_fatal():
    frame, issues = read_graduates(DATA / "unknown_label.csv")
    assert len(frame) == 4
    unknown = [(i.row, i.column, i.value) for i in issues if i.rule == "unknown_label"]
    assert unknown == [(3, "Statut à l'entrée en formation", "Intermittent du spectacle"),
                       (4, "Statut aujourd'hui", "En vadrouille"),
                       (4, "Nouvel emploi depuis la formation", "peut-être")]
    assert all(i.action == "set_missing" for i in issues if i.rule == "unknown_label")
    issues_frame(issues)  # fits the quality log
    assert pd.isna(frame.loc[1, "statut_avant"]) and pd.isna(frame.loc[2, "statut_actuel"])
    tables = outcome_tables(frame)
    situation = tables["situation_actuelle"]
    assert situation["base"].iloc[0] == 3  # the graduate with an unknown status is out
    assert shares(tables["transitions"])["demandeur_emploi_vers_actif"] == 100.0
    champ = dict(zip(tables["champ"]["code"], tables["champ"]["n"]))
    assert champ["situation_inconnue"] == 1 and champ["transition_indeterminee"] == 2


def test_missing_required_column():
    with pytest.raises(MissingColumnError) as caught:
        read_graduates(DATA / "missing_column.csv")
    error = caught.value
    assert error.column == "statut_actuel" and error.file == "missing_column.csv"
    assert "missing_column.csv" in str(error) and "statut aujourd hui" in str(error)


def test_without_new_job_column_active_to_active_is_undetermined(tmp_path):
    path = tmp_path / "sans_nouvel_emploi.csv"
    path.write_text("Promotion;Statut avant;Statut actuel;Poste actuel\n"
                    "2016;Salarié;Salarié;Facilitateur\n2016;DE;Salarié;Facilitateur\n",
                    encoding="utf-8")
    frame, issues = read_graduates(path)
    assert "optional_column_absent" in {i.rule for i in issues}
    classified = classify_graduates(frame)
    assert pd.isna(classified["transition"].iloc[0])
    assert classified["transition"].iloc[1] == "demandeur_emploi_vers_actif"


def test_vocabulary_is_consistent():
    vocab = vocabulary()
    assert set(vocab.situations) == {"facilitateur", "autre_poste_projet_coordination",
                                     "recherche_emploi", "autre"}
    assert vocab.before_aliases["de"] == "demandeur_emploi"
    assert vocab.now_aliases["de"] == "recherche_emploi"
    published = set(PUBLISHED_TRANSITIONS)
    assert published <= {r["code"] for r in vocab.transitions}
    for code, label in {**vocab.before, **vocab.now, **vocab.posts,
                        **vocab.transition_labels}.items():
        assert label and label != code  # a French label for every code


# --- personal data -----------------------------------------------------------------------

def _everything(frame, issues) -> str:
    tables = outcome_tables(frame)
    return "\n".join([frame.to_csv(), issues_frame(issues).to_csv(),
                      *(t.to_csv() for t in tables.values()), repr(issues)])


def test_names_and_emails_appear_nowhere(demo):
    text = demo[1].read_text("utf-8").splitlines()[1:]
    outputs = _everything(demo[2], demo[3])
    assert "@" not in outputs
    for line in text:
        _, last, first, email, *_ = line.split(";")
        for personal in (last, first, email):
            assert personal not in outputs


def test_names_and_emails_of_small_file_appear_nowhere():
    frame, issues = read_graduates(DATA / "small_cp1252.csv")
    outputs = _everything(frame, issues)
    for personal in ("Dupuis", "Élodie", "Ménard", "HYPERLINK", "exemple.org", "Caron"):
        assert personal not in outputs
    assert not {"Nom", "Prénom", "Courriel"} & set(frame.columns)


def test_reader_issues_of_personal_columns_are_dropped(tmp_path):
    # A formula in the e-mail cell makes the reader log the cell's value: it must go.
    path = tmp_path / "f.csv"
    path.write_text("Promotion;E-mail;Statut avant;Statut actuel;Poste actuel\n"
                    "2016;=secret@exemple.org;DE;Salarié;Facilitateur\n", encoding="utf-8")
    frame, issues = read_graduates(path)
    assert "secret" not in repr(issues)
    assert len(frame) == 1


def test_raw_file_is_never_opened_for_writing(demo):
    # The demo file is read-only; reading it must leave it untouched.
    before = demo[1].read_bytes()
    read_graduates(demo[1])
    assert demo[1].read_bytes() == before
    # Mode bits, not os.access: root may write anything, so access() would prove nothing.
    assert demo[1].stat().st_mode & 0o222 == 0
